//! A plan as a document (HTML, PDF, XLSX through yeji-export) in seed 002's
//! table form, with its agreements, check-ins and measured effect; the
//! table's column names are the pages' too.

use yeji_core::KpiId;
use yeji_export::{Block, Doc};
use yeji_feedback::Lang;

use crate::{Effect, PlanKind, StoredPlan};

/// The columns of a plan's items table, in seed 002's order.
pub fn item_columns(lang: Lang) -> [&'static str; 9] {
    match lang {
        Lang::Zh => [
            "有待发展项目",
            "目前水平",
            "期望水平",
            "最近评估",
            "发展的原因",
            "发展措施",
            "所需资源",
            "评估时间",
            "指标与目标值",
        ],
        Lang::En => [
            "Development item",
            "Current level",
            "Target level",
            "Latest check-in",
            "Why",
            "Measures",
            "Resources",
            "Evaluation date",
            "KPI and goal",
        ],
    }
}

fn kind_name(kind: PlanKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (PlanKind::Idp, Lang::Zh) => "个人发展计划（IDP）",
        (PlanKind::Pip, Lang::Zh) => "绩效改进计划（PIP）",
        (PlanKind::Idp, Lang::En) => "Individual development plan (IDP)",
        (PlanKind::Pip, Lang::En) => "Performance improvement plan (PIP)",
    }
}

/// A value of `kpi` as the feedback writes it (万 or K, percentages), "–" for none.
fn number(kpi: &str, v: Option<f64>, lang: Lang) -> String {
    match (kpi.parse::<KpiId>(), v) {
        (Ok(kpi), Some(v)) => yeji_feedback::kpi_value(kpi, v, lang),
        (Err(_), Some(v)) => format!("{v:.4}"),
        (_, None) => "–".into(),
    }
}

fn name_of(kpi: &str, lang: Lang) -> String {
    kpi.parse::<KpiId>().map_or(kpi.to_owned(), |k| yeji_feedback::kpi_name(k, lang).to_owned())
}

/// The rows of a plan's items table, under [`item_columns`].
pub fn item_rows(plan: &StoredPlan, lang: Lang) -> Vec<Vec<String>> {
    plan.plan
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            vec![
                item.item.clone(),
                item.current_level.to_string(),
                item.target_level.to_string(),
                plan.level_now(n + 1).map_or("–".into(), |l| l.to_string()),
                item.reason.clone(),
                item.measures.clone(),
                item.resources.clone(),
                item.evaluation_date.to_string(),
                item.kpi.map_or(String::new(), |k| {
                    format!("{} {}", yeji_feedback::kpi_name(k, lang), number(k.as_str(), item.goal, lang))
                }),
            ]
        })
        .collect()
}

/// The document of `plan` for the rep named `name`, with its `effect` if measured.
pub fn report(plan: &StoredPlan, name: &str, effect: Option<&Effect>, lang: Lang) -> Doc {
    let zh = lang == Lang::Zh;
    let rows = item_rows(plan, lang);
    let yes_no = |yes: bool| {
        if yes {
            if zh { "已确认" } else { "agreed" }
        } else if zh {
            "未确认"
        } else {
            "not yet"
        }
    };
    let agreed = if zh {
        format!("销售：{}；主管：{}", yes_no(plan.agreed.rep), yes_no(plan.agreed.manager))
    } else {
        format!("Rep: {}; manager: {}", yes_no(plan.agreed.rep), yes_no(plan.agreed.manager))
    };
    let mut blocks =
        vec![Block::Paragraph(agreed), Block::Table { header: item_columns(lang).map(str::to_owned).to_vec(), rows }];
    if !plan.checkins.is_empty() {
        blocks.push(Block::Heading(if zh { "进展记录" } else { "Check-ins" }.into()));
        let header = if zh {
            ["时间", "操作人", "项目", "水平", "说明"]
        } else {
            ["When", "By", "Item", "Level", "Note"]
        };
        let rows = plan
            .checkins
            .iter()
            .map(|c| {
                let at = c.at.format("%Y-%m-%d").to_string();
                vec![at, c.actor.clone(), c.item.to_string(), c.level.to_string(), c.note.clone()]
            })
            .collect();
        blocks.push(Block::Table { header: header.map(str::to_owned).to_vec(), rows });
    }
    if let Some(effect) = effect.filter(|e| !e.items.is_empty()) {
        blocks.push(Block::Heading(if zh { "效果（双重差分）" } else { "Effect (difference in differences)" }.into()));
        let header = if zh {
            ["指标", "计划前", "计划后", "对照组", "效果", "说明"]
        } else {
            ["KPI", "Before", "After", "Comparison group", "Effect", "Note"]
        };
        let rows = effect
            .items
            .iter()
            .map(|i| {
                let n = |v: Option<f64>| number(&i.kpi, v, lang);
                vec![
                    name_of(&i.kpi, lang),
                    format!("{} {}", i.before.period, n(i.before.value)),
                    format!("{} {}", i.after.period, n(i.after.value)),
                    format!(
                        "{} → {} ({})",
                        n(i.comparison.before),
                        n(i.comparison.after),
                        i.comparison.rep_ids.join(", ")
                    ),
                    n(i.effect),
                    i.note.clone().unwrap_or_default(),
                ]
            })
            .collect();
        blocks.push(Block::Table { header: header.map(str::to_owned).to_vec(), rows });
    }
    Doc {
        title: format!("{name} ({}) · {}", plan.plan.rep_id, kind_name(plan.plan.kind, lang)),
        subtitle: format!("{} {} · {}", if zh { "开始" } else { "from" }, plan.plan.start, plan.state.as_str()),
        lang: if zh { "zh-CN" } else { "en" }.into(),
        blocks,
    }
}
