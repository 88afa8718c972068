//! The plan pages: writing a plan from a rep's page (blank or drafted from a
//! feedback item), a plan's page with its steps and check-ins, and the plans
//! of the viewer's scope, through the same functions as the API.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yeji_plans::{PlanKind, PlanStep};

use crate::api_plans::{CheckinBody, NewPlan, PlanStepBody, check_in, create_plan, effect_of, plan_for, take_step};
use crate::error::WebError;
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::pages::{self, respond};
use crate::state::AppState;
use crate::viewer::Viewer;
use crate::{Ctx, context};

fn name_of(state: &AppState, rep: &str) -> String {
    state.facts().org().rep_on(rep, None).map_or(rep.to_owned(), |r| r.name.clone())
}

async fn page_ctx(state: &AppState, lang: Lang, uri: &Uri, viewer: &Viewer) -> Ctx {
    context(state, lang, uri, None, Some(viewer)).await.0
}

#[derive(Deserialize)]
pub struct NewQuery {
    from_feedback: Option<i64>,
}

/// The form for a new plan: a blank plan file, or one drafted from a feedback item.
pub async fn new(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> Response {
    let ctx = page_ctx(&state, lang, &uri, &viewer).await;
    let rep = state.id(&id);
    let page = async {
        crate::api_plans::plans_of(&state, &viewer, &rep).await?;
        let toml = match q.from_feedback {
            Some(feedback) => {
                let (item, _) = crate::api_feedback::item_for(&state, &viewer, feedback).await?;
                let period = state.period(Some(&item.period)).await?;
                yeji_plans::plan_from(&item.draft, &period, PlanKind::Idp)?
            }
            None => yeji_plans::blank(&rep, chrono::Local::now().date_naive()),
        };
        let name = name_of(&state, &rep);
        Ok(pages::layout(&ctx, "", lang.t("new_plan"), pages::plans::render_new(&ctx, &rep, &name, &toml)))
    };
    respond(&ctx, page.await)
}

#[derive(Deserialize)]
pub struct NewForm {
    toml: String,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Form(form): Form<NewForm>,
) -> Response {
    let new = NewPlan { toml: Some(form.toml), from_feedback: None, kind: None };
    match create_plan(&state, &viewer, &state.id(&id), new).await {
        Ok(plan) => Redirect::to(&format!("/plans/{}", plan.id)).into_response(),
        Err(error) => pages::error_page(&page_ctx(&state, lang, &uri, &viewer).await, &error),
    }
}

pub async fn plan(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
) -> Response {
    let ctx = page_ctx(&state, lang, &uri, &viewer).await;
    let page = async {
        let (plan, side) = plan_for(&state, &viewer, id).await?;
        let effect = effect_of(&state, &plan, None).await?;
        let name = name_of(&state, &plan.plan.rep_id);
        let title = format!("{} · {name}", lang.t("plans"));
        Ok(pages::layout(&ctx, "plans", &title, pages::plans::render_plan(&ctx, &plan, side, &name, &effect)))
    };
    respond(&ctx, page.await)
}

#[derive(Deserialize)]
pub struct StepForm {
    step: PlanStep,
    text: Option<String>,
    toml: Option<String>,
}

pub async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Response {
    let text = form.text.filter(|t| !t.trim().is_empty());
    match take_step(&state, &viewer, id, PlanStepBody { step: form.step, text, toml: form.toml }).await {
        Ok(_) => Redirect::to(&format!("/plans/{id}")).into_response(),
        Err(error) => pages::error_page(&page_ctx(&state, lang, &uri, &viewer).await, &error),
    }
}

pub async fn checkin(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<CheckinBody>,
) -> Response {
    match check_in(&state, &viewer, id, form).await {
        Ok(_) => Redirect::to(&format!("/plans/{id}")).into_response(),
        Err(error) => pages::error_page(&page_ctx(&state, lang, &uri, &viewer).await, &error),
    }
}

/// The plans of the viewer's scope with their effects.
pub async fn all(State(state): State<Arc<AppState>>, viewer: Viewer, lang: Lang, uri: Uri) -> Response {
    let ctx = page_ctx(&state, lang, &uri, &viewer).await;
    let page = async {
        let view = crate::api_plans::plans_view(&state, &viewer).await?;
        let body = pages::plans::render_all(&ctx, &view, |rep| name_of(&state, rep));
        Ok::<_, WebError>(pages::layout(&ctx, "plans", lang.t("plans"), body))
    };
    respond(&ctx, page.await)
}

/// Plan `id` as a report (html, pdf or xlsx, in the page's language) with its effect.
pub async fn export(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    Path((id, format)): Path<(i64, String)>,
) -> Response {
    let report = async {
        let format = crate::export::format(&format)?;
        let (plan, _) = plan_for(&state, &viewer, id).await?;
        let effect = effect_of(&state, &plan, None).await?;
        let doc = yeji_plans::report(&plan, &name_of(&state, &plan.plan.rep_id), Some(&effect), lang.text_lang());
        crate::export::download(&doc, format, &format!("plan-{id}-{}", plan.plan.rep_id))
    };
    report.await.into_response()
}
