//! An alert's states (SPEC §9): open when raised, acknowledged (someone is on
//! it), resolved (with what was done); each step with a note.

use serde::{Deserialize, Serialize};

use crate::AlertError;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    Acknowledged,
    Resolved,
}

impl AlertState {
    pub fn name(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
        }
    }

    /// A stored state (the catalog's CHECK allows no other).
    pub(crate) fn stored(name: &str) -> AlertState {
        match name {
            "acknowledged" => AlertState::Acknowledged,
            "resolved" => AlertState::Resolved,
            _ => AlertState::Open,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertStep {
    Ack,
    Resolve,
}

impl AlertStep {
    pub fn name(self) -> &'static str {
        match self {
            AlertStep::Ack => "ack",
            AlertStep::Resolve => "resolve",
        }
    }
}

/// Where `step` takes an alert in `state`: an open alert is acknowledged, an
/// open or acknowledged one resolved; a resolved alert stays so.
pub fn next_state(state: AlertState, step: AlertStep) -> Result<AlertState, AlertError> {
    match (state, step) {
        (AlertState::Open, AlertStep::Ack) => Ok(AlertState::Acknowledged),
        (AlertState::Open | AlertState::Acknowledged, AlertStep::Resolve) => Ok(AlertState::Resolved),
        (state, step) => Err(AlertError::Refused(format!("an {} alert cannot be {}", state.name(), done(step)))),
    }
}

fn done(step: AlertStep) -> &'static str {
    match step {
        AlertStep::Ack => "acknowledged",
        AlertStep::Resolve => "resolved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_is_acknowledged_once_and_resolved_once() {
        use AlertState::*;
        assert_eq!(next_state(Open, AlertStep::Ack).unwrap(), Acknowledged);
        assert_eq!(next_state(Open, AlertStep::Resolve).unwrap(), Resolved);
        assert_eq!(next_state(Acknowledged, AlertStep::Resolve).unwrap(), Resolved);
        assert_eq!(
            next_state(Acknowledged, AlertStep::Ack).unwrap_err().to_string(),
            "refused: an acknowledged alert cannot be acknowledged"
        );
        assert!(next_state(Resolved, AlertStep::Resolve).is_err());
        assert!(next_state(Resolved, AlertStep::Ack).is_err());
    }
}
