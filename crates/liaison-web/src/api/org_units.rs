//! Changing org units over the API (system administrators, within their subtree): rename, move under
//! another unit (the subtree and its enterprises follow), retire a unit without active children — the
//! same use cases as the console's `/org`.

use crate::AppState;
use crate::actions;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

/// What changes; at least one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "解放碑联络站"}))]
pub struct UnitChange {
    /// A new name.
    pub name: Option<String>,
    /// A new parent unit.
    pub parent_id: Option<i64>,
}

/// Renames and/or moves an org unit.
#[utoipa::path(put, path = "/api/v1/org-units/{id}", tag = "admin", params(("id" = i64, Path)), request_body = UnitChange,
    responses((status = 204, description = "已更新 / updated"), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn change(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(change): AppJson<UnitChange>,
) -> AppResult<StatusCode> {
    actions::change_unit(&state, &authed, id, change.name.as_deref(), change.parent_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Retires an org unit that has no active child units.
#[utoipa::path(post, path = "/api/v1/org-units/{id}/retirement", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204, description = "已撤销 / retired"), (status = 403), (status = 404), (status = 409)))]
pub async fn retire(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<StatusCode> {
    actions::retire_unit(&state, &authed, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
