//! Server-side sessions (stored by the SHA-256 of the cookie token) and personal access tokens.

use crate::audit::append;
use crate::users::{User, UserRoleRow, fold_user};
use crate::{Ctx, Db, StoreResult};
use chrono::{DateTime, Utc};

/// A stored session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Digest of the cookie token.
    pub id: String,
    /// Owner.
    pub user_id: i64,
    /// Created (absolute lifetime starts here).
    pub created_at: DateTime<Utc>,
    /// Last request (idle timeout counts from here).
    pub last_seen_at: DateTime<Utc>,
    /// Last password (re-)authentication.
    pub authenticated_at: DateTime<Utc>,
    /// Password accepted but the second factor not yet given.
    pub mfa_pending: bool,
    /// Client IP at login.
    pub ip: String,
    /// Browser at login.
    pub user_agent: String,
}

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    session_id: String,
    session_user_id: i64,
    session_created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    authenticated_at: DateTime<Utc>,
    mfa_pending: bool,
    session_ip: String,
    user_agent: String,
    #[sqlx(flatten)]
    user: UserRoleRow,
}

/// A personal access token as listed to its owner (never the token itself).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApiTokenRow {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Label.
    pub name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Db {
    /// Starts a session; keeps at most `max_per_user` sessions, evicting the oldest (SES-06).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_session(
        &self,
        ctx: &Ctx,
        user_id: i64,
        digest: &str,
        mfa_pending: bool,
        user_agent: &str,
        max_per_user: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO session (id, user_id, created_at, last_seen_at, authenticated_at, mfa_pending, ip, user_agent)
             VALUES ($1, $2, $3, $3, $3, $4, $5, $6)"
        )
        .bind(digest)
        .bind(user_id)
        .bind(ctx.at)
        .bind(mfa_pending)
        .bind(&ctx.ip)
        .bind(user_agent.chars().take(200).collect::<String>())
        .execute(c)
        })?;
        exec!(&mut tx, |c| sqlx::query(
            "DELETE FROM session WHERE user_id = $1 AND id NOT IN
               (SELECT id FROM session WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2)"
        )
        .bind(user_id)
        .bind(max_per_user)
        .execute(c))?;
        tx.commit().await
    }

    /// The session stored under `digest`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn session(&self, digest: &str) -> StoreResult<Option<SessionRow>> {
        Ok(read!(self, |c| sqlx::query_as("SELECT * FROM session WHERE id = $1").bind(digest).fetch_optional(c))?)
    }

    /// The session stored under `digest` with its user and roles, in one query (every request does this),
    /// or from the session cache when nothing was committed since it was read (see `session_cache`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn session_with_user(&self, digest: &str) -> StoreResult<Option<(SessionRow, User)>> {
        if let Some(resolved) = self.session_cache().get(digest) {
            return Ok(Some(resolved));
        }
        let mark = self.session_cache().mark();
        let resolved = self.read_session_with_user(digest).await?;
        if let Some(resolved) = &resolved {
            self.session_cache().put(digest, mark, resolved.clone());
        }
        Ok(resolved)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn read_session_with_user(&self, digest: &str) -> StoreResult<Option<(SessionRow, User)>> {
        let rows: Vec<SessionUserRow> = read!(self, |c| {
            sqlx::query_as(
            "SELECT s.id AS session_id, s.user_id AS session_user_id, s.created_at AS session_created_at, s.last_seen_at,
                    s.authenticated_at, s.mfa_pending, s.ip AS session_ip, s.user_agent,
                    u.id, u.username, u.display_name, u.unit_id, o.path AS unit_path, o.name AS unit_name, o.kind AS unit_kind,
                    u.police_number, u.mobile, u.password_hash, u.must_change_password, u.status, u.pi_reveal, u.enterprise_id,
                    u.totp_secret, u.totp_enabled, u.totp_last_step, u.locked_until, u.last_login_at, u.password_changed_at, r.role
             FROM session s JOIN app_user u ON u.id = s.user_id JOIN org_unit o ON o.id = u.unit_id
             LEFT JOIN user_role r ON r.user_id = u.id WHERE s.id = $1"
        )
        .bind(digest)
        .fetch_all(c)
        })?;
        let Some(first) = rows.first() else { return Ok(None) };
        let session = SessionRow {
            id: first.session_id.clone(),
            user_id: first.session_user_id,
            created_at: first.session_created_at,
            last_seen_at: first.last_seen_at,
            authenticated_at: first.authenticated_at,
            mfa_pending: first.mfa_pending,
            ip: first.session_ip.clone(),
            user_agent: first.user_agent.clone(),
        };
        let user = fold_user(rows.into_iter().map(|r| r.user).collect());
        Ok(user.map(|user| (session, user)))
    }

    /// Marks activity (callers throttle this to about once a minute).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn touch_session(&self, digest: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query("UPDATE session SET last_seen_at = $1 WHERE id = $2")
            .bind(at)
            .bind(digest)
            .execute(c))?;
        tx.commit().await
    }

    /// Completes the second factor and rotates the session id (`new_digest`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn complete_mfa(&self, ctx: &Ctx, old_digest: &str, new_digest: &str, user_id: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "UPDATE session SET id = $1, mfa_pending = $2, last_seen_at = $3 WHERE id = $4"
        )
        .bind(new_digest)
        .bind(false)
        .bind(ctx.at)
        .bind(old_digest)
        .execute(c))?;
        let mut event = ctx.event("auth.mfa", "user", Some(user_id), "totp");
        event.actor_id = Some(user_id);
        append(&mut tx, ctx.at, &event).await?;
        tx.commit().await
    }

    /// Ends one session (logout) and audits it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn end_session(&self, ctx: &Ctx, digest: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query("DELETE FROM session WHERE id = $1").bind(digest).execute(c))?;
        append(&mut tx, ctx.at, &ctx.event("auth.logout", "session", None, "")).await?;
        tx.commit().await
    }

    /// Ends every session of a user (admin kill) and audits it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn end_user_sessions(&self, ctx: &Ctx, user_id: i64) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query("DELETE FROM session WHERE user_id = $1").bind(user_id).execute(c))?;
        append(&mut tx, ctx.at, &ctx.event("auth.kill_sessions", "user", Some(user_id), "")).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// A user's sessions, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn sessions_of(&self, user_id: i64) -> StoreResult<Vec<SessionRow>> {
        Ok(read!(self, |c| sqlx::query_as("SELECT * FROM session WHERE user_id = $1 ORDER BY created_at DESC")
            .bind(user_id)
            .fetch_all(c))?)
    }

    /// Ends every session of a user but `keep` (the one asking) and audits it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn end_other_sessions(&self, ctx: &Ctx, user_id: i64, keep: &str) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query("DELETE FROM session WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(c))?;
        append(&mut tx, ctx.at, &ctx.event("auth.end_other_sessions", "user", Some(user_id), done.to_string())).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Creates a personal access token stored by digest.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_api_token(&self, ctx: &Ctx, user_id: i64, name: &str, digest: &str) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO api_token (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user_id)
            .bind(name)
            .bind(digest)
            .bind(ctx.at)
            .fetch_one(c)
        })?;
        append(&mut tx, ctx.at, &ctx.event("token.create", "api_token", Some(id), "")).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The live token stored under `digest`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_token(&self, digest: &str) -> StoreResult<Option<ApiTokenRow>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL"
        )
        .bind(digest)
        .fetch_optional(c)
        })?)
    }

    /// Stamps a token's last use.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn touch_api_token(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(c))?;
        tx.commit().await
    }

    /// A user's tokens, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_tokens_of(&self, user_id: i64) -> StoreResult<Vec<ApiTokenRow>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_token WHERE user_id = $1 ORDER BY id DESC"
        )
        .bind(user_id)
        .fetch_all(c)
        })?)
    }

    /// Revokes one of the user's tokens; false when it is not theirs or already revoked.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke_api_token(&self, ctx: &Ctx, user_id: i64, id: i64) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| {
            sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(ctx.at)
                .bind(id)
                .bind(user_id)
                .execute(c)
        })?;
        append(&mut tx, ctx.at, &ctx.event("token.revoke", "api_token", Some(id), "")).await?;
        tx.commit().await?;
        Ok(done == 1)
    }
}
