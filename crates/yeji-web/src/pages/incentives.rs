//! The pay page (SPEC §12): the period's statements the viewer may see (a
//! rep their own, a manager their team's, HR and directors everyone's),
//! each line as the statement explains it; pay inquiries with their
//! answers and the forms that raise and resolve them; the payout runs with
//! their steps; and what-if: a plan priced against the plans in effect,
//! with the change per rep as a chart.

use maud::{Markup, html};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};
use yeji_incentives::{Spread, WhatIf};

use super::{Ctx, chart, encode};
use crate::i18n::Lang;
use crate::incentives::PayView;

pub fn render(ctx: &Ctx, view: &PayView, priced: Option<&WhatIf>) -> Markup {
    html! {
        (statements(ctx, view))
        (inquiries(ctx, view))
        @if let Some(runs) = &view.runs { (payout_runs(ctx, runs, view)) }
        @if view.may_read_pay { (whatif(ctx, view, priced)) }
    }
}

fn statements(ctx: &Ctx, view: &PayView) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #statements {
            h2 { (t("statements")) " · " (view.period) }
            @match &view.run {
                Err(message) => p.muted #no-pay { (message) },
                Ok(found) => {
                    p.muted { (found.plan) " · " (found.source) }
                    table {
                        thead { tr { th { (t("rep")) } th { (t("name")) } th.num { (t("pay_total")) } th { (t("export")) } } }
                        tbody {
                            @for s in &found.statements {
                                tr id={ "pay-" (s.rep_id) } {
                                    td { (s.rep_id) } td { (s.name) } td.num.total { (s.total) }
                                    td {
                                        @for format in ["html", "pdf", "xlsx"] {
                                            a href={ "/incentives/statements/" (encode(&s.rep_id)) "/export/" (format) "?period=" (encode(&view.period)) } { (format) } " "
                                        }
                                    }
                                }
                                tr.lines { td colspan="4" {
                                    details open[found.statements.len() == 1] {
                                        summary { (s.lines.len()) " " (t("pay_lines")) }
                                        table.lines {
                                            thead { tr { @for c in yeji_incentives::columns(ctx.lang.text_lang()) { th { (c) } } } }
                                            tbody { @for row in yeji_incentives::rows(s, ctx.lang.text_lang()) {
                                                tr { @for cell in row { td { (cell) } } }
                                            } }
                                        }
                                        @for note in &s.notes { p.muted { (note) } }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn inquiries(ctx: &Ctx, view: &PayView) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #inquiries {
            h2 { (t("pay_inquiries")) }
            @if view.inquiries.is_empty() { p.muted { (t("no_pay_inquiries")) } }
            @else {
                table {
                    thead { tr { th { "#" } th { (t("rep")) } th { (t("period")) } th { (t("reason")) } th { (t("state")) } th { (t("resolution")) } } }
                    tbody { @for i in &view.inquiries {
                        tr id={ "inquiry-" (i.id) } {
                            td { (i.id) } td { (i.rep_id) } td { (i.period) }
                            td { (i.raised_by) ": " (i.reason) }
                            td.state { (i.state) }
                            td {
                                @if let (Some(by), Some(note)) = (&i.resolved_by, &i.resolution) { (by) ": " (note) }
                                @else if view.may_read_pay {
                                    form method="post" action={ "/incentives/inquiries/" (i.id) "/resolution" } {
                                        input name="note" required placeholder=(t("resolution"));
                                        button type="submit" { (t("resolve")) }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
            @if !view.reps.is_empty() {
                form.inline #inquire method="post" action="/incentives/inquiries" {
                    input type="hidden" name="period" value=(view.period);
                    select name="rep_id" { @for (id, name) in &view.reps { option value=(id) { (name) " (" (id) ")" } } }
                    input name="reason" required size="50" placeholder=(t("reason"));
                    button type="submit" { (t("raise_inquiry")) }
                }
            }
        }
    }
}

fn payout_runs(ctx: &Ctx, runs: &[yeji_store::PayoutRunRow], view: &PayView) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #payout-runs {
            h2 { (t("payout_runs")) }
            table {
                thead { tr { th { "#" } th { (t("period")) } th { (t("plan_id")) } th.num { (t("pay_total")) } th { (t("state")) } th {} } }
                tbody { @for r in runs {
                    tr id={ "run-" (r.id) } {
                        td { (r.id) } td { (r.period) } td { (r.plan) } td.num { (r.total) } td.state { (r.state) }
                        td {
                            @for (step, label, allowed, from) in [("approve", "approve", view.may_approve, "calculated"), ("lock", "lock", view.may_lock, "approved")] {
                                @if allowed && r.state == from {
                                    form.inline method="post" action={ "/incentives/runs/" (r.id) "/step" } {
                                        input type="hidden" name="step" value=(step);
                                        button type="submit" { (t(label)) }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn spread(lang: Lang, spread: &Option<Spread>) -> String {
    spread.as_ref().map_or("–".into(), |s| {
        [&s.min, &s.p25, &s.median, &s.p75, &s.max]
            .iter()
            .map(|v| lang.money(v.to_f64().unwrap_or(0.0)))
            .collect::<Vec<_>>()
            .join(" / ")
    })
}

/// The change per rep under the new plan, largest first (at most 30).
fn change_chart(lang: Lang, priced: &WhatIf) -> Value {
    let reps: Vec<_> = priced.reps.iter().take(30).collect();
    json!({
        "tooltip": { "trigger": "axis" },
        "grid": { "left": 60, "right": 20, "top": 20, "bottom": 60 },
        "xAxis": { "type": "category", "data": reps.iter().map(|r| &r.name).collect::<Vec<_>>(), "axisLabel": { "rotate": 45 } },
        "yAxis": { "type": "value" },
        "series": [{ "type": "bar", "name": lang.t("change"),
            "data": reps.iter().map(|r| r.change.to_f64().unwrap_or(0.0)).collect::<Vec<_>>(),
            "itemStyle": { "color": "#3b6fd8" } }]
    })
}

fn whatif(ctx: &Ctx, view: &PayView, priced: Option<&WhatIf>) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #whatif {
            h2 { (t("whatif")) }
            p.muted { (t("whatif_hint")) }
            form method="post" action="/incentives/whatif" {
                input type="hidden" name="period" value=(view.period);
                textarea name="plan" rows="14" cols="80" { (view.plan_text) }
                button type="submit" { (t("price_plan")) }
            }
            @if let Some(p) = priced {
                table #whatif-result {
                    thead { tr { th {} th { (t("whatif_current_plan")) } th { (t("whatif_new_plan")) } th.num { (t("change")) } } }
                    tbody {
                        tr { td { (t("pay_total")) } td.num { (p.current_total) } td.num { (p.new_total) } td.num.change { (p.change) } }
                        tr { td { (t("pay_spread")) } td { (spread(ctx.lang, &p.current_spread)) } td { (spread(ctx.lang, &p.new_spread)) } td {} }
                    }
                }
                (chart(&change_chart(ctx.lang, p), "tall"))
            }
        }
    }
}
