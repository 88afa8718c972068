//! The alerts panel (SPEC §9) on the overview and the unit and rep pages:
//! each alert's severity, message, suggested action and state, most severe
//! first, with the note form that acknowledges or resolves it for those who
//! may.

use maud::{Markup, html};
use yeji_alerts::{Alert, AlertState, Severity};

use super::Ctx;

fn severity_label(ctx: &Ctx, severity: Severity) -> &'static str {
    ctx.lang.t(match severity {
        Severity::Info => "severity_info",
        Severity::Warning => "severity_warning",
        Severity::Critical => "severity_critical",
    })
}

fn state_label(ctx: &Ctx, state: AlertState) -> &'static str {
    ctx.lang.t(match state {
        AlertState::Open => "alert_open",
        AlertState::Acknowledged => "alert_acknowledged",
        AlertState::Resolved => "alert_resolved",
    })
}

/// The most alerts a panel lists (the API has them all).
const SHOWN: usize = 30;

/// The panel of `alerts` (shown only when there are some); `act` offers the
/// note form on alerts not yet resolved, coming back to `back`.
pub fn panel(ctx: &Ctx, alerts: &[Alert], act: bool, back: &str) -> Markup {
    let t = |key| ctx.lang.t(key);
    let (shown, more) = (&alerts[..alerts.len().min(SHOWN)], alerts.len().saturating_sub(SHOWN));
    html! {
        @if !alerts.is_empty() {
            section.card #alerts {
                h2 { (t("alerts")) " (" (alerts.len()) ")" }
                table.alerts {
                    thead { tr { th { (t("severity")) } th { (t("alert")) } th { (t("suggested_action")) } th { (t("state")) } } }
                    tbody { @for alert in shown {
                        tr data-alert=(alert.id) data-rule=(alert.rule) data-entity=(alert.entity_id) {
                            td { span class=(format!("severity {}", alert.severity.name())) { (severity_label(ctx, alert.severity)) } }
                            td { (alert.message) }
                            td.muted { (alert.suggested_action.as_deref().unwrap_or("")) }
                            td {
                                span.alert-state { (state_label(ctx, alert.state)) }
                                @if let (Some(note), Some(by)) = (&alert.note, &alert.noted_by) { br; small.muted { (by) ": " (note) } }
                                @if act && alert.state != AlertState::Resolved {
                                    form.alert-step method="post" action=(format!("/alerts/{}/step", alert.id)) {
                                        input type="hidden" name="back" value=(back);
                                        input type="text" name="note" required placeholder=(t("alert_note"));
                                        @if alert.state == AlertState::Open {
                                            button name="step" value="ack" { (t("alert_ack")) }
                                        }
                                        button name="step" value="resolve" { (t("alert_resolve")) }
                                    }
                                }
                            }
                        }
                    } }
                }
                @if more > 0 { p.muted { (more) " " (t("more_alerts")) } }
            }
        }
    }
}
