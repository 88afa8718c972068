//! The funnel's bottleneck (SPEC §8; seed 003 §5, 漏斗分析 "定位瓶颈"): each
//! stage's conversion of a rep (lead → qualified → proposal → negotiation →
//! won) against the median of their peers, and the stage where the rep loses
//! most against it: the opportunities that would have gone on at the peers'
//! rate, `(peer median − rate) × entered`. Stages entered by fewer than
//! `min_base` opportunities say nothing.
//!
//! ```text
//! lib.rs  the stages, the bottleneck (pure) and the reps' funnels of a period
//! ```

use serde::Serialize;
use yeji_core::scheme::Scheme;
use yeji_core::{Level, Period};
use yeji_eval::peers::PeerMedians;
use yeji_eval::{EvalError, Facts, Funnel};

/// The stages, each with the KPI that converts into it.
pub const STAGES: [(&str, &str); 4] = [
    ("qualified", "lead_conversion"),
    ("proposal", "stage_conversion_proposal"),
    ("negotiation", "stage_conversion_negotiation"),
    ("won", "stage_conversion_won"),
];

/// One stage of a rep's funnel.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    pub stage: &'static str,
    pub kpi: &'static str,
    /// Opportunities that reached the stage before it.
    pub entered: i64,
    pub rate: Option<f64>,
    pub peer_median: Option<f64>,
    /// Opportunities more that would have reached the stage at the peers'
    /// median rate (negative: the rep does better).
    pub short_by: Option<f64>,
}

/// A rep's funnel and its bottleneck.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepFunnel {
    pub rep_id: String,
    pub name: String,
    pub period: String,
    pub stages: Vec<Stage>,
    /// The stage that loses most against the peers, if any does.
    pub bottleneck: Option<&'static str>,
}

/// The stages of `funnel` with the rep's rates and their peers' medians.
pub fn stages(funnel: &Funnel, rate: impl Fn(&str) -> Option<f64>, median: impl Fn(&str) -> Option<f64>) -> Vec<Stage> {
    let entered = [funnel.created, funnel.qualified, funnel.proposal, funnel.negotiation];
    STAGES
        .iter()
        .zip(entered)
        .map(|(&(stage, kpi), entered)| {
            let (rate, peer_median) = (rate(kpi), median(kpi));
            let short_by = rate.zip(peer_median).map(|(r, m)| (m - r) * entered as f64);
            Stage { stage, kpi, entered, rate, peer_median, short_by }
        })
        .collect()
}

/// The stage entered by `min_base` or more that is shortest against the
/// peers (by opportunities lost; the earlier stage on a tie), if any is short.
pub fn bottleneck(stages: &[Stage], min_base: i64) -> Option<&'static str> {
    let mut worst: Option<(&Stage, f64)> = None;
    for stage in stages.iter().filter(|s| s.entered >= min_base) {
        if let Some(short) = stage.short_by.filter(|s| *s > 1e-9)
            && worst.is_none_or(|(_, w)| short > w)
        {
            worst = Some((stage, short));
        }
    }
    worst.map(|(stage, _)| stage.stage)
}

/// The funnels of the reps of `period` (one rep when `rep` is given), in the
/// evaluation's order, against the medians of their peer group.
pub async fn funnels(
    facts: &Facts,
    scheme: &Scheme,
    period: &Period,
    rep: Option<&str>,
    min_base: i64,
) -> Result<Vec<RepFunnel>, EvalError> {
    let evaluated = yeji_eval::evaluate(facts, period, scheme).await?;
    if let Some(rep) = rep
        && evaluated.result(rep).is_none_or(|r| r.level != Level::Rep)
    {
        return Err(EvalError::UnknownEntity(rep.to_owned()));
    }
    let medians = PeerMedians::of(&evaluated.evaluation);
    let reps = evaluated.evaluation.results.iter().filter(|r| r.level == Level::Rep && rep.is_none_or(|id| r.id == id));
    Ok(reps
        .map(|result| {
            let group = medians.of_entity(result);
            let rate = |kpi: &str| result.kpis.get(kpi).and_then(|k| k.value);
            let stages = stages(&evaluated.funnel(&result.id), rate, |kpi| group.get(kpi).copied());
            RepFunnel {
                rep_id: result.id.clone(),
                name: result.name.clone(),
                period: period.to_string(),
                bottleneck: bottleneck(&stages, min_base),
                stages,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bottleneck_is_the_stage_that_loses_most_opportunities_against_the_peers() {
        let funnel = Funnel { created: 20, qualified: 10, proposal: 5, negotiation: 4, won: 2 };
        let rates =
            [("lead_conversion", 0.5), ("stage_conversion_proposal", 0.5), ("stage_conversion_negotiation", 0.8)];
        let medians =
            [("lead_conversion", 0.6), ("stage_conversion_proposal", 0.7), ("stage_conversion_negotiation", 0.7)];
        let find = |pairs: &[(&str, f64)], kpi: &str| pairs.iter().find(|(k, _)| *k == kpi).map(|(_, v)| *v);
        let stages = stages(&funnel, |k| find(&rates, k), |k| find(&medians, k));
        // Short by 0.1 × 20 = 2 at qualification, 0.2 × 10 = 2 at proposal (a
        // tie: the earlier stage), ahead at negotiation; no won rate.
        let short: Vec<Option<f64>> = stages.iter().map(|s| s.short_by.map(|v| (v * 1e9).round() / 1e9)).collect();
        assert_eq!(short, [Some(2.0), Some(2.0), Some(-0.5), None]);
        assert_eq!(bottleneck(&stages, 5), Some("qualified"));
        // No stage entered by 25; without the first, proposal it is.
        assert_eq!(bottleneck(&stages, 25), None);
        assert_eq!(bottleneck(&stages[1..], 10), Some("proposal"));
    }
}
