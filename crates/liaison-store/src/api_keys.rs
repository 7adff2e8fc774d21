//! API keys of Open311 clients (an enterprise's own system, or a public channel): each acts as the
//! account it is bound to — once that account's holder has consented — is stored by digest, can be
//! rotated (which asks for consent again) and revoked, and every use is audited.

use crate::audit::append;
use crate::{Ctx, Db, StoreError, StoreResult};
use chrono::{DateTime, Utc};

/// A key as admins see it (never the secret).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    /// Id.
    pub id: i64,
    /// What the client is, e.g. "某企业 ERP" or "12345 热线".
    pub name: String,
    /// The account the key acts as.
    pub user_id: i64,
    /// That account's login name.
    pub username: String,
    /// The first characters of the secret, to tell keys apart.
    pub prefix: String,
    /// Whether the key reads the private requests its account may see (not only public services).
    pub read_private: bool,
    /// Uses allowed per minute.
    pub per_minute: i64,
    /// Issued.
    pub created_at: DateTime<Utc>,
    /// Last rotated.
    pub rotated_at: Option<DateTime<Utc>>,
    /// Last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked (a revoked key answers 403).
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the account's holder consented to the key acting as them (a key without consent answers
    /// 403; issued from the server's CLI, it is consented at issue).
    pub consented_at: Option<DateTime<Utc>>,
}

/// A key to issue, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Name.
    pub name: String,
    /// Bound account.
    pub user_id: i64,
    /// Reads private requests too.
    pub read_private: bool,
    /// Uses per minute.
    pub per_minute: i64,
}

/// The columns of [`ApiKey`] (a macro so each query stays one static text).
macro_rules! api_key_select {
    () => {
        "SELECT k.id, k.name, k.user_id, u.username, k.prefix, k.read_private, k.per_minute, k.created_at,
                k.rotated_at, k.last_used_at, k.revoked_at, k.consented_at
         FROM api_key k JOIN app_user u ON u.id = k.user_id "
    };
}

impl Db {
    /// Every key, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_keys(&self) -> StoreResult<Vec<ApiKey>> {
        Ok(read!(self, |c| sqlx::query_as(concat!(api_key_select!(), "ORDER BY k.id DESC")).fetch_all(c))?)
    }

    /// One key.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_key(&self, id: i64) -> StoreResult<ApiKey> {
        read!(self, |c| sqlx::query_as(concat!(api_key_select!(), "WHERE k.id = $1")).bind(id).fetch_optional(c))?
            .ok_or(StoreError::NotFound)
    }

    /// The keys that act as `user_id`, newest first (what the account's holder reviews).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_keys_of(&self, user_id: i64) -> StoreResult<Vec<ApiKey>> {
        Ok(read!(self, |c| sqlx::query_as(concat!(api_key_select!(), "WHERE k.user_id = $1 ORDER BY k.id DESC"))
            .bind(user_id)
            .fetch_all(c))?)
    }

    /// The holder of the account a live key acts as consents to it; `NotFound` for anyone else's key.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn consent_api_key(&self, ctx: &Ctx, id: i64, holder_id: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query(
            "UPDATE api_key SET consented_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL"
        )
        .bind(ctx.at)
        .bind(id)
        .bind(holder_id)
        .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, ctx.at, &ctx.event("api_key.consent", "api_key", Some(id), "")).await?;
        tx.commit().await
    }

    /// The live key stored under `digest` whose account is active.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_key_by_digest(&self, digest: &str) -> StoreResult<Option<ApiKey>> {
        Ok(read!(self, |c| sqlx::query_as(concat!(
            api_key_select!(),
            "WHERE k.digest = $1 AND k.revoked_at IS NULL AND u.status = 'active'"
        ))
        .bind(digest)
        .fetch_optional(c))?)
    }

    /// Issues a key stored under `digest`; `consented` when its account's holder (or the server's
    /// operator) issues it, else it waits for the holder's consent.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_api_key(
        &self,
        ctx: &Ctx,
        key: &NewApiKey,
        prefix: &str,
        digest: &str,
        consented: bool,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO api_key (name, user_id, prefix, digest, read_private, per_minute, created_by, created_at, consented_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(&key.name)
        .bind(key.user_id)
        .bind(prefix)
        .bind(digest)
        .bind(key.read_private)
        .bind(key.per_minute)
        .bind(ctx.actor_id)
        .bind(ctx.at)
        .bind(consented.then_some(ctx.at))
        .fetch_one(c)
        })?;
        let detail = format!(
            "{} → user {} (private reads: {}, {}/min)",
            key.name, key.user_id, key.read_private, key.per_minute
        );
        append(&mut tx, ctx.at, &ctx.event("api_key.create", "api_key", Some(id), detail)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a live key's secret: the old one stops working at once. Whoever rotates sees the new
    /// secret, so unless they are the operator (`consented`) the key waits for its holder's consent again.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rotate_api_key(
        &self,
        ctx: &Ctx,
        id: i64,
        prefix: &str,
        digest: &str,
        consented: bool,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| sqlx::query(
            "UPDATE api_key SET prefix = $1, digest = $2, rotated_at = $3, consented_at = $4
             WHERE id = $5 AND revoked_at IS NULL"
        )
        .bind(prefix)
        .bind(digest)
        .bind(ctx.at)
        .bind(consented.then_some(ctx.at))
        .bind(id)
        .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, ctx.at, &ctx.event("api_key.rotate", "api_key", Some(id), prefix)).await?;
        tx.commit().await
    }

    /// Revokes a live key.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke_api_key(&self, ctx: &Ctx, id: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done =
            exec!(&mut tx, |c| sqlx::query("UPDATE api_key SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(ctx.at)
                .bind(id)
                .execute(c))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        append(&mut tx, ctx.at, &ctx.event("api_key.revoke", "api_key", Some(id), "")).await?;
        tx.commit().await
    }

    /// Records one use of a key (what was asked and how it ended) and stamps its last use. Item
    /// submissions record their use inside the intake's transaction instead (see `NewItem::api_key`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn record_api_key_use(&self, ctx: &Ctx, id: i64, success: bool, detail: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query("UPDATE api_key SET last_used_at = $1 WHERE id = $2")
            .bind(ctx.at)
            .bind(id)
            .execute(c))?;
        let mut event = ctx.event("api_key.use", "api_key", Some(id), detail);
        if !success {
            event.outcome = liaison_core::audit::Outcome::Failure;
        }
        append(&mut tx, ctx.at, &event).await?;
        tx.commit().await
    }
}
