//! The alerts panel's form: acknowledging or resolving an alert with a note,
//! through the same function as the API, then back to the page it was on.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::api_alerts::{AlertStepBody, take_step};
use crate::context;
use crate::extract::Path;
use crate::i18n::Lang;
use crate::pages;
use crate::state::AppState;
use crate::viewer::Viewer;

#[derive(Deserialize)]
pub struct StepForm {
    step: String,
    note: String,
    back: Option<String>,
}

pub async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Form(form): Form<StepForm>,
) -> Response {
    let body = AlertStepBody { step: form.step, note: form.note };
    match take_step(&state, &viewer, &id, &body).await {
        Ok(_) => {
            // Back to a page of this site only.
            let back = form.back.filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or_else(|| "/".into());
            Redirect::to(&back).into_response()
        }
        Err(error) => pages::error_page(&context(&state, lang, &uri, None, Some(&viewer)).await.0, &error),
    }
}
