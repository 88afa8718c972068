//! The overview of a period: company KPIs against targets, trend, slices,
//! leaderboard, grades, funnel, strongest and weakest teams.

use maud::{Markup, html};
use serde_json::{Value, json};
use yeji_eval::{Dimension, EntityResult, Funnel};

use super::{Ctx, chart, encode, entity_link, grade, growth, kpi, kpi_value, leaderboard};
use crate::i18n::Lang;
use crate::views::{Breakdown, Overview, Trend};

/// The KPIs the overview's cards show, when the data supports them.
const CARDS: [&str; 8] = [
    "revenue",
    "gross_margin",
    "collection_rate",
    "new_customers",
    "satisfaction",
    "win_rate",
    "overdue_amount",
    "avg_order_value",
];

pub fn render(ctx: &Ctx, view: &Overview, scheme_kpis: &[super::SchemeColumn]) -> Markup {
    let t = |key| ctx.lang.t(key);
    let company = &view.company;
    let names = |id: &str| view.units.get(id).cloned().unwrap_or_default();
    html! {
        section.cards {
            @for id in CARDS.iter().filter(|id| company.kpis.contains_key(**id)) {
                (card(ctx, company, id))
            }
        }
        @if !view.recognition.is_empty() { (recognition(ctx, &view.recognition)) }
        section.grid2 {
            div.card {
                h2 { (t("trend")) }
                (chart(&trend_chart(ctx.lang, &view.trend), "tall"))
            }
            div.card {
                h2 { (t("by_region")) }
                (chart(&slices_chart(ctx, view.breakdowns.iter().find(|b| b.dimension == Dimension::Region)), "tall"))
            }
        }
        section.grid3 {
            @for (dimension, key) in [(Dimension::ProductLine, "by_product_line"), (Dimension::Channel, "by_channel"), (Dimension::Segment, "by_segment")] {
                div.card {
                    h2 { (t(key)) }
                    (chart(&pie_chart(ctx.lang, view.breakdowns.iter().find(|b| b.dimension == dimension)), ""))
                }
            }
        }
        section.grid2 {
            div.card {
                h2 { (t("grades")) }
                (chart(&json!({
                    "tooltip": {},
                    "grid": {"left": 8, "right": 24, "top": 20, "bottom": 8, "containLabel": true},
                    "xAxis": {"type": "category", "data": view.grades.iter().map(|g| &g.grade).collect::<Vec<_>>()},
                    "yAxis": {"type": "value", "minInterval": 1},
                    "series": [{"type": "bar", "name": t("rep"), "data": view.grades.iter().map(|g| g.reps).collect::<Vec<_>>(), "itemStyle": {"color": "#3b6fd8"}, "label": {"show": true, "position": "top"}}]
                }), ""))
            }
            div.card {
                h2 { (t("funnel")) }
                (chart(&funnel_chart(ctx.lang, &view.funnel), ""))
            }
        }
        section.grid2 {
            div.card {
                h2 { (t("strongest")) }
                (team_list(ctx, &view.strongest))
            }
            div.card {
                h2 { (t("weakest")) }
                (team_list(ctx, &view.weakest))
            }
        }
        section.card {
            h2 { (t("regions")) }
            (leaderboard(ctx, &view.regions, scheme_kpis, &names))
        }
        section.card {
            h2 { (t("leaderboard")) " · " (view.leaderboard.len()) " / " (view.scored_reps) " " (t("rep")) }
            (leaderboard(ctx, &view.leaderboard, scheme_kpis, &names))
        }
        @if !view.bottom.is_empty() {
            section.card {
                h2 { (t("weakest")) " · " (t("rep")) }
                (leaderboard(ctx, &view.bottom, scheme_kpis, &names))
            }
        }
    }
}

/// A KPI card: value, target, YoY and PoP (for revenue), linked to its explanation.
fn card(ctx: &Ctx, company: &EntityResult, id: &str) -> Markup {
    let definition = kpi(id).expect("cards name catalogue KPIs");
    let result = &company.kpis[id];
    let href = ctx.link(&format!("/entity/{}/kpi/{id}", encode(&company.id)));
    html! {
        a.kpi-card href=(href) data-kpi=(id) {
            div.label { (ctx.lang.kpi_name(definition)) }
            div.value { (kpi_value(ctx.lang, company, id)) }
            div.sub {
                @if let Some(target) = result.target {
                    span { (ctx.lang.t("target")) " " (ctx.lang.value(definition.unit, Some(target))) }
                }
                @if id == "revenue" {
                    span { (ctx.lang.t("yoy")) " " (growth(company.kpis.get("revenue_yoy").and_then(|k| k.value))) }
                    span { (ctx.lang.t("pop")) " " (growth(company.kpis.get("revenue_pop").and_then(|k| k.value))) }
                }
            }
            @if let Some(score) = result.score {
                div.bar { div.fill style={ "width:" (score.clamp(0.0, 120.0) / 1.2) "%" } {} }
            }
        }
    }
}

fn team_list(ctx: &Ctx, teams: &[EntityResult]) -> Markup {
    html! {
        ul.teams {
            @for team in teams {
                li { (grade(team.grade.as_deref())) " " (entity_link(ctx, team)) span.num { (ctx.lang.score(team.score)) } }
            }
            @if teams.is_empty() { li.muted { (ctx.lang.t("none")) } }
        }
    }
}

pub fn trend_chart(lang: Lang, trend: &Trend) -> Value {
    let t = |key| lang.t(key);
    json!({
        "yejiMoney": lang.code(),
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 30, "bottom": 8, "containLabel": true},
        "xAxis": {"type": "category", "data": trend.months},
        "yAxis": {"type": "value"},
        "series": [
            {"type": "bar", "name": t("gross_profit"), "data": trend.gross_profit, "itemStyle": {"color": "#c9d8f5"}},
            {"type": "line", "name": t("this_year"), "data": trend.revenue, "smooth": true, "itemStyle": {"color": "#3b6fd8"}},
            {"type": "line", "name": t("last_year"), "data": trend.revenue_last_year, "smooth": true, "lineStyle": {"type": "dashed"}, "itemStyle": {"color": "#999"}}
        ]
    })
}

/// Revenue by slice as horizontal bars; region bars link to the region.
pub fn slices_chart(ctx: &Ctx, breakdown: Option<&Breakdown>) -> Value {
    let slices = breakdown.map_or(&[][..], |b| &b.slices[..]);
    let linked = breakdown.is_some_and(|b| b.dimension == Dimension::Region);
    let data: Vec<Value> = slices
        .iter()
        .rev()
        .map(|s| {
            let mut item = json!({"value": s.revenue, "name": label(&s.name)});
            if linked && !s.key.is_empty() {
                item["link"] = json!(ctx.link(&format!("/entity/{}", encode(&s.key))));
            }
            item
        })
        .collect();
    json!({
        "yejiMoney": ctx.lang.code(),
        "tooltip": {},
        "grid": {"left": 8, "right": 24, "top": 10, "bottom": 8, "containLabel": true},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": data.iter().map(|d| d["name"].clone()).collect::<Vec<_>>()},
        "series": [{"type": "bar", "name": ctx.lang.t("revenue"), "data": data, "itemStyle": {"color": "#3b6fd8"}}]
    })
}

/// Revenue shares of a slice; channel names in Chinese on Chinese pages.
pub fn pie_chart(lang: Lang, breakdown: Option<&Breakdown>) -> Value {
    let slices = breakdown.map_or(&[][..], |b| &b.slices[..]);
    let channels = breakdown.is_some_and(|b| b.dimension == Dimension::Channel);
    let name = |s: &str| match yeji_core::contract::CHANNELS.name_zh(s) {
        Some(zh) if channels && lang == Lang::Zh => zh.to_owned(),
        _ => label(s),
    };
    let data: Vec<Value> =
        slices.iter().filter(|s| s.revenue > 0.0).map(|s| json!({"value": s.revenue, "name": name(&s.name)})).collect();
    json!({
        "tooltip": {"trigger": "item", "formatter": "{b}: {d}%"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "data": data, "label": {"formatter": "{b}\n{d}%"}}]
    })
}

pub fn funnel_chart(lang: Lang, funnel: &Funnel) -> Value {
    let stages = ["created", "qualified", "proposal", "negotiation", "won"];
    let counts = [funnel.created, funnel.qualified, funnel.proposal, funnel.negotiation, funnel.won];
    json!({
        "tooltip": {},
        "grid": {"left": 8, "right": 24, "top": 10, "bottom": 8, "containLabel": true},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "inverse": true, "data": stages.iter().map(|s| lang.t(s)).collect::<Vec<_>>()},
        "series": [{"type": "bar", "data": counts, "itemStyle": {"color": "#2f9e74"}, "label": {"show": true, "position": "right"}}]
    })
}

/// The name of a slice; rows without a value of the dimension show as "–".
fn label(name: &str) -> String {
    if name.is_empty() { "–".into() } else { name.to_owned() }
}

/// Seed 003's monthly awards: the top seller and best service of the period.
fn recognition(ctx: &Ctx, awards: &[yeji_incentives::Award]) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #recognition {
            h2 { (t("recognition")) }
            ul.awards {
                @for award in awards {
                    li id={ "award-" (award_key(award.award)) } {
                        strong { (t(award_key(award.award))) } " · "
                        a href=(ctx.link(&format!("/entity/{}", encode(&award.rep_id)))) { (award.name) } " · "
                        @match award.award {
                            yeji_incentives::AwardKind::TopSeller => {
                                (ctx.lang.money(award.value))
                                @if let Some(share) = award.basis { " (" (ctx.lang.value(yeji_core::kpi::Unit::Ratio, Some(share))) " " (t("of_target")) ")" }
                            }
                            yeji_incentives::AwardKind::BestService => {
                                (format!("{:.1}", award.value))
                                @if let Some(n) = award.basis { " (" (n) " " (t("surveys_rated")) ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn award_key(kind: yeji_incentives::AwardKind) -> &'static str {
    match kind {
        yeji_incentives::AwardKind::TopSeller => "top_seller",
        yeji_incentives::AwardKind::BestService => "best_service",
    }
}
