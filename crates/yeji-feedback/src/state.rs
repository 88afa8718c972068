//! The conversation around a feedback item (SPEC §15.5): draft → sent →
//! acknowledged | disputed → closed. The manager edits and sends; the rep
//! acknowledges or disputes (with a reason); both comment and record
//! meetings; the manager closes. Sent items are read-only but for comments.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use yeji_core::Org;
use yeji_people::{Principal, Role, Scope};

use crate::FeedbackError;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackState {
    Draft,
    Sent,
    Acknowledged,
    Disputed,
    Closed,
}

impl FeedbackState {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackState::Draft => "draft",
            FeedbackState::Sent => "sent",
            FeedbackState::Acknowledged => "acknowledged",
            FeedbackState::Disputed => "disputed",
            FeedbackState::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<FeedbackState> {
        [Self::Draft, Self::Sent, Self::Acknowledged, Self::Disputed, Self::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Edit,
    Send,
    Ack,
    Dispute,
    Comment,
    Meeting,
    Close,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Edit => "edit",
            Step::Send => "send",
            Step::Ack => "ack",
            Step::Dispute => "dispute",
            Step::Comment => "comment",
            Step::Meeting => "meeting",
            Step::Close => "close",
        }
    }
}

/// Who takes a step, relative to the item's rep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The rep's manager or above (director, admin), or the command line.
    Manager,
    /// The rep the item is about.
    Rep,
    /// HR: reads everything, changes nothing.
    Reader,
}

/// How `principal` stands to rep `rep`'s items on `day`; `None`: they may not see them.
pub fn side_of(principal: &Principal, org: &Org, rep: &str, day: NaiveDate) -> Option<Side> {
    let scope = principal.scope();
    match (principal.role, &scope) {
        (Role::Rep, Scope::Rep(own)) if own == rep => Some(Side::Rep),
        (Role::Rep, _) => None,
        (Role::Hr, _) => Some(Side::Reader),
        _ if scope.sees_id(org, rep, day) => Some(Side::Manager),
        _ => None,
    }
}

/// Whether `side` takes `step` at all: the manager edits, sends and closes,
/// the rep acknowledges and disputes, both comment and record meetings, HR
/// only reads.
pub fn may(side: Side, step: Step) -> bool {
    match side {
        Side::Manager => !matches!(step, Step::Ack | Step::Dispute),
        Side::Rep => matches!(step, Step::Ack | Step::Dispute | Step::Comment | Step::Meeting),
        Side::Reader => false,
    }
}

/// The state `step` leads to, if the state allows it (whatever text it takes).
pub fn next_state(state: FeedbackState, step: Step, side: Side) -> Option<FeedbackState> {
    next(state, step, side, Some("text")).ok()
}

/// The state `step` leads to from `state` when `side` takes it, or why not.
pub fn next(state: FeedbackState, step: Step, side: Side, text: Option<&str>) -> Result<FeedbackState, FeedbackError> {
    use FeedbackState::*;
    if !may(side, step) {
        let who = match side {
            Side::Manager => "the rep's own step",
            Side::Rep => "the manager's step",
            Side::Reader => "not for HR, who reads feedback but does not take part in it",
        };
        return Err(FeedbackError::Forbidden(format!("{}: {who}", step.as_str())));
    }
    let refuse =
        |why: &str| Err(FeedbackError::Refused(format!("{} on a {} item: {why}", step.as_str(), state.as_str())));
    let has_text = text.is_some_and(|t| !t.trim().is_empty());
    if state == Closed {
        return refuse("the item is closed");
    }
    match (step, state) {
        (Step::Edit, Draft) => Ok(Draft),
        (Step::Send, Draft) => Ok(Sent),
        (Step::Edit | Step::Send, _) => refuse("only a draft can be edited or sent"),
        (Step::Dispute, Sent) if !has_text => refuse("a dispute needs the reason (--text)"),
        (Step::Ack, Sent) => Ok(Acknowledged),
        (Step::Dispute, Sent) => Ok(Disputed),
        (Step::Ack | Step::Dispute, _) => refuse("only a sent item can be acknowledged or disputed"),
        (Step::Comment | Step::Meeting, Draft) if side == Side::Rep => refuse("the rep sees it once it is sent"),
        (Step::Comment | Step::Meeting, _) if !has_text => {
            refuse("a comment or meeting record needs its text (--text)")
        }
        (Step::Comment | Step::Meeting, _) => Ok(state),
        (Step::Close, Acknowledged | Disputed) => Ok(Closed),
        (Step::Close, _) => refuse("an item is closed once the rep has acknowledged or disputed it"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FeedbackState::*;

    #[test]
    fn the_conversation_goes_draft_sent_answered_closed() {
        assert_eq!(next(Draft, Step::Edit, Side::Manager, None).unwrap(), Draft);
        assert_eq!(next(Draft, Step::Send, Side::Manager, None).unwrap(), Sent);
        assert_eq!(next(Sent, Step::Ack, Side::Rep, None).unwrap(), Acknowledged);
        assert_eq!(next(Sent, Step::Dispute, Side::Rep, Some("the Q3 returns were not mine")).unwrap(), Disputed);
        assert_eq!(next(Disputed, Step::Comment, Side::Manager, Some("checked: they were")).unwrap(), Disputed);
        assert_eq!(next(Disputed, Step::Close, Side::Manager, None).unwrap(), Closed);
        let refused = |state, step, side, text| next(state, step, side, text).unwrap_err().to_string();
        assert!(refused(Sent, Step::Edit, Side::Manager, None).contains("only a draft"), "sent is read-only");
        assert!(refused(Sent, Step::Dispute, Side::Rep, None).contains("reason"));
        assert!(refused(Sent, Step::Ack, Side::Manager, None).contains("the rep's own step"));
        assert!(refused(Draft, Step::Comment, Side::Rep, Some("hi")).contains("once it is sent"));
        assert!(refused(Sent, Step::Close, Side::Manager, None).contains("acknowledged or disputed"));
        assert!(refused(Closed, Step::Comment, Side::Manager, Some("late")).contains("closed"));
        assert!(refused(Sent, Step::Comment, Side::Reader, Some("hr")).contains("HR"));
        assert!(refused(Draft, Step::Send, Side::Rep, None).contains("the manager's step"));
    }
}
