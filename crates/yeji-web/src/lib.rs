//! The yeji web app: server-rendered pages (maud, htmx, vendored ECharts) and
//! the JSON API (`/api/v1`, OpenAPI), both over one open workspace, for the
//! signed-in people each in their scope.
//!
//! ```text
//! lib.rs          the router, its layers and the page context
//! auth.rs         who is asking (sessions, tokens, none on loopback), cross-site refusals
//! viewer.rs       the one scope and role check every handler asks
//! state.rs        the open workspace, its facts and the cache of evaluations and views
//! views.rs        what each page shows, as data (the API returns the same)
//! dashboard.rs    overview, scorecards, rows behind a value, comparisons
//! changes.rs      imports and the scheme: the pages that change the workspace
//! feedback.rs     drafting feedback, an item's page and its conversation's steps
//! plans.rs        writing a plan, a plan's page, its steps and check-ins, the scope's plans
//! people.rs       signing in and out, users, the audit log
//! recent.rs       sessions and users read once a second, not on every request
//! api.rs          JSON handlers and the OpenAPI document (api_people.rs: session, users,
//!                 audit; api_feedback.rs: drafts, items and their conversation;
//!                 api_plans.rs: plans, steps, check-ins, effects)
//! pages/          HTML rendering, one module per page
//! scheme_form.rs  the scheme page's form turned into a scheme
//! i18n.rs         zh-CN / en labels and number formats
//! upload.rs       streaming uploads to a temporary folder
//! assets.rs       the vendored scripts and the style sheet
//! export.rs       reports (feedback, plans) as html, pdf and xlsx downloads
//! error.rs        one error body for every failure; extract.rs: extractors that answer it
//! ```

mod alerts;
mod api;
mod api_alerts;
mod api_analysis;
mod api_feedback;
mod api_incentives;
mod api_people;
mod api_plans;
mod api_targets;
mod assets;
mod auth;
mod changes;
mod dashboard;
mod error;
mod export;
mod extract;
mod feedback;
mod i18n;
mod incentives;
mod pages;
mod people;
mod plans;
mod recent;
mod scheme_form;
mod state;
mod targets;
mod upload;
mod viewer;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use yeji_facts::Workspace;

pub use error::WebError;
use extract::{Path, Query};
use i18n::Lang;
use pages::{Ctx, respond};
use state::AppState;
use viewer::Viewer;

/// The routes of the app (pages, the API, assets) with their layers, over
/// sessions kept in `sessions`.
fn app<S: tower_sessions::SessionStore + Clone>(state: Arc<AppState>, sessions: S) -> Router {
    let auth = auth::layer(state.catalog(), sessions);
    Router::new()
        .route("/", get(dashboard::overview))
        .route("/entity/{id}", get(dashboard::entity))
        .route("/entity/{id}/kpi/{kpi}", get(dashboard::kpi))
        .route("/entity/{id}/kpi/{kpi}/rows.csv", get(dashboard::rows_csv))
        .route("/entity/{id}/kpi/{kpi}/rows.xlsx", get(dashboard::rows_xlsx))
        .route("/compare", get(dashboard::compare))
        .route("/entity/{id}/feedback", post(feedback::draft))
        .route("/feedback/{id}", get(feedback::item))
        .route("/feedback/{id}/step", post(feedback::step))
        .route("/feedback/{id}/edit", post(feedback::edit))
        .route("/entity/{id}/plans/new", get(plans::new))
        .route("/entity/{id}/plans", post(plans::create))
        .route("/plans", get(plans::all))
        .route("/alerts/{id}/step", post(alerts::step))
        .route("/targets", get(targets::page).post(targets::propose))
        .route("/incentives", get(incentives::page))
        .route("/incentives/whatif", post(incentives::whatif))
        .route("/incentives/inquiries", post(incentives::inquire))
        .route("/incentives/inquiries/{id}/resolution", post(incentives::resolve))
        .route("/incentives/runs/{id}/step", post(incentives::step))
        .route("/targets/{id}/step", post(targets::step))
        .route("/incentives/statements/{rep}/export/{format}", get(api_incentives::export))
        .route("/incentives/statements/{rep}/lines/{line}", get(incentives::line))
        .route("/plans/{id}", get(plans::plan))
        .route("/plans/{id}/step", post(plans::step))
        .route("/plans/{id}/checkin", post(plans::checkin))
        .route("/plans/{id}/export/{format}", get(plans::export))
        .route("/feedback/{id}/export/{format}", get(feedback::export))
        .route("/imports", get(changes::imports).post(changes::upload))
        .route("/imports/{batch}/revert", post(changes::revert))
        .route("/scheme", get(changes::scheme).post(changes::save_scheme))
        .route("/scheme/preview", post(changes::preview_scheme))
        .route("/login", get(people::login_page).post(people::login))
        .route("/login/link/{secret}", get(people::login_link))
        .route("/logout", post(people::logout))
        .route("/users", get(people::users).post(people::change_users))
        .route("/audit", get(people::audit))
        .route("/api", get(docs))
        .route("/lang/{code}", get(switch_language))
        .route("/assets/{file}", get(assets::serve))
        .nest("/api/v1", api::routes())
        .fallback(no_such_page)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::who))
        .layer(auth)
        .layer(axum::middleware::from_fn(auth::same_site))
        .layer(axum::middleware::from_fn(auth::secure_cookies))
        .layer(DefaultBodyLimit::max(upload::MAX_UPLOAD_BYTES as usize))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Serves the app on `addr` until Ctrl-C; `ready` is told the bound address.
/// A workspace without users is served on a loopback address only: anyone
/// who reaches it acts as its admin.
pub async fn serve(workspace: Workspace, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let state = Arc::new(AppState::new(workspace).await.map_err(std::io::Error::other)?);
    if !addr.ip().is_loopback() && !state.has_users().await.map_err(|e| std::io::Error::other(e.message))? {
        return Err(std::io::Error::other(format!(
            "this workspace has no users, so anyone reaching {addr} could change it: add one first \
             (echo PASSWORD | yeji user add -w WORKSPACE LOGIN --role admin), or serve on 127.0.0.1"
        )));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    // The pages most people open first are computed while the URL is printed.
    let warm = state.clone();
    // A failure shows when its page is opened.
    tokio::spawn(async move { _ = warm.warm_up().await });
    ready(listener.local_addr()?);
    let catalog = state.catalog().clone();
    let router = if let Some(pool) = catalog.sqlite_pool() {
        let store = tower_sessions_sqlx_store::SqliteStore::new(pool.clone());
        store.migrate().await.map_err(std::io::Error::other)?;
        app(state, store)
    } else {
        let pool = catalog.postgres_pool().expect("a catalog is SQLite or PostgreSQL");
        let store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone());
        store.migrate().await.map_err(std::io::Error::other)?;
        app(state, store)
    };
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: Option<String>,
    page: Option<usize>,
}

/// The page context of a request for `viewer` (none on the sign-in page),
/// and its period (an error when the asked period is not one).
async fn context(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    period: Option<&str>,
    viewer: Option<&Viewer>,
) -> (Ctx, Result<yeji_core::Period, WebError>) {
    let parsed = state.period(period).await;
    let periods = pages::period_choices(state.order_dates().await.ok().flatten());
    let shown = match (&parsed, period) {
        (Ok(p), _) => p.to_string(),
        (Err(_), Some(text)) => text.to_owned(),
        (Err(_), None) => String::new(),
    };
    let company = state.facts().settings().name.clone();
    let here = uri.path_and_query().map_or("/".into(), |p| p.to_string());
    (Ctx { lang, period: shown, periods, here, company, viewer: viewer.cloned() }, parsed)
}

async fn no_such_page(State(state): State<Arc<AppState>>, viewer: Option<Viewer>, lang: Lang, uri: Uri) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, viewer.as_ref()).await;
    pages::error_page(&ctx, &WebError::not_found("not_found", format!("no page {}", uri.path())))
}

async fn docs(State(state): State<Arc<AppState>>, viewer: Viewer, lang: Lang, uri: Uri) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    let body = pages::docs::render(
        &ctx,
        &serde_json::to_value(<api::ApiDoc as utoipa::OpenApi>::openapi()).unwrap_or_default(),
    );
    respond(&ctx, Ok(pages::layout(&ctx, "api", lang.t("api_docs"), body)))
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

/// Sets the language cookie and goes back to the page (only to a local path).
async fn switch_language(Path(code): Path<String>, Query(q): Query<Back>) -> Response {
    let lang = if code.starts_with("en") { "en" } else { "zh-CN" };
    let back = q.back.filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or_else(|| "/".into());
    let back = strip_lang(&back);
    let cookie = format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    (StatusCode::SEE_OTHER, [(LOCATION, back), (SET_COOKIE, cookie)]).into_response()
}

/// A local URL without its `lang=` parameter (the cookie decides after a switch).
fn strip_lang(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else { return url.to_owned() };
    let kept: Vec<&str> = query.split('&').filter(|p| !p.starts_with("lang=")).collect();
    if kept.is_empty() { path.to_owned() } else { format!("{path}?{}", kept.join("&")) }
}
