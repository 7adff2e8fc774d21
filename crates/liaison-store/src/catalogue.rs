//! The admin-managed catalogue of the closed loop: item categories (each with a default handling unit
//! and an optional resolution allowance) and the SLA policy per kind × priority.

use crate::audit::append;
use crate::{Ctx, Db, StoreError, StoreResult};
use liaison_core::item::{Kind, Priority};
use liaison_core::sla::{Policy, Span};

/// A category.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Category {
    /// Id.
    pub id: i64,
    /// Kind code it belongs to.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Default handling unit (none: the enterprise's station).
    pub default_unit_id: Option<i64>,
    /// Resolution allowance in working days, overriding the kind × priority policy.
    pub resolve_days: Option<i64>,
    /// Retired categories are kept for old items but not offered.
    pub retired: bool,
}

/// A category as an admin enters it.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    /// Kind.
    pub kind: Kind,
    /// Name (validated).
    pub name: String,
    /// Default handling unit.
    pub default_unit_id: Option<i64>,
    /// Override of the resolution allowance.
    pub resolve_days: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    respond_hours: Option<i64>,
    respond_days: Option<i64>,
    resolve_days: i64,
    warn_percent: i64,
}

impl From<PolicyRow> for Policy {
    fn from(row: PolicyRow) -> Self {
        let respond = match (row.respond_hours, row.respond_days) {
            (Some(hours), _) => Span::Hours(hours),
            (None, days) => Span::WorkingDays(days.unwrap_or(1)),
        };
        Policy { respond, resolve_days: row.resolve_days, warn_percent: row.warn_percent }
    }
}

/// A policy with its kind and priority codes.
#[derive(sqlx::FromRow)]
struct KeyedPolicyRow {
    kind: String,
    priority: String,
    #[sqlx(flatten)]
    policy: PolicyRow,
}

/// A category with the SLA policy an item of it gets at a priority (its own `resolve_days` renamed, as
/// the policy's column carries the override applied).
#[derive(sqlx::FromRow)]
struct CategoryTermsRow {
    id: i64,
    kind: String,
    name: String,
    default_unit_id: Option<i64>,
    category_resolve_days: Option<i64>,
    retired: bool,
    #[sqlx(flatten)]
    policy: PolicyRow,
}

impl Db {
    /// Categories, optionally of one kind; retired ones only when asked for.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn categories(&self, kind: Option<Kind>, include_retired: bool) -> StoreResult<Vec<Category>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT id, kind, name, default_unit_id, resolve_days, retired_at IS NOT NULL AS retired FROM item_category
             WHERE ($1 IS NULL OR kind = $1) AND ($2 OR retired_at IS NULL) ORDER BY kind, id"
        )
        .bind(kind.map(Kind::code))
        .bind(include_retired)
        .fetch_all(c))?)
    }

    /// One category.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn category(&self, id: i64) -> StoreResult<Category> {
        read!(self, |c| sqlx::query_as(
            "SELECT id, kind, name, default_unit_id, resolve_days, retired_at IS NOT NULL AS retired
             FROM item_category WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(c))?
        .ok_or(StoreError::NotFound)
    }

    /// Adds a category.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_category(&self, ctx: &Ctx, input: &CategoryInput) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO item_category (kind, name, default_unit_id, resolve_days, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id"
        )
        .bind(input.kind.code())
        .bind(&input.name)
        .bind(input.default_unit_id)
        .bind(input.resolve_days)
        .bind(ctx.at)
        .fetch_one(c)
        })?;
        append(&mut tx, ctx.at, &ctx.event("category.create", "item_category", Some(id), &input.name)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Retires (or reinstates) a category.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_category_retired(&self, ctx: &Ctx, id: i64, retired: bool) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let changed = exec!(&mut tx, |c| sqlx::query(
            "UPDATE item_category SET retired_at = CASE WHEN $2 THEN $3 ELSE NULL END WHERE id = $1"
        )
        .bind(id)
        .bind(retired)
        .bind(ctx.at)
        .execute(c))?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let action = if retired { "category.retire" } else { "category.reinstate" };
        append(&mut tx, ctx.at, &ctx.event(action, "item_category", Some(id), "")).await?;
        tx.commit().await
    }

    /// The SLA policy of a kind × priority, with the category's resolution override applied.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn sla_policy(&self, kind: Kind, priority: Priority, category_id: i64) -> StoreResult<Policy> {
        let row: PolicyRow = read!(self, |c| sqlx::query_as(
            "SELECT p.respond_hours, p.respond_days,
                    COALESCE((SELECT resolve_days FROM item_category WHERE id = $3), p.resolve_days) AS resolve_days,
                    p.warn_percent
             FROM sla_policy p WHERE p.kind = $1 AND p.priority = $2"
        )
        .bind(kind.code())
        .bind(priority.code())
        .bind(category_id)
        .fetch_optional(c))?
        .ok_or(StoreError::NotFound)?;
        Ok(row.into())
    }

    /// A category with the SLA policy of its kind at `priority` (its resolution override applied), in one
    /// read — what an intake needs to know.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn category_terms(&self, id: i64, priority: Priority) -> StoreResult<(Category, Policy)> {
        let row: CategoryTermsRow = read!(self, |c| sqlx::query_as(
            "SELECT c.id, c.kind, c.name, c.default_unit_id, c.resolve_days AS category_resolve_days,
                    c.retired_at IS NOT NULL AS retired, p.respond_hours, p.respond_days,
                    COALESCE(c.resolve_days, p.resolve_days) AS resolve_days, p.warn_percent
             FROM item_category c JOIN sla_policy p ON p.kind = c.kind AND p.priority = $2 WHERE c.id = $1"
        )
        .bind(id)
        .bind(priority.code())
        .fetch_optional(c))?
        .ok_or(StoreError::NotFound)?;
        let category = Category {
            id: row.id,
            kind: row.kind,
            name: row.name,
            default_unit_id: row.default_unit_id,
            resolve_days: row.category_resolve_days,
            retired: row.retired,
        };
        Ok((category, row.policy.into()))
    }

    /// Every kind × priority policy, in the order of the kinds and priorities.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn sla_policies(&self) -> StoreResult<Vec<(Kind, Priority, Policy)>> {
        let rows: Vec<KeyedPolicyRow> = read!(self, |c| sqlx::query_as(
            "SELECT kind, priority, respond_hours, respond_days, resolve_days, warn_percent FROM sla_policy"
        )
        .fetch_all(c))?;
        let mut policies: Vec<(Kind, Priority, Policy)> = rows
            .into_iter()
            .filter_map(|row| Some((Kind::parse(&row.kind)?, Priority::parse(&row.priority)?, row.policy.into())))
            .collect();
        let position = |kind: Kind, priority: Priority| {
            (Kind::ALL.iter().position(|k| *k == kind), Priority::ALL.iter().position(|p| *p == priority))
        };
        policies.sort_by_key(|(kind, priority, _)| position(*kind, *priority));
        Ok(policies)
    }

    /// Replaces the policy of a kind × priority (validated by the caller).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_sla_policy(&self, ctx: &Ctx, kind: Kind, priority: Priority, policy: &Policy) -> StoreResult<()> {
        let (hours, days) = match policy.respond {
            Span::Hours(h) => (Some(h), None),
            Span::WorkingDays(d) => (None, Some(d)),
        };
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "UPDATE sla_policy SET respond_hours = $3, respond_days = $4, resolve_days = $5, warn_percent = $6
             WHERE kind = $1 AND priority = $2"
        )
        .bind(kind.code())
        .bind(priority.code())
        .bind(hours)
        .bind(days)
        .bind(policy.resolve_days)
        .bind(policy.warn_percent)
        .execute(c))?;
        let detail = format!("{} {} {:?}", kind.code(), priority.code(), policy);
        append(&mut tx, ctx.at, &ctx.event("sla_policy.update", "sla_policy", None, detail)).await?;
        tx.commit().await
    }
}
