//! What administrators do to someone else's account — disable or re-enable, reset the password, end
//! its sessions, lift a sign-in lock — under `liaison_core::permission::may_change_account` (an
//! administrator's account only by its own duty; never one's own). The same use cases as `/users`.

use super::json::Json;
use crate::AppState;
use crate::actions;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether the account may sign in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct StatusBody {
    /// `false` disables the account and ends its sessions; `true` enables it again.
    pub active: bool,
}

/// Disables or re-enables an account (system admin; an administrator's account only by its own duty).
#[utoipa::path(post, path = "/api/v1/users/{id}/status", tag = "admin", params(("id" = i64, Path)), request_body = StatusBody,
    responses((status = 204, description = "已更新 / updated"), (status = 403), (status = 404), (status = 409)))]
pub async fn set_status(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<StatusBody>,
) -> AppResult<StatusCode> {
    actions::set_user_active(&state, &authed, id, body.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A one-time password, shown once; it must be changed at the next sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetPassword {
    /// The one-time password.
    pub initial_password: String,
}

/// Resets an account's password to a one-time one and ends its sessions (system admin; an
/// administrator's account only by its own duty).
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = ResetPassword, description = "一次性密码 / the one-time password"), (status = 403), (status = 404)))]
pub async fn reset_password(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<ResetPassword>> {
    let initial_password = actions::reset_password(&state, &authed, id).await?;
    Ok(Json(ResetPassword { initial_password }))
}

/// How many sessions ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedSessions {
    /// Sessions ended.
    pub ended: u64,
}

/// Ends every session of an account (security admin).
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = EndedSessions, description = "已结束的会话数 / sessions ended"), (status = 403), (status = 404)))]
pub async fn end_sessions(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<EndedSessions>> {
    let ended = actions::kill_sessions(&state, &authed, id).await?;
    Ok(Json(EndedSessions { ended }))
}

/// Lifts an account's sign-in refusals: its lock for unknown sources and its counted failures
/// (security admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204, description = "已解除 / lifted"), (status = 403), (status = 404)))]
pub async fn unlock(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<StatusCode> {
    actions::unlock_user(&state, &authed, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
