//! Static assets embedded in the binary (no CDN): htmx 2.0.11, the stylesheet and the small script.

use crate::error::AppError;
use crate::extract::AppPath;
use crate::routes::{Access::Public, RouteTable};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const FILES: [(&str, &str, &[u8]); 3] = [
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/htmx.min.js")),
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
];

/// Registers `/assets/{file}`.
pub fn routes(t: &mut RouteTable) {
    t.get("/assets/{file}", Public, asset);
}

async fn asset(AppPath(file): AppPath<String>) -> Result<Response, AppError> {
    let (_, content_type, bytes) = FILES.iter().find(|(name, _, _)| *name == file).ok_or(AppError::NotFound)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(response)
}
