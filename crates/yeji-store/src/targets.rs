//! Targets set in yeji (SPEC §7, §15.2): each version of a target, keyed by
//! period, entity, metric and product line ('' for none), with its SMART
//! note and who proposed and decided it. A new proposal supersedes the
//! key's open draft; an approval supersedes the key's earlier approved
//! version. Every change is audited in its transaction, and a decision is
//! applied only to a draft. The rules live in yeji-targets.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, with_pool};

/// A target as proposed.
#[derive(Clone, Debug)]
pub struct NewTargetVersion<'a> {
    pub period: &'a str,
    pub entity_id: &'a str,
    pub metric: &'a str,
    /// '' for the whole of the entity's sales.
    pub product_line: &'a str,
    pub value: &'a str,
    pub why: &'a str,
}

/// A version as stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct TargetVersionRow {
    pub id: i64,
    pub period: String,
    pub entity_id: String,
    pub metric: String,
    pub product_line: String,
    pub version: i64,
    pub value: String,
    pub why: String,
    pub state: String,
    pub proposed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// The import batch an approval landed as.
    pub batch_id: Option<i64>,
}

const COLUMNS: &str = "id, period, entity_id, metric, product_line, version, value, why, state, proposed_by, \
                       proposed_at, decided_by, decided_at, note, batch_id";
const SAME_KEY: &str = "period = $1 AND entity_id = $2 AND metric = $3 AND product_line = $4";

impl Catalog {
    /// Saves `target` as the next version of its key, a draft; an open
    /// draft of the key is superseded. Audited as `target.set`.
    pub async fn propose_target(&self, target: &NewTargetVersion<'_>, actor: &str) -> Result<TargetVersionRow> {
        let key = (target.period, target.entity_id, target.metric, target.product_line);
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let last: Option<i64> =
                sqlx::query_scalar(&format!("SELECT MAX(version) FROM target_versions WHERE {SAME_KEY}"))
                    .bind(key.0)
                    .bind(key.1)
                    .bind(key.2)
                    .bind(key.3)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(&format!(
                "UPDATE target_versions SET state = 'superseded' WHERE {SAME_KEY} AND state = 'draft'"
            ))
            .bind(key.0)
            .bind(key.1)
            .bind(key.2)
            .bind(key.3)
            .execute(&mut *tx)
            .await?;
            let query = format!(
                "INSERT INTO target_versions (period, entity_id, metric, product_line, version, value, why, state, \
                 proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9) RETURNING {COLUMNS}"
            );
            let row = sqlx::query_as::<_, TargetVersionRow>(&query)
                .bind(key.0)
                .bind(key.1)
                .bind(key.2)
                .bind(key.3)
                .bind(last.unwrap_or(0) + 1)
                .bind(target.value)
                .bind(target.why)
                .bind(actor)
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await?;
            let entry = AuditEntry::new(actor, "target.set", format!("target {}", row.id)).after(serde_json::json!({
                "period": row.period, "entity_id": row.entity_id, "metric": row.metric,
                "product_line": row.product_line, "version": row.version, "value": row.value, "why": row.why,
            }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(row)
        })
    }

    pub async fn target_version(&self, id: i64) -> Result<Option<TargetVersionRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM target_versions WHERE id = $1");
            Ok(sqlx::query_as::<_, TargetVersionRow>(&query).bind(id).fetch_optional(pool).await?)
        })
    }

    /// The versions of `period`'s targets, by key, newest version first.
    pub async fn target_versions(&self, period: &str) -> Result<Vec<TargetVersionRow>> {
        with_pool!(self, |pool| {
            let query = format!(
                "SELECT {COLUMNS} FROM target_versions WHERE period = $1 \
                 ORDER BY entity_id, metric, product_line, version DESC"
            );
            Ok(sqlx::query_as::<_, TargetVersionRow>(&query).bind(period).fetch_all(pool).await?)
        })
    }

    /// Decides draft `id`: `approved` (landed as import batch `batch_id`,
    /// superseding the key's earlier approved version) or `rejected`, with
    /// `note`; audited as `target.<step>`. `Ok(false)` when it is no longer a draft.
    pub async fn decide_target(
        &self,
        id: i64,
        (step, to): (&str, &str),
        note: &str,
        batch_id: Option<i64>,
        actor: &str,
    ) -> Result<bool> {
        let Some(row) = self.target_version(id).await? else {
            return Err(StoreError::NoSuchTarget(id));
        };
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if to == "approved" {
                sqlx::query(&format!(
                    "UPDATE target_versions SET state = 'superseded' WHERE {SAME_KEY} AND state = 'approved'"
                ))
                .bind(&row.period)
                .bind(&row.entity_id)
                .bind(&row.metric)
                .bind(&row.product_line)
                .execute(&mut *tx)
                .await?;
            }
            let updated = sqlx::query(
                "UPDATE target_versions SET state = $1, decided_by = $2, decided_at = $3, note = $4, batch_id = $5 \
                 WHERE id = $6 AND state = 'draft'",
            )
            .bind(to)
            .bind(actor)
            .bind(Utc::now())
            .bind(note)
            .bind(batch_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            let entry = AuditEntry::new(actor, &format!("target.{step}"), format!("target {id}"))
                .before(serde_json::json!({ "state": "draft" }))
                .after(serde_json::json!({ "state": to, "value": row.value, "note": note, "batch_id": batch_id }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn versions_supersede_each_other_and_every_change_is_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let target = |value| NewTargetVersion {
                period: "2026",
                entity_id: "R1",
                metric: "revenue",
                product_line: "",
                value,
                why: "grow 10%",
            };
            let first = catalog.propose_target(&target("100.00"), "mia").await.unwrap();
            let second = catalog.propose_target(&target("120.00"), "mia").await.unwrap();
            assert_eq!((first.version, second.version, second.state.as_str()), (1, 2, "draft"));
            assert_eq!(catalog.target_version(first.id).await.unwrap().unwrap().state, "superseded");
            assert!(!catalog.decide_target(first.id, ("approve", "approved"), "", Some(1), "bo").await.unwrap());
            assert!(catalog.decide_target(second.id, ("approve", "approved"), "ok", Some(7), "bo").await.unwrap());
            let third = catalog.propose_target(&target("130.00"), "mia").await.unwrap();
            assert!(catalog.decide_target(third.id, ("approve", "approved"), "", Some(8), "bo").await.unwrap());
            let states: Vec<(i64, String, Option<i64>)> = catalog
                .target_versions("2026")
                .await
                .unwrap()
                .into_iter()
                .map(|v| (v.version, v.state, v.batch_id))
                .collect();
            assert_eq!(
                states,
                [(3, "approved".into(), Some(8)), (2, "superseded".into(), Some(7)), (1, "superseded".into(), None)]
            );
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            let mut actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
            actions.sort_unstable();
            assert_eq!(actions, ["target.approve", "target.approve", "target.set", "target.set", "target.set"]);
            assert!(matches!(
                catalog.decide_target(99, ("reject", "rejected"), "no", None, "bo").await,
                Err(StoreError::NoSuchTarget(99))
            ));
        }
    }
}
