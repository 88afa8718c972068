//! Improvement plans on the pages: the card on a rep's page, a plan's page
//! in seed 002's table form (with its agreements, steps, check-ins and
//! measured effect), the form that writes one, the plans of the viewer's
//! scope with what they achieved by KPI, and the overdue card of a manager's
//! overview.

use maud::{Markup, html};
use yeji_plans::{Effect, PlanState, PlanStep, Side, StoredPlan};

use super::{Ctx, encode};
use crate::api_plans::PlansView;

pub fn state_label(ctx: &Ctx, state: PlanState) -> &'static str {
    ctx.lang.t(match state {
        PlanState::Draft => "plan_state_draft",
        PlanState::Active => "plan_state_active",
        PlanState::Completed => "plan_state_completed",
        PlanState::Cancelled => "plan_state_cancelled",
        PlanState::Passed => "plan_state_passed",
        PlanState::Failed => "plan_state_failed",
    })
}

fn kind_label(ctx: &Ctx, plan: &StoredPlan) -> &'static str {
    ctx.lang.t(match plan.plan.kind {
        yeji_plans::PlanKind::Idp => "kind_idp",
        yeji_plans::PlanKind::Pip => "kind_pip",
    })
}

/// A KPI's value (or a difference of values) in the KPI's unit.
fn value(ctx: &Ctx, kpi: &str, v: Option<f64>) -> String {
    super::kpi(kpi).map_or_else(|| v.map_or("–".into(), |v| format!("{v:.4}")), |k| ctx.lang.value(k.unit, v))
}

fn kpi_name(ctx: &Ctx, kpi: &str) -> String {
    super::kpi(kpi).map_or(kpi.to_owned(), |k| ctx.lang.kpi_name(k).to_owned())
}

fn plan_line(ctx: &Ctx, plan: &StoredPlan, overdue: &[usize]) -> Markup {
    html! {
        a href=(format!("/plans/{}", plan.id)) { (kind_label(ctx, plan)) " · " (plan.plan.start) } " · "
        span.plan-state { (state_label(ctx, plan.state)) }
        @if !overdue.is_empty() { " · " span.overdue { (ctx.lang.t("overdue")) } }
    }
}

/// The card on a rep's page; `write` offers a new plan (blank or from feedback `from`).
pub fn section(ctx: &Ctx, rep_id: &str, plans: &[StoredPlan], write: bool, from: Option<i64>) -> Markup {
    let t = |key| ctx.lang.t(key);
    let today = chrono::Local::now().date_naive();
    let new = format!("/entity/{}/plans/new", encode(rep_id));
    html! {
        section.card #plans {
            h2 { (t("plans")) }
            @if plans.is_empty() { p.muted { (t("no_plans")) } }
            ul { @for plan in plans { li { (plan_line(ctx, plan, &plan.overdue(today))) } } }
            @if write {
                p {
                    a.button href=(new) { (t("new_plan")) }
                    @if let Some(id) = from { " " a.button href=(format!("{new}?from_feedback={id}")) { (t("plan_from_feedback")) } }
                }
            }
        }
    }
}

/// The form that writes a plan for `rep_id` (its file, prefilled).
pub fn render_new(ctx: &Ctx, rep_id: &str, name: &str, toml: &str) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        nav.crumbs { a href=(ctx.link(&format!("/entity/{}", encode(rep_id)))) { (name) } " › " span { (t("new_plan")) } }
        section.card {
            h2 { (t("new_plan")) " · " (name) }
            form #new-plan method="post" action=(format!("/entity/{}/plans", encode(rep_id))) {
                label { (t("plan_file")) textarea name="toml" rows="24" cols="90" { (toml) } }
                button type="submit" { (t("save_plan")) }
            }
        }
    }
}

const STEPS: [(PlanStep, &str); 5] = [
    (PlanStep::Agree, "plan_step_agree"),
    (PlanStep::Complete, "plan_step_complete"),
    (PlanStep::Pass, "plan_step_pass"),
    (PlanStep::Fail, "plan_step_fail"),
    (PlanStep::Cancel, "plan_step_cancel"),
];

/// Whether `side` may take `step` now (with whatever note it needs).
fn open(plan: &StoredPlan, step: PlanStep, side: Side) -> bool {
    yeji_plans::next((plan.state, plan.plan.kind, plan.agreed), step, side, Some("note")).is_ok()
}

fn items_table(ctx: &Ctx, plan: &StoredPlan, overdue: &[usize]) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        table.plan-items {
            thead { tr { th { "#" } @for column in yeji_plans::item_columns(ctx.lang.text_lang()) { th { (column) } } } }
            tbody {
                @for (n, item) in plan.plan.items.iter().enumerate() {
                    tr {
                        td { (n + 1) } td { (item.item) } td { (item.current_level) } td { (item.target_level) }
                        td { (plan.level_now(n + 1).map_or("–".into(), |l| l.to_string())) }
                        td { (item.reason) } td { (item.measures) } td { (item.resources) }
                        td { (item.evaluation_date) @if overdue.contains(&(n + 1)) { " " span.overdue { (t("overdue")) } } }
                        td { @if let Some(kpi) = item.kpi { (kpi_name(ctx, kpi.as_str())) " " (value(ctx, kpi.as_str(), item.goal)) } }
                    }
                }
            }
        }
    }
}

fn effect_table(ctx: &Ctx, effect: &Effect) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        table #plan-effect {
            thead { tr { th { "KPI" } th { (t("before")) } th { (t("after")) } th { (t("comparison_group")) } th { (t("effect")) } } }
            tbody {
                @for item in &effect.items {
                    tr {
                        td { (kpi_name(ctx, &item.kpi)) }
                        td { (item.before.period) " " (value(ctx, &item.kpi, item.before.value)) }
                        td { (item.after.period) " " (value(ctx, &item.kpi, item.after.value)) }
                        td { (value(ctx, &item.kpi, item.comparison.before)) " → " (value(ctx, &item.kpi, item.comparison.after))
                            br; small.muted { (item.comparison.rep_ids.join(", ")) } }
                        td.effect { (value(ctx, &item.kpi, item.effect)) @if let Some(note) = &item.note { br; small.muted { (note) } } }
                    }
                }
            }
        }
        p.muted { (t("effect_hint")) }
    }
}

/// A plan's page for a viewer on `side`.
pub fn render_plan(ctx: &Ctx, plan: &StoredPlan, side: Side, name: &str, effect: &Effect) -> Markup {
    let t = |key| ctx.lang.t(key);
    let overdue = plan.overdue(chrono::Local::now().date_naive());
    let steps: Vec<(PlanStep, &str)> = STEPS.into_iter().filter(|(step, _)| open(plan, *step, side)).collect();
    let agreed = |yes: bool, key| if yes { t(key) } else { t("not_agreed") };
    html! {
        nav.crumbs { a href=(ctx.link(&format!("/entity/{}", encode(&plan.plan.rep_id)))) { (name) } " › " span { (t("plans")) } }
        section.card #plan {
            h2 { (name) " · " (kind_label(ctx, plan)) " · " (plan.plan.start) }
            p { (t("state")) ": " strong #plan-state { (state_label(ctx, plan.state)) }
                " · " (agreed(plan.agreed.rep, "agreed_rep")) " · " (agreed(plan.agreed.manager, "agreed_manager")) }
            (items_table(ctx, plan, &overdue))
            (super::export_links(ctx, &format!("/plans/{}/export", plan.id)))
            @if !steps.is_empty() {
                form method="post" action=(format!("/plans/{}/step", plan.id)) {
                    label { (t("plan_note")) textarea name="text" rows="2" {} }
                    @for (step, label) in &steps { button type="submit" name="step" value=(step.as_str()) { (t(label)) } }
                }
            }
        }
        section.card {
            h2 { (t("checkins")) }
            ul #plan-checkins {
                @for c in &plan.checkins {
                    li { (c.at.format("%Y-%m-%d")) " · " (c.actor) " · " (t("item_no")) " " (c.item) " · " (t("level")) " " (c.level) ": " (c.note) }
                }
                @for e in &plan.events { li.muted { (e.at.format("%Y-%m-%d %H:%M")) " · " (e.actor) " · " (e.step) @if let Some(text) = &e.text { ": " (text) } } }
            }
            @if plan.state == PlanState::Active && side != Side::Reader {
                form method="post" action=(format!("/plans/{}/checkin", plan.id)) {
                    label { (t("item_no")) select name="item" { @for n in 1..=plan.plan.items.len() { option value=(n) { (n) } } } }
                    label { (t("level")) select name="level" { @for l in 1..=5 { option value=(l) { (l) } } } }
                    label { (t("note")) input name="note" required; }
                    button type="submit" { (t("check_in")) }
                }
            }
        }
        section.card {
            h2 { (t("effect")) }
            @if effect.items.is_empty() { p.muted { (t("none")) } } @else { (effect_table(ctx, effect)) }
        }
        @if plan.state == PlanState::Draft && side == Side::Manager {
            section.card {
                h2 { (t("plan_step_edit")) }
                form method="post" action=(format!("/plans/{}/step", plan.id)) {
                    textarea name="toml" rows="16" cols="90" { (plan.toml) }
                    button type="submit" name="step" value="edit" { (t("plan_step_edit")) }
                }
            }
        }
    }
}

/// The plans of the viewer's scope and their effects by KPI.
pub fn render_all(ctx: &Ctx, view: &PlansView, name_of: impl Fn(&str) -> String) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #effects-by-kpi {
            h2 { (t("effects_by_kpi")) }
            table {
                thead { tr { th { "KPI" } th { (t("plans")) } th { (t("measured")) } th { (t("mean_effect")) } } }
                tbody { @for k in &view.by_kpi {
                    tr { td { (kpi_name(ctx, &k.kpi)) } td { (k.items) } td { (k.measured) } td { (value(ctx, &k.kpi, k.mean_effect)) } }
                } }
            }
            p.muted { (t("effect_hint")) }
        }
        section.card #all-plans {
            h2 { (t("plans")) }
            @if view.plans.is_empty() { p.muted { (t("no_plans")) } }
            table {
                thead { tr { th { (t("rep")) } th { (t("plans")) } th { (t("effect")) } } }
                tbody { @for p in &view.plans {
                    tr {
                        td { a href=(ctx.link(&format!("/entity/{}", encode(&p.plan.plan.rep_id)))) { (name_of(&p.plan.plan.rep_id)) } }
                        td { (plan_line(ctx, &p.plan, &p.overdue)) }
                        td { @for item in &p.effect.items { (kpi_name(ctx, &item.kpi)) " " (value(ctx, &item.kpi, item.effect)) br; } }
                    }
                } }
            }
        }
    }
}

/// The running plans of the viewer's scope past an evaluation date.
pub fn overdue_card(ctx: &Ctx, plans: &[StoredPlan], name_of: impl Fn(&str) -> String) -> Markup {
    let today = chrono::Local::now().date_naive();
    let overdue: Vec<(&StoredPlan, Vec<usize>)> =
        plans.iter().map(|p| (p, p.overdue(today))).filter(|(_, items)| !items.is_empty()).collect();
    html! {
        @if !overdue.is_empty() {
            section.card #overdue-plans {
                h2 { (ctx.lang.t("overdue_plans")) }
                ul { @for (plan, items) in &overdue {
                    li { (name_of(&plan.plan.rep_id)) " · " (plan_line(ctx, plan, items)) }
                } }
            }
        }
    }
}
