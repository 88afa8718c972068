//! What-if (SPEC §15.6 `whatif`): the period's pay under a new plan, new
//! revenue targets or both, beside the pay under the plans and targets in
//! effect, before anything is saved: the total cost, the change per rep,
//! and how payouts and attainments are spread under each.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::distribution::{Bucket, Spread, attainment_buckets, payout_buckets, spread};
use crate::run::{Attained, run_with};
use crate::targets::TargetChange;
use crate::{IncentiveError, Run, Schedule};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepChange {
    pub rep_id: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub current: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub new: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub change: Decimal,
    /// The period's revenue / its revenue target (6 decimals), under each side's targets.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub current_attainment: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub new_attainment: Option<Decimal>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    pub period: String,
    pub current_plan: String,
    pub new_plan: String,
    /// How the new side's targets differ from those in effect.
    pub targets: TargetChange,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub current_total: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub new_total: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub change: Decimal,
    /// Largest change first.
    pub reps: Vec<RepChange>,
    /// The reps' totals.
    pub current_spread: Option<Spread>,
    pub new_spread: Option<Spread>,
    /// The reps' attainments, of those with a target.
    pub current_attainment: Option<Spread>,
    pub new_attainment: Option<Spread>,
    /// How many reps' totals, and attainments, fall in each range.
    pub payout_histogram: Vec<Bucket>,
    pub attainment_histogram: Vec<Bucket>,
}

/// An attainment as statements show it (6 decimals); the histogram counts it exact.
fn shown(attainment: Decimal) -> Decimal {
    attainment.round_dp(6).normalize()
}

/// A side of a what-if: a run and its reps' attainment.
type Side = (Run, BTreeMap<String, Attained>);

/// The pay of `period` under `new` (the saved plans when `None`) against
/// the targets as `targets` changes them, beside the pay under the saved
/// plans and targets (nothing saved).
pub async fn price(
    (catalog, facts): (&yeji_store::Catalog, &yeji_eval::Facts),
    (new, targets): (Option<&Schedule>, &TargetChange),
    period: &yeji_core::Period,
) -> Result<WhatIf, IncentiveError> {
    if new.is_none() && targets.is_none() {
        return Err(IncentiveError::Bad("a what-if needs a new plan or changed targets".into()));
    }
    let saved = Schedule::saved(catalog).await?;
    let current = run_with(facts, &saved, period, &TargetChange::default()).await?;
    let new = run_with(facts, new.unwrap_or(&saved), period, targets).await?;
    Ok(compare(current, new, targets))
}

fn compare((current, current_attained): Side, (new, new_attained): Side, targets: &TargetChange) -> WhatIf {
    let totals = |run: &Run| -> BTreeMap<String, (String, Decimal)> {
        run.statements.iter().map(|s| (s.rep_id.clone(), (s.name.clone(), s.total))).collect()
    };
    let (before, after) = (totals(&current), totals(&new));
    let attainment = |of: &BTreeMap<String, Attained>, rep: &str| of.get(rep).and_then(Attained::attainment).map(shown);
    let mut reps: Vec<RepChange> = before
        .keys()
        .chain(after.keys().filter(|rep| !before.contains_key(*rep)))
        .map(|rep| {
            let total = |side: &BTreeMap<String, (String, Decimal)>| side.get(rep).map_or(Decimal::ZERO, |s| s.1);
            let name = before.get(rep).or(after.get(rep)).map_or(rep.as_str(), |s| s.0.as_str());
            RepChange {
                rep_id: rep.clone(),
                name: name.to_owned(),
                current: total(&before),
                new: total(&after),
                change: total(&after) - total(&before),
                current_attainment: attainment(&current_attained, rep),
                new_attainment: attainment(&new_attained, rep),
            }
        })
        .collect();
    reps.sort_by(|a, b| b.change.abs().cmp(&a.change.abs()).then_with(|| a.rep_id.cmp(&b.rep_id)));
    let attainments =
        |of: &BTreeMap<String, Attained>| -> Vec<Decimal> { of.values().filter_map(Attained::attainment).collect() };
    let (current_paid, new_paid): (Vec<Decimal>, Vec<Decimal>) =
        (current.statements.iter().map(|s| s.total).collect(), new.statements.iter().map(|s| s.total).collect());
    let (current_attains, new_attains) = (attainments(&current_attained), attainments(&new_attained));
    WhatIf {
        period: current.period.clone(),
        current_plan: current.plan.clone(),
        new_plan: new.plan.clone(),
        targets: targets.clone(),
        current_total: current.total,
        new_total: new.total,
        change: new.total - current.total,
        reps,
        current_spread: spread(current_paid.iter().copied()),
        new_spread: spread(new_paid.iter().copied()),
        current_attainment: spread(current_attains.iter().copied().map(shown)),
        new_attainment: spread(new_attains.iter().copied().map(shown)),
        payout_histogram: payout_buckets(&current_paid, &new_paid),
        attainment_histogram: attainment_buckets(&current_attains, &new_attains),
    }
}
