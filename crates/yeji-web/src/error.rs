//! Errors of the web app: a status, a stable code and a message. The API
//! answers them as JSON (`{"code": …, "message": …}`), pages as an HTML page.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use yeji_engine::EngineError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebError {
    #[serde(skip)]
    pub status: StatusCode,
    /// A stable, machine-readable code: `bad_period`, `unknown_entity`, …
    pub code: &'static str,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, WebError>;

impl WebError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> WebError {
        WebError { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> WebError {
        WebError { status: StatusCode::NOT_FOUND, code, message: message.into() }
    }

    /// A failure of the server itself (logged), never of the request.
    pub fn internal(message: impl std::fmt::Display) -> WebError {
        tracing::error!(%message, "internal error");
        WebError { status: StatusCode::INTERNAL_SERVER_ERROR, code: "internal", message: message.to_string() }
    }
}

impl From<EngineError> for WebError {
    fn from(error: EngineError) -> WebError {
        let message = error.to_string();
        let (status, code) = match &error {
            EngineError::UnknownEntity(_) => (StatusCode::NOT_FOUND, "unknown_entity"),
            EngineError::UnknownKpi(_) => (StatusCode::NOT_FOUND, "unknown_kpi"),
            EngineError::NoSuchScheme(_) => (StatusCode::NOT_FOUND, "unknown_scheme"),
            EngineError::Scheme(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_scheme"),
            EngineError::Rejected { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "rejected"),
            EngineError::NothingToImport(_) => (StatusCode::BAD_REQUEST, "nothing_to_import"),
            EngineError::CannotRevert { .. } => (StatusCode::CONFLICT, "cannot_revert"),
            EngineError::Busy => (StatusCode::CONFLICT, "busy"),
            EngineError::Ingest(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_file"),
            EngineError::Store(yeji_engine::StoreError::NoSuchBatch(_)) => (StatusCode::NOT_FOUND, "unknown_batch"),
            EngineError::Store(yeji_engine::StoreError::NoSuchRun(_)) => (StatusCode::NOT_FOUND, "unknown_run"),
            EngineError::Period(_) => (StatusCode::BAD_REQUEST, "bad_period"),
            _ => {
                tracing::error!(%message, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        WebError { status, code, message }
    }
}

impl From<yeji_core::period::PeriodError> for WebError {
    fn from(error: yeji_core::period::PeriodError) -> WebError {
        WebError::bad_request("bad_period", error.to_string())
    }
}

impl From<yeji_core::scheme::SchemeError> for WebError {
    fn from(error: yeji_core::scheme::SchemeError) -> WebError {
        WebError { status: StatusCode::UNPROCESSABLE_ENTITY, code: "bad_scheme", message: error.to_string() }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}
