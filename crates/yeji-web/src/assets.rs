//! Static assets compiled into the binary: the vendored ECharts and htmx (see
//! `assets/VENDORED.md`), the app's script and style sheet. Nothing is fetched
//! from elsewhere at build or run time.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("echarts.min.js", "text/javascript", include_bytes!("../assets/echarts.min.js")),
    ("htmx.min.js", "text/javascript", include_bytes!("../assets/htmx.min.js")),
    ("app.js", "text/javascript", include_bytes!("../assets/app.js")),
    ("app.css", "text/css", include_bytes!("../assets/app.css")),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => {
            ([(CONTENT_TYPE, *content_type), (CACHE_CONTROL, "public, max-age=86400")], *body).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
