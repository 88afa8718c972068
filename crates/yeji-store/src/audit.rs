//! The audit log (SPEC §15.1): one append-only row per change, with the
//! signed-in login (the OS user for the CLI) as actor, what was changed and
//! its values before and after. Rows are never updated or deleted; the
//! catalog writes them in the transaction of the change they record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::{Catalog, Result, with_pool};

/// A change to record.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub object: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    pub fn new(actor: &str, action: &str, object: impl Into<String>) -> AuditEntry {
        AuditEntry {
            actor: actor.to_owned(),
            action: action.to_owned(),
            object: object.into(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, value: serde_json::Value) -> AuditEntry {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: serde_json::Value) -> AuditEntry {
        self.after = Some(value);
        self
    }
}

/// A recorded change, as `yeji audit --format json` and the API print it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRow {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub object: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}

/// Which rows to list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// From this day on (UTC).
    pub since: Option<NaiveDate>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

pub(crate) const INSERT: &str =
    "INSERT INTO audit (at, actor, action, object, before, after) VALUES ($1, $2, $3, $4, $5, $6)";

/// Records an [`AuditEntry`] on `$executor` (a transaction of either backend).
macro_rules! record {
    ($executor:expr, $entry:expr) => {{
        let entry: &$crate::audit::AuditEntry = $entry;
        sqlx::query($crate::audit::INSERT)
            .bind(chrono::Utc::now())
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.object)
            .bind(entry.before.as_ref().map(|v| v.to_string()))
            .bind(entry.after.as_ref().map(|v| v.to_string()))
            .execute($executor)
            .await
    }};
}
pub(crate) use record;

impl Catalog {
    /// Records a change made outside the catalog's own writes (a sign-in
    /// failure, a user's change of password).
    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        with_pool!(self, |pool| {
            record!(pool, entry)?;
            Ok(())
        })
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let since = filter.since.map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT at, actor, action, object, before, after FROM audit \
                 WHERE ($1 IS NULL OR at >= $1) AND ($2 IS NULL OR actor = $2) AND ($3 IS NULL OR action = $3) \
                 ORDER BY id",
            )
            .bind(since)
            .bind(&filter.actor)
            .bind(&filter.action)
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
                    AuditRow {
                        at: r.get(0),
                        actor: r.get(1),
                        action: r.get(2),
                        object: r.get(3),
                        before: json(r.get(4)),
                        after: json(r.get(5)),
                    }
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_log_filters_by_day_actor_and_action() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            catalog.audit(&AuditEntry::new("ana", "signin_failed", "ana")).await.unwrap();
            catalog
                .audit(&AuditEntry::new("bo", "scheme", "version 1").after(serde_json::json!({ "weights": [30, 70] })))
                .await
                .unwrap();
            let all = catalog.audit_log(&AuditFilter::default()).await.unwrap();
            assert_eq!(all.len(), 2);
            assert_eq!(all[1].after, Some(serde_json::json!({ "weights": [30, 70] })));
            let by_bo = AuditFilter { actor: Some("bo".into()), ..AuditFilter::default() };
            assert_eq!(catalog.audit_log(&by_bo).await.unwrap()[0].object, "version 1");
            let failures = AuditFilter { action: Some("signin_failed".into()), ..AuditFilter::default() };
            assert_eq!(catalog.audit_log(&failures).await.unwrap().len(), 1);
            let tomorrow = Utc::now().date_naive().succ_opt();
            assert!(
                catalog.audit_log(&AuditFilter { since: tomorrow, ..AuditFilter::default() }).await.unwrap().is_empty()
            );
        }
    }
}
