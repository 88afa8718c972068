//! What the correlation of sales with their drivers reads (SPEC §8
//! "variance and causes"): an entity's revenue month by month beside the
//! month's average discount (weighted by revenue), its price index (revenue
//! over the same quantities at list price) and its number of activities.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Float64Type, Int64Type};
use chrono::{Datelike, Months};
use yeji_core::Period;
use yeji_facts::Facts;

use crate::Result;
use crate::analysis::order_dates;
use crate::measures::REVENUE_LINES;
use crate::scope::scope;

/// One month of an entity's sales and their drivers.
#[derive(Clone, Debug, PartialEq)]
pub struct DriverMonth {
    /// YYYY-MM.
    pub month: String,
    pub revenue: f64,
    /// Revenue-weighted mean discount of the lines that give one.
    pub discount: Option<f64>,
    /// Revenue ÷ (quantity × list price) of the lines whose product has a list price.
    pub price_index: Option<f64>,
    pub activities: f64,
}

/// The `months` calendar months ending with `period`'s last, from the data's
/// first order on (a month before it has no data, not no sales).
pub async fn monthly_drivers(facts: &Facts, period: &Period, id: &str, months: u32) -> Result<Vec<DriverMonth>> {
    let Some((first_order, _)) = order_dates(facts).await? else { return Ok(Vec::new()) };
    let (context, filter) = scope(facts, id).await?;
    let end = period.end_exclusive();
    let last = end.pred_opt().unwrap_or(end).with_day(1).unwrap_or(end);
    let first = last.checked_sub_months(Months::new(months.saturating_sub(1))).unwrap_or(last);
    let first = first.max(first_order.with_day(1).unwrap_or(first_order));
    let month_of =
        |column: &str| format!("CAST(date_part('year', {column}) * 100 + date_part('month', {column}) AS BIGINT)");
    let range = |column: &str| format!("{column} >= DATE '{first}' AND {column} < DATE '{end}'");
    let sales = format!(
        "SELECT {month}, CAST(SUM(o.amount) AS DOUBLE), \
                CAST(SUM(CASE WHEN o.discount IS NOT NULL THEN o.discount * o.amount END) AS DOUBLE) \
                  / CAST(SUM(CASE WHEN o.discount IS NOT NULL THEN o.amount END) AS DOUBLE), \
                CAST(SUM(CASE WHEN p.list_price > 0 THEN o.amount END) AS DOUBLE) \
                  / CAST(SUM(CASE WHEN p.list_price > 0 THEN o.quantity * p.list_price END) AS DOUBLE) \
         FROM (SELECT * FROM orders WHERE {filter} AND {REVENUE_LINES} AND {range}) o \
         LEFT JOIN products p ON o.product_id = p.product_id GROUP BY 1",
        month = month_of("o.order_date"),
        range = range("order_date"),
    );
    let activities = format!(
        "SELECT {month}, CAST(COUNT(*) AS DOUBLE) FROM activities WHERE {filter} AND {range} GROUP BY 1",
        month = month_of("date"),
        range = range("date"),
    );
    let mut out: Vec<DriverMonth> = (0..)
        .map_while(|i| first.checked_add_months(Months::new(i)).filter(|m| *m <= last))
        .map(|m| DriverMonth {
            month: m.format("%Y-%m").to_string(),
            revenue: 0.0,
            discount: None,
            price_index: None,
            activities: 0.0,
        })
        .collect();
    let label = |key: i64| format!("{}-{:02}", key / 100, key % 100);
    for batch in facts.query(&context, &sales).await? {
        let keys = batch.column(0).as_primitive::<Int64Type>();
        let number = |column: usize, row: usize| {
            let values = batch.column(column).as_primitive::<Float64Type>();
            (values.is_valid(row) && values.value(row).is_finite()).then(|| values.value(row))
        };
        for row in 0..batch.num_rows() {
            if let Some(point) = out.iter_mut().find(|p| p.month == label(keys.value(row))) {
                point.revenue = number(1, row).unwrap_or(0.0);
                point.discount = number(2, row);
                point.price_index = number(3, row);
            }
        }
    }
    for batch in facts.query(&context, &activities).await? {
        let (keys, counts) =
            (batch.column(0).as_primitive::<Int64Type>(), batch.column(1).as_primitive::<Float64Type>());
        for row in 0..batch.num_rows() {
            if let Some(point) = out.iter_mut().find(|p| p.month == label(keys.value(row))) {
                point.activities = counts.value(row);
            }
        }
    }
    Ok(out)
}
