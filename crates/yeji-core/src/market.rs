//! Market sizes for market share (SPEC §5: revenue / market_size of the
//! matching region and product line). Rows of market.csv are per period and
//! may name a region and a product line; a row without a product line is the
//! whole market of its region, a row without a region the whole country's.

use crate::period::Period;

/// One row of market.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct MarketRow {
    pub period: Period,
    pub region: Option<String>,
    pub product_line: Option<String>,
    pub size: f64,
}

/// The size of one market in `period` from its rows: the rows for exactly the
/// period, else rows of shorter periods within it that together cover every
/// day of it (a quarter from its months, a year from quarters and months),
/// longer periods first. `None` when the rows do not cover the period: a
/// share of part of a market would be too large.
pub fn covered_size(period: &Period, rows: &[&MarketRow]) -> Option<f64> {
    let exact: Vec<f64> = rows.iter().filter(|r| r.period == *period).map(|r| r.size).collect();
    if !exact.is_empty() {
        return Some(exact.iter().sum());
    }
    let mut within: Vec<&MarketRow> = rows
        .iter()
        .copied()
        .filter(|r| r.period.start() >= period.start() && r.period.end_exclusive() <= period.end_exclusive())
        .collect();
    within.sort_by_key(|r| (std::cmp::Reverse(r.period.days()), r.period.start()));
    let mut taken: Vec<Period> = Vec::new();
    let mut size = 0.0;
    for row in within {
        let overlaps =
            taken.iter().any(|t| t.start() < row.period.end_exclusive() && row.period.start() < t.end_exclusive());
        let same = taken.contains(&row.period);
        if same {
            size += row.size; // several rows of one period add up (e.g. sub-markets)
        } else if !overlaps {
            taken.push(row.period);
            size += row.size;
        }
    }
    let days: i64 = taken.iter().map(Period::days).sum();
    (days == period.days()).then_some(size)
}

/// The market of `region` (`None`: the whole market) in `period`: its rows
/// without a product line, else the sum over its product lines (each of
/// which must cover the period); for the whole market, else the sum over the
/// regions.
pub fn market_size(period: &Period, rows: &[MarketRow], region: Option<&str>) -> Option<f64> {
    let of_region: Vec<&MarketRow> = rows.iter().filter(|r| r.region.as_deref() == region).collect();
    let whole: Vec<&MarketRow> = of_region.iter().copied().filter(|r| r.product_line.is_none()).collect();
    if let Some(size) = covered_size(period, &whole) {
        return Some(size);
    }
    let by_line = sum_over(
        &of_region,
        |r| r.product_line.as_deref(),
        |line| {
            let line_rows: Vec<&MarketRow> =
                of_region.iter().copied().filter(|r| r.product_line.as_deref() == Some(line)).collect();
            covered_size(period, &line_rows)
        },
    );
    if by_line.is_some() || region.is_some() {
        return by_line;
    }
    let all: Vec<&MarketRow> = rows.iter().collect();
    sum_over(&all, |r| r.region.as_deref(), |region| market_size(period, rows, Some(region)))
}

/// Σ `size(key)` over the distinct keys of `rows`; `None` when there is no key
/// or one key has no size.
fn sum_over<'a>(
    rows: &[&'a MarketRow],
    key: impl Fn(&'a MarketRow) -> Option<&'a str>,
    size: impl Fn(&str) -> Option<f64>,
) -> Option<f64> {
    let mut keys: Vec<&str> = rows.iter().filter_map(|r| key(r)).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return None;
    }
    keys.into_iter().map(size).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(period: &str, region: Option<&str>, line: Option<&str>, size: f64) -> MarketRow {
        MarketRow {
            period: period.parse().unwrap(),
            region: region.map(Into::into),
            product_line: line.map(Into::into),
            size,
        }
    }

    #[test]
    fn a_quarter_sums_its_months_and_a_partial_cover_gives_no_size() {
        let q3: Period = "2026-Q3".parse().unwrap();
        let months = [row("2026-07", Some("E"), None, 100.0), row("2026-08", Some("E"), None, 120.0)];
        assert_eq!(market_size(&q3, &months, Some("E")), None, "September is missing");
        let mut all = months.to_vec();
        all.push(row("2026-09", Some("E"), None, 80.0));
        assert_eq!(market_size(&q3, &all, Some("E")), Some(300.0));
        // A row for exactly the quarter wins over its months.
        all.push(row("2026-Q3", Some("E"), None, 310.0));
        assert_eq!(market_size(&q3, &all, Some("E")), Some(310.0));
        // A year from two halves beats four quarters' worth of months.
        let year: Period = "2026".parse().unwrap();
        let halves =
            [row("2026-H1", None, None, 500.0), row("2026-H2", None, None, 600.0), row("2026-07", None, None, 90.0)];
        assert_eq!(market_size(&year, &halves, None), Some(1100.0));
    }

    #[test]
    fn whole_market_rows_are_not_added_to_product_line_rows() {
        let q3: Period = "2026-Q3".parse().unwrap();
        let rows = [
            row("2026-Q3", Some("E"), None, 1000.0),
            row("2026-Q3", Some("E"), Some("软件"), 400.0),
            row("2026-Q3", Some("E"), Some("硬件"), 600.0),
            row("2026-Q3", Some("N"), Some("软件"), 300.0),
            row("2026-Q3", Some("N"), Some("硬件"), 200.0),
        ];
        assert_eq!(market_size(&q3, &rows, Some("E")), Some(1000.0), "the region's whole market row");
        assert_eq!(market_size(&q3, &rows, Some("N")), Some(500.0), "no whole row: its lines summed");
        assert_eq!(market_size(&q3, &rows, None), Some(1500.0), "no national row: the regions summed");
        assert_eq!(market_size(&q3, &rows, Some("W")), None);
    }
}
