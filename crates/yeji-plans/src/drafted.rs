//! A plan drafted from a feedback item (SPEC §15.5 `--from-feedback`): one
//! item per KPI the feedback asks to improve, in seed 002's table form. The
//! reason is the feedback's own sentence, the measures its suggested actions
//! for that KPI, the goal the KPI's target (else the peer median) as cited.
//! The levels come from the rep's percentile among peers (below 20 → 1, …,
//! 80 and up → 5), the target two levels up; the plan starts the day after
//! the feedback's period and is evaluated at the end of that quarter. The
//! result is a plan file like any other, for the manager to edit.

use chrono::NaiveDate;
use yeji_core::{KpiId, Period};
use yeji_feedback::{Draft, Lang, Point, SectionKind, What};

use crate::{PlanError, PlanKind};

/// The level (1–5) of a percentile among peers.
fn level_of(percentile: f64) -> u8 {
    (1 + (percentile / 20.0).floor().clamp(0.0, 4.0) as u8).min(5)
}

fn cited(point: &Point, what: What) -> Option<f64> {
    point.cites.iter().find(|c| c.what == what && Some(&c.kpi) == point.kpi.as_ref()).map(|c| c.value)
}

/// A TOML string literal (basic string, escaped).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The plan file for `draft`'s improvement points, of `kind`; `period` is the draft's period.
pub fn plan_from(draft: &Draft, period: &Period, kind: PlanKind) -> Result<String, PlanError> {
    let improvements: Vec<&Point> = draft.to_improve().collect();
    if improvements.is_empty() {
        return Err(PlanError::Refused(format!(
            "the feedback for {} in {} names nothing to improve: write the plan in a file (--file)",
            draft.rep_id, draft.period
        )));
    }
    let start: NaiveDate = period.end_exclusive();
    let evaluation = Period::quarter_of(start).last_day();
    let kind = kind.as_str();
    let mut out = format!(
        "# drafted from the feedback for {} in {}\n[plan]\nrep_id = {}\nkind = \"{kind}\"\nstart = \"{start}\"\n",
        draft.rep_id,
        draft.period,
        quoted(&draft.rep_id)
    );
    let separator = if draft.lang == Lang::Zh { "；" } else { "; " };
    for point in improvements {
        let id = point.kpi.as_deref().expect("filtered on kpi");
        let kpi: KpiId = id.parse().map_err(|e| PlanError::Refused(format!("the feedback cites {id}: {e}")))?;
        let name = if draft.lang == Lang::Zh { kpi.kpi().name_zh } else { kpi.kpi().name_en };
        let current = cited(point, What::Percentile).map_or(2, level_of);
        let measures: Vec<&str> = draft
            .points(SectionKind::Actions)
            .filter(|a| a.kpi.as_deref() == Some(id))
            .map(|a| a.text.as_str())
            .collect();
        out.push_str(&format!(
            "\n[[items]]\nitem = {}\ncurrent_level = {current}\ntarget_level = {}\nreason = {}\nmeasures = {}\n\
             resources = \"\"\nevaluation_date = \"{evaluation}\"\nkpi = \"{id}\"\n",
            quoted(name),
            (current + 2).min(5),
            quoted(&point.text),
            quoted(&measures.join(separator)),
        ));
        if let Some(goal) = cited(point, What::Target).or_else(|| cited(point, What::PeerMedian)) {
            out.push_str(&format!("goal = {goal}\n"));
        }
    }
    Ok(out)
}

/// A blank plan file for `rep_id` starting on `start`, one item to fill in.
pub fn blank(rep_id: &str, start: NaiveDate) -> String {
    format!(
        "[plan]\nrep_id = {}\nkind = \"idp\"                    # idp | pip\nstart = \"{start}\"\n\n[[items]]\n\
         item = \"\"                       # development item\ncurrent_level = 2               # 1–5\n\
         target_level = 4                # 1–5\nreason = \"\"\nmeasures = \"\"\nresources = \"\"\n\
         evaluation_date = \"{}\"\n# kpi = \"new_customer_rate\"     # optional link to a KPI, with a goal\n# goal = 0.20\n",
        quoted(rep_id),
        Period::quarter_of(start).last_day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Plan;
    use yeji_feedback::{Cite, Section};

    fn point(text: &str, kpi: &str, cites: &[(What, f64)]) -> Point {
        Point {
            text: text.into(),
            kpi: Some(kpi.into()),
            cites: cites
                .iter()
                .map(|(what, value)| Cite { kpi: kpi.into(), what: *what, value: *value, period: None, slice: None })
                .collect(),
        }
    }

    #[test]
    fn each_point_to_improve_becomes_an_item_with_its_actions_and_goal() {
        let draft = Draft {
            rep_id: "R003".into(),
            period: "2026-Q3".into(),
            lang: Lang::Zh,
            sections: vec![
                Section { kind: SectionKind::Recognition, points: vec![] },
                Section {
                    kind: SectionKind::Improvement,
                    points: vec![
                        point(
                            "新客户开发率 8%，目标 20%",
                            "new_customer_rate",
                            &[(What::Value, 0.08), (What::Target, 0.2), (What::Percentile, 25.0)],
                        ),
                        point("毛利率 \"12%\"", "gross_margin", &[(What::PeerMedian, 0.18), (What::Percentile, 5.0)]),
                    ],
                },
                Section {
                    kind: SectionKind::Actions,
                    points: vec![
                        point("参加新客户开发培训", "new_customer_rate", &[]),
                        point("陪同优秀销售拜访", "new_customer_rate", &[]),
                    ],
                },
            ],
        };
        let toml = plan_from(&draft, &"2026-Q3".parse::<Period>().unwrap(), PlanKind::Pip).unwrap();
        let plan = Plan::parse(&toml, "drafted").unwrap();
        assert_eq!(
            (plan.rep_id.as_str(), plan.kind, plan.start.to_string()),
            ("R003", PlanKind::Pip, "2026-10-01".into())
        );
        let first = &plan.items[0];
        assert_eq!((first.item.as_str(), first.current_level, first.target_level), ("新客户开发率", 2, 4));
        assert_eq!(first.measures, "参加新客户开发培训；陪同优秀销售拜访");
        assert_eq!((first.goal, first.evaluation_date.to_string()), (Some(0.2), "2026-12-31".into()));
        let second = &plan.items[1];
        assert_eq!((second.reason.as_str(), second.current_level, second.target_level), ("毛利率 \"12%\"", 1, 3));
        assert_eq!((second.goal, second.measures.as_str()), (Some(0.18), ""), "no target: the peer median");
        let blank = blank("R003", NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        let error = Plan::parse(&blank, "blank").unwrap_err().to_string();
        assert_eq!(error, "plan blank: items[1].item is empty: name what is to be developed");
        let filled = Plan::parse(&blank.replacen("item = \"\"", "item = \"产品知识\"", 1), "blank").unwrap();
        assert_eq!(
            (filled.rep_id.as_str(), filled.items[0].evaluation_date.to_string()),
            ("R003", "2026-12-31".into())
        );
        let nothing = Draft { sections: vec![], ..draft };
        assert!(plan_from(&nothing, &"2026-Q3".parse::<Period>().unwrap(), PlanKind::Idp).is_err());
        assert_eq!(
            [level_of(0.0), level_of(19.9), level_of(20.0), level_of(79.9), level_of(80.0), level_of(100.0)],
            [1, 1, 2, 4, 5, 5]
        );
    }
}
