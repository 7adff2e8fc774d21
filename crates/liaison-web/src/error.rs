//! One error type for every handler. It answers JSON `{"error":{"code","message","fields"}}`; for
//! pages, `middleware::render_errors` turns the same response into an HTML page. Internal errors are
//! logged once with their request id and shown only as a generic message.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liaison_core::validate::{FieldError, FieldErrors};
use liaison_store::StoreError;
use serde::Serialize;

/// A handler failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("请先登录 / please sign in")]
    Unauthenticated,
    /// Wrong username or password (one message for both: no enumeration).
    #[error("用户名或密码错误 / wrong username or password")]
    InvalidCredentials,
    /// The role does not allow the action.
    #[error("没有权限执行此操作 / not allowed")]
    Forbidden,
    /// A cookie-authenticated state change that does not prove it comes from this site (CSRF).
    #[error("请求来源无法确认为本站，已拒绝；请从本站页面重新提交 / the request did not come from this site")]
    CrossSite,
    /// Missing, or outside the viewer's scope.
    #[error("未找到 / not found")]
    NotFound,
    /// Input failed validation; every field is named.
    #[error("输入有误 / invalid input")]
    Validation(Vec<FieldError>),
    /// Malformed request (body, query, content type).
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// Text input that is not clean: invalid UTF-8 or a control character (VAL-06); names the field.
    #[error("{}", .0.message)]
    Unclean(FieldError),
    /// The body is larger than accepted.
    #[error("请求体过大 / body too large")]
    PayloadTooLarge,
    /// The body is not of the required content type.
    #[error("请求内容类型不受支持 / unsupported content type")]
    UnsupportedMediaType,
    /// Conflicts with the current state or an existing value.
    #[error("{1}")]
    Conflict(&'static str, String),
    /// The step is not possible in the item's current state (or someone changed it first).
    #[error("{message}")]
    Transition {
        /// `invalid_transition` or `stale_version`.
        code: &'static str,
        /// What happened (Chinese / English).
        message: String,
        /// The item's status now.
        current_status: &'static str,
        /// The item's version now.
        version: i64,
        /// Steps the caller may take now.
        allowed_steps: Vec<&'static str>,
    },
    /// Throttled; retry after the given seconds.
    #[error("尝试过于频繁，请稍后再试 / too many attempts, try later")]
    TooManyRequests(u64),
    /// The second factor is still required.
    #[error("需要完成双因素认证 / second factor required")]
    MfaRequired,
    /// A one-time password must be replaced first.
    #[error("请先修改初始密码 / change your one-time password first")]
    PasswordChangeRequired,
    /// The service cannot answer now (a stopped writer, a closed database): logged, 503.
    #[error("服务暂时不可用，请稍后再试 / temporarily unavailable, try again later")]
    Unavailable(String),
    /// Anything else: logged, never shown.
    #[error("服务器内部错误 / internal error")]
    Internal(String),
}

/// Result alias of handlers.
pub type AppResult<T, E = AppError> = Result<T, E>;

/// What the page renderer needs to know about an error response.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Stable code.
    pub code: &'static str,
    /// Message (Chinese / English).
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: String,
    fields: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    current_status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_steps: Option<&'a [&'static str]>,
}

impl AppError {
    /// The stable code and HTTP status.
    pub fn code_and_status(&self) -> (&'static str, StatusCode) {
        match self {
            AppError::Unauthenticated => ("unauthenticated", StatusCode::UNAUTHORIZED),
            AppError::InvalidCredentials => ("invalid_credentials", StatusCode::UNAUTHORIZED),
            AppError::Forbidden => ("forbidden", StatusCode::FORBIDDEN),
            AppError::CrossSite => ("cross_site", StatusCode::FORBIDDEN),
            AppError::NotFound => ("not_found", StatusCode::NOT_FOUND),
            AppError::Validation(_) => ("validation", StatusCode::UNPROCESSABLE_ENTITY),
            AppError::BadRequest(code, _) => (code, StatusCode::BAD_REQUEST),
            AppError::Unclean(field) if field.code == "invalid_utf8" => ("invalid_utf8", StatusCode::BAD_REQUEST),
            AppError::Unclean(_) => ("control_characters", StatusCode::BAD_REQUEST),
            AppError::PayloadTooLarge => ("payload_too_large", StatusCode::PAYLOAD_TOO_LARGE),
            AppError::UnsupportedMediaType => ("unsupported_media_type", StatusCode::UNSUPPORTED_MEDIA_TYPE),
            AppError::Conflict(code, _) | AppError::Transition { code, .. } => (code, StatusCode::CONFLICT),
            AppError::TooManyRequests(_) => ("too_many_requests", StatusCode::TOO_MANY_REQUESTS),
            AppError::MfaRequired => ("mfa_required", StatusCode::UNAUTHORIZED),
            AppError::PasswordChangeRequired => ("password_change_required", StatusCode::FORBIDDEN),
            AppError::Unavailable(_) => ("unavailable", StatusCode::SERVICE_UNAVAILABLE),
            AppError::Internal(_) => ("internal", StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl AppError {
    /// A validation error of one field: its name, a stable rule code and a message.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (code, status) = self.code_and_status();
        if let AppError::Internal(detail) | AppError::Unavailable(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let fields: &[FieldError] = match &self {
            AppError::Validation(fields) => fields,
            AppError::Unclean(field) => std::slice::from_ref(field),
            _ => &[],
        };
        let message = self.to_string();
        let (current_status, version, allowed_steps) = match &self {
            AppError::Transition { current_status, version, allowed_steps, .. } => {
                (Some(*current_status), Some(*version), Some(allowed_steps.as_slice()))
            }
            _ => (None, None, None),
        };
        let detail = Detail { code, message: message.clone(), fields, current_status, version, allowed_steps };
        let mut response = (status, Json(Body { error: detail })).into_response();
        if let AppError::TooManyRequests(seconds) = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response.extensions_mut().insert(ErrorInfo { code, message });
        response
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Duplicate(field) => {
                AppError::field(field, &format!("{field}.taken"), "该值已被使用 / already registered")
            }
            StoreError::Conflict(message) => AppError::Conflict("conflict", message),
            StoreError::Stale => AppError::Conflict(
                "stale_version",
                "已被他人更新，请刷新后重试 / changed by someone else, reload".into(),
            ),
            // Callers that know when the limit resets answer with that; this is the fallback.
            StoreError::Limit => AppError::TooManyRequests(60),
            StoreError::Unavailable(detail) => AppError::Unavailable(detail),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// A lookup whose absence is the caller's mistake: `NotFound` becomes `missing()` (usually a field
/// error naming what was chosen); any other store failure stays a server error — a database that fails
/// never answers "choose a category".
pub fn found<T>(result: Result<T, StoreError>, missing: impl FnOnce() -> AppError) -> AppResult<T> {
    match result {
        Ok(value) => Ok(value),
        Err(StoreError::NotFound) => Err(missing()),
        Err(other) => Err(other.into()),
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Errors tell the truth (issue 15): only a missing row is the caller's mistake; a failing database
    /// is a server error (500), a stopped writer 503 — never a field error, never a 409.
    #[test]
    fn only_a_missing_row_becomes_the_callers_mistake() {
        let missing = || AppError::field("category_id", "category.unknown", "choose");
        let (code, _) = found::<()>(Err(StoreError::NotFound), missing).expect_err("missing").code_and_status();
        assert_eq!(code, "validation");
        let failed = found::<()>(Err(StoreError::Database(sqlx::Error::PoolClosed)), missing).expect_err("failed");
        assert_eq!(failed.code_and_status(), ("internal", StatusCode::INTERNAL_SERVER_ERROR));
        let stopped = AppError::from(StoreError::Unavailable("the intake writer stopped".into()));
        assert_eq!(stopped.code_and_status(), ("unavailable", StatusCode::SERVICE_UNAVAILABLE));
        let invariant = AppError::from(StoreError::Invariant("an item needs a submitter"));
        assert_eq!(invariant.code_and_status().1, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!stopped.to_string().contains("writer"), "the cause is logged, not shown");
    }
}
