//! Errors of the web app: a status, a stable code and a message, answered as
//! JSON (`{"code": …, "message": …}`) by the API and by every extractor's
//! rejection, as an HTML page by pages. A failure of the server itself (5xx)
//! answers a generic message with a request id; the detail goes to the log
//! under that id, never to the client (it may hold SQL or paths).

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use yeji_eval::EvalError;
use yeji_facts::{FactsError, StoreError};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebError {
    #[serde(skip)]
    pub status: StatusCode,
    /// A stable, machine-readable code: `bad_period`, `unknown_entity`, …
    pub code: &'static str,
    pub message: String,
    /// For a failure of the server: the id its details are logged under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub type Result<T> = std::result::Result<T, WebError>;

impl WebError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> WebError {
        WebError { status, code, message: message.into(), request_id: None }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> WebError {
        WebError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> WebError {
        WebError::new(StatusCode::NOT_FOUND, code, message)
    }

    /// A failure of the server itself, never of the request: logged with an
    /// id that the answer names.
    pub fn internal(detail: impl std::fmt::Display) -> WebError {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = format!("{:x}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        tracing::error!(request_id = %id, %detail, "internal error");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: format!("the server failed to answer (request id {id}); the details are in its log"),
            request_id: Some(id),
        }
    }
}

impl From<FactsError> for WebError {
    fn from(error: FactsError) -> WebError {
        let (status, code) = match &error {
            FactsError::Scheme(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_scheme"),
            FactsError::NoSuchScheme(_) => (StatusCode::NOT_FOUND, "unknown_scheme"),
            FactsError::Rejected { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "rejected"),
            FactsError::NothingToImport(_) => (StatusCode::BAD_REQUEST, "nothing_to_import"),
            FactsError::CannotRevert { .. } => (StatusCode::CONFLICT, "cannot_revert"),
            FactsError::Busy => (StatusCode::CONFLICT, "busy"),
            FactsError::Ingest(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_file"),
            FactsError::Store(StoreError::NoSuchBatch(_)) => (StatusCode::NOT_FOUND, "unknown_batch"),
            FactsError::Store(StoreError::NoSuchRun(_)) => (StatusCode::NOT_FOUND, "unknown_run"),
            _ => return WebError::internal(error),
        };
        WebError::new(status, code, error.to_string())
    }
}

impl From<EvalError> for WebError {
    fn from(error: EvalError) -> WebError {
        match error {
            EvalError::Facts(error) => error.into(),
            EvalError::UnknownEntity(_) => WebError::not_found("unknown_entity", error.to_string()),
            EvalError::UnknownKpi(_) => WebError::not_found("unknown_kpi", error.to_string()),
            EvalError::Scheme(_) => WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_scheme", error.to_string()),
            EvalError::Period(_) => WebError::bad_request("bad_period", error.to_string()),
            EvalError::Data(_) => WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_data", error.to_string()),
        }
    }
}

impl From<yeji_core::period::PeriodError> for WebError {
    fn from(error: yeji_core::period::PeriodError) -> WebError {
        WebError::bad_request("bad_period", error.to_string())
    }
}

impl From<yeji_core::scheme::SchemeError> for WebError {
    fn from(error: yeji_core::scheme::SchemeError) -> WebError {
        WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_scheme", error.to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}
