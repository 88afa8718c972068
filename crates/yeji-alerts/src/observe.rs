//! What the rules read of the facts, each through the evaluation layer: the
//! evaluation of the period so far (from its start to `as_of`: every KPI of
//! every rep and unit, the revenue to date), the period's revenue targets,
//! the projection to its end (yeji-forecast), and the evaluations of the
//! complete periods a falling rule compares.

use std::collections::HashMap;

use chrono::NaiveDate;
use yeji_core::{KpiId, Level, Period};
use yeji_eval::{EntityResult, Evaluated, Evaluation, Facts};
use yeji_forecast::History;

use crate::rules::Kind;
use crate::{AlertError, Watch};

/// Complete periods, oldest first, with each entity's value of a KPI.
pub(crate) type Run = Vec<(String, HashMap<(Level, String), f64>)>;

/// The facts as the rules see them on `as_of`.
pub(crate) struct Observed {
    /// Every rep and unit of the period so far (with its measures, for the
    /// bases of ratios), in the evaluation's order.
    pub so_far: Evaluated,
    /// Days of the period to `as_of`, and in all.
    pub elapsed: (i64, i64),
    pub targets: HashMap<String, f64>,
    /// Revenue projected to the period's end, of the entities with a target.
    pub projected: HashMap<String, f64>,
    /// A falling rule's complete periods, oldest first, with each entity's value.
    pub runs: HashMap<(KpiId, usize), Run>,
}

impl Observed {
    pub async fn read(watch: &Watch<'_>, period: &Period, as_of: NaiveDate) -> Result<Observed, AlertError> {
        let (facts, rules) = (watch.facts, watch.rules);
        let so_far = period.to_day(as_of);
        // Not from the cache: the bases of ratios are measures, which only a fresh evaluation holds.
        let evaluated = yeji_eval::evaluate(facts, &so_far, watch.scheme).await?;
        let elapsed = (so_far.days(), period.days());
        let mut targets = HashMap::new();
        for (entity, value) in yeji_eval::targets_of(facts, period, yeji_forecast::METRIC).await? {
            targets.insert(entity, value.parse::<f64>().unwrap_or(0.0));
        }
        let mut observed =
            Observed { so_far: evaluated, elapsed, targets, projected: HashMap::new(), runs: HashMap::new() };
        if rules.rules.iter().any(|r| matches!(r.kind, Kind::ProjectedAttainment { .. }))
            && !observed.targets.is_empty()
        {
            observed.project(facts, period, as_of).await?;
        }
        // The last complete period at as_of: the period itself once over.
        let last = if so_far == *period { *period } else { period.previous() };
        for rule in &rules.rules {
            if let Kind::Falling { kpi, periods } = rule.kind
                && !observed.runs.contains_key(&(kpi, periods))
            {
                let run = run(watch, kpi, last, periods).await?;
                observed.runs.insert((kpi, periods), run);
            }
        }
        Ok(observed)
    }

    /// The projection of every entity with a target, learnt from the
    /// complete months before the period.
    async fn project(&mut self, facts: &Facts, period: &Period, as_of: NaiveDate) -> Result<(), AlertError> {
        let history = History::read(facts, period.start()).await?;
        for result in &self.so_far.evaluation.results {
            if !self.targets.contains_key(&result.id) {
                continue;
            }
            let to_date = revenue(result);
            let key = (result.level, result.id.clone());
            let projection = yeji_forecast::project(&history, &key, period, as_of, to_date);
            if let Some(projected) = projection.projected {
                self.projected.insert(result.id.clone(), projected);
            }
        }
        Ok(())
    }
}

/// The revenue of a result (none sold: 0).
pub(crate) fn revenue(result: &EntityResult) -> f64 {
    result.kpis.get(yeji_forecast::METRIC).and_then(|k| k.value).unwrap_or(0.0)
}

async fn evaluation(watch: &Watch<'_>, period: &Period) -> Result<Evaluation, AlertError> {
    Ok(if watch.cached {
        yeji_eval::evaluate_cached(watch.facts, period, watch.scheme).await?
    } else {
        yeji_eval::evaluate(watch.facts, period, watch.scheme).await?.evaluation
    })
}

/// `kpi` of every entity in `last` and the `periods` periods before it, oldest first.
async fn run(watch: &Watch<'_>, kpi: KpiId, last: Period, periods: usize) -> Result<Run, AlertError> {
    let mut chain = vec![last];
    for _ in 0..periods {
        let before = chain.last().expect("one").previous();
        chain.push(before);
    }
    let mut run = Vec::new();
    for period in chain.into_iter().rev() {
        let evaluation = evaluation(watch, &period).await?;
        let values = evaluation
            .results
            .iter()
            .filter_map(|r| r.kpis.get(kpi.as_str()).and_then(|k| k.value).map(|v| ((r.level, r.id.clone()), v)))
            .collect();
        run.push((period.to_string(), values));
    }
    Ok(run)
}
