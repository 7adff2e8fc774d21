//! Org units: the tree with materialized paths; create, rename, move (re-pathing the subtree and its
//! enterprises) and retire — units are never deleted, and every change is audited.

use crate::audit::append;
use crate::{Ctx, Db, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::org::{OrgKind, OrgPath};

/// A stored org unit.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OrgUnit {
    /// Id.
    pub id: i64,
    /// Parent, `None` for the root.
    pub parent_id: Option<i64>,
    /// Kind code.
    pub kind: String,
    /// Short code (the district's `YZ`).
    pub code: Option<String>,
    /// Name.
    pub name: String,
    /// Materialized path.
    pub path: String,
    /// When retired.
    pub retired_at: Option<DateTime<Utc>>,
}

impl OrgUnit {
    /// The typed path.
    pub fn org_path(&self) -> OrgPath {
        OrgPath::parse(&self.path).unwrap_or_else(|| OrgPath::root(self.id))
    }

    /// The typed kind.
    pub fn org_kind(&self) -> Option<OrgKind> {
        OrgKind::parse(&self.kind)
    }
}

impl Db {
    /// One unit.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unit(&self, id: i64) -> StoreResult<OrgUnit> {
        read!(self, |c| sqlx::query_as(
            "SELECT id, parent_id, kind, code, name, path, retired_at FROM org_unit WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(c))?
        .ok_or(StoreError::NotFound)
    }

    /// The root unit (the city bureau), if any.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn root_unit(&self) -> StoreResult<Option<OrgUnit>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT id, parent_id, kind, code, name, path, retired_at FROM org_unit WHERE parent_id IS NULL ORDER BY id LIMIT 1"
        )
        .fetch_optional(c)
        })?)
    }

    /// Every unit within `root` (itself included), in tree order.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn units_within(&self, root: &OrgPath) -> StoreResult<Vec<OrgUnit>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT id, parent_id, kind, code, name, path, retired_at FROM org_unit
             WHERE path >= $1 AND path < $2 ORDER BY path"
        )
        .bind(root.as_str())
        .bind(root.range_end())
        .fetch_all(c))?)
    }

    /// Units of one kind within `root`, by name.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn units_of_kind(&self, root: &OrgPath, kind: OrgKind) -> StoreResult<Vec<OrgUnit>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT id, parent_id, kind, code, name, path, retired_at FROM org_unit
             WHERE path >= $1 AND path < $2 AND kind = $3 AND retired_at IS NULL ORDER BY path"
        )
        .bind(root.as_str())
        .bind(root.range_end())
        .bind(kind.code())
        .fetch_all(c))?)
    }

    /// Creates a unit under `parent_id` (`None` creates a root), checking the kind may sit there.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_unit(
        &self,
        ctx: &Ctx,
        parent_id: Option<i64>,
        kind: OrgKind,
        name: &str,
        code: Option<&str>,
    ) -> StoreResult<OrgUnit> {
        let parent = match parent_id {
            Some(id) => Some(self.unit(id).await?),
            None => None,
        };
        if parent.as_ref().is_some_and(|p| p.retired_at.is_some()) {
            return Err(StoreError::Conflict("parent unit is retired".into()));
        }
        if !kind.may_sit_under(parent.as_ref().and_then(OrgUnit::org_kind)) {
            return Err(StoreError::Conflict(format!("a {} cannot sit there", kind.code())));
        }
        let mut tx = self.begin().await?;
        // The path needs the new id: insert with a unique placeholder, then set it.
        let placeholder = format!("/new/{}", liaison_core::token::random_hex(8));
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO org_unit (parent_id, kind, code, name, path, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(parent_id)
        .bind(kind.code())
        .bind(code)
        .bind(name)
        .bind(&placeholder)
        .bind(ctx.at)
        .fetch_one(c)
        })?;
        let path = parent.map_or_else(|| OrgPath::root(id), |p| p.org_path().child(id));
        exec!(&mut tx, |c| sqlx::query("UPDATE org_unit SET path = $1 WHERE id = $2")
            .bind(path.as_str())
            .bind(id)
            .execute(c))?;
        append(&mut tx, ctx.at, &ctx.event("org.create", "org_unit", Some(id), kind.code())).await?;
        tx.commit().await?;
        self.unit(id).await
    }

    /// Renames a unit.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rename_unit(&self, ctx: &Ctx, id: i64, name: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query("UPDATE org_unit SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, ctx.at, &ctx.event("org.rename", "org_unit", Some(id), "")).await?;
        tx.commit().await
    }

    /// Moves a unit under a new parent; the paths of its subtree and of their enterprises follow.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn move_unit(&self, ctx: &Ctx, id: i64, new_parent_id: i64) -> StoreResult<()> {
        let unit = self.unit(id).await?;
        let parent = self.unit(new_parent_id).await?;
        let old = unit.org_path();
        if parent.org_path().is_within(&old) {
            return Err(StoreError::Conflict("a unit cannot move under itself".into()));
        }
        if parent.retired_at.is_some() || !unit.org_kind().is_some_and(|k| k.may_sit_under(parent.org_kind())) {
            return Err(StoreError::Conflict("the new parent cannot hold this unit".into()));
        }
        let new = parent.org_path().child(id);
        let mut tx = self.begin().await?;
        for sql in [
            "UPDATE org_unit SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path >= $3 AND path < $4",
            "UPDATE enterprise SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path >= $3 AND path < $4",
            "UPDATE enterprise_count SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path >= $3 AND path < $4",
        ] {
            exec!(&mut tx, |c| sqlx::query(sql)
                .bind(new.as_str())
                .bind(old.as_str().len() as i64 + 1)
                .bind(old.as_str())
                .bind(old.range_end())
                .execute(c))?;
        }
        exec!(&mut tx, |c| sqlx::query("UPDATE org_unit SET parent_id = $1 WHERE id = $2")
            .bind(new_parent_id)
            .bind(id)
            .execute(c))?;
        append(&mut tx, ctx.at, &ctx.event("org.move", "org_unit", Some(id), format!("{old} -> {new}"))).await?;
        tx.commit().await
    }

    /// Retires a unit that has no active children; history and references stay.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn retire_unit(&self, ctx: &Ctx, id: i64) -> StoreResult<()> {
        let active_children: i64 = read!(self, |c| sqlx::query_scalar(
            "SELECT count(*) FROM org_unit WHERE parent_id = $1 AND retired_at IS NULL"
        )
        .bind(id)
        .fetch_one(c))?;
        if active_children > 0 {
            return Err(StoreError::Conflict("retire the child units first".into()));
        }
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query(
            "UPDATE org_unit SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL"
        )
        .bind(ctx.at)
        .bind(id)
        .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, ctx.at, &ctx.event("org.retire", "org_unit", Some(id), "")).await?;
        tx.commit().await
    }
}
