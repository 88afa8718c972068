//! Incentives in the JSON API (SPEC §12, §15.6): a rep's statement for a
//! period (their own for a rep, their reps' for a manager, everyone's for
//! HR, directors and admins; out of scope answers 404 as unknown), as JSON
//! or a document, and each line's rows; the payout runs (HR, directors, admins; 403 otherwise)
//! and their steps (approve: directors and admins; lock: HR and admins); a
//! rep's inquiries about their pay (raised by whoever sees the rep,
//! resolved by HR, directors, admins); what-if pricing of a new plan or
//! changed targets.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yeji_core::Period;
use yeji_incentives::{Found, IncentiveError, RunStep, Traced};

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::viewer::Viewer;

impl From<IncentiveError> for WebError {
    fn from(error: IncentiveError) -> WebError {
        match error {
            IncentiveError::NoSuchRun(_) | IncentiveError::NoStatement { .. } | IncentiveError::NoSuchInquiry(_) => {
                WebError::not_found("no_statement", error.to_string())
            }
            IncentiveError::Refused(_) => WebError::new(StatusCode::CONFLICT, "refused", error.to_string()),
            IncentiveError::Plan(_) => WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_plan", error.to_string()),
            IncentiveError::Bad(message) => WebError::bad_request("bad_request", message),
            IncentiveError::Eval(error) => error.into(),
            IncentiveError::Facts(error) => error.into(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
}

/// The period `q` asks for, once the viewer may see rep `rep` in it (404 otherwise).
async fn rep_in_scope(state: &AppState, viewer: &Viewer, rep: &str, q: &StatementQuery) -> Result<Period> {
    let period = state.period(q.period.as_deref()).await?;
    let facts = state.facts();
    viewer.check(&facts, &period, rep)?;
    if !facts.org().has_rep(rep) {
        return Err(crate::viewer::unknown_entity(rep));
    }
    Ok(period)
}

/// Rep `rep`'s statement for the viewer.
pub async fn statement_of(state: &AppState, viewer: &Viewer, rep: &str, q: &StatementQuery) -> Result<Found> {
    let period = rep_in_scope(state, viewer, rep, q).await?;
    Ok(yeji_incentives::statement_for(state.catalog(), &state.facts(), &period, rep).await?)
}

/// Line `line` (1 = the first) of rep `rep`'s statement for the viewer, with its rows.
pub async fn line_of(
    state: &AppState,
    viewer: &Viewer,
    (rep, line): (&str, usize),
    q: &StatementQuery,
) -> Result<Traced> {
    let period = rep_in_scope(state, viewer, rep, q).await?;
    Ok(yeji_incentives::trace((state.catalog(), &state.facts()), (rep, &period), line).await?)
}

#[utoipa::path(get, path = "/api/v1/incentives/statements/{rep}", params(("rep" = String, Path), StatementQuery),
    responses((status = 200, body = Found), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn statement(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(rep): Path<String>,
    Query(q): Query<StatementQuery>,
) -> Result<Json<Found>> {
    Ok(Json(statement_of(&state, &viewer, &state.id(&rep), &q).await?))
}

/// A statement line and the rows behind it: the order lines (with the
/// rep's share) of a bonus or a commission on booked revenue or gross
/// profit, the payments of a commission on collections, the invoices of
/// the month a release or forfeit concerns. Out of scope answers 404.
#[utoipa::path(get, path = "/api/v1/incentives/statements/{rep}/lines/{line}",
    params(("rep" = String, Path), ("line" = usize, Path, description = "1 = the statement's first line"), StatementQuery),
    responses((status = 200, body = Traced), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn line(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path((rep, line)): Path<(String, usize)>,
    Query(q): Query<StatementQuery>,
) -> Result<Json<Traced>> {
    Ok(Json(line_of(&state, &viewer, (&state.id(&rep), line), &q).await?))
}

/// The statement as a document (html, pdf or xlsx, in the page's language).
pub async fn export(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    Path((rep, format)): Path<(String, String)>,
    Query(q): Query<StatementQuery>,
) -> Result<Response> {
    let format = crate::export::format(&format)?;
    let rep = state.id(&rep);
    let found = statement_of(&state, &viewer, &rep, &q).await?;
    let doc = yeji_incentives::statement_doc(&found.statement, (&found.period, &found.plan), lang.text_lang());
    crate::export::download(&doc, format, &format!("statement-{rep}-{}", found.period))
}

/// A payout run without its result and pins.
#[derive(Serialize, ToSchema)]
pub struct PayoutRun {
    pub id: i64,
    pub period: String,
    pub plan: String,
    pub total: String,
    pub state: String,
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    pub approved_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<DateTime<Utc>>,
    pub locked_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub locked_at: Option<DateTime<Utc>>,
}

impl From<yeji_store::PayoutRunRow> for PayoutRun {
    fn from(r: yeji_store::PayoutRunRow) -> PayoutRun {
        PayoutRun {
            id: r.id,
            period: r.period,
            plan: r.plan,
            total: r.total,
            state: r.state,
            created_by: r.created_by,
            created_at: r.created_at,
            approved_by: r.approved_by,
            approved_at: r.approved_at,
            locked_by: r.locked_by,
            locked_at: r.locked_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/incentives/runs",
    responses((status = 200, body = Vec<PayoutRun>), (status = 403, body = WebError)))]
pub(crate) async fn runs(State(state): State<Arc<AppState>>, viewer: Viewer) -> Result<Json<Vec<PayoutRun>>> {
    viewer.may(viewer.role().may_read_pay(), "the payout runs need HR, a director or an admin")?;
    let rows = state.catalog().payout_runs().await.map_err(yeji_facts::FactsError::from)?;
    Ok(Json(rows.into_iter().map(PayoutRun::from).collect()))
}

/// A step: `approve` or `lock`.
#[derive(Deserialize, ToSchema)]
pub struct PayoutStepBody {
    #[schema(example = "approve")]
    pub step: String,
}

#[utoipa::path(post, path = "/api/v1/incentives/runs/{id}/steps", params(("id" = i64, Path)), request_body = PayoutStepBody,
    responses((status = 200, body = PayoutRun), (status = 400, body = WebError), (status = 403, body = WebError),
        (status = 404, body = WebError), (status = 409, body = WebError)))]
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: std::result::Result<Json<PayoutStepBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<PayoutRun>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(take_step(&state, &viewer, id, &body).await?))
}

/// Takes a step on payout run `id` as the viewer's role allows.
pub async fn take_step(state: &AppState, viewer: &Viewer, id: i64, body: &PayoutStepBody) -> Result<PayoutRun> {
    let (step, allowed, what) = match body.step.trim() {
        "approve" => (RunStep::Approve, viewer.role().may_approve_pay(), "approving pay needs a director"),
        "lock" => (RunStep::Lock, viewer.role().may_lock_pay(), "locking pay for payroll needs HR"),
        other => return Err(WebError::bad_request("bad_step", format!("step '{other}': approve or lock"))),
    };
    viewer.may(allowed, what)?;
    let workspace = state.read().await;
    Ok(yeji_incentives::step(&workspace, id, step, viewer.actor()).await?.into())
}

/// A rep's inquiry about a period's pay.
#[derive(Deserialize, ToSchema)]
pub struct InquiryBody {
    pub rep_id: String,
    #[schema(value_type = crate::api::Period)]
    pub period: String,
    pub reason: String,
}

/// The inquiries the viewer may see: a rep their own, a manager their
/// reps', HR, directors and admins all (by the rep's unit in the period).
#[utoipa::path(get, path = "/api/v1/incentives/inquiries",
    responses((status = 200, body = Vec<yeji_store::PayInquiryRow>)))]
pub(crate) async fn inquiries(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
) -> Result<Json<Vec<yeji_store::PayInquiryRow>>> {
    Ok(Json(visible_inquiries(&state, &viewer).await?))
}

/// The inquiries about reps the viewer sees (in the inquiry's period).
pub async fn visible_inquiries(state: &AppState, viewer: &Viewer) -> Result<Vec<yeji_store::PayInquiryRow>> {
    let facts = state.facts();
    let rows = state.catalog().pay_inquiries().await.map_err(yeji_facts::FactsError::from)?;
    let seen = |row: &yeji_store::PayInquiryRow| {
        row.period.parse::<yeji_core::Period>().is_ok_and(|period| viewer.check(&facts, &period, &row.rep_id).is_ok())
    };
    Ok(rows.into_iter().filter(seen).collect())
}

/// Raises an inquiry about a rep's pay the viewer sees (a rep: their own; 404 otherwise).
#[utoipa::path(post, path = "/api/v1/incentives/inquiries", request_body = InquiryBody,
    responses((status = 201, body = yeji_store::PayInquiryRow), (status = 400, body = WebError),
        (status = 404, body = WebError)))]
pub(crate) async fn inquire(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    body: std::result::Result<Json<InquiryBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok((StatusCode::CREATED, Json(raise(&state, &viewer, &body).await?)).into_response())
}

/// Raises an inquiry about a rep the viewer sees (404 otherwise).
pub async fn raise(state: &AppState, viewer: &Viewer, body: &InquiryBody) -> Result<yeji_store::PayInquiryRow> {
    let period = state.period(Some(&body.period)).await?;
    let facts = state.facts();
    let rep = state.id(&body.rep_id);
    viewer.check(&facts, &period, &rep)?;
    let id =
        yeji_incentives::inquire((state.catalog(), facts.org()), (&rep, &period), &body.reason, viewer.actor()).await?;
    Ok(state.catalog().pay_inquiry(id).await.map_err(yeji_facts::FactsError::from)?)
}

#[derive(Deserialize, ToSchema)]
pub struct ResolveBody {
    pub note: String,
}

/// Resolves an open inquiry with a note (HR, directors, admins; 403 otherwise).
#[utoipa::path(post, path = "/api/v1/incentives/inquiries/{id}/resolution", params(("id" = i64, Path)),
    request_body = ResolveBody,
    responses((status = 200, body = yeji_store::PayInquiryRow), (status = 400, body = WebError),
        (status = 403, body = WebError), (status = 404, body = WebError), (status = 409, body = WebError)))]
pub(crate) async fn resolve(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: std::result::Result<Json<ResolveBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<yeji_store::PayInquiryRow>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(answer(&state, &viewer, id, &body).await?))
}

/// Resolves inquiry `id` (HR, directors, admins).
pub async fn answer(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    body: &ResolveBody,
) -> Result<yeji_store::PayInquiryRow> {
    viewer.may(viewer.role().may_read_pay(), "resolving a pay inquiry needs HR, a director or an admin")?;
    Ok(yeji_incentives::resolve(state.catalog(), id, &body.note, viewer.actor()).await?)
}

/// A new plan (TOML text), changed revenue targets or both, to price
/// against the plans and targets in effect.
#[derive(Deserialize, ToSchema)]
pub struct WhatIfBody {
    #[schema(value_type = crate::api::Period)]
    pub period: String,
    /// The plan document (SPEC §15.6), for every month of the period; the
    /// saved plans when absent or blank.
    #[serde(default)]
    pub plan: Option<String>,
    /// Every revenue target multiplied by this ("1.1" = 10% higher).
    #[serde(default)]
    pub targets_scale: Option<String>,
    /// Reps' own monthly revenue targets: `REP=VALUE`, by line or comma.
    #[serde(default)]
    pub targets: Option<String>,
}

/// What-if: the period's pay under the plans and targets in effect beside a
/// new plan or changed targets: the total cost, the change per rep, the
/// spread and histograms of payouts and attainment (HR, directors, admins;
/// 403 otherwise). Nothing is saved.
#[utoipa::path(post, path = "/api/v1/incentives/whatif", request_body = WhatIfBody,
    responses((status = 200, body = yeji_incentives::WhatIf), (status = 400, body = WebError),
        (status = 403, body = WebError), (status = 422, body = WebError)))]
pub(crate) async fn whatif(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    body: std::result::Result<Json<WhatIfBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<yeji_incentives::WhatIf>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(price(&state, &viewer, &body).await?))
}

/// Prices `body`'s plan against the plans in effect (HR, directors, admins).
pub async fn price(state: &AppState, viewer: &Viewer, body: &WhatIfBody) -> Result<yeji_incentives::WhatIf> {
    viewer.may(viewer.role().may_read_pay(), "pricing a plan needs HR, a director or an admin")?;
    let period = state.period(Some(&body.period)).await?;
    let facts = state.facts();
    let plan = body.plan.as_deref().filter(|p| !p.trim().is_empty());
    let new = plan.map(|p| yeji_incentives::Schedule::file(p, "the plan")).transpose()?;
    let targets = body.targets.as_deref().unwrap_or_default();
    let change = yeji_incentives::TargetChange::new(body.targets_scale.as_deref(), targets, facts.org())?;
    Ok(yeji_incentives::price((state.catalog(), &facts), (new.as_ref(), &change), &period).await?)
}
