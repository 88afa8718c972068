//! Improvement plans in the JSON API (SPEC §11, §15.5): a rep's plans, a
//! plan with its steps and check-ins, its measured effect, and the plans of
//! the viewer's scope with what they achieved by KPI. Only the rep, their
//! managers (and above) and HR see a rep's plans, everyone else gets 404;
//! writing and ending a plan need the manager's side, agreeing either side,
//! checking in the rep or the manager.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yeji_plans::{Effect, KpiEffects, PlanError, PlanKind, PlanStep, Side, StoredPlan};

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::state::AppState;
use crate::viewer::Viewer;

impl From<PlanError> for WebError {
    fn from(error: PlanError) -> WebError {
        match error {
            PlanError::BadPlan { .. } => WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_plan", error.to_string()),
            PlanError::Refused(message) => WebError::new(StatusCode::CONFLICT, "refused", message),
            PlanError::Forbidden(message) => WebError::new(StatusCode::FORBIDDEN, "forbidden", message),
            PlanError::Store(yeji_store::StoreError::NoSuchPlan(id)) => no_such_plan(id),
            PlanError::Feedback(error) => error.into(),
            PlanError::Eval(error) => error.into(),
            PlanError::Store(error) => yeji_facts::FactsError::from(error).into(),
        }
    }
}

fn no_such_plan(id: i64) -> WebError {
    WebError::not_found("unknown_plan", format!("no plan {id}"))
}

/// How the viewer stands to rep `rep`'s plans (in the latest period), 404 for nobody.
async fn side_to(state: &AppState, viewer: &Viewer, rep: &str) -> Result<Side> {
    let period = state.period(None).await?;
    viewer.side(&state.facts(), &period, rep)
}

/// The plans of rep `rep` the viewer may see, newest first.
pub async fn plans_of(state: &AppState, viewer: &Viewer, rep: &str) -> Result<Vec<StoredPlan>> {
    side_to(state, viewer, rep).await?;
    Ok(yeji_plans::list(state.catalog(), Some(rep)).await?)
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/plans", params(("id" = String, Path)),
    responses((status = 200, body = Vec<StoredPlan>), (status = 404, body = WebError)))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Vec<StoredPlan>>> {
    Ok(Json(plans_of(&state, &viewer, &state.id(&id)).await?))
}

/// A new plan: its file (SPEC §15.5), or drafted from a feedback item of the rep.
#[derive(Deserialize, ToSchema)]
pub struct NewPlan {
    pub toml: Option<String>,
    pub from_feedback: Option<i64>,
    /// With `from_feedback`: idp (default) or pip.
    #[schema(value_type = Option<String>, example = "pip")]
    pub kind: Option<PlanKind>,
}

pub async fn create_plan(state: &AppState, viewer: &Viewer, rep: &str, new: NewPlan) -> Result<StoredPlan> {
    if side_to(state, viewer, rep).await? != Side::Manager {
        return Err(WebError::new(StatusCode::FORBIDDEN, "forbidden", "writing a plan needs the rep's manager"));
    }
    let (toml, name) = match (new.toml, new.from_feedback) {
        (Some(toml), None) => (toml, "the plan".to_owned()),
        (None, Some(id)) => {
            let (item, _) = crate::api_feedback::item_for(state, viewer, id).await?;
            let period = state.period(Some(&item.period)).await?;
            (yeji_plans::plan_from(&item.draft, &period, new.kind.unwrap_or(PlanKind::Idp))?, format!("feedback {id}"))
        }
        _ => return Err(WebError::bad_request("bad_body", "give the plan's toml or from_feedback, one of them")),
    };
    let plan = yeji_plans::Plan::parse(&toml, &name)?;
    if plan.rep_id != rep {
        let reason = format!("the plan is for rep_id '{}', not {rep}", plan.rep_id);
        return Err(PlanError::BadPlan { file: name, reason }.into());
    }
    let facts = state.facts();
    let id =
        yeji_plans::create(state.catalog(), facts.org(), (&toml, &name), new.from_feedback, viewer.actor()).await?;
    Ok(yeji_plans::load(state.catalog(), id).await?)
}

#[utoipa::path(post, path = "/api/v1/entities/{id}/plans", params(("id" = String, Path)), request_body = NewPlan,
    responses((status = 201, body = StoredPlan), (status = 400, body = WebError), (status = 403, body = WebError),
        (status = 404, body = WebError), (status = 409, body = WebError), (status = 422, body = WebError)))]
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: std::result::Result<Json<NewPlan>, axum::extract::rejection::JsonRejection>,
) -> Result<Response> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    let plan = create_plan(&state, &viewer, &state.id(&id), body).await?;
    Ok((StatusCode::CREATED, Json(plan)).into_response())
}

/// Plan `id` with the viewer's side, or 404 when they may not see it.
pub async fn plan_for(state: &AppState, viewer: &Viewer, id: i64) -> Result<(StoredPlan, Side)> {
    let plan = yeji_plans::load(state.catalog(), id).await?;
    let side = side_to(state, viewer, &plan.plan.rep_id).await.map_err(|_| no_such_plan(id))?;
    Ok((plan, side))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = StoredPlan), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn plan(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<StoredPlan>> {
    Ok(Json(plan_for(&state, &viewer, id).await?.0))
}

/// A step: edit (with the new `toml`), agree, complete, pass, fail, cancel
/// (the last three with the note in `text`).
#[derive(Deserialize, ToSchema)]
pub struct PlanStepBody {
    #[schema(value_type = String, example = "agree")]
    pub step: PlanStep,
    pub text: Option<String>,
    pub toml: Option<String>,
}

pub async fn take_step(state: &AppState, viewer: &Viewer, id: i64, body: PlanStepBody) -> Result<StoredPlan> {
    let (_, side) = plan_for(state, viewer, id).await?;
    let facts = state.facts();
    let texts = (body.text.as_deref(), body.toml.as_deref());
    Ok(yeji_plans::take(state.catalog(), facts.org(), id, (body.step, side), texts, viewer.actor()).await?)
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/steps", params(("id" = i64, Path)), request_body = PlanStepBody,
    responses((status = 200, body = StoredPlan), (status = 400, body = WebError), (status = 403, body = WebError),
        (status = 404, body = WebError), (status = 409, body = WebError), (status = 422, body = WebError)))]
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: std::result::Result<Json<PlanStepBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<StoredPlan>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(take_step(&state, &viewer, id, body).await?))
}

/// Progress on item `item` (1-based) at `level` (1–5).
#[derive(Deserialize, ToSchema)]
pub struct CheckinBody {
    pub item: usize,
    pub level: i64,
    pub note: String,
}

pub async fn check_in(state: &AppState, viewer: &Viewer, id: i64, body: CheckinBody) -> Result<StoredPlan> {
    let (_, side) = plan_for(state, viewer, id).await?;
    if side == Side::Reader {
        return Err(WebError::new(StatusCode::FORBIDDEN, "forbidden", "check-ins are the rep's and the manager's"));
    }
    yeji_plans::checkin(state.catalog(), id, (body.item, body.level), &body.note, viewer.actor()).await?;
    Ok(yeji_plans::load(state.catalog(), id).await?)
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/checkins", params(("id" = i64, Path)), request_body = CheckinBody,
    responses((status = 200, body = StoredPlan), (status = 400, body = WebError), (status = 403, body = WebError),
        (status = 404, body = WebError), (status = 409, body = WebError)))]
pub(crate) async fn checkin(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: std::result::Result<Json<CheckinBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<StoredPlan>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(check_in(&state, &viewer, id, body).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EffectQuery {
    /// quarter (default) or month.
    pub grain: Option<String>,
}

/// The effect of `plan` at the grain asked.
pub async fn effect_of(state: &AppState, plan: &StoredPlan, grain: Option<&str>) -> Result<Effect> {
    let months = match grain.unwrap_or("quarter") {
        "quarter" => false,
        "month" => true,
        other => return Err(WebError::bad_request("bad_grain", format!("grain '{other}': quarter or month"))),
    };
    let planned = state.catalog().planned_reps().await.map_err(yeji_facts::FactsError::from)?;
    let scheme = state.scheme().await?;
    Ok(yeji_plans::measure(&state.facts(), &scheme.scheme, (plan.id, &plan.plan), &planned, months).await?)
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/effect", params(("id" = i64, Path), EffectQuery),
    responses((status = 200, body = Effect), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn effect(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<EffectQuery>,
) -> Result<Json<Effect>> {
    let (plan, _) = plan_for(&state, &viewer, id).await?;
    Ok(Json(effect_of(&state, &plan, q.grain.as_deref()).await?))
}

/// The plans of the viewer's scope, each with its effect, and the effects by KPI.
#[derive(Serialize, ToSchema)]
pub struct PlansView {
    pub plans: Vec<PlanWithEffect>,
    pub by_kpi: Vec<KpiEffects>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanWithEffect {
    pub plan: StoredPlan,
    /// Items (1-based) of a running plan past their evaluation date.
    pub overdue: Vec<usize>,
    pub effect: Effect,
}

/// Every plan of the reps in the viewer's scope, newest first.
pub async fn plans_in_scope(state: &AppState, viewer: &Viewer) -> Result<Vec<StoredPlan>> {
    let period = state.period(None).await?;
    let facts = state.facts();
    let plans = yeji_plans::list(state.catalog(), None).await?;
    Ok(plans.into_iter().filter(|p| viewer.side(&facts, &period, &p.plan.rep_id).is_ok()).collect())
}

pub async fn plans_view(state: &AppState, viewer: &Viewer) -> Result<PlansView> {
    let today = chrono::Local::now().date_naive();
    let mut plans = Vec::new();
    for plan in plans_in_scope(state, viewer).await? {
        let effect = effect_of(state, &plan, None).await?;
        plans.push(PlanWithEffect { overdue: plan.overdue(today), plan, effect });
    }
    let effects: Vec<Effect> = plans.iter().map(|p| p.effect.clone()).collect();
    Ok(PlansView { by_kpi: yeji_plans::by_kpi(&effects), plans })
}

#[utoipa::path(get, path = "/api/v1/plans",
    responses((status = 200, body = PlansView), (status = 400, body = WebError)))]
pub(crate) async fn all(State(state): State<Arc<AppState>>, viewer: Viewer) -> Result<Json<PlansView>> {
    Ok(Json(plans_view(&state, &viewer).await?))
}
