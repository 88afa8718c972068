//! The feedback pages: drafting from a rep's page, an item's page and the
//! steps of its conversation, through the same functions as the API.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yeji_feedback::Step;

use crate::api_feedback::{DraftQuery, StepBody, item_for, save_draft, take_step};
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::pages::{self, respond};
use crate::state::AppState;
use crate::viewer::Viewer;
use crate::{PeriodQuery, context};

#[derive(Deserialize)]
pub struct DraftForm {
    lang: Option<String>,
}

pub async fn draft(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
    Form(form): Form<DraftForm>,
) -> Response {
    let query = DraftQuery { period: q.period.clone(), lang: form.lang };
    match save_draft(&state, &viewer, &state.id(&id), &query).await {
        Ok(item) => Redirect::to(&format!("/feedback/{}", item.id)).into_response(),
        Err(error) => {
            pages::error_page(&context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await.0, &error)
        }
    }
}

pub async fn item(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
) -> Response {
    let found = item_for(&state, &viewer, id).await;
    let period = found.as_ref().ok().map(|(item, _)| item.period.clone());
    let (ctx, _) = context(&state, lang, &uri, period.as_deref(), Some(&viewer)).await;
    let page = found.map(|(item, side)| {
        let facts = state.facts();
        let name = facts.org().rep_on(&item.rep_id, None).map_or(item.rep_id.clone(), |r| r.name.clone());
        let title = format!("{} · {}", lang.t("feedback"), item.period);
        pages::layout(&ctx, "", &title, pages::feedback::render_item(&ctx, &item, side, &name))
    });
    respond(&ctx, page)
}

#[derive(Deserialize)]
pub struct StepForm {
    step: Step,
    text: Option<String>,
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
    match take_step(&state, &viewer, id, StepBody { step: form.step, text, draft: None }).await {
        Ok(_) => Redirect::to(&format!("/feedback/{id}")).into_response(),
        Err(error) => pages::error_page(&context(&state, lang, &uri, None, Some(&viewer)).await.0, &error),
    }
}

/// The draft as the manager edited it on the item's page: each point's text
/// in a field `p{section}-{point}`; an emptied point is dropped.
fn edited(draft: &yeji_feedback::Draft, form: &HashMap<String, String>) -> yeji_feedback::Draft {
    let mut draft = draft.clone();
    for (s, section) in draft.sections.iter_mut().enumerate() {
        let mut n = 0;
        section.points.retain_mut(|point| {
            let field = form.get(&format!("p{s}-{n}"));
            n += 1;
            match field.map(|t| t.trim()) {
                Some("") => false,
                Some(text) => {
                    point.text = text.to_owned();
                    true
                }
                None => true,
            }
        });
    }
    draft
}

/// Saves the edited text of a draft (`step=edit`), or saves and sends it (`step=send`).
pub async fn edit(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let changed = async {
        let step = match form.get("step").map(String::as_str) {
            Some("send") => Step::Send,
            _ => Step::Edit,
        };
        let (item, _) = item_for(&state, &viewer, id).await?;
        let draft = edited(&item.draft, &form);
        take_step(&state, &viewer, id, StepBody { step, text: None, draft: Some(draft) }).await
    };
    match changed.await {
        Ok(_) => Redirect::to(&format!("/feedback/{id}")).into_response(),
        Err(error) => pages::error_page(&context(&state, lang, &uri, None, Some(&viewer)).await.0, &error),
    }
}

/// Item `id` as a report (html, pdf or xlsx) for whoever may see it.
pub async fn export(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path((id, format)): Path<(i64, String)>,
) -> Response {
    let report = async {
        let format = crate::export::format(&format)?;
        let (item, _) = item_for(&state, &viewer, id).await?;
        let name = state.facts().org().rep_on(&item.rep_id, None).map_or(item.rep_id.clone(), |r| r.name.clone());
        let doc = yeji_feedback::report(&item.draft, &name, Some(item.state), &item.events);
        crate::export::download(&doc, format, &format!("feedback-{id}-{}-{}", item.rep_id, item.period))
    };
    report.await.into_response()
}
