//! Imports: upload files, see what landed or the validation report, the batch
//! history, and revert a batch.

use maud::{Markup, html};
use yeji_facts::{Batch, ImportReport, Reject};

use super::Ctx;

/// What the last upload did.
pub enum Outcome {
    Landed(ImportReport),
    Refused { rejects: Vec<Reject>, total: usize, message: String },
    Failed(String),
    Reverted(i64),
}

pub fn render(ctx: &Ctx, batches: &[Batch], outcome: Option<&Outcome>) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        @if let Some(outcome) = outcome { (outcome_card(ctx, outcome)) }
        form.card.upload method="post" action="/imports" enctype="multipart/form-data" {
            h2 { (t("upload")) }
            p.muted { (t("upload_help")) }
            input type="file" name="files" multiple required accept=".csv,.xlsx,.txt";
            label { input type="checkbox" name="allow_rejects" value="1"; " " (t("allow_rejects")) }
            button type="submit" { (t("import")) }
        }
        section.card {
            h2 { (t("batches")) }
            table.data.batches {
                thead { tr {
                    th.num { (t("batch")) } th { (t("time")) } th { (t("files")) } th.num { (t("added")) }
                    th.num { (t("changed")) } th.num { (t("rejected")) } th { (t("status")) } th {}
                } }
                tbody {
                    @for batch in batches.iter().rev() {
                        tr {
                            td.num { (batch.id) }
                            td { (batch.at.format("%Y-%m-%d %H:%M")) }
                            td.files { (batch.files.join(", ")) }
                            td.num { (batch.total(|t| t.added)) }
                            td.num { (batch.total(|t| t.changed)) }
                            td.num { (batch.total(|t| t.rejected)) }
                            td { (batch.status) }
                            td {
                                @if batch.status == "landed" {
                                    form method="post" action={ "/imports/" (batch.id) "/revert" } {
                                        button.small type="submit" { (t("revert")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn outcome_card(ctx: &Ctx, outcome: &Outcome) -> Markup {
    let t = |key| ctx.lang.t(key);
    match outcome {
        Outcome::Landed(report) => html! {
            div.card.ok #outcome {
                @match report.batch {
                    Some(batch) => h2 { (t("imported")) ": " (t("batch")) " " (batch) },
                    None => h2 { (t("unchanged")) },
                }
                table.data {
                    thead { tr { th { (t("table")) } th.num { (t("added")) } th.num { (t("changed")) } th.num { (t("unchanged")) } th.num { (t("rejected")) } } }
                    tbody { @for table in &report.tables {
                        tr { td { (table.table) } td.num { (table.added) } td.num { (table.changed) } td.num { (table.unchanged) } td.num { (table.rejected) } }
                    } }
                }
            }
        },
        Outcome::Refused { rejects, total, message } => html! {
            div.card.error #outcome {
                h2 { (t("nothing_imported")) " · " (total) " " (t("rejects")) }
                p { (message) }
                table.data.rejects {
                    thead { tr { th { (t("file")) } th.num { (t("line")) } th { (t("column")) } th { (t("value")) } th { (t("reason")) } } }
                    tbody { @for r in rejects {
                        tr { td { (r.file) } td.num { (r.line) } td { (r.column.as_deref().unwrap_or("")) } td { code { (r.value) } } td { (r.reason) } }
                    } }
                }
                @if *total > rejects.len() { p.muted { "… " (total - rejects.len()) } }
            }
        },
        Outcome::Failed(message) => {
            html! { div.card.error #outcome { h2 { (t("nothing_imported")) } p { (message) } } }
        }
        Outcome::Reverted(batch) => {
            html! { div.card.ok #outcome { h2 { (t("revert")) ": " (t("batch")) " " (batch) } } }
        }
    }
}
