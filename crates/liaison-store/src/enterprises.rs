//! Enterprises and 一企一警: scoped lists, details, create/edit/retire, officer assignment with
//! history, bulk import in one transaction, and coverage per station.

use crate::audit::append;
use crate::{Ctx, Db, Page, Paging, StoreError, StoreResult, Tx};
use chrono::{DateTime, Utc};
use liaison_core::enterprise::EnterpriseDetails;
use liaison_core::org::{OrgKind, OrgPath};
use liaison_core::permission::Visibility;

/// A stored enterprise with its community and officer names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EnterpriseRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Address.
    pub address: String,
    /// Industry section.
    pub industry: String,
    /// Scale code.
    pub scale: String,
    /// 重点企业.
    pub key_enterprise: bool,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Community unit.
    pub community_id: i64,
    /// Community name.
    pub community_name: String,
    /// Path of the community.
    pub path: String,
    /// Responsible officer.
    pub officer_id: Option<i64>,
    /// Officer's name.
    pub officer_name: Option<String>,
    /// Contact person.
    pub contact_name: String,
    /// Contact mobile (mask before showing).
    pub contact_mobile: String,
    /// `active` or `retired`.
    pub status: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl EnterpriseRow {
    /// The typed path.
    pub fn org_path(&self) -> OrgPath {
        OrgPath::parse(&self.path).unwrap_or_else(|| OrgPath::root(self.community_id))
    }
}

/// Filters of the enterprise list.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Part of the name, or the exact credit code.
    pub query: String,
    /// Only key enterprises.
    pub key_only: bool,
    /// Retired instead of active ones.
    pub retired: bool,
    /// Only those this officer is responsible for.
    pub officer_id: Option<i64>,
}

/// One change of responsible officer.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Assignment {
    /// Officer (none when the community had no officer).
    pub officer_id: Option<i64>,
    /// Officer name.
    pub officer_name: Option<String>,
    /// From.
    pub from_at: DateTime<Utc>,
    /// Until (open when current).
    pub to_at: Option<DateTime<Utc>>,
    /// Why.
    pub reason: String,
}

/// Coverage and load of one station.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct StationCoverage {
    /// Station id.
    pub station_id: i64,
    /// Station name.
    pub station_name: String,
    /// Active enterprises.
    pub enterprises: i64,
    /// Of which with an officer.
    pub covered: i64,
    /// Key enterprises.
    pub key_enterprises: i64,
    /// Officers in its communities.
    pub officers: i64,
}

macro_rules! select_enterprise {
    ($rest:literal) => {
        concat!(
            "SELECT e.id, e.name, e.credit_code, e.address, e.industry, e.scale, e.key_enterprise, e.longitude, e.latitude,
                    e.community_id, o.name AS community_name, e.path, e.officer_id, u.display_name AS officer_name,
                    e.contact_name, e.contact_mobile, e.status, e.created_at, e.updated_at
             FROM enterprise e JOIN org_unit o ON o.id = e.community_id LEFT JOIN app_user u ON u.id = e.officer_id ",
            $rest
        )
    };
}

/// The list filter after a scope clause that uses `$1` and `$2`.
macro_rules! list_filter {
    () => {
        " AND e.status = $3 AND ($4 = '' OR e.name LIKE $5 ESCAPE '\\' OR e.credit_code = $4) AND ($6 = FALSE OR e.key_enterprise = TRUE)"
    };
}

/// Runs the page and count texts of one scope, binding `$1`/`$2` to `a`/`b`. The page text walks the
/// primary key newest-first (its scope test is deliberately not index-driven, so no large sort is
/// needed); the count text uses the indexes. `$total` skips the count when the caller already knows it.
macro_rules! scoped_page {
    ($db:expr, $page_scope:literal, $count_scope:literal, $a:expr, $b:expr, $f:expr, $paging:expr, $total:expr) => {{
        let status = if $f.retired { "retired" } else { "active" };
        let query = $f.query.trim().to_uppercase();
        let like = format!("%{}%", $crate::like_literal($f.query.trim()));
        let items: Vec<EnterpriseRow> = read!($db, |c| sqlx::query_as(concat!(
            select_enterprise!("WHERE "),
            $page_scope,
            list_filter!(),
            " ORDER BY e.id DESC LIMIT $7 OFFSET $8"
        ))
        .bind($a)
        .bind($b)
        .bind(status)
        .bind(&query)
        .bind(&like)
        .bind($f.key_only)
        .bind($paging.per_page)
        .bind($paging.offset())
        .fetch_all(c))?;
        let total: i64 = match $total {
            Some(total) => total,
            None => read!($db, |c| sqlx::query_scalar(concat!(
                "SELECT count(*) FROM enterprise e WHERE ",
                $count_scope,
                list_filter!()
            ))
            .bind($a)
            .bind($b)
            .bind(status)
            .bind(&query)
            .bind(&like)
            .bind($f.key_only)
            .fetch_one(c))?,
        };
        Ok(Page { items, total })
    }};
}

impl Db {
    /// Enterprises the viewer sees, filtered, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn enterprises(
        &self,
        visibility: &Visibility,
        filter: &EnterpriseFilter,
        paging: Paging,
    ) -> StoreResult<Page<EnterpriseRow>> {
        match visibility {
            Visibility::Nothing => Ok(Page { items: Vec::new(), total: 0 }),
            Visibility::Subtree(root) if filter.officer_id.is_some() => scoped_page!(
                self,
                "e.officer_id = $1 AND substr(e.path, 1, length($2)) = $2",
                "e.officer_id = $1 AND substr(e.path, 1, length($2)) = $2",
                filter.officer_id,
                root.as_str(),
                filter,
                paging,
                None::<i64>
            ),
            Visibility::Subtree(root) => {
                let total = self.counted_total(root, filter).await?;
                scoped_page!(
                    self,
                    "substr(e.path, 1, length($1)) = $1 AND length($2) > 0",
                    "e.path >= $1 AND e.path < $2",
                    root.as_str(),
                    root.range_end(),
                    filter,
                    paging,
                    total
                )
            }
            Visibility::Officer(id) => scoped_page!(
                self,
                "e.officer_id = $1 AND e.officer_id = $2",
                "e.officer_id = $1 AND e.officer_id = $2",
                id,
                id,
                filter,
                paging,
                None::<i64>
            ),
            Visibility::Enterprise(id) => scoped_page!(
                self,
                "e.id = $1 AND e.id = $2",
                "e.id = $1 AND e.id = $2",
                id,
                id,
                filter,
                paging,
                None::<i64>
            ),
        }
    }

    /// The total of an unsearched subtree list, from the maintained per-community counts.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn counted_total(&self, root: &OrgPath, filter: &EnterpriseFilter) -> StoreResult<Option<i64>> {
        if !filter.query.trim().is_empty() || (filter.retired && filter.key_only) {
            return Ok(None);
        }
        let total: i64 = read!(self, |c| {
            sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(CASE WHEN $3 THEN retired WHEN $4 THEN active_key ELSE active END), 0) AS BIGINT)
             FROM enterprise_count WHERE path >= $1 AND path < $2"
        )
        .bind(root.as_str())
        .bind(root.range_end())
        .bind(filter.retired)
        .bind(filter.key_only)
        .fetch_one(c)
        })?;
        Ok(Some(total))
    }

    /// One enterprise (the caller checks visibility and answers 404 outside it).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn enterprise(&self, id: i64) -> StoreResult<EnterpriseRow> {
        read!(self, |c| sqlx::query_as(select_enterprise!("WHERE e.id = $1")).bind(id).fetch_optional(c))?
            .ok_or(StoreError::NotFound)
    }

    /// The enterprise with this credit code, if registered.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn enterprise_by_code(&self, code: &str) -> StoreResult<Option<EnterpriseRow>> {
        Ok(read!(self, |c| sqlx::query_as(select_enterprise!("WHERE e.credit_code = $1"))
            .bind(code)
            .fetch_optional(c))?)
    }

    /// A community unit that can hold enterprises.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn community(&self, id: i64) -> StoreResult<(OrgPath, Option<i64>)> {
        let unit = self.unit(id).await?;
        if unit.org_kind() != Some(OrgKind::Community) || unit.retired_at.is_some() {
            return Err(StoreError::Conflict("enterprises belong to an active community".into()));
        }
        let officer = self.officers_of_unit(id).await?.first().map(|(id, _)| *id);
        Ok((unit.org_path(), officer))
    }

    /// Creates an enterprise in a community; the community's officer becomes responsible.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_enterprise(
        &self,
        ctx: &Ctx,
        details: &EnterpriseDetails,
        community_id: i64,
    ) -> StoreResult<i64> {
        let (path, officer) = self.community(community_id).await?;
        let mut tx = self.begin().await?;
        let id = insert_enterprise(&mut tx, ctx, details, community_id, &path, officer).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Imports many enterprises: all are committed or none.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn import_enterprises(
        &self,
        ctx: &Ctx,
        rows: &[(EnterpriseDetails, i64)],
        progress: &(dyn Fn(usize) + Sync),
    ) -> StoreResult<usize> {
        let mut communities = std::collections::HashMap::new();
        for (_, community_id) in rows {
            if !communities.contains_key(community_id) {
                communities.insert(*community_id, self.community(*community_id).await?);
            }
        }
        let mut tx = self.begin().await?;
        for (n, (details, community_id)) in rows.iter().enumerate() {
            let (path, officer) = &communities[community_id];
            insert_enterprise(&mut tx, ctx, details, *community_id, path, *officer).await?;
            progress(n + 1);
        }
        append(&mut tx, ctx.at, &ctx.event("enterprise.import", "enterprise", None, format!("{} rows", rows.len())))
            .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Replaces an enterprise's details.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_enterprise(&self, ctx: &Ctx, id: i64, d: &EnterpriseDetails) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let before = counted_state(&mut tx, id).await?;
        let status = before.2.clone();
        recount(&mut tx, before, &status, d.key_enterprise).await?;
        let done = exec!(&mut tx, |c| {
            sqlx::query(
            "UPDATE enterprise SET name = $1, credit_code = $2, address = $3, industry = $4, scale = $5, key_enterprise = $6,
                longitude = $7, latitude = $8, contact_name = $9, contact_mobile = $10, updated_at = $11 WHERE id = $12"
        )
        .bind(&d.name)
        .bind(d.credit_code.as_str())
        .bind(&d.address)
        .bind(&d.industry)
        .bind(d.scale.code())
        .bind(d.key_enterprise)
        .bind(d.location.map(|l| l.0))
        .bind(d.location.map(|l| l.1))
        .bind(&d.contact_name)
        .bind(d.contact_mobile.as_str())
        .bind(ctx.at)
        .bind(id)
        .execute(c)
        })?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, ctx.at, &ctx.event("enterprise.update", "enterprise", Some(id), "")).await?;
        tx.commit().await
    }

    /// Retires or reinstates an enterprise.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_enterprise_status(&self, ctx: &Ctx, id: i64, retired: bool) -> StoreResult<()> {
        let status = if retired { "retired" } else { "active" };
        let mut tx = self.begin().await?;
        let before = counted_state(&mut tx, id).await?;
        let key = before.3;
        recount(&mut tx, before, status, key).await?;
        let done = exec!(&mut tx, |c| sqlx::query("UPDATE enterprise SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(ctx.at)
            .bind(id)
            .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, ctx.at, &ctx.event("enterprise.status", "enterprise", Some(id), status)).await?;
        tx.commit().await
    }

    /// Makes `officer_id` responsible for the enterprise, closing the previous assignment.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn assign_officer(&self, ctx: &Ctx, id: i64, officer_id: i64, reason: &str) -> StoreResult<()> {
        let officer = self.user(officer_id).await?;
        if !officer.roles.contains(&liaison_core::role::Role::Officer) || officer.row.status != "active" {
            return Err(StoreError::Conflict("only an active liaison officer can be responsible".into()));
        }
        let mut tx = self.begin().await?;
        let done =
            exec!(&mut tx, |c| sqlx::query("UPDATE enterprise SET officer_id = $1, updated_at = $2 WHERE id = $3")
                .bind(officer_id)
                .bind(ctx.at)
                .bind(id)
                .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        record_assignment(&mut tx, ctx, id, Some(officer_id), reason).await?;
        append(
            &mut tx,
            ctx.at,
            &ctx.event("enterprise.assign", "enterprise", Some(id), format!("officer {officer_id}")),
        )
        .await?;
        tx.commit().await
    }

    /// Every responsible officer the enterprise has had, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn officer_history(&self, id: i64) -> StoreResult<Vec<Assignment>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT a.officer_id, u.display_name AS officer_name, a.from_at, a.to_at, a.reason
             FROM officer_assignment a LEFT JOIN app_user u ON u.id = a.officer_id
             WHERE a.enterprise_id = $1 ORDER BY a.from_at DESC, a.id DESC"
        )
        .bind(id)
        .fetch_all(c))?)
    }

    /// Coverage (enterprises with an officer) and load per station within `root`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn coverage_by_station(&self, root: &OrgPath) -> StoreResult<Vec<StationCoverage>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT s.id AS station_id, s.name AS station_name,
                    (SELECT count(*) FROM enterprise e WHERE e.path >= s.path AND e.path < s.path || '~' AND e.status = 'active') AS enterprises,
                    (SELECT count(*) FROM enterprise e WHERE e.path >= s.path AND e.path < s.path || '~' AND e.status = 'active' AND e.officer_id IS NOT NULL) AS covered,
                    (SELECT count(*) FROM enterprise e WHERE e.path >= s.path AND e.path < s.path || '~' AND e.status = 'active' AND e.key_enterprise = TRUE) AS key_enterprises,
                    (SELECT count(*) FROM app_user u JOIN org_unit cu ON cu.id = u.unit_id JOIN user_role r ON r.user_id = u.id AND r.role = 'officer'
                      WHERE cu.parent_id = s.id AND u.status = 'active') AS officers
             FROM org_unit s WHERE s.kind = 'station' AND s.retired_at IS NULL AND s.path >= $1 AND s.path < $2 ORDER BY s.path"
        )
        .bind(root.as_str())
        .bind(root.range_end())
        .fetch_all(c)
        })?)
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn insert_enterprise(
    tx: &mut Tx,
    ctx: &Ctx,
    d: &EnterpriseDetails,
    community_id: i64,
    path: &OrgPath,
    officer: Option<i64>,
) -> StoreResult<i64> {
    let id: i64 = fetch!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO enterprise (name, credit_code, address, industry, scale, key_enterprise, longitude, latitude,
            community_id, path, officer_id, contact_name, contact_mobile, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(&d.name)
        .bind(d.credit_code.as_str())
        .bind(&d.address)
        .bind(&d.industry)
        .bind(d.scale.code())
        .bind(d.key_enterprise)
        .bind(d.location.map(|l| l.0))
        .bind(d.location.map(|l| l.1))
        .bind(community_id)
        .bind(path.as_str())
        .bind(officer)
        .bind(&d.contact_name)
        .bind(d.contact_mobile.as_str())
        .bind(ctx.at)
        .fetch_one(c)
    })?;
    adjust_count(
        tx,
        community_id,
        path.as_str(),
        Counts { active: 1, active_key: i64::from(d.key_enterprise), retired: 0 },
    )
    .await?;
    record_assignment(tx, ctx, id, officer, "建档 registered").await?;
    append(tx, ctx.at, &ctx.event("enterprise.create", "enterprise", Some(id), "")).await?;
    Ok(id)
}

#[tracing::instrument(level = "debug", skip_all)]
async fn record_assignment(
    tx: &mut Tx,
    ctx: &Ctx,
    enterprise_id: i64,
    officer_id: Option<i64>,
    reason: &str,
) -> StoreResult<()> {
    exec!(tx, |c| sqlx::query("UPDATE officer_assignment SET to_at = $1 WHERE enterprise_id = $2 AND to_at IS NULL")
        .bind(ctx.at)
        .bind(enterprise_id)
        .execute(c))?;
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO officer_assignment (enterprise_id, officer_id, from_at, assigned_by, reason) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(enterprise_id)
    .bind(officer_id)
    .bind(ctx.at)
    .bind(ctx.actor_id)
    .bind(reason)
    .execute(c)
    })?;
    Ok(())
}

/// Changes to one community's maintained counts.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    active: i64,
    active_key: i64,
    retired: i64,
}

impl Counts {
    /// What one enterprise contributes in a given state.
    fn of(status: &str, key: bool) -> Self {
        let active = i64::from(status == "active");
        Counts { active, active_key: active * i64::from(key), retired: 1 - active }
    }

    fn minus(self, other: Counts) -> Counts {
        Counts {
            active: self.active - other.active,
            active_key: self.active_key - other.active_key,
            retired: self.retired - other.retired,
        }
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn adjust_count(tx: &mut Tx, community_id: i64, path: &str, by: Counts) -> StoreResult<()> {
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO enterprise_count (community_id, path, active, active_key, retired) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (community_id) DO UPDATE SET active = enterprise_count.active + excluded.active,
             active_key = enterprise_count.active_key + excluded.active_key, retired = enterprise_count.retired + excluded.retired"
    )
    .bind(community_id)
    .bind(path)
    .bind(by.active)
    .bind(by.active_key)
    .bind(by.retired)
    .execute(c)
    })?;
    Ok(())
}

/// The state that counts contribute from, read inside the writing transaction.
#[tracing::instrument(level = "debug", skip_all)]
async fn counted_state(tx: &mut Tx, id: i64) -> StoreResult<(i64, String, String, bool)> {
    fetch!(tx, |c| sqlx::query_as("SELECT community_id, path, status, key_enterprise FROM enterprise WHERE id = $1")
        .bind(id)
        .fetch_optional(c))?
    .ok_or(StoreError::NotFound)
}

/// Moves an enterprise's contribution from its old state to its new one.
#[tracing::instrument(level = "debug", skip_all)]
async fn recount(tx: &mut Tx, before: (i64, String, String, bool), status: &str, key: bool) -> StoreResult<()> {
    let (community_id, path, old_status, old_key) = before;
    let change = Counts::of(status, key).minus(Counts::of(&old_status, old_key));
    if change.active != 0 || change.active_key != 0 || change.retired != 0 {
        adjust_count(tx, community_id, &path, change).await?;
    }
    Ok(())
}
