//! The fairness of targets (SPEC §7, §15.2 `target check`): each revenue
//! target of a period against the entity's forecast from the months before
//! the period and against its peers' median revenue in the same period a
//! year earlier. Seed 002's case, a rep at 109.5 % of a 200k target while
//! the peers sold about 320k, is a target far below both: too easy.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use yeji_core::scheme::Scheme;
use yeji_core::{Level, Period};
use yeji_eval::Facts;
use yeji_eval::peers::PeerMedians;
use yeji_forecast::History;

use crate::TargetError;

/// How far a target may sit from its forecast, in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// More than this below both the forecast and the peer median: too easy.
    pub too_easy: f64,
    /// More than this above the forecast: unreachable.
    pub unreachable: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { too_easy: 25.0, unreachable: 50.0 }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    TooEasy,
    Unreachable,
    NoHistory,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::TooEasy => "too_easy",
            Verdict::Unreachable => "unreachable",
            Verdict::NoHistory => "no_history",
        }
    }
}

/// One target judged (SPEC §15.2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checked {
    pub entity_id: String,
    pub metric: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub target: Decimal,
    pub forecast: Option<f64>,
    pub peer_median: Option<f64>,
    pub verdict: Verdict,
    pub reason: String,
}

/// The verdict on `target` given its forecast and peer median (pure).
pub fn verdict(target: f64, forecast: Option<f64>, peer_median: Option<f64>, limits: Thresholds) -> (Verdict, String) {
    let Some(forecast) = forecast.filter(|f| *f > 0.0) else {
        return (Verdict::NoHistory, "too few months of revenue before the period to forecast it".into());
    };
    let off = |base: f64| (target / base - 1.0) * 100.0;
    let peers = peer_median.filter(|m| *m > 0.0);
    let below_forecast = -off(forecast);
    if below_forecast > limits.too_easy
        && let Some(median) = peers.filter(|m| -off(*m) > limits.too_easy)
    {
        let reason = format!(
            "{target:.2} is {below_forecast:.0}% below the forecast {forecast:.2} and {:.0}% below the peers' median \
             {median:.2} a year earlier (limit {}%)",
            -off(median),
            limits.too_easy
        );
        return (Verdict::TooEasy, reason);
    }
    if off(forecast) > limits.unreachable {
        let reason = format!(
            "{target:.2} is {:.0}% above the forecast {forecast:.2} (limit {}%)",
            off(forecast),
            limits.unreachable
        );
        return (Verdict::Unreachable, reason);
    }
    let against_peers = peers.map_or(String::new(), |m| format!(", {:+.0}% against the peers' median", off(m)));
    (Verdict::Ok, format!("{:+.0}% against the forecast {forecast:.2}{against_peers}", off(forecast)))
}

/// Every revenue target of `period` judged.
pub async fn check(
    facts: &Facts,
    scheme: &Scheme,
    period: &Period,
    limits: Thresholds,
) -> Result<Vec<Checked>, TargetError> {
    let targets = crate::targets_of(facts, period, yeji_forecast::METRIC).await?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let history = History::read(facts, period.start()).await?;
    let year_ago = yeji_eval::evaluate_cached(facts, &period.year_ago(), scheme).await?;
    let medians = PeerMedians::of(&year_ago);
    let org = facts.org();
    let mut out = Vec::new();
    for (entity, target) in targets {
        let Ok(key) = yeji_forecast::entity_key(facts, &entity) else { continue };
        let kind = match key.0 {
            Level::Rep => None,
            _ => org.unit(&entity).and_then(|u| u.kind.clone()),
        };
        let forecast = history.of_period(&key, period);
        let peer_median = medians.of_group(key.0, kind).and_then(|m| m.get(yeji_forecast::METRIC)).copied();
        let (verdict, reason) = verdict(target.to_f64().unwrap_or(0.0), forecast, peer_median, limits);
        out.push(Checked {
            entity_id: entity,
            metric: yeji_forecast::METRIC.into(),
            target,
            forecast: forecast.map(round2),
            peer_median: peer_median.map(round2),
            verdict,
            reason,
        });
    }
    Ok(out)
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_002s_case_is_too_easy() {
        // A 200k target, a forecast of 300k (from the rep's own history) and
        // peers at 320k: 33% and 38% below, past the 25% limit.
        let (v, reason) = verdict(200_000.0, Some(300_000.0), Some(320_000.0), Thresholds::default());
        assert_eq!(v, Verdict::TooEasy);
        assert!(reason.contains("33% below the forecast") && reason.contains("38% below"), "{reason}");
    }

    #[test]
    fn below_the_forecast_alone_is_not_too_easy() {
        // A declining rep: 30% below their forecast, but above the peers.
        let (v, _) = verdict(210_000.0, Some(300_000.0), Some(200_000.0), Thresholds::default());
        assert_eq!(v, Verdict::Ok);
        // Nor without peers to compare with.
        assert_eq!(verdict(100.0, Some(300.0), None, Thresholds::default()).0, Verdict::Ok);
    }

    #[test]
    fn unreachable_past_the_limit_and_no_history_without_a_forecast() {
        let limits = Thresholds::default();
        assert_eq!(verdict(150.0, Some(100.0), None, limits).0, Verdict::Ok);
        assert_eq!(verdict(150.01, Some(100.0), None, limits).0, Verdict::Unreachable);
        assert_eq!(verdict(150.01, Some(100.0), None, Thresholds { too_easy: 25.0, unreachable: 60.0 }).0, Verdict::Ok);
        assert_eq!(verdict(150.0, None, Some(100.0), limits).0, Verdict::NoHistory);
    }
}
