//! The scorecard of a rep, a unit or the company (drill-down: company → region
//! → team → rep → KPI → rows), and the page of one KPI with the rows behind it.

use maud::{Markup, html};
use serde_json::json;
use yeji_eval::{ExplainedKpi, Explanation};

use super::overview::{funnel_chart, pie_chart, slices_chart, trend_chart};
use super::{Ctx, chart, encode, grade, leaderboard};
use crate::views::EntityView;

pub fn render(ctx: &Ctx, view: &EntityView, scheme_kpis: &[super::SchemeColumn]) -> Markup {
    let t = |key| ctx.lang.t(key);
    let e = &view.entity;
    let level = match e.level {
        yeji_core::Level::Rep => t("rep"),
        yeji_core::Level::Company => t("company"),
        yeji_core::Level::Unit => e.kind.as_deref().unwrap_or(t("unit")),
    };
    html! {
        nav.crumbs {
            @for crumb in &view.path { a href=(ctx.link(&format!("/entity/{}", encode(&crumb.id)))) { (crumb.name) } " › " }
            span { (e.name) }
        }
        section.headline {
            div { span.muted { (level) " · " (e.id) } }
            div.big { (grade(e.grade.as_deref())) " " span #score { (ctx.lang.score(e.score)) } }
            div.muted {
                (t("rank")) " " (e.rank.map_or("–".into(), |r| r.to_string())) " / " (e.rank_of)
            }
        }
        section.card {
            h2 { (t("scorecard")) }
            (scorecard(ctx, &view.explanation, view))
            @if !e.redistributed.is_empty() {
                p.note { (t("redistributed")) ": " (e.redistributed.join(", ")) }
            }
        }
        section.grid2 {
            div.card { h2 { (t("trend")) } (chart(&trend_chart(ctx.lang, &view.trend), "tall")) }
            div.card {
                h2 { (t("score_history")) }
                (chart(&json!({
                    "tooltip": {"trigger": "axis"},
                    "grid": {"left": 8, "right": 24, "top": 20, "bottom": 8, "containLabel": true},
                    "xAxis": {"type": "category", "data": view.history.iter().map(|h| &h.period).collect::<Vec<_>>()},
                    "yAxis": {"type": "value", "min": 0},
                    "series": [{"type": "line", "name": t("score"), "data": view.history.iter().map(|h| h.score.map(|s| (s * 10.0).round() / 10.0)).collect::<Vec<_>>(), "label": {"show": true}, "itemStyle": {"color": "#3b6fd8"}}]
                }), "tall"))
            }
        }
        @if !view.members.is_empty() {
            section.card {
                h2 { (t("members")) }
                (leaderboard(ctx, &view.members, scheme_kpis, &|_| e.name.clone()))
            }
        }
        section.grid2 {
            div.card {
                h2 { (t("funnel")) }
                (chart(&funnel_chart(ctx.lang, &view.funnel), ""))
                @if let Some(stage) = &view.weakest_stage {
                    p.note #weakest-stage { (t("funnel_loss")) ": " strong { (t(stage_key(stage))) } }
                }
            }
            div.card {
                h2 { (t("customers")) }
                p.muted {
                    (view.customers.count) " · "
                    @for (class, n) in &view.customers.classes { (class) " " (n) "  " }
                }
                div.scroll.short {
                    table.data {
                        thead { tr { th { (t("customer")) } th { (t("class")) } th.num { (t("revenue")) } } }
                        tbody { @for c in &view.customers.top {
                            tr { td { (c.name) } td { (c.class) } td.num { (ctx.lang.money(c.revenue)) } }
                        } }
                    }
                }
            }
        }
        section.grid2 {
            div.card #lost-customers {
                h2 { (t("lost_customers")) " (" (view.customers.lost.len()) ")" }
                @if view.customers.lost.is_empty() { p.muted { (t("none_lost")) } } @else {
                    div.scroll.short { table.data {
                        thead { tr { th { (t("customer")) } th.num { (t("previous_revenue")) } } }
                        tbody { @for c in &view.customers.lost {
                            tr { td { (c.name) } td.num { (ctx.lang.money(c.previous_revenue)) } }
                        } }
                    } }
                }
            }
            div.card #overdue-invoices {
                h2 { (t("overdue_invoices")) " (" (view.customers.overdue.len()) ")" }
                @if view.customers.overdue.is_empty() { p.muted { (t("none_overdue")) } } @else {
                    div.scroll.short { table.data {
                        thead { tr { th { (t("invoice")) } th { (t("customer")) } th { (t("due_date")) } th.num { (t("days_overdue")) } th.num { (t("unpaid")) } } }
                        tbody { @for i in &view.customers.overdue {
                            tr { td { (i.invoice_id) } td { (i.name) } td { (i.due_date) } td.num { (i.days_overdue) } td.num { (ctx.lang.money(i.unpaid)) } }
                        } }
                    } }
                }
            }
        }
        section.grid3 {
            @for breakdown in &view.breakdowns {
                div.card {
                    h2 { (t(match breakdown.dimension.name() { "region" => "by_region", "product_line" => "by_product_line", "channel" => "by_channel", _ => "by_segment" })) }
                    @if breakdown.dimension == yeji_eval::Dimension::Region {
                        (chart(&slices_chart(ctx, Some(breakdown)), ""))
                    } @else {
                        (chart(&pie_chart(ctx.lang, Some(breakdown)), ""))
                    }
                }
            }
        }
    }
}

/// Funnel stages are labels too.
fn stage_key(stage: &str) -> &'static str {
    ["qualified", "proposal", "negotiation", "won"].into_iter().find(|s| *s == stage).unwrap_or("none")
}

fn scorecard(ctx: &Ctx, explanation: &Explanation, view: &EntityView) -> Markup {
    let t = |key| ctx.lang.t(key);
    let mut kpis: Vec<&ExplainedKpi> = explanation.kpis.iter().collect();
    // Weighted KPIs first, heaviest first, then the others in catalogue order.
    kpis.sort_by_key(|k| {
        (
            std::cmp::Reverse((k.weight.unwrap_or(0.0) * 1000.0) as i64),
            yeji_core::kpi::CATALOGUE.iter().position(|c| c.id == k.kpi),
        )
    });
    html! {
        table.data.scorecard {
            thead { tr {
                th { (t("kpi")) } th.num { (t("value")) } th.num { (t("target")) } th.num { (t("score")) }
                th.num { (t("weight")) } th.num { (t("contribution")) } th.num { (t("percentile")) }
            } }
            tbody {
                @for k in kpis {
                    tr.weighted[k.weight.is_some()] data-kpi=(k.kpi) {
                        td { a href=(ctx.link(&format!("/entity/{}/kpi/{}", encode(&view.entity.id), k.kpi))) { (explained_name(ctx, k)) } }
                        td.num.value { (ctx.lang.value(k.unit, k.value)) }
                        td.num { (ctx.lang.value(k.unit, k.target)) }
                        td.num { (ctx.lang.score(k.score)) }
                        td.num { (k.weight.map_or("".into(), |w| format!("{:.0}%", w * 100.0))) }
                        td.num { (k.contribution.map_or("".into(), |c| format!("{c:.1}"))) }
                        td.num { (view.percentiles.get(&k.kpi).map_or("–".into(), |p| format!("{p:.0}"))) }
                    }
                }
            }
        }
    }
}

/// A KPI's name in the page's language (catalogue or formula KPI alike).
fn explained_name<'a>(ctx: &Ctx, k: &'a ExplainedKpi) -> &'a str {
    if ctx.lang == crate::i18n::Lang::Zh { &k.name_zh } else { &k.name_en }
}

/// One KPI of an entity: its explanation and a page of the rows behind it.
pub struct KpiPage<'a> {
    pub entity_id: &'a str,
    pub explained: &'a ExplainedKpi,
    pub entity_name: &'a str,
    pub header: &'a [String],
    pub rows: &'a [Vec<String>],
    pub total_rows: usize,
    pub page: usize,
    pub page_size: usize,
    pub table: &'a str,
}

pub fn render_kpi(ctx: &Ctx, page: &KpiPage) -> Markup {
    let t = |key| ctx.lang.t(key);
    let k = page.explained;
    let base = format!("/entity/{}/kpi/{}", encode(page.entity_id), k.kpi);
    let pages = page.total_rows.div_ceil(page.page_size).max(1);
    html! {
        nav.crumbs { a href=(ctx.link(&format!("/entity/{}", encode(page.entity_id)))) { (page.entity_name) } " › " span { (explained_name(ctx, k)) } }
        section.card {
            h2 { (t("explanation")) }
            dl.explain {
                dt { (t("formula")) } dd { code { (k.formula) } }
                dt { (t("measures")) } dd { @for (name, value) in &k.measures { span.measure { (name) " = " (format!("{value:.2}")) } } }
                dt { (t("value")) } dd #kpi-value { (ctx.lang.value(k.unit, k.value)) }
                dt { (t("target")) } dd { (ctx.lang.value(k.unit, k.target)) @if let Some(source) = &k.target_source { span.muted { " (" (t("target_source")) ": " (source) ")" } } }
                dt { (t("rule")) } dd { (k.rule.as_deref().unwrap_or("–")) }
                dt { (t("score")) } dd { (ctx.lang.score(k.score)) }
                dt { (t("weight")) } dd { (k.weight.map_or("–".into(), |w| format!("{:.0}%", w * 100.0))) }
                dt { (t("effective_weight")) } dd { (k.effective_weight.map_or("–".into(), |w| format!("{:.1}%", w * 100.0))) }
                dt { (t("contribution")) } dd { (k.contribution.map_or("–".into(), |c| format!("{c:.2}"))) }
            }
        }
        section.card {
            h2 {
                (t("rows_behind")) " · " (page.table) " · " span #row-count { (page.total_rows) } " " (t("rows"))
                span.actions {
                    a href=(ctx.link(&format!("{base}/rows.csv"))) { (t("download")) " CSV" }
                    a href=(ctx.link(&format!("{base}/rows.xlsx"))) { (t("download")) " XLSX" }
                }
            }
            div.scroll {
                table.data.rows {
                    thead { tr { @for h in page.header { th { (h) } } } }
                    tbody { @for row in page.rows { tr { @for cell in row { td { (cell) } } } } }
                }
            }
            div.pager {
                @if page.page > 1 { a href=(ctx.link(&format!("{base}?page={}", page.page - 1))) { "← " (t("previous")) } }
                span { (page.page) " / " (pages) }
                @if page.page < pages { a href=(ctx.link(&format!("{base}?page={}", page.page + 1))) { (t("next")) " →" } }
            }
        }
    }
}
