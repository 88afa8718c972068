//! Payout runs (SPEC §15.6): each calculation of a period's pay with what it
//! was computed from (the plan texts, the fact files) and its result, moved
//! calculated → approved → locked. Nothing updates a run's result: a step
//! changes only its state, from the state the rules saw, audited in the
//! same transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, TableVersion, with_pool};

/// A run to save.
#[derive(Clone, Debug)]
pub struct NewPayoutRun<'a> {
    pub period: &'a str,
    pub plan: &'a str,
    /// The plan versions used, as JSON.
    pub plans: &'a str,
    pub data: &'a [TableVersion],
    /// The run, as JSON.
    pub result: &'a str,
    pub total: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PayoutRunRow {
    pub id: i64,
    pub period: String,
    pub plan: String,
    pub plans: String,
    /// The pinned fact files, as JSON.
    pub data: String,
    pub result: String,
    pub total: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_by: Option<String>,
    pub locked_at: Option<DateTime<Utc>>,
    pub locked_by: Option<String>,
}

const COLUMNS: &str = "id, period, plan, plans, data, result, total, state, created_at, created_by, \
                       approved_at, approved_by, locked_at, locked_by";

impl Catalog {
    /// Saves a calculated run; its id. Audited as `incentive.calculate`.
    pub async fn save_payout_run(&self, run: &NewPayoutRun<'_>, actor: &str) -> Result<i64> {
        let data = serde_json::to_string(run.data).unwrap_or_default();
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO payout_runs (period, plan, plans, data, result, total, state, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'calculated', $7, $8) RETURNING id",
            )
            .bind(run.period)
            .bind(run.plan)
            .bind(run.plans)
            .bind(&data)
            .bind(run.result)
            .bind(run.total)
            .bind(Utc::now())
            .bind(actor)
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry::new(actor, "incentive.calculate", format!("payout run {id}"))
                .after(serde_json::json!({ "period": run.period, "plan": run.plan, "total": run.total }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn payout_run(&self, id: i64) -> Result<PayoutRunRow> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM payout_runs WHERE id = $1");
            sqlx::query_as::<_, PayoutRunRow>(&query)
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NoSuchPayoutRun(id))
        })
    }

    /// Every run, oldest first.
    pub async fn payout_runs(&self) -> Result<Vec<PayoutRunRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM payout_runs ORDER BY id");
            Ok(sqlx::query_as::<_, PayoutRunRow>(&query).fetch_all(pool).await?)
        })
    }

    /// The fact files the saved runs and payout runs pin (kept when replaced).
    pub async fn pinned_files(&self) -> Result<Vec<String>> {
        let mut files: Vec<String> = self.runs().await?.into_iter().flat_map(|r| r.data).map(|v| v.file).collect();
        for run in self.payout_runs().await? {
            // Written by `save_payout_run` from the same type: it always reads back.
            let data: Vec<TableVersion> = serde_json::from_str(&run.data).unwrap_or_default();
            files.extend(data.into_iter().map(|v| v.file));
        }
        Ok(files)
    }

    /// Moves run `id` from `from` to `to` (`approved` or `locked`), stamping
    /// who and when; audited as `incentive.<step>`. `Ok(false)` when its
    /// state had changed meanwhile.
    pub async fn payout_run_step(&self, id: i64, (step, from, to): (&str, &str, &str), actor: &str) -> Result<bool> {
        let stamp = if to == "locked" { "locked" } else { "approved" };
        let query =
            format!("UPDATE payout_runs SET state = $1, {stamp}_at = $2, {stamp}_by = $3 WHERE id = $4 AND state = $5");
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(&query)
                .bind(to)
                .bind(Utc::now())
                .bind(actor)
                .bind(id)
                .bind(from)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            let entry = AuditEntry::new(actor, &format!("incentive.{step}"), format!("payout run {id}"))
                .before(serde_json::json!({ "state": from }))
                .after(serde_json::json!({ "state": to }));
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
    async fn a_run_is_approved_then_locked_and_each_step_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let new =
                NewPayoutRun { period: "2026-10", plan: "p v1", plans: "[]", data: &[], result: "{}", total: "10.00" };
            let id = catalog.save_payout_run(&new, "hana").await.unwrap();
            assert!(!catalog.payout_run_step(id, ("lock", "approved", "locked"), "dora").await.unwrap());
            assert!(catalog.payout_run_step(id, ("approve", "calculated", "approved"), "dora").await.unwrap());
            assert!(catalog.payout_run_step(id, ("lock", "approved", "locked"), "dora").await.unwrap());
            let row = catalog.payout_run(id).await.unwrap();
            assert_eq!(
                (row.state.as_str(), row.locked_by.as_deref(), row.total.as_str()),
                ("locked", Some("dora"), "10.00")
            );
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
            assert_eq!(actions, ["incentive.calculate", "incentive.approve", "incentive.lock"]);
            assert!(matches!(catalog.payout_run(99).await, Err(StoreError::NoSuchPayoutRun(99))));
        }
    }
}
