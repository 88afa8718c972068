//! The scoring scheme, edited whole: its KPIs (added and removed), weights,
//! rules by name with their parameters, and default targets (ratios as
//! percentages); a live preview of how grades and ranks move (htmx); saving a
//! new version; the version history.

use maud::{Markup, html};
use yeji_core::kpi::{CATALOGUE, Direction, Unit};
use yeji_core::scheme::{RULE_NAMES, Rule, Scheme, SchemeKpi};
use yeji_eval::EntityResult;
use yeji_facts::SchemeVersion;

use super::{Ctx, entity_link, grade};
use crate::i18n::Lang;

/// What the page shows besides the scheme.
pub struct Page<'a> {
    pub version: Option<i64>,
    pub versions: &'a [SchemeVersion],
    pub error: Option<&'a str>,
    /// The scheme on the page differs from the saved one (a KPI was added or removed).
    pub unsaved: bool,
    /// The viewer may change the scheme (an admin or a director); others read it.
    pub editable: bool,
}

pub fn render(ctx: &Ctx, scheme: &Scheme, page: &Page) -> Markup {
    if !page.editable {
        return read_only(ctx, scheme, page);
    }
    let t = |key| ctx.lang.t(key);
    let unused: Vec<&str> =
        CATALOGUE.iter().map(|k| k.id).filter(|id| !scheme.kpis.iter().any(|k| k.kpi == *id)).collect();
    html! {
        @if let Some(error) = page.error { div.card.error #scheme-error { p { (error) } } }
        form.card #weights method="post" action="/scheme"
            hx-post="/scheme/preview" hx-trigger="input delay:300ms, change" hx-target="#preview" hx-swap="innerHTML" {
            h2 { (t("weights")) " · " (scheme.name) " · v" (page.version.map_or("0 (default)".into(), |v| v.to_string())) }
            @if page.unsaved { p.note #unsaved { (t("unsaved")) } }
            p.muted { (t("preview_help")) }
            input type="hidden" name="period" value=(ctx.period);
            table.data {
                thead { tr {
                    th { (t("kpi")) } th.num { (t("weight")) " %" } th { (t("rule")) } th.num { (t("target")) }
                    th.num { (t("cap")) } th.num { (t("floor")) } th.num { (t("stretch")) } th {}
                } }
                tbody { @for k in &scheme.kpis { (row(ctx, scheme, k)) } }
            }
            p {
                @if !unused.is_empty() {
                    select name="add" #add-kpi {
                        @for id in &unused { option value=(id) { (kpi_label(ctx.lang, scheme, id)) } }
                    }
                    " " button type="submit" name="action" value="add" #add { (t("add_kpi")) }
                }
            }
            p.muted { (t("grades")) ": " @for (g, floor) in &scheme.grades.bands { (g) " ≥ " (floor) "  " } (scheme.grades.lowest) }
            button type="submit" name="action" value="save" #save { (t("save")) }
        }
        section.card {
            h2 { (t("preview")) " · " (ctx.period) }
            div #preview { p.muted { (t("preview_help")) } }
        }
        section.card {
            h2 { (t("versions")) }
            table.data {
                thead { tr { th.num { "v" } th { (t("name")) } th { (t("time")) } th { (t("by")) } } }
                tbody { @for v in page.versions.iter().rev() {
                    tr { td.num { (v.version) } td { (v.name) } td { (v.at.format("%Y-%m-%d %H:%M")) } td { (v.actor) } }
                } }
            }
        }
    }
}

/// The scheme as a table, for those who may not change it.
fn read_only(ctx: &Ctx, scheme: &Scheme, page: &Page) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #scheme-read {
            h2 { (t("weights")) " · " (scheme.name) " · v" (page.version.map_or("0 (default)".into(), |v| v.to_string())) }
            table.data {
                thead { tr { th { (t("kpi")) } th.num { (t("weight")) " %" } th { (t("rule")) } th.num { (t("target")) } } }
                tbody { @for k in &scheme.kpis {
                    tr data-kpi=(k.kpi) {
                        td { (kpi_label(ctx.lang, scheme, &k.kpi)) }
                        td.num { (k.weight) }
                        td { (rule_label(ctx.lang, k.rule.name())) }
                        td.num { (target_text(scheme.unit_of(&k.kpi), k.default_target)) (target_suffix(scheme.unit_of(&k.kpi))) }
                    }
                } }
            }
            p.muted { (t("grades")) ": " @for (g, floor) in &scheme.grades.bands { (g) " ≥ " (floor) "  " } (scheme.grades.lowest) }
        }
    }
}

/// One KPI of the scheme: its fields are named after it (`w_revenue`, …).
fn row(ctx: &Ctx, scheme: &Scheme, k: &SchemeKpi) -> Markup {
    let id = k.kpi.as_str();
    let direction = scheme.direction_of(id);
    let params = k.rule.params();
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let target_in_data = id == "revenue";
    html! {
        tr data-kpi=(id) {
            td { input type="hidden" name="kpi" value=(id); (kpi_label(ctx.lang, scheme, id)) }
            td.num { input.weight type="number" name={ "w_" (id) } value=(k.weight) min="0" max="100" step="any"; }
            td {
                select name={ "r_" (id) } {
                    @for rule in rules_for(direction) {
                        option value=(rule) selected[rule == k.rule.name()] { (rule_label(ctx.lang, rule)) }
                    }
                }
            }
            td.num {
                @if target_in_data { span.muted { (ctx.lang.t("target_from_data")) } } @else {
                    input.target type="number" name={ "t_" (id) } value=(target_text(scheme.unit_of(id), k.default_target)) step="any";
                    (target_suffix(scheme.unit_of(id)))
                }
            }
            td.num { input.param type="number" name={ "cap_" (id) } value=(number(params.cap)) step="any" min="1"; }
            td.num { input.param type="number" name={ "floor_" (id) } value=(number(params.floor)) step="any"; }
            td.num { input.param type="number" name={ "stretch_" (id) } value=(number(params.stretch)) step="any"; }
            td { button.remove type="submit" name="remove" value=(id) formnovalidate { (ctx.lang.t("remove")) } }
        }
    }
}

/// The rules a KPI of `direction` can be scored by (the others reward the
/// wrong way and are refused).
pub fn rules_for(direction: Direction) -> impl Iterator<Item = &'static str> {
    RULE_NAMES.into_iter().filter(move |rule| match direction {
        Direction::HigherIsBetter => *rule != "lower_is_better",
        Direction::LowerIsBetter => *rule != "ratio_to_target",
    })
}

fn rule_label(lang: Lang, rule: &str) -> &'static str {
    let (zh, en) = Rule::label(rule);
    if lang == Lang::Zh { zh } else { en }
}

fn kpi_label(lang: Lang, scheme: &Scheme, id: &str) -> String {
    match CATALOGUE.iter().find(|k| k.id == id) {
        Some(kpi) => lang.kpi_name(kpi).to_owned(),
        None => {
            let formula = scheme.formula(id);
            let name = formula.and_then(|f| if lang == Lang::Zh { f.name_zh.clone() } else { f.name_en.clone() });
            name.unwrap_or_else(|| id.to_owned())
        }
    }
}

/// A default target as the page shows it: ratios as percentages (0.3 → 30).
pub fn target_text(unit: Option<Unit>, target: Option<f64>) -> String {
    match (unit, target) {
        (_, None) => String::new(),
        (Some(Unit::Ratio), Some(t)) => format_number(t * 100.0),
        (_, Some(t)) => format_number(t),
    }
}

/// A default target as typed on the page, back as the scheme holds it.
pub fn target_value(unit: Option<Unit>, typed: f64) -> f64 {
    if unit == Some(Unit::Ratio) { typed / 100.0 } else { typed }
}

fn target_suffix(unit: Option<Unit>) -> &'static str {
    if unit == Some(Unit::Ratio) { " %" } else { "" }
}

/// A number without float noise (0.3 × 100 prints 30, not 30.000000000000004).
fn format_number(v: f64) -> String {
    let rounded = (v * 1e9).round() / 1e9;
    rounded.to_string()
}

/// Reps under the current and the proposed scheme: score, grade and rank,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_targets_show_as_percentages_and_read_back() {
        assert_eq!(target_text(Some(Unit::Ratio), Some(0.3)), "30");
        assert_eq!(target_value(Some(Unit::Ratio), 30.0), 0.3);
        assert_eq!(target_text(Some(Unit::Points), Some(90.0)), "90");
        assert_eq!(target_value(Some(Unit::Points), 90.0), 90.0);
        assert!(rules_for(Direction::LowerIsBetter).all(|r| r != "ratio_to_target"));
        assert!(rules_for(Direction::HigherIsBetter).any(|r| r == "ratio_to_target"));
    }
}
