//! The plan file (SPEC §15.5), also what the pages edit:
//!
//! ```toml
//! [plan]
//! rep_id = "R001"
//! kind = "idp"                    # idp | pip
//! start = "2026-04-01"
//! [[items]]
//! item = "新客户开发"
//! current_level = 2               # 1–5
//! target_level = 4                # 1–5
//! reason = "新客户开发率 8%，目标 20%"
//! measures = "陪同优秀销售拜访；新客户开发培训"
//! resources = "培训预算 3000 元"
//! evaluation_date = "2026-09-30"
//! kpi = "new_customer_rate"       # optional, with a goal
//! goal = 0.20
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use yeji_core::KpiId;

use crate::PlanError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// An individual development plan.
    Idp,
    /// A performance improvement plan (ends passed or failed).
    Pip,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Idp => "idp",
            PlanKind::Pip => "pip",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanItem {
    pub item: String,
    pub current_level: u8,
    pub target_level: u8,
    pub reason: String,
    pub measures: String,
    pub resources: String,
    pub evaluation_date: NaiveDate,
    pub kpi: Option<KpiId>,
    pub goal: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub rep_id: String,
    pub kind: PlanKind,
    pub start: NaiveDate,
    pub items: Vec<PlanItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    plan: Head,
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    rep_id: String,
    kind: PlanKind,
    start: NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    item: String,
    current_level: i64,
    target_level: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    resources: String,
    evaluation_date: NaiveDate,
    kpi: Option<String>,
    goal: Option<f64>,
}

fn level(value: i64, field: &str, n: usize) -> Result<u8, String> {
    match u8::try_from(value) {
        Ok(level @ 1..=5) => Ok(level),
        _ => Err(format!("items[{n}].{field} = {value}: a level is 1 to 5")),
    }
}

impl Plan {
    /// Reads a plan file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Plan, PlanError> {
        let bad = |reason: String| PlanError::BadPlan { file: file.to_owned(), reason };
        let parsed: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if parsed.items.is_empty() {
            return Err(bad("a plan needs at least one [[items]]".into()));
        }
        let mut items = Vec::new();
        for (n, item) in parsed.items.into_iter().enumerate() {
            let n = n + 1;
            if item.item.trim().is_empty() {
                return Err(bad(format!("items[{n}].item is empty: name what is to be developed")));
            }
            let current_level = level(item.current_level, "current_level", n).map_err(bad)?;
            let target_level = level(item.target_level, "target_level", n).map_err(bad)?;
            if item.evaluation_date <= parsed.plan.start {
                return Err(bad(format!(
                    "items[{n}].evaluation_date {} is not after the plan's start {}",
                    item.evaluation_date, parsed.plan.start
                )));
            }
            let kpi = item
                .kpi
                .as_deref()
                .map(str::parse::<KpiId>)
                .transpose()
                .map_err(|e| bad(format!("items[{n}].kpi: {e}")))?;
            if item.goal.is_some() && kpi.is_none() {
                return Err(bad(format!("items[{n}].goal needs the kpi it is a goal of")));
            }
            if item.goal.is_some_and(|g| !g.is_finite()) {
                return Err(bad(format!("items[{n}].goal is not a number")));
            }
            items.push(PlanItem {
                item: item.item,
                current_level,
                target_level,
                reason: item.reason,
                measures: item.measures,
                resources: item.resources,
                evaluation_date: item.evaluation_date,
                kpi,
                goal: item.goal,
            });
        }
        Ok(Plan {
            rep_id: parsed.plan.rep_id.trim().to_owned(),
            kind: parsed.plan.kind,
            start: parsed.plan.start,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"
[plan]
rep_id = "R001"
kind = "idp"
start = "2026-04-01"
[[items]]
item = "新客户开发"
current_level = 2
target_level = 4
reason = "新客户开发率 8%，目标 20%"
measures = "陪同优秀销售拜访；新客户开发培训"
resources = "培训预算 3000 元"
evaluation_date = "2026-09-30"
kpi = "new_customer_rate"
goal = 0.20
[[items]]
item = "产品知识"
current_level = 4
target_level = 5
evaluation_date = "2026-03-31"
"#;

    #[test]
    fn the_seed_plan_reads_and_each_fault_is_named() {
        let error = Plan::parse(SEED, "plan.toml").unwrap_err().to_string();
        assert_eq!(
            error,
            "plan plan.toml: items[2].evaluation_date 2026-03-31 is not after the plan's start 2026-04-01"
        );
        let plan = Plan::parse(&SEED.replace("2026-03-31", "2027-03-31"), "plan.toml").unwrap();
        assert_eq!((plan.items[0].current_level, plan.items[0].target_level, plan.items[0].goal), (2, 4, Some(0.2)));
        assert_eq!(plan.items[0].kpi.unwrap().as_str(), "new_customer_rate");
        let faults = [
            (SEED.replace("target_level = 4", "target_level = 6"), "items[1].target_level = 6: a level is 1 to 5"),
            (SEED.replace("\"new_customer_rate\"", "\"charm\""), "items[1].kpi: unknown KPI 'charm'"),
            (SEED.replace("kind = \"idp\"", "kind = \"okr\""), "unknown variant `okr`"),
        ];
        for (text, expected) in faults {
            let error = Plan::parse(&text, "plan.toml").unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
