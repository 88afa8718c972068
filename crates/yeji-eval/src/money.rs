//! What pay is computed from (SPEC §12): each rep's revenue, cost and
//! collections per month, summed exactly (as decimal text out of SQL, never
//! floats), as every evaluation credits them: revenue lines by order date
//! (a line in `credit_splits` credited to its reps by their shares),
//! collections as payments received in the month on the rep's invoices; and
//! what became of each month's invoices (paid by their aging day, after it,
//! unpaid on it), for commission held back until collection.

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::Int64Type;
use rust_decimal::Decimal;
use yeji_core::Period;
use yeji_facts::Facts;

use crate::measures::{REVENUE_LINES, date, within};
use crate::{EvalError, Result};

/// A rep's money in one month, exact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepMoney {
    pub revenue: Decimal,
    pub cost: Decimal,
    pub collected: Decimal,
}

/// What a flow of a month's invoices is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// The invoices' amount (in the month invoiced).
    Invoiced,
    /// Paid in the month, by the invoice's aging day.
    Paid,
    /// Paid in the month, after the aging day.
    PaidLate,
    /// Unpaid on the aging day (in that day's month).
    Aged,
}

/// Money on a rep's invoices of `invoiced` (YYYY-MM) flowing in `month`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceFlow {
    pub rep: String,
    pub invoiced: String,
    pub flow: Flow,
    pub month: String,
    pub amount: Decimal,
}

/// An exact sum as SQL gives it (a decimal cast to text; null: 0).
fn exact(column: &arrow::array::StringArray, row: usize) -> Result<Decimal> {
    if column.is_null(row) {
        return Ok(Decimal::ZERO);
    }
    let text = column.value(row);
    text.parse().map_err(|_| crate::query_error(format!("sum '{text}' is not an exact decimal")))
}

fn month_of(column: &str) -> String {
    format!("CAST(date_part('year', {column}) * 100 + date_part('month', {column}) AS BIGINT)")
}

fn label(key: i64) -> String {
    format!("{}-{:02}", key / 100, key % 100)
}

/// The first day of the month of the earliest invoice still open on `day`:
/// paid on or after it, or (with `aged_days`) ageing on or after it; `None`
/// when there is none. A holdback of an earlier month has nothing left to
/// release or forfeit from `day` on, so a run need not read back further.
pub async fn first_open_invoice(
    facts: &Facts,
    day: chrono::NaiveDate,
    aged_days: Option<u32>,
) -> Result<Option<chrono::NaiveDate>> {
    let context = facts.session().await?;
    let since = date(day);
    let ages = aged_days.map_or(String::new(), |n| format!(" OR due_date + INTERVAL '{n} days' >= {since}"));
    let sql = format!(
        "SELECT MIN(invoice_date) FROM invoices WHERE rep_id IS NOT NULL AND invoice_date < {since} \
         AND (last_payment_date >= {since}{ages})"
    );
    let batches = facts.query(&context, &sql).await?;
    let dates = batches.first().map(|b| b.column(0).as_primitive::<arrow::datatypes::Date32Type>().clone());
    Ok(dates.filter(|d| !d.is_empty() && d.is_valid(0)).and_then(|d| d.value_as_date(0)))
}

/// The flows of the reps' invoices dated in `period`, through its last day;
/// an invoice ages `aged_days` after its due date (never without). One
/// join of payments to invoices: what was unpaid on the aging day is the
/// aged invoices' amount less their payments by that day (per rep, month
/// invoiced and month aged; an overpaid invoice offsets others there).
pub async fn invoice_flows(facts: &Facts, period: &Period, aged_days: Option<u32>) -> Result<Vec<InvoiceFlow>> {
    let context = facts.session().await?;
    let end = date(period.end_exclusive());
    let aged_on = aged_days.map_or("DATE '9999-12-31'".to_owned(), |n| format!("due_date + INTERVAL '{n} days'"));
    let (im, pm, am) = (month_of("i.invoice_date"), month_of("p.payment_date"), month_of("i.aged_on"));
    let aged = format!("CASE WHEN i.aged_on < {end} THEN {am} ELSE 0 END");
    let sql = format!(
        "WITH i AS (SELECT invoice_id, rep_id, amount, invoice_date, {aged_on} AS aged_on FROM invoices \
           WHERE rep_id IS NOT NULL AND {w}) \
         SELECT i.rep_id AS rep, {im} AS invoiced, 0 AS flow, {im} AS month, {aged} AS aged, \
           CAST(SUM(i.amount) AS VARCHAR) AS amount FROM i GROUP BY 1, 2, 3, 4, 5 \
         UNION ALL SELECT i.rep_id, {im}, CASE WHEN p.payment_date > i.aged_on THEN 2 ELSE 1 END, {pm}, \
           CASE WHEN p.payment_date > i.aged_on THEN 0 ELSE {aged} END, CAST(SUM(p.amount) AS VARCHAR) \
           FROM payments p JOIN i ON p.invoice_id = i.invoice_id WHERE p.payment_date < {end} GROUP BY 1, 2, 3, 4, 5",
        w = within("invoice_date", period),
    );
    let mut out = Vec::new();
    // (rep, month invoiced, month aged) → the aged invoices' amount less their payments by then.
    let mut unpaid: BTreeMap<(String, String, String), Decimal> = BTreeMap::new();
    for batch in facts.query(&context, &sql).await? {
        let reps = batch.column(0).as_string::<i32>();
        let [invoiced, kinds, months, aged] = [1, 2, 3, 4].map(|c| batch.column(c).as_primitive::<Int64Type>());
        let amounts = batch.column(5).as_string::<i32>();
        for row in 0..batch.num_rows() {
            let (rep, invoiced) = (reps.value(row).to_owned(), label(invoiced.value(row)));
            let (kind, amount) = (kinds.value(row), exact(amounts, row)?);
            if aged.value(row) != 0 {
                let sign = if kind == 0 { Decimal::ONE } else { -Decimal::ONE };
                *unpaid.entry((rep.clone(), invoiced.clone(), label(aged.value(row)))).or_default() += sign * amount;
            }
            let flow = [Flow::Invoiced, Flow::Paid, Flow::PaidLate][kind as usize];
            out.push(InvoiceFlow { rep, invoiced, flow, month: label(months.value(row)), amount });
        }
    }
    for ((rep, invoiced, month), amount) in unpaid.into_iter().filter(|(_, a)| *a > Decimal::ZERO) {
        out.push(InvoiceFlow { rep, invoiced, flow: Flow::Aged, month, amount });
    }
    Ok(out)
}

/// Every rep's money in each month of `period`: (rep, YYYY-MM) → money.
pub async fn rep_money(facts: &Facts, period: &Period) -> Result<BTreeMap<(String, String), RepMoney>> {
    let context = facts.session().await?;
    let (m, w) = (month_of("o.order_date"), within("o.order_date", period));
    let lines = format!("o.rep_id IS NOT NULL AND {REVENUE_LINES} AND {w}");
    let split = has_splits(facts, &context).await?;
    let mut sales = vec![(
        format!(
            "SELECT o.rep_id, {m}, CAST(SUM(o.amount) AS VARCHAR), CAST(SUM(o.cost) AS VARCHAR) FROM orders o {anti} \
             WHERE {lines} GROUP BY 1, 2",
            anti = if split { SPLIT_LINES.replace("JOIN", "LEFT ANTI JOIN") } else { String::new() },
        ),
        Decimal::ONE,
    )];
    if split {
        check_splits(facts, &context).await?;
        sales.push((
            format!(
                "SELECT s.rep_id, {m}, CAST(SUM(o.amount * s.share) AS VARCHAR), CAST(SUM(o.cost * s.share) AS VARCHAR) \
                 FROM orders o {SPLIT_LINES} WHERE {lines} GROUP BY 1, 2"
            ),
            Decimal::ONE_HUNDRED,
        ));
    }
    let paid = format!(
        "SELECT i.rep_id, {m}, CAST(SUM(p.amount) AS VARCHAR) FROM payments p \
         JOIN invoices i ON p.invoice_id = i.invoice_id WHERE i.rep_id IS NOT NULL AND {w} GROUP BY 1, 2",
        m = month_of("p.payment_date"),
        w = within("p.payment_date", period),
    );
    let mut out: BTreeMap<(String, String), RepMoney> = BTreeMap::new();
    for (sql, per) in sales {
        for batch in facts.query(&context, &sql).await? {
            let (reps, months) = (batch.column(0).as_string::<i32>(), batch.column(1).as_primitive::<Int64Type>());
            let (revenue, cost) = (batch.column(2).as_string::<i32>(), batch.column(3).as_string::<i32>());
            for row in 0..batch.num_rows() {
                let money = out.entry((reps.value(row).to_owned(), label(months.value(row)))).or_default();
                money.revenue += exact(revenue, row)? / per;
                money.cost += exact(cost, row)? / per;
            }
        }
    }
    for batch in facts.query(&context, &paid).await? {
        let (reps, months) = (batch.column(0).as_string::<i32>(), batch.column(1).as_primitive::<Int64Type>());
        let collected = batch.column(2).as_string::<i32>();
        for row in 0..batch.num_rows() {
            let money = out.entry((reps.value(row).to_owned(), label(months.value(row)))).or_default();
            money.collected = exact(collected, row)?;
        }
    }
    Ok(out)
}

/// The order lines shared in `credit_splits` (`s`), joined to `o`.
const SPLIT_LINES: &str = "JOIN credit_splits s ON o.order_id = s.order_id AND o.line_no = COALESCE(s.line_no, 1)";

async fn has_splits(facts: &Facts, context: &datafusion::prelude::SessionContext) -> Result<bool> {
    let batches = facts.query(context, "SELECT COUNT(*) FROM credit_splits").await?;
    Ok(batches.first().is_some_and(|b| b.num_rows() > 0 && b.column(0).as_primitive::<Int64Type>().value(0) > 0))
}

/// Every split order line's shares sum to 100 %, or the run says which do not.
async fn check_splits(facts: &Facts, context: &datafusion::prelude::SessionContext) -> Result<()> {
    let sql = "SELECT order_id, COALESCE(line_no, 1), CAST(SUM(share) AS VARCHAR) FROM credit_splits \
               GROUP BY 1, 2 HAVING SUM(share) <> 100 ORDER BY 1, 2 LIMIT 5";
    let mut bad = Vec::new();
    for batch in facts.query(context, sql).await? {
        let (orders, lines) = (batch.column(0).as_string::<i32>(), batch.column(1).as_primitive::<Int64Type>());
        let sums = batch.column(2).as_string::<i32>();
        for row in 0..batch.num_rows() {
            let sum = exact(sums, row)?.normalize();
            bad.push(format!("order {} line {}: {sum}%", orders.value(row), lines.value(row)));
        }
    }
    if bad.is_empty() {
        return Ok(());
    }
    Err(EvalError::Data(format!(
        "credit_splits: the shares of an order line sum to 100%; these do not: {}",
        bad.join("; ")
    )))
}
