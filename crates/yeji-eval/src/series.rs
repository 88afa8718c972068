//! Monthly revenue of every rep, unit and the company over a stretch of
//! months, in one grouped query: what forecasts learn from and backtests
//! hold out. Revenue means what the `revenue` KPI means ([`REVENUE_LINES`]);
//! the cells (rep, credited unit, month) roll up the org tree as measures do.

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Float64Type, Int64Type};
use chrono::{Datelike, Months, NaiveDate};
use yeji_core::Level;
use yeji_facts::Facts;

use crate::Result;
use crate::measures::{REVENUE_LINES, date};

/// Each entity's revenue per month from `first` (a month's first day), one
/// value per month, zero where nothing was sold.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthlySeries {
    pub first: NaiveDate,
    pub months: usize,
    pub series: BTreeMap<(Level, String), Vec<f64>>,
}

impl MonthlySeries {
    /// The first day of the `index`-th month.
    pub fn month(&self, index: usize) -> NaiveDate {
        self.first.checked_add_months(Months::new(index as u32)).unwrap_or(self.first)
    }

    /// The position of the month `day` is in (`None` before `first`).
    pub fn index_of(&self, day: NaiveDate) -> Option<usize> {
        let months = (day.year() - self.first.year()) * 12 + day.month() as i32 - self.first.month() as i32;
        usize::try_from(months).ok()
    }
}

/// The revenue of every rep and unit in each month from `first` until the
/// month `end` starts (both months' first days). A line credited to no unit
/// counts for the company; reps and units are those of the organisation.
pub async fn monthly_revenue(facts: &Facts, first: NaiveDate, end: NaiveDate) -> Result<MonthlySeries> {
    let mut out = MonthlySeries { first, months: 0, series: BTreeMap::new() };
    out.months = out.index_of(end).unwrap_or(0);
    let org = facts.org();
    for unit in org.units() {
        out.series.insert((unit.level(), unit.id.clone()), vec![0.0; out.months]);
    }
    for rep in org.rep_ids() {
        out.series.insert((Level::Rep, rep.to_owned()), vec![0.0; out.months]);
    }
    if out.months == 0 || !facts.has_rows(yeji_core::Table::Orders) {
        return Ok(out);
    }
    let sql = format!(
        "SELECT rep_id, credited_unit_id, \
                CAST(date_part('year', order_date) * 12 + date_part('month', order_date) - 1 AS BIGINT) AS month, \
                CAST(SUM(amount) AS DOUBLE) FROM orders \
         WHERE {REVENUE_LINES} AND order_date >= {} AND order_date < {} GROUP BY 1, 2, 3",
        date(first),
        date(end)
    );
    let base = i64::from(first.year()) * 12 + i64::from(first.month0());
    let roots: Vec<String> = org.roots().map(str::to_owned).collect();
    let mut ancestors: BTreeMap<String, Vec<(Level, String)>> = BTreeMap::new();
    for batch in facts.sql(&sql).await? {
        let (reps, units) = (batch.column(0).as_string::<i32>(), batch.column(1).as_string::<i32>());
        let (months, revenue) =
            (batch.column(2).as_primitive::<Int64Type>(), batch.column(3).as_primitive::<Float64Type>());
        for row in 0..batch.num_rows() {
            let Some(at) = usize::try_from(months.value(row) - base).ok().filter(|&at| at < out.months) else {
                continue;
            };
            let amount = if revenue.is_null(row) { 0.0 } else { revenue.value(row) };
            if reps.is_valid(row)
                && let Some(series) = out.series.get_mut(&(Level::Rep, reps.value(row).to_owned()))
            {
                series[at] += amount;
            }
            let unit = units.is_valid(row).then(|| units.value(row));
            let above = ancestors.entry(unit.unwrap_or_default().to_owned()).or_insert_with(|| match unit {
                Some(unit) => {
                    org.ancestors(unit).into_iter().filter_map(|u| Some((org.unit(u)?.level(), u.to_owned()))).collect()
                }
                None => roots.iter().map(|r| (Level::Company, r.clone())).collect(),
            });
            for key in above.iter() {
                if let Some(series) = out.series.get_mut(key) {
                    series[at] += amount;
                }
            }
        }
    }
    Ok(out)
}
