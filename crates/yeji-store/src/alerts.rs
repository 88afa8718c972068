//! Alerts (SPEC §15.4): each alert an evaluation of the rules raised, by its
//! stable id (the same rule, entity and period is the same alert however
//! often it is raised), its latest numbers, and its state. Raising an alert
//! again keeps its state; acknowledging and resolving it are steps applied
//! only from the state the rules saw, audited in the same transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, with_pool};

/// An alert as raised by an evaluation of the rules.
#[derive(Clone, Debug)]
pub struct SeenAlert<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub entity_id: &'a str,
    pub period: &'a str,
    pub severity: &'a str,
    /// The numbers, as JSON.
    pub numbers: &'a str,
}

/// An alert as stored.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct AlertRow {
    pub id: String,
    pub rule: String,
    pub entity_id: String,
    pub period: String,
    pub severity: String,
    pub numbers: String,
    pub state: String,
    /// The note of the last acknowledgement or resolution, and its author.
    pub note: Option<String>,
    pub updated_by: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

const COLUMNS: &str = "id, rule, entity_id, period, severity, numbers, state, note, updated_by, first_seen, last_seen";

impl Catalog {
    /// Records alerts raised now, in one transaction: new ones open, known
    /// ones with their latest numbers and severity and their state kept.
    /// Their rows, in the order given.
    pub async fn record_alerts(&self, seen: &[SeenAlert<'_>]) -> Result<Vec<AlertRow>> {
        let now = Utc::now();
        let query = format!(
            "INSERT INTO alerts (id, rule, entity_id, period, severity, numbers, state, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7) \
             ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, numbers = excluded.numbers, \
               last_seen = excluded.last_seen \
             RETURNING {COLUMNS}"
        );
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut rows = Vec::with_capacity(seen.len());
            for alert in seen {
                let row = sqlx::query_as::<_, AlertRow>(&query)
                    .bind(alert.id)
                    .bind(alert.rule)
                    .bind(alert.entity_id)
                    .bind(alert.period)
                    .bind(alert.severity)
                    .bind(alert.numbers)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                rows.push(row);
            }
            tx.commit().await?;
            Ok(rows)
        })
    }

    pub async fn alert(&self, id: &str) -> Result<Option<AlertRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM alerts WHERE id = $1");
            Ok(sqlx::query_as::<_, AlertRow>(&query).bind(id).fetch_optional(pool).await?)
        })
    }

    /// The alerts recorded for `period`.
    pub async fn alerts_of(&self, period: &str) -> Result<Vec<AlertRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM alerts WHERE period = $1");
            Ok(sqlx::query_as::<_, AlertRow>(&query).bind(period).fetch_all(pool).await?)
        })
    }

    /// Moves alert `id` from state `from` to `to` with `note`, audited as
    /// `alert.<step>`. `Ok(false)` when its state had changed meanwhile.
    pub async fn alert_step(
        &self,
        id: &str,
        (step, from, to): (&str, &str, &str),
        note: &str,
        actor: &str,
    ) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated =
                sqlx::query("UPDATE alerts SET state = $1, note = $2, updated_by = $3 WHERE id = $4 AND state = $5")
                    .bind(to)
                    .bind(note)
                    .bind(actor)
                    .bind(id)
                    .bind(from)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if updated == 0 {
                tx.rollback().await?;
                return match self.alert(id).await? {
                    Some(_) => Ok(false),
                    None => Err(StoreError::NoSuchAlert(id.to_owned())),
                };
            }
            let entry = AuditEntry::new(actor, &format!("alert.{step}"), format!("alert {id}"))
                .before(serde_json::json!({ "state": from }))
                .after(serde_json::json!({ "state": to, "note": note }));
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
    async fn an_alert_raised_again_keeps_its_state_and_a_step_is_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let seen = |numbers| SeenAlert {
                id: "a1",
                rule: "pace",
                entity_id: "R1",
                period: "2026-Q3",
                severity: "warning",
                numbers,
            };
            let first = catalog.record_alerts(&[seen("{\"to_date\":1}")]).await.unwrap();
            assert_eq!((first[0].state.as_str(), first[0].note.as_deref()), ("open", None));
            assert!(catalog.alert_step("a1", ("ack", "open", "acknowledged"), "called", "mia").await.unwrap());
            assert!(!catalog.alert_step("a1", ("ack", "open", "acknowledged"), "again", "mia").await.unwrap());
            let again = catalog.record_alerts(&[seen("{\"to_date\":2}")]).await.unwrap();
            assert_eq!(
                (again[0].state.as_str(), again[0].note.as_deref(), again[0].numbers.as_str()),
                ("acknowledged", Some("called"), "{\"to_date\":2}")
            );
            assert_eq!(again[0].first_seen, first[0].first_seen);
            assert_eq!(catalog.alerts_of("2026-Q3").await.unwrap(), again);
            assert!(catalog.alerts_of("2026-Q2").await.unwrap().is_empty());
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["alert.ack"]);
            assert!(matches!(
                catalog.alert_step("zz", ("ack", "open", "acknowledged"), "x", "mia").await,
                Err(StoreError::NoSuchAlert(id)) if id == "zz"
            ));
        }
    }
}
