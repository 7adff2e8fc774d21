//! `TestApp`: the real router over a fresh database with the fixture district and a manual clock.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use liaison_core::clock::ManualClock;
use liaison_store::fixture::{self, Fixture};
use liaison_store::{Ctx, Db};
use liaison_web::notify::{LoggingSms, Notifier, NotifyConfig};
use liaison_web::{AppState, WebConfig};
use std::sync::Arc;
use tower::ServiceExt;

/// A fresh application.
pub struct TestApp {
    pub db: Db,
    pub clock: Arc<ManualClock>,
    pub f: Fixture,
    pub state: AppState,
    router: axum::Router,
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The session token a `Set-Cookie` header carries.
    pub fn session_token(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("liaison=").map(|rest| rest.split(';').next().unwrap_or_default().to_owned()))
            .filter(|t| !t.is_empty())
    }
}

/// When every test's clock starts.
fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).single().expect("instant")
}

/// The fixture district in a compact SQLite file (`Db::snapshot_into`), built once per test binary
/// on a runtime of its own.
fn template() -> &'static (std::path::PathBuf, Fixture) {
    static TEMPLATE: std::sync::OnceLock<(std::path::PathBuf, Fixture)> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let dir = random_dir();
                std::fs::create_dir_all(&dir).expect("temp dir");
                let db = Db::open(&format!("sqlite://{}", dir.join("build.db").display()), 1).await.expect("open");
                let f = fixture::build(&db, start()).await.expect("fixture");
                let path = dir.join("template.db");
                db.snapshot_into(&path).await.expect("snapshot");
                db.close().await;
                (path, f)
            })
        })
        .join()
        .expect("the fixture template was built")
    })
}

fn random_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("liaison-web-test-{}", liaison_core::token::random_hex(8)))
}

impl TestApp {
    /// On a fresh SQLite database, staff MFA off.
    pub async fn new() -> Self {
        Self::with_config(WebConfig { require_staff_mfa: false, ..WebConfig::default() }).await
    }

    /// On a fresh SQLite database with a web configuration of the test's choosing: a copy of the
    /// fixture district built once per test binary (building it per test was most of a test's time).
    pub async fn with_config(config: WebConfig) -> Self {
        let (template, f) = template();
        let dir = random_dir();
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("liaison.db");
        std::fs::copy(template, &path).expect("copy of the fixture database");
        let db = Db::open(&format!("sqlite://{}", path.display()), 4).await.expect("open");
        let notify =
            NotifyConfig { allow_plain_http_webhooks: true, allow_private_webhooks: true, ..NotifyConfig::default() };
        Self::assemble(db, f.clone(), config, notify)
    }

    /// On an empty database of any backend: builds the fixture district.
    pub async fn on(db: Db, config: WebConfig) -> Self {
        let notify =
            NotifyConfig { allow_plain_http_webhooks: true, allow_private_webhooks: true, ..NotifyConfig::default() };
        Self::with_notify(db, config, notify).await
    }

    /// Like [`TestApp::on`], with the notification channels of the test's choosing.
    pub async fn with_notify(db: Db, config: WebConfig, notify: NotifyConfig) -> Self {
        let f = fixture::build(&db, start()).await.expect("fixture");
        Self::assemble(db, f, config, notify)
    }

    fn assemble(db: Db, f: Fixture, config: WebConfig, notify: NotifyConfig) -> Self {
        let clock = Arc::new(ManualClock::new(start()));
        let calendar = Arc::new(liaison_core::calendar::Calendar::official());
        let uploads = liaison_web::uploads::Uploads::new(random_dir(), Box::new(liaison_web::uploads::EicarScanner))
            .expect("upload dir");
        let state = AppState::new(liaison_web::App {
            db: db.clone(),
            clock: clock.clone(),
            config: Arc::new(config),
            calendar,
            uploads: Arc::new(uploads),
            notifier: Arc::new(Notifier::new(notify, Box::new(LoggingSms)).expect("notifier")),
            limits: Default::default(),
        });
        let router = liaison_web::app(state.clone());
        Self { db, clock, f, state, router }
    }

    /// A signed-in session of fixture user `name`, made directly in the store (no password hashing).
    pub async fn session(&self, name: &str) -> String {
        let token = liaison_core::token::random_hex(32);
        let ctx = Ctx::system(self.clock.now_utc());
        self.db
            .create_session(&ctx, self.f.user(name), &liaison_core::token::digest(&token), false, "test", 10)
            .await
            .expect("session");
        token
    }

    /// Sends a request as a browser on one of our pages would (`Sec-Fetch-Site: same-origin`); `token`
    /// is a session cookie; forms and JSON bodies set their content type.
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Body_) -> TestResponse {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header("sec-fetch-site", "same-origin");
        if let Some(token) = token {
            builder = builder.header(header::COOKIE, format!("liaison={token}"));
        }
        let body = match body {
            Body_::None => Body::empty(),
            Body_::Form(form) => {
                builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(form)
            }
            Body_::Upload { filename, bytes, mode } => {
                let boundary = "liaison-test-boundary";
                builder = builder.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
                let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n{mode}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
                body.extend_from_slice(&bytes);
                body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
                Body::from(body)
            }
            Body_::Multipart(parts) => {
                let boundary = "liaison-test-boundary";
                builder = builder.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
                let mut body = Vec::new();
                for (name, filename, bytes) in parts {
                    let file = filename.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
                    body.extend_from_slice(
                        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n")
                            .as_bytes(),
                    );
                    body.extend_from_slice(&bytes);
                    body.extend_from_slice(b"\r\n");
                }
                body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                Body::from(body)
            }
            Body_::Json(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
        };
        self.call(builder.body(body).expect("request")).await
    }

    /// Sends a prepared request.
    pub async fn call(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(Method::GET, path, token, Body_::None).await
    }

    pub async fn post_form(&self, path: &str, token: Option<&str>, form: &str) -> TestResponse {
        self.send(Method::POST, path, token, Body_::Form(form.to_owned())).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, json: serde_json::Value) -> TestResponse {
        self.send(Method::POST, path, token, Body_::Json(json)).await
    }

    /// Moves the clock and runs every job that fell due; fails the test if a due job is left behind.
    pub async fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
        liaison_web::jobs::run_due(&self.state).await.expect("jobs run");
        let left = self.db.due_jobs(self.clock.now_utc()).await.expect("due jobs");
        assert_eq!(left, 0, "jobs left unprocessed after advancing the clock");
    }

    /// Audit rows whose action starts with `prefix`.
    pub async fn audit(&self, prefix: &str) -> Vec<liaison_store::audit::AuditRow> {
        self.db.audit_page(prefix, liaison_store::Paging::new(None, Some(200))).await.expect("audit").items
    }
}

/// A request body.
pub enum Body_ {
    None,
    Form(String),
    Json(serde_json::Value),
    Upload {
        filename: String,
        bytes: Vec<u8>,
        mode: &'static str,
    },
    /// Parts of a multipart form: name, file name (for files), content.
    Multipart(Vec<(&'static str, Option<String>, Vec<u8>)>),
}

/// The clock's current instant.
pub trait Now {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}

impl Now for ManualClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        liaison_core::clock::Clock::now(self)
    }
}
