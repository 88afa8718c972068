//! Who is asking, settled once for every request (SPEC §15.1): a session
//! cookie (axum-login over tower-sessions, sessions kept in the catalog's
//! database), an API token (`Authorization: Bearer`), or, on a workspace
//! without users served on loopback, the machine's own user. The principal
//! found travels with the request to every handler ([`crate::viewer::Viewer`]);
//! without one, pages go to the sign-in page and the API answers 401.
//! Cross-site posts are refused here too, and cookies are marked `Secure`
//! when a proxy says the request came over HTTPS.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_login::{AuthManagerLayer, AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend};
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use yeji_people::{Principal, SigninError};
use yeji_store::Catalog;

use crate::error::WebError;
use crate::recent::{Recent, RecentSessions};
use crate::state::AppState;

/// A session ends after this long without a request.
const SESSION_IDLE_HOURS: i64 = 8;

/// The people who may sign in, for axum-login.
#[derive(Clone)]
pub struct People {
    catalog: Catalog,
    recent: Arc<Recent<String, Option<SignedIn>>>,
}

/// A signed-in user: their principal, and their password hash, which ends
/// their sessions when it changes.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub principal: Principal,
    password_hash: Vec<u8>,
}

impl AuthUser for SignedIn {
    type Id = String;

    fn id(&self) -> String {
        self.principal.login.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.password_hash
    }
}

impl People {
    /// The active user `login`, as read from the catalog within the last second.
    async fn signed_in(&self, login: &str) -> Result<Option<SignedIn>, SigninError> {
        if let Some(user) = self.recent.get(&login.to_owned()) {
            return Ok(user);
        }
        let user = self.catalog.user(login).await?.filter(|u| u.active);
        let user = user
            .map(|user| SignedIn { password_hash: user.password_hash.clone().into_bytes(), principal: user.into() });
        self.recent.put(login.to_owned(), user.clone());
        Ok(user)
    }
}

impl AuthnBackend for People {
    type User = SignedIn;
    type Credentials = (String, String);
    type Error = SigninError;

    async fn authenticate(&self, (login, password): (String, String)) -> Result<Option<SignedIn>, SigninError> {
        match yeji_people::sign_in(&self.catalog, &login, &password).await {
            Ok(principal) => self.signed_in(&principal.login).await,
            Err(SigninError::Wrong) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn get_user(&self, login: &String) -> Result<Option<SignedIn>, SigninError> {
        self.signed_in(login).await
    }
}

pub type Auth = AuthSession<People>;

/// The session and sign-in layers over a session store.
pub fn layer<S: SessionStore + Clone>(catalog: &Catalog, store: S) -> AuthManagerLayer<People, RecentSessions<S>> {
    let sessions = SessionManagerLayer::new(RecentSessions::new(store))
        .with_name("yeji_session")
        .with_http_only(true)
        // Plain HTTP by default; `secure_cookies` adds the flag behind HTTPS.
        .with_secure(false)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::hours(SESSION_IDLE_HOURS)));
    let people = People { catalog: catalog.clone(), recent: Arc::new(Recent::new(10_000)) };
    AuthManagerLayerBuilder::new(people, sessions).build()
}

/// Paths anyone may open: the sign-in page and API, assets, the language
/// switch, the API's description.
fn is_open(method: &Method, path: &str) -> bool {
    path == "/login"
        || path.starts_with("/login/link/")
        || path.starts_with("/assets/")
        || path.starts_with("/lang/")
        || path == "/api/v1/openapi.json"
        || (path == "/api/v1/session" && method == Method::POST)
}

/// The bearer token of a request, if it has one.
fn bearer(request: &Request) -> Option<String> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// Settles who is asking and puts the [`Principal`] on the request.
pub async fn who(State(state): State<Arc<AppState>>, auth: Auth, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let found = match state.has_users().await {
        Err(error) => return error.into_response(),
        Ok(false) => Some(Principal::local()),
        Ok(true) => match bearer(&request) {
            Some(token) => match yeji_people::token_principal(state.catalog(), &token).await {
                Ok(Some(principal)) => Some(principal),
                Ok(None) => return unauthenticated(&path, "the API token is unknown or revoked"),
                Err(error) => return WebError::from(yeji_facts::FactsError::from(error)).into_response(),
            },
            None => auth.user.map(|user| user.principal),
        },
    };
    match found {
        Some(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        None if is_open(request.method(), &path) => next.run(request).await,
        None => unauthenticated(&path, "sign in first: POST /api/v1/session, or send Authorization: Bearer TOKEN"),
    }
}

/// Without a principal: the API says 401, a page sends the browser to sign in.
fn unauthenticated(path: &str, message: &str) -> Response {
    if path.starts_with("/api/") {
        return WebError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message).into_response();
    }
    let next = crate::pages::encode(path);
    (StatusCode::SEE_OTHER, [(LOCATION, format!("/login?next={next}"))]).into_response()
}

/// Refuses a change (any method but GET and HEAD) sent from another site: a
/// browser says where a request comes from (`Sec-Fetch-Site`, `Origin`); a
/// request with an API token carries no ambient credentials to abuse.
pub async fn same_site(request: Request, next: Next) -> Response {
    if cross_site(&request) {
        let message = "a change sent from another site is refused: use the app's own pages";
        return WebError::new(StatusCode::FORBIDDEN, "cross_site", message).into_response();
    }
    next.run(request).await
}

fn cross_site(request: &Request) -> bool {
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !changes || request.headers().get(AUTHORIZATION).is_some() {
        return false;
    }
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let cross_fetch = header("sec-fetch-site").is_some_and(|site| !matches!(site, "same-origin" | "none"));
    let origin_host = header(ORIGIN.as_str()).map(|o| o.split("://").nth(1).unwrap_or(o));
    let cross_origin = origin_host.is_some_and(|origin| Some(origin) != header(HOST.as_str()));
    cross_fetch || cross_origin
}

/// Marks cookies `Secure` when a proxy in front says the request came over
/// HTTPS (`X-Forwarded-Proto: https`); yeji itself serves plain HTTP.
pub async fn secure_cookies(request: Request, next: Next) -> Response {
    let https = request.headers().get("x-forwarded-proto").is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut response = next.run(request).await;
    if https {
        let cookies: Vec<HeaderValue> = response.headers().get_all(SET_COOKIE).iter().cloned().collect();
        response.headers_mut().remove(SET_COOKIE);
        for cookie in cookies {
            let text = cookie.to_str().unwrap_or_default();
            let secure = if text.to_ascii_lowercase().contains("; secure") {
                text.to_owned()
            } else {
                format!("{text}; Secure")
            };
            if let Ok(value) = HeaderValue::from_str(&secure) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
    }
    response
}
