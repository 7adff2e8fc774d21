//! `/api/v1/categories` (create, retire) and `/api/v1/sla-policies`: the closed loop's catalogue,
//! managed by the system administrator.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{AppJson, AppPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_core::item::{Kind, Priority};
use liaison_core::permission::Action;
use liaison_core::sla::{Policy, Span};
use liaison_core::validate::{FieldErrors, text};
use liaison_store::catalogue::CategoryInput;
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
    authed.require(Action::ManageCatalogue)?;
    let mut errors = FieldErrors::default();
    let kind = Kind::parse(&body.kind);
    if kind.is_none() {
        errors.push(liaison_core::validate::FieldError::new("kind", "kind.unknown", "未知类型 / unknown kind"));
    }
    let name = errors.check("name", text::name(&body.name, 50));
    if body.resolve_days.is_some_and(|d| !(1..=120).contains(&d)) {
        errors.push(liaison_core::validate::FieldError::new("resolve_days", "resolve_days.range", "1–120 个工作日"));
    }
    if let Some(unit) = body.default_unit_id {
        state.db.unit(unit).await.map_err(|_| AppError::field("default_unit_id", "unit.unknown", "单位不存在"))?;
    }
    let input = errors.finish(|| {
        Some(CategoryInput {
            kind: kind?,
            name: name?,
            default_unit_id: body.default_unit_id,
            resolve_days: body.resolve_days,
        })
    })?;
    let id = state.db.create_category(&authed.ctx(state.clock.now()), &input).await?;
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
    authed.require(Action::ManageCatalogue)?;
    state.db.set_category_retired(&authed.ctx(state.clock.now()), id, body.retired).await?;
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
    authed.require(Action::ManageCatalogue)?;
    let (Some(kind), Some(priority)) = (Kind::parse(&kind), Priority::parse(&priority)) else {
        return Err(AppError::NotFound);
    };
    let respond = match (body.respond_hours, body.respond_days) {
        (Some(hours), None) => Span::Hours(hours),
        (None, Some(days)) => Span::WorkingDays(days),
        _ => {
            return Err(AppError::field(
                "respond_hours",
                "respond.one_of",
                "响应时限填写小时或工作日之一 / hours or days",
            ));
        }
    };
    let policy = Policy { respond, resolve_days: body.resolve_days, warn_percent: body.warn_percent };
    policy.validate().map_err(|message| AppError::field("resolve_days", "policy.range", message))?;
    state.db.set_sla_policy(&authed.ctx(state.clock.now()), kind, priority, &policy).await?;
    Ok(StatusCode::NO_CONTENT)
}
