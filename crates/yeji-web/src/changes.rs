//! The pages that change the workspace: imports (upload, revert) and the
//! scoring scheme (edit, preview, save). Only an admin or a director may.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::header::LOCATION;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use yeji_facts::FactsError;

use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Lang;
use crate::pages::{self, Ctx, respond};
use crate::state::AppState;
use crate::viewer::Viewer;
use crate::{PeriodQuery, context, scheme_form, upload};

async fn imports_page(
    state: &AppState,
    ctx: &Ctx,
    outcome: Option<pages::imports::Outcome>,
) -> Result<maud::Markup, WebError> {
    let batches = state.read().await.batches().await?;
    Ok(pages::layout(ctx, "imports", ctx.lang.t("imports"), pages::imports::render(ctx, &batches, outcome.as_ref())))
}

pub async fn imports(State(state): State<Arc<AppState>>, viewer: Viewer, lang: Lang, uri: Uri) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    let page = async {
        viewer.may_change_data()?;
        imports_page(&state, &ctx, None).await
    };
    respond(&ctx, page.await)
}

/// Rejected rows shown on the page after a refused upload.
const SHOWN_REJECTS: usize = 50;

pub async fn upload(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    multipart: Multipart,
) -> Response {
    use pages::imports::Outcome;
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    if let Err(error) = viewer.may_change_data() {
        return pages::error_page(&ctx, &error);
    }
    let outcome = match upload::receive(multipart).await {
        Err(error) => Outcome::Failed(error.message),
        Ok(upload) => match state.import(&upload, upload.allow_rejects, viewer.actor()).await {
            Ok(report) => Outcome::Landed(report),
            Err(FactsError::Rejected { report, .. }) => {
                let message = lang.t("nothing_imported").to_owned();
                match yeji_facts::read_reject_report(std::path::Path::new(&report), SHOWN_REJECTS) {
                    Ok((rejects, total)) => Outcome::Refused { rejects, total, message },
                    Err(error) => Outcome::Failed(error.to_string()),
                }
            }
            Err(error) => Outcome::Failed(error.to_string()),
        },
    };
    let status = match outcome {
        Outcome::Landed(_) => StatusCode::OK,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut response = respond(&ctx, imports_page(&state, &ctx, Some(outcome)).await);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

pub async fn revert(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(batch): Path<i64>,
) -> Response {
    use pages::imports::Outcome;
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    if let Err(error) = viewer.may_change_data() {
        return pages::error_page(&ctx, &error);
    }
    let outcome = match state.revert(batch, viewer.actor()).await {
        Ok(_) => Outcome::Reverted(batch),
        Err(error) => Outcome::Failed(error.to_string()),
    };
    respond(&ctx, imports_page(&state, &ctx, Some(outcome)).await)
}

async fn scheme_page(
    state: &AppState,
    ctx: &Ctx,
    draft: Option<&yeji_core::scheme::Scheme>,
    error: Option<&str>,
) -> Result<maud::Markup, WebError> {
    let current = state.scheme().await?;
    let versions = state.read().await.scheme_versions().await?;
    let page = pages::scheme::Page {
        version: current.version,
        versions: &versions,
        error,
        unsaved: draft.is_some_and(|d| *d != current.scheme),
        editable: ctx.viewer.as_ref().is_some_and(|v| v.role().may_change_data()),
    };
    let body = pages::scheme::render(ctx, draft.unwrap_or(&current.scheme), &page);
    Ok(pages::layout(ctx, "scheme", ctx.lang.t("scheme"), body))
}

/// The scheme; editable for an admin or a director, shown to everyone.
pub async fn scheme(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (ctx, _) = context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await;
    respond(&ctx, scheme_page(&state, &ctx, None, None).await)
}

pub async fn preview_scheme(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let period_text = form.iter().find(|(k, _)| k == "period").map(|(_, v)| v.clone());
    let (ctx, period) = context(&state, lang, &uri, period_text.as_deref(), Some(&viewer)).await;
    let fragment = async {
        viewer.may_change_data()?;
        let period = period?;
        let proposed = scheme_form::draft(&state.scheme().await?.scheme, &form)?;
        proposed.validate()?;
        let current = state.evaluation(&period).await?;
        let previewed = state.evaluate_with(&period, &proposed).await?;
        let reps = |e: &yeji_eval::Evaluation| {
            e.results.iter().filter(|r| r.level == yeji_core::Level::Rep).cloned().collect::<Vec<_>>()
        };
        Ok::<_, WebError>(pages::scheme::preview(&ctx, &reps(&current.evaluation), &reps(&previewed.evaluation)))
    };
    match fragment.await {
        Ok(markup) => axum::response::Html(markup.into_string()).into_response(),
        // htmx swaps only successful responses: show the message in place.
        Err(error) => axum::response::Html(maud::html! { p.error #preview-error { (error.message) } }.into_string())
            .into_response(),
    }
}

/// Saves the scheme of the form, or shows it with a KPI added or removed.
pub async fn save_scheme(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (ctx, _) = context(&state, lang, &uri, None, Some(&viewer)).await;
    if let Err(error) = viewer.may_change_data() {
        return pages::error_page(&ctx, &error);
    }
    let draft = match state.scheme().await.and_then(|current| scheme_form::draft(&current.scheme, &form)) {
        Ok(draft) => draft,
        Err(error) => return pages::error_page(&ctx, &error),
    };
    let saved = match scheme_form::action(&form) {
        scheme_form::Action::Save => match draft.validate() {
            Ok(()) => state.save_scheme(&draft, viewer.actor()).await.map(Some).map_err(WebError::from),
            Err(error) => Err(error.into()),
        },
        _ => Ok(None),
    };
    let error = match saved {
        Ok(Some(_)) => return (StatusCode::SEE_OTHER, [(LOCATION, "/scheme")]).into_response(),
        Ok(None) => None,
        Err(error) => Some(error),
    };
    let page = scheme_page(&state, &ctx, Some(&draft), error.as_ref().map(|e| e.message.as_str())).await;
    let mut response = respond(&ctx, page);
    if let Some(error) = error {
        *response.status_mut() = error.status;
    }
    response
}
