//! Feedback in the JSON API (SPEC §15.5): a rep's draft, saved items and
//! their conversation. Only the rep, their managers (and above) and HR see a
//! rep's feedback, everyone else gets 404; a rep sees an item once it is
//! sent; drafting and sending need the manager's side, answering the rep's.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use yeji_core::Period;
use yeji_feedback::{Draft, FeedbackError, FeedbackState, Item, Lang, Review, Side, Step};

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::state::AppState;
use crate::viewer::Viewer;

impl From<FeedbackError> for WebError {
    fn from(error: FeedbackError) -> WebError {
        match error {
            FeedbackError::Refused(message) => WebError::new(StatusCode::CONFLICT, "refused", message),
            FeedbackError::BadLang(_) => WebError::bad_request("bad_lang", error.to_string()),
            FeedbackError::Forbidden(message) => WebError::new(StatusCode::FORBIDDEN, "forbidden", message),
            FeedbackError::NoSuchRep(id) | FeedbackError::NoSuchUnit(id) => crate::viewer::unknown_entity(&id),
            FeedbackError::Store(yeji_store::StoreError::NoSuchFeedback(id)) => no_such_item(id),
            FeedbackError::Library { .. } => {
                WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_library", error.to_string())
            }
            FeedbackError::Eval(error) => error.into(),
            FeedbackError::Store(error) => yeji_facts::FactsError::from(error).into(),
        }
    }
}

fn no_such_item(id: i64) -> WebError {
    WebError::not_found("unknown_feedback", format!("no feedback {id}"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftQuery {
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
    /// zh (default) or en.
    pub lang: Option<String>,
}

fn manager(side: Side, what: &str) -> Result<()> {
    match side {
        Side::Manager => Ok(()),
        Side::Rep | Side::Reader => Err(WebError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{what} needs the rep's manager (or a director or admin)"),
        )),
    }
}

/// The draft of a rep's feedback for a period, built from their evaluation.
pub async fn draft_of(state: &AppState, viewer: &Viewer, rep: &str, q: &DraftQuery) -> Result<Draft> {
    let period = state.period(q.period.as_deref()).await?;
    let lang: Lang = q.lang.as_deref().unwrap_or("zh").parse()?;
    let facts = state.facts();
    manager(viewer.side(&facts, &period, rep)?, "drafting feedback")?;
    let scheme = state.scheme().await?;
    let library = yeji_feedback::library_of(state.read().await.root())?;
    let standing = yeji_feedback::gather(&facts, &period, &scheme.scheme, yeji_feedback::Reps::One(rep)).await?;
    Ok(yeji_feedback::draft(&standing[0], &library, lang))
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/feedback/draft", params(("id" = String, Path), DraftQuery),
    responses((status = 200, body = Draft), (status = 400, body = WebError), (status = 403, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn draft(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DraftQuery>,
) -> Result<Json<Draft>> {
    Ok(Json(draft_of(&state, &viewer, &state.id(&id), &q).await?))
}

/// Saves the draft as a new item (its state: draft).
#[utoipa::path(post, path = "/api/v1/entities/{id}/feedback", params(("id" = String, Path), DraftQuery),
    responses((status = 201, body = Item), (status = 400, body = WebError), (status = 403, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn save(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DraftQuery>,
) -> Result<Response> {
    let item = save_draft(&state, &viewer, &state.id(&id), &q).await?;
    Ok((StatusCode::CREATED, Json(item)).into_response())
}

pub async fn save_draft(state: &AppState, viewer: &Viewer, rep: &str, q: &DraftQuery) -> Result<Item> {
    let draft = draft_of(state, viewer, rep, q).await?;
    let id = yeji_feedback::save(state.catalog(), &draft, viewer.actor()).await?;
    Ok(yeji_feedback::load(state.catalog(), id).await?)
}

/// The items the viewer may see of one rep, newest first.
pub async fn items_of(state: &AppState, viewer: &Viewer, rep: &str, period: &Period) -> Result<Vec<Item>> {
    let side = viewer.side(&state.facts(), period, rep)?;
    let items = yeji_feedback::list(state.catalog(), Some(rep)).await?;
    Ok(items.into_iter().filter(|i| side != Side::Rep || i.state != FeedbackState::Draft).collect())
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/feedback", params(("id" = String, Path), crate::api::PeriodQuery),
    responses((status = 200, body = Vec<Item>), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<crate::api::PeriodQuery>,
) -> Result<Json<Vec<Item>>> {
    let period = state.period(q.period.as_deref()).await?;
    Ok(Json(items_of(&state, &viewer, &state.id(&id), &period).await?))
}

/// Item `id` with the viewer's side, or 404 when they may not see it.
pub async fn item_for(state: &AppState, viewer: &Viewer, id: i64) -> Result<(Item, Side)> {
    let item = yeji_feedback::load(state.catalog(), id).await?;
    let period = state.period(Some(&item.period)).await?;
    let side = viewer.side(&state.facts(), &period, &item.rep_id).map_err(|_| no_such_item(id))?;
    if side == Side::Rep && item.state == FeedbackState::Draft {
        return Err(no_such_item(id));
    }
    Ok((item, side))
}

#[utoipa::path(get, path = "/api/v1/feedback/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Item), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn item(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Item>> {
    Ok(Json(item_for(&state, &viewer, id).await?.0))
}

/// A step of the conversation: edit (with `draft`), send, ack, dispute (with
/// the reason in `text`), comment, meeting, close.
#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    #[schema(value_type = String, example = "send")]
    pub step: Step,
    pub text: Option<String>,
    /// The edited draft (edit, send).
    pub draft: Option<Draft>,
}

pub async fn take_step(state: &AppState, viewer: &Viewer, id: i64, body: StepBody) -> Result<Item> {
    let (_, side) = item_for(state, viewer, id).await?;
    let step = (body.step, side);
    let taken =
        yeji_feedback::take(state.catalog(), id, step, body.text.as_deref(), body.draft.as_ref(), viewer.actor());
    Ok(taken.await?)
}

#[utoipa::path(post, path = "/api/v1/feedback/{id}/steps", params(("id" = i64, Path)), request_body = StepBody,
    responses((status = 200, body = Item), (status = 400, body = WebError), (status = 403, body = WebError), (status = 404, body = WebError), (status = 409, body = WebError)))]
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: std::result::Result<Json<StepBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Item>> {
    let Json(body) = body.map_err(|rejection| WebError::bad_request("bad_body", rejection.body_text()))?;
    Ok(Json(take_step(&state, &viewer, id, body).await?))
}

/// The review of a rep's quarter, half or year (the months side by side), for whoever sees their feedback.
pub async fn review_of(state: &AppState, viewer: &Viewer, rep: &str, q: &DraftQuery) -> Result<Review> {
    let period = state.period(q.period.as_deref()).await?;
    let lang: Lang = q.lang.as_deref().unwrap_or("zh").parse()?;
    let facts = state.facts();
    viewer.side(&facts, &period, rep)?;
    let scheme = state.scheme().await?;
    let mut reviews =
        yeji_feedback::review(&facts, &period, &scheme.scheme, yeji_feedback::Reps::One(rep), lang).await?;
    Ok(reviews.remove(0))
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/review", params(("id" = String, Path), DraftQuery),
    responses((status = 200, body = Review), (status = 400, body = WebError), (status = 404, body = WebError),
        (status = 409, body = WebError)))]
pub(crate) async fn review(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DraftQuery>,
) -> Result<Json<Review>> {
    Ok(Json(review_of(&state, &viewer, &state.id(&id), &q).await?))
}
