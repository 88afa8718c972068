//! Early warnings in the JSON API (SPEC §15.4): the alerts of a period so
//! far that the viewer's scope holds, and the steps that acknowledge and
//! resolve one. An alert on an entity out of scope answers 404 as an unknown
//! one; acting on one needs a manager, director or admin (403 otherwise).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use yeji_alerts::{AlertError, AlertState, AlertStep, Alerts, Rules, Watch};
use yeji_core::Period;

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::state::{AppState, Key};
use crate::viewer::Viewer;

impl From<AlertError> for WebError {
    fn from(error: AlertError) -> WebError {
        match error {
            AlertError::Bad(message) => WebError::bad_request("bad_request", message),
            AlertError::Refused(_) => WebError::new(StatusCode::CONFLICT, "refused", error.to_string()),
            AlertError::Rules { .. } | AlertError::Forecast(_) => {
                WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_rules", error.to_string())
            }
            AlertError::Store(yeji_store::StoreError::NoSuchAlert(id)) => no_such_alert(&id),
            AlertError::Store(error) => yeji_facts::FactsError::from(error).into(),
            AlertError::Eval(error) => error.into(),
            AlertError::Feedback(error) => error.into(),
        }
    }
}

fn no_such_alert(id: &str) -> WebError {
    WebError::not_found("unknown_alert", format!("no alert '{id}'"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
    /// The day to look from (default: the data's last order, at most the period's last day).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// zh (default) or en.
    pub lang: Option<String>,
}

/// The alerts of `period` on `as_of` the viewer's scope holds, with their states.
pub async fn alerts_in_scope(
    state: &AppState,
    viewer: &Viewer,
    period: &Period,
    as_of: Option<NaiveDate>,
    lang: yeji_feedback::Lang,
) -> Result<Alerts> {
    let all = state
        .cached(Key::Alerts(*period, as_of, lang), async {
            let scheme = state.scheme().await?;
            let root = state.read().await.root().to_owned();
            let library = yeji_feedback::library_of(&root)?;
            let rules = Rules::of_workspace(&root, &library)?;
            let facts = state.facts();
            let watch =
                Watch { facts: &facts, scheme: &scheme.scheme, rules: &rules, library: &library, lang, cached: true };
            let mut alerts = watch.raise(period, as_of).await?;
            yeji_alerts::record(state.catalog(), &mut alerts).await?;
            Ok(alerts)
        })
        .await?;
    let facts = state.facts();
    let mut alerts = Alerts {
        alerts: all.alerts.iter().filter(|a| viewer.check(&facts, period, &a.entity_id).is_ok()).cloned().collect(),
        ..(*all).clone()
    };
    yeji_alerts::refresh(state.catalog(), &mut alerts).await?;
    Ok(alerts)
}

#[utoipa::path(get, path = "/api/v1/alerts", params(AlertsQuery),
    responses((status = 200, body = Alerts), (status = 400, body = WebError), (status = 422, body = WebError)))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Query(q): Query<AlertsQuery>,
) -> Result<Json<Alerts>> {
    let period = state.period(q.period.as_deref()).await?;
    let lang: yeji_feedback::Lang = q.lang.as_deref().unwrap_or("zh").parse()?;
    Ok(Json(alerts_in_scope(&state, &viewer, &period, q.as_of, lang).await?))
}

/// A step: `ack` or `resolve`, with what was done or why.
#[derive(Deserialize, ToSchema)]
pub struct AlertStepBody {
    #[schema(example = "ack")]
    pub step: String,
    pub note: String,
}

/// Takes a step on alert `id` for the viewer: 404 out of scope, 403 for a
/// role that only reads alerts.
pub async fn take_step(state: &AppState, viewer: &Viewer, id: &str, body: &AlertStepBody) -> Result<AlertState> {
    let row = yeji_alerts::stored(state.catalog(), id).await?;
    let period = state.period(Some(&row.period)).await?;
    viewer.check(&state.facts(), &period, &row.entity_id).map_err(|_| no_such_alert(id))?;
    viewer.may(viewer.role().may_handle_alerts(), "acknowledging and resolving alerts needs a manager or director")?;
    let step = match body.step.trim() {
        "ack" => AlertStep::Ack,
        "resolve" => AlertStep::Resolve,
        other => return Err(WebError::bad_request("bad_step", format!("step '{other}': ack or resolve"))),
    };
    Ok(yeji_alerts::take(state.catalog(), &row.id, step, &body.note, viewer.actor()).await?)
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/steps", params(("id" = String, Path)), request_body = AlertStepBody,
    responses((status = 200, body = AlertState), (status = 400, body = WebError), (status = 403, body = WebError),
        (status = 404, body = WebError), (status = 409, body = WebError)))]
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: std::result::Result<Json<AlertStepBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<AlertState>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(take_step(&state, &viewer, &id, &body).await?))
}
