//! The JSON API under `/api/v1`: every page's data, the same documents the
//! pages render, described by the OpenAPI document at `/api/v1/openapi.json`.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use yeji_core::Level;
use yeji_eval::report::{KpiInfo, kpi_listing};
use yeji_eval::{Evaluation, Explanation};
use yeji_facts::CurrentScheme;

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::state::{AppState, Key};
use crate::viewer::Viewer;
use crate::views::{Comparison, EntityView, Overview};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "yeji API",
        description = "Sales performance evaluations: the data of every page of the yeji web app."
    ),
    paths(overview, evaluation, entity, explain, rows, compare, kpis, scheme, batches, import, revert,
        crate::api_people::sign_in, crate::api_people::sign_out, crate::api_people::session,
        crate::api_people::users, crate::api_people::audit,
        crate::api_feedback::draft, crate::api_feedback::save, crate::api_feedback::list,
        crate::api_feedback::item, crate::api_feedback::step, crate::api_feedback::review,
        crate::api_plans::list, crate::api_plans::create, crate::api_plans::plan, crate::api_plans::step,
        crate::api_plans::checkin, crate::api_plans::effect, crate::api_plans::all, crate::api_alerts::list,
        crate::api_alerts::step, crate::api_analysis::variance, crate::api_analysis::forecast,
        crate::api_targets::list, crate::api_targets::create, crate::api_targets::step,
        crate::api_analysis::customers, crate::api_analysis::drivers, crate::api_analysis::funnel,
        crate::api_incentives::statement, crate::api_incentives::line,
        crate::api_incentives::runs, crate::api_incentives::step, crate::api_incentives::inquiries,
        crate::api_incentives::inquire, crate::api_incentives::resolve, crate::api_incentives::whatif),
    components(schemas(WebError, Rows, KpiInfo, BatchInfo, Imported, Period)),
    modifiers(&SignInRequired),
    security(("session" = []), ("token" = []))
)]
pub struct ApiDoc;

/// How a request says who it is (once a workspace has users): the session
/// cookie set by `POST /api/v1/session`, or an API token (`yeji token create`).
/// Every path but signing in and this document answers 401 without one; the
/// paths in [`ROLE_CHECKED`] answer 403 to a role that may not use them.
struct SignInRequired;

/// The paths (and methods) whose handler asks the viewer's role.
const ROLE_CHECKED: [(&str, &str); 10] = [
    ("/api/v1/overview", "get"),
    ("/api/v1/batches", "get"),
    ("/api/v1/imports", "post"),
    ("/api/v1/batches/{id}/revert", "post"),
    ("/api/v1/users", "get"),
    ("/api/v1/audit", "get"),
    ("/api/v1/incentives/runs", "get"),
    ("/api/v1/incentives/runs/{id}/steps", "post"),
    ("/api/v1/incentives/inquiries/{id}/resolution", "post"),
    ("/api/v1/incentives/whatif", "post"),
];

impl utoipa::Modify for SignInRequired {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        use utoipa::openapi::{Ref, RefOr, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("yeji_session"))));
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        let error = |description: &str| {
            let body = utoipa::openapi::ContentBuilder::new().schema(Some(Ref::from_schema_name("WebError"))).build();
            RefOr::T(ResponseBuilder::new().description(description).content("application/json", body).build())
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                if path == "/api/v1/session" && method == "post" {
                    continue;
                }
                let responses = &mut operation.responses.responses;
                responses.entry("401".into()).or_insert_with(|| error("not signed in"));
                if ROLE_CHECKED.contains(&(path.as_str(), method)) {
                    responses.entry("403".into()).or_insert_with(|| error("the role may not"));
                }
            }
        }
    }
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/overview", get(overview))
        .route("/evaluation", get(evaluation))
        .route("/entities/{id}", get(entity))
        .route("/entities/{id}/explain", get(explain))
        .route("/entities/{id}/kpis/{kpi}/rows", get(rows))
        .route("/compare", get(compare))
        .route("/kpis", get(kpis))
        .route("/scheme", get(scheme))
        .route("/batches", get(batches))
        .route("/imports", post(import))
        .route("/batches/{id}/revert", post(revert))
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/entities/{id}/feedback/draft", get(crate::api_feedback::draft))
        .route("/entities/{id}/feedback", get(crate::api_feedback::list).post(crate::api_feedback::save))
        .route("/feedback/{id}", get(crate::api_feedback::item))
        .route("/feedback/{id}/steps", post(crate::api_feedback::step))
        .route("/entities/{id}/review", get(crate::api_feedback::review))
        .route("/entities/{id}/plans", get(crate::api_plans::list).post(crate::api_plans::create))
        .route("/plans", get(crate::api_plans::all))
        .route("/plans/{id}", get(crate::api_plans::plan))
        .route("/plans/{id}/steps", post(crate::api_plans::step))
        .route("/plans/{id}/checkins", post(crate::api_plans::checkin))
        .route("/plans/{id}/effect", get(crate::api_plans::effect))
        .route("/alerts", get(crate::api_alerts::list))
        .route("/entities/{id}/variance", get(crate::api_analysis::variance))
        .route("/entities/{id}/forecast", get(crate::api_analysis::forecast))
        .route("/entities/{id}/customers", get(crate::api_analysis::customers))
        .route("/entities/{id}/drivers", get(crate::api_analysis::drivers))
        .route("/entities/{id}/funnel", get(crate::api_analysis::funnel))
        .route("/alerts/{id}/steps", post(crate::api_alerts::step))
        .route("/targets", get(crate::api_targets::list).post(crate::api_targets::create))
        .route("/targets/{id}/steps", post(crate::api_targets::step))
        .route("/incentives/statements/{rep}", get(crate::api_incentives::statement))
        .route("/incentives/statements/{rep}/lines/{line}", get(crate::api_incentives::line))
        .route("/incentives/runs", get(crate::api_incentives::runs))
        .route("/incentives/runs/{id}/steps", post(crate::api_incentives::step))
        .route("/incentives/inquiries", get(crate::api_incentives::inquiries).post(crate::api_incentives::inquire))
        .route("/incentives/inquiries/{id}/resolution", post(crate::api_incentives::resolve))
        .route("/incentives/whatif", post(crate::api_incentives::whatif))
        .merge(crate::api_people::routes())
        .fallback(|| async { WebError::not_found("not_found", "no such API endpoint; see /api/v1/openapi.json") })
}

/// A period: 2026-10, 2026-Q3, 2026-H1, 2026, 2026-W42, 2026-01..2026-06,
/// FY2026-Q1 (empty: the default). Its meaning is checked beyond the pattern (a range's ends are
/// of one kind and in order; not every year has a week 53): a 400 says why.
pub struct Period;

const PERIOD_PATTERN: &str = r"^\s*$|^\s*(FY)?[0-9]{4}(-(Q[1-4]|H[12]|W(0[1-9]|[1-4][0-9]|5[0-3])|0[1-9]|1[0-2]))?(\.\.(FY)?[0-9]{4}(-(Q[1-4]|H[12]|W(0[1-9]|[1-4][0-9]|5[0-3])|0[1-9]|1[0-2]))?)?\s*$";

impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(PERIOD_PATTERN))
            .examples(["2026-Q3"])
            .into()
    }
}

impl ToSchema for Period {}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// 2026-Q3, 2026-10, 2026-H1, 2026, 2026-W42, 2026-01..2026-06, FY2026-Q1;
    /// default: the last complete quarter of the data.
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/overview", params(PeriodQuery),
    responses((status = 200, body = Overview), (status = 400, body = WebError), (status = 404, body = WebError), (status = 500, body = WebError)))]
async fn overview(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Query(q): Query<PeriodQuery>,
) -> Result<Response> {
    if let yeji_people::Scope::Rep(rep) = &viewer.scope {
        return Err(viewer
            .may(false, &format!("the overview; a rep's is their scorecard, /api/v1/entities/{rep}"))
            .unwrap_err());
    }
    let period = state.period(q.period.as_deref()).await?;
    cached_json(&state, Key::Overview(period, viewer.scope.clone()), state.overview(&period, &viewer.scope)).await
}

/// A view as JSON, serialized once per view and shared by every request for it.
async fn cached_json<T: Serialize>(
    state: &AppState,
    key: Key,
    view: impl std::future::Future<Output = Result<Arc<T>>>,
) -> Result<Response> {
    let bytes = state
        .cached(Key::Json(Box::new(key)), async {
            let view = view.await?;
            serde_json::to_vec(&*view).map(Bytes::from).map_err(WebError::internal)
        })
        .await?;
    Ok(([(CONTENT_TYPE, "application/json")], Bytes::clone(&bytes)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
    /// rep, unit or company; all levels by default.
    #[param(value_type = Option<String>, pattern = "^(rep|unit|company)$")]
    pub level: Option<String>,
}

/// The evaluation of a period, as `yeji evaluate --format json` prints it (SPEC §14).
#[utoipa::path(get, path = "/api/v1/evaluation", params(EvaluationQuery),
    responses((status = 200, body = Evaluation), (status = 400, body = WebError), (status = 500, body = WebError)))]
async fn evaluation(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Query(q): Query<EvaluationQuery>,
) -> Result<Json<Evaluation>> {
    let period = state.period(q.period.as_deref()).await?;
    let level = q.level.as_deref().map(str::parse::<Level>).transpose();
    let level = level.map_err(|e| WebError::bad_request("bad_level", e.to_string()))?;
    let mut evaluation = state.evaluation(&period).await?.evaluation.clone();
    let facts = state.facts();
    evaluation.results.retain(|r| viewer.sees(&facts, &period, r) && level.is_none_or(|level| r.level == level));
    Ok(Json(evaluation))
}

/// The scorecard page of a rep or unit (a rep id is looked up first).
#[utoipa::path(get, path = "/api/v1/entities/{id}", params(("id" = String, Path), PeriodQuery),
    responses((status = 200, body = EntityView), (status = 400, body = WebError), (status = 404, body = WebError), (status = 500, body = WebError)))]
async fn entity(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response> {
    let period = state.period(q.period.as_deref()).await?;
    let id = state.id(&id);
    viewer.check(&state.facts(), &period, &id)?;
    let key = Key::Entity(period, id.clone(), viewer.scope.clone());
    cached_json(&state, key, state.entity(&period, &id, &viewer)).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExplainQuery {
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
    /// Only this KPI.
    pub kpi: Option<String>,
}

/// An entity's score explained, as `yeji explain --format json` prints it.
#[utoipa::path(get, path = "/api/v1/entities/{id}/explain", params(("id" = String, Path), ExplainQuery),
    responses((status = 200, body = Explanation), (status = 400, body = WebError), (status = 404, body = WebError), (status = 500, body = WebError)))]
async fn explain(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ExplainQuery>,
) -> Result<Json<Explanation>> {
    let period = state.period(q.period.as_deref()).await?;
    let id = state.id(&id);
    viewer.check(&state.facts(), &period, &id)?;
    let explanation = state.evaluation(&period).await?.explain(&id, q.kpi.as_deref())?;
    Ok(Json(explanation))
}

/// A page of the fact rows behind a KPI value.
#[derive(Serialize, ToSchema)]
pub struct Rows {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowsQuery {
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
    /// 1-based.
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// At most 1000; 50 by default.
    #[param(minimum = 1, maximum = 1000)]
    pub page_size: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/kpis/{kpi}/rows", params(("id" = String, Path), ("kpi" = String, Path), RowsQuery),
    responses((status = 200, body = Rows), (status = 400, body = WebError), (status = 404, body = WebError), (status = 500, body = WebError)))]
async fn rows(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path((id, kpi)): Path<(String, String)>,
    Query(q): Query<RowsQuery>,
) -> Result<Json<Rows>> {
    let period = state.period(q.period.as_deref()).await?;
    let page_size = q.page_size.unwrap_or(50);
    if !(1..=1000).contains(&page_size) {
        return Err(WebError::bad_request("bad_page_size", "page_size must be 1 to 1000"));
    }
    let page = q.page.unwrap_or(1);
    let offset = crate::dashboard::rows_offset(page, page_size)?;
    let behind = state.rows_behind(&period, &state.id(&id), &kpi, (offset, page_size), &viewer).await?;
    Ok(Json(Rows {
        table: behind.table.clone(),
        columns: behind.header.clone(),
        rows: behind.rows.clone(),
        total: behind.total,
        page,
        page_size,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// Rep or unit ids, comma separated.
    #[param(pattern = "\\S")]
    pub ids: String,
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
    /// A second period to compare with.
    #[param(value_type = Option<Period>)]
    pub period_b: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/compare", params(CompareQuery),
    responses((status = 200, body = Comparison), (status = 400, body = WebError), (status = 404, body = WebError), (status = 500, body = WebError)))]
async fn compare(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Query(q): Query<CompareQuery>,
) -> Result<Json<Comparison>> {
    let (periods, ids) = state.comparison_request(q.period.as_deref(), q.period_b.as_deref(), &q.ids).await?;
    Ok(Json(state.compare(&periods, &ids, &viewer).await?))
}

/// The KPI catalogue.
#[utoipa::path(get, path = "/api/v1/kpis", responses((status = 200, body = Vec<KpiInfo>)))]
async fn kpis() -> Json<Vec<KpiInfo>> {
    Json(kpi_listing(None))
}

/// The current scheme and its version (`null`: the built-in default).
#[utoipa::path(get, path = "/api/v1/scheme", responses((status = 200, body = CurrentScheme), (status = 500, body = WebError)))]
async fn scheme(State(state): State<Arc<AppState>>) -> Result<Json<CurrentScheme>> {
    Ok(Json(CurrentScheme::clone(&*state.scheme().await?)))
}

/// One import batch: what it did per table.
#[derive(Serialize, ToSchema)]
pub struct BatchInfo {
    pub id: i64,
    pub at: String,
    pub files: Vec<String>,
    pub status: String,
    pub added: i64,
    pub changed: i64,
    pub rejected: i64,
}

impl From<yeji_facts::Batch> for BatchInfo {
    fn from(b: yeji_facts::Batch) -> BatchInfo {
        BatchInfo {
            id: b.id,
            at: b.at.to_rfc3339(),
            status: b.status.clone(),
            added: b.total(|t| t.added),
            changed: b.total(|t| t.changed),
            rejected: b.total(|t| t.rejected),
            files: b.files,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/batches", responses((status = 200, body = Vec<BatchInfo>), (status = 500, body = WebError)))]
async fn batches(State(state): State<Arc<AppState>>, viewer: Viewer) -> Result<Json<Vec<BatchInfo>>> {
    viewer.may_change_data()?;
    let batches = state.read().await.batches().await?;
    Ok(Json(batches.into_iter().map(BatchInfo::from).collect()))
}

/// What an upload did: the batch that landed (or none when nothing changed)
/// and the tables' counts.
#[derive(Serialize, ToSchema)]
pub struct Imported {
    #[schema(value_type = Object)]
    pub report: yeji_facts::ImportReport,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Land the good rows when some are rejected.
    pub allow_rejects: Option<bool>,
}

/// Imports the uploaded files (multipart, field `files`, named like the tables:
/// orders.csv, …). A batch with rejected rows is refused (422, nothing lands)
/// unless `allow_rejects=true`.
#[utoipa::path(post, path = "/api/v1/imports", params(ImportQuery), request_body(content_type = "multipart/form-data"),
    responses((status = 200, body = Imported), (status = 400, body = WebError), (status = 409, body = WebError), (status = 413, body = WebError), (status = 422, body = WebError), (status = 500, body = WebError)))]
async fn import(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Query(q): Query<ImportQuery>,
    multipart: axum::extract::Multipart,
) -> Result<Json<Imported>> {
    viewer.may_change_data()?;
    let upload = crate::upload::receive(multipart).await?;
    let allow_rejects = q.allow_rejects.unwrap_or(false) || upload.allow_rejects;
    let report = state.import(&upload, allow_rejects, viewer.actor()).await?;
    Ok(Json(Imported { report }))
}

/// Reverts a batch exactly (refused while a later batch depends on it).
#[utoipa::path(post, path = "/api/v1/batches/{id}/revert", params(("id" = i64, Path)),
    responses((status = 200, body = BatchInfo), (status = 400, body = WebError), (status = 404, body = WebError), (status = 409, body = WebError), (status = 500, body = WebError)))]
async fn revert(State(state): State<Arc<AppState>>, viewer: Viewer, Path(id): Path<i64>) -> Result<Json<BatchInfo>> {
    viewer.may_change_data()?;
    Ok(Json(BatchInfo::from(state.revert(id, viewer.actor()).await?)))
}
