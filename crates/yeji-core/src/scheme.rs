//! Scoring schemes (SPEC §6): which KPIs count, with what weight, scored by
//! which rule, and the grade bands. A scheme is a TOML document; the default is
//! the seed's linear weighting (000 §4.3): revenue against its target 30, gross margin 20,
//! collection rate 20, new customer rate 15, satisfaction 15.
//!
//! ```
//! use yeji_core::scheme::{Scheme, Scored, composite};
//! let scheme = Scheme::default_scheme();
//! // seed 002: 219,000 of a 200,000 revenue target scores 109.5 points.
//! let revenue = scheme.kpis[0].rule.score(219_000.0, Some(200_000.0), &[]).unwrap();
//! assert!((revenue - 109.5).abs() < 1e-9);
//! let composite = composite(&[Scored { weight: 30.0, score: Some(109.5) }, Scored { weight: 20.0, score: None }]);
//! assert_eq!(composite, Some(109.5)); // the missing KPI's weight is spread over the others
//! ```

use serde::{Deserialize, Serialize};

use crate::formula::Expr;
use crate::kpi::{CATALOGUE, Direction, KpiId, Unit};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemeError {
    #[error("scheme: {0}")]
    Toml(String),
    #[error("scheme: the weights add up to {0}%, not 100%")]
    Weights(f64),
    #[error("scheme: {0}")]
    Invalid(String),
}

/// How a KPI value becomes a 0–100+ score (seed 000 §3.2.1 归一化).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// value / target × 100, capped (default 150).
    RatioToTarget {
        #[serde(default = "default_cap")]
        cap: f64,
    },
    /// target / value × 100, capped: for KPIs where less is better.
    LowerIsBetter {
        #[serde(default = "default_cap")]
        cap: f64,
    },
    /// 0 at `floor`, 100 at the target, `stretch_score` at `stretch`, linear between.
    Linear {
        floor: f64,
        stretch: f64,
        #[serde(default = "default_stretch_score")]
        stretch_score: f64,
    },
    /// The share of the peer group with a lower value, × 100.
    Percentile,
    /// (value − min) / (max − min) × 100 across the peer group.
    MinMax,
    /// 100 + 20 × the z-score within the peer group, between 0 and `cap`.
    ZScore {
        #[serde(default = "default_cap")]
        cap: f64,
    },
}

fn default_cap() -> f64 {
    150.0
}

fn default_stretch_score() -> f64 {
    120.0
}

impl Rule {
    /// Whether the score depends on the peer group's values, not only on the
    /// entity's own value and target.
    pub fn is_relative(&self) -> bool {
        matches!(self, Rule::Percentile | Rule::MinMax | Rule::ZScore { .. })
    }

    /// The score of `value`, given its target and the values of its peer group
    /// (itself included). `None` when the rule needs a target and there is none,
    /// or the peer group cannot rank it.
    pub fn score(&self, value: f64, target: Option<f64>, peers: &[f64]) -> Option<f64> {
        let score = match *self {
            Rule::RatioToTarget { cap } => {
                let target = target.filter(|t| *t > 0.0)?;
                (value / target * 100.0).clamp(0.0, cap)
            }
            Rule::LowerIsBetter { cap } => {
                let target = target?;
                if value <= 0.0 { cap } else { (target / value * 100.0).clamp(0.0, cap) }
            }
            Rule::Linear { floor, stretch, stretch_score } => {
                let target = target?;
                if value <= floor {
                    0.0
                } else if value <= target {
                    (value - floor) / (target - floor) * 100.0
                } else if value >= stretch {
                    stretch_score
                } else {
                    100.0 + (value - target) / (stretch - target) * (stretch_score - 100.0)
                }
            }
            Rule::Percentile => {
                if peers.len() < 2 {
                    return None;
                }
                let below = peers.iter().filter(|p| **p < value).count() as f64;
                below / (peers.len() - 1) as f64 * 100.0
            }
            Rule::MinMax => {
                let (min, max) = min_max(peers)?;
                if max == min {
                    return None;
                }
                (value - min) / (max - min) * 100.0
            }
            Rule::ZScore { cap } => {
                let n = peers.len() as f64;
                if n < 2.0 {
                    return None;
                }
                let mean = peers.iter().sum::<f64>() / n;
                let sd = (peers.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / n).sqrt();
                if sd == 0.0 {
                    return None;
                }
                (100.0 + 20.0 * (value - mean) / sd).clamp(0.0, cap)
            }
        };
        score.is_finite().then_some(score)
    }

    pub fn needs_target(&self) -> bool {
        matches!(self, Rule::RatioToTarget { .. } | Rule::LowerIsBetter { .. } | Rule::Linear { .. })
    }
}

fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    let min = values.iter().copied().reduce(f64::min)?;
    let max = values.iter().copied().reduce(f64::max)?;
    Some((min, max))
}

/// One weighted KPI of a scheme. (Unknown fields are caught by the flattened
/// rule, which denies them: serde cannot deny them here too.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchemeKpi {
    pub kpi: String,
    /// Percent; the weights of a scheme add up to 100.
    pub weight: f64,
    #[serde(flatten)]
    pub rule: Rule,
    /// Used where the targets data has none for the period.
    #[serde(default)]
    pub default_target: Option<f64>,
    /// Balanced-scorecard perspective: financial, customer, process or learning.
    #[serde(default)]
    pub perspective: Option<String>,
    /// `result` or `process` (seed 003 §4).
    #[serde(default)]
    pub group: Option<String>,
}

/// Grade bands: the lowest score of each grade, best first; below the last, D.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    pub bands: Vec<(String, f64)>,
    pub lowest: String,
}

impl Default for Grades {
    fn default() -> Grades {
        let bands = [("S", 110.0), ("A", 100.0), ("B", 90.0), ("C", 80.0)];
        Grades { bands: bands.iter().map(|(g, s)| ((*g).to_owned(), *s)).collect(), lowest: "D".into() }
    }
}

impl Grades {
    pub fn grade(&self, score: f64) -> &str {
        self.bands.iter().find(|(_, floor)| score >= *floor).map_or(self.lowest.as_str(), |(grade, _)| grade)
    }
}

/// A KPI the scheme defines by a formula over catalogue KPIs and its other
/// formula KPIs (SPEC §5), e.g. `revenue / activities`. Like a catalogue KPI it
/// is computed for every entity from that entity's own values, so a unit's
/// value comes from its rows, never from its children's values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormulaKpi {
    pub id: String,
    pub formula: Expr,
    #[serde(default)]
    pub name_zh: Option<String>,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default = "default_unit")]
    pub unit: Unit,
    #[serde(default = "default_direction")]
    pub direction: Direction,
}

fn default_unit() -> Unit {
    Unit::Ratio
}

fn default_direction() -> Direction {
    Direction::HigherIsBetter
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    pub kpis: Vec<SchemeKpi>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formulas: Vec<FormulaKpi>,
    #[serde(default)]
    pub grades: Grades,
}

const DEFAULT_SCHEME: &str = r#"
name = "default"

[[kpis]]
kpi = "revenue"
weight = 30
rule = "ratio_to_target"
perspective = "financial"
group = "result"

[[kpis]]
kpi = "gross_margin"
weight = 20
rule = "ratio_to_target"
default_target = 0.30
perspective = "financial"
group = "result"

[[kpis]]
kpi = "collection_rate"
weight = 20
rule = "ratio_to_target"
default_target = 0.95
perspective = "financial"
group = "result"

[[kpis]]
kpi = "new_customer_rate"
weight = 15
rule = "ratio_to_target"
default_target = 0.20
perspective = "customer"
group = "result"

[[kpis]]
kpi = "satisfaction"
weight = 15
rule = "ratio_to_target"
default_target = 90
perspective = "customer"
group = "result"
"#;

impl Scheme {
    /// The seed's scheme (SPEC §6). Revenue is scored against its target, which
    /// comes only from targets data: an entity without one is scored on the others.
    pub fn default_scheme() -> Scheme {
        Scheme::parse(DEFAULT_SCHEME).expect("the default scheme is valid")
    }

    pub fn parse(text: &str) -> Result<Scheme, SchemeError> {
        let scheme: Scheme = toml::from_str(text).map_err(|e| SchemeError::Toml(e.to_string()))?;
        scheme.validate()?;
        Ok(scheme)
    }

    pub fn validate(&self) -> Result<(), SchemeError> {
        if self.kpis.is_empty() {
            return Err(SchemeError::Invalid("a scheme needs at least one KPI".into()));
        }
        self.formulas_in_order()?;
        let mut seen = std::collections::HashSet::new();
        for entry in &self.kpis {
            if self.formula(&entry.kpi).is_none() {
                entry.kpi.parse::<KpiId>().map_err(|e| SchemeError::Invalid(e.to_string()))?;
            }
            if !seen.insert(&entry.kpi) {
                return Err(SchemeError::Invalid(format!("{} is listed twice", entry.kpi)));
            }
            if entry.weight.is_nan() || entry.weight <= 0.0 {
                return Err(SchemeError::Invalid(format!(
                    "{}: the weight must be positive, not {}",
                    entry.kpi, entry.weight
                )));
            }
            if matches!(entry.rule, Rule::Linear { floor, stretch, .. } if floor.is_nan() || stretch.is_nan() || floor >= stretch)
            {
                return Err(SchemeError::Invalid(format!("{}: linear needs floor < stretch", entry.kpi)));
            }
        }
        let total: f64 = self.kpis.iter().map(|k| k.weight).sum();
        if (total - 100.0).abs() > 1e-6 {
            return Err(SchemeError::Weights(total));
        }
        let mut floors = self.grades.bands.iter().map(|(_, f)| *f);
        if floors.clone().zip(floors.by_ref().skip(1)).any(|(a, b)| a <= b) {
            return Err(SchemeError::Invalid("grade bands must go from the highest score down".into()));
        }
        Ok(())
    }

    /// The unit of a catalogue KPI or of one of this scheme's formula KPIs.
    pub fn unit_of(&self, id: &str) -> Option<Unit> {
        CATALOGUE.iter().find(|k| k.id == id).map(|k| k.unit).or_else(|| self.formula(id).map(|f| f.unit))
    }

    /// The catalogue KPI whose fact rows stand behind `id`: `id` itself, or
    /// for a formula KPI the first catalogue KPI its formula reads (through
    /// other formula KPIs).
    pub fn rows_kpi<'a>(&'a self, id: &'a str) -> &'a str {
        let mut current = id;
        // Checked schemes have no cycles; the bound only guards unchecked ones.
        for _ in 0..=self.formulas.len() {
            match self.formula(current).and_then(|f| f.formula.references().first().copied()) {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }

    /// The formula KPI `id` of this scheme.
    pub fn formula(&self, id: &str) -> Option<&FormulaKpi> {
        self.formulas.iter().find(|f| f.id == id)
    }

    /// The formula KPIs, each after the formula KPIs it reads, so that one pass
    /// computes them all; an error names an unknown KPI, a clash with the
    /// catalogue or a cycle.
    pub fn formulas_in_order(&self) -> Result<Vec<&FormulaKpi>, SchemeError> {
        let invalid = |message: String| Err(SchemeError::Invalid(message));
        for (index, formula) in self.formulas.iter().enumerate() {
            let id = formula.id.as_str();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                return invalid(format!("formula KPI '{id}': an id is lower-case letters, digits and _"));
            }
            if CATALOGUE.iter().any(|k| k.id == id) {
                return invalid(format!("formula KPI '{id}': the catalogue already has a KPI of that id"));
            }
            if self.formulas[..index].iter().any(|f| f.id == id) {
                return invalid(format!("formula KPI '{id}' is defined twice"));
            }
            for reference in formula.formula.references() {
                if self.formula(reference).is_none() && !CATALOGUE.iter().any(|k| k.id == reference) {
                    return invalid(format!("formula KPI '{id}': unknown KPI '{reference}' (see `yeji kpis`)"));
                }
            }
        }
        let mut ordered: Vec<&FormulaKpi> = Vec::new();
        for formula in &self.formulas {
            self.visit(formula, &mut Vec::new(), &mut ordered)?;
        }
        Ok(ordered)
    }

    /// Depth first: a formula's dependencies go before it; `path` is the chain
    /// being visited, so meeting one of its members again is a cycle.
    fn visit<'a>(
        &'a self,
        formula: &'a FormulaKpi,
        path: &mut Vec<&'a str>,
        ordered: &mut Vec<&'a FormulaKpi>,
    ) -> Result<(), SchemeError> {
        if ordered.iter().any(|f| f.id == formula.id) {
            return Ok(());
        }
        if let Some(start) = path.iter().position(|id| *id == formula.id) {
            let cycle = path[start..].iter().chain([&formula.id.as_str()]).copied().collect::<Vec<_>>().join(" → ");
            return Err(SchemeError::Invalid(format!("formula KPIs form a cycle: {cycle}")));
        }
        path.push(&formula.id);
        for reference in formula.formula.references() {
            if let Some(dependency) = self.formula(reference) {
                self.visit(dependency, path, ordered)?;
            }
        }
        path.pop();
        ordered.push(formula);
        Ok(())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("schemes serialise")
    }
}

/// A weighted KPI's score, or `None` when it has no value or no target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    pub weight: f64,
    pub score: Option<f64>,
}

/// Σ wᵢ·sᵢ / Σ wᵢ over the KPIs that have a score: a missing KPI's weight is
/// spread over the others in proportion. `None` when no KPI has a score.
pub fn composite(scores: &[Scored]) -> Option<f64> {
    let (weighted, weights) = scores
        .iter()
        .filter_map(|s| s.score.map(|score| (s.weight * score, s.weight)))
        .fold((0.0, 0.0), |(a, b), (x, w)| (a + x, b + w));
    (weights > 0.0).then(|| weighted / weights)
}

/// Competition ranks (1, 2, 2, 4) by descending score; `None` scores are unranked.
pub fn ranks(scores: &[Option<f64>]) -> Vec<Option<usize>> {
    scores.iter().map(|s| s.map(|mine| 1 + scores.iter().flatten().filter(|other| **other > mine).count())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_scheme_is_the_seeds() {
        let scheme = Scheme::default_scheme();
        let weights: Vec<(&str, f64)> = scheme.kpis.iter().map(|k| (k.kpi.as_str(), k.weight)).collect();
        assert_eq!(
            weights,
            [
                ("revenue", 30.0),
                ("gross_margin", 20.0),
                ("collection_rate", 20.0),
                ("new_customer_rate", 15.0),
                ("satisfaction", 15.0)
            ]
        );
        assert!(scheme.kpis.iter().all(|k| k.rule == Rule::RatioToTarget { cap: 150.0 }));
        assert_eq!(Scheme::parse(&scheme.to_toml()).unwrap(), scheme);
    }

    #[test]
    fn bad_schemes_say_what_is_wrong() {
        let weights = DEFAULT_SCHEME.replace("weight = 30", "weight = 25");
        assert_eq!(Scheme::parse(&weights).unwrap_err().to_string(), "scheme: the weights add up to 95%, not 100%");
        let unknown = DEFAULT_SCHEME.replace("\"gross_margin\"", "\"profit\"");
        assert!(Scheme::parse(&unknown).unwrap_err().to_string().contains("unknown KPI 'profit'"));
        let rule = DEFAULT_SCHEME.replacen("rule = \"ratio_to_target\"", "rule = \"magic\"", 1);
        assert!(Scheme::parse(&rule).unwrap_err().to_string().contains("unknown variant `magic`"));
        let typo = DEFAULT_SCHEME.replacen("weight = 30", "weight = 30\nwieght = 1", 1);
        assert!(Scheme::parse(&typo).unwrap_err().to_string().contains("wieght"), "a typo is not silently ignored");
    }

    #[test]
    fn formula_kpis_are_checked_and_ordered_by_dependency() {
        let with = |formulas: &str| format!("{DEFAULT_SCHEME}\n{formulas}");
        let scheme = Scheme::parse(&with(
            r#"
            [[formulas]]
            id = "revenue_per_visit_point"
            formula = "revenue_per_visit / 100"
            [[formulas]]
            id = "revenue_per_visit"
            formula = "revenue / activities"
            name_zh = "单次拜访销售额"
            unit = "money""#,
        ))
        .unwrap();
        let order: Vec<&str> = scheme.formulas_in_order().unwrap().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(order, ["revenue_per_visit", "revenue_per_visit_point"]);
        // The rows behind either are the order lines of revenue, their first input.
        assert_eq!(scheme.rows_kpi("revenue_per_visit_point"), "revenue");
        assert_eq!(scheme.rows_kpi("satisfaction"), "satisfaction");
        assert_eq!(scheme.formulas[1].unit, Unit::Money);
        assert_eq!(Scheme::parse(&scheme.to_toml()).unwrap(), scheme, "formulas survive a save");

        let error = |formulas: &str| Scheme::parse(&with(formulas)).unwrap_err().to_string();
        assert_eq!(
            error("[[formulas]]\nid = \"a\"\nformula = \"b + 1\"\n[[formulas]]\nid = \"b\"\nformula = \"revenue / a\""),
            "scheme: formula KPIs form a cycle: a → b → a"
        );
        assert_eq!(error("[[formulas]]\nid = \"a\"\nformula = \"a * 2\""), "scheme: formula KPIs form a cycle: a → a");
        assert_eq!(
            error("[[formulas]]\nid = \"a\"\nformula = \"revenue / visits\""),
            "scheme: formula KPI 'a': unknown KPI 'visits' (see `yeji kpis`)"
        );
        assert_eq!(
            error("[[formulas]]\nid = \"revenue\"\nformula = \"orders\""),
            "scheme: formula KPI 'revenue': the catalogue already has a KPI of that id"
        );
        let syntax = error("[[formulas]]\nid = \"a\"\nformula = \"revenue / (orders\"");
        assert!(
            syntax.contains("formula 'revenue / (orders': column 18: expected ')' but the formula ends"),
            "{syntax}"
        );
        // A weighted formula KPI is accepted; an unknown weighted one is not.
        let weighted = with("[[formulas]]\nid = \"per_order\"\nformula = \"revenue / orders\"")
            .replace("kpi = \"satisfaction\"", "kpi = \"per_order\"");
        assert_eq!(Scheme::parse(&weighted).unwrap().kpis[4].kpi, "per_order");
    }

    #[test]
    fn rules_score_by_hand() {
        let ratio = Rule::RatioToTarget { cap: 150.0 };
        // seed 002: 219,000 against a 200,000 target is 109.5%.
        assert!((ratio.score(219_000.0, Some(200_000.0), &[]).unwrap() - 109.5).abs() < 1e-9);
        assert_eq!(ratio.score(500.0, Some(100.0), &[]), Some(150.0));
        assert_eq!(ratio.score(1.0, None, &[]), None);
        let lower = Rule::LowerIsBetter { cap: 150.0 };
        assert_eq!(lower.score(0.05, Some(0.04), &[]), Some(80.0));
        let linear = Rule::Linear { floor: 0.5, stretch: 1.2, stretch_score: 120.0 };
        assert_eq!(linear.score(0.75, Some(1.0), &[]), Some(50.0));
        assert!((linear.score(1.1, Some(1.0), &[]).unwrap() - 110.0).abs() < 1e-9);
        assert_eq!(linear.score(2.0, Some(1.0), &[]), Some(120.0));
        assert_eq!(linear.score(0.4, Some(1.0), &[]), Some(0.0));
        let peers = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert_eq!(Rule::Percentile.score(40.0, None, &peers), Some(75.0));
        assert_eq!(Rule::MinMax.score(20.0, None, &peers), Some(25.0));
        // mean 30, population sd √200 ≈ 14.142: z(50) = 1.414, 100 + 28.28.
        assert!((Rule::ZScore { cap: 150.0 }.score(50.0, None, &peers).unwrap() - 128.284_271).abs() < 1e-5);
        assert_eq!(Rule::MinMax.score(5.0, None, &[5.0, 5.0]), None);
    }

    #[test]
    fn composites_redistribute_missing_weights_and_grades_follow_the_bands() {
        // 30 × 109.5 + 20 × 96.4 + 20 × 100 + 15 × 80 + 15 × 110 = 10,063 over 100.
        let all = [
            Scored { weight: 30.0, score: Some(109.5) },
            Scored { weight: 20.0, score: Some(96.4) },
            Scored { weight: 20.0, score: Some(100.0) },
            Scored { weight: 15.0, score: Some(80.0) },
            Scored { weight: 15.0, score: Some(110.0) },
        ];
        assert!((composite(&all).unwrap() - 100.63).abs() < 1e-9);
        // Without a revenue target: (20 × 96.4 + 20 × 100 + 15 × 80 + 15 × 110) / 70.
        let mut no_target = all;
        no_target[0].score = None;
        assert!((composite(&no_target).unwrap() - 6778.0 / 70.0).abs() < 1e-9);
        assert_eq!(composite(&[Scored { weight: 10.0, score: None }]), None);
        let grades = Grades::default();
        assert_eq!(
            [grades.grade(110.0), grades.grade(100.63), grades.grade(96.8), grades.grade(80.0), grades.grade(79.9)],
            ["S", "A", "B", "C", "D"]
        );
        assert_eq!(
            ranks(&[Some(90.0), Some(95.0), Some(90.0), None, Some(80.0)]),
            [Some(2), Some(1), Some(2), None, Some(4)]
        );
    }

    proptest::proptest! {
        /// The composite is Σ wᵢ·sᵢ / Σ wᵢ over the scored KPIs, and so lies
        /// between the lowest and the highest score.
        #[test]
        fn the_composite_is_the_weighted_mean_of_the_scored_kpis(
            entries in proptest::collection::vec((1.0f64..50.0, proptest::option::of(0.0f64..150.0)), 1..8)
        ) {
            let scores: Vec<Scored> = entries.iter().map(|(weight, score)| Scored { weight: *weight, score: *score }).collect();
            let scored: Vec<&Scored> = scores.iter().filter(|s| s.score.is_some()).collect();
            match composite(&scores) {
                None => proptest::prop_assert!(scored.is_empty()),
                Some(value) => {
                    let weights: f64 = scored.iter().map(|s| s.weight).sum();
                    let expected: f64 = scored.iter().map(|s| s.weight * s.score.unwrap()).sum::<f64>() / weights;
                    proptest::prop_assert!((value - expected).abs() < 1e-9);
                    let low = scored.iter().map(|s| s.score.unwrap()).fold(f64::MAX, f64::min);
                    let high = scored.iter().map(|s| s.score.unwrap()).fold(f64::MIN, f64::max);
                    proptest::prop_assert!(low - 1e-9 <= value && value <= high + 1e-9);
                }
            }
        }

        /// A rank counts the entities scoring strictly more, plus one.
        #[test]
        fn ranks_count_the_better_scores(scores in proptest::collection::vec(proptest::option::of(0u8..5), 0..12)) {
            let scores: Vec<Option<f64>> = scores.iter().map(|s| s.map(f64::from)).collect();
            for (rank, score) in ranks(&scores).iter().zip(&scores) {
                proptest::prop_assert_eq!(rank.is_some(), score.is_some());
                if let (Some(rank), Some(score)) = (rank, score) {
                    proptest::prop_assert_eq!(*rank, 1 + scores.iter().flatten().filter(|o| *o > score).count());
                }
            }
        }
    }
}
