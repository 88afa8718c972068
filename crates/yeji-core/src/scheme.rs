//! Scoring schemes (SPEC §6): which KPIs count, with what weight, scored by
//! which rule, and the grade bands. A scheme is a TOML document; the default is
//! the seed's linear weighting (000 §4.3): revenue against its target 30, gross margin 20,
//! collection rate 20, new customer rate 15, satisfaction 15.
//!
//! ```
//! use yeji_core::kpi::Direction;
//! use yeji_core::scheme::{Scheme, Scored, composite};
//! let scheme = Scheme::default_scheme();
//! // seed 002: 219,000 of a 200,000 revenue target scores 109.5 points.
//! let revenue = scheme.kpis[0].rule.score(219_000.0, Some(200_000.0), &[], Direction::HigherIsBetter).unwrap();
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

/// The parameters of a rule; each rule reads those it has.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RuleParams {
    pub cap: Option<f64>,
    pub floor: Option<f64>,
    pub stretch: Option<f64>,
    pub stretch_score: Option<f64>,
}

/// The rule names a scheme writes, in the order pages offer them.
pub const RULE_NAMES: [&str; 6] = ["ratio_to_target", "lower_is_better", "linear", "percentile", "min_max", "z_score"];

impl Rule {
    /// The rule's name as schemes write it (`ratio_to_target`).
    pub fn name(&self) -> &'static str {
        match self {
            Rule::RatioToTarget { .. } => "ratio_to_target",
            Rule::LowerIsBetter { .. } => "lower_is_better",
            Rule::Linear { .. } => "linear",
            Rule::Percentile => "percentile",
            Rule::MinMax => "min_max",
            Rule::ZScore { .. } => "z_score",
        }
    }

    /// The rule `name` with its default parameters; `None` for an unknown
    /// name and for `linear`, which has no default floor and stretch.
    pub fn from_name(name: &str) -> Option<Rule> {
        Some(match name {
            "ratio_to_target" => Rule::RatioToTarget { cap: default_cap() },
            "lower_is_better" => Rule::LowerIsBetter { cap: default_cap() },
            "percentile" => Rule::Percentile,
            "min_max" => Rule::MinMax,
            "z_score" => Rule::ZScore { cap: default_cap() },
            _ => return None,
        })
    }

    /// The rule `name` with these parameters (the defaults where `None`);
    /// `linear` needs its floor and stretch.
    pub fn build(name: &str, params: RuleParams) -> Result<Rule, SchemeError> {
        let cap = params.cap.unwrap_or_else(default_cap);
        if !(cap.is_finite() && cap > 0.0) {
            return Err(SchemeError::Invalid(format!("a cap must be a positive number, not {cap}")));
        }
        Ok(match name {
            "ratio_to_target" => Rule::RatioToTarget { cap },
            "lower_is_better" => Rule::LowerIsBetter { cap },
            "z_score" => Rule::ZScore { cap },
            "linear" => {
                let (Some(floor), Some(stretch)) = (params.floor, params.stretch) else {
                    return Err(SchemeError::Invalid("linear needs a floor and a stretch".into()));
                };
                Rule::Linear {
                    floor,
                    stretch,
                    stretch_score: params.stretch_score.unwrap_or_else(default_stretch_score),
                }
            }
            other => Rule::from_name(other).ok_or_else(|| {
                SchemeError::Invalid(format!("unknown rule '{other}'; expected one of {}", RULE_NAMES.join(", ")))
            })?,
        })
    }

    /// The rule's parameters, as [`Rule::build`] takes them.
    pub fn params(&self) -> RuleParams {
        match *self {
            Rule::RatioToTarget { cap } | Rule::LowerIsBetter { cap } | Rule::ZScore { cap } => {
                RuleParams { cap: Some(cap), ..RuleParams::default() }
            }
            Rule::Linear { floor, stretch, stretch_score } => RuleParams {
                floor: Some(floor),
                stretch: Some(stretch),
                stretch_score: Some(stretch_score),
                ..RuleParams::default()
            },
            Rule::Percentile | Rule::MinMax => RuleParams::default(),
        }
    }

    /// The names of a rule, Chinese and English, for pages and reports.
    pub fn label(name: &str) -> (&'static str, &'static str) {
        match name {
            "ratio_to_target" => ("目标达成比", "Ratio to target"),
            "lower_is_better" => ("越低越好（目标/实际）", "Lower is better (target / actual)"),
            "linear" => ("线性（底线/目标/挑战）", "Linear (floor / target / stretch)"),
            "percentile" => ("同组百分位", "Percentile in peer group"),
            "min_max" => ("同组最小-最大归一", "Min–max in peer group"),
            "z_score" => ("同组标准分", "Z-score in peer group"),
            _ => ("", ""),
        }
    }

    /// Whether the score depends on the peer group's values, not only on the
    /// entity's own value and target.
    pub fn is_relative(&self) -> bool {
        matches!(self, Rule::Percentile | Rule::MinMax | Rule::ZScore { .. })
    }

    /// The score of `value` for a KPI of `direction`, given its target and the
    /// values of its peer group (itself included). The best value scores
    /// highest whichever way the KPI points. `None` when the rule needs a
    /// target and there is none, or the peer group cannot rank it.
    pub fn score(&self, value: f64, target: Option<f64>, peers: &[f64], direction: Direction) -> Option<f64> {
        // Relative rules and `linear` see lower-is-better values negated, so
        // "higher" always means "better" below.
        let oriented = |v: f64| if direction == Direction::LowerIsBetter { -v } else { v };
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
                let (value, target, floor, stretch) =
                    (oriented(value), oriented(target?), oriented(floor), oriented(stretch));
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
            Rule::Percentile => percentile(value, peers, direction)?,
            Rule::MinMax => {
                let (min, max) = min_max(peers)?;
                if max == min {
                    return None;
                }
                match direction {
                    Direction::HigherIsBetter => (value - min) / (max - min) * 100.0,
                    Direction::LowerIsBetter => (max - value) / (max - min) * 100.0,
                }
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
                (100.0 + 20.0 * (oriented(value) - oriented(mean)) / sd).clamp(0.0, cap)
            }
        };
        score.is_finite().then_some(score)
    }

    pub fn needs_target(&self) -> bool {
        matches!(self, Rule::RatioToTarget { .. } | Rule::LowerIsBetter { .. } | Rule::Linear { .. })
    }

    /// Why this rule cannot score a KPI of `direction`, if it cannot.
    fn refusal(&self, kpi: &str, direction: Direction) -> Option<String> {
        match (self, direction) {
            (Rule::RatioToTarget { .. }, Direction::LowerIsBetter) => Some(format!(
                "{kpi} is lower-is-better: ratio_to_target would reward a higher value; use lower_is_better (target / actual), linear, percentile, min_max or z_score"
            )),
            (Rule::LowerIsBetter { .. }, Direction::HigherIsBetter) => Some(format!(
                "{kpi} is higher-is-better: lower_is_better would reward a lower value; use ratio_to_target"
            )),
            (Rule::Linear { floor, stretch, .. }, Direction::HigherIsBetter)
                if floor.partial_cmp(stretch) != Some(std::cmp::Ordering::Less) =>
            {
                Some(format!("{kpi}: linear needs floor < stretch (higher is better)"))
            }
            (Rule::Linear { floor, stretch, .. }, Direction::LowerIsBetter)
                if floor.partial_cmp(stretch) != Some(std::cmp::Ordering::Greater) =>
            {
                Some(format!("{kpi}: linear needs floor > stretch (lower is better: the floor is the worst value)"))
            }
            _ => None,
        }
    }
}

/// The share (0–100) of an entity's peers that do worse than `value`, ties
/// counting half: 100 × (worse + (equal − 1) / 2) / (n − 1), where `peers`
/// holds the n values of the peer group, the entity's own among them. The
/// one percentile of yeji: scoring by `percentile` and the pages' peer
/// percentiles both use it. `None` with fewer than two peers.
pub fn percentile(value: f64, peers: &[f64], direction: Direction) -> Option<f64> {
    if peers.len() < 2 {
        return None;
    }
    let worse = match direction {
        Direction::HigherIsBetter => peers.iter().filter(|p| **p < value).count(),
        Direction::LowerIsBetter => peers.iter().filter(|p| **p > value).count(),
    } as f64;
    let others_equal = peers.iter().filter(|p| **p == value).count().saturating_sub(1) as f64;
    Some(100.0 * (worse + others_equal / 2.0) / (peers.len() - 1) as f64)
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
            if let Some(reason) = entry.rule.refusal(&entry.kpi, self.direction_of(&entry.kpi)) {
                return Err(SchemeError::Invalid(reason));
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

    /// Whether more or less of a catalogue KPI or of one of this scheme's
    /// formula KPIs is better (higher for an unknown id).
    pub fn direction_of(&self, id: &str) -> Direction {
        CATALOGUE
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.direction)
            .or_else(|| self.formula(id).map(|f| f.direction))
            .unwrap_or(Direction::HigherIsBetter)
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
        use Direction::{HigherIsBetter as Up, LowerIsBetter as Down};
        let ratio = Rule::RatioToTarget { cap: 150.0 };
        // seed 002: 219,000 against a 200,000 target is 109.5%.
        assert!((ratio.score(219_000.0, Some(200_000.0), &[], Up).unwrap() - 109.5).abs() < 1e-9);
        assert_eq!(ratio.score(500.0, Some(100.0), &[], Up), Some(150.0));
        assert_eq!(ratio.score(1.0, None, &[], Up), None);
        let lower = Rule::LowerIsBetter { cap: 150.0 };
        assert_eq!(lower.score(0.05, Some(0.04), &[], Down), Some(80.0));
        let linear = Rule::Linear { floor: 0.5, stretch: 1.2, stretch_score: 120.0 };
        assert_eq!(linear.score(0.75, Some(1.0), &[], Up), Some(50.0));
        assert!((linear.score(1.1, Some(1.0), &[], Up).unwrap() - 110.0).abs() < 1e-9);
        assert_eq!(linear.score(2.0, Some(1.0), &[], Up), Some(120.0));
        assert_eq!(linear.score(0.4, Some(1.0), &[], Up), Some(0.0));
        let peers = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert_eq!(Rule::Percentile.score(40.0, None, &peers, Up), Some(75.0));
        assert_eq!(Rule::MinMax.score(20.0, None, &peers, Up), Some(25.0));
        // mean 30, population sd √200 ≈ 14.142: z(50) = 1.414, 100 + 28.28.
        assert!((Rule::ZScore { cap: 150.0 }.score(50.0, None, &peers, Up).unwrap() - 128.284_271).abs() < 1e-5);
        assert_eq!(Rule::MinMax.score(5.0, None, &[5.0, 5.0], Up), None);
    }

    #[test]
    fn lower_is_better_kpis_score_the_lowest_value_best_under_every_rule() {
        use Direction::LowerIsBetter as Down;
        // Expense ratios of five reps: 10% is the cheapest, 50% the most expensive.
        let peers = [0.10, 0.20, 0.30, 0.40, 0.50];
        assert_eq!(Rule::Percentile.score(0.10, None, &peers, Down), Some(100.0), "better than all 4 others");
        assert_eq!(Rule::Percentile.score(0.50, None, &peers, Down), Some(0.0));
        assert_eq!(Rule::Percentile.score(0.40, None, &peers, Down), Some(25.0), "better than 1 of 4");
        assert_eq!(Rule::MinMax.score(0.10, None, &peers, Down), Some(100.0));
        assert!((Rule::MinMax.score(0.20, None, &peers, Down).unwrap() - 75.0).abs() < 1e-9, "(0.5 − 0.2) / 0.4");
        // z(0.10) = (0.10 − 0.30) / 0.1414 = −1.414: lower is better, so 100 + 28.28.
        let z = Rule::ZScore { cap: 150.0 }.score(0.10, None, &peers, Down).unwrap();
        assert!((z - 128.284_271).abs() < 1e-5, "{z}");
        // linear for a lower-is-better KPI: 0 at the floor 60 days, 100 at the
        // target 30, 120 at the stretch 20; 45 days is halfway to the target.
        let linear = Rule::Linear { floor: 60.0, stretch: 20.0, stretch_score: 120.0 };
        assert_eq!(linear.score(45.0, Some(30.0), &[], Down), Some(50.0));
        assert_eq!(linear.score(25.0, Some(30.0), &[], Down), Some(110.0));
        assert_eq!(linear.score(70.0, Some(30.0), &[], Down), Some(0.0));
    }

    #[test]
    fn percentiles_count_worse_peers_and_half_the_ties() {
        use Direction::HigherIsBetter as Up;
        // Of the 4 others, 1 is worse (10) and 2 tie (20, 20): (1 + 2/2) / 4.
        assert_eq!(percentile(20.0, &[10.0, 20.0, 20.0, 20.0, 40.0], Up), Some(50.0));
        assert_eq!(percentile(20.0, &[20.0], Up), None, "no peer to compare with");
    }

    #[test]
    fn schemes_refuse_a_rule_that_rewards_the_wrong_direction() {
        let with = |kpi: &str, rule: &str| {
            DEFAULT_SCHEME.replace(
                "kpi = \"satisfaction\"\nweight = 15\nrule = \"ratio_to_target\"",
                &format!("kpi = \"{kpi}\"\nweight = 15\n{rule}"),
            )
        };
        let error = Scheme::parse(&with("expense_ratio", "rule = \"ratio_to_target\"")).unwrap_err().to_string();
        assert!(
            error.contains("expense_ratio is lower-is-better: ratio_to_target would reward a higher value"),
            "{error}"
        );
        let error = Scheme::parse(&with("orders", "rule = \"lower_is_better\"")).unwrap_err().to_string();
        assert!(error.contains("orders is higher-is-better"), "{error}");
        let error =
            Scheme::parse(&with("sales_cycle_days", "rule = \"linear\"\nfloor = 20\nstretch = 60")).unwrap_err();
        assert!(error.to_string().contains("linear needs floor > stretch"), "{error}");
        for ok in ["rule = \"lower_is_better\"", "rule = \"percentile\"", "rule = \"linear\"\nfloor = 60\nstretch = 20"]
        {
            Scheme::parse(&with("sales_cycle_days", ok)).unwrap();
        }
        assert_eq!(Rule::from_name("z_score"), Some(Rule::ZScore { cap: 150.0 }));
        assert_eq!(Rule::from_name("linear"), None);
        assert!(RULE_NAMES.iter().all(|n| !Rule::label(n).0.is_empty()));
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
