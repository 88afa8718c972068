//! A plan's life (SPEC §11): draft → active once the rep and a manager have
//! both agreed to it (seed 002: "经过员工与主管双方沟通协商达成"), then
//! completed (an IDP) or passed | failed (a PIP), or cancelled with a reason.
//! Editing a draft withdraws the agreements given to the text before.
//! Who stands where to a rep's plans is the same as for their feedback.

use serde::{Deserialize, Serialize};
pub use yeji_feedback::Side;

use crate::{PlanError, PlanKind};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    Draft,
    Active,
    Completed,
    Cancelled,
    Passed,
    Failed,
}

impl PlanState {
    const ALL: [PlanState; 6] = [
        PlanState::Draft,
        PlanState::Active,
        PlanState::Completed,
        PlanState::Cancelled,
        PlanState::Passed,
        PlanState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Draft => "draft",
            PlanState::Active => "active",
            PlanState::Completed => "completed",
            PlanState::Cancelled => "cancelled",
            PlanState::Passed => "passed",
            PlanState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<PlanState> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the plan is over (no more steps or check-ins).
    pub fn is_final(self) -> bool {
        !matches!(self, PlanState::Draft | PlanState::Active)
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStep {
    /// Replace a draft's text (the manager).
    Edit,
    /// The rep's or the manager's agreement to the draft as it stands.
    Agree,
    /// An IDP's end (the manager).
    Complete,
    /// A PIP's outcome (the manager, with the note).
    Pass,
    Fail,
    /// Called off, with the reason (the manager).
    Cancel,
}

impl PlanStep {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStep::Edit => "edit",
            PlanStep::Agree => "agree",
            PlanStep::Complete => "complete",
            PlanStep::Pass => "pass",
            PlanStep::Fail => "fail",
            PlanStep::Cancel => "cancel",
        }
    }
}

/// Who has agreed to the draft as it stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Agreed {
    pub rep: bool,
    pub manager: bool,
}

impl Agreed {
    /// From a plan's steps, oldest first (step, side): an edit starts over.
    pub fn from_steps<'a>(steps: impl IntoIterator<Item = (&'a str, &'a str)>) -> Agreed {
        steps.into_iter().fold(Agreed::default(), |agreed, (step, side)| match (step, side) {
            ("edit", _) => Agreed::default(),
            ("agree", "rep") => Agreed { rep: true, ..agreed },
            ("agree", "manager") => Agreed { manager: true, ..agreed },
            _ => agreed,
        })
    }
}

/// How a side is written in a plan's steps.
pub fn side_name(side: Side) -> &'static str {
    match side {
        Side::Manager => "manager",
        Side::Rep => "rep",
        Side::Reader => "reader",
    }
}

/// The state `step` by `side` leads to, or why it may not be taken.
pub fn next(
    (state, kind, agreed): (PlanState, PlanKind, Agreed),
    step: PlanStep,
    side: Side,
    text: Option<&str>,
) -> Result<PlanState, PlanError> {
    use PlanState::*;
    let forbidden = |who: &str| Err(PlanError::Forbidden(format!("{}: {who}", step.as_str())));
    match side {
        Side::Reader => return forbidden("not for HR, who reads plans but does not take part in them"),
        Side::Rep if step != PlanStep::Agree => return forbidden("the manager's step"),
        _ => {}
    }
    let refuse = |why: &str| Err(PlanError::Refused(format!("{} on a {} plan: {why}", step.as_str(), state.as_str())));
    let has_text = text.is_some_and(|t| !t.trim().is_empty());
    if state.is_final() {
        return refuse("the plan is over");
    }
    match (step, state) {
        (PlanStep::Edit, Draft) => Ok(Draft),
        (PlanStep::Agree, Draft) => {
            let (already, other) = match side {
                Side::Rep => (agreed.rep, agreed.manager),
                _ => (agreed.manager, agreed.rep),
            };
            match (already, other) {
                (true, _) => refuse("this side has agreed already"),
                (false, true) => Ok(Active),
                (false, false) => Ok(Draft),
            }
        }
        (PlanStep::Edit | PlanStep::Agree, _) => refuse("it is agreed and running; cancel it to start another"),
        (PlanStep::Cancel, _) if !has_text => refuse("a cancellation needs the reason (--note)"),
        (PlanStep::Cancel, _) => Ok(Cancelled),
        (PlanStep::Complete | PlanStep::Pass | PlanStep::Fail, Draft) => {
            refuse("the rep and a manager agree to it first")
        }
        (PlanStep::Complete, _) if kind == PlanKind::Pip => refuse("a PIP ends passed or failed"),
        (PlanStep::Complete, _) => Ok(Completed),
        (PlanStep::Pass | PlanStep::Fail, _) if kind == PlanKind::Idp => refuse("an IDP ends completed"),
        (PlanStep::Pass | PlanStep::Fail, _) if !has_text => refuse("a PIP's outcome needs the note (--note)"),
        (PlanStep::Pass, _) => Ok(Passed),
        (PlanStep::Fail, _) => Ok(Failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlanState::*;

    #[test]
    fn a_plan_runs_once_both_sides_agree_and_ends_by_its_kind() {
        let none = Agreed::default();
        let go =
            |state, kind, agreed, step, side, text: Option<&'static str>| next((state, kind, agreed), step, side, text);
        assert_eq!(go(Draft, PlanKind::Idp, none, PlanStep::Agree, Side::Rep, None).unwrap(), Draft);
        let rep_agreed = Agreed { rep: true, manager: false };
        assert_eq!(go(Draft, PlanKind::Idp, rep_agreed, PlanStep::Agree, Side::Manager, None).unwrap(), Active);
        assert_eq!(go(Active, PlanKind::Idp, none, PlanStep::Complete, Side::Manager, None).unwrap(), Completed);
        assert_eq!(go(Active, PlanKind::Pip, none, PlanStep::Fail, Side::Manager, Some("目标未达成")).unwrap(), Failed);
        assert_eq!(go(Draft, PlanKind::Pip, none, PlanStep::Cancel, Side::Manager, Some("调岗")).unwrap(), Cancelled);
        let refused = |state, kind, agreed, step, side, text: Option<&'static str>| {
            go(state, kind, agreed, step, side, text).unwrap_err().to_string()
        };
        let idp = PlanKind::Idp;
        assert!(refused(Draft, idp, rep_agreed, PlanStep::Agree, Side::Rep, None).contains("agreed already"));
        assert!(refused(Draft, idp, none, PlanStep::Complete, Side::Manager, None).contains("agree to it first"));
        assert!(refused(Active, PlanKind::Pip, none, PlanStep::Complete, Side::Manager, None).contains("passed or"));
        assert!(refused(Active, idp, none, PlanStep::Pass, Side::Manager, Some("ok")).contains("IDP ends completed"));
        assert!(refused(Active, PlanKind::Pip, none, PlanStep::Pass, Side::Manager, None).contains("needs the note"));
        assert!(refused(Active, idp, none, PlanStep::Cancel, Side::Manager, Some(" ")).contains("the reason"));
        assert!(refused(Active, idp, none, PlanStep::Edit, Side::Manager, None).contains("running"));
        assert!(refused(Completed, idp, none, PlanStep::Cancel, Side::Manager, Some("x")).contains("over"));
        assert!(refused(Draft, idp, none, PlanStep::Edit, Side::Rep, None).contains("the manager's step"));
        assert!(refused(Draft, idp, none, PlanStep::Agree, Side::Reader, None).contains("HR"));
    }

    #[test]
    fn an_edit_withdraws_the_agreements_before_it() {
        let agreed = Agreed::from_steps([("agree", "rep"), ("edit", "manager"), ("agree", "manager")]);
        assert_eq!(agreed, Agreed { rep: false, manager: true });
    }
}
