//! Receiving uploaded data files: each part is streamed to a temporary folder
//! (never held in memory whole), under its own base name; files that are not
//! CSV or XLSX, and uploads beyond the size limit, are refused with a message.

use axum::extract::Multipart;
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;

use crate::error::{Result, WebError};

/// The largest upload accepted, all files together.
pub const MAX_UPLOAD_BYTES: u64 = 4 << 30;

pub struct Upload {
    pub dir: tempfile::TempDir,
    pub files: Vec<String>,
    /// The form's "import the good rows" box.
    pub allow_rejects: bool,
}

pub async fn receive(mut multipart: Multipart) -> Result<Upload> {
    let dir = tempfile::tempdir().map_err(|e| WebError::internal(format!("cannot create a temporary folder: {e}")))?;
    let mut upload = Upload { dir, files: Vec::new(), allow_rejects: false };
    let mut total: u64 = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_upload)? {
        if field.name() == Some("allow_rejects") {
            upload.allow_rejects = field.text().await.map_err(bad_upload)?.trim() == "1";
            continue;
        }
        let Some(raw_name) = field.file_name().map(str::to_owned) else { continue };
        if raw_name.is_empty() {
            continue;
        }
        let name = base_name(&raw_name)?;
        let path = upload.dir.path().join(&name);
        let mut file = tokio::fs::File::create(&path).await.map_err(|e| WebError::internal(format!("{name}: {e}")))?;
        while let Some(chunk) = field.chunk().await.map_err(bad_upload)? {
            total += chunk.len() as u64;
            if total > MAX_UPLOAD_BYTES {
                return Err(WebError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("the upload is larger than {} GiB; import it with `yeji import`", MAX_UPLOAD_BYTES >> 30),
                ));
            }
            file.write_all(&chunk).await.map_err(|e| WebError::internal(format!("{name}: {e}")))?;
        }
        file.flush().await.map_err(|e| WebError::internal(format!("{name}: {e}")))?;
        upload.files.push(name);
    }
    if upload.files.is_empty() {
        return Err(WebError::bad_request("no_files", "choose one or more CSV or XLSX files to import"));
    }
    Ok(upload)
}

/// The file's own name without any folder, if it is a CSV or XLSX file.
fn base_name(raw: &str) -> Result<String> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or(raw).trim().to_owned();
    let lower = name.to_lowercase();
    let accepted = [".csv", ".txt", ".xlsx"].iter().any(|ext| lower.ends_with(ext));
    if name.is_empty() || name.starts_with('.') || !accepted {
        return Err(WebError::bad_request(
            "bad_file_type",
            format!("'{raw}' is not a CSV or XLSX file; upload files named like the tables (orders.csv, data.xlsx)"),
        ));
    }
    Ok(name)
}

fn bad_upload(error: axum::extract::multipart::MultipartError) -> WebError {
    WebError::new(error.status(), "bad_upload", format!("the upload could not be read: {}", error.body_text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_csv_and_xlsx_base_names_are_taken() {
        assert_eq!(base_name("orders.csv").unwrap(), "orders.csv");
        assert_eq!(base_name("C:\\data\\订单.XLSX").unwrap(), "订单.XLSX");
        assert_eq!(base_name("../../etc/reps.csv").unwrap(), "reps.csv");
        assert_eq!(base_name("photo.png").unwrap_err().code, "bad_file_type");
        assert_eq!(base_name(".csv").unwrap_err().code, "bad_file_type");
    }
}
