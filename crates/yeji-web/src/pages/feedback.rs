//! Feedback on the rep's page (the items the viewer may see, a button to
//! draft one) and an item's page: the draft, its conversation and the steps
//! the viewer may take now.

use maud::{Markup, html};
use yeji_feedback::{FeedbackState, Item, Side, Step, may, title};

use super::{Ctx, encode};
use crate::i18n::Lang;

fn lang_of(ctx: &Ctx) -> yeji_feedback::Lang {
    if ctx.lang == Lang::Zh { yeji_feedback::Lang::Zh } else { yeji_feedback::Lang::En }
}

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
                    input type="hidden" name="lang" value=(lang_of(ctx).to_string());
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
            @for section in &item.draft.sections {
                h3 { (title(section.kind, item.draft.lang)) }
                ul { @for point in &section.points { li { (point.text) } } }
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
