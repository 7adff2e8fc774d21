//! `/api/v1/categories` (create, retire) and `/api/v1/sla-policies`: the closed loop's catalogue,
//! managed by the system administrator.

use crate::AppState;
use crate::actions::catalogue::{self, CategoryFields, PolicyFields, create_category, set_category_retired};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Default handling unit.
    pub default_unit_id: Option<i64>,
    /// Resolution allowance in working days (overrides the policy).
    pub resolve_days: Option<i64>,
}

/// Retire or reinstate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireBody {
    /// True to retire.
    pub retired: bool,
}

/// An SLA policy.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// Response allowance in wall-clock hours (urgent), or
    pub respond_hours: Option<i64>,
    /// in working days.
    pub respond_days: Option<i64>,
    /// Resolution allowance in working days.
    pub resolve_days: i64,
    /// Warning share in percent.
    pub warn_percent: i64,
}

/// The id of a created category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCategory {
    /// Id.
    pub id: i64,
}

/// Adds a category.
#[utoipa::path(post, path = "/api/v1/categories", tag = "items", request_body = CategoryBody,
    responses((status = 201, body = CreatedCategory), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(body): AppJson<CategoryBody>,
) -> AppResult<(StatusCode, Json<CreatedCategory>)> {
    let fields = CategoryFields {
        kind: body.kind,
        name: body.name,
        default_unit_id: body.default_unit_id,
        resolve_days: body.resolve_days,
    };
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
    params(("kind" = String, Path), ("priority" = String, Path)), request_body = PolicyBody,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_policy(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath((kind, priority)): AppPath<(String, String)>,
    AppJson(body): AppJson<PolicyBody>,
) -> AppResult<StatusCode> {
    let fields = PolicyFields {
        respond_hours: body.respond_hours,
        respond_days: body.respond_days,
        resolve_days: body.resolve_days,
        warn_percent: body.warn_percent,
    };
    catalogue::set_policy(&state, &authed, &kind, &priority, fields).await?;
    Ok(StatusCode::NO_CONTENT)
}
