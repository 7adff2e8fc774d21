//! `/api/v1/categories` (create, retire) and `/api/v1/sla-policies`: the closed loop's catalogue,
//! managed by the system administrator.

use super::json::Json;
use crate::AppState;
use crate::actions::catalogue::{self, CategoryFields, PolicyFields, create_category, set_category_retired};
use crate::actions::services::{self, ServiceFields};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Retire or reinstate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"retired": true}))]
pub struct RetireBody {
    /// True to retire.
    pub retired: bool,
}

/// The id of a created category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCategory {
    /// Id.
    pub id: i64,
}

/// Adds a category.
#[utoipa::path(post, path = "/api/v1/categories", tag = "items", request_body = CategoryFields,
    responses((status = 201, body = CreatedCategory), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(fields): AppJson<CategoryFields>,
) -> AppResult<(StatusCode, Json<CreatedCategory>)> {
    let id = create_category(&state, &authed, &fields).await?;
    Ok((StatusCode::CREATED, Json(CreatedCategory { id })))
}

/// Retires or reinstates a category (old items keep it).
#[utoipa::path(post, path = "/api/v1/categories/{id}/retired", tag = "items", params(("id" = i64, Path)),
    request_body = RetireBody, responses((status = 204), (status = 403), (status = 404)))]
pub async fn retire(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<RetireBody>,
) -> AppResult<StatusCode> {
    set_category_retired(&state, &authed, id, body.retired).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the SLA policy of a kind × priority.
#[utoipa::path(put, path = "/api/v1/sla-policies/{kind}/{priority}", tag = "items",
    params(("kind" = String, Path), ("priority" = String, Path)), request_body = PolicyFields,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_policy(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath((kind, priority)): AppPath<(String, String)>,
    AppJson(fields): AppJson<PolicyFields>,
) -> AppResult<StatusCode> {
    catalogue::set_policy(&state, &authed, &kind, &priority, fields).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets how a category is offered as an Open311 service: public or not, description, keywords and the
/// attributes a request gives (replaced as a whole).
#[utoipa::path(put, path = "/api/v1/categories/{id}/service", tag = "items", params(("id" = i64, Path)),
    request_body = ServiceFields, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_service(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(fields): AppJson<ServiceFields>,
) -> AppResult<StatusCode> {
    services::set_service(&state, &authed, id, &fields).await?;
    Ok(StatusCode::NO_CONTENT)
}
