//! The API of who is looking (SPEC §15.1): signing in and out, the signed-in
//! principal, users (admins) and the audit log (admins, directors, HR).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yeji_people::{Principal, SigninError};
use yeji_store::AuditRow;

use crate::auth::Auth;
use crate::error::{Result, WebError};
use crate::extract::Query;
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/session", get(session).post(sign_in).delete(sign_out))
        .route("/users", get(users))
        .route("/audit", get(audit))
}

#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    pub login: String,
    pub password: String,
}

/// Who is signed in.
#[derive(Serialize, ToSchema)]
pub struct Session {
    pub login: String,
    pub name: String,
    /// admin, director, manager, rep or hr.
    pub role: String,
    /// A manager's org unit, a rep's rep_id.
    pub entity: Option<String>,
}

impl From<&Principal> for Session {
    fn from(p: &Principal) -> Session {
        Session { login: p.login.clone(), name: p.name.clone(), role: p.role.name().into(), entity: p.entity.clone() }
    }
}

/// Signs in: sets the session cookie (a new session: its id changes). Five
/// failed sign-ins in a row lock the login for a while (423).
#[utoipa::path(post, path = "/api/v1/session", request_body = SignIn, security(()),
    responses((status = 200, body = Session), (status = 400, body = WebError), (status = 401, body = WebError),
        (status = 403, body = WebError), (status = 423, body = WebError), (status = 500, body = WebError)))]
pub(crate) async fn sign_in(
    mut auth: Auth,
    body: std::result::Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => return WebError::bad_request("bad_body", rejection.body_text()).into_response(),
    };
    match auth.authenticate((body.login.trim().to_owned(), body.password)).await {
        Ok(Some(user)) => match auth.login(&user).await {
            Ok(()) => Json(Session::from(&user.principal)).into_response(),
            Err(error) => WebError::internal(error).into_response(),
        },
        Ok(None) => {
            WebError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "wrong login or password").into_response()
        }
        Err(axum_login::Error::Backend(error @ SigninError::Locked(_))) => {
            WebError::new(StatusCode::LOCKED, "locked", error.to_string()).into_response()
        }
        Err(error) => WebError::internal(error).into_response(),
    }
}

/// Signs out: the session ends.
#[utoipa::path(delete, path = "/api/v1/session",
    responses((status = 204), (status = 401, body = WebError), (status = 500, body = WebError)))]
pub(crate) async fn sign_out(_viewer: Viewer, mut auth: Auth) -> Response {
    match auth.logout().await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => WebError::internal(error).into_response(),
    }
}

/// Who is asking (by session, token, or the machine's user without users).
#[utoipa::path(get, path = "/api/v1/session", responses((status = 200, body = Session), (status = 401, body = WebError)))]
pub(crate) async fn session(viewer: Viewer) -> Json<Session> {
    Json(Session::from(&viewer.principal))
}

/// A user, without their password hash.
#[derive(Serialize, ToSchema)]
pub struct UserInfo {
    pub login: String,
    pub name: String,
    pub role: String,
    pub entity: Option<String>,
    pub active: bool,
}

/// The users (admins only).
#[utoipa::path(get, path = "/api/v1/users",
    responses((status = 200, body = Vec<UserInfo>), (status = 401, body = WebError), (status = 403, body = WebError), (status = 500, body = WebError)))]
pub(crate) async fn users(State(state): State<Arc<AppState>>, viewer: Viewer) -> Result<Json<Vec<UserInfo>>> {
    viewer.may(viewer.role().may_manage_users(), "the users are for admins")?;
    let users = state.catalog().users().await.map_err(yeji_facts::FactsError::from)?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| UserInfo { login: u.login, name: u.name, role: u.role, entity: u.entity, active: u.active })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Changes from this day on (YYYY-MM-DD, UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub since: Option<chrono::NaiveDate>,
    /// Changes by this login (or OS user, for the CLI).
    pub actor: Option<String>,
    /// import, revert, scheme, user.add, user.change, signin_failed, …
    pub action: Option<String>,
}

/// The audit log, oldest first (admins, directors, HR).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams),
    responses((status = 200, body = Vec<AuditRow>), (status = 400, body = WebError), (status = 401, body = WebError), (status = 403, body = WebError), (status = 500, body = WebError)))]
pub(crate) async fn audit(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Query(q): Query<AuditParams>,
) -> Result<Json<Vec<AuditRow>>> {
    viewer.may(viewer.role().may_read_audit(), "the audit log is for admins, directors and HR")?;
    let query = crate::people::AuditQuery { since: q.since, actor: q.actor, action: q.action };
    Ok(Json(state.catalog().audit_log(&query.filter()).await.map_err(yeji_facts::FactsError::from)?))
}
