//! How the reps' payouts and attainments are spread, under the current and
//! a new plan: the lowest, quartiles and highest, and how many reps fall in
//! each range (the what-if's histograms).

use rust_decimal::Decimal;
use serde::Serialize;

/// Attainment ranges: the bonus bands' 90% and 100% are edges.
const ATTAINMENT_EDGES: [Decimal; 6] = [tenths(7), tenths(8), tenths(9), tenths(10), tenths(11), tenths(12)];
/// `n` / 10, exact.
const fn tenths(n: u32) -> Decimal {
    Decimal::from_parts(n, 0, 0, false, 1)
}

/// About this many payout ranges above zero.
const PAYOUT_BUCKETS: u32 = 8;

/// The lowest, quartiles (nearest rank) and highest of some values.
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

impl Spread {
    /// "min / p25 / median / p75 / max", each as `show` writes it.
    pub fn text(&self, show: impl Fn(Decimal) -> String) -> String {
        [self.min, self.p25, self.median, self.p75, self.max].map(show).join(" / ")
    }
}

/// The reps whose value is in [`from`, `to`) (open where absent), under each side.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bucket {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub from: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub to: Option<Decimal>,
    pub current: usize,
    pub new: usize,
}

/// The value at rank ⌈q·n⌉ (1-based) of sorted `values`.
fn nearest_rank(sorted: &[Decimal], q: u32) -> Decimal {
    let n = sorted.len();
    let rank = (q as usize * n).div_ceil(100).clamp(1, n);
    sorted[rank - 1]
}

pub fn spread(values: impl Iterator<Item = Decimal>) -> Option<Spread> {
    let mut sorted: Vec<Decimal> = values.collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort();
    let at = |q| nearest_rank(&sorted, q);
    Some(Spread { min: sorted[0], p25: at(25), median: at(50), p75: at(75), max: sorted[sorted.len() - 1] })
}

/// The reps of each side in the ranges `edges` cut (ascending): below the
/// first, between each two, from the last up.
pub fn buckets(edges: &[Decimal], current: &[Decimal], new: &[Decimal]) -> Vec<Bucket> {
    let count = |values: &[Decimal], from: Option<Decimal>, to: Option<Decimal>| {
        values.iter().filter(|v| from.is_none_or(|f| **v >= f) && to.is_none_or(|t| **v < t)).count()
    };
    let bounds: Vec<Option<Decimal>> = std::iter::once(None).chain(edges.iter().copied().map(Some)).collect();
    bounds
        .iter()
        .enumerate()
        .map(|(i, &from)| {
            let to = bounds.get(i + 1).copied().flatten();
            Bucket { from, to, current: count(current, from, to), new: count(new, from, to) }
        })
        .collect()
}

pub fn attainment_buckets(current: &[Decimal], new: &[Decimal]) -> Vec<Bucket> {
    buckets(&ATTAINMENT_EDGES, current, new)
}

/// Payout ranges of a round width (1, 2 or 5 times a power of ten) from 0
/// to the largest payout of either side, clawbacks below 0.
pub fn payout_buckets(current: &[Decimal], new: &[Decimal]) -> Vec<Bucket> {
    let largest = current.iter().chain(new).copied().max().unwrap_or_default();
    let mut edges = vec![Decimal::ZERO];
    if largest > Decimal::ZERO {
        let width = round_width(largest / Decimal::from(PAYOUT_BUCKETS));
        while let Some(&last) = edges.last().filter(|&&e| e + width <= largest) {
            edges.push(last + width);
        }
    }
    buckets(&edges, current, new)
}

/// The smallest of 1, 2, 5 × 10^k that is at least `raw` (> 0).
fn round_width(raw: Decimal) -> Decimal {
    let ten = Decimal::TEN;
    let mut power = Decimal::ONE;
    while power * ten <= raw {
        power *= ten;
    }
    while power > raw && power.scale() < 6 {
        power /= ten;
    }
    [1, 2, 5, 10].map(Decimal::from).into_iter().map(|m| m * power).find(|w| *w >= raw).unwrap_or(power * ten)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn ds(texts: &[&str]) -> Vec<Decimal> {
        texts.iter().map(|t| d(t)).collect()
    }

    #[test]
    fn the_spread_is_by_nearest_rank() {
        // Five values 10..50: p25 = rank ⌈1.25⌉ = 2 → 20, median rank 3 → 30, p75 rank 4 → 40.
        let s = spread(ds(&["30", "10", "50", "20", "40"]).into_iter()).unwrap();
        assert_eq!((s.min, s.p25, s.median, s.p75, s.max), (d("10"), d("20"), d("30"), d("40"), d("50")));
        assert_eq!(spread(std::iter::empty()), None);
    }

    #[test]
    fn attainment_falls_in_the_range_its_band_starts() {
        // 0.8999 is below 90%; 0.9 and 0.9999 are in [90%, 100%); 1.0 in [100%, 110%).
        let counts: Vec<(usize, usize)> =
            attainment_buckets(&ds(&["0.8999", "0.9", "0.9999", "1.0", "2"]), &ds(&["0.5"]))
                .iter()
                .map(|b| (b.current, b.new))
                .collect();
        assert_eq!(counts, vec![(0, 1), (0, 0), (1, 0), (2, 0), (1, 0), (0, 0), (1, 0)]);
    }

    #[test]
    fn payout_ranges_have_a_round_width() {
        // Largest 12,345.67: 12,345.67 / 8 = 1,543.2 → width 2,000: edges 0, 2,000 … 12,000.
        let b = payout_buckets(&ds(&["-100", "0", "1999.99", "12345.67"]), &ds(&["2000"]));
        let edges: Vec<Option<Decimal>> = b.iter().map(|b| b.from).collect();
        assert_eq!(edges[1..].to_vec(), ["0", "2000", "4000", "6000", "8000", "10000", "12000"].map(|e| Some(d(e))));
        assert_eq!((b[0].current, b[1].current, b[2].new, b[7].current), (1, 2, 1, 1));
        assert_eq!(round_width(d("0.3")), d("0.5"));
        assert_eq!(payout_buckets(&ds(&["0"]), &[]).len(), 2);
    }
}
