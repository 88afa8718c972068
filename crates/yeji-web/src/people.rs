//! Signing in and out, the users page (admins) and the audit log page
//! (admins, directors, HR).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yeji_people::{Person, Role, SigninError, UserChange};
use yeji_store::AuditFilter;

use axum_login::AuthnBackend;

use crate::auth::Auth;
use crate::context;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Lang;
use crate::pages::{self, respond};
use crate::state::AppState;
use crate::viewer::Viewer;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Where to go after signing in: a local path only.
fn local(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login")).unwrap_or("/").to_owned()
}

pub async fn login_page(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri, Query(q): Query<Next>) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, None).await;
    let body = pages::login::render(&ctx, &local(q.next.as_deref()), None);
    respond(&ctx, Ok(pages::layout(&ctx, "", lang.t("sign_in_title"), body)))
}

#[derive(Deserialize)]
pub struct Credentials {
    login: String,
    password: String,
    next: Option<String>,
}

/// Signs in from the form: a new session (its id changes), then back to
/// where the visitor was going.
pub async fn login(
    State(state): State<Arc<AppState>>,
    mut auth: Auth,
    lang: Lang,
    uri: Uri,
    Form(form): Form<Credentials>,
) -> Response {
    let next = local(form.next.as_deref());
    let refused = match auth.authenticate((form.login.trim().to_owned(), form.password)).await {
        Ok(Some(user)) => match auth.login(&user).await {
            Ok(()) => return Redirect::to(&next).into_response(),
            Err(error) => return WebError::internal(error).into_response(),
        },
        Ok(None) => lang.t("wrong_signin"),
        Err(axum_login::Error::Backend(SigninError::Locked(_))) => lang.t("locked_signin"),
        Err(error) => return WebError::internal(error).into_response(),
    };
    let (ctx, _) = context(&state, lang, &uri, None, None).await;
    let body = pages::login::render(&ctx, &next, Some(refused));
    let mut response = respond(&ctx, Ok(pages::layout(&ctx, "", lang.t("sign_in_title"), body)));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

/// Signs in with a one-time link (`yeji demo` prints one).
pub async fn login_link(State(state): State<Arc<AppState>>, mut auth: Auth, Path(secret): Path<String>) -> Response {
    let principal = match yeji_people::sign_in_with_link(state.catalog(), &secret).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(error) => return WebError::from(yeji_facts::FactsError::from(error)).into_response(),
    };
    match auth.backend.get_user(&principal.login).await {
        Ok(Some(user)) if auth.login(&user).await.is_ok() => Redirect::to("/").into_response(),
        _ => Redirect::to("/login").into_response(),
    }
}

pub async fn logout(mut auth: Auth) -> Response {
    match auth.logout().await {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(error) => WebError::internal(error).into_response(),
    }
}

pub async fn users(State(state): State<Arc<AppState>>, viewer: Viewer, lang: Lang, uri: Uri) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    respond(&ctx, users_page(&state, &ctx, &viewer, None).await)
}

async fn users_page(
    state: &AppState,
    ctx: &pages::Ctx,
    viewer: &Viewer,
    message: Option<&str>,
) -> Result<maud::Markup, WebError> {
    viewer.may(viewer.role().may_manage_users(), "managing users needs an admin")?;
    let users = state.catalog().users().await.map_err(yeji_facts::FactsError::from)?;
    Ok(pages::layout(ctx, "users", ctx.lang.t("users"), pages::users::render(ctx, &users, message)))
}

#[derive(Deserialize)]
pub struct UserForm {
    action: String,
    login: String,
    role: Option<String>,
    entity: Option<String>,
    name: Option<String>,
    password: Option<String>,
}

/// Adds a user, or changes one's role, entity or state, from the users page.
pub async fn change_users(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Form(form): Form<UserForm>,
) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    let changed = async {
        viewer.may(viewer.role().may_manage_users(), "managing users needs an admin")?;
        let facts = state.facts();
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let role = text(&form.role).map(|r| r.parse::<Role>()).transpose().map_err(people_error)?;
        let entity = text(&form.entity).map(|e| facts.settings().id(&e));
        let catalog = state.catalog();
        let user = match form.action.as_str() {
            "add" => {
                let (password, name) = (form.password.clone().unwrap_or_default(), text(&form.name));
                let person = Person {
                    login: form.login.trim(),
                    role: role.unwrap_or(Role::Rep),
                    entity: entity.as_deref(),
                    name: name.as_deref(),
                    password: &password,
                };
                yeji_people::add_user(catalog, facts.org(), person, viewer.actor()).await
            }
            action => {
                let change = match action {
                    "disable" => UserChange { active: Some(false), ..UserChange::default() },
                    "enable" => UserChange { active: Some(true), ..UserChange::default() },
                    _ => UserChange { role, entity: Some(entity), ..UserChange::default() },
                };
                yeji_people::change_user(catalog, facts.org(), &form.login, change, viewer.actor()).await
            }
        };
        user.map_err(people_error)
    };
    match changed.await {
        Ok(user) => {
            let message =
                format!("{} · {} · {}", user.login, user.role, if user.active { "active" } else { "disabled" });
            respond(&ctx, users_page(&state, &ctx, &viewer, Some(&message)).await)
        }
        Err(error) => {
            let mut response = respond(&ctx, users_page(&state, &ctx, &viewer, Some(&error.message)).await);
            if response.status() == StatusCode::OK {
                *response.status_mut() = error.status;
            }
            response
        }
    }
}

/// A user change refused: the reason, as a 400 (409 for a login taken).
pub fn people_error(error: yeji_people::PeopleError) -> WebError {
    use yeji_store::StoreError;
    match error {
        yeji_people::PeopleError::Store(StoreError::UserExists(_)) => {
            WebError::new(StatusCode::CONFLICT, "user_exists", error.to_string())
        }
        yeji_people::PeopleError::Store(StoreError::NoSuchUser(_)) => {
            WebError::not_found("unknown_user", error.to_string())
        }
        yeji_people::PeopleError::Store(StoreError::LastAdmin(_)) => {
            WebError::new(StatusCode::CONFLICT, "last_admin", error.to_string())
        }
        yeji_people::PeopleError::Store(other) => yeji_facts::FactsError::from(other).into(),
        other => WebError::bad_request("bad_user", other.to_string()),
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    pub since: Option<chrono::NaiveDate>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

impl AuditQuery {
    pub fn filter(&self) -> AuditFilter {
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        AuditFilter { since: self.since, actor: text(&self.actor), action: text(&self.action) }
    }
}

pub async fn audit(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Query(q): Query<AuditQuery>,
) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    let page = async {
        viewer.may(viewer.role().may_read_audit(), "the audit log is for admins, directors and HR")?;
        let rows = state.catalog().audit_log(&q.filter()).await.map_err(yeji_facts::FactsError::from)?;
        let body =
            pages::audit::render(&ctx, &rows, q.actor.as_deref().unwrap_or(""), q.action.as_deref().unwrap_or(""));
        Ok(pages::layout(&ctx, "audit", lang.t("audit"), body))
    };
    respond(&ctx, page.await)
}
