//! Comparison (seed 000 §3.2.2): entities side by side, in one period or two.

use maud::{Markup, html};
use serde_json::json;
use yeji_core::kpi::CATALOGUE;

use super::{Ctx, chart, grade, kpi_value};
use crate::views::Comparison;

pub fn render(
    ctx: &Ctx,
    ids: &str,
    period_b: &str,
    choices: &[(String, String)],
    comparison: Option<&Comparison>,
) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        form.card.compare method="get" action="/compare" {
            label { (t("entities")) input name="ids" value=(ids) list="entity-ids" size="40" required; }
            datalist #entity-ids { @for (id, name) in choices { option value=(id) { (name) } } }
            label { (t("period")) input name="period" value=(ctx.period) list="periods" size="10"; }
            label { (t("period_b")) input name="period_b" value=(period_b) list="periods" size="10"; }
            button type="submit" { (t("compare")) }
        }
        @if let Some(comparison) = comparison {
            @let kpis: Vec<_> = CATALOGUE.iter().filter(|k| comparison.columns.iter().any(|c| c.kpis.contains_key(k.id))).collect();
            @let label = |i: usize| {
                let column = &comparison.columns[i];
                let per = comparison.columns.len() / comparison.periods.len().max(1);
                format!("{} · {}", column.name, comparison.periods[i / per.max(1)])
            };
            section.card {
                table.data.compare-table {
                    thead { tr { th { (t("kpi")) } @for i in 0..comparison.columns.len() { th.num { (label(i)) } } } }
                    tbody {
                        tr { td { strong { (t("score")) } } @for c in &comparison.columns { td.num { strong { (ctx.lang.score(c.score)) } " " (grade(c.grade.as_deref())) } } }
                        tr { td { (t("rank")) } @for c in &comparison.columns { td.num { (c.rank.map_or("–".into(), |r| r.to_string())) " / " (c.rank_of) } } }
                        @for k in &kpis {
                            tr { td { (ctx.lang.kpi_name(k)) } @for c in &comparison.columns { td.num { (kpi_value(ctx.lang, c, k.id)) } } }
                        }
                    }
                }
            }
            section.card {
                @let scored: Vec<_> = kpis.iter().filter(|k| comparison.columns.iter().any(|c| c.kpis[k.id].score.is_some())).collect();
                (chart(&json!({
                    "tooltip": {"trigger": "axis"},
                    "legend": {"top": 0},
                    "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": true},
                    "xAxis": {"type": "category", "data": scored.iter().map(|k| ctx.lang.kpi_name(k)).collect::<Vec<_>>()},
                    "yAxis": {"type": "value", "name": t("score")},
                    "series": (0..comparison.columns.len()).map(|i| json!({
                        "type": "bar",
                        "name": label(i),
                        "data": scored.iter().map(|k| comparison.columns[i].kpis.get(k.id).and_then(|r| r.score).map(|s| (s * 10.0).round() / 10.0)).collect::<Vec<_>>()
                    })).collect::<Vec<_>>()
                }), "tall"))
            }
        }
    }
}
