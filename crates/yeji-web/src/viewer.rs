//! The one place where a request's principal meets what it asks for: every
//! handler takes a [`Viewer`] and asks it before it shows or changes
//! anything. An entity outside the viewer's scope answers exactly as an
//! unknown one (404: its existence is not revealed); a change the role may
//! not make answers 403.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use yeji_core::Period;
use yeji_eval::{EntityResult, Facts};
use yeji_people::{Principal, Role, Scope};

use crate::error::{Result, WebError};

/// Who is asking (set by `auth::who`) and what they see.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub principal: Principal,
    pub scope: Scope,
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Viewer> {
        let principal = parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
            WebError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first: POST /api/v1/session")
        })?;
        Ok(Viewer { scope: principal.scope(), principal })
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<Option<Viewer>, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned().map(|principal| Viewer { scope: principal.scope(), principal }))
    }
}

/// The answer for an entity that is unknown or out of scope: the same.
pub fn unknown_entity(id: &str) -> WebError {
    WebError::not_found("unknown_entity", format!("no rep or unit '{id}' in this workspace"))
}

impl Viewer {
    pub fn role(&self) -> Role {
        self.principal.role
    }

    /// The login that changes are audited under.
    pub fn actor(&self) -> &str {
        &self.principal.login
    }

    /// Whether the viewer is nobody in particular: a workspace without users.
    pub fn is_local(&self) -> bool {
        self.principal == Principal::local()
    }

    /// The rep or unit `id` as seen in `period`, or 404 when out of scope.
    pub fn check(&self, facts: &Facts, period: &Period, id: &str) -> Result<()> {
        if self.scope.sees_id(facts.org(), id, period.last_day()) { Ok(()) } else { Err(unknown_entity(id)) }
    }

    /// Whether a result of `period` is in scope (for lists).
    pub fn sees(&self, facts: &Facts, period: &Period, result: &EntityResult) -> bool {
        self.scope.sees(facts.org(), result.level, &result.id, period.last_day())
    }

    /// 403 unless `allowed`, saying what needs which role.
    pub fn may(&self, allowed: bool, what: &str) -> Result<()> {
        if allowed {
            return Ok(());
        }
        let message = format!("{what}: not for a {} (signed in as {})", self.principal.role, self.principal.login);
        Err(WebError::new(StatusCode::FORBIDDEN, "forbidden", message))
    }

    /// How the viewer stands to rep `rep`'s feedback in `period`: the rep,
    /// their manager (or above), or HR reading; 404 for anyone else.
    pub fn side(&self, facts: &Facts, period: &Period, rep: &str) -> Result<yeji_feedback::Side> {
        yeji_feedback::side_of(&self.principal, facts.org(), rep, period.last_day()).ok_or_else(|| unknown_entity(rep))
    }

    /// Imports, reverts, schemes, targets, incentive plans.
    pub fn may_change_data(&self) -> Result<()> {
        self.may(self.role().may_change_data(), "changing the data or the scheme needs an admin or a director")
    }
}
