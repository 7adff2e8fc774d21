//! API keys of Open311 clients, a security administrator's duty: issue one bound to an account (an
//! enterprise user for the enterprise's own system, or a staff account for a public channel), rotate
//! its secret, revoke it. The secret is shown once; only its digest is kept. Shared by the console
//! page, the API and the CLI.
//!
//! A key acts as its account — submits as it, and with `read_private` reads every private request the
//! account sees — so it works only once **the account's holder has consented** (from their own account
//! page or `POST /api/v1/me/api-keys/{id}/consent`). The security administrator issues and sees the
//! secret but cannot use an account they do not hold (三权分立, AC-05); rotating shows a new secret, so it
//! asks for consent again. Keys issued by `liaison api-key create` on the server are consented at issue:
//! whoever runs it holds the server, and with it the database.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use liaison_core::permission::{Action, may_hold_api_key};
use liaison_core::token::{digest, random_hex};
use liaison_core::validate::{FieldError, FieldErrors, text};
use liaison_store::Db;
use liaison_store::api_keys::{ApiKey, NewApiKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Uses per minute when none is given.
pub const DEFAULT_PER_MINUTE: i64 = 600;

/// A key to issue, as entered (also the body of `POST /api/v1/api-keys`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "某企业 ERP", "username": "ent-0001", "read_private": false, "per_minute": 600}))]
pub struct KeyFields {
    /// What the client is, e.g. "某企业 ERP" or "12345 热线".
    pub name: String,
    /// Login name of the account the key acts as.
    pub username: String,
    /// Also read the private requests the account may see.
    #[serde(default)]
    pub read_private: bool,
    /// Uses per minute (default 600, at most 100,000).
    pub per_minute: Option<i64>,
}

/// A secret, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedKey {
    /// The key's id.
    pub id: i64,
    /// The secret to configure in the client (`api_key`); it cannot be shown again.
    pub api_key: String,
}

/// A fresh secret: `lk_` and 48 hex characters; its prefix and digest are what is stored.
pub fn new_secret() -> (String, String, String) {
    let secret = format!("lk_{}", random_hex(24));
    let prefix = secret.chars().take(10).collect();
    let stored = digest(&secret);
    (secret, prefix, stored)
}

/// A key's name: one line of at most 100 characters.
pub fn check_name(name: &str) -> Result<String, text::TextError> {
    text::name(name, 100)
}

/// Checks the fields against the accounts: the account must be active and do casework or submit —
/// never an administrator's, whose powers a client key must not carry.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn check(db: &Db, fields: &KeyFields) -> AppResult<NewApiKey> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", check_name(&fields.name));
    let per_minute = fields.per_minute.unwrap_or(DEFAULT_PER_MINUTE);
    if !(1..=100_000).contains(&per_minute) {
        errors.push(FieldError::new("per_minute", "per_minute.range", "每分钟次数应在 1–100000 之间 / 1 to 100,000"));
    }
    let user = db.user_by_username(fields.username.trim()).await?;
    let user_id = match user {
        Some(user) if user.row.status == "active" && may_hold_api_key(&user.roles) => Some(user.row.id),
        _ => {
            errors.push(FieldError::new(
                "username",
                "username.unusable",
                "应为在用的企业用户或业务人员账号（不能是管理员）/ an active enterprise or staff account, not an administrator",
            ));
            None
        }
    };
    errors
        .finish(|| Some(NewApiKey { name: name?, user_id: user_id?, read_private: fields.read_private, per_minute }))
        .map_err(AppError::from)
}

/// Every key.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(state: &AppState, authed: &Authed) -> AppResult<Vec<ApiKey>> {
    authed.require(Action::ManageApiKeys)?;
    Ok(state.db.api_keys().await?)
}

/// Issues a key; it works once its account's holder consents.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn issue(state: &AppState, authed: &Authed, fields: &KeyFields) -> AppResult<IssuedKey> {
    authed.require(Action::ManageApiKeys)?;
    let key = check(&state.db, fields).await?;
    let (api_key, prefix, stored) = new_secret();
    let id = state.db.create_api_key(&authed.ctx(state.clock.now()), &key, &prefix, &stored, false).await?;
    Ok(IssuedKey { id, api_key })
}

/// Replaces a key's secret; the old one stops working at once and the new one waits for consent.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rotate(state: &AppState, authed: &Authed, id: i64) -> AppResult<IssuedKey> {
    authed.require(Action::ManageApiKeys)?;
    let (api_key, prefix, stored) = new_secret();
    state.db.rotate_api_key(&authed.ctx(state.clock.now()), id, &prefix, &stored, false).await?;
    Ok(IssuedKey { id, api_key })
}

/// The keys that act as the signed-in user.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(state: &AppState, authed: &Authed) -> AppResult<Vec<ApiKey>> {
    Ok(state.db.api_keys_of(authed.user.row.id).await?)
}

/// The signed-in user consents to a key acting as them (their own keys only; 404 for others').
#[tracing::instrument(level = "debug", skip_all)]
pub async fn consent(state: &AppState, authed: &Authed, id: i64) -> AppResult<()> {
    Ok(state.db.consent_api_key(&authed.ctx(state.clock.now()), id, authed.user.row.id).await?)
}

/// Revokes a key.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(state: &AppState, authed: &Authed, id: i64) -> AppResult<()> {
    authed.require(Action::ManageApiKeys)?;
    Ok(state.db.revoke_api_key(&authed.ctx(state.clock.now()), id).await?)
}
