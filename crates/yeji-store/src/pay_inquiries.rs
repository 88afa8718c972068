//! Pay inquiries (SPEC §12): a rep's question about a statement line, with
//! the reason, answered with a resolution note. Raising and resolving are
//! audited in the same transaction; a resolved inquiry stays as it was.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, with_pool};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayInquiryRow {
    pub id: i64,
    pub rep_id: String,
    pub period: String,
    pub reason: String,
    /// open | resolved
    pub state: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub raised_at: DateTime<Utc>,
    pub raised_by: String,
    pub resolution: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
}

const COLUMNS: &str = "id, rep_id, period, reason, state, raised_at, raised_by, resolution, resolved_at, resolved_by";

impl Catalog {
    /// Records `rep`'s inquiry about `period` (audited `incentive.inquire`); its id.
    pub async fn raise_pay_inquiry(&self, (rep, period): (&str, &str), reason: &str, actor: &str) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO pay_inquiries (rep_id, period, reason, state, raised_at, raised_by) \
                 VALUES ($1, $2, $3, 'open', $4, $5) RETURNING id",
            )
            .bind(rep)
            .bind(period)
            .bind(reason)
            .bind(Utc::now())
            .bind(actor)
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry::new(actor, "incentive.inquire", format!("pay inquiry {id}"))
                .after(serde_json::json!({ "rep": rep, "period": period, "reason": reason }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn pay_inquiry(&self, id: i64) -> Result<PayInquiryRow> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM pay_inquiries WHERE id = $1");
            sqlx::query_as::<_, PayInquiryRow>(&query)
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NoSuchInquiry(id))
        })
    }

    /// Every inquiry, oldest first.
    pub async fn pay_inquiries(&self) -> Result<Vec<PayInquiryRow>> {
        with_pool!(self, |pool| {
            let query = format!("SELECT {COLUMNS} FROM pay_inquiries ORDER BY id");
            Ok(sqlx::query_as::<_, PayInquiryRow>(&query).fetch_all(pool).await?)
        })
    }

    /// Resolves open inquiry `id` with `note` (audited `incentive.resolve`);
    /// `Ok(false)` when it was not open.
    pub async fn resolve_pay_inquiry(&self, id: i64, note: &str, actor: &str) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE pay_inquiries SET state = 'resolved', resolution = $1, resolved_at = $2, resolved_by = $3 \
                 WHERE id = $4 AND state = 'open'",
            )
            .bind(note)
            .bind(Utc::now())
            .bind(actor)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            let entry = AuditEntry::new(actor, "incentive.resolve", format!("pay inquiry {id}"))
                .before(serde_json::json!({ "state": "open" }))
                .after(serde_json::json!({ "state": "resolved", "resolution": note }));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn an_inquiry_is_raised_then_resolved_once_and_both_audited() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let id = catalog.raise_pay_inquiry(("R1", "2026-10"), "the O7 return is not mine", "zhang").await.unwrap();
            assert!(catalog.resolve_pay_inquiry(id, "O7 moved to R2: adjusted next month", "hana").await.unwrap());
            assert!(!catalog.resolve_pay_inquiry(id, "again", "hana").await.unwrap());
            let row = catalog.pay_inquiry(id).await.unwrap();
            assert_eq!(
                (row.state.as_str(), row.resolution.as_deref(), row.resolved_by.as_deref()),
                ("resolved", Some("O7 moved to R2: adjusted next month"), Some("hana"))
            );
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
            assert_eq!(actions, ["incentive.inquire", "incentive.resolve"]);
            assert!(matches!(catalog.pay_inquiry(9).await, Err(crate::StoreError::NoSuchInquiry(9))));
        }
    }
}
