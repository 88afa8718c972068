//! A period in progress (SPEC §8, §9): what has been sold from its start to
//! a day, the run-rate to its end (that pace kept for the days left), and the
//! projection (sold so far plus the forecast of the rest: the rest of the
//! current month pro rata, then the whole months left).

use chrono::NaiveDate;
use serde::Serialize;
use yeji_core::{Level, Period};

use crate::History;

/// The numbers of one entity's period at a day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Projection {
    pub to_date: f64,
    /// Days of the period up to and including the day.
    pub elapsed_days: i64,
    pub days: i64,
    pub run_rate: f64,
    /// `None` when the entity has too short a history to forecast.
    pub projected: Option<f64>,
}

/// The projection of `period` for `key` on `as_of`, with `to_date` sold from
/// the period's start to it, the model learnt from the months before the
/// period (`history`).
pub fn project(
    history: &History,
    key: &(Level, String),
    period: &Period,
    as_of: NaiveDate,
    to_date: f64,
) -> Projection {
    let days = period.days();
    let elapsed_days = ((as_of - period.start()).num_days() + 1).clamp(0, days);
    let run_rate = if elapsed_days > 0 { to_date / elapsed_days as f64 * days as f64 } else { 0.0 };
    let after = as_of.succ_opt().unwrap_or(as_of);
    let rest = history.fit(key).map(|fit| {
        let mut rest = 0.0;
        for month in period.months() {
            // Months the history already holds are not forecast.
            let Some(ahead) =
                history.series.index_of(month.start()).and_then(|at| (at + 1).checked_sub(history.series.months))
            else {
                continue;
            };
            let left = (month.end_exclusive() - after.max(month.start())).num_days().clamp(0, month.days());
            if ahead > 0 && left > 0 {
                rest += fit.point(ahead).value * left as f64 / month.days() as f64;
            }
        }
        rest
    });
    Projection { to_date, elapsed_days, days, run_rate, projected: rest.map(|rest| to_date + rest) }
}
