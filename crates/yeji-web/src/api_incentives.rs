//! Incentives in the JSON API (SPEC §12, §15.6): a rep's statement for a
//! period (their own for a rep, their reps' for a manager, everyone's for
//! HR, directors and admins; out of scope answers 404 as unknown), as JSON
//! or a document; the payout runs (HR, directors, admins; 403 otherwise)
//! and their steps (approve: directors and admins; lock: HR and admins).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yeji_incentives::{Found, IncentiveError, RunStep};

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::viewer::Viewer;

impl From<IncentiveError> for WebError {
    fn from(error: IncentiveError) -> WebError {
        match error {
            IncentiveError::NoSuchRun(_) | IncentiveError::NoStatement { .. } => {
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

/// Rep `rep`'s statement for the viewer.
pub async fn statement_of(state: &AppState, viewer: &Viewer, rep: &str, q: &StatementQuery) -> Result<Found> {
    let period = state.period(q.period.as_deref()).await?;
    let facts = state.facts();
    viewer.check(&facts, &period, rep)?;
    if !facts.org().has_rep(rep) {
        return Err(crate::viewer::unknown_entity(rep));
    }
    Ok(yeji_incentives::statement_for(state.catalog(), &facts, &period, rep).await?)
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
    let (step, allowed, what) = match body.step.trim() {
        "approve" => (RunStep::Approve, viewer.role().may_approve_pay(), "approving pay needs a director"),
        "lock" => (RunStep::Lock, viewer.role().may_lock_pay(), "locking pay for payroll needs HR"),
        other => return Err(WebError::bad_request("bad_step", format!("step '{other}': approve or lock"))),
    };
    viewer.may(allowed, what)?;
    let workspace = state.read().await;
    Ok(Json(yeji_incentives::step(&workspace, id, step, viewer.actor()).await?.into()))
}
