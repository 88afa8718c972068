//! What-if (SPEC §15.6 `whatif`): a run under a new plan beside the run
//! under the plans in effect, before anything is saved: the total cost, the
//! change per rep, and the spread of payouts under each.

use rust_decimal::Decimal;
use serde::Serialize;

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
}

/// The spread of the reps' totals: the lowest, quartiles (nearest rank), the highest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Spread {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub min: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub p25: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub median: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub p75: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub max: Decimal,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    pub period: String,
    pub current_plan: String,
    pub new_plan: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub current_total: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub new_total: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub change: Decimal,
    /// Largest change first.
    pub reps: Vec<RepChange>,
    pub current_spread: Option<Spread>,
    pub new_spread: Option<Spread>,
}

/// The value at rank ⌈q·n⌉ (1-based) of sorted `values`.
fn nearest_rank(sorted: &[Decimal], q: u32) -> Decimal {
    let n = sorted.len();
    let rank = (q as usize * n).div_ceil(100).clamp(1, n);
    sorted[rank - 1]
}

pub fn spread(totals: impl Iterator<Item = Decimal>) -> Option<Spread> {
    let mut sorted: Vec<Decimal> = totals.collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort();
    let at = |q| nearest_rank(&sorted, q);
    Some(Spread { min: sorted[0], p25: at(25), median: at(50), p75: at(75), max: sorted[sorted.len() - 1] })
}

/// `new` beside `current` (runs of the same period).
/// `new` priced for `period` against the workspace's saved plans (nothing saved).
pub async fn price(
    (catalog, facts): (&yeji_store::Catalog, &yeji_eval::Facts),
    new: &Schedule,
    period: &yeji_core::Period,
) -> Result<WhatIf, IncentiveError> {
    let current = Schedule::saved(catalog).await?;
    let (current, new) = (crate::run(facts, &current, period).await?, crate::run(facts, new, period).await?);
    Ok(compare(&current, &new))
}

pub fn compare(current: &Run, new: &Run) -> WhatIf {
    let total_of =
        |run: &Run, rep: &str| run.statements.iter().find(|s| s.rep_id == rep).map_or(Decimal::ZERO, |s| s.total);
    let mut reps: Vec<RepChange> = current
        .statements
        .iter()
        .chain(new.statements.iter().filter(|s| current.statements.iter().all(|c| c.rep_id != s.rep_id)))
        .map(|s| {
            let (before, after) = (total_of(current, &s.rep_id), total_of(new, &s.rep_id));
            RepChange {
                rep_id: s.rep_id.clone(),
                name: s.name.clone(),
                current: before,
                new: after,
                change: after - before,
            }
        })
        .collect();
    reps.sort_by(|a, b| b.change.abs().cmp(&a.change.abs()).then_with(|| a.rep_id.cmp(&b.rep_id)));
    WhatIf {
        period: current.period.clone(),
        current_plan: current.plan.clone(),
        new_plan: new.plan.clone(),
        current_total: current.total,
        new_total: new.total,
        change: new.total - current.total,
        reps,
        current_spread: spread(current.statements.iter().map(|s| s.total)),
        new_spread: spread(new.statements.iter().map(|s| s.total)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn the_spread_is_by_nearest_rank() {
        // Five totals 10..50: p25 = rank ⌈1.25⌉ = 2 → 20, median rank 3 → 30, p75 rank 4 → 40.
        let s = spread(["30", "10", "50", "20", "40"].iter().map(|v| d(v))).unwrap();
        assert_eq!((s.min, s.p25, s.median, s.p75, s.max), (d("10"), d("20"), d("30"), d("40"), d("50")));
        assert_eq!(spread(std::iter::empty()), None);
    }
}
