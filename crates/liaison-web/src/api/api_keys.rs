//! `/api/v1/api-keys`: the API keys of Open311 clients — list, issue, rotate, revoke (security
//! administrators only) — and `/api/v1/me/api-keys`: the keys acting as the signed-in account, which its
//! holder consents to. A new or rotated secret is in the answer once and never again.

use super::json::Json;
use crate::AppState;
use crate::actions::api_keys::{self, IssuedKey, KeyFields};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use axum::extract::State;
use axum::http::StatusCode;
use liaison_store::api_keys::ApiKey;

/// Every key, newest first.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "admin",
    responses((status = 200, body = Vec<ApiKey>), (status = 401), (status = 403)))]
pub async fn list(State(state): State<AppState>, CurrentUser(authed): CurrentUser) -> AppResult<Json<Vec<ApiKey>>> {
    Ok(Json(api_keys::list(&state, &authed).await?))
}

/// Issues a key bound to an account; the answer carries the secret, once.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "admin", request_body = KeyFields,
    responses((status = 201, body = IssuedKey), (status = 401), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(fields): AppJson<KeyFields>,
) -> AppResult<(StatusCode, Json<IssuedKey>)> {
    Ok((StatusCode::CREATED, Json(api_keys::issue(&state, &authed, &fields).await?)))
}

/// Replaces a key's secret; the old one stops working at once. The answer carries the new one, once.
#[utoipa::path(post, path = "/api/v1/api-keys/{id}/rotation", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = IssuedKey), (status = 401), (status = 403), (status = 404)))]
pub async fn rotate(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<IssuedKey>> {
    Ok(Json(api_keys::rotate(&state, &authed, id).await?))
}

/// Revokes a key.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn revoke(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<StatusCode> {
    api_keys::revoke(&state, &authed, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The keys that act as the signed-in account (any user), newest first: what its holder reviews.
#[utoipa::path(get, path = "/api/v1/me/api-keys", tag = "session",
    responses((status = 200, body = Vec<ApiKey>), (status = 401)))]
pub async fn mine(State(state): State<AppState>, CurrentUser(authed): CurrentUser) -> AppResult<Json<Vec<ApiKey>>> {
    Ok(Json(api_keys::mine(&state, &authed).await?))
}

/// The signed-in account's holder consents to a key acting as them (until its next rotation); 404
/// for a key that acts as someone else.
#[utoipa::path(post, path = "/api/v1/me/api-keys/{id}/consent", tag = "session", params(("id" = i64, Path)),
    responses((status = 204, description = "已确认 / consented"), (status = 401), (status = 404)))]
pub async fn consent(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<StatusCode> {
    api_keys::consent(&state, &authed, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
