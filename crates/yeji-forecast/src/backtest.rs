//! The backtest (SPEC §15.3): the last months of the history held out, the
//! model fitted to the months before them, and its forecasts compared with
//! what happened, beside seasonal-naive (the same month a year before) on
//! exactly the same points.

use chrono::NaiveDate;
use serde::Serialize;
use yeji_core::{Level, Period};
use yeji_eval::Facts;

use crate::model::{MIN_MONTHS, seasonal_naive};
use crate::{ForecastError, History};

/// How close the forecasts of a group of entities came.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Accuracy {
    /// `all`, `rep`, `unit` or `company`.
    pub level: String,
    pub entities: usize,
    /// Entity-months compared: a positive actual, a forecast and a value a year before.
    pub points: usize,
    /// Mean absolute percentage error, in percent.
    pub model_mape: f64,
    pub seasonal_naive_mape: f64,
    /// Share of the actuals inside the model's 80 % interval, in percent.
    pub coverage_80: f64,
}

/// `yeji forecast backtest`'s answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Backtest {
    pub metric: String,
    pub holdout: usize,
    /// The first and last months held out.
    pub from: String,
    pub to: String,
    pub accuracy: Vec<Accuracy>,
}

#[derive(Default)]
struct Sums {
    entities: usize,
    points: usize,
    model: f64,
    naive: f64,
    inside: usize,
}

impl Sums {
    fn accuracy(&self, level: &str) -> Accuracy {
        let share = |sum: f64| if self.points == 0 { 0.0 } else { sum / self.points as f64 * 100.0 };
        Accuracy {
            level: level.to_owned(),
            entities: self.entities,
            points: self.points,
            model_mape: share(self.model),
            seasonal_naive_mape: share(self.naive),
            coverage_80: share(self.inside as f64),
        }
    }
}

/// The backtest over the facts' complete months: every unit, and the reps
/// employed on the first day held out.
pub async fn backtest_facts(facts: &Facts, holdout: usize) -> Result<Backtest, ForecastError> {
    if holdout == 0 {
        return Err(ForecastError::Bad("--holdout 0: hold out at least one month".into()));
    }
    let history = History::read(facts, NaiveDate::MAX).await?;
    if history.series.months < holdout + 12 + MIN_MONTHS {
        return Err(ForecastError::Bad(format!(
            "{} complete months of data: a holdout of {holdout} needs {} (a year before the held-out months \
             for seasonal-naive, and {MIN_MONTHS} to learn from)",
            history.series.months,
            holdout + 12 + MIN_MONTHS
        )));
    }
    let first_held = history.series.month(history.series.months - holdout);
    let org = facts.org();
    Ok(backtest(&history, holdout, |(level, id)| {
        *level != Level::Rep || org.rep_on(id, Some(first_held)).is_some_and(|row| row.active)
    }))
}

/// Holds out the last `holdout` months of `history` for the entities
/// `include` keeps (e.g. the reps still employed when the holdout starts).
pub fn backtest(history: &History, holdout: usize, include: impl Fn(&(Level, String)) -> bool) -> Backtest {
    let months = history.series.months;
    let cut = months.saturating_sub(holdout);
    let learnt = history.before(cut);
    let mut by_level: Vec<(Level, Sums)> = Level::ALL.iter().map(|l| (*l, Sums::default())).collect();
    for (key, values) in &history.series.series {
        if !include(key) {
            continue;
        }
        let Some(fit) = learnt.fit(key) else { continue };
        let Some(start) = values.iter().position(|v| *v != 0.0) else { continue };
        let sums = &mut by_level.iter_mut().find(|(l, _)| *l == key.0).expect("every level").1;
        let before = sums.points;
        for at in cut..months {
            let actual = values[at];
            let naive = seasonal_naive(values, at).filter(|_| at >= start + 12);
            let (Some(naive), true) = (naive, actual > 0.0) else { continue };
            let point = fit.point(at + 1 - cut);
            sums.points += 1;
            sums.model += (actual - point.value).abs() / actual;
            sums.naive += (actual - naive).abs() / actual;
            sums.inside += usize::from(point.lower <= actual && actual <= point.upper);
        }
        sums.entities += usize::from(sums.points > before);
    }
    let mut all = Sums::default();
    for (_, sums) in &by_level {
        all.entities += sums.entities;
        all.points += sums.points;
        all.model += sums.model;
        all.naive += sums.naive;
        all.inside += sums.inside;
    }
    let month = |at: usize| Period::month_of(history.series.month(at)).to_string();
    let mut accuracy = vec![all.accuracy("all")];
    accuracy.extend(by_level.iter().map(|(level, sums)| sums.accuracy(level.name())));
    Backtest {
        metric: crate::METRIC.to_owned(),
        holdout: months - cut,
        from: month(cut),
        to: month(months.saturating_sub(1)),
        accuracy,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use yeji_eval::MonthlySeries;

    use super::*;

    #[test]
    fn errors_are_measured_on_the_held_out_months_by_hand() {
        // A rep growing by 10 a month from 100, over 24 months, and a company
        // twice the rep: the trend is exact, so the model's error is zero;
        // seasonal-naive forecasts each held-out month by the value 12 months
        // earlier, 120 too low: |a − (a − 120)| / a.
        let rep: Vec<f64> = (0..24).map(|t| 100.0 + 10.0 * f64::from(t)).collect();
        let company: Vec<f64> = rep.iter().map(|v| v * 2.0).collect();
        let series = MonthlySeries {
            first: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            months: 24,
            series: BTreeMap::from([
                ((Level::Rep, "R1".to_owned()), rep.clone()),
                ((Level::Company, "HQ".to_owned()), company),
            ]),
        };
        let result = backtest(&History::of(series), 2, |_| true);
        assert_eq!((result.from.as_str(), result.to.as_str()), ("2026-11", "2026-12"));
        let reps = result.accuracy.iter().find(|a| a.level == "rep").unwrap();
        assert_eq!((reps.entities, reps.points), (1, 2));
        assert!(reps.model_mape < 1e-6, "{reps:?}");
        let naive = (120.0 / rep[22] + 120.0 / rep[23]) / 2.0 * 100.0;
        assert!((reps.seasonal_naive_mape - naive).abs() < 1e-9);
        let all = &result.accuracy[0];
        assert_eq!((all.level.as_str(), all.entities, all.points), ("all", 2, 4));
    }
}
