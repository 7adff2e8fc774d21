//! The sign-in record (`liaison_core::lockout`): failures by source (a known browser's device, or the
//! client address), the account's lock for unknown sources, the security administrator's unlock, and
//! the device cookies of browsers that signed in.

use crate::audit::append;
use crate::users::User;
use crate::{Ctx, Db, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::audit::Outcome;
use liaison_core::lockout::Counts;

/// Where an attempt comes from: the client address, and the digest of the account's device cookie
/// when the request holds one that belongs to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source<'a> {
    /// Client address.
    pub ip: &'a str,
    /// A known browser of the account (digest of its device cookie).
    pub device: Option<&'a str>,
}

impl Db {
    /// Records a failed sign-in for `username` from `source` and audits it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn record_login_failure(
        &self,
        ctx: &Ctx,
        username: &str,
        source: &Source<'_>,
        reason: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "INSERT INTO login_failure (username, ip, device, at) VALUES ($1, $2, $3, $4)"
        )
        .bind(username.trim().to_lowercase())
        .bind(source.ip)
        .bind(source.device)
        .bind(ctx.at)
        .execute(c))?;
        let detail = if source.device.is_some() { format!("{reason} (known browser)") } else { reason.to_owned() };
        let mut event = ctx.event("auth.login", "user", None, detail);
        event.outcome = Outcome::Failure;
        append(&mut tx, ctx.at, &event).await?;
        tx.commit().await
    }

    /// The failures the throttle decides on: from this source for `username` since `window_start`,
    /// from this address for any account since `window_start`, and from unknown sources for `username`
    /// since `hour_start`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn login_counts(
        &self,
        username: &str,
        source: &Source<'_>,
        window_start: DateTime<Utc>,
        hour_start: DateTime<Utc>,
    ) -> StoreResult<Counts> {
        let username = username.trim().to_lowercase();
        let (source_count, address, unknown_hour): (i64, i64, i64) = read!(self, |c| sqlx::query_as(
            "SELECT
                (SELECT count(*) FROM login_failure WHERE username = $1 AND at > $4
                    AND ((CAST($3 AS TEXT) IS NULL AND device IS NULL AND ip = $2) OR device = $3)),
                (SELECT count(*) FROM login_failure WHERE ip = $2 AND at > $4),
                (SELECT count(*) FROM login_failure WHERE username = $1 AND device IS NULL AND at > $5)"
        )
        .bind(&username)
        .bind(source.ip)
        .bind(source.device)
        .bind(window_start)
        .bind(hour_start)
        .fetch_one(c))?;
        Ok(Counts { source: source_count, address, unknown_hour })
    }

    /// Audits that a source is now refused for an account (nothing to store: its failures say so).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn audit_source_refused(&self, ctx: &Ctx, user_id: i64, source: &Source<'_>) -> StoreResult<()> {
        let detail = match source.device {
            Some(_) => "too many failures from a known browser".to_owned(),
            None => format!("too many failures from {}", source.ip),
        };
        self.audit(ctx, ctx.event("auth.lock", "user", Some(user_id), detail)).await
    }

    /// Locks an account for unknown sources until `until` and audits the lock.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn lock_user(&self, ctx: &Ctx, user_id: i64, until: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query("UPDATE app_user SET locked_until = $1 WHERE id = $2")
            .bind(until)
            .bind(user_id)
            .execute(c))?;
        let event = ctx.event("auth.lock", "user", Some(user_id), "too many failures from unknown sources");
        append(&mut tx, ctx.at, &event).await?;
        tx.commit().await
    }

    /// Lifts every sign-in refusal of an account (the security administrator's unlock): its lock and
    /// its failures from every source.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unlock_user(&self, ctx: &Ctx, user: &User) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query("UPDATE app_user SET locked_until = NULL WHERE id = $1")
            .bind(user.row.id)
            .execute(c))?;
        exec!(&mut tx, |c| sqlx::query("DELETE FROM login_failure WHERE username = $1")
            .bind(&user.row.username)
            .execute(c))?;
        append(&mut tx, ctx.at, &ctx.event("auth.unlock", "user", Some(user.row.id), "")).await?;
        tx.commit().await
    }

    /// Records a successful password check from `source`: clears that source's failures (not other
    /// sources', nor the lock of unknown sources) and stamps the login.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn record_login_success(&self, ctx: &Ctx, user: &User, source: &Source<'_>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "DELETE FROM login_failure WHERE username = $1
             AND ((CAST($3 AS TEXT) IS NULL AND device IS NULL AND ip = $2) OR device = $3)"
        )
        .bind(&user.row.username)
        .bind(source.ip)
        .bind(source.device)
        .execute(c))?;
        exec!(&mut tx, |c| sqlx::query("UPDATE app_user SET last_login_at = $1 WHERE id = $2")
            .bind(ctx.at)
            .bind(user.row.id)
            .execute(c))?;
        let mut event = ctx.event("auth.login", "user", Some(user.row.id), "password");
        event.actor_id = Some(user.row.id);
        event.actor_role = user.role_codes();
        append(&mut tx, ctx.at, &event).await?;
        tx.commit().await
    }

    /// The account a device cookie (by digest) belongs to, if it is known.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn device_owner(&self, digest: &str) -> StoreResult<Option<i64>> {
        Ok(read!(self, |c| sqlx::query_scalar("SELECT user_id FROM login_device WHERE digest = $1")
            .bind(digest)
            .fetch_optional(c))?)
    }

    /// Remembers (or refreshes) a browser that signed in to `user_id`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn remember_device(&self, user_id: i64, digest: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "INSERT INTO login_device (digest, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (digest) DO UPDATE SET last_used_at = excluded.last_used_at"
        )
        .bind(digest)
        .bind(user_id)
        .bind(at)
        .execute(c))?;
        tx.commit().await
    }
}
