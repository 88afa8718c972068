//! Sharing an amount among children by weight, exactly: each share rounded
//! half up to the currency's minor unit, the remainder (a few minor units, of
//! either sign) to the largest child, ties to the first by id, so the
//! children always sum to the parent (SPEC §15.2).

use rust_decimal::{Decimal, RoundingStrategy};

/// `total` shared among `children` by their weights (negative weights count
/// as none; all none: an even split), each to `scale` decimals.
pub fn split(total: Decimal, children: &[(String, Decimal)], scale: u32) -> Vec<(String, Decimal)> {
    if children.is_empty() {
        return Vec::new();
    }
    let weight = |w: Decimal| w.max(Decimal::ZERO);
    let sum: Decimal = children.iter().map(|(_, w)| weight(*w)).sum();
    let even = sum.is_zero();
    let mut shares: Vec<(String, Decimal)> = children
        .iter()
        .map(|(id, w)| {
            let raw = if even { total / Decimal::from(children.len()) } else { total * weight(*w) / sum };
            (id.clone(), raw.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero))
        })
        .collect();
    let remainder = total - shares.iter().map(|(_, v)| *v).sum::<Decimal>();
    if !remainder.is_zero() {
        let largest = (0..shares.len())
            .max_by(|&a, &b| shares[a].1.cmp(&shares[b].1).then(shares[b].0.cmp(&shares[a].0)))
            .expect("children");
        shares[largest].1 += remainder;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn children(weights: &[(&str, &str)]) -> Vec<(String, Decimal)> {
        weights.iter().map(|(id, w)| (id.to_string(), d(w))).collect()
    }

    #[test]
    fn thirds_of_a_hundred_give_the_cent_to_the_largest_first_by_id() {
        // 100 / 3 = 33.333…: 33.33 each, 0.01 left, to the first of the equals by id.
        let shares = split(d("100"), &children(&[("b", "1"), ("a", "1"), ("c", "1")]), 2);
        assert_eq!(shares, children(&[("b", "33.33"), ("a", "33.34"), ("c", "33.33")]));
        // 10 by 1:2 → 3.333… and 6.666…: 3.33 and 6.67 already sum to 10.
        assert_eq!(split(d("10"), &children(&[("x", "1"), ("y", "2")]), 2), children(&[("x", "3.33"), ("y", "6.67")]));
        // No history anywhere: an even split (4.5 each rounds to 5, the −1 goes to x,
        // first of the equals); a negative weight counts as none.
        assert_eq!(split(d("9"), &children(&[("x", "0"), ("y", "-5")]), 0), children(&[("x", "4"), ("y", "5")]));
        assert_eq!(split(d("9"), &children(&[("x", "1"), ("y", "-5")]), 0), children(&[("x", "9"), ("y", "0")]));
    }

    proptest! {
        #[test]
        fn the_children_always_sum_to_the_parent(
            cents in 0i64..10_000_000_000,
            weights in proptest::collection::vec(-1000i64..1_000_000, 1..40),
        ) {
            let total = Decimal::new(cents, 2);
            let children: Vec<(String, Decimal)> =
                weights.iter().enumerate().map(|(i, w)| (format!("c{i:02}"), Decimal::new(*w, 1))).collect();
            let shares = split(total, &children, 2);
            prop_assert_eq!(shares.iter().map(|(_, v)| *v).sum::<Decimal>(), total);
            prop_assert!(shares.iter().all(|(_, v)| v.scale() <= 2));
        }
    }
}
