//! The rules file (SPEC §15.4): which rules run, with their thresholds and
//! severities, built in (`rules.toml`) or a workspace's own `W/alerts.toml`,
//! checked when read so a rule that cannot run is refused with its name.

use std::path::Path;

use serde::{Deserialize, Serialize};
use yeji_core::{KpiId, Level};
use yeji_feedback::Library;

use crate::AlertError;

/// The rules built into yeji.
pub const DEFAULT_RULES: &str = include_str!("../rules.toml");

/// What a rule looks at.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Revenue so far more than `behind` short of the target × elapsed / days.
    Pace { behind: f64 },
    /// Projected revenue at the period's end / target below `floor`.
    ProjectedAttainment { floor: f64 },
    /// The KPI's value so far below `threshold`, when what it divides by
    /// (leads for a conversion, surveys for satisfaction) is `min_base` or more.
    Below { kpi: KpiId, threshold: f64, min_base: f64 },
    /// The KPI's value so far above `threshold` (the same `min_base`).
    Above { kpi: KpiId, threshold: f64, min_base: f64 },
    /// The KPI fell `periods` complete periods in a row.
    Falling { kpi: KpiId, periods: usize },
}

impl Kind {
    /// The KPI whose actions answer the rule.
    pub fn kpi(&self) -> KpiId {
        match self {
            Kind::Pace { .. } => "revenue".parse().expect("a catalogue KPI"),
            Kind::ProjectedAttainment { .. } => "attainment".parse().expect("a catalogue KPI"),
            Kind::Below { kpi, .. } | Kind::Above { kpi, .. } | Kind::Falling { kpi, .. } => *kpi,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub id: String,
    pub kind: Kind,
    pub severity: Severity,
    pub levels: Vec<Level>,
    /// The action suggested, from the feedback action library.
    pub action: Option<String>,
}

impl Rule {
    pub fn applies_to(&self, level: Level) -> bool {
        self.levels.contains(&level)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    rule: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    kind: String,
    kpi: Option<String>,
    threshold: Option<f64>,
    periods: Option<usize>,
    min_base: Option<f64>,
    severity: Severity,
    levels: Option<Vec<String>>,
    action: Option<String>,
}

impl Rules {
    /// Reads a rules file, its actions checked against `library`; `source`
    /// names the file in errors.
    pub fn parse(text: &str, source: &str, library: &Library) -> Result<Rules, AlertError> {
        let file: File = toml::from_str(text).map_err(|e| bad(source, e.to_string()))?;
        let mut rules: Vec<Rule> = Vec::new();
        for entry in file.rule {
            let rule = entry.into_rule(library).map_err(|reason| bad(source, reason))?;
            if rules.iter().any(|r| r.id == rule.id) {
                return Err(bad(source, format!("rule '{}' is given twice", rule.id)));
            }
            rules.push(rule);
        }
        Ok(Rules { rules })
    }

    pub fn builtin() -> Rules {
        Rules::parse(DEFAULT_RULES, "the built-in rules.toml", &Library::builtin())
            .expect("the built-in rules are valid")
    }

    /// The rules of the workspace at `root`: its `alerts.toml`, else the built-in ones.
    pub fn of_workspace(root: &Path, library: &Library) -> Result<Rules, AlertError> {
        let path = root.join("alerts.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => Rules::parse(&text, &path.display().to_string(), library),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Rules::parse(DEFAULT_RULES, "the built-in rules.toml", library)?)
            }
            Err(e) => Err(bad(&path.display().to_string(), e.to_string())),
        }
    }
}

fn bad(file: &str, reason: String) -> AlertError {
    AlertError::Rules { file: file.to_owned(), reason }
}

impl Entry {
    /// The least base a below or above rule needs (0 without `min_base`).
    fn base(&self, kpi: KpiId) -> Result<f64, String> {
        match self.min_base {
            None => Ok(0.0),
            Some(_) if kpi.kpi().formula.base().is_none() => Err(format!("{kpi} divides by nothing: no min_base")),
            Some(value) if value.is_finite() && value >= 0.0 => Ok(value),
            Some(value) => Err(format!("min_base {value}: 0 or more")),
        }
    }

    fn into_rule(self, library: &Library) -> Result<Rule, String> {
        let id = self.id.trim().to_owned();
        let at = |reason: String| format!("rule '{id}': {reason}");
        if id.is_empty() {
            return Err("a rule without an id".into());
        }
        let kpi = || -> Result<KpiId, String> {
            let name = self.kpi.as_deref().ok_or_else(|| at(format!("a {} rule needs a kpi", self.kind)))?;
            name.parse::<KpiId>().map_err(|e| at(e.to_string()))
        };
        let threshold = || -> Result<f64, String> {
            let value = self.threshold.ok_or_else(|| at(format!("a {} rule needs a threshold", self.kind)))?;
            if value.is_finite() { Ok(value) } else { Err(at(format!("threshold {value} is not a number"))) }
        };
        let share = |value: f64, what: &str| -> Result<f64, String> {
            if (0.0..=1.0).contains(&value) { Ok(value) } else { Err(at(format!("{what} {value}: 0 to 1"))) }
        };
        let kind = match self.kind.as_str() {
            "pace" => Kind::Pace { behind: share(threshold()?, "threshold")? },
            "projected_attainment" => Kind::ProjectedAttainment { floor: threshold()? },
            "below" => Kind::Below { kpi: kpi()?, threshold: threshold()?, min_base: self.base(kpi()?).map_err(at)? },
            "above" => Kind::Above { kpi: kpi()?, threshold: threshold()?, min_base: self.base(kpi()?).map_err(at)? },
            "falling" => {
                let periods = self.periods.unwrap_or(2);
                if !(1..=12).contains(&periods) {
                    return Err(at(format!("periods {periods}: 1 to 12")));
                }
                Kind::Falling { kpi: kpi()?, periods }
            }
            other => {
                return Err(at(format!(
                    "unknown kind '{other}'; expected pace, projected_attainment, below, above or falling"
                )));
            }
        };
        let extra = match kind {
            Kind::Pace { .. } | Kind::ProjectedAttainment { .. } => self
                .kpi
                .as_ref()
                .map(|_| "kpi")
                .or(self.periods.map(|_| "periods"))
                .or(self.min_base.map(|_| "min_base")),
            Kind::Below { .. } | Kind::Above { .. } => self.periods.map(|_| "periods"),
            Kind::Falling { .. } => self.threshold.map(|_| "threshold").or(self.min_base.map(|_| "min_base")),
        };
        if let Some(field) = extra {
            return Err(at(format!("a {} rule takes no {field}", self.kind)));
        }
        let levels = match self.levels {
            None => Level::ALL.to_vec(),
            Some(names) => {
                names.iter().map(|n| n.parse::<Level>().map_err(|e| at(e.to_string()))).collect::<Result<_, _>>()?
            }
        };
        if let Some(action) = &self.action
            && library.get(action).is_none()
        {
            return Err(at(format!("no action '{action}' in the action library")));
        }
        Ok(Rule { id, kind, severity: self.severity, levels, action: self.action })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_rules_are_spec_15_4s_defaults() {
        let rules = Rules::builtin();
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "pace",
                "new_customers_falling",
                "lead_conversion_low",
                "qualification_low",
                "overdue_invoices",
                "satisfaction_low",
                "collection_low",
                "projected_attainment_low"
            ]
        );
        assert_eq!(rules.rules[0].kind, Kind::Pace { behind: 0.15 });
        assert_eq!(
            rules.rules[2].kind,
            Kind::Below { kpi: "lead_conversion".parse().unwrap(), threshold: 0.30, min_base: 10.0 }
        );
        assert_eq!(rules.rules[2].levels, [Level::Rep]);
        assert_eq!(rules.rules[0].levels, Level::ALL);
        assert_eq!(rules.rules[7].kind, Kind::ProjectedAttainment { floor: 0.90 });
        assert_eq!(rules.rules[1].kind, Kind::Falling { kpi: "new_customers".parse().unwrap(), periods: 2 });
    }

    #[test]
    fn a_rule_that_cannot_run_is_refused_with_its_name_and_fault() {
        let library = Library::builtin();
        let error = |text: &str| Rules::parse(text, "W/alerts.toml", &library).unwrap_err().to_string();
        let rule = |body: &str| format!("[[rule]]\nid = 'r1'\nseverity = 'warning'\n{body}\n");
        let cases = [
            (rule("kind = 'below'\nkpi = 'charm'\nthreshold = 1"), "unknown KPI 'charm'"),
            (rule("kind = 'sideways'"), "unknown kind 'sideways'"),
            (rule("kind = 'below'\nthreshold = 1"), "needs a kpi"),
            (rule("kind = 'pace'\nthreshold = 1.5"), "threshold 1.5: 0 to 1"),
            (rule("kind = 'falling'\nkpi = 'revenue'\nthreshold = 1"), "takes no threshold"),
            (rule("kind = 'pace'\nthreshold = 0.1\nlevels = ['team']"), "unknown level 'team'"),
            (rule("kind = 'pace'\nthreshold = 0.1\naction = 'pray'"), "no action 'pray'"),
            (rule("kind = 'below'\nkpi = 'revenue'\nthreshold = 1\nmin_base = 3"), "revenue divides by nothing"),
            (rule("kind = 'below'\nkpi = 'win_rate'\nthreshold = 1\nmin_base = -1"), "divides by nothing"),
            (rule("kind = 'below'\nkpi = 'lead_conversion'\nthreshold = 1\nmin_base = -1"), "min_base -1: 0 or more"),
            (format!("{0}{0}", rule("kind = 'pace'\nthreshold = 0.1")), "given twice"),
            ("[[rule]]\nid = 'r1'\nkind = 'pace'\nthreshold = 0.1\nseverity = 'loud'\n".into(), "loud"),
            ("[[rule]]\nid = 'r1'\nkind = 'pace'\nthreshold = 0.1\nseverity = 'info'\nmetric = 'x'\n".into(), "metric"),
        ];
        for (text, expected) in cases {
            let message = error(&text);
            assert!(message.contains("W/alerts.toml") && message.contains(expected), "{expected}: {message}");
        }
    }
}
