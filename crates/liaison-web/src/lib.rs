//! Liaison over HTTP: the staff console and enterprise portal (server-rendered, htmx), the JSON API
//! under `/api/v1` with its OpenAPI document, authentication, and the security middleware.
//!
//! A request passes `middleware` (request id, client IP, security headers, CSRF origin check, session
//! or bearer lookup), reaches a handler that checks a `liaison_core::permission` predicate, calls one
//! store method, and renders JSON or a page. Errors are `AppError`; pages turn them into HTML.

rust_i18n::i18n!("locales", fallback = "zh");

pub mod actions;
pub mod api;
mod assets;
pub mod auth;
mod clean_input;
pub mod config;
pub mod error;
pub mod export;
pub mod extract;
pub mod i18n;
pub mod jobs;
pub mod listener;
pub mod metrics;
mod middleware;
pub mod notify;
pub mod open311;
pub mod pages;
pub mod routes;
pub mod uploads;
pub mod view;

pub use config::WebConfig;
pub use error::AppError;

use liaison_core::calendar::Calendar;
use liaison_core::clock::Clock;
use liaison_store::Db;
use std::sync::Arc;

/// Everything a handler needs, behind one `Arc`: axum clones the state for every middleware layer and
/// handler of every request, and a clone of the parts one by one (a dozen reference counts, shared by
/// both cores) was half of a small request's CPU time.
#[derive(Clone, Debug)]
pub struct AppState(Arc<App>);

impl AppState {
    /// The state of `app`.
    pub fn new(app: App) -> Self {
        AppState(Arc::new(app))
    }
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct App {
    /// The database.
    pub db: Db,
    /// The clock (a manual one in tests).
    pub clock: Arc<dyn Clock>,
    /// Web settings.
    pub config: Arc<WebConfig>,
    /// The working-day calendar of SLA arithmetic.
    pub calendar: Arc<Calendar>,
    /// Where attachments are kept.
    pub uploads: Arc<uploads::Uploads>,
    /// Email, webhook and SMS senders.
    pub notifier: Arc<notify::Notifier>,
    /// Uses of each Open311 API key in the current minute.
    pub limits: Arc<open311::KeyLimits>,
}

/// The whole application as an axum router.
pub fn app(state: AppState) -> axum::Router {
    routes::table().into_router(state)
}

/// Serves `app` on `listener` under the listener's limits until `shutdown` resolves — the seam tests
/// use to bind port 0.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener::serve(listener, state, shutdown).await
}
