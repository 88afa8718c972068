//! The targets page (SPEC §7): each unit's target against its children's
//! sum, the difficulty of every target (target ÷ forecast, coloured by the
//! check's verdict; the flagged ones listed with their reasons), the
//! versions of targets set in yeji, and the forms that propose and decide.

use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};
use yeji_targets::{Checked, Verdict};

use super::{Ctx, chart};
use crate::api_targets::TargetsView;
use crate::i18n::Lang;

fn verdict_label(lang: Lang, verdict: Verdict) -> &'static str {
    lang.t(match verdict {
        Verdict::Ok => "verdict_ok",
        Verdict::TooEasy => "verdict_too_easy",
        Verdict::Unreachable => "verdict_unreachable",
        Verdict::NoHistory => "verdict_no_history",
    })
}

fn state_label(lang: Lang, state: &str) -> &'static str {
    lang.t(match state {
        "draft" => "target_state_draft",
        "approved" => "target_state_approved",
        "rejected" => "target_state_rejected",
        _ => "target_state_superseded",
    })
}

fn colour(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "#2e9e6b",
        Verdict::TooEasy => "#f0ad4e",
        Verdict::Unreachable => "#d9534f",
        Verdict::NoHistory => "#999999",
    }
}

/// Each target with a forecast as its share of the forecast (%), lowest
/// first, with the check's thresholds as lines.
pub fn difficulty(lang: Lang, checks: &[Checked], name: &dyn Fn(&str) -> String) -> Value {
    let mut points: Vec<(f64, &Checked)> = checks
        .iter()
        .filter_map(|c| {
            let forecast = c.forecast.filter(|f| *f > 0.0)?;
            Some((c.target.to_f64()? / forecast * 100.0, c))
        })
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.entity_id.cmp(&b.1.entity_id)));
    let labels: Vec<String> = points.iter().map(|(_, c)| name(&c.entity_id)).collect();
    let bars: Vec<Value> = points
        .iter()
        .map(|(ratio, c)| {
            json!({ "value": (ratio * 10.0).round() / 10.0, "itemStyle": { "color": colour(c.verdict) },
                    "name": verdict_label(lang, c.verdict) })
        })
        .collect();
    json!({
        "tooltip": { "trigger": "axis" },
        "grid": { "left": 50, "right": 20, "top": 20, "bottom": 60 },
        "xAxis": { "type": "category", "data": labels, "axisLabel": { "rotate": 45 } },
        "yAxis": { "type": "value", "name": "%" },
        "dataZoom": [{ "type": "inside" }],
        "series": [{ "type": "bar", "data": bars,
            "markLine": { "silent": true, "symbol": "none", "data": [{ "yAxis": 75 }, { "yAxis": 100 }, { "yAxis": 150 }] } }]
    })
}

fn money(lang: Lang, value: Option<Decimal>) -> String {
    lang.value(yeji_core::kpi::Unit::Money, value.and_then(|v| v.to_f64()))
}

fn rollup(ctx: &Ctx, view: &TargetsView, name: &dyn Fn(&str) -> String) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #rollup {
            h2 { (t("top_down_bottom_up")) }
            @if view.units.is_empty() { p.muted { (t("no_targets")) } } @else {
                table {
                    thead { tr { th { (t("unit")) } th { (t("top_down")) } th { (t("bottom_up")) } th { (t("gap")) } } }
                    tbody { @for unit in &view.units {
                        tr data-unit=(unit.entity_id) {
                            td { (name(&unit.entity_id)) }
                            td.num { (money(ctx.lang, unit.top_down)) }
                            td.num { (money(ctx.lang, unit.bottom_up)) }
                            td.num.down[unit.gap.is_some_and(|g| g > Decimal::ZERO)] { (money(ctx.lang, unit.gap)) }
                        }
                    } }
                }
            }
        }
    }
}

fn checks(ctx: &Ctx, view: &TargetsView, name: &dyn Fn(&str) -> String) -> Markup {
    let t = |key| ctx.lang.t(key);
    let flagged: Vec<&Checked> =
        view.checks.iter().filter(|c| matches!(c.verdict, Verdict::TooEasy | Verdict::Unreachable)).collect();
    html! {
        @if !view.checks.is_empty() {
            section.card #difficulty {
                h2 { (t("target_difficulty")) }
                p.muted { (t("target_difficulty_hint")) }
                (chart(&difficulty(ctx.lang, &view.checks, name), "wide"))
                @if !flagged.is_empty() {
                    table.checks {
                        thead { tr { th { (t("entity")) } th { (t("target")) } th { (t("verdict")) } th { (t("reason")) } } }
                        tbody { @for c in &flagged {
                            tr data-entity=(c.entity_id) data-verdict=(c.verdict.name()) {
                                td { (name(&c.entity_id)) }
                                td.num { (money(ctx.lang, Some(c.target))) }
                                td { span class=(format!("verdict {}", c.verdict.name())) { (verdict_label(ctx.lang, c.verdict)) } }
                                td.muted { (c.reason) }
                            }
                        } }
                    }
                }
            }
        }
    }
}

fn versions(ctx: &Ctx, view: &TargetsView, name: &dyn Fn(&str) -> String, decide: bool) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #versions {
            h2 { (t("target_versions")) }
            @if view.versions.is_empty() { p.muted { (t("no_target_versions")) } } @else {
                table {
                    thead { tr { th { (t("entity")) } th { (t("kpi")) } th { "v" } th { (t("target")) } th { (t("why")) }
                        th { (t("state")) } th { (t("by")) } } }
                    tbody { @for v in &view.versions {
                        tr #{ "target-" (v.id) } data-state=(v.state) data-entity=(v.entity_id) {
                            td { (name(&v.entity_id)) }
                            td { (super::kpi(&v.metric).map_or(v.metric.clone(), |k| ctx.lang.kpi_name(k).to_owned())) }
                            td { (v.version) }
                            td.num { (money(ctx.lang, v.value.parse().ok())) }
                            td { (v.why) }
                            td {
                                span.target-state { (state_label(ctx.lang, &v.state)) }
                                @if let Some(note) = v.note.as_deref().filter(|n| !n.is_empty()) { br; small.muted { (note) } }
                                @if decide && v.state == "draft" {
                                    form.target-step method="post" action=(format!("/targets/{}/step", v.id)) {
                                        input type="text" name="note" placeholder=(t("target_note"));
                                        button name="step" value="approve" { (t("approve")) }
                                        button name="step" value="reject" { (t("reject")) }
                                    }
                                }
                            }
                            td.muted { (v.proposed_by) @if let Some(by) = &v.decided_by { " → " (by) } }
                        }
                    } }
                }
            }
        }
    }
}

fn propose_form(ctx: &Ctx, view: &TargetsView) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #propose {
            h2 { (t("propose_target")) }
            form.propose method="post" action="/targets" {
                input type="hidden" name="period" value=(view.period);
                label { (t("entity")) " " input type="text" name="entity_id" required size="10"; }
                label { (t("kpi")) " " input type="text" name="metric" value=(view.metric) size="14"; }
                label { (t("target")) " " input type="text" name="value" required inputmode="decimal" size="14"; }
                label { (t("why")) " " input type="text" name="why" size="30"; }
                button type="submit" { (t("propose")) }
            }
        }
    }
}

/// The page; `(propose, decide)`: whether the viewer may propose and decide targets.
pub fn render(ctx: &Ctx, view: &TargetsView, name: &dyn Fn(&str) -> String, (propose, decide): (bool, bool)) -> Markup {
    html! {
        (rollup(ctx, view, name))
        (checks(ctx, view, name))
        (versions(ctx, view, name, decide))
        @if propose { (propose_form(ctx, view)) }
    }
}
