//! Improvement plans (SPEC §11, §15.5): each plan's file as given (TOML) with
//! its rep, kind and state, and its check-ins; every change audited in its
//! transaction. The plan's rules live in yeji-plans.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, with_pool};

#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub rep_id: String,
    pub kind: String,
    pub state: String,
    pub toml: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct CheckinRow {
    pub item: i64,
    pub level: i64,
    pub note: String,
    pub at: DateTime<Utc>,
    pub actor: String,
}

impl Catalog {
    /// Saves a plan (state `draft`); its id.
    pub async fn add_plan(&self, rep_id: &str, kind: &str, toml: &str, actor: &str) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO plans (rep_id, kind, state, toml, author, created_at) \
                 VALUES ($1, $2, 'draft', $3, $4, $5) RETURNING id",
            )
            .bind(rep_id)
            .bind(kind)
            .bind(toml)
            .bind(actor)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry::new(actor, "plan.create", format!("plan {id}"))
                .after(serde_json::json!({ "rep_id": rep_id, "kind": kind, "toml": toml }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn plan(&self, id: i64) -> Result<Option<PlanRow>> {
        with_pool!(self, |pool| {
            let query = "SELECT id, rep_id, kind, state, toml, author, created_at FROM plans WHERE id = $1";
            Ok(sqlx::query_as::<_, PlanRow>(query).bind(id).fetch_optional(pool).await?)
        })
    }

    /// The reps with a plan that is not cancelled.
    pub async fn planned_reps(&self) -> Result<Vec<String>> {
        with_pool!(self, |pool| {
            let query = "SELECT DISTINCT rep_id FROM plans WHERE state <> 'cancelled' ORDER BY rep_id";
            Ok(sqlx::query_scalar(query).fetch_all(pool).await?)
        })
    }

    /// Records a check-in on item `item` (1-based) of plan `plan_id`.
    pub async fn add_checkin(&self, plan_id: i64, item: i64, level: i64, note: &str, actor: &str) -> Result<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO plan_checkins (plan_id, item, level, note, at, actor) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(plan_id)
            .bind(item)
            .bind(level)
            .bind(note)
            .bind(Utc::now())
            .bind(actor)
            .execute(&mut *tx)
            .await?;
            let entry = AuditEntry::new(actor, "plan.checkin", format!("plan {plan_id} item {item}"))
                .after(serde_json::json!({ "level": level, "note": note }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A plan's check-ins, oldest first.
    pub async fn checkins(&self, plan_id: i64) -> Result<Vec<CheckinRow>> {
        with_pool!(self, |pool| {
            let query = "SELECT item, level, note, at, actor FROM plan_checkins WHERE plan_id = $1 ORDER BY id";
            Ok(sqlx::query_as::<_, CheckinRow>(query).bind(plan_id).fetch_all(pool).await?)
        })
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn plans_and_checkins_are_kept_and_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let id = catalog.add_plan("R1", "idp", "[plan]", "mia").await.unwrap();
            catalog.add_checkin(id, 1, 3, "两次陪访", "mia").await.unwrap();
            assert_eq!(catalog.plan(id).await.unwrap().unwrap().state, "draft");
            assert_eq!(catalog.planned_reps().await.unwrap(), ["R1"]);
            let checkins = catalog.checkins(id).await.unwrap();
            assert_eq!((checkins[0].item, checkins[0].level, checkins[0].note.as_str()), (1, 3, "两次陪访"));
            let actions: Vec<String> =
                catalog.audit_log(&Default::default()).await.unwrap().into_iter().map(|a| a.action).collect();
            assert_eq!(actions, ["plan.create", "plan.checkin"]);
        }
    }
}
