//! `/api/v1/api-keys`: the API keys of Open311 clients — list, issue, rotate, revoke (security
//! administrators only). A new or rotated secret is in the answer once and never again.

use crate::AppState;
use crate::actions::api_keys::{self, IssuedKey, KeyFields};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A key as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// Id.
    pub id: i64,
    /// What the client is.
    pub name: String,
    /// The account it acts as.
    pub username: String,
    /// The first characters of the secret.
    pub prefix: String,
    /// Reads private requests too.
    pub read_private: bool,
    /// Uses per minute.
    pub per_minute: i64,
    /// Issued.
    pub created_at: DateTime<Utc>,
    /// Last rotated.
    pub rotated_at: Option<DateTime<Utc>>,
    /// Last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<liaison_store::api_keys::ApiKey> for ApiKeyView {
    fn from(k: liaison_store::api_keys::ApiKey) -> Self {
        ApiKeyView {
            id: k.id,
            name: k.name,
            username: k.username,
            prefix: k.prefix,
            read_private: k.read_private,
            per_minute: k.per_minute,
            created_at: k.created_at,
            rotated_at: k.rotated_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// Every key, newest first.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "admin",
    responses((status = 200, body = Vec<ApiKeyView>), (status = 401), (status = 403)))]
pub async fn list(State(state): State<AppState>, CurrentUser(authed): CurrentUser) -> AppResult<Json<Vec<ApiKeyView>>> {
    Ok(Json(api_keys::list(&state, &authed).await?.into_iter().map(ApiKeyView::from).collect()))
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
