//! The roles of SPEC §14 and what each may change (SPEC §15.1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::PeopleError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users; sees and changes everything.
    Admin,
    /// Sales director / sales ops: sees everything, imports, reverts, sets
    /// schemes, targets and incentive plans.
    Director,
    /// Team manager: sees the subtree of an org unit; writes feedback and plans for its reps.
    Manager,
    /// Sees their own results; comments on, acknowledges or disputes their own items.
    Rep,
    /// HR / finance: sees everything, reads the audit log, files plans.
    Hr,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Director, Role::Manager, Role::Rep, Role::Hr];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Director => "director",
            Role::Manager => "manager",
            Role::Rep => "rep",
            Role::Hr => "hr",
        }
    }

    /// (Chinese, English) names for pages.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Role::Admin => ("管理员", "Admin"),
            Role::Director => ("销售总监", "Director"),
            Role::Manager => ("销售主管", "Manager"),
            Role::Rep => ("销售人员", "Rep"),
            Role::Hr => ("人事/财务", "HR"),
        }
    }

    /// The entity the role is scoped to: a manager's org unit, a rep's rep_id.
    pub fn needs_entity(self) -> bool {
        matches!(self, Role::Manager | Role::Rep)
    }

    /// Imports, reverts, schemes, targets and incentive plans.
    pub fn may_change_data(self) -> bool {
        matches!(self, Role::Admin | Role::Director)
    }

    /// Users, roles and tokens.
    pub fn may_manage_users(self) -> bool {
        self == Role::Admin
    }

    /// The audit log.
    pub fn may_read_audit(self) -> bool {
        matches!(self, Role::Admin | Role::Director | Role::Hr)
    }

    /// Acknowledging and resolving the alerts of the entities in scope
    /// (HR reads them, a rep's manager acts on them).
    pub fn may_handle_alerts(self) -> bool {
        matches!(self, Role::Admin | Role::Director | Role::Manager)
    }

    /// Proposing targets (drafts) for the entities in scope: a manager's
    /// bottom-up numbers; approving them is changing the data.
    pub fn may_propose_targets(self) -> bool {
        matches!(self, Role::Admin | Role::Director | Role::Manager)
    }

    /// The payout runs and everyone's pay (a rep reads their own statement,
    /// a manager their reps').
    pub fn may_read_pay(self) -> bool {
        matches!(self, Role::Admin | Role::Director | Role::Hr)
    }

    /// Approving a payout run.
    pub fn may_approve_pay(self) -> bool {
        matches!(self, Role::Admin | Role::Director)
    }

    /// Locking an approved payout run for payroll (finance).
    pub fn may_lock_pay(self) -> bool {
        matches!(self, Role::Admin | Role::Hr)
    }

    /// Feedback and improvement plans, for the reps in scope.
    pub fn may_coach(self) -> bool {
        matches!(self, Role::Admin | Role::Director | Role::Manager | Role::Hr)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = PeopleError;
    fn from_str(s: &str) -> Result<Role, PeopleError> {
        Role::ALL.into_iter().find(|r| r.name() == s.trim()).ok_or_else(|| PeopleError::UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_name_and_say_what_they_may_change() {
        assert_eq!("manager".parse::<Role>().unwrap(), Role::Manager);
        assert_eq!(
            "boss".parse::<Role>().unwrap_err().to_string(),
            "unknown role 'boss'; expected admin, director, manager, rep or hr"
        );
        let changers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may_change_data()).collect();
        assert_eq!(changers, [Role::Admin, Role::Director]);
        let auditors: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may_read_audit()).collect();
        assert_eq!(auditors, [Role::Admin, Role::Director, Role::Hr]);
        assert!(!Role::Rep.may_coach() && Role::Manager.may_coach());
        assert!(Role::Manager.may_handle_alerts() && !Role::Hr.may_handle_alerts() && !Role::Rep.may_handle_alerts());
    }
}
