//! What pay is computed from (SPEC §12): each rep's revenue, cost and
//! collections per month, summed exactly (decimal text, never floats), as
//! every evaluation credits them: revenue lines by order date, collections
//! as payments received in the month on the rep's invoices.

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::Int64Type;
use yeji_core::Period;
use yeji_facts::Facts;

use crate::Result;
use crate::measures::{REVENUE_LINES, within};

/// A rep's money in one month, as exact decimal text ("0" where none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepMoney {
    pub revenue: String,
    pub cost: String,
    pub collected: String,
}

impl Default for RepMoney {
    fn default() -> RepMoney {
        RepMoney { revenue: "0".into(), cost: "0".into(), collected: "0".into() }
    }
}

/// Every rep's money in each month of `period`: (rep, YYYY-MM) → money.
pub async fn rep_money(facts: &Facts, period: &Period) -> Result<BTreeMap<(String, String), RepMoney>> {
    let context = facts.session().await?;
    let month =
        |column: &str| format!("CAST(date_part('year', {column}) * 100 + date_part('month', {column}) AS BIGINT)");
    let sales = format!(
        "SELECT rep_id, {m}, CAST(SUM(amount) AS VARCHAR), CAST(SUM(cost) AS VARCHAR) FROM orders \
         WHERE rep_id IS NOT NULL AND {REVENUE_LINES} AND {w} GROUP BY 1, 2",
        m = month("order_date"),
        w = within("order_date", period),
    );
    let paid = format!(
        "SELECT i.rep_id, {m}, CAST(SUM(p.amount) AS VARCHAR) FROM payments p \
         JOIN invoices i ON p.invoice_id = i.invoice_id WHERE i.rep_id IS NOT NULL AND {w} GROUP BY 1, 2",
        m = month("p.payment_date"),
        w = within("p.payment_date", period),
    );
    let mut out: BTreeMap<(String, String), RepMoney> = BTreeMap::new();
    let label = |key: i64| format!("{}-{:02}", key / 100, key % 100);
    for batch in facts.query(&context, &sales).await? {
        let (reps, months) = (batch.column(0).as_string::<i32>(), batch.column(1).as_primitive::<Int64Type>());
        let (revenue, cost) = (batch.column(2).as_string::<i32>(), batch.column(3).as_string::<i32>());
        for row in 0..batch.num_rows() {
            let money = out.entry((reps.value(row).to_owned(), label(months.value(row)))).or_default();
            money.revenue = revenue.value(row).to_owned();
            money.cost = if cost.is_null(row) { "0".into() } else { cost.value(row).to_owned() };
        }
    }
    for batch in facts.query(&context, &paid).await? {
        let (reps, months) = (batch.column(0).as_string::<i32>(), batch.column(1).as_primitive::<Int64Type>());
        let collected = batch.column(2).as_string::<i32>();
        for row in 0..batch.num_rows() {
            let money = out.entry((reps.value(row).to_owned(), label(months.value(row)))).or_default();
            money.collected = collected.value(row).to_owned();
        }
    }
    Ok(out)
}
