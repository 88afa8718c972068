//! Top-down decomposition (SPEC §15.2): the top entity's target for a period
//! is shared among its months, then each month's value down the org tree,
//! so every month sums exactly over the tree; an entity's value for each
//! quarter and for the whole period is the sum of its months.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use yeji_core::Period;

use crate::split::split;

/// One target row, as the targets data holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub period: String,
    pub entity_id: String,
    pub metric: String,
    pub product_line: Option<String>,
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
}

/// The org tree to share along: each node's children with their weights.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    pub root: String,
    pub children: BTreeMap<String, Vec<(String, Decimal)>>,
}

impl Tree {
    /// The nodes from the root down, parents before children.
    pub fn nodes(&self) -> Vec<&str> {
        let mut out = vec![self.root.as_str()];
        let mut next = 0;
        while next < out.len() {
            if let Some(children) = self.children.get(out[next]) {
                out.extend(children.iter().map(|(id, _)| id.as_str()));
            }
            next += 1;
        }
        out
    }
}

/// The decomposition of `total` (the root's `metric` target for `period`):
/// month by month by `months` weights (the period's months, in order), each
/// month down `tree`, to `scale` decimals. Rows: every node's months, then
/// its quarters (when the period spans more than one) and the period (but
/// the root's, which is the parent).
pub fn decompose(
    (period, metric, total): (&Period, &str, Decimal),
    months: &[(Period, Decimal)],
    tree: &Tree,
    scale: u32,
) -> Vec<Target> {
    let month_weights: Vec<(String, Decimal)> = months.iter().map(|(m, w)| (m.to_string(), *w)).collect();
    let nodes = tree.nodes();
    // node → its value in each month.
    let mut values: BTreeMap<&str, Vec<(Period, Decimal)>> = BTreeMap::new();
    for ((month, _), (_, value)) in months.iter().zip(split(total, &month_weights, scale)) {
        let mut of_month: BTreeMap<&str, Decimal> = [(tree.root.as_str(), value)].into();
        for node in &nodes {
            let here = of_month[node];
            values.entry(node).or_default().push((*month, here));
            for (child, share) in split(here, tree.children.get(*node).map_or(&[][..], Vec::as_slice), scale) {
                let child = tree.children[*node].iter().find(|(id, _)| *id == child).map(|(id, _)| id.as_str());
                of_month.insert(child.expect("a child of the node"), share);
            }
        }
    }
    let row = |period: String, entity: &str, value| Target {
        period,
        entity_id: entity.to_owned(),
        metric: metric.to_owned(),
        product_line: None,
        value,
    };
    let mut out = Vec::new();
    for node in &nodes {
        let of_node = &values[node];
        out.extend(of_node.iter().map(|(month, value)| row(month.to_string(), node, *value)));
        let mut quarters: BTreeMap<String, Decimal> = BTreeMap::new();
        for (month, value) in of_node {
            *quarters.entry(Period::quarter_of(month.start()).to_string()).or_default() += value;
        }
        if quarters.len() > 1 {
            out.extend(quarters.into_iter().map(|(quarter, value)| row(quarter, node, value)));
        }
        if *node != tree.root && of_node.len() > 1 {
            out.push(row(period.to_string(), node, of_node.iter().map(|(_, v)| *v).sum()));
        }
    }
    out
}

/// The decomposition of `total` first among product `lines` (by weight),
/// then each line's share as [`decompose`] shares a total (the same months
/// and tree): rows for every line (the root's whole period too), then each
/// node's totals as the sums of its lines, so every node's children sum
/// exactly to it in each line and in all.
pub fn decompose_lines(
    (period, metric, total): (&Period, &str, Decimal),
    months: &[(Period, Decimal)],
    tree: &Tree,
    lines: &[(String, Decimal)],
    scale: u32,
) -> Vec<Target> {
    let mut totals: Vec<Target> = Vec::new();
    let mut out = Vec::new();
    for (line, share) in split(total, lines, scale) {
        let mut rows = decompose((period, metric, share), months, tree, scale);
        rows.push(Target {
            period: period.to_string(),
            entity_id: tree.root.clone(),
            metric: metric.to_owned(),
            product_line: None,
            value: share,
        });
        if totals.is_empty() {
            totals = rows.iter().map(|r| Target { value: Decimal::ZERO, ..r.clone() }).collect();
        }
        for (sum, row) in totals.iter_mut().zip(&mut rows) {
            sum.value += row.value;
            row.product_line = Some(line.clone());
        }
        out.extend(rows);
    }
    totals.pop(); // the root's whole period: the parent itself
    totals.extend(out);
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn a_year_goes_to_its_months_then_down_the_tree_and_everything_sums() {
        // 1,200,000.00 for 2026 by seasonality weights 1:1:…:2 (December
        // twice a month): 1,200,000 / 13 = 92,307.69… a month, December
        // 184,615.38…; the tree HQ → E (weight 3) and N (1); E → R1 (1), R2 (1).
        let months: Vec<(Period, Decimal)> = (1..=12)
            .map(|m| (format!("2026-{m:02}").parse().unwrap(), if m == 12 { d("2") } else { d("1") }))
            .collect();
        let tree = Tree {
            root: "HQ".into(),
            children: [
                ("HQ".to_owned(), vec![("E".to_owned(), d("3")), ("N".to_owned(), d("1"))]),
                ("E".to_owned(), vec![("R1".to_owned(), d("1")), ("R2".to_owned(), d("1"))]),
            ]
            .into(),
        };
        let year: Period = "2026".parse().unwrap();
        let rows = decompose((&year, "revenue", d("1200000.00")), &months, &tree, 2);
        let value = |period: &str, entity: &str| {
            rows.iter().find(|r| r.period == period && r.entity_id == entity).map(|r| r.value)
        };
        // 11 × 92,307.69 + 184,615.38 = 1,199,999.97: the 0.03 go to the largest month, December.
        assert_eq!(value("2026-01", "HQ"), Some(d("92307.69")));
        assert_eq!(value("2026-12", "HQ"), Some(d("184615.41")));
        // January down the tree: E 3/4 = 69,230.7675 → 69,230.77, N 23,076.9225 → 23,076.92.
        assert_eq!((value("2026-01", "E"), value("2026-01", "N")), (Some(d("69230.77")), Some(d("23076.92"))));
        // E's January to R1 and R2: 34,615.385 each → 34,615.39 twice, −0.01 to R1 (first by id).
        assert_eq!((value("2026-01", "R1"), value("2026-01", "R2")), (Some(d("34615.38")), Some(d("34615.39"))));
        for month in 1..=12 {
            let m = format!("2026-{month:02}");
            let at = |e: &str| value(&m, e).unwrap();
            assert_eq!(at("E") + at("N"), at("HQ"), "{m} sums over HQ's children");
            assert_eq!(at("R1") + at("R2"), at("E"), "{m} sums over E's children");
        }
        let year_of = |e: &str| value("2026", e).unwrap();
        assert_eq!(year_of("E") + year_of("N"), d("1200000.00"));
        let quarters: Decimal =
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"].iter().map(|q| value(q, "R1").unwrap()).sum();
        assert_eq!(quarters, year_of("R1"), "a rep's quarters sum to their year");
        assert_eq!(value("2026", "HQ"), None, "the parent is not repeated");
    }

    #[test]
    fn product_lines_share_the_total_and_each_decomposes_down_the_tree() {
        // 100.00 for 2026-Q3, evenly over its months, HQ → R1 (1), R2 (2);
        // lines A 2 : B 1: A 66.67, B 33.33. A's months 22.22 each, the cent
        // left over to the largest, all equal: the first, July 22.23.
        let months: Vec<(Period, Decimal)> =
            ["2026-07", "2026-08", "2026-09"].iter().map(|m| (m.parse().unwrap(), d("1"))).collect();
        let tree = Tree {
            root: "HQ".into(),
            children: [("HQ".to_owned(), vec![("R1".to_owned(), d("1")), ("R2".to_owned(), d("2"))])].into(),
        };
        let quarter: Period = "2026-Q3".parse().unwrap();
        let lines = [("A".to_owned(), d("2")), ("B".to_owned(), d("1"))];
        let rows = decompose_lines((&quarter, "revenue", d("100.00")), &months, &tree, &lines, 2);
        let value = |period: &str, entity: &str, line: Option<&str>| {
            rows.iter()
                .find(|r| r.period == period && r.entity_id == entity && r.product_line.as_deref() == line)
                .map(|r| r.value)
        };
        assert_eq!(
            (value("2026-Q3", "HQ", Some("A")), value("2026-Q3", "HQ", Some("B"))),
            (Some(d("66.67")), Some(d("33.33")))
        );
        assert_eq!(value("2026-Q3", "HQ", None), None, "the parent is not repeated");
        assert_eq!(value("2026-07", "HQ", Some("A")), Some(d("22.23")));
        for entity in ["HQ", "R1", "R2"] {
            for month in ["2026-07", "2026-08", "2026-09"] {
                let lines = value(month, entity, Some("A")).unwrap() + value(month, entity, Some("B")).unwrap();
                assert_eq!(value(month, entity, None), Some(lines), "{entity} {month}: the lines sum to the total");
            }
        }
        for line in [Some("A"), Some("B"), None] {
            let kids = value("2026-08", "R1", line).unwrap() + value("2026-08", "R2", line).unwrap();
            assert_eq!(value("2026-08", "HQ", line), Some(kids), "{line:?}: the children sum to HQ");
        }
    }
}
