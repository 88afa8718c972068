//! Who is asking, and what they see: the scope a role gives over the org
//! tree (SPEC §15.1). Every page, API path, list and download asks the scope
//! whether an entity may be shown; one outside it is answered as unknown.

use chrono::NaiveDate;
use serde::Serialize;
use yeji_core::{Level, Org};

use crate::role::Role;

/// A signed-in user (or the machine's user on a workspace without users).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// A manager's org unit, a rep's rep_id.
    pub entity: Option<String>,
}

/// The entities a principal sees.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Director, HR, admin: everything.
    All,
    /// A manager: an org unit and everything below it.
    Unit(String),
    /// A rep: their own results (peers only as anonymous figures).
    Rep(String),
}

impl Principal {
    /// Nobody signs in: a workspace without users, served on loopback only;
    /// whoever uses this machine acts as admin.
    pub fn local() -> Principal {
        Principal { login: "local".into(), name: "local".into(), role: Role::Admin, entity: None }
    }

    pub fn scope(&self) -> Scope {
        match (self.role, &self.entity) {
            (Role::Manager, Some(unit)) => Scope::Unit(unit.clone()),
            (Role::Rep, Some(rep)) => Scope::Rep(rep.clone()),
            // A manager or rep without an entity sees nothing of anyone: never everything.
            (Role::Manager | Role::Rep, None) => Scope::Rep(String::new()),
            _ => Scope::All,
        }
    }
}

impl Scope {
    /// Whether the unit `unit` is in scope.
    pub fn sees_unit(&self, org: &Org, unit: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Unit(top) => org.is_within(unit, top),
            Scope::Rep(_) => false,
        }
    }

    /// Whether the rep `rep` is in scope, placed in its unit on `day` (the
    /// last day of the period shown) as evaluations place it.
    pub fn sees_rep(&self, org: &Org, rep: &str, day: NaiveDate) -> bool {
        match self {
            Scope::All => true,
            Scope::Unit(top) => org.rep_unit_on(rep, Some(day)).is_some_and(|unit| org.is_within(unit, top)),
            Scope::Rep(own) => own == rep,
        }
    }

    /// Whether the entity `id` of `level` is in scope on `day`.
    pub fn sees(&self, org: &Org, level: Level, id: &str, day: NaiveDate) -> bool {
        match level {
            Level::Rep => self.sees_rep(org, id, day),
            Level::Unit | Level::Company => self.sees_unit(org, id),
        }
    }

    /// Whether the rep or unit `id` (a rep id is looked up first, as pages
    /// look ids up) is in scope on `day`.
    pub fn sees_id(&self, org: &Org, id: &str, day: NaiveDate) -> bool {
        if org.has_rep(id) { self.sees_rep(org, id, day) } else { self.sees_unit(org, id) }
    }

    /// Where the scope's view starts: the company, the manager's unit, the rep.
    pub fn root<'a>(&'a self, org: &'a Org) -> Option<&'a str> {
        match self {
            Scope::All => org.root(),
            Scope::Unit(unit) | Scope::Rep(unit) => Some(unit),
        }
    }

    /// Whether other people's results are shown by name; a rep sees their
    /// peers only as anonymous figures (median, percentile, own rank).
    pub fn names_peers(&self) -> bool {
        !matches!(self, Scope::Rep(_))
    }
}

#[cfg(test)]
mod tests {
    use yeji_core::org::{OrgUnit, RepRow};

    use super::*;

    fn org() -> Org {
        let unit = |id: &str, parent: Option<&str>| OrgUnit {
            id: id.into(),
            name: id.into(),
            parent: parent.map(Into::into),
            kind: None,
        };
        let rep = |id: &str, unit: &str, from: Option<&str>| RepRow {
            effective_from: from.map(|d| d.parse().unwrap()),
            ..RepRow::new(id, id, unit)
        };
        Org::new(
            [unit("HQ", None), unit("E", Some("HQ")), unit("N", Some("HQ")), unit("TE", Some("E"))],
            [rep("R1", "TE", None), rep("R2", "TE", None), rep("R2", "N", Some("2026-08-01"))],
        )
    }

    #[test]
    fn each_role_sees_its_part_of_the_tree() {
        let org = org();
        let (july, sept) = ("2026-07-31".parse().unwrap(), "2026-09-30".parse().unwrap());
        let manager = Principal { login: "m".into(), name: "m".into(), role: Role::Manager, entity: Some("E".into()) };
        let scope = manager.scope();
        assert!(scope.sees_unit(&org, "TE") && scope.sees_unit(&org, "E"));
        assert!(!scope.sees_unit(&org, "HQ") && !scope.sees_unit(&org, "N"), "not above, not beside");
        assert!(scope.sees_rep(&org, "R1", sept));
        assert!(scope.sees_rep(&org, "R2", july) && !scope.sees_rep(&org, "R2", sept), "R2 moved to N on 08-01");
        assert_eq!(scope.root(&org), Some("E"));
        let rep = Principal { login: "r".into(), name: "r".into(), role: Role::Rep, entity: Some("R1".into()) };
        assert!(rep.scope().sees_id(&org, "R1", sept) && !rep.scope().sees_id(&org, "R2", july));
        assert!(!rep.scope().sees_id(&org, "TE", sept) && !rep.scope().names_peers());
        assert!(Principal::local().scope().sees_id(&org, "HQ", sept));
        let lost = Principal { entity: None, ..manager };
        assert!(!lost.scope().sees_id(&org, "TE", sept), "a manager without a unit sees nothing");
    }
}
