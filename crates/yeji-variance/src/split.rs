//! The split of a revenue change by product (SPEC §15.3). Per product i,
//! quantity qᵢ and revenue rᵢ in each period, pᵢ = rᵢ / qᵢ, Q = Σ qᵢ, R = Σ rᵢ
//! and P̄₀ = R₀ / Q₀ over the products sold in both periods:
//! volume = (Q₁ − Q₀) · P̄₀, mix = Σ q₁ᵢ p₀ᵢ − Q₁ · P̄₀, price = Σ q₁ᵢ (p₁ᵢ − p₀ᵢ);
//! every other product's r₁ᵢ − r₀ᵢ goes to new (sold only in P), lost (only
//! in Q) or other (in neither: returns only). A product whose net quantity
//! is 0 or less is not sold in that period. Volume and mix are rounded to
//! the cent and price is what the common products' change leaves (it is
//! Σ q₁ᵢ p₁ᵢ − Σ q₁ᵢ p₀ᵢ exactly), so the effects sum to the change exactly.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// One product's (or customer's, channel's) net quantity and revenue in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sales {
    pub quantity: Decimal,
    pub revenue: Decimal,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Effects {
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub volume: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub price: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub mix: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub new_products: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lost_products: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub other: Decimal,
}

impl Effects {
    pub fn total(&self) -> Decimal {
        self.volume + self.price + self.mix + self.new_products + self.lost_products + self.other
    }
}

fn cents(v: Decimal) -> Decimal {
    v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The effects of the change from `against` (Q) to `now` (P), by product.
pub fn effects(now: &BTreeMap<String, Sales>, against: &BTreeMap<String, Sales>) -> Effects {
    fn sold(s: Option<&Sales>) -> Option<&Sales> {
        s.filter(|s| s.quantity > Decimal::ZERO)
    }
    let zero = Sales::default();
    let mut out = Effects::default();
    let (mut q0, mut q1, mut r0, mut r1, mut q1_p0) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let products: std::collections::BTreeSet<&String> = now.keys().chain(against.keys()).collect();
    for product in products {
        let (p1, p0) = (now.get(product), against.get(product));
        let delta = p1.unwrap_or(&zero).revenue - p0.unwrap_or(&zero).revenue;
        match (sold(p1), sold(p0)) {
            (Some(a), Some(b)) => {
                (q0, q1, r0, r1) = (q0 + b.quantity, q1 + a.quantity, r0 + b.revenue, r1 + a.revenue);
                q1_p0 += a.quantity * b.revenue / b.quantity;
            }
            (Some(_), None) => out.new_products += delta,
            (None, Some(_)) => out.lost_products += delta,
            (None, None) => out.other += delta,
        }
    }
    if !q0.is_zero() {
        let mean_price0 = r0 / q0;
        out.volume = cents((q1 - q0) * mean_price0);
        out.mix = cents(q1_p0 - q1 * mean_price0);
    }
    out.price = (r1 - r0) - out.volume - out.mix;
    out
}

/// One key's revenue in both periods and the change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub key: String,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub revenue: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub revenue_against: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub change: Decimal,
}

/// Every key's change, largest move first (ties by key).
pub fn changes(now: &BTreeMap<String, Sales>, against: &BTreeMap<String, Sales>) -> Vec<Change> {
    let keys: std::collections::BTreeSet<&String> = now.keys().chain(against.keys()).collect();
    let mut out: Vec<Change> = keys
        .into_iter()
        .map(|key| {
            let revenue = now.get(key).map_or(Decimal::ZERO, |s| s.revenue);
            let revenue_against = against.get(key).map_or(Decimal::ZERO, |s| s.revenue);
            Change { key: key.clone(), revenue, revenue_against, change: revenue - revenue_against }
        })
        .collect();
    out.sort_by(|a, b| b.change.abs().cmp(&a.change.abs()).then(a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sales(rows: &[(&str, i64, i64)]) -> BTreeMap<String, Sales> {
        rows.iter()
            .map(|(id, q, r)| (id.to_string(), Sales { quantity: Decimal::new(*q, 0), revenue: Decimal::new(*r, 0) }))
            .collect()
    }

    #[test]
    fn a_change_splits_into_volume_price_mix_new_lost_and_other() {
        // Q: A 10 × 100 = 1000, B 10 × 50 = 500, L (lost) 5 × 20 = 100, X returned only (−2, −40).
        // P: A 12 × 110 = 1320, B 20 × 50 = 1000, N (new) 3 × 30 = 90, X nothing.
        let against = sales(&[("A", 10, 1000), ("B", 10, 500), ("L", 5, 100), ("X", -2, -40)]);
        let now = sales(&[("A", 12, 1320), ("B", 20, 1000), ("N", 3, 90)]);
        let effects = effects(&now, &against);
        // Common A and B: Q0 = 20, Q1 = 32, R0 = 1500, R1 = 2320, P̄0 = 75.
        // volume = 12 × 75 = 900; Σ q1 p0 = 12 × 100 + 20 × 50 = 2200; mix = 2200 − 32 × 75 = −200;
        // price = 12 × (110 − 100) + 20 × 0 = 120; 900 − 200 + 120 = 820 = 2320 − 1500.
        assert_eq!(
            (effects.volume, effects.mix, effects.price),
            (Decimal::new(900, 0), Decimal::new(-200, 0), Decimal::new(120, 0))
        );
        assert_eq!(
            (effects.new_products, effects.lost_products, effects.other),
            (Decimal::new(90, 0), Decimal::new(-100, 0), Decimal::new(40, 0))
        );
        // Total change: (1320 + 1000 + 90) − (1000 + 500 + 100 − 40) = 2410 − 1560 = 850.
        assert_eq!(effects.total(), Decimal::new(850, 0));
        let by = changes(&now, &against);
        assert_eq!(by[0].key, "B", "the largest move first: B +500");
        assert_eq!(by.iter().map(|c| c.change).sum::<Decimal>(), Decimal::new(850, 0));
    }

    #[test]
    fn thirds_round_to_the_cent_and_still_sum_exactly() {
        // A: 3 for 100 then 4 for 140 (p0 = 33.333…); B: 3 for 200 then 3 for 200.
        let against = sales(&[("A", 3, 100), ("B", 3, 200)]);
        let now = sales(&[("A", 4, 140), ("B", 3, 200)]);
        let e = effects(&now, &against);
        // P̄0 = 300 / 6 = 50: volume = 1 × 50 = 50; Σ q1 p0 = 4 × 33.333… + 3 × 66.666… = 333.33…;
        // mix = 333.33… − 7 × 50 = −16.666… → −16.67; price = 40 − 50 + 16.67 = 6.67 (4 × 1.666… = 6.666…).
        assert_eq!((e.volume, e.mix, e.price), (Decimal::new(50, 0), Decimal::new(-1667, 2), Decimal::new(667, 2)));
        assert_eq!(e.total(), Decimal::new(40, 0));
    }
}
