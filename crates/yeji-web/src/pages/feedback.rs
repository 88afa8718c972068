//! Feedback on the rep's page (the items the viewer may see, a button to
//! draft one) and an item's page: the draft, its conversation and the steps
//! the viewer may take now.

use maud::{Markup, html};
use yeji_feedback::{FeedbackState, Item, Side, Step, may, title};

use super::{Ctx, encode};

pub fn state_label(ctx: &Ctx, state: FeedbackState) -> &'static str {
    ctx.lang.t(match state {
        FeedbackState::Draft => "state_draft",
        FeedbackState::Sent => "state_sent",
        FeedbackState::Acknowledged => "state_acknowledged",
        FeedbackState::Disputed => "state_disputed",
        FeedbackState::Closed => "state_closed",
    })
}

/// The card on a rep's page.
pub fn section(ctx: &Ctx, rep_id: &str, items: &[Item], can_draft: bool) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        section.card #feedback {
            h2 { (t("feedback")) }
            @if items.is_empty() { p.muted { (t("no_feedback")) } }
            ul {
                @for item in items {
                    li { a href=(format!("/feedback/{}", item.id)) { (item.period) " · " (state_label(ctx, item.state)) } }
                }
            }
            @if can_draft {
                form method="post" action=(ctx.link(&format!("/entity/{}/feedback", encode(rep_id)))) {
                    input type="hidden" name="lang" value=(ctx.lang.text_lang().to_string());
                    button type="submit" { (t("draft_feedback")) }
                }
            }
        }
    }
}

const STEPS: [(Step, &str); 6] = [
    (Step::Send, "step_send"),
    (Step::Ack, "step_ack"),
    (Step::Dispute, "step_dispute"),
    (Step::Comment, "step_comment"),
    (Step::Meeting, "step_meeting"),
    (Step::Close, "step_close"),
];

/// An item's page for a viewer on `side`.
pub fn render_item(ctx: &Ctx, item: &Item, side: Side, name: &str) -> Markup {
    let t = |key| ctx.lang.t(key);
    let steps: Vec<(Step, &str)> = STEPS
        .into_iter()
        .filter(|(step, _)| may(side, *step) && yeji_feedback::next_state(item.state, *step, side).is_some())
        .collect();
    html! {
        nav.crumbs { a href=(ctx.link(&format!("/entity/{}", encode(&item.rep_id)))) { (name) } " › " span { (t("feedback")) " " (item.period) } }
        section.card #feedback-item {
            h2 { (name) " · " (item.period) }
            p { (t("state")) ": " strong #feedback-state { (state_label(ctx, item.state)) } }
            (super::export_links(ctx, &format!("/feedback/{}/export", item.id)))
            @if item.state == FeedbackState::Draft && side == Side::Manager {
                (edit_form(ctx, item))
            } @else {
                @for section in &item.draft.sections {
                    h3 { (title(section.kind, item.draft.lang)) }
                    ul { @for point in &section.points { li { (point.text) } } }
                }
            }
        }
        section.card {
            h2 { (t("conversation")) }
            ul #feedback-events {
                @for event in &item.events {
                    li { (event.at.format("%Y-%m-%d %H:%M")) " · " (event.actor) " · " (event.step)
                        @if let Some(text) = &event.text { ": " (text) } }
                }
            }
            @if !steps.is_empty() {
                form method="post" action=(format!("/feedback/{}/step", item.id)) {
                    label { (t("step_text")) textarea name="text" rows="3" {} }
                    @for (step, label) in &steps {
                        button type="submit" name="step" value=(step.as_str()) { (t(label)) }
                    }
                }
            }
        }
    }
}

/// The months of a quarter, half or year side by side, and what they say.
pub fn review_card(ctx: &Ctx, review: &yeji_feedback::Review) -> Markup {
    let (header, rows) = yeji_feedback::review_table(review);
    html! {
        section.card #review {
            h2 { (ctx.lang.t("review")) " · " (review.period) }
            table {
                thead { tr { @for h in &header { th { (h) } } } }
                tbody { @for row in &rows { tr { @for cell in row { td { (cell) } } } } }
            }
            ul { @for point in &review.points { li { (point.text) } } }
        }
    }
}

/// A draft's points as text fields for its manager, with the numbers an edit
/// wrote that yeji did not compute.
fn edit_form(ctx: &Ctx, item: &Item) -> Markup {
    let t = |key| ctx.lang.t(key);
    let unchecked = yeji_feedback::ungrounded(&item.draft);
    html! {
        form #feedback-edit method="post" action=(format!("/feedback/{}/edit", item.id)) {
            @for (s, section) in item.draft.sections.iter().enumerate() {
                h3 { (title(section.kind, item.draft.lang)) }
                @for (n, point) in section.points.iter().enumerate() {
                    textarea name=(format!("p{s}-{n}")) rows="2" cols="100" { (point.text) }
                }
            }
            @if !unchecked.is_empty() {
                div.warning #ungrounded { p { (t("ungrounded")) } ul { @for u in &unchecked { li { (u) } } } }
            }
            p.muted { (t("edit_hint")) }
            button type="submit" name="step" value="edit" { (t("save_edits")) }
            button type="submit" name="step" value="send" { (t("save_and_send")) }
        }
    }
}
