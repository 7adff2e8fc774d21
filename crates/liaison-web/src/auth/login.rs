//! The sign-in procedure shared by the sign-in page and `POST /api/v1/session`: throttling by source
//! that an attacker cannot turn against the owner (AUTH-04, `liaison_core::lockout`), constant-work
//! failures (AUTH-08), second factor (AUTH-05), session creation with a fresh token (SES-01), and the
//! device cookie of a browser that signed in.

use super::anonymous_ctx;
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::middleware::RequestMeta;
use chrono::Duration;
use liaison_core::lockout::{self, AfterFailure, Counts};
use liaison_core::{mfa, password, token};
use liaison_store::sign_in::Source;
use liaison_store::users::User;

/// A started session.
#[derive(Debug)]
pub struct LoginSuccess {
    /// Who signed in.
    pub user: User,
    /// The new session token for the cookie.
    pub token: String,
    /// The second factor is still owed (or must first be enrolled).
    pub mfa_pending: bool,
    /// A device cookie to set: this browser is now known to the account (`None` while the second
    /// factor is owed, or when the browser already holds one).
    pub device: Option<String>,
}

/// The digest of the request's device cookie when it belongs to `user`.
async fn known_device(state: &AppState, meta: &RequestMeta, user: Option<&User>) -> AppResult<Option<String>> {
    let (Some(user), Some(device)) = (user, &meta.device) else {
        return Ok(None);
    };
    let digest = token::digest(device);
    Ok((state.db.device_owner(&digest).await? == Some(user.row.id)).then_some(digest))
}

/// Records a failure from `source` and what it brings about: the source refused, or the account
/// locked for unknown sources.
async fn fail(
    state: &AppState,
    meta: &RequestMeta,
    user: Option<&User>,
    username: &str,
    source: &Source<'_>,
    before: Counts,
    reason: &str,
) -> AppResult<()> {
    let now = state.clock.now();
    let ctx = anonymous_ctx(meta, now);
    let policy = state.config.lockout_policy();
    state.db.record_login_failure(&ctx, username, source, reason).await?;
    let known = source.device.is_some();
    let after = Counts {
        source: before.source + 1,
        address: before.address + 1,
        unknown_hour: before.unknown_hour + i64::from(!known),
    };
    match (lockout::after_failure(&policy, after, known), user) {
        (AfterFailure::SourceRefused, Some(user)) => state.db.audit_source_refused(&ctx, user.row.id, source).await?,
        (AfterFailure::AccountLocked, Some(user)) => state.db.lock_user(&ctx, user.row.id, now + policy.window).await?,
        _ => {}
    }
    Ok(())
}

/// Checks a username and password (and a TOTP code when one is given and enrolled) and, when they are
/// right, starts a session — pending the second factor when one is still owed.
pub async fn password_login(
    state: &AppState,
    meta: &RequestMeta,
    username: &str,
    password_text: &str,
    totp: Option<&str>,
) -> AppResult<LoginSuccess> {
    let now = state.clock.now();
    let ctx = anonymous_ctx(meta, now);
    let policy = state.config.lockout_policy();
    let username = username.trim().to_lowercase();
    let user = state.db.user_by_username(&username).await?;
    let device = known_device(state, meta, user.as_ref()).await?;
    let source = Source { ip: &meta.ip, device: device.as_deref() };
    let counts = state.db.login_counts(&username, &source, now - policy.window, now - Duration::hours(1)).await?;
    let locked_until = user.as_ref().and_then(|u| u.row.locked_until);
    if let Err((refusal, retry)) = lockout::admit(&policy, counts, device.is_some(), locked_until, now) {
        state.db.audit_denied(&ctx, "auth.login", "user", &format!("refused: {refusal:?}")).await?;
        return Err(AppError::TooManyRequests(retry.num_seconds().max(1).unsigned_abs()));
    }
    let Some(user) = user else {
        password::verify(password_text, password::dummy_hash());
        fail(state, meta, None, &username, &source, counts, "unknown account").await?;
        return Err(AppError::InvalidCredentials);
    };
    if !password::verify(password_text, &user.row.password_hash) || user.row.status == "disabled" {
        fail(state, meta, Some(&user), &username, &source, counts, "bad password").await?;
        return Err(AppError::InvalidCredentials);
    }
    state.db.record_login_success(&ctx, &user, &source).await?;
    let staff = user.roles.iter().any(|r| r.is_staff());
    let mut mfa_pending = user.row.totp_enabled || (staff && state.config.require_staff_mfa);
    if let (true, true, Some(code)) = (mfa_pending, user.row.totp_enabled, totp) {
        check_second_factor(state, meta, &user, code).await?;
        mfa_pending = false;
    }
    let token = token::random_hex(32);
    state
        .db
        .create_session(
            &ctx,
            user.row.id,
            &token::digest(&token),
            mfa_pending,
            &meta.user_agent,
            state.config.max_sessions_per_user,
        )
        .await?;
    let device = if mfa_pending { None } else { remember_browser(state, meta, &user).await? };
    Ok(LoginSuccess { user, token, mfa_pending, device })
}

/// Marks this browser as one that signed in to `user`: refreshes its device cookie's record, or makes
/// a new one to set (returned).
pub async fn remember_browser(state: &AppState, meta: &RequestMeta, user: &User) -> AppResult<Option<String>> {
    let now = state.clock.now();
    if let Some(digest) = known_device(state, meta, Some(user)).await? {
        state.db.remember_device(user.row.id, &digest, now).await?;
        return Ok(None);
    }
    let device = token::random_hex(32);
    state.db.remember_device(user.row.id, &token::digest(&device), now).await?;
    Ok(Some(device))
}

/// Checks a TOTP code (single use, ±1 step) or a recovery code for a user with TOTP enabled; wrong
/// codes count as failures of the source, like wrong passwords.
pub async fn check_second_factor(state: &AppState, meta: &RequestMeta, user: &User, code: &str) -> AppResult<()> {
    let now = state.clock.now();
    let ctx = anonymous_ctx(meta, now);
    let policy = state.config.lockout_policy();
    let device = known_device(state, meta, Some(user)).await?;
    let source = Source { ip: &meta.ip, device: device.as_deref() };
    let counts =
        state.db.login_counts(&user.row.username, &source, now - policy.window, now - Duration::hours(1)).await?;
    if let Err((_, retry)) = lockout::admit(&policy, counts, device.is_some(), user.row.locked_until, now) {
        return Err(AppError::TooManyRequests(retry.num_seconds().max(1).unsigned_abs()));
    }
    let secret = user.row.totp_secret.as_deref().unwrap_or_default();
    let accepted = match mfa::matching_step(secret, code, now.timestamp()) {
        Some(step) => state.db.claim_totp_step(user.row.id, step).await?,
        None => {
            let recovery = code.trim().to_lowercase();
            recovery.len() == 10 && state.db.use_recovery_code(&ctx, user.row.id, &token::digest(&recovery)).await?
        }
    };
    if accepted {
        Ok(())
    } else {
        fail(state, meta, Some(user), &user.row.username, &source, counts, "bad second factor").await?;
        Err(AppError::Validation(vec![liaison_core::validate::FieldError::new(
            "code",
            "mfa.invalid",
            "验证码错误或已使用 / wrong or used code",
        )]))
    }
}

/// Marks the session's second factor done and rotates its token; returns the new token and, for a
/// browser new to the account, its device cookie.
pub async fn finish_second_factor(
    state: &AppState,
    meta: &RequestMeta,
    user: &User,
    session_digest: &str,
) -> AppResult<(String, Option<String>)> {
    let ctx = anonymous_ctx(meta, state.clock.now());
    let new_token = token::random_hex(32);
    state.db.complete_mfa(&ctx, session_digest, &token::digest(&new_token), user.row.id).await?;
    Ok((new_token, remember_browser(state, meta, user).await?))
}
