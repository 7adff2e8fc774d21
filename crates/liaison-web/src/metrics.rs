//! Prometheus metrics: request counts and latencies by route pattern and status, served as text at
//! `/metrics` to operators only ([`operator`]: loopback, `operator_networks`, trusted proxies) — the
//! rule the Swagger UI follows too.

use crate::AppState;
use crate::error::AppError;
use crate::middleware::RequestMeta;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process-wide recorder (installed once, whatever the number of apps in a test process).
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &[0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
                )
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

/// Middleware: counts and times every request by its route pattern (never the raw path).
pub async fn record(req: Request, next: Next) -> Response {
    handle();
    let started = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let labels = [("method", method), ("route", route), ("status", response.status().as_u16().to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

/// `Ok` when the request comes from an operator's network: loopback, one of `operator_networks`, or
/// a trusted proxy itself; else 403. Guards the operators' endpoints (`/metrics`, the Swagger UI).
pub fn operator(state: &AppState, meta: &RequestMeta) -> Result<(), AppError> {
    let from_network =
        meta.ip.parse().is_ok_and(|ip| liaison_core::net::within_any(ip, &state.config.operator_networks));
    if from_network || state.config.trusted_proxies.contains(&meta.ip) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// `GET /metrics` in the Prometheus text format.
pub async fn scrape(State(state): State<AppState>, meta: RequestMeta) -> Result<Response, AppError> {
    operator(&state, &meta)?;
    metrics::gauge!("liaison_up").set(1.0);
    let body = handle().map(PrometheusHandle::render).unwrap_or_default();
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    Ok(response)
}
