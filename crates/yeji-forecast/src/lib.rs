//! Forecasts (SPEC §8, §15.3): each rep's, unit's and the company's monthly
//! revenue by trend and seasonality with an 80 % interval, the projection of
//! a period in progress (run-rate, and what has been sold plus the forecast
//! of the rest), and the backtest that holds out the last months and
//! compares the model with seasonal-naive.
//!
//! ```text
//! model.rs     seasonality, the trend fit and its interval; seasonal-naive (pure)
//! history.rs   the complete months of the data, read once for every entity
//! backtest.rs  MAPE of the model and of seasonal-naive over held-out months
//! projection.rs a period in progress: run-rate, projected revenue and attainment
//! ```

mod backtest;
mod history;
mod model;
mod projection;

pub use backtest::{Accuracy, Backtest, backtest, backtest_facts};
pub use history::{History, data_end};
pub use model::{Fit, MIN_MONTHS, Point, Seasonality, seasonal_naive};
pub use projection::{Projection, project};

use chrono::NaiveDate;
use serde::Serialize;
use yeji_core::{Level, Period};
use yeji_eval::Facts;

/// The one metric forecast so far.
pub const METRIC: &str = "revenue";

#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    #[error("no orders in this workspace: nothing to forecast from")]
    NoOrders,
    #[error("--metric {0}: only revenue is forecast")]
    Metric(String),
    #[error("no rep or unit '{0}' in this workspace")]
    NoSuchEntity(String),
    #[error("{entity} has fewer than {MIN_MONTHS} months of revenue before {from}: too little to forecast from")]
    TooShort { entity: String, from: String },
    #[error("{0}")]
    Bad(String),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
}

/// A forecast month (SPEC §15.3).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastPoint {
    pub period: String,
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// `yeji forecast`'s answer (SPEC §15.3).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    pub entity_id: String,
    pub metric: String,
    /// The last month learnt from.
    pub learnt_to: String,
    pub points: Vec<ForecastPoint>,
}

/// The key of a rep or unit of the facts' organisation.
pub fn entity_key(facts: &Facts, id: &str) -> Result<(Level, String), ForecastError> {
    let org = facts.org();
    if org.has_rep(id) {
        return Ok((Level::Rep, id.to_owned()));
    }
    let unit = org.unit(id).ok_or_else(|| ForecastError::NoSuchEntity(id.to_owned()))?;
    Ok((unit.level(), id.to_owned()))
}

/// The `horizon` months from the month `from` starts in, learnt from the
/// complete months before it.
pub async fn forecast(
    facts: &Facts,
    id: &str,
    metric: &str,
    from: &Period,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    if metric != METRIC {
        return Err(ForecastError::Metric(metric.to_owned()));
    }
    if !(1..=60).contains(&horizon) {
        return Err(ForecastError::Bad(format!("--horizon {horizon}: 1 to 60 months")));
    }
    let key = entity_key(facts, id)?;
    let start: NaiveDate = from.start();
    let history = History::read(facts, start).await?;
    let points = history
        .forecast(&key, start, horizon)
        .ok_or_else(|| ForecastError::TooShort { entity: id.to_owned(), from: from.to_string() })?;
    let learnt_to = Period::month_of(history.end().pred_opt().unwrap_or(start)).to_string();
    Ok(Forecast { entity_id: id.to_owned(), metric: metric.to_owned(), learnt_to, points })
}
