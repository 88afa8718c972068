//! The numbers a draft may cite for one rep and period: each weighted KPI's
//! value, target, score, peer median and percentile (the same definitions as
//! the rep's page), its value in the previous period and a year earlier, the
//! composite score and rank, who the rep is (new, a lead), who on their team
//! is best at each KPI, and their business by product line, channel, segment.

use std::collections::BTreeMap;

use yeji_core::kpi::Direction;
use yeji_core::scheme::Scheme;
use yeji_core::{KpiId, Level, Org, Period};
use yeji_eval::peers::PeerMedians;
use yeji_eval::{Dimension, EntityResult, Evaluation, Facts, Slice};

use crate::{FeedbackError, Who};

/// A rep hired this many months before the period's end or later is new.
const NEW_HIRE_MONTHS: u32 = 6;

#[derive(Clone, Debug, PartialEq)]
pub struct KpiStanding {
    pub kpi: KpiId,
    pub value: f64,
    pub target: Option<f64>,
    pub score: Option<f64>,
    pub weight: f64,
    pub peer_median: Option<f64>,
    /// Share (0–100) of peers doing worse.
    pub percentile: Option<f64>,
    pub previous: Option<f64>,
    pub year_ago: Option<f64>,
}

impl KpiStanding {
    /// Whether the value meets its target, by the KPI's direction.
    pub fn meets_target(&self) -> Option<bool> {
        let target = self.target?;
        Some(match self.kpi.kpi().direction {
            Direction::HigherIsBetter => self.value >= target,
            Direction::LowerIsBetter => self.value <= target,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    pub rep_id: String,
    pub name: String,
    pub period: Period,
    pub who: Vec<Who>,
    pub score: Option<f64>,
    pub previous_score: Option<f64>,
    pub rank: Option<usize>,
    pub rank_of: usize,
    /// The scheme's weighted catalogue KPIs with a value, heaviest first.
    pub kpis: Vec<KpiStanding>,
    /// For each KPI, the teammate (same unit; else any rep) best at it.
    pub best_peers: BTreeMap<String, String>,
    /// The rep's revenue by product line, channel and segment, largest first.
    pub business: Vec<(Dimension, Vec<Slice>)>,
}

fn result<'a>(evaluation: &'a Evaluation, rep: &str) -> Option<&'a EntityResult> {
    evaluation.results.iter().find(|r| r.level == Level::Rep && r.id == rep)
}

fn value(evaluation: &Evaluation, rep: &str, kpi: &str) -> Option<f64> {
    result(evaluation, rep)?.kpis.get(kpi)?.value
}

/// The standing of `rep` from the evaluations of the period, the previous
/// period and the same period a year earlier (all by one scheme), and the
/// peer medians of the first.
pub fn standing(
    org: &Org,
    period: Period,
    [current, previous, year_ago]: [&Evaluation; 3],
    medians: &PeerMedians,
    rep: &str,
) -> Option<Standing> {
    let me = result(current, rep)?;
    let medians = medians.of_entity(me);
    let percentiles = yeji_eval::peers::percentiles(current, me);
    let mut kpis: Vec<KpiStanding> = me
        .kpis
        .iter()
        .filter_map(|(id, k)| {
            Some(KpiStanding {
                kpi: id.parse().ok()?,
                value: k.value?,
                target: k.target,
                score: k.score,
                weight: k.weight?,
                peer_median: medians.get(id).copied(),
                percentile: percentiles.get(id).copied(),
                previous: value(previous, rep, id),
                year_ago: value(year_ago, rep, id),
            })
        })
        .collect();
    kpis.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.kpi.as_str().cmp(b.kpi.as_str())));
    let row = org.rep_on(rep, Some(period.last_day()));
    let mut who = Vec::new();
    let cutoff = period.last_day().checked_sub_months(chrono::Months::new(NEW_HIRE_MONTHS));
    if row.and_then(|r| r.hire_date).zip(cutoff).is_some_and(|(hired, cutoff)| hired > cutoff) {
        who.push(Who::NewHire);
    }
    if row.and_then(|r| r.level.as_deref()) == Some("lead") {
        who.push(Who::Lead);
    }
    let best_peers = kpis.iter().filter_map(|k| Some((k.kpi.to_string(), best_peer(current, me, k.kpi)?))).collect();
    Some(Standing {
        rep_id: rep.to_owned(),
        name: me.name.clone(),
        period,
        who,
        score: me.score,
        previous_score: result(previous, rep).and_then(|r| r.score),
        rank: me.rank,
        rank_of: me.rank_of,
        kpis,
        best_peers,
        business: Vec::new(),
    })
}

/// The teammate best at `kpi` (a rep of the same unit; any rep when the rep
/// has no teammate with a value).
fn best_peer(evaluation: &Evaluation, me: &EntityResult, kpi: KpiId) -> Option<String> {
    let others = || evaluation.results.iter().filter(|r| r.level == Level::Rep && r.id != me.id);
    let with_value = |r: &&EntityResult| r.kpis.get(kpi.as_str()).and_then(|k| k.value).is_some();
    let teammates: Vec<&EntityResult> = others().filter(|r| r.unit_id == me.unit_id).filter(with_value).collect();
    let pool = if teammates.is_empty() { others().filter(with_value).collect() } else { teammates };
    let key = |r: &&EntityResult| r.kpis[kpi.as_str()].value.unwrap_or_default();
    let best = match kpi.kpi().direction {
        Direction::HigherIsBetter => pool.into_iter().max_by(|a, b| key(a).total_cmp(&key(b))),
        Direction::LowerIsBetter => pool.into_iter().min_by(|a, b| key(a).total_cmp(&key(b))),
    };
    best.map(|r| r.name.clone())
}

/// Whose drafts to gather.
pub enum Reps<'a> {
    One(&'a str),
    /// Every rep in this org unit's subtree (their unit at the period's end).
    Under(&'a str),
}

/// Evaluates what the drafts of `reps` in `period` need (three evaluations,
/// whatever the number of reps) and returns their standings.
pub async fn gather(
    facts: &Facts,
    period: &Period,
    scheme: &Scheme,
    reps: Reps<'_>,
) -> Result<Vec<Standing>, FeedbackError> {
    let org = facts.org();
    if let Reps::Under(unit) = reps
        && org.unit(unit).is_none()
    {
        return Err(FeedbackError::NoSuchUnit(unit.to_owned()));
    }
    let current = yeji_eval::evaluate_cached(facts, period, scheme).await?;
    let previous = yeji_eval::evaluate_cached(facts, &period.previous(), scheme).await?;
    let year_ago = yeji_eval::evaluate_cached(facts, &period.year_ago(), scheme).await?;
    let medians = PeerMedians::of(&current);
    let ids: Vec<&str> = match reps {
        Reps::One(rep) => vec![rep],
        Reps::Under(unit) => current
            .results
            .iter()
            .filter(|r| r.level == Level::Rep && r.unit_id.as_deref().is_some_and(|u| org.is_within(u, unit)))
            .map(|r| r.id.as_str())
            .collect(),
    };
    let mut business = Vec::new();
    for by in crate::business::DIMENSIONS {
        business.push((by, yeji_eval::breakdown_by_rep(facts, period, by).await?));
    }
    ids.into_iter()
        .map(|rep| {
            let mut standing = standing(org, *period, [&current, &previous, &year_ago], &medians, rep)
                .ok_or_else(|| FeedbackError::NoSuchRep(rep.to_owned()))?;
            standing.business =
                business.iter().map(|(by, of)| (*by, of.get(rep).cloned().unwrap_or_default())).collect();
            Ok(standing)
        })
        .collect()
}
