//! Improvement plans (SPEC §11, §15.5): each plan's file as given (TOML) with
//! its rep, kind and state, its steps (agreements, edits, its end) and its
//! check-ins; every change audited in its transaction, and a step applied
//! only if the plan is still in the state the rules saw. The plan's rules
//! live in yeji-plans.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, with_pool};

#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub rep_id: String,
    pub kind: String,
    pub state: String,
    pub toml: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    /// The feedback item the plan was drafted from.
    pub feedback_id: Option<i64>,
    /// How many steps it has taken (a step names the count it saw).
    pub steps: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct CheckinRow {
    pub item: i64,
    pub level: i64,
    pub note: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<Utc>,
    pub actor: String,
}

/// One step of a plan: an agreement, an edit, its end.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct PlanEvent {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub step: String,
    /// `rep` or `manager`: on whose behalf.
    pub side: String,
    pub text: Option<String>,
}

/// A step to apply: the plan as the rules saw it (its state and number of
/// steps: two agreements at once must not both leave it a draft), the state
/// it leads to, the new plan file for an edit, the note.
#[derive(Clone, Debug)]
pub struct PlanChange<'a> {
    pub step: &'a str,
    pub side: &'a str,
    pub from: &'a str,
    pub seen: i64,
    pub to: &'a str,
    pub toml: Option<&'a str>,
    pub text: Option<&'a str>,
}

const COLUMNS: &str = "id, rep_id, kind, state, toml, author, created_at, feedback_id, steps";

impl Catalog {
    /// Saves a plan (state `draft`), drafted from `feedback_id` if given; its id.
    pub async fn add_plan(
        &self,
        (rep_id, kind): (&str, &str),
        toml: &str,
        feedback_id: Option<i64>,
        actor: &str,
    ) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO plans (rep_id, kind, state, toml, author, created_at, feedback_id) \
                 VALUES ($1, $2, 'draft', $3, $4, $5, $6) RETURNING id",
            )
            .bind(rep_id)
            .bind(kind)
            .bind(toml)
            .bind(actor)
            .bind(Utc::now())
            .bind(feedback_id)
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry::new(actor, "plan.create", format!("plan {id}"))
                .after(serde_json::json!({ "rep_id": rep_id, "kind": kind, "toml": toml, "feedback_id": feedback_id }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn plan(&self, id: i64) -> Result<Option<PlanRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM plans WHERE id = $1");
            Ok(sqlx::query_as::<_, PlanRow>(&query).bind(id).fetch_optional(pool).await?)
        })
    }

    /// The plans of a rep (all reps' when `None`), newest first.
    pub async fn plans_of(&self, rep_id: Option<&str>) -> Result<Vec<PlanRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM plans WHERE ($1 IS NULL OR rep_id = $1) ORDER BY id DESC");
            Ok(sqlx::query_as::<_, PlanRow>(&query).bind(rep_id).fetch_all(pool).await?)
        })
    }

    /// Applies `change` to plan `id` if it is still as `change` saw it;
    /// recorded as a step and an audit row. `Ok(false)` when it had changed.
    pub async fn plan_step(&self, id: i64, change: &PlanChange<'_>, actor: &str) -> Result<bool> {
        let now = Utc::now();
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE plans SET state = $1, toml = COALESCE($2, toml), steps = steps + 1 \
                 WHERE id = $3 AND state = $4 AND steps = $5",
            )
            .bind(change.to)
            .bind(change.toml)
            .bind(id)
            .bind(change.from)
            .bind(change.seen)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                tx.rollback().await?;
                return match self.plan(id).await? {
                    Some(_) => Ok(false),
                    None => Err(StoreError::NoSuchPlan(id)),
                };
            }
            sqlx::query(
                "INSERT INTO plan_events (plan_id, at, actor, step, side, text) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(now)
            .bind(actor)
            .bind(change.step)
            .bind(change.side)
            .bind(change.text)
            .execute(&mut *tx)
            .await?;
            let entry = AuditEntry::new(actor, &format!("plan.{}", change.step), format!("plan {id}"))
                .before(serde_json::json!({ "state": change.from }))
                .after(serde_json::json!({
                    "state": change.to, "side": change.side, "text": change.text, "toml": change.toml
                }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// A plan's steps, oldest first.
    pub async fn plan_events(&self, id: i64) -> Result<Vec<PlanEvent>> {
        with_pool!(self, |pool| {
            let query = "SELECT at, actor, step, side, text FROM plan_events WHERE plan_id = $1 ORDER BY id";
            Ok(sqlx::query_as::<_, PlanEvent>(query).bind(id).fetch_all(pool).await?)
        })
    }

    /// The reps with a plan that is not cancelled.
    pub async fn planned_reps(&self) -> Result<Vec<String>> {
        with_pool!(self, |pool| {
            let query = "SELECT DISTINCT rep_id FROM plans WHERE state <> 'cancelled' ORDER BY rep_id";
            Ok(sqlx::query_scalar(query).fetch_all(pool).await?)
        })
    }

    /// Records a check-in on item `item` (1-based) of plan `plan_id` if the
    /// plan is active; `Ok(false)` when it is not.
    pub async fn add_checkin(&self, plan_id: i64, item: i64, level: i64, note: &str, actor: &str) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let added = sqlx::query(
                "INSERT INTO plan_checkins (plan_id, item, level, note, at, actor) \
                 SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM plans WHERE id = $1 AND state = 'active')",
            )
            .bind(plan_id)
            .bind(item)
            .bind(level)
            .bind(note)
            .bind(Utc::now())
            .bind(actor)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            let entry = AuditEntry::new(actor, "plan.checkin", format!("plan {plan_id} item {item}"))
                .after(serde_json::json!({ "level": level, "note": note }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(true)
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
    use super::*;

    #[tokio::test]
    async fn plans_steps_and_checkins_are_kept_and_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let id = catalog.add_plan(("R1", "idp"), "[plan]", None, "mia").await.unwrap();
            assert!(!catalog.add_checkin(id, 1, 3, "两次陪访", "mia").await.unwrap(), "a draft takes no check-ins");
            let agree =
                PlanChange { step: "agree", side: "rep", from: "draft", seen: 0, to: "draft", toml: None, text: None };
            assert!(catalog.plan_step(id, &agree, "ray").await.unwrap());
            let other = PlanChange { side: "manager", ..agree.clone() };
            assert!(!catalog.plan_step(id, &other, "mia").await.unwrap(), "it took a step since it was seen");
            let start = PlanChange { seen: 1, to: "active", ..other };
            assert!(catalog.plan_step(id, &start, "mia").await.unwrap());
            let again = PlanChange { seen: 2, ..start.clone() };
            assert!(!catalog.plan_step(id, &again, "mia").await.unwrap(), "no longer a draft");
            assert!(catalog.add_checkin(id, 1, 3, "两次陪访", "mia").await.unwrap());
            let row = catalog.plan(id).await.unwrap().unwrap();
            assert_eq!((row.state.as_str(), row.feedback_id, row.steps), ("active", None, 2));
            assert_eq!(catalog.planned_reps().await.unwrap(), ["R1"]);
            assert_eq!(catalog.plans_of(Some("R1")).await.unwrap().len(), 1);
            assert!(catalog.plans_of(Some("R2")).await.unwrap().is_empty());
            let checkins = catalog.checkins(id).await.unwrap();
            assert_eq!((checkins[0].item, checkins[0].level, checkins[0].note.as_str()), (1, 3, "两次陪访"));
            let events = catalog.plan_events(id).await.unwrap();
            assert_eq!((events[1].step.as_str(), events[1].side.as_str()), ("agree", "manager"));
            assert!(matches!(catalog.plan_step(99, &start, "mia").await, Err(StoreError::NoSuchPlan(99))));
            let actions: Vec<String> =
                catalog.audit_log(&Default::default()).await.unwrap().into_iter().map(|a| a.action).collect();
            assert_eq!(actions, ["plan.create", "plan.agree", "plan.agree", "plan.checkin"]);
        }
    }
}
