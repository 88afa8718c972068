//! Targets in the JSON API (SPEC §7, §15.2): each unit's top-down target
//! against its children's bottom-up sum, each revenue target's check, and
//! the versions of targets set in yeji, as far as the viewer's scope holds;
//! proposing a target (a draft: manager, director, admin) and deciding a
//! draft (director, admin). Out of scope answers 404 as unknown; a role
//! that may not act, 403.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yeji_core::Period;
use yeji_store::TargetVersionRow;
use yeji_targets::{Checked, Decision, Fields, OrgWeights, Proposal, Rollup, TargetError, Thresholds};

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::state::{AppState, Key};
use crate::viewer::{Viewer, unknown_entity};

impl From<TargetError> for WebError {
    fn from(error: TargetError) -> WebError {
        match error {
            TargetError::NoSuchEntity(id) => unknown_entity(&id),
            TargetError::NoSuchVersion(id) => no_such_version(id),
            TargetError::Refused(_) => WebError::new(StatusCode::CONFLICT, "refused", error.to_string()),
            TargetError::Bad(message) => WebError::bad_request("bad_target", message),
            TargetError::NoParent { .. } => {
                WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_parent", error.to_string())
            }
            TargetError::Eval(error) => error.into(),
            TargetError::Facts(error) => error.into(),
            TargetError::Forecast(error) => error.into(),
        }
    }
}

fn no_such_version(id: i64) -> WebError {
    WebError::not_found("unknown_target", format!("no target version {id}"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetsQuery {
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
    /// The metric rolled up (default revenue; the check is of revenue targets).
    pub metric: Option<String>,
}

/// A period's targets as the viewer may see them.
#[derive(Clone, Serialize, ToSchema)]
pub struct TargetsView {
    pub period: String,
    pub metric: String,
    /// Each unit's target as set (top-down) against its children's sum (bottom-up).
    pub units: Vec<Rollup>,
    /// Each revenue target against its forecast and its peers.
    pub checks: Vec<Checked>,
    /// The versions of the targets set in yeji, newest first by key.
    pub versions: Vec<TargetVersionRow>,
}

/// Rollup and checks from the facts (cached), versions from the catalog (fresh).
pub async fn targets_view(state: &AppState, viewer: &Viewer, period: &Period, metric: &str) -> Result<TargetsView> {
    let (units, checks) = &*state
        .cached(Key::Targets(*period, metric.to_owned()), async {
            let scheme = state.scheme().await?;
            let facts = state.facts();
            let root = facts.org().root().ok_or_else(|| unknown_entity("(company)"))?.to_owned();
            let tree = yeji_targets::tree(&facts, &scheme.scheme, period, &root, &OrgWeights::Even).await?;
            let targets = yeji_targets::targets_of(&facts, period, metric).await?;
            let checks = yeji_targets::check(&facts, &scheme.scheme, period, Thresholds::default()).await?;
            Ok::<_, WebError>((yeji_targets::rollup(&tree, &targets), checks))
        })
        .await?;
    let facts = state.facts();
    let sees = |id: &str| viewer.check(&facts, period, id).is_ok();
    let versions = state.catalog().target_versions(&period.to_string()).await.map_err(yeji_facts::FactsError::from)?;
    Ok(TargetsView {
        period: period.to_string(),
        metric: metric.to_owned(),
        units: units.iter().filter(|u| sees(&u.entity_id)).cloned().collect(),
        checks: checks.iter().filter(|c| sees(&c.entity_id)).cloned().collect(),
        versions: versions.into_iter().filter(|v| sees(&v.entity_id)).collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/targets", params(TargetsQuery),
    responses((status = 200, body = TargetsView), (status = 400, body = WebError)))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Query(q): Query<TargetsQuery>,
) -> Result<Json<TargetsView>> {
    let period = state.period(q.period.as_deref()).await?;
    let metric = q.metric.as_deref().map(str::trim).filter(|m| !m.is_empty()).unwrap_or("revenue");
    Ok(Json(targets_view(&state, &viewer, &period, metric).await?))
}

/// A target to propose (SPEC §7's SMART fields).
#[derive(Deserialize, ToSchema)]
pub struct NewTarget {
    #[schema(example = "2026-Q3")]
    pub period: String,
    pub entity_id: String,
    #[schema(example = "revenue")]
    pub metric: Option<String>,
    /// A decimal string, 0 or more, at most 2 decimals.
    #[schema(example = "300000.00")]
    pub value: String,
    /// Why this number.
    pub why: Option<String>,
    pub product_line: Option<String>,
}

/// Proposes `body` for the viewer: 404 out of scope, 403 for a role that may not.
pub async fn propose(state: &AppState, viewer: &Viewer, body: &NewTarget) -> Result<TargetVersionRow> {
    let period = state.period(Some(&body.period)).await?;
    let facts = state.facts();
    let entity = state.id(&body.entity_id);
    viewer.check(&facts, &period, &entity)?;
    viewer.may(viewer.role().may_propose_targets(), "proposing targets needs a manager or director")?;
    let fields = Fields {
        entity_id: &entity,
        metric: body.metric.as_deref().unwrap_or("revenue"),
        value: &body.value,
        product_line: body.product_line.as_deref(),
        why: body.why.as_deref().unwrap_or(""),
    };
    let proposal = Proposal::new(period, fields, facts.org())?;
    let workspace = state.read().await;
    Ok(yeji_targets::propose(&workspace, &proposal, viewer.actor()).await?)
}

#[utoipa::path(post, path = "/api/v1/targets", request_body = NewTarget,
    responses((status = 201, body = TargetVersionRow), (status = 400, body = WebError), (status = 403, body = WebError),
        (status = 404, body = WebError)))]
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    body: std::result::Result<Json<NewTarget>, axum::extract::rejection::JsonRejection>,
) -> Result<Response> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok((StatusCode::CREATED, Json(propose(&state, &viewer, &body).await?)).into_response())
}

/// A decision on a draft: `approve` or `reject` (with a note).
#[derive(Deserialize, ToSchema)]
pub struct TargetStepBody {
    #[schema(example = "approve")]
    pub step: String,
    pub note: Option<String>,
}

/// Decides version `id` for the viewer: 404 out of scope, 403 unless director or admin.
pub async fn decide(state: &AppState, viewer: &Viewer, id: i64, body: &TargetStepBody) -> Result<TargetVersionRow> {
    let row = state.catalog().target_version(id).await.map_err(yeji_facts::FactsError::from)?;
    let row = row.ok_or_else(|| no_such_version(id))?;
    let period = state.period(Some(&row.period)).await?;
    viewer.check(&state.facts(), &period, &row.entity_id).map_err(|_| no_such_version(id))?;
    viewer.may(viewer.role().may_change_data(), "approving targets needs a director")?;
    let decision: Decision = body.step.parse()?;
    Ok(state.decide_target(id, decision, body.note.as_deref().unwrap_or(""), viewer.actor()).await?)
}

#[utoipa::path(post, path = "/api/v1/targets/{id}/steps", params(("id" = i64, Path)), request_body = TargetStepBody,
    responses((status = 200, body = TargetVersionRow), (status = 400, body = WebError), (status = 403, body = WebError),
        (status = 404, body = WebError), (status = 409, body = WebError)))]
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: std::result::Result<Json<TargetStepBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<TargetVersionRow>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(decide(&state, &viewer, id, &body).await?))
}
