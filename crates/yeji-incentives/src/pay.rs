//! What each component pays a rep for a month (pure, exact decimals): the
//! attainment bonus (the band the attainment reaches, compared without
//! rounding, times the base salary) and the commission (marginal: each
//! tier's rate on its slice; retroactive: the reached tier's rate on all;
//! a negative base at the first tier's rate, a clawback; then the cap and
//! the floor as lines of their own). Each line's amount is rounded once to
//! the minor unit; a statement's total is the sum of its rounded lines.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use yeji_core::MINOR_UNIT;

use crate::plan::{Band, Method, Rounding, Tier};

/// One line of a statement (SPEC §15.6).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The component's id.
    pub component: String,
    /// The month it pays for.
    pub period: String,
    /// What the rate applies to: the base salary, or the slice of the measure in a tier.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub base: Decimal,
    /// The rep's measured value: attainment (1.00 = 100 %), or the commission's measure.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub measure: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rate: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    /// What the line does; absent for a line that pays (a tier, a band, a cap).
    #[serde(default, skip_serializing_if = "LineKind::is_pay")]
    pub kind: LineKind,
    /// The month whose holdback a release or forfeit line concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
}

/// What a line does to the pay (SPEC §15.6 lines, with release on collection).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Earned: a band, a tier's slice, a cap or floor, an adjustment.
    #[default]
    Pay,
    /// The part of the month's commission held until its invoices are paid
    /// (base: the commission, rate: the share held, amount: minus it).
    Holdback,
    /// Held commission released as invoices are paid (base: the month's
    /// holdback, measure: paid this month on its invoices, rate: the share released).
    Release,
    /// Held commission lost on invoices unpaid past the plan's age (base: the
    /// holdback, measure: the money forfeited, rate: its share; amount 0: it was held).
    Forfeit,
}

impl LineKind {
    fn is_pay(&self) -> bool {
        *self == LineKind::Pay
    }
}

impl Line {
    /// A line that pays `amount` for `component` in `period`.
    pub fn pay(component: &str, period: &str, base: Decimal, measure: Decimal, rate: Decimal, amount: Decimal) -> Line {
        Line {
            component: component.to_owned(),
            period: period.to_owned(),
            base,
            measure,
            rate,
            amount,
            kind: LineKind::Pay,
            of: None,
        }
    }
}

pub fn round(amount: Decimal, rounding: Rounding) -> Decimal {
    let strategy = match rounding {
        Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    let mut rounded = amount.round_dp_with_strategy(MINOR_UNIT, strategy);
    rounded.rescale(MINOR_UNIT);
    rounded
}

/// An amount as statements show it: its own decimals, at least the minor unit's.
pub fn money(amount: Decimal) -> Decimal {
    let mut shown = amount.normalize();
    if shown.scale() < MINOR_UNIT {
        shown.rescale(MINOR_UNIT);
    }
    shown
}

/// The bonus rate for `attainment`: the highest band it reaches (`bands`
/// from the highest `from` down), 0 below them all.
pub fn band_rate(attainment: Decimal, bands: &[Band]) -> Decimal {
    bands.iter().find(|band| attainment >= band.from).map_or(Decimal::ZERO, |band| band.rate)
}

/// The commission on `base` as (slice, rate) pairs, before rounding.
pub fn commission_slices(base: Decimal, tiers: &[Tier], method: Method) -> Vec<(Decimal, Decimal)> {
    if base.is_sign_negative() {
        return vec![(base, tiers[0].rate)];
    }
    match method {
        Method::Retroactive => {
            let reached = tiers.iter().find(|t| t.up_to.is_none_or(|up_to| base <= up_to)).unwrap_or(&tiers[0]);
            vec![(base, reached.rate)]
        }
        Method::Marginal => {
            let mut below = Decimal::ZERO;
            let mut out = Vec::new();
            for tier in tiers {
                let top = tier.up_to.map_or(base, |up_to| up_to.min(base));
                if top > below || out.is_empty() {
                    out.push(((top - below).max(Decimal::ZERO), tier.rate));
                }
                below = tier.up_to.unwrap_or(base).max(below);
                if below >= base {
                    break;
                }
            }
            out
        }
    }
}

/// The cap or floor line a component's `sum` of lines needs, if any.
pub fn limit(sum: Decimal, cap: Option<Decimal>, floor: Option<Decimal>) -> Option<Decimal> {
    match (cap, floor) {
        (Some(cap), _) if sum > cap => Some(cap - sum),
        (_, Some(floor)) if sum < floor => Some(floor - sum),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn seed_tiers() -> Vec<Tier> {
        vec![Tier { up_to: Some(d("500000")), rate: d("0.05") }, Tier { up_to: None, rate: d("0.07") }]
    }

    #[test]
    fn bonus_bands_at_their_edges() {
        // Seed 002: ≥ 100 % → 5 %, ≥ 90 % → 2 %, below → none; compared unrounded.
        let bands = vec![Band { from: d("1.00"), rate: d("0.05") }, Band { from: d("0.90"), rate: d("0.02") }];
        let rates: Vec<Decimal> =
            ["0.8999", "0.90", "0.9999", "1.00", "1.37"].iter().map(|a| band_rate(d(a), &bands)).collect();
        assert_eq!(rates, [d("0"), d("0.02"), d("0.02"), d("0.05"), d("0.05")]);
        // 8,000 base at 5 %: 400.00.
        assert_eq!(round(d("8000") * band_rate(d("1"), &bands), Rounding::HalfUp), d("400.00"));
    }

    #[test]
    fn six_hundred_thousand_marginal_and_retroactive() {
        // Seed 003: 500,000 at 5 % = 25,000 plus 100,000 at 7 % = 7,000: 32,000; retroactive 7 % of all: 42,000.
        let marginal = commission_slices(d("600000"), &seed_tiers(), Method::Marginal);
        assert_eq!(marginal, [(d("500000"), d("0.05")), (d("100000"), d("0.07"))]);
        let paid: Decimal = marginal.iter().map(|(s, r)| round(s * r, Rounding::HalfUp)).sum();
        assert_eq!(paid, d("32000.00"));
        let retro = commission_slices(d("600000"), &seed_tiers(), Method::Retroactive);
        assert_eq!(round(retro[0].0 * retro[0].1, Rounding::HalfUp), d("42000.00"));
        // Exactly at the tier's top stays in it; below it one slice.
        assert_eq!(commission_slices(d("500000"), &seed_tiers(), Method::Retroactive), [(d("500000"), d("0.05"))]);
        assert_eq!(commission_slices(d("300000"), &seed_tiers(), Method::Marginal), [(d("300000"), d("0.05"))]);
        // A negative month (returns) claws back at the first tier's rate.
        assert_eq!(commission_slices(d("-1000"), &seed_tiers(), Method::Marginal), [(d("-1000"), d("0.05"))]);
    }

    #[test]
    fn rounding_is_once_per_line_half_up_or_even() {
        assert_eq!(round(d("0.125"), Rounding::HalfUp), d("0.13"));
        assert_eq!(round(d("0.125"), Rounding::HalfEven), d("0.12"));
        assert_eq!(round(d("-0.125"), Rounding::HalfUp), d("-0.13"));
        assert_eq!(limit(d("32000"), Some(d("30000")), None), Some(d("-2000")));
        assert_eq!(limit(d("100"), Some(d("30000")), Some(d("500"))), Some(d("400")));
        assert_eq!(limit(d("1000"), Some(d("30000")), Some(d("500"))), None);
    }
}
