//! Top-down against bottom-up (SPEC §7): at every unit, the target set for it
//! beside the sum of its children's targets (a child without one counts by
//! its own children's sum), and the gap between them, so a director sees
//! where the reps' targets fall short of the number promised above them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::Tree;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rollup {
    pub entity_id: String,
    /// The unit's own target, as set (top-down).
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub top_down: Option<Decimal>,
    /// The sum of its children's targets (bottom-up).
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub bottom_up: Option<Decimal>,
    /// top_down − bottom_up: positive when the children promise less.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub gap: Option<Decimal>,
}

/// Each unit of `tree` (parents first) with its own target from `targets` and its children's sum.
pub fn rollup(tree: &Tree, targets: &BTreeMap<String, Decimal>) -> Vec<Rollup> {
    fn value(node: &str, tree: &Tree, targets: &BTreeMap<String, Decimal>) -> Option<Decimal> {
        targets.get(node).copied().or_else(|| sum(node, tree, targets))
    }
    fn sum(node: &str, tree: &Tree, targets: &BTreeMap<String, Decimal>) -> Option<Decimal> {
        let values: Vec<Decimal> =
            tree.children.get(node)?.iter().filter_map(|(child, _)| value(child, tree, targets)).collect();
        (!values.is_empty()).then(|| values.into_iter().sum())
    }
    tree.nodes()
        .into_iter()
        .filter(|node| tree.children.contains_key(*node))
        .map(|node| {
            let (top_down, bottom_up) = (targets.get(node).copied(), sum(node, tree, targets));
            let gap = top_down.zip(bottom_up).map(|(t, b)| t - b);
            Rollup { entity_id: node.to_owned(), top_down, bottom_up, gap }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unit_has_its_target_its_childrens_sum_and_the_gap() {
        let one = Decimal::ONE;
        let tree = Tree {
            root: "HQ".into(),
            children: [
                ("HQ".to_owned(), vec![("E".to_owned(), one), ("N".to_owned(), one)]),
                ("E".to_owned(), vec![("R1".to_owned(), one), ("R2".to_owned(), one)]),
                ("N".to_owned(), vec![("R3".to_owned(), one)]),
            ]
            .into(),
        };
        let d = |v: i64| Decimal::new(v, 0);
        // HQ promised 1000; E 600 over reps at 250 + 300; N has no target of its own, R3 has 380.
        let targets = [("HQ", 1000), ("E", 600), ("R1", 250), ("R2", 300), ("R3", 380)]
            .into_iter()
            .map(|(id, v)| (id.to_owned(), d(v)))
            .collect();
        let rows = rollup(&tree, &targets);
        let row = |id: &str| rows.iter().find(|r| r.entity_id == id).unwrap().clone();
        assert_eq!(
            (row("HQ").top_down, row("HQ").bottom_up, row("HQ").gap),
            (Some(d(1000)), Some(d(980)), Some(d(20)))
        );
        assert_eq!((row("E").bottom_up, row("E").gap), (Some(d(550)), Some(d(50))));
        assert_eq!((row("N").top_down, row("N").bottom_up, row("N").gap), (None, Some(d(380)), None));
        assert_eq!(rows.iter().map(|r| r.entity_id.as_str()).collect::<Vec<_>>(), ["HQ", "E", "N"]);
    }
}
