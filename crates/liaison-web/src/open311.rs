//! Open311 GeoReport v2 under `/open311/v2`, in `.json` and `.xml`: discovery, services and their
//! definitions, service requests (create, list, read one) and tokens. Requests are items: a POST goes
//! through the same submission as the portal, as the account the `api_key` is bound to. Errors are a
//! list of `{code, description}` with 404 (not found), 403 (missing or bad `api_key`), 429 (the key's
//! per-minute limit, with `Retry-After`) and 400 (anything else).

mod args;
mod doc;
pub mod keys;
mod requests;
mod services;

pub use keys::KeyLimits;

use crate::AppState;
use crate::error::AppError;
use crate::extract::AppPath;
use crate::middleware::RequestMeta;
use crate::routes::{Access::Public, RouteTable};
use args::Args;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use doc::{Format, Node};
use liaison_store::StoreError;

/// Registers the Open311 routes (public: reads need no key, a POST checks its own).
pub fn routes(t: &mut RouteTable) {
    t.get("/open311/v2/{file}", Public, get_root);
    t.post("/open311/v2/{file}", Public, post_root);
    t.get("/open311/v2/services/{file}", Public, get_service);
    t.get("/open311/v2/requests/{file}", Public, get_request);
    t.get("/open311/v2/tokens/{file}", Public, get_token);
}

/// An Open311 error: its HTTP status and description.
#[derive(Debug, Clone)]
pub struct Open311Error {
    status: StatusCode,
    description: String,
    retry_after: Option<u64>,
}

impl Open311Error {
    fn new(status: u16, description: &str) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        Open311Error { status, description: description.to_owned(), retry_after: None }
    }

    fn bad(description: impl Into<String>) -> Self {
        Open311Error { status: StatusCode::BAD_REQUEST, description: description.into(), retry_after: None }
    }

    fn respond(&self, format: Format) -> Response {
        let entry = Node::Record(vec![
            ("code", Node::Integer(i64::from(self.status.as_u16()))),
            ("description", Node::Text(self.description.clone())),
        ]);
        let mut response = Node::List("error", vec![entry]).respond(self.status, format, "errors");
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

impl From<StoreError> for Open311Error {
    fn from(error: StoreError) -> Self {
        Open311Error::from(AppError::from(error))
    }
}

impl From<AppError> for Open311Error {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Validation(fields) => {
                let parts: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
                Open311Error::bad(parts.join("; "))
            }
            AppError::NotFound => Open311Error::new(404, "not found"),
            AppError::Forbidden => Open311Error::new(403, "this api_key may not do that"),
            AppError::TooManyRequests(seconds) => Open311Error {
                retry_after: Some(seconds),
                ..Open311Error::new(429, "the enterprise has reached its daily submission limit")
            },
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Open311Error::new(500, "internal error")
            }
            other => Open311Error::bad(other.to_string()),
        }
    }
}

/// A handler's answer: a document (with its XML root) or an error, in the request's format.
type Answer = Result<(Node, &'static str), Open311Error>;

/// Renders an answer in `format`.
fn reply(format: Format, answer: Answer) -> Response {
    match answer {
        Ok((node, root)) => node.respond(StatusCode::OK, format, root),
        Err(error) => error.respond(format),
    }
}

/// The answer to a file name without `.json` or `.xml`: 404, in JSON.
fn unknown_format() -> Response {
    Open311Error::new(404, "unknown resource: add .json or .xml to its name").respond(Format::Json)
}

/// Parses a query string.
fn query_args(query: Option<&str>) -> Result<Args, Open311Error> {
    Args::parse(query.unwrap_or_default().as_bytes()).map_err(Open311Error::bad)
}

/// `GET /open311/v2/{discovery,services,requests}.{fmt}`.
async fn get_root(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppPath(file): AppPath<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((name, format)) = Format::split(&file) else {
        return unknown_format();
    };
    let answer = match (name, query_args(query.as_deref())) {
        (_, Err(error)) => Err(error),
        ("discovery", Ok(_)) => Ok(services::discovery(&state)),
        ("services", Ok(args)) => services::list(&state, &meta, &args).await,
        ("requests", Ok(args)) => requests::list(&state, &meta, &args).await,
        _ => Err(Open311Error::new(404, &format!("unknown resource {name}"))),
    };
    reply(format, answer)
}

/// `POST /open311/v2/requests.{fmt}` (form-encoded).
async fn post_root(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppPath(file): AppPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((name, format)) = Format::split(&file) else {
        return unknown_format();
    };
    if name != "requests" {
        return Open311Error::new(404, &format!("{name} takes no POST")).respond(format);
    }
    let form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let answer = if !form.starts_with("application/x-www-form-urlencoded") {
        Err(Open311Error::bad("the body must be application/x-www-form-urlencoded"))
    } else {
        match Args::parse(&body) {
            Ok(args) => requests::create(&state, &meta, &args).await,
            Err(error) => Err(Open311Error::bad(error)),
        }
    };
    reply(format, answer)
}

/// `GET /open311/v2/services/{service_code}.{fmt}`.
async fn get_service(state: State<AppState>, meta: RequestMeta, file: AppPath<String>, query: RawQuery) -> Response {
    get_one(state, meta, file, query, One::Service).await
}

/// `GET /open311/v2/requests/{service_request_id}.{fmt}`.
async fn get_request(state: State<AppState>, meta: RequestMeta, file: AppPath<String>, query: RawQuery) -> Response {
    get_one(state, meta, file, query, One::Request).await
}

/// What a `/{kind}/{id}.{fmt}` read names.
enum One {
    Service,
    Request,
}

/// A service definition or a single request, by the id in the file name.
async fn get_one(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppPath(file): AppPath<String>,
    RawQuery(query): RawQuery,
    one: One,
) -> Response {
    let Some((id, format)) = Format::split(&file) else {
        return unknown_format();
    };
    let answer = match (query_args(query.as_deref()), one) {
        (Err(error), _) => Err(error),
        (Ok(args), One::Service) => services::definition(&state, &meta, &args, id).await,
        (Ok(args), One::Request) => requests::one(&state, &meta, &args, id).await,
    };
    reply(format, answer)
}

/// `GET /open311/v2/tokens/{token}.{fmt}`: Liaison writes a request before it answers the POST, so
/// it never hands out tokens; any token is unknown.
async fn get_token(AppPath(file): AppPath<String>) -> Response {
    let Some((token, format)) = Format::split(&file) else {
        return unknown_format();
    };
    let description = format!(
        "token {token} not found: requests are created at once and their service_request_id is returned by the POST"
    );
    Open311Error::new(404, &description).respond(format)
}
