//! The middleware stack: request metadata (id, client IP), security headers, session resolution, the
//! CSRF origin check (inside resolution, so a refusal of a signed-in user is audited), and turning error responses into pages outside the API.

use crate::error::{AppError, ErrorInfo};
use crate::i18n::Lang;
use crate::{AppState, auth, pages};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use http_body_util::BodyExt;
use std::net::SocketAddr;

/// The largest request body accepted, except on upload routes.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest body of an upload route: a few files of at most 10 MB each (each file's own limit is
/// enforced while it streams, see `uploads`).
const UPLOAD_BODY_LIMIT: usize = 31 * 1024 * 1024;

/// Facts about the request every audit row and log line needs.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// Correlation id (also sent back as `X-Request-Id`).
    pub id: String,
    /// Client IP (socket peer, or `X-Forwarded-For` from a trusted proxy).
    pub ip: String,
    /// Browser identification.
    pub user_agent: String,
    /// The device cookie's token: this browser signed in to some account before (`liaison_core::lockout`).
    pub device: Option<String>,
}

/// Wraps the routes with every layer, outermost last.
pub fn wrap(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(|| async { AppError::NotFound })
        .layer(axum::middleware::from_fn(crate::clean_input::refuse_unclean))
        .layer(from_fn_with_state(state.clone(), csrf))
        .layer(from_fn_with_state(state.clone(), auth::resolve))
        .layer(from_fn_with_state(state.clone(), render_errors))
        .layer(from_fn_with_state(state.clone(), request_meta))
        .layer(axum::middleware::from_fn(crate::metrics::record))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .layer(axum::middleware::from_fn(body_limit))
        .with_state(state)
}

/// RATE-03: caps every request body — announced lengths are refused at once with 413, streamed
/// bodies are cut at the limit — with a larger cap on the upload routes only. Other bodies are read
/// whole before routing: a handler that refuses a request before reading its body (not signed in,
/// not allowed, wrong content type) would otherwise leave unread bytes on a kept-alive connection,
/// which then closes with a reset that can destroy the answer on its way to the client.
async fn body_limit(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let upload = req.method() == Method::POST && (path.ends_with("/attachments") || path == "/items");
    let limit = if upload { UPLOAD_BODY_LIMIT } else { BODY_LIMIT };
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if announced.is_some_and(|length| length > limit) {
        return AppError::PayloadTooLarge.into_response();
    }
    let (parts, body) = req.into_parts();
    let limited = http_body_util::Limited::new(body, limit);
    if upload {
        return next.run(Request::from_parts(parts, axum::body::Body::new(limited))).await;
    }
    match limited.collect().await {
        Ok(collected) => next.run(Request::from_parts(parts, axum::body::Body::from(collected.to_bytes()))).await,
        Err(error) if error.is::<http_body_util::LengthLimitError>() => AppError::PayloadTooLarge.into_response(),
        Err(_) => {
            AppError::BadRequest("malformed_body", "请求体读取失败 / the body could not be read".into()).into_response()
        }
    }
}

async fn request_meta(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "127.0.0.1".into());
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned());
    let ip = match forwarded {
        Some(client) if state.config.trusted_proxies.contains(&peer) && client.parse::<std::net::IpAddr>().is_ok() => {
            client
        }
        _ => peer,
    };
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let id = liaison_core::token::random_hex(8);
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let cookies = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let device = auth::device_from(&state.config, cookies);
    req.extensions_mut().insert(RequestMeta { id: id.clone(), ip, user_agent, device });
    // The span follows the request's future (an entered guard held across `.await` would mark whatever
    // else runs on the thread meanwhile as this request's).
    let mut response = tracing::Instrument::instrument(next.run(req), span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    // Swagger UI sets inline styles; its pages (and only those) allow them.
    let is_docs = req.uri().path().starts_with("/api/docs");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let fixed: [(&str, &str); 6] = [
        (
            "content-security-policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    ];
    for (name, value) in fixed {
        // A handler's own, stricter policy (e.g. `sandbox` on downloads) stands.
        if name != "content-security-policy" || !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if is_docs {
        headers.insert(
            "content-security-policy",
            HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
        );
    }
    if state.config.secure_cookies {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses state changes a browser could be tricked into sending (CSRF-02). A request that carries
/// the session cookie must **prove** it comes from this site: `Sec-Fetch-Site: same-origin`, or an
/// `Origin` naming this site. Without that proof it is refused, whatever else it carries — an
/// `Authorization` header does not exempt it, since a browser may attach one by itself (e.g. an
/// intranet proxy's `Basic` credentials) while the cookie signs the caller in. Only a request with no
/// session cookie (a bearer token, an API client, a sign-in) may go without fetch metadata, and even
/// then a browser's cross-site mark refuses it (login CSRF). Open311 authenticates with its `api_key`
/// argument, never a cookie, and is exempt.
async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.uri().path().starts_with("/open311/") {
        return next.run(req).await;
    }
    let cookies = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let has_session = auth::has_session_cookie(&state.config, cookies);
    match provenance(req.headers(), &state.config.public_origin) {
        Provenance::SameOrigin => next.run(req).await,
        Provenance::Unknown if !has_session => next.run(req).await,
        refused => {
            tracing::warn!(?refused, has_session, "cross-site request refused");
            AppError::CrossSite.into_response()
        }
    }
}

/// Where a state-changing request says it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Provenance {
    /// Fetch metadata or `Origin` name this site.
    SameOrigin,
    /// Another site (or an opaque `null` origin).
    Foreign,
    /// Neither header: a non-browser client, or a browser that sends neither.
    Unknown,
}

/// Fetch metadata decides when the browser sends it (under some referrer policies Chrome sends
/// `Origin: null` with `Sec-Fetch-Site: same-origin` on our own form posts); otherwise the `Origin`.
fn provenance(headers: &HeaderMap, public_origin: &str) -> Provenance {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match (header("sec-fetch-site"), header("origin")) {
        (Some("same-origin"), _) => Provenance::SameOrigin,
        (Some("cross-site" | "same-site"), _) => Provenance::Foreign,
        (_, Some(origin)) => {
            let host = header("host").unwrap_or_default();
            let ours =
                origin == public_origin || origin == format!("http://{host}") || origin == format!("https://{host}");
            if ours { Provenance::SameOrigin } else { Provenance::Foreign }
        }
        (_, None) => Provenance::Unknown,
    }
}

/// Outside `/api`, an error response becomes a page: sign-in redirects, or the error page.
async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    let lang =
        Lang::from_cookie_header(req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default());
    let is_get = req.method() == Method::GET;
    let response = next.run(req).await;
    if path.starts_with("/api/") || path.starts_with("/open311/") || path == "/healthz" || path == "/metrics" {
        return response;
    }
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    match info.code {
        "unauthenticated" => {
            let next_path = if is_get { format!("{path}{query}") } else { "/".into() };
            Redirect::to(&format!("/login?next={}", pages::url_encode(&next_path))).into_response()
        }
        "mfa_required" => Redirect::to("/login/mfa").into_response(),
        "password_change_required" => Redirect::to("/account").into_response(),
        _ => pages::error_page(&state, lang, response.status(), &info.message),
    }
}
