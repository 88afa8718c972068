//! Early warnings (SPEC §9, §15.4): rules with thresholds and severities
//! (a TOML file per workspace) run over the period so far, its targets and
//! its projection; each alert names the entity, the numbers, the rule and a
//! suggested action from the feedback action library, under an id stable for
//! the same rule, entity and period; alerts are acknowledged and resolved
//! with a note, audited.
//!
//! ```text
//! rules.rs    the rules file: kinds, thresholds, severities, levels, actions
//! observe.rs  what the rules read: the evaluation so far, targets, projections, past periods
//! fire.rs     when each kind fires and the numbers it names (pure)
//! text.rs     the messages, zh and en
//! state.rs    open → acknowledged → resolved
//! stored.rs   alerts in the catalog: raised, their states, the steps
//! ```

mod fire;
mod observe;
mod rules;
mod state;
mod stored;
mod text;

pub use fire::Numbers;
pub use rules::{DEFAULT_RULES, Kind, Rule, Rules, Severity};
pub use state::{AlertState, AlertStep, next_state};
pub use stored::{after_import, record, refresh, stored, take};

use chrono::NaiveDate;
use serde::Serialize;
use yeji_core::kpi::Direction;
use yeji_core::scheme::Scheme;
use yeji_core::{Level, Period};
use yeji_eval::{EntityResult, Facts};
use yeji_feedback::{Lang, Library};

use crate::observe::{Observed, revenue};

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("alert rules {file}: {reason}")]
    Rules { file: String, reason: String },
    #[error("{0}")]
    Bad(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
    #[error(transparent)]
    Forecast(#[from] yeji_forecast::ForecastError),
    #[error(transparent)]
    Store(#[from] yeji_store::StoreError),
    #[error(transparent)]
    Feedback(#[from] yeji_feedback::FeedbackError),
}

/// One alert (SPEC §15.4).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    pub id: String,
    pub rule: String,
    pub severity: Severity,
    pub entity_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub level: Level,
    pub entity_name: String,
    pub numbers: Numbers,
    pub message: String,
    pub suggested_action: Option<String>,
    pub state: AlertState,
    /// The note of the last acknowledgement or resolution, and who wrote it.
    pub note: Option<String>,
    pub noted_by: Option<String>,
}

/// `yeji alerts`' answer (SPEC §15.4).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alerts {
    pub period: String,
    pub as_of: String,
    pub alerts: Vec<Alert>,
}

/// The id of the alert of `rule` for `entity` in `period`: the same however
/// often and on whatever day it is raised.
pub fn alert_id(rule: &str, entity: &str, period: &Period) -> String {
    let key = format!("{rule}\u{1f}{entity}\u{1f}{period}");
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

/// What the rules run with: the facts, the scheme the evaluation scores by,
/// the rules, the action library and the language of the messages; whether
/// the complete periods a falling rule reads go through the evaluation cache
/// (not after an import: nobody asked for those periods yet). The period so
/// far is always evaluated afresh: the bases of ratios are its measures.
pub struct Watch<'a> {
    pub facts: &'a Facts,
    pub scheme: &'a Scheme,
    pub rules: &'a Rules,
    pub library: &'a Library,
    pub lang: Lang,
    pub cached: bool,
}

/// The day the rules look from: `as_of`, or the last order's day, never past
/// the period's end; refused before the period starts.
pub async fn as_of_day(facts: &Facts, period: &Period, as_of: Option<NaiveDate>) -> Result<NaiveDate, AlertError> {
    let day = match as_of {
        Some(day) => day,
        None => yeji_eval::order_dates(facts).await?.map_or(period.last_day(), |(_, last)| last),
    };
    if day < period.start() {
        let given = if as_of.is_some() { "--as-of" } else { "the data's last order" };
        return Err(AlertError::Bad(format!("{given} {day} is before {period} starts ({})", period.start())));
    }
    Ok(day.min(period.last_day()))
}

impl Watch<'_> {
    /// The alerts of `period` on `as_of` (see [`as_of_day`]), most severe
    /// first, then in the rules' order, then the evaluation's; all open
    /// (their stored states come from [`record`]).
    pub async fn raise(&self, period: &Period, as_of: Option<NaiveDate>) -> Result<Alerts, AlertError> {
        let as_of = as_of_day(self.facts, period, as_of).await?;
        let observed = Observed::read(self, period, as_of).await?;
        let as_of_text = as_of.to_string();
        let mut alerts = Vec::new();
        for rule in &self.rules.rules {
            let results = &observed.so_far.evaluation.results;
            for result in results.iter().filter(|r| rule.applies_to(r.level)) {
                let Some(numbers) = fires(rule, result, &observed) else { continue };
                alerts.push(Alert {
                    id: alert_id(&rule.id, &result.id, period),
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    entity_id: result.id.clone(),
                    level: result.level,
                    entity_name: result.name.clone(),
                    message: text::message(&rule.kind, &result.name, &numbers, &as_of_text, self.lang),
                    suggested_action: self.suggestion(rule, result, results),
                    numbers,
                    state: AlertState::Open,
                    note: None,
                    noted_by: None,
                });
            }
        }
        alerts.sort_by_key(|a| std::cmp::Reverse(a.severity));
        Ok(Alerts { period: period.to_string(), as_of: as_of_text, alerts })
    }

    /// The rule's action (its own, or the library's first for its KPI),
    /// naming the sibling best at that KPI where it says `{best_peer}`.
    fn suggestion(&self, rule: &Rule, result: &EntityResult, results: &[EntityResult]) -> Option<String> {
        let kpi = rule.kind.kpi();
        let action = match &rule.action {
            Some(id) => self.library.get(id),
            None => self.library.for_kpi(kpi.as_str(), &[]).next(),
        }?;
        let value = |r: &EntityResult| r.kpis.get(kpi.as_str()).and_then(|k| k.value);
        let better = |a: f64, b: f64| match kpi.kpi().direction {
            Direction::HigherIsBetter => a > b,
            Direction::LowerIsBetter => a < b,
        };
        let mut best: Option<(&EntityResult, f64)> = None;
        for peer in results {
            if peer.level != result.level || peer.unit_id != result.unit_id || peer.id == result.id {
                continue;
            }
            if let Some(v) = value(peer)
                && best.is_none_or(|(_, b)| better(v, b))
            {
                best = Some((peer, v));
            }
        }
        let fallback = match self.lang {
            Lang::Zh => "业绩最好的同事",
            Lang::En => "a top performer",
        };
        Some(action.text(self.lang, best.map_or(fallback, |(peer, _)| peer.name.as_str())))
    }
}

/// Whether what `kpi` divides by reaches `min_base` for `result`.
fn based(observed: &Observed, result: &EntityResult, kpi: yeji_core::KpiId, min_base: f64) -> bool {
    let Some(base) = kpi.kpi().formula.base() else { return true };
    min_base <= 0.0 || observed.so_far.measure(&result.id, base).is_some_and(|b| b >= min_base)
}

/// The numbers of `rule` for `result` if it fires.
fn fires(rule: &Rule, result: &EntityResult, observed: &Observed) -> Option<Numbers> {
    let value = |kpi: yeji_core::KpiId| result.kpis.get(kpi.as_str()).and_then(|k| k.value);
    match &rule.kind {
        Kind::Pace { behind } => {
            let target = *observed.targets.get(&result.id)?;
            fire::pace(revenue(result), target, observed.elapsed, *behind)
        }
        Kind::ProjectedAttainment { floor } => {
            let target = *observed.targets.get(&result.id)?;
            let projected = *observed.projected.get(&result.id)?;
            fire::projected_attainment(revenue(result), projected, target, *floor)
        }
        Kind::Below { kpi, threshold, min_base } if based(observed, result, *kpi, *min_base) => {
            fire::below(value(*kpi)?, *threshold)
        }
        Kind::Above { kpi, threshold, min_base } if based(observed, result, *kpi, *min_base) => {
            fire::above(value(*kpi)?, *threshold)
        }
        Kind::Below { .. } | Kind::Above { .. } => None,
        Kind::Falling { kpi, periods } => {
            let key = (result.level, result.id.clone());
            let run = observed.runs.get(&(*kpi, *periods))?;
            let values: Option<Vec<(String, f64)>> =
                run.iter().map(|(period, values)| values.get(&key).map(|v| (period.clone(), *v))).collect();
            fire::falling(&values?)
        }
    }
}
