//! The fact rows behind a line of pay (SPEC §12: every figure explained to
//! the rows): the order lines a rep is credited with in a month (their own,
//! and their share of split lines), the payments received in a month on
//! their invoices, or their invoices of a month with what was paid on them.

use yeji_core::Period;
use yeji_facts::Facts;

use crate::Result;
use crate::explain::rows_as_text;
use crate::measures::{REVENUE_LINES, within};
use crate::scope::literal;

/// What a line of pay was computed from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayBasis {
    /// Order lines booked in the month (revenue, cost), with the rep's share.
    Booked,
    /// Payments received in the month on the rep's invoices.
    Collected,
    /// The rep's invoices dated in the month and what was paid on them.
    Invoices,
}

/// The rows behind `basis` for `rep` in `month`: the header and the rows as text.
pub async fn pay_rows(
    facts: &Facts,
    rep: &str,
    month: &Period,
    basis: PayBasis,
) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let context = facts.session().await?;
    let rep = literal(rep);
    let sql = match basis {
        PayBasis::Booked => format!(
            "SELECT o.order_id, o.line_no, o.order_date, o.rep_id, o.customer_id, o.status, o.amount, o.cost, \
               COALESCE(s.share, 100) AS share FROM orders o \
             LEFT JOIN credit_splits s ON o.order_id = s.order_id AND o.line_no = COALESCE(s.line_no, 1) \
             WHERE {REVENUE_LINES} AND {w} AND ((s.rep_id IS NULL AND o.rep_id = {rep}) OR s.rep_id = {rep}) \
             ORDER BY o.order_date, o.order_id, o.line_no",
            w = within("o.order_date", month),
        ),
        PayBasis::Collected => format!(
            "SELECT p.payment_id, p.invoice_id, p.payment_date, p.amount FROM payments p \
             JOIN invoices i ON p.invoice_id = i.invoice_id WHERE i.rep_id = {rep} AND {w} \
             ORDER BY p.payment_date, p.payment_id",
            w = within("p.payment_date", month),
        ),
        PayBasis::Invoices => format!(
            "SELECT i.invoice_id, i.invoice_date, i.due_date, i.amount, p.payment_id, p.payment_date, \
               p.amount AS paid FROM invoices i LEFT JOIN payments p ON p.invoice_id = i.invoice_id \
             WHERE i.rep_id = {rep} AND {w} ORDER BY i.invoice_id, p.payment_date",
            w = within("i.invoice_date", month),
        ),
    };
    rows_as_text(&facts.query(&context, &sql).await?)
}
