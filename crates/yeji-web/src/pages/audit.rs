//! The audit log page (admins, directors, HR): every change, newest first.

use maud::{Markup, html};
use yeji_store::AuditRow;

use super::Ctx;

pub fn render(ctx: &Ctx, rows: &[AuditRow], actor: &str, action: &str) -> Markup {
    let t = |key| ctx.lang.t(key);
    let json = |v: &Option<serde_json::Value>| v.as_ref().map_or(String::new(), |v| v.to_string());
    html! {
        form.card.filters method="get" action="/audit" {
            label { (t("actor")) input name="actor" value=(actor); }
            label { (t("action")) input name="action" value=(action); }
            button type="submit" { (t("show")) }
        }
        section.card {
            table.data #audit {
                thead { tr { th { (t("time")) " (UTC)" } th { (t("actor")) } th { (t("action")) } th { (t("object")) } th { (t("before")) } th { (t("after")) } } }
                tbody { @for row in rows.iter().rev() {
                    tr {
                        td { (row.at.format("%Y-%m-%d %H:%M:%S")) } td { (row.actor) } td { (row.action) } td { (row.object) }
                        td.json { (json(&row.before)) } td.json { (json(&row.after)) }
                    }
                } }
            }
        }
    }
}
