//! Reports as downloads: the format from the path, the document written by
//! yeji-export, served with its type and a file name.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use yeji_export::{Doc, Format};

use crate::error::{Result, WebError};

pub fn format(text: &str) -> Result<Format> {
    Format::parse(text)
        .ok_or_else(|| WebError::bad_request("bad_format", format!("format '{text}': html, pdf or xlsx")))
}

/// `doc` in `format` as a file named `name` (ASCII-safe, with its extension).
pub fn download(doc: &Doc, format: Format, name: &str) -> Result<Response> {
    let bytes = yeji_export::write(doc, format).map_err(WebError::internal)?;
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{safe}.{}\"", format.extension());
    Ok(([(CONTENT_TYPE, format.content_type().to_owned()), (CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
