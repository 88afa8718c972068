//! The yeji web app: server-rendered pages (maud, htmx, vendored ECharts) and
//! the JSON API (`/api/v1`, OpenAPI), both over one open workspace.
//!
//! ```text
//! lib.rs      the router and the page handlers
//! state.rs    the open workspace, its facts and the cache of evaluations and views
//! extract.rs  path, query and form extractors answering JSON errors
//! views.rs    what each page shows, as data (the API returns the same)
//! api.rs      JSON handlers and the OpenAPI document
//! pages/      HTML rendering, one module per page
//! scheme_form.rs  the scheme page's form turned into a scheme
//! i18n.rs     zh-CN / en labels and number formats
//! upload.rs   streaming uploads to a temporary folder
//! assets.rs   the vendored scripts and the style sheet
//! ```

mod api;
mod assets;
mod error;
mod extract;
mod i18n;
mod pages;
mod scheme_form;
mod state;
mod upload;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use yeji_facts::{FactsError, Workspace};

pub use error::WebError;
use extract::{Form, Path, Query};
use i18n::Lang;
use pages::{Ctx, respond};
use state::AppState;

/// The routes of the app: pages, the API, assets.
fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/entity/{id}", get(entity))
        .route("/entity/{id}/kpi/{kpi}", get(kpi))
        .route("/entity/{id}/kpi/{kpi}/rows.csv", get(rows_csv))
        .route("/entity/{id}/kpi/{kpi}/rows.xlsx", get(rows_xlsx))
        .route("/compare", get(compare))
        .route("/imports", get(imports).post(upload))
        .route("/imports/{batch}/revert", post(revert))
        .route("/scheme", get(scheme).post(save_scheme))
        .route("/scheme/preview", post(preview_scheme))
        .route("/api", get(docs))
        .route("/lang/{code}", get(switch_language))
        .route("/assets/{file}", get(assets::serve))
        .nest("/api/v1", api::routes())
        .fallback(no_such_page)
        .layer(DefaultBodyLimit::max(upload::MAX_UPLOAD_BYTES as usize))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Serves the app on `addr` until Ctrl-C; `ready` is told the bound address.
pub async fn serve(workspace: Workspace, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let state = Arc::new(AppState::new(workspace).await.map_err(std::io::Error::other)?);
    // The pages most people open first are computed while the URL is printed.
    let warm = state.clone();
    // A failure shows when its page is opened.
    tokio::spawn(async move { _ = warm.warm_up().await });
    ready(listener.local_addr()?);
    axum::serve(listener, app(state))
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

/// The page context of a request, and its period (an error when the asked
/// period is not one).
async fn context(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    period: Option<&str>,
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
    (Ctx { lang, period: shown, periods, here, company }, parsed)
}

async fn overview(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri, Query(q): Query<PeriodQuery>) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref()).await;
    let page = async {
        let view = state.overview(&period?).await?;
        let kpis = pages::SchemeColumn::of(&state.scheme().await?.scheme);
        let title = format!("{} · {}", lang.t("overview"), view.period);
        Ok(pages::layout(&ctx, "overview", &title, pages::overview::render(&ctx, &view, &kpis)))
    };
    respond(&ctx, page.await)
}

async fn entity(
    State(state): State<Arc<AppState>>,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref()).await;
    let page = async {
        let view = state.entity(&period?, &state.id(&id)).await?;
        let kpis = pages::SchemeColumn::of(&state.scheme().await?.scheme);
        let title = format!("{} · {}", view.entity.name, view.period);
        Ok(pages::layout(&ctx, "", &title, pages::entity::render(&ctx, &view, &kpis)))
    };
    respond(&ctx, page.await)
}

const PAGE_SIZE: usize = 50;

/// The first row of page `page` (1-based) of `size` rows.
fn rows_offset(page: usize, size: usize) -> Result<usize, WebError> {
    page.checked_sub(1)
        .and_then(|before| before.checked_mul(size))
        .ok_or_else(|| WebError::bad_request("bad_page", format!("page {page} is not a page: pages count from 1")))
}

async fn kpi(
    State(state): State<Arc<AppState>>,
    lang: Lang,
    uri: Uri,
    Path((id, kpi)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref()).await;
    let page = async {
        let period = period?;
        let id = state.id(&id);
        let view = state.entity(&period, &id).await?;
        let explained = view.explanation.kpis.iter().find(|k| k.kpi == kpi).ok_or_else(|| {
            WebError::not_found("unknown_kpi", format!("'{kpi}' is not a KPI of this evaluation; see /api/v1/kpis"))
        })?;
        let page = q.page.unwrap_or(1);
        let behind = state.rows_behind(&period, &id, &kpi, rows_offset(page, PAGE_SIZE)?, PAGE_SIZE).await?;
        let name = pages::kpi(&kpi).map_or(kpi.clone(), |k| lang.kpi_name(k).to_owned());
        let title = format!("{} · {name} · {}", view.entity.name, view.period);
        let body = pages::entity::render_kpi(
            &ctx,
            &pages::entity::KpiPage {
                entity_id: &id,
                entity_name: &view.entity.name,
                explained,
                header: &behind.header,
                rows: &behind.rows,
                total_rows: behind.total,
                page,
                page_size: PAGE_SIZE,
                table: &behind.table,
            },
        );
        Ok(pages::layout(&ctx, "", &title, body))
    };
    respond(&ctx, page.await)
}

/// The most rows a download holds (an XLSX sheet holds 1,048,576); `yeji
/// explain --rows` writes any number.
const MAX_DOWNLOAD_ROWS: usize = 1_000_000;

/// The rows behind a KPI as a download.
async fn rows_download(
    state: &AppState,
    id: &str,
    kpi: &str,
    period: Option<&str>,
    xlsx: bool,
) -> Result<Response, WebError> {
    let period = state.period(period).await?;
    let id = &state.id(id);
    let behind = state.rows_behind(&period, id, kpi, 0, MAX_DOWNLOAD_ROWS).await?;
    if behind.total > MAX_DOWNLOAD_ROWS {
        let message = format!(
            "{} rows are behind this value; downloads hold up to {MAX_DOWNLOAD_ROWS}: use `yeji explain --rows FILE`",
            behind.total
        );
        return Err(WebError::bad_request("too_many_rows", message));
    }
    let name = format!("{id}-{kpi}-{period}.{}", if xlsx { "xlsx" } else { "csv" });
    let (content_type, body) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            yeji_eval::report::rows_xlsx(&behind.header, &behind.rows).map_err(WebError::internal)?,
        )
    } else {
        (
            "text/csv; charset=utf-8",
            yeji_eval::report::rows_csv(&behind.header, &behind.rows, true).map_err(WebError::internal)?,
        )
    };
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\'], "_"));
    Ok(([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, disposition)], body).into_response())
}

async fn rows_csv(
    State(state): State<Arc<AppState>>,
    Path((id, kpi)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    rows_download(&state, &id, &kpi, q.period.as_deref(), false).await.into_response()
}

async fn rows_xlsx(
    State(state): State<Arc<AppState>>,
    Path((id, kpi)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    rows_download(&state, &id, &kpi, q.period.as_deref(), true).await.into_response()
}

#[derive(Deserialize)]
struct CompareForm {
    ids: Option<String>,
    period: Option<String>,
    period_b: Option<String>,
}

async fn compare(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri, Query(q): Query<CompareForm>) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref()).await;
    let page = async {
        period?;
        let ids = q.ids.clone().unwrap_or_default();
        let comparison = if ids.trim().is_empty() {
            None
        } else {
            let (periods, ids) = state.comparison_request(q.period.as_deref(), q.period_b.as_deref(), &ids).await?;
            Some(state.compare(&periods, &ids).await?)
        };
        let evaluated = state.evaluation(&state.period(q.period.as_deref()).await?).await?;
        let choices: Vec<(String, String)> =
            evaluated.evaluation.results.iter().map(|r| (r.id.clone(), r.name.clone())).collect();
        let body =
            pages::compare::render(&ctx, &ids, q.period_b.as_deref().unwrap_or(""), &choices, comparison.as_ref());
        Ok(pages::layout(&ctx, "compare", lang.t("compare"), body))
    };
    respond(&ctx, page.await)
}

async fn imports_page(
    state: &AppState,
    ctx: &Ctx,
    outcome: Option<pages::imports::Outcome>,
) -> Result<maud::Markup, WebError> {
    let batches = state.read().await.batches().await?;
    Ok(pages::layout(ctx, "imports", ctx.lang.t("imports"), pages::imports::render(ctx, &batches, outcome.as_ref())))
}

async fn imports(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None).await;
    respond(&ctx, imports_page(&state, &ctx, None).await)
}

/// Rejected rows shown on the page after a refused upload.
const SHOWN_REJECTS: usize = 50;

async fn upload(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri, multipart: Multipart) -> Response {
    use pages::imports::Outcome;
    let outcome = match upload::receive(multipart).await {
        Err(error) => Outcome::Failed(error.message),
        Ok(upload) => match state.import(&upload, upload.allow_rejects, "web").await {
            Ok(report) => Outcome::Landed(report),
            Err(FactsError::Rejected { report, .. }) => {
                let message = lang.t("nothing_imported").to_owned();
                match yeji_facts::read_reject_report(std::path::Path::new(&report), SHOWN_REJECTS) {
                    Ok((rejects, total)) => Outcome::Refused { rejects, total, message },
                    Err(error) => Outcome::Failed(error.to_string()),
                }
            }
            Err(error) => Outcome::Failed(error.to_string()),
        },
    };
    let status = match outcome {
        Outcome::Landed(_) => StatusCode::OK,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let (ctx, _) = context(&state, lang, &uri, None).await;
    let mut response = respond(&ctx, imports_page(&state, &ctx, Some(outcome)).await);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

async fn revert(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri, Path(batch): Path<i64>) -> Response {
    use pages::imports::Outcome;
    let outcome = match state.revert(batch, "web").await {
        Ok(_) => Outcome::Reverted(batch),
        Err(error) => Outcome::Failed(error.to_string()),
    };
    let (ctx, _) = context(&state, lang, &uri, None).await;
    respond(&ctx, imports_page(&state, &ctx, Some(outcome)).await)
}

async fn scheme_page(
    state: &AppState,
    ctx: &Ctx,
    draft: Option<&yeji_core::scheme::Scheme>,
    error: Option<&str>,
) -> Result<maud::Markup, WebError> {
    let current = state.scheme().await?;
    let versions = state.read().await.scheme_versions().await?;
    let page = pages::scheme::Page {
        version: current.version,
        versions: &versions,
        error,
        unsaved: draft.is_some_and(|d| *d != current.scheme),
    };
    let body = pages::scheme::render(ctx, draft.unwrap_or(&current.scheme), &page);
    Ok(pages::layout(ctx, "scheme", ctx.lang.t("scheme"), body))
}

async fn scheme(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri, Query(q): Query<PeriodQuery>) -> Response {
    let (ctx, _) = context(&state, lang, &uri, q.period.as_deref()).await;
    respond(&ctx, scheme_page(&state, &ctx, None, None).await)
}

async fn preview_scheme(
    State(state): State<Arc<AppState>>,
    lang: Lang,
    uri: Uri,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let period_text = form.iter().find(|(k, _)| k == "period").map(|(_, v)| v.clone());
    let (ctx, period) = context(&state, lang, &uri, period_text.as_deref()).await;
    let fragment = async {
        let period = period?;
        let proposed = scheme_form::draft(&state.scheme().await?.scheme, &form)?;
        proposed.validate()?;
        let current = state.evaluation(&period).await?;
        let previewed = state.evaluate_with(&period, &proposed).await?;
        let reps = |e: &yeji_eval::Evaluation| {
            e.results.iter().filter(|r| r.level == yeji_core::Level::Rep).cloned().collect::<Vec<_>>()
        };
        Ok::<_, WebError>(pages::scheme::preview(&ctx, &reps(&current.evaluation), &reps(&previewed.evaluation)))
    };
    match fragment.await {
        Ok(markup) => axum::response::Html(markup.into_string()).into_response(),
        // htmx swaps only successful responses: show the message in place.
        Err(error) => axum::response::Html(maud::html! { p.error #preview-error { (error.message) } }.into_string())
            .into_response(),
    }
}

/// Saves the scheme of the form, or shows it with a KPI added or removed.
async fn save_scheme(
    State(state): State<Arc<AppState>>,
    lang: Lang,
    uri: Uri,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None).await;
    let draft = match state.scheme().await.and_then(|current| scheme_form::draft(&current.scheme, &form)) {
        Ok(draft) => draft,
        Err(error) => return pages::error_page(&ctx, &error),
    };
    let saved = match scheme_form::action(&form) {
        scheme_form::Action::Save => match draft.validate() {
            Ok(()) => state.save_scheme(&draft, "web").await.map(Some).map_err(WebError::from),
            Err(error) => Err(error.into()),
        },
        _ => Ok(None),
    };
    let error = match saved {
        Ok(Some(_)) => return (StatusCode::SEE_OTHER, [(LOCATION, "/scheme")]).into_response(),
        Ok(None) => None,
        Err(error) => Some(error),
    };
    let page = scheme_page(&state, &ctx, Some(&draft), error.as_ref().map(|e| e.message.as_str())).await;
    let mut response = respond(&ctx, page);
    if let Some(error) = error {
        *response.status_mut() = error.status;
    }
    response
}

async fn no_such_page(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None).await;
    pages::error_page(&ctx, &WebError::not_found("not_found", format!("no page {}", uri.path())))
}

async fn docs(State(state): State<Arc<AppState>>, lang: Lang, uri: Uri) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None).await;
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
