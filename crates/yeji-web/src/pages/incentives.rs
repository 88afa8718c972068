//! The pay page (SPEC §12): the period's statements the viewer may see (a
//! rep their own, a manager their team's, HR and directors everyone's),
//! each line as the statement explains it, linked to its rows (`traced`);
//! pay inquiries with their answers and the forms that raise and resolve
//! them; the payout runs with their steps; and what-if (`whatif.rs`).

use maud::{Markup, html};
use yeji_incentives::{Traced, WhatIf};

use super::{Ctx, encode};
use crate::api_incentives::WhatIfBody;
use crate::incentives::PayView;

pub fn render(ctx: &Ctx, view: &PayView, priced: Option<(&WhatIfBody, &WhatIf)>) -> Markup {
    html! {
        (statements(ctx, view))
        (inquiries(ctx, view))
        @if let Some(runs) = &view.runs { (payout_runs(ctx, runs, view)) }
        @if view.may_read_pay { (super::whatif::render(ctx, view, priced)) }
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
                                            thead { tr { @for c in yeji_incentives::columns(ctx.lang.text_lang()) { th { (c) } } th {} } }
                                            tbody { @for (n, (row, line)) in yeji_incentives::rows(s, ctx.lang.text_lang()).into_iter().zip(&s.lines).enumerate() {
                                                tr { @for cell in row { td { (cell) } }
                                                    td { @if yeji_incentives::traceable(line) {
                                                        a.trace href=(line_href(&s.rep_id, n + 1, &view.period)) { (t("rows")) } } } }
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

/// The page of statement line `n` (1-based) of `rep` in `period`.
fn line_href(rep: &str, n: usize, period: &str) -> String {
    format!("/incentives/statements/{}/lines/{n}?period={}", encode(rep), encode(period))
}

/// A statement line and the rows behind it.
pub fn traced(ctx: &Ctx, (rep, period): (&str, &str), traced: &Traced) -> Markup {
    let (t, lang) = (|key| ctx.lang.t(key), ctx.lang.text_lang());
    html! {
        section.card #traced {
            h2 { (rep) " · " (period) " · " (yeji_incentives::label(&traced.line, lang)) }
            table #trace-line {
                thead { tr { @for c in yeji_incentives::columns(lang) { th { (c) } } } }
                tbody { tr { @for cell in yeji_incentives::cells(&traced.line, lang) { td { (cell) } } } }
            }
            p.muted { (traced.rows.len()) " " (t("rows")) }
            table #trace-rows {
                thead { tr { @for c in &traced.columns { th { (c) } } } }
                tbody { @for row in &traced.rows { tr { @for cell in row { td { (cell) } } } } }
            }
            p { a href={ "/incentives?period=" (encode(period)) } { "← " (t("statements")) } }
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
