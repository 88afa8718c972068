//! Scoring scheme versions: each save is the next version, the newest current.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, with_pool};

/// One saved version of a scoring scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemeVersion {
    pub version: i64,
    pub name: String,
    pub toml: String,
    pub at: DateTime<Utc>,
    pub actor: String,
}

impl Catalog {
    /// Saves a scoring scheme (its TOML text) as the next version, which becomes
    /// the workspace's current scheme; the audit row holds both texts.
    pub async fn save_scheme(&self, name: &str, toml: &str, actor: &str) -> Result<i64> {
        let before = self.schemes().await?.pop().map(|s| serde_json::json!({ "version": s.version, "toml": s.toml }));
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let version: i64 =
                sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 FROM schemes").fetch_one(&mut *tx).await?.get(0);
            sqlx::query("INSERT INTO schemes (version, name, toml, at, actor) VALUES ($1, $2, $3, $4, $5)")
                .bind(version)
                .bind(name)
                .bind(toml)
                .bind(Utc::now())
                .bind(actor)
                .execute(&mut *tx)
                .await?;
            let mut entry = AuditEntry::new(actor, "scheme", format!("version {version} ({name})"))
                .after(serde_json::json!({ "version": version, "toml": toml }));
            entry.before = before;
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(version)
        })
    }

    /// Every saved scheme version, oldest first.
    pub async fn schemes(&self) -> Result<Vec<SchemeVersion>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query("SELECT version, name, toml, at, actor FROM schemes ORDER BY version")
                .fetch_all(pool)
                .await?;
            Ok(rows
                .into_iter()
                .map(|r| SchemeVersion {
                    version: r.get(0),
                    name: r.get(1),
                    toml: r.get(2),
                    at: r.get(3),
                    actor: r.get(4),
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn scheme_versions_count_up_and_are_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            assert_eq!(catalog.save_scheme("default", "a = 1", "ana").await.unwrap(), 1);
            assert_eq!(catalog.save_scheme("q4", "a = 2", "bo").await.unwrap(), 2);
            let saved: Vec<(i64, String, String)> =
                catalog.schemes().await.unwrap().into_iter().map(|s| (s.version, s.name, s.toml)).collect();
            assert_eq!(saved, [(1, "default".into(), "a = 1".into()), (2, "q4".into(), "a = 2".into())]);
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            let rows: Vec<(&str, &str)> = audit.iter().map(|a| (a.actor.as_str(), a.object.as_str())).collect();
            assert_eq!(rows, [("ana", "version 1 (default)"), ("bo", "version 2 (q4)")]);
            assert_eq!(audit[1].before, Some(serde_json::json!({ "version": 1, "toml": "a = 1" })));
        }
    }
}
