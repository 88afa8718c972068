//! The scheme page's form, turned into a scheme: the KPIs it lists (`kpi`,
//! in order) with their fields (`w_<kpi>`, `r_<kpi>`, `t_<kpi>`, `cap_<kpi>`,
//! `floor_<kpi>`, `stretch_<kpi>`), a KPI to add (`action=add`, `add`) or one
//! to remove (`remove`). Everything else of the scheme (its name, grade bands,
//! formula KPIs) stays as saved.

use yeji_core::scheme::{Rule, RuleParams, Scheme, SchemeKpi};

use crate::error::{Result, WebError};
use crate::pages::scheme::target_value;

/// What the form asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    Save,
    Add,
    Remove(String),
}

pub fn action(form: &[(String, String)]) -> Action {
    let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    match (field("remove"), field("action")) {
        (Some(kpi), _) => Action::Remove(kpi.to_owned()),
        (None, Some("add")) => Action::Add,
        _ => Action::Save,
    }
}

/// The scheme the form describes, on top of `saved`; not validated (a KPI
/// added with no weight yet is a draft until saved).
pub fn draft(saved: &Scheme, form: &[(String, String)]) -> Result<Scheme> {
    let field = |name: String| form.iter().find(|(n, _)| *n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
    let number = |name: String, what: &str| -> Result<Option<f64>> {
        field(name.clone())
            .map(|text| {
                text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    WebError::bad_request("bad_number", format!("{what} ({name}) must be a number, not '{text}'"))
                })
            })
            .transpose()
    };
    let mut scheme = saved.clone();
    let listed: Vec<&str> = form.iter().filter(|(n, _)| n == "kpi").map(|(_, v)| v.as_str()).collect();
    let mut kpis = Vec::new();
    for id in listed {
        let before = saved.kpis.iter().find(|k| k.kpi == id);
        let weight = number(format!("w_{id}"), "a weight")?.unwrap_or(0.0);
        let rule_name = field(format!("r_{id}")).map(str::to_owned);
        let rule_name = rule_name.unwrap_or_else(|| before.map_or("percentile".into(), |b| b.rule.name().to_owned()));
        let params = RuleParams {
            cap: number(format!("cap_{id}"), "a cap")?,
            floor: number(format!("floor_{id}"), "a floor")?,
            stretch: number(format!("stretch_{id}"), "a stretch")?,
            stretch_score: before.and_then(|b| b.rule.params().stretch_score),
        };
        let rule =
            Rule::build(&rule_name, params).map_err(|e| WebError::bad_request("bad_rule", format!("{id}: {e}")))?;
        let default_target = number(format!("t_{id}"), "a target")?.map(|t| target_value(saved.unit_of(id), t));
        kpis.push(SchemeKpi {
            kpi: id.to_owned(),
            weight,
            rule,
            default_target: if id == "revenue" { None } else { default_target },
            perspective: before.and_then(|b| b.perspective.clone()),
            group: before.and_then(|b| b.group.clone()),
        });
    }
    scheme.kpis = kpis;
    match action(form) {
        Action::Remove(id) => scheme.kpis.retain(|k| k.kpi != id),
        Action::Add => {
            if let Some(id) = field("add".into()).filter(|id| !scheme.kpis.iter().any(|k| k.kpi == *id)) {
                id.parse::<yeji_core::KpiId>().map_err(|e| WebError::bad_request("unknown_kpi", e.to_string()))?;
                let direction = scheme.direction_of(id);
                let rule = if direction == yeji_core::kpi::Direction::LowerIsBetter {
                    "lower_is_better"
                } else {
                    "ratio_to_target"
                };
                scheme.kpis.push(SchemeKpi {
                    kpi: id.to_owned(),
                    weight: 0.0,
                    rule: Rule::from_name(rule).expect("a rule with defaults"),
                    default_target: None,
                    perspective: None,
                    group: None,
                });
            }
        }
        Action::Save => {}
    }
    Ok(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn the_form_sets_weights_rules_targets_and_adds_and_removes_kpis() {
        let saved = Scheme::default_scheme();
        let fields = form(&[
            ("kpi", "revenue"),
            ("w_revenue", "60"),
            ("r_revenue", "ratio_to_target"),
            ("cap_revenue", "120"),
            ("kpi", "gross_margin"),
            ("w_gross_margin", "40"),
            ("r_gross_margin", "linear"),
            ("t_gross_margin", "35"),
            ("floor_gross_margin", "0.1"),
            ("stretch_gross_margin", "0.5"),
        ]);
        let scheme = draft(&saved, &fields).unwrap();
        scheme.validate().unwrap();
        assert_eq!(scheme.kpis.len(), 2);
        assert_eq!(scheme.kpis[0].rule, Rule::RatioToTarget { cap: 120.0 });
        assert_eq!(scheme.kpis[1].default_target, Some(0.35), "35 % on the page");
        assert_eq!(scheme.kpis[1].rule, Rule::Linear { floor: 0.1, stretch: 0.5, stretch_score: 120.0 });

        let mut adding = fields.clone();
        adding.extend(form(&[("action", "add"), ("add", "expense_ratio")]));
        let added = draft(&saved, &adding).unwrap();
        assert_eq!(added.kpis[2].kpi, "expense_ratio");
        assert_eq!(added.kpis[2].rule.name(), "lower_is_better", "the rule that fits a lower-is-better KPI");
        assert!(added.validate().is_err(), "no weight yet: a draft");

        let mut removing = fields;
        removing.push(("remove".into(), "gross_margin".into()));
        assert_eq!(draft(&saved, &removing).unwrap().kpis.len(), 1);

        let bad = form(&[("kpi", "revenue"), ("w_revenue", "lots")]);
        assert_eq!(draft(&saved, &bad).unwrap_err().code, "bad_number");
    }
}
