//! What a forecast learns from: every entity's monthly revenue over the
//! complete months of the data, with the company's seasonality.

use chrono::{Datelike, Months, NaiveDate};
use yeji_core::{Level, Period};
use yeji_eval::{Facts, MonthlySeries};

use crate::model::{Fit, Point, Seasonality};
use crate::{ForecastError, ForecastPoint};

/// The months a model is fitted to, and the seasonality they show.
#[derive(Clone, Debug)]
pub struct History {
    pub series: MonthlySeries,
    pub seasonality: Seasonality,
}

/// The first month the data cannot speak for: the month of the last order,
/// unless that order is on its last day (then the month after). A month the
/// data stops in the middle of is not a month's revenue.
pub fn data_end(last_order: NaiveDate) -> NaiveDate {
    let month = Period::month_of(last_order);
    if last_order == month.last_day() { month.end_exclusive() } else { month.start() }
}

impl History {
    /// The complete months of the data before `until` (a month's first day).
    pub async fn read(facts: &Facts, until: NaiveDate) -> Result<History, ForecastError> {
        let Some((first, last)) = yeji_eval::order_dates(facts).await? else { return Err(ForecastError::NoOrders) };
        let end = until.min(data_end(last));
        let series = yeji_eval::monthly_revenue(facts, Period::month_of(first).start(), end).await?;
        Ok(History::of(series))
    }

    /// The seasonality learnt from the company (the sum of the top units).
    pub fn of(series: MonthlySeries) -> History {
        let mut company = vec![0.0; series.months];
        for ((level, _), values) in &series.series {
            if *level == Level::Company {
                company.iter_mut().zip(values).for_each(|(sum, v)| *sum += v);
            }
        }
        let start = company.iter().position(|v| *v != 0.0).unwrap_or(company.len());
        let seasonality = Seasonality::learn(&company[start..], series.month(start).month0() as usize);
        History { series, seasonality }
    }

    /// The last `len − cut` months held out: the history a backtest fits.
    pub fn before(&self, months: usize) -> History {
        let mut series = self.series.clone();
        series.months = months.min(series.months);
        series.series.values_mut().for_each(|v| v.truncate(series.months));
        History::of(series)
    }

    /// The month after the last one learnt from.
    pub fn end(&self) -> NaiveDate {
        self.series.month(self.series.months)
    }

    /// The entity's model, fitted from its first month with revenue on.
    pub fn fit(&self, key: &(Level, String)) -> Option<Fit> {
        let values = self.series.series.get(key)?;
        let start = values.iter().position(|v| *v != 0.0)?;
        Fit::new(&values[start..], self.series.month(start).month0() as usize, &self.seasonality)
    }

    /// The entity's forecast for the `horizon` months from `from` (a
    /// month's first day at or after [`History::end`]).
    pub fn forecast(&self, key: &(Level, String), from: NaiveDate, horizon: usize) -> Option<Vec<ForecastPoint>> {
        let fit = self.fit(key)?;
        let skip = self.series.index_of(from)?.checked_sub(self.series.months)?;
        Some(
            (1..=horizon)
                .map(|h| {
                    let Point { value, lower, upper } = fit.point(skip + h);
                    let month = from.checked_add_months(Months::new(h as u32 - 1)).unwrap_or(from);
                    ForecastPoint { period: Period::month_of(month).to_string(), value, lower, upper }
                })
                .collect(),
        )
    }

    /// The forecast revenue of `period`: the sum of its months after the
    /// history (all of them when the history ends before it).
    pub fn of_period(&self, key: &(Level, String), period: &Period) -> Option<f64> {
        let months = period.months();
        let from = self.end().max(period.start());
        let horizon = months.iter().filter(|m| m.start() >= from).count();
        let points = self.forecast(key, from, horizon)?;
        Some(points.iter().map(|p| p.value).sum())
    }
}
