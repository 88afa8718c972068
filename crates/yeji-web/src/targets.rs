//! The targets page (SPEC §7): top-down against bottom-up at every unit in
//! scope, the difficulty of each rep's target, the versions of targets set
//! in yeji with their decisions; the forms that propose and decide one go
//! through the same functions as the API, then back to the page.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::api_targets::{NewTarget, TargetStepBody, decide, targets_view};
use crate::error::WebError;
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::pages::{self, encode, respond};
use crate::state::AppState;
use crate::viewer::Viewer;
use crate::{api_targets, context};

#[derive(Deserialize)]
pub struct PageQuery {
    period: Option<String>,
    metric: Option<String>,
}

pub async fn page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await;
    let page = async {
        let period = period?;
        let metric = q.metric.as_deref().map(str::trim).filter(|m| !m.is_empty()).unwrap_or("revenue");
        let view = targets_view(&state, &viewer, &period, metric).await?;
        let facts = state.facts();
        let name = |id: &str| {
            let org = facts.org();
            org.unit(id).map(|u| u.name.clone()).or_else(|| org.rep_on(id, None).map(|r| r.name.clone()))
        };
        let may = (viewer.role().may_propose_targets(), viewer.role().may_change_data());
        let body = pages::targets::render(&ctx, &view, &|id| name(id).unwrap_or_else(|| id.to_owned()), may);
        Ok::<_, WebError>(pages::layout(&ctx, "targets", lang.t("targets"), body))
    };
    respond(&ctx, page.await)
}

#[derive(Deserialize)]
pub struct ProposeForm {
    period: String,
    entity_id: String,
    metric: String,
    value: String,
    why: String,
}

pub async fn propose(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Form(form): Form<ProposeForm>,
) -> Response {
    let body = NewTarget {
        period: form.period.clone(),
        entity_id: form.entity_id,
        metric: Some(form.metric),
        value: form.value,
        why: Some(form.why),
        product_line: None,
    };
    match api_targets::propose(&state, &viewer, &body).await {
        Ok(row) => Redirect::to(&format!("/targets?period={}#target-{}", encode(&row.period), row.id)).into_response(),
        Err(error) => {
            pages::error_page(&context(&state, lang, &uri, Some(&form.period), Some(&viewer)).await.0, &error)
        }
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    step: String,
    note: String,
}

pub async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Response {
    let body = TargetStepBody { step: form.step, note: Some(form.note) };
    match decide(&state, &viewer, id, &body).await {
        Ok(row) => Redirect::to(&format!("/targets?period={}#target-{}", encode(&row.period), row.id)).into_response(),
        Err(error) => pages::error_page(&context(&state, lang, &uri, None, Some(&viewer)).await.0, &error),
    }
}
