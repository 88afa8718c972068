//! The scoring scheme: its weights and rules, a live preview of how grades
//! and ranks move when weights change (htmx), saving a new version, and the
//! version history.

use maud::{Markup, html};
use yeji_core::scheme::Scheme;
use yeji_engine::{EntityResult, SchemeVersion};

use super::{Ctx, entity_link, grade, kpi};

pub fn render(
    ctx: &Ctx,
    scheme: &Scheme,
    version: Option<i64>,
    versions: &[SchemeVersion],
    error: Option<&str>,
) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        @if let Some(error) = error { div.card.error #scheme-error { p { (error) } } }
        form.card #weights method="post" action="/scheme"
            hx-post="/scheme/preview" hx-trigger="input delay:300ms" hx-target="#preview" hx-swap="innerHTML" {
            h2 { (t("weights")) " · " (scheme.name) " · v" (version.map_or("0 (default)".into(), |v| v.to_string())) }
            p.muted { (t("preview_help")) }
            input type="hidden" name="period" value=(ctx.period);
            table.data {
                thead { tr { th { (t("kpi")) } th.num { (t("weight")) " %" } th { (t("rule")) } th.num { (t("target")) } } }
                tbody {
                    @for k in &scheme.kpis {
                        tr {
                            td { (kpi(&k.kpi).map_or(k.kpi.as_str(), |d| ctx.lang.kpi_name(d))) }
                            td.num { input.weight type="number" name={ "w_" (k.kpi) } value=(k.weight) min="0" max="100" step="any"; }
                            td {
                                @let current = rule_name(&k.rule);
                                select name={ "r_" (k.kpi) } {
                                    @for rule in RULES.iter().copied().chain((current == "linear").then_some("linear")) {
                                        option value=(rule) selected[rule == current] { (rule) }
                                    }
                                }
                            }
                            td.num { (k.default_target.map_or("–".into(), |t| t.to_string())) }
                        }
                    }
                }
            }
            p.muted { (t("grades")) ": " @for (g, floor) in &scheme.grades.bands { (g) " ≥ " (floor) "  " } (scheme.grades.lowest) }
            button type="submit" { (t("save")) }
        }
        section.card {
            h2 { (t("preview")) " · " (ctx.period) }
            div #preview { p.muted { (t("preview_help")) } }
        }
        section.card {
            h2 { (t("versions")) }
            table.data {
                thead { tr { th.num { "v" } th { (t("name")) } th { (t("time")) } th { (t("by")) } } }
                tbody { @for v in versions.iter().rev() {
                    tr { td.num { (v.version) } td { (v.name) } td { (v.at.format("%Y-%m-%d %H:%M")) } td { (v.actor) } }
                } }
            }
        }
    }
}

/// The rules a scheme's KPI can be switched to on the page, with their
/// default parameters (`linear` needs its floor and stretch: set in TOML).
pub const RULES: [&str; 5] = ["ratio_to_target", "lower_is_better", "percentile", "min_max", "z_score"];

/// A rule's name as schemes write it (`ratio_to_target`).
pub fn rule_name(rule: &yeji_core::scheme::Rule) -> String {
    serde_json::to_value(rule)
        .ok()
        .and_then(|v| v.get("rule").and_then(|r| r.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// Reps under the current and the proposed weights: score, grade and rank,
/// those that move most first.
pub fn preview(ctx: &Ctx, current: &[EntityResult], proposed: &[EntityResult]) -> Markup {
    let t = |key| ctx.lang.t(key);
    let mut rows: Vec<(&EntityResult, &EntityResult)> = current
        .iter()
        .filter_map(|c| Some((c, proposed.iter().find(|p| p.id == c.id && p.level == c.level)?)))
        .collect();
    let moved =
        |(c, p): &(&EntityResult, &EntityResult)| (c.rank.unwrap_or(0) as i64 - p.rank.unwrap_or(0) as i64).abs();
    rows.sort_by_key(|row| (std::cmp::Reverse(moved(row)), row.1.rank.unwrap_or(usize::MAX)));
    let changed_grades = rows.iter().filter(|(c, p)| c.grade != p.grade).count();
    html! {
        p #preview-summary { (t("moved")) ": " strong { (changed_grades) } " " (t("grade")) }
        table.data.preview {
            thead { tr {
                th { (t("name")) }
                th.num { (t("current")) } th {} th.num { (t("rank")) }
                th.num { (t("proposed")) } th {} th.num { (t("rank")) } th.num { (t("moved")) }
            } }
            tbody { @for (c, p) in &rows {
                tr.changed[c.grade != p.grade] data-id=(c.id) {
                    td { (entity_link(ctx, c)) }
                    td.num { (ctx.lang.score(c.score)) } td { (grade(c.grade.as_deref())) } td.num { (c.rank.map_or("–".into(), |r| r.to_string())) }
                    td.num.proposed-score { (ctx.lang.score(p.score)) } td { (grade(p.grade.as_deref())) } td.num { (p.rank.map_or("–".into(), |r| r.to_string())) }
                    td.num { (match (c.rank, p.rank) { (Some(a), Some(b)) if a > b => format!("▲{}", a - b), (Some(a), Some(b)) if b > a => format!("▼{}", b - a), _ => String::new() }) }
                }
            } }
        }
    }
}
