//! User accounts, roles, login-failure bookkeeping, TOTP state and enterprise-user registration.

use crate::audit::append;
use crate::{Ctx, Db, Page, Paging, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::org::OrgPath;
use liaison_core::permission::Viewer;
use liaison_core::role::Role;

/// A stored user with the path of their unit. `Debug` leaves out the password hash and TOTP secret.
#[derive(Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Login name (lower case).
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Org unit.
    pub unit_id: i64,
    /// The unit's path.
    pub unit_path: String,
    /// The unit's name.
    pub unit_name: String,
    /// The unit's kind code.
    pub unit_kind: String,
    /// 警号, for staff.
    pub police_number: Option<String>,
    /// Mobile (shown masked).
    pub mobile: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Must set a new password at next login.
    pub must_change_password: bool,
    /// `active`, `pending` or `disabled`.
    pub status: String,
    /// Holds the reveal permission.
    pub pi_reveal: bool,
    /// Enterprise of an enterprise user.
    pub enterprise_id: Option<i64>,
    /// Base32 TOTP secret while enrolling or enrolled.
    pub totp_secret: Option<String>,
    /// TOTP is required at login.
    pub totp_enabled: bool,
    /// The last TOTP time step accepted (replay guard).
    pub totp_last_step: Option<i64>,
    /// Locked until this instant after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
    /// Last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the password was last set.
    pub password_changed_at: DateTime<Utc>,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("unit_id", &self.unit_id)
            .field("status", &self.status)
            .field("totp_enabled", &self.totp_enabled)
            .finish_non_exhaustive()
    }
}

/// A user with roles.
#[derive(Debug, Clone)]
pub struct User {
    /// The stored row.
    pub row: UserRow,
    /// Roles held.
    pub roles: Vec<Role>,
}

impl User {
    /// The permission view of this user.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.row.id,
            roles: self.roles.clone(),
            unit_path: liaison_core::permission::scope_root(
                &OrgPath::parse(&self.row.unit_path).unwrap_or_else(|| OrgPath::root(self.row.unit_id)),
                liaison_core::org::OrgKind::parse(&self.row.unit_kind),
            ),
            enterprise_id: if self.row.status == "active" { self.row.enterprise_id } else { None },
            pi_reveal: self.row.pi_reveal,
        }
    }

    /// Role codes joined with commas, for audit rows.
    pub fn role_codes(&self) -> String {
        let codes: Vec<&str> = self.roles.iter().map(|r| r.code()).collect();
        if codes.is_empty() { "none".into() } else { codes.join(",") }
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name; stored lower case.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Org unit.
    pub unit_id: i64,
    /// Roles.
    pub roles: Vec<Role>,
    /// argon2id hash.
    pub password_hash: String,
    /// `active` or `pending`.
    pub status: &'static str,
    /// For enterprise users.
    pub enterprise_id: Option<i64>,
    /// 警号.
    pub police_number: Option<String>,
    /// Mobile.
    pub mobile: Option<String>,
    /// Force a change at first login.
    pub must_change_password: bool,
}

/// A user row with one of its roles (one row per role; none when the user has no role).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct UserRoleRow {
    #[sqlx(flatten)]
    pub(crate) row: UserRow,
    pub(crate) role: Option<String>,
}

/// Folds the rows of one user (one per role) into a [`User`].
pub(crate) fn fold_user(rows: Vec<UserRoleRow>) -> Option<User> {
    let mut roles: Vec<Role> = rows.iter().filter_map(|r| r.role.as_deref().and_then(Role::parse)).collect();
    roles.sort();
    rows.into_iter().next().map(|first| User { row: first.row, roles })
}

/// The user SELECT with roles joined, followed by a literal WHERE clause.
macro_rules! select_user_with_roles {
    ($filter:literal) => {
        concat!(
            "SELECT u.id, u.username, u.display_name, u.unit_id, o.path AS unit_path, o.name AS unit_name, o.kind AS unit_kind,
    u.police_number, u.mobile, u.password_hash, u.must_change_password, u.status, u.pi_reveal, u.enterprise_id,
    u.totp_secret, u.totp_enabled, u.totp_last_step, u.locked_until, u.last_login_at, u.password_changed_at, r.role
    FROM app_user u JOIN org_unit o ON o.id = u.unit_id LEFT JOIN user_role r ON r.user_id = u.id",
            $filter
        )
    };
}

/// A liaison officer and the enterprises they are responsible for.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct OfficerLoad {
    /// User id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Their community.
    pub unit_name: String,
    /// Active enterprises.
    pub enterprises: i64,
    /// Of which key enterprises.
    pub key_enterprises: i64,
}

/// A user as listed for administrators.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct UserSummary {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Unit name.
    pub unit_name: String,
    /// Status.
    pub status: String,
    /// Comma-separated role codes.
    #[sqlx(skip)]
    pub roles: String,
    /// Last login.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl Db {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn roles_of(&self, user_id: i64) -> StoreResult<Vec<Role>> {
        let codes: Vec<String> =
            read!(self, |c| sqlx::query_scalar("SELECT role FROM user_role WHERE user_id = $1 ORDER BY role")
                .bind(user_id)
                .fetch_all(c))?;
        let mut roles: Vec<Role> = codes.iter().filter_map(|c| Role::parse(c)).collect();
        roles.sort();
        Ok(roles)
    }

    /// One user by id.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user(&self, id: i64) -> StoreResult<User> {
        let rows = read!(self, |c| sqlx::query_as(select_user_with_roles!(" WHERE u.id = $1")).bind(id).fetch_all(c))?;
        fold_user(rows).ok_or(StoreError::NotFound)
    }

    /// One user by login name (case-insensitive).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let username = username.trim().to_lowercase();
        let rows = read!(self, |c| sqlx::query_as(select_user_with_roles!(" WHERE u.username = $1"))
            .bind(&username)
            .fetch_all(c))?;
        Ok(fold_user(rows))
    }

    /// Creates an account with its roles.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_user(&self, ctx: &Ctx, new: &NewUser) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO app_user (username, display_name, unit_id, police_number, mobile, password_hash,
                must_change_password, status, enterprise_id, password_changed_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(new.username.trim().to_lowercase())
            .bind(&new.display_name)
            .bind(new.unit_id)
            .bind(&new.police_number)
            .bind(&new.mobile)
            .bind(&new.password_hash)
            .bind(new.must_change_password)
            .bind(new.status)
            .bind(new.enterprise_id)
            .bind(ctx.at)
            .fetch_one(c)
        })?;
        for role in &new.roles {
            exec!(&mut tx, |c| sqlx::query("INSERT INTO user_role (user_id, role) VALUES ($1, $2)")
                .bind(id)
                .bind(role.code())
                .execute(c))?;
        }
        let roles: Vec<&str> = new.roles.iter().map(|r| r.code()).collect();
        append(&mut tx, ctx.at, &ctx.event("user.create", "user", Some(id), roles.join(","))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a user's roles and reveal permission (the caller has checked `can_grant`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_roles(&self, ctx: &Ctx, user_id: i64, roles: &[Role], pi_reveal: bool) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query("UPDATE app_user SET pi_reveal = $1 WHERE id = $2")
            .bind(pi_reveal)
            .bind(user_id)
            .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        exec!(&mut tx, |c| sqlx::query("DELETE FROM user_role WHERE user_id = $1").bind(user_id).execute(c))?;
        for role in roles {
            exec!(&mut tx, |c| sqlx::query("INSERT INTO user_role (user_id, role) VALUES ($1, $2)")
                .bind(user_id)
                .bind(role.code())
                .execute(c))?;
        }
        let mut detail: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        if pi_reveal {
            detail.push("pi.reveal");
        }
        append(&mut tx, ctx.at, &ctx.event("user.roles", "user", Some(user_id), detail.join(","))).await?;
        tx.commit().await
    }

    /// Sets a new password hash and ends every session of the user except `keep_session`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_password(
        &self,
        ctx: &Ctx,
        user_id: i64,
        hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| {
            sqlx::query(
            "UPDATE app_user SET password_hash = $1, must_change_password = $2, password_changed_at = $3, locked_until = NULL WHERE id = $4"
        )
        .bind(hash)
        .bind(must_change)
        .bind(ctx.at)
        .bind(user_id)
        .execute(c)
        })?;
        exec!(&mut tx, |c| sqlx::query("DELETE FROM session WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or_default())
            .execute(c))?;
        append(
            &mut tx,
            ctx.at,
            &ctx.event("user.password", "user", Some(user_id), if must_change { "reset" } else { "changed" }),
        )
        .await?;
        tx.commit().await
    }

    /// Activates or disables an account; disabling ends all its sessions and tokens at once.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_user_status(&self, ctx: &Ctx, user_id: i64, status: &'static str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query("UPDATE app_user SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(user_id)
            .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        if status != "active" {
            exec!(&mut tx, |c| sqlx::query("DELETE FROM session WHERE user_id = $1").bind(user_id).execute(c))?;
            exec!(&mut tx, |c| sqlx::query(
                "UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
            )
            .bind(ctx.at)
            .bind(user_id)
            .execute(c))?;
        }
        append(&mut tx, ctx.at, &ctx.event("user.status", "user", Some(user_id), status)).await?;
        tx.commit().await
    }

    /// Accounts whose unit lies within `root`, optionally filtered by name, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn users_within(&self, root: &OrgPath, query: &str, paging: Paging) -> StoreResult<Page<UserSummary>> {
        let like = format!("%{}%", crate::like_literal(query.trim()));
        let mut items: Vec<UserSummary> = read!(self, |c| {
            sqlx::query_as(
            "SELECT u.id, u.username, u.display_name, o.name AS unit_name, u.status,
                    u.last_login_at
             FROM app_user u JOIN org_unit o ON o.id = u.unit_id
             WHERE o.path >= $1 AND o.path < $2 AND (u.username LIKE $3 ESCAPE '\\' OR u.display_name LIKE $3 ESCAPE '\\')
             ORDER BY u.id LIMIT $4 OFFSET $5"
        )
        .bind(root.as_str())
        .bind(root.range_end())
        .bind(&like)
        .bind(paging.per_page)
        .bind(paging.offset())
        .fetch_all(c)
        })?;
        let total: i64 = read!(self, |c| {
            sqlx::query_scalar(
            "SELECT count(*) FROM app_user u JOIN org_unit o ON o.id = u.unit_id
             WHERE o.path >= $1 AND o.path < $2 AND (u.username LIKE $3 ESCAPE '\\' OR u.display_name LIKE $3 ESCAPE '\\')"
        )
        .bind(root.as_str())
        .bind(root.range_end())
        .bind(&like)
        .fetch_one(c)
        })?;
        for item in &mut items {
            let roles: Vec<&str> = self.roles_of(item.id).await?.iter().map(|r| r.code()).collect();
            item.roles = roles.join(",");
        }
        Ok(Page { items, total })
    }

    /// Officers (role `officer`) whose unit is `unit_id`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn officers_of_unit(&self, unit_id: i64) -> StoreResult<Vec<(i64, String)>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT u.id, u.display_name FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'officer'
             WHERE u.unit_id = $1 AND u.status = 'active' ORDER BY u.id"
        )
        .bind(unit_id)
        .fetch_all(c)
        })?)
    }

    /// Active liaison officers within `root`, with how many active (and key) enterprises each is responsible for.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn officers_within(&self, root: &OrgPath) -> StoreResult<Vec<OfficerLoad>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT u.id, u.display_name AS name, o.name AS unit_name,
                    (SELECT count(*) FROM enterprise e WHERE e.officer_id = u.id AND e.status = 'active') AS enterprises,
                    (SELECT count(*) FROM enterprise e WHERE e.officer_id = u.id AND e.status = 'active' AND e.key_enterprise = TRUE) AS key_enterprises
             FROM app_user u JOIN org_unit o ON o.id = u.unit_id
             JOIN user_role r ON r.user_id = u.id AND r.role = 'officer'
             WHERE o.path >= $1 AND o.path < $2 AND u.status = 'active' ORDER BY o.path, u.id"
        )
        .bind(root.as_str())
        .bind(root.range_end())
        .fetch_all(c)
        })?)
    }

    /// Stores a TOTP secret (enrolment started) or enables it with recovery-code digests.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_totp(
        &self,
        ctx: &Ctx,
        user_id: i64,
        secret: Option<&str>,
        enabled: bool,
        recovery_digests: &[String],
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| {
            sqlx::query(
                "UPDATE app_user SET totp_secret = $1, totp_enabled = $2,
                totp_last_step = CASE WHEN $2 THEN totp_last_step ELSE NULL END WHERE id = $3",
            )
            .bind(secret)
            .bind(enabled)
            .bind(user_id)
            .execute(c)
        })?;
        exec!(&mut tx, |c| sqlx::query("DELETE FROM recovery_code WHERE user_id = $1").bind(user_id).execute(c))?;
        for digest in recovery_digests {
            exec!(&mut tx, |c| sqlx::query("INSERT INTO recovery_code (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(digest)
                .execute(c))?;
        }
        let action = if enabled {
            "mfa.enable"
        } else if secret.is_some() {
            "mfa.enrol"
        } else {
            "mfa.disable"
        };
        append(&mut tx, ctx.at, &ctx.event(action, "user", Some(user_id), "")).await?;
        tx.commit().await
    }

    /// Accepts TOTP `step` once: false when that step (or a later one) was already used.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| {
            sqlx::query(
            "UPDATE app_user SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)"
        )
        .bind(step)
        .bind(user_id)
        .execute(c)
        })?;
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Uses a recovery code once.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn use_recovery_code(&self, ctx: &Ctx, user_id: i64, digest: &str) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| {
            sqlx::query(
                "UPDATE recovery_code SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(ctx.at)
            .bind(user_id)
            .bind(digest)
            .execute(c)
        })?;
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Pending enterprise-user registrations of enterprises the viewer sees.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn pending_registrations(&self, viewer: &Viewer) -> StoreResult<Vec<PendingRegistration>> {
        let rows: Vec<PendingRegistration> = read!(self, |c| {
            sqlx::query_as(
                "SELECT u.id, u.username, u.display_name, u.mobile, e.id AS enterprise_id, e.name AS enterprise_name,
                    e.path, e.officer_id
             FROM app_user u JOIN enterprise e ON e.id = u.enterprise_id
             WHERE u.status = 'pending' ORDER BY u.id LIMIT 500",
            )
            .fetch_all(c)
        })?;
        Ok(rows
            .into_iter()
            .filter(|r| {
                OrgPath::parse(&r.path).is_some_and(|p| viewer.sees_enterprise(r.enterprise_id, &p, r.officer_id))
            })
            .collect())
    }
}

/// An enterprise user waiting for confirmation.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PendingRegistration {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Mobile (mask before showing).
    pub mobile: Option<String>,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Enterprise path (scope check).
    #[serde(skip)]
    pub path: String,
    /// Enterprise officer (scope check).
    #[serde(skip)]
    pub officer_id: Option<i64>,
}
