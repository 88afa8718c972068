//! Incentive plan versions (SPEC §15.6): each save is the next version of
//! the workspace's plans, in effect from its month (YYYY-MM) until a later
//! version's month; audited with the text before and after.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, with_pool};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncentivePlanVersion {
    pub version: i64,
    pub plan_id: String,
    /// The first month it is in effect (YYYY-MM).
    pub effective_from: String,
    pub toml: String,
    pub at: DateTime<Utc>,
    pub actor: String,
}

impl Catalog {
    /// Saves a plan's TOML as the next version, in effect from `effective_from`.
    pub async fn save_incentive_plan(
        &self,
        plan_id: &str,
        effective_from: &str,
        toml: &str,
        actor: &str,
    ) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let version: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 FROM incentive_plans")
                .fetch_one(&mut *tx)
                .await?
                .get(0);
            sqlx::query(
                "INSERT INTO incentive_plans (version, plan_id, effective_from, toml, at, actor) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(version)
            .bind(plan_id)
            .bind(effective_from)
            .bind(toml)
            .bind(Utc::now())
            .bind(actor)
            .execute(&mut *tx)
            .await?;
            let entry = AuditEntry::new(actor, "incentive.plan", format!("plan version {version} ({plan_id})"))
                .after(serde_json::json!({ "version": version, "effective_from": effective_from, "toml": toml }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(version)
        })
    }

    /// Every saved plan version, oldest first.
    pub async fn incentive_plans(&self) -> Result<Vec<IncentivePlanVersion>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT version, plan_id, effective_from, toml, at, actor FROM incentive_plans ORDER BY version",
            )
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| IncentivePlanVersion {
                    version: r.get(0),
                    plan_id: r.get(1),
                    effective_from: r.get(2),
                    toml: r.get(3),
                    at: r.get(4),
                    actor: r.get(5),
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn plan_versions_count_up_and_are_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            assert_eq!(catalog.save_incentive_plan("p", "2026-01", "a = 1", "ana").await.unwrap(), 1);
            assert_eq!(catalog.save_incentive_plan("p", "2026-07", "a = 2", "bo").await.unwrap(), 2);
            let saved: Vec<(i64, String)> =
                catalog.incentive_plans().await.unwrap().into_iter().map(|p| (p.version, p.effective_from)).collect();
            assert_eq!(saved, [(1, "2026-01".into()), (2, "2026-07".into())]);
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            assert_eq!(
                audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
                ["incentive.plan", "incentive.plan"]
            );
        }
    }
}
