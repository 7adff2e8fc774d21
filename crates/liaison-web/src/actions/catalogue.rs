//! The closed loop's catalogue, managed by the system administrator: categories (added, retired,
//! reinstated) and the SLA policy of each kind × priority — shared by the console page and the API.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use liaison_core::item::{Kind, Priority};
use liaison_core::org::{OrgKind, OrgPath};
use liaison_core::permission::Action;
use liaison_core::sla::{Policy, Span};
use liaison_core::validate::{FieldError, FieldErrors, text};
use liaison_store::catalogue::{Category, CategoryInput};
use liaison_store::org::OrgUnit;
use serde::Deserialize;
use utoipa::ToSchema;

/// A new category as entered (also the body of `POST /api/v1/categories`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "need", "name": "水电保障", "default_unit_id": null, "resolve_days": 3}))]
pub struct CategoryFields {
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Default handling unit.
    pub default_unit_id: Option<i64>,
    /// Resolution allowance in working days (overrides the kind × priority policy).
    pub resolve_days: Option<i64>,
}

/// An SLA policy as entered: the response allowance in hours *or* working days (also the body of
/// `PUT /api/v1/sla-policies/{kind}/{priority}`).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"respond_hours": null, "respond_days": 1, "resolve_days": 5, "warn_percent": 80}))]
pub struct PolicyFields {
    /// Response allowance in wall-clock hours.
    pub respond_hours: Option<i64>,
    /// Response allowance in working days.
    pub respond_days: Option<i64>,
    /// Resolution allowance in working days.
    pub resolve_days: i64,
    /// Warning share in percent.
    pub warn_percent: i64,
}

/// An SLA policy with the kind and priority it is for.
pub type KindPolicy = (Kind, Priority, Policy);

/// The whole catalogue for the administrator: every category (retired ones too) and every policy.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn catalogue(state: &AppState, authed: &Authed) -> AppResult<(Vec<Category>, Vec<KindPolicy>)> {
    authed.require(Action::ManageCatalogue)?;
    Ok((state.db.categories(None, true).await?, state.db.sla_policies().await?))
}

/// The units a category may name as its default handler: centers, stations and partner departments.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn handling_units(state: &AppState) -> AppResult<Vec<OrgUnit>> {
    let Some(root) = state.db.root_unit().await? else { return Ok(Vec::new()) };
    let root = OrgPath::parse(&root.path).ok_or(AppError::NotFound)?;
    let handles = [OrgKind::Center, OrgKind::Station, OrgKind::Department];
    Ok(state
        .db
        .units_within(&root)
        .await?
        .into_iter()
        .filter(|u| u.retired_at.is_none() && OrgKind::parse(&u.kind).is_some_and(|k| handles.contains(&k)))
        .collect())
}

/// Adds a category after checking its kind, name, allowance and unit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_category(state: &AppState, authed: &Authed, fields: &CategoryFields) -> AppResult<i64> {
    authed.require(Action::ManageCatalogue)?;
    let mut errors = FieldErrors::default();
    let kind = Kind::parse(&fields.kind);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "kind.unknown", "未知类型 / unknown kind"));
    }
    let name = errors.check("name", text::name(&fields.name, 50));
    if fields.resolve_days.is_some_and(|d| !(1..=120).contains(&d)) {
        errors.push(FieldError::new("resolve_days", "resolve_days.range", "1–120 个工作日 / 1–120 working days"));
    }
    if let Some(unit) = fields.default_unit_id {
        match state.db.unit(unit).await {
            Ok(_) => {}
            Err(liaison_store::StoreError::NotFound) => {
                errors.push(FieldError::new("default_unit_id", "unit.unknown", "单位不存在 / no such unit"))
            }
            Err(other) => return Err(other.into()),
        }
    }
    let input = errors.finish(|| {
        Some(CategoryInput {
            kind: kind?,
            name: name?,
            default_unit_id: fields.default_unit_id,
            resolve_days: fields.resolve_days,
        })
    })?;
    Ok(state.db.create_category(&authed.ctx(state.clock.now()), &input).await?)
}

/// Retires or reinstates a category (old items keep it).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_category_retired(state: &AppState, authed: &Authed, id: i64, retired: bool) -> AppResult<()> {
    authed.require(Action::ManageCatalogue)?;
    Ok(state.db.set_category_retired(&authed.ctx(state.clock.now()), id, retired).await?)
}

/// Replaces the SLA policy of `kind` × `priority` (codes; unknown ones are 404).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_policy(
    state: &AppState,
    authed: &Authed,
    kind: &str,
    priority: &str,
    fields: PolicyFields,
) -> AppResult<()> {
    authed.require(Action::ManageCatalogue)?;
    let (Some(kind), Some(priority)) = (Kind::parse(kind), Priority::parse(priority)) else {
        return Err(AppError::NotFound);
    };
    let respond = match (fields.respond_hours, fields.respond_days) {
        (Some(hours), None) => Span::Hours(hours),
        (None, Some(days)) => Span::WorkingDays(days),
        _ => {
            return Err(AppError::field(
                "respond_hours",
                "respond.one_of",
                "响应时限填写小时或工作日之一 / give the response allowance in hours or in working days",
            ));
        }
    };
    let policy = Policy { respond, resolve_days: fields.resolve_days, warn_percent: fields.warn_percent };
    policy.validate().map_err(|message| AppError::field("resolve_days", "policy.range", message))?;
    Ok(state.db.set_sla_policy(&authed.ctx(state.clock.now()), kind, priority, &policy).await?)
}
