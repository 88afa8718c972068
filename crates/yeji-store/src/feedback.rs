//! Feedback items (SPEC §15.5): a draft for a rep and period, its state, and
//! the conversation around it (every step and comment, by whom, when). The
//! rules of which step may follow which live in yeji-feedback; here a step is
//! applied only if the item is still in the state the rules saw, and is
//! audited in the same transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, with_pool};

/// A feedback item as stored; `body` is the draft document (JSON).
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct FeedbackRow {
    pub id: i64,
    pub rep_id: String,
    pub period: String,
    pub lang: String,
    pub state: String,
    pub body: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One step of an item's conversation: a state change, an edit or a comment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeedbackEvent {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub step: String,
    pub text: Option<String>,
}

/// A step to apply: the state the rules saw, the state it leads to, the new
/// body for an edit, the text (a comment, a dispute's reason, meeting notes).
#[derive(Clone, Debug)]
pub struct FeedbackStep<'a> {
    pub step: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub body: Option<&'a str>,
    pub text: Option<&'a str>,
}

const COLUMNS: &str = "id, rep_id, period, lang, state, body, author, created_at, updated_at";

impl Catalog {
    /// Saves a new draft for `rep_id` and `period`; its id.
    pub async fn add_feedback(&self, rep_id: &str, period: &str, lang: &str, body: &str, actor: &str) -> Result<i64> {
        let now = Utc::now();
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query(
                "INSERT INTO feedback (rep_id, period, lang, state, body, author, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6) RETURNING id",
            )
            .bind(rep_id)
            .bind(period)
            .bind(lang)
            .bind(body)
            .bind(actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .get(0);
            let entry = AuditEntry::new(actor, "feedback.draft", format!("feedback {id}"))
                .after(serde_json::json!({ "rep_id": rep_id, "period": period, "lang": lang }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn feedback(&self, id: i64) -> Result<Option<FeedbackRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM feedback WHERE id = $1");
            Ok(sqlx::query_as::<_, FeedbackRow>(&query).bind(id).fetch_optional(pool).await?)
        })
    }

    /// The items of a rep (all reps when `None`), newest first.
    pub async fn feedback_of(&self, rep_id: Option<&str>) -> Result<Vec<FeedbackRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM feedback WHERE ($1 IS NULL OR rep_id = $1) ORDER BY id DESC");
            Ok(sqlx::query_as::<_, FeedbackRow>(&query).bind(rep_id).fetch_all(pool).await?)
        })
    }

    /// Applies `step` to item `id` if it is still in `step.from`; recorded as
    /// an event and an audit row. `Ok(false)` when its state had changed.
    pub async fn feedback_step(&self, id: i64, step: &FeedbackStep<'_>, actor: &str) -> Result<bool> {
        let now = Utc::now();
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE feedback SET state = $1, body = COALESCE($2, body), updated_at = $3 \
                 WHERE id = $4 AND state = $5",
            )
            .bind(step.to)
            .bind(step.body)
            .bind(now)
            .bind(id)
            .bind(step.from)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                tx.rollback().await?;
                return match self.feedback(id).await? {
                    Some(_) => Ok(false),
                    None => Err(StoreError::NoSuchFeedback(id)),
                };
            }
            sqlx::query("INSERT INTO feedback_events (feedback_id, at, actor, step, text) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(now)
                .bind(actor)
                .bind(step.step)
                .bind(step.text)
                .execute(&mut *tx)
                .await?;
            let entry = AuditEntry::new(actor, &format!("feedback.{}", step.step), format!("feedback {id}"))
                .before(serde_json::json!({ "state": step.from }))
                .after(serde_json::json!({ "state": step.to, "text": step.text }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// An item's conversation, oldest first.
    pub async fn feedback_events(&self, id: i64) -> Result<Vec<FeedbackEvent>> {
        with_pool!(self, |pool| {
            let rows =
                sqlx::query("SELECT at, actor, step, text FROM feedback_events WHERE feedback_id = $1 ORDER BY id")
                    .bind(id)
                    .fetch_all(pool)
                    .await?;
            Ok(rows
                .into_iter()
                .map(|r| FeedbackEvent { at: r.get(0), actor: r.get(1), step: r.get(2), text: r.get(3) })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_step_applies_once_from_the_state_it_expects_and_is_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let id = catalog.add_feedback("R1", "2026-Q3", "zh", "{}", "mia").await.unwrap();
            let send =
                FeedbackStep { step: "send", from: "draft", to: "sent", body: Some("{\"edited\":1}"), text: None };
            assert!(catalog.feedback_step(id, &send, "mia").await.unwrap());
            assert!(!catalog.feedback_step(id, &send, "mia").await.unwrap(), "no longer a draft");
            let item = catalog.feedback(id).await.unwrap().unwrap();
            assert_eq!((item.state.as_str(), item.body.as_str()), ("sent", "{\"edited\":1}"));
            let events = catalog.feedback_events(id).await.unwrap();
            assert_eq!(
                events.iter().map(|e| (e.actor.as_str(), e.step.as_str())).collect::<Vec<_>>(),
                [("mia", "send")]
            );
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
            assert_eq!(actions, ["feedback.draft", "feedback.send"]);
            assert!(matches!(catalog.feedback_step(99, &send, "mia").await, Err(StoreError::NoSuchFeedback(99))));
            assert_eq!(catalog.feedback_of(Some("R1")).await.unwrap().len(), 1);
            assert!(catalog.feedback_of(Some("R2")).await.unwrap().is_empty());
        }
    }
}
