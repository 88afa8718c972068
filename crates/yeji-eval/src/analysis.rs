//! Analysis for dashboards (SPEC §8): an entity's revenue sliced by region,
//! product line, channel or customer segment, its revenue month by month, its
//! customers (ABC classes, lost ones) and overdue receivables. Rows are
//! credited as the evaluation credits them ([`crate::scope`]), and revenue
//! means what the `revenue` KPI means ([`REVENUE_LINES`]). The funnel comes
//! from the evaluation's own measures ([`crate::Evaluated::funnel`]).

use std::collections::HashMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, Int64Type};
use chrono::{Datelike, Months, NaiveDate};
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};
use yeji_core::Period;

use yeji_facts::{Facts, collect};

use crate::measures::{CONFIRMED_LINES, REVENUE_LINES, within};
use crate::scope::scope;
use crate::{Result, query_error};

/// What revenue can be sliced by.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The region above the unit credited with the sale.
    Region,
    /// The product's line (products table).
    ProductLine,
    /// The order line's channel.
    Channel,
    /// The customer's segment (customers table).
    Segment,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [Dimension::Region, Dimension::ProductLine, Dimension::Channel, Dimension::Segment];

    pub fn name(self) -> &'static str {
        match self {
            Dimension::Region => "region",
            Dimension::ProductLine => "product_line",
            Dimension::Channel => "channel",
            Dimension::Segment => "segment",
        }
    }

    /// The key and display name of a slice, and the join that brings them.
    pub(crate) fn columns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Dimension::Region => {
                ("r.region_id", "r.region_name", "LEFT JOIN unit_region r ON o.credited_unit_id = r.unit_id")
            }
            Dimension::ProductLine => {
                ("p.product_line", "p.product_line", "LEFT JOIN products p ON o.product_id = p.product_id")
            }
            Dimension::Channel => ("o.channel", "o.channel", ""),
            Dimension::Segment => ("c.segment", "c.segment", "LEFT JOIN customers c ON o.customer_id = c.customer_id"),
        }
    }
}

impl std::str::FromStr for Dimension {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Dimension, String> {
        Dimension::ALL.into_iter().find(|d| d.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Dimension::ALL.iter().map(|d| d.name()).collect();
            format!("unknown dimension '{s}'; expected one of {}", names.join(", "))
        })
    }
}

/// Revenue of one slice. Rows without a value of the dimension form the slice
/// with an empty key.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Slice {
    pub key: String,
    pub name: String,
    pub revenue: f64,
    /// (revenue − cost) / revenue; `None` when revenue is 0.
    pub gross_margin: Option<f64>,
    /// Distinct confirmed orders.
    pub orders: i64,
}

/// Revenue and gross profit of one calendar month (`2026-09`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthPoint {
    pub month: String,
    /// `None` before the data's first order.
    pub revenue: Option<f64>,
    pub gross_profit: Option<f64>,
}

/// A customer's revenue with an entity in a period and its ABC class: A for
/// the customers that make the first 80% of revenue, B the next 15%, C the rest.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRevenue {
    pub customer_id: String,
    pub name: String,
    pub revenue: f64,
    pub class: char,
}

/// A customer who bought from an entity in the previous period and not in
/// this one: the other side of the retention rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostCustomer {
    pub customer_id: String,
    pub name: String,
    /// Revenue with the entity in the previous period.
    pub previous_revenue: f64,
}

/// An invoice more than 30 days past due at the end of a period with money
/// still owed on it: the rows behind the `overdue_amount` KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueInvoice {
    pub invoice_id: String,
    pub customer_id: String,
    pub name: String,
    pub due_date: String,
    /// Days from the due date to the period's last day.
    pub days_overdue: i64,
    /// The amount less the payments dated by the end of the period.
    pub unpaid: f64,
}

/// ABC classes of revenues sorted largest first (Pareto: 80% / 15% / 5%).
/// A customer is A while the revenue before it is under 80% of the total.
pub fn abc_classes(sorted_revenues: &[f64]) -> Vec<char> {
    let total: f64 = sorted_revenues.iter().filter(|r| **r > 0.0).sum();
    let mut before = 0.0;
    sorted_revenues
        .iter()
        .map(|revenue| {
            let share = if total > 0.0 { before / total } else { 1.0 };
            before += revenue.max(0.0);
            if share < 0.80 && *revenue > 0.0 {
                'A'
            } else if share < 0.95 && *revenue > 0.0 {
                'B'
            } else {
                'C'
            }
        })
        .collect()
}

/// Revenue of the rep or unit `id` in `period` by `dimension`, largest first.
pub async fn breakdown(facts: &Facts, period: &Period, id: &str, dimension: Dimension) -> Result<Vec<Slice>> {
    let (context, filter) = scope(facts, id).await?;
    let mut by_rep = sliced(facts, &context, (&filter, period), dimension, None).await?;
    Ok(by_rep.remove("").unwrap_or_default())
}

/// Revenue of every rep in `period` by `dimension` (each rep's slices largest
/// first), in one query: what [`breakdown`] gives for each rep.
pub async fn breakdown_by_rep(
    facts: &Facts,
    period: &Period,
    dimension: Dimension,
) -> Result<HashMap<String, Vec<Slice>>> {
    let context = facts.session().await?;
    sliced(facts, &context, ("rep_id IS NOT NULL", period), dimension, Some("o.rep_id")).await
}

/// The slices of the revenue lines meeting `filter` in `period`, grouped by
/// `group` too if given (its value the map's key; else one entry "").
async fn sliced(
    facts: &Facts,
    context: &SessionContext,
    (filter, period): (&str, &Period),
    dimension: Dimension,
    group: Option<&str>,
) -> Result<HashMap<String, Vec<Slice>>> {
    if dimension == Dimension::Region {
        // A rep's scope is kept between queries: the table may be there already.
        context.deregister_table("unit_region").map_err(query_error)?;
        context.register_batch("unit_region", crate::scope::unit_regions(facts)?).map_err(query_error)?;
    }
    let (key, name, join) = dimension.columns();
    let group = group.unwrap_or("''");
    let sql = format!(
        "SELECT COALESCE({key}, '') AS key, COALESCE(MIN({name}), '') AS name, \
                    CAST(SUM(o.amount) AS DOUBLE) AS revenue, \
                    CAST(SUM(o.amount) - SUM(o.cost) AS DOUBLE) / NULLIF(CAST(SUM(o.amount) AS DOUBLE), 0) AS margin, \
                    COUNT(DISTINCT CASE WHEN o.{CONFIRMED_LINES} THEN o.order_id END) AS orders, \
                    {group} AS grouped \
             FROM (SELECT * FROM orders WHERE {filter} AND {REVENUE_LINES} AND {}) o {join} \
             GROUP BY {group}, COALESCE({key}, '') ORDER BY grouped, revenue DESC, key",
        within("order_date", period)
    );
    let batches = facts.query(context, &sql).await?;
    let mut slices: HashMap<String, Vec<Slice>> = HashMap::new();
    for batch in &batches {
        let (keys, names) = (batch.column(0).as_string::<i32>(), batch.column(1).as_string::<i32>());
        let revenue = batch.column(2).as_primitive::<Float64Type>();
        let margin = batch.column(3).as_primitive::<Float64Type>();
        let orders = batch.column(4).as_primitive::<Int64Type>();
        let grouped = batch.column(5).as_string::<i32>();
        for row in 0..batch.num_rows() {
            slices.entry(grouped.value(row).to_owned()).or_default().push(Slice {
                key: keys.value(row).to_owned(),
                name: names.value(row).to_owned(),
                revenue: revenue.value(row),
                gross_margin: margin.is_valid(row).then(|| margin.value(row)),
                orders: orders.value(row),
            });
        }
    }
    Ok(slices)
}

/// The targets the data holds for exactly `period` and `metric` (no product
/// line), summed by entity, as exact decimal text: (entity, value).
pub async fn targets_of(facts: &Facts, period: &Period, metric: &str) -> Result<Vec<(String, String)>> {
    if !facts.has_rows(yeji_core::Table::Targets) {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT entity_id, CAST(SUM(value) AS VARCHAR) FROM targets WHERE period = {} AND metric = {} \
         AND COALESCE(product_line, '') = '' GROUP BY entity_id ORDER BY entity_id",
        crate::scope::literal(&period.to_string()),
        crate::scope::literal(metric)
    );
    let mut out = Vec::new();
    for batch in facts.sql(&sql).await? {
        let (ids, values) = (batch.column(0).as_string::<i32>(), batch.column(1).as_string::<i32>());
        out.extend((0..batch.num_rows()).map(|row| (ids.value(row).to_owned(), values.value(row).to_owned())));
    }
    Ok(out)
}

/// What [`sales_by`] groups the revenue lines by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SalesKey {
    Product,
    Customer,
    Channel,
}

/// Net quantity and revenue of the rep or unit `id` in `period` by `key`, as
/// exact decimal text: (key, quantity, revenue), in key order; lines without
/// a value of the key under "".
pub async fn sales_by(
    facts: &Facts,
    period: &Period,
    id: &str,
    key: SalesKey,
) -> Result<Vec<(String, String, String)>> {
    let (context, filter) = scope(facts, id).await?;
    let column = match key {
        SalesKey::Product => "product_id",
        SalesKey::Customer => "customer_id",
        SalesKey::Channel => "channel",
    };
    let sql = format!(
        "SELECT COALESCE({column}, '') AS key, CAST(SUM(quantity) AS VARCHAR), CAST(SUM(amount) AS VARCHAR) \
         FROM orders WHERE {filter} AND {REVENUE_LINES} AND {} GROUP BY COALESCE({column}, '') ORDER BY key",
        within("order_date", period)
    );
    let mut out = Vec::new();
    for batch in facts.query(&context, &sql).await? {
        let (keys, quantities, revenues) = (
            batch.column(0).as_string::<i32>(),
            batch.column(1).as_string::<i32>(),
            batch.column(2).as_string::<i32>(),
        );
        for row in 0..batch.num_rows() {
            out.push((keys.value(row).to_owned(), quantities.value(row).to_owned(), revenues.value(row).to_owned()));
        }
    }
    Ok(out)
}

/// Revenue and gross profit of `id` for each of the `months` calendar months
/// that end with the last month of `period`: 0 in a month without sales, no
/// value in a month before the data's first order (no data, not no sales).
pub async fn monthly(facts: &Facts, period: &Period, id: &str, months: u32) -> Result<Vec<MonthPoint>> {
    let first_order = order_dates(facts).await?.map(|(first, _)| first);
    let (context, filter) = scope(facts, id).await?;
    let end = period.end_exclusive();
    let last = end.pred_opt().unwrap_or(end).with_day(1).unwrap_or(end);
    let first = last.checked_sub_months(Months::new(months.saturating_sub(1))).unwrap_or(last);
    let sql = format!(
        "SELECT CAST(date_part('year', order_date) * 100 + date_part('month', order_date) AS BIGINT) AS month, \
                    CAST(SUM(amount) AS DOUBLE), CAST(SUM(amount) - SUM(cost) AS DOUBLE) \
             FROM orders WHERE {filter} AND {REVENUE_LINES} AND {} GROUP BY 1",
        date_range("order_date", first, last.checked_add_months(Months::new(1)).unwrap_or(end))
    );
    let batches = facts.query(&context, &sql).await?;
    let mut points: Vec<MonthPoint> = (0..months)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .map(|m| {
            let before_data =
                first_order.is_none_or(|first| m.checked_add_months(Months::new(1)).is_some_and(|next| next <= first));
            let zero = (!before_data).then_some(0.0);
            MonthPoint { month: m.format("%Y-%m").to_string(), revenue: zero, gross_profit: zero }
        })
        .collect();
    for batch in &batches {
        let month = batch.column(0).as_primitive::<Int64Type>();
        let (revenue, profit) =
            (batch.column(1).as_primitive::<Float64Type>(), batch.column(2).as_primitive::<Float64Type>());
        for row in 0..batch.num_rows() {
            let label = format!("{}-{:02}", month.value(row) / 100, month.value(row) % 100);
            if let Some(point) = points.iter_mut().find(|p| p.month == label) {
                point.revenue = Some(revenue.value(row));
                point.gross_profit = Some(profit.value(row));
            }
        }
    }
    Ok(points)
}

/// The first and last order dates in the workspace.
pub async fn order_dates(facts: &Facts) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let batches = collect(&facts.session().await?, "SELECT MIN(order_date), MAX(order_date) FROM orders").await?;
    let Some(batch) = batches.first().filter(|b| b.num_rows() > 0) else { return Ok(None) };
    let date = |column: usize| {
        let dates = batch.column(column).as_primitive::<arrow::datatypes::Date32Type>();
        dates.is_valid(0).then(|| dates.value_as_date(0)).flatten()
    };
    Ok(date(0).zip(date(1)))
}

/// Revenue of the rep or unit `id` in `period` per customer, largest first,
/// with ABC classes.
pub async fn customers(facts: &Facts, period: &Period, id: &str) -> Result<Vec<CustomerRevenue>> {
    let (context, filter) = scope(facts, id).await?;
    let sql = format!(
        "SELECT o.customer_id, COALESCE(MIN(c.name), o.customer_id), CAST(SUM(o.amount) AS DOUBLE) AS revenue \
             FROM (SELECT * FROM orders WHERE {filter} AND {REVENUE_LINES} AND {}) o \
             LEFT JOIN customers c ON o.customer_id = c.customer_id \
             GROUP BY o.customer_id ORDER BY revenue DESC, o.customer_id",
        within("order_date", period)
    );
    let mut customers: Vec<CustomerRevenue> = named_amounts(&facts.query(&context, &sql).await?)
        .map(|(customer_id, name, revenue)| CustomerRevenue { customer_id, name, revenue, class: 'C' })
        .collect();
    let revenues: Vec<f64> = customers.iter().map(|c| c.revenue).collect();
    for (customer, class) in customers.iter_mut().zip(abc_classes(&revenues)) {
        customer.class = class;
    }
    Ok(customers)
}

/// Customers of `id` in the previous period without a confirmed line in
/// this one, the largest (by previous revenue) first.
pub async fn lost_customers(facts: &Facts, period: &Period, id: &str) -> Result<Vec<LostCustomer>> {
    let (context, filter) = scope(facts, id).await?;
    let previous = period.previous();
    let sql = format!(
        "WITH bought AS (SELECT customer_id, order_date >= DATE '{start}' AS now, amount, status FROM orders \
               WHERE {filter} AND {REVENUE_LINES} AND {window}) \
             SELECT b.customer_id, COALESCE(MIN(c.name), b.customer_id), CAST(SUM(b.amount) AS DOUBLE) AS revenue \
             FROM bought b LEFT JOIN customers c ON b.customer_id = c.customer_id \
             WHERE NOT b.now AND b.customer_id IN (SELECT customer_id FROM bought WHERE NOT now AND {CONFIRMED_LINES}) \
               AND b.customer_id NOT IN (SELECT customer_id FROM bought WHERE now AND {CONFIRMED_LINES}) \
             GROUP BY b.customer_id ORDER BY revenue DESC, b.customer_id",
        start = period.start(),
        window = date_range("order_date", previous.start(), period.end_exclusive()),
    );
    let lost = named_amounts(&facts.query(&context, &sql).await?)
        .map(|(customer_id, name, previous_revenue)| LostCustomer { customer_id, name, previous_revenue })
        .collect();
    Ok(lost)
}

/// The invoices behind `id`'s overdue receivables at the end of `period`,
/// the longest overdue first.
pub async fn overdue_invoices(facts: &Facts, period: &Period, id: &str) -> Result<Vec<OverdueInvoice>> {
    let (context, filter) = scope(facts, id).await?;
    let last_day = period.last_day();
    // Only the entity's invoices' payments are summed (a semi-join on its
    // few invoices), not every payment of the company.
    let sql = format!(
        "WITH i AS (SELECT * FROM invoices WHERE {filter} AND due_date < DATE '{limit}'), \
                  p AS (SELECT invoice_id, SUM(amount) AS paid FROM payments \
                        WHERE payment_date < DATE '{end}' AND invoice_id IN (SELECT invoice_id FROM i) GROUP BY invoice_id) \
             SELECT i.invoice_id, i.customer_id, COALESCE(c.name, i.customer_id) AS name, i.due_date AS due, \
                    CAST(CAST(DATE '{last_day}' AS INT) - CAST(i.due_date AS INT) AS BIGINT) AS days, \
                    CAST(i.amount - COALESCE(p.paid, 0) AS DOUBLE) AS unpaid \
             FROM i LEFT JOIN p ON i.invoice_id = p.invoice_id \
             LEFT JOIN customers c ON i.customer_id = c.customer_id \
             WHERE i.amount > COALESCE(p.paid, 0) ORDER BY i.due_date, i.invoice_id",
        limit = yeji_core::kpi::overdue_before(period),
        end = period.end_exclusive(),
    );
    let mut invoices = Vec::new();
    for batch in &facts.query(&context, &sql).await? {
        let text = |column: usize, row: usize| batch.column(column).as_string::<i32>().value(row).to_owned();
        let due = batch.column(3).as_primitive::<arrow::datatypes::Date32Type>();
        let (days, unpaid) =
            (batch.column(4).as_primitive::<Int64Type>(), batch.column(5).as_primitive::<Float64Type>());
        for row in 0..batch.num_rows() {
            invoices.push(OverdueInvoice {
                invoice_id: text(0, row),
                customer_id: text(1, row),
                name: text(2, row),
                due_date: due.value_as_date(row).map_or_else(String::new, |d| d.to_string()),
                days_overdue: days.value(row),
                unpaid: unpaid.value(row),
            });
        }
    }
    Ok(invoices)
}

/// The (id, name, amount) rows of results whose first columns are those.
fn named_amounts(batches: &[RecordBatch]) -> impl Iterator<Item = (String, String, f64)> + '_ {
    batches.iter().flat_map(|batch| {
        let (ids, names) = (batch.column(0).as_string::<i32>(), batch.column(1).as_string::<i32>());
        let amounts = batch.column(2).as_primitive::<Float64Type>();
        (0..batch.num_rows())
            .map(move |row| (ids.value(row).to_owned(), names.value(row).to_owned(), amounts.value(row)))
    })
}

fn date_range(column: &str, from: NaiveDate, until: NaiveDate) -> String {
    format!("{column} >= DATE '{from}' AND {column} < DATE '{until}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abc_classes_split_revenue_80_15_5() {
        // Total 100: A while less than 80 came before (50, 20, 10 → before 0, 50, 70),
        // B while less than 95 came before (8, 5, 4 → before 80, 88, 93), C after (3 → 97).
        assert_eq!(abc_classes(&[50.0, 20.0, 10.0, 8.0, 5.0, 4.0, 3.0]), ['A', 'A', 'A', 'B', 'B', 'B', 'C']);
        // A customer with net returns is never A or B.
        assert_eq!(abc_classes(&[10.0, -2.0]), ['A', 'C']);
        assert!(abc_classes(&[]).is_empty());
    }
}
