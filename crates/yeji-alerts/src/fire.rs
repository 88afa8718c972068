//! When a rule fires (pure): each kind's condition over the numbers of one
//! entity, and the numbers an alert names (SPEC §15.4 `numbers`).

use std::collections::BTreeMap;

/// The numbers an alert names, by name.
pub type Numbers = BTreeMap<String, f64>;

fn numbers<const N: usize>(pairs: [(&str, f64); N]) -> Numbers {
    pairs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
}

/// Revenue so far more than `behind` short of the target pro-rated by the
/// days elapsed: `to_date < (1 − behind) × target × elapsed / days`.
pub fn pace(to_date: f64, target: f64, (elapsed_days, days): (i64, i64), behind: f64) -> Option<Numbers> {
    if target <= 0.0 || elapsed_days <= 0 || days <= 0 {
        return None;
    }
    let expected = target * elapsed_days as f64 / days as f64;
    (to_date < (1.0 - behind) * expected).then(|| {
        numbers([
            ("to_date", to_date),
            ("target", target),
            ("expected", expected),
            ("elapsed_days", elapsed_days as f64),
            ("days", days as f64),
            ("behind", 1.0 - to_date / expected),
            ("threshold", behind),
        ])
    })
}

/// The projection to the period's end under `floor` of the target.
pub fn projected_attainment(to_date: f64, projected: f64, target: f64, floor: f64) -> Option<Numbers> {
    if target <= 0.0 {
        return None;
    }
    let attainment = projected / target;
    (attainment < floor).then(|| {
        numbers([
            ("to_date", to_date),
            ("projected", projected),
            ("target", target),
            ("projected_attainment", attainment),
            ("threshold", floor),
        ])
    })
}

pub fn below(value: f64, threshold: f64) -> Option<Numbers> {
    (value < threshold).then(|| numbers([("value", value), ("threshold", threshold)]))
}

pub fn above(value: f64, threshold: f64) -> Option<Numbers> {
    (value > threshold).then(|| numbers([("value", value), ("threshold", threshold)]))
}

/// Values of consecutive periods, oldest first, each lower than the one
/// before: the numbers are the values by period.
pub fn falling(values: &[(String, f64)]) -> Option<Numbers> {
    let fell = values.len() >= 2 && values.windows(2).all(|w| w[1].1 < w[0].1);
    fell.then(|| values.iter().cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_compares_with_the_target_pro_rated_by_the_days_elapsed() {
        // Target 92,000 over 92 days: 46,000 expected after 46 days; 15 %
        // behind is 39,100. 39,000 fires, 39,100 does not.
        let fired = pace(39_000.0, 92_000.0, (46, 92), 0.15).unwrap();
        assert_eq!(fired["expected"], 46_000.0);
        assert!((fired["behind"] - (1.0 - 39_000.0 / 46_000.0)).abs() < 1e-12);
        assert_eq!(pace(39_100.0, 92_000.0, (46, 92), 0.15), None);
        assert_eq!(pace(0.0, 0.0, (46, 92), 0.15), None, "no target, no pace");
    }

    #[test]
    fn the_other_kinds_fire_strictly_past_their_threshold() {
        assert_eq!(projected_attainment(50.0, 89.0, 100.0, 0.9).unwrap()["projected_attainment"], 0.89);
        assert_eq!(projected_attainment(50.0, 90.0, 100.0, 0.9), None);
        assert_eq!(below(0.29, 0.30).unwrap()["value"], 0.29);
        assert_eq!(below(0.30, 0.30), None);
        assert_eq!(above(0.0, 0.0), None);
        assert_eq!(above(10.0, 0.0).unwrap()["threshold"], 0.0);
        let months = |v: [f64; 3]| -> Vec<(String, f64)> {
            ["2026-07", "2026-08", "2026-09"].iter().zip(v).map(|(p, v)| (p.to_string(), v)).collect()
        };
        assert_eq!(falling(&months([12.0, 9.0, 6.0])).unwrap()["2026-08"], 9.0);
        assert_eq!(falling(&months([12.0, 9.0, 9.0])), None, "a flat period breaks the run");
        assert_eq!(falling(&months([9.0, 12.0, 6.0])), None);
    }
}
