//! The login procedure shared by the sign-in page and `POST /api/v1/session`: throttling per IP,
//! lockout per account (AUTH-04), constant-work failures (AUTH-08), second factor (AUTH-05),
//! and session creation with a fresh token (SES-01).

use super::anonymous_ctx;
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::middleware::RequestMeta;
use chrono::Duration;
use liaison_core::{mfa, password, token};
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
    let window = Duration::minutes(state.config.lockout_minutes);
    let username = username.trim().to_lowercase();
    let (_, ip_failures) = state.db.login_failures_since(&username, &meta.ip, now - window).await?;
    if ip_failures >= state.config.ip_failures {
        state.db.audit_denied(&ctx, "auth.login", "user", "ip throttled").await?;
        return Err(AppError::TooManyRequests(window.num_seconds() as u64));
    }
    let Some(user) = state.db.user_by_username(&username).await? else {
        password::verify(password_text, password::dummy_hash());
        state.db.record_login_failure(&ctx, &username, "unknown account").await?;
        return Err(AppError::InvalidCredentials);
    };
    if let Some(until) = user.row.locked_until.filter(|until| *until > now) {
        state.db.record_login_failure(&ctx, &username, "locked").await?;
        return Err(AppError::TooManyRequests((until - now).num_seconds().max(1) as u64));
    }
    if !password::verify(password_text, &user.row.password_hash) || user.row.status == "disabled" {
        state.db.record_login_failure(&ctx, &username, "bad password").await?;
        let (failures, _) = state.db.login_failures_since(&username, &meta.ip, now - window).await?;
        if failures >= state.config.lockout_failures {
            state.db.lock_user(&ctx, user.row.id, now + window).await?;
        }
        return Err(AppError::InvalidCredentials);
    }
    state.db.record_login_success(&ctx, &user).await?;
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
    Ok(LoginSuccess { user, token, mfa_pending })
}

/// Checks a TOTP code (single use, ±1 step) or a recovery code for a user with TOTP enabled.
pub async fn check_second_factor(state: &AppState, meta: &RequestMeta, user: &User, code: &str) -> AppResult<()> {
    let now = state.clock.now();
    let ctx = anonymous_ctx(meta, now);
    let window = Duration::minutes(state.config.lockout_minutes);
    let (failures, _) = state.db.login_failures_since(&user.row.username, &meta.ip, now - window).await?;
    if failures >= state.config.lockout_failures {
        return Err(AppError::TooManyRequests(window.num_seconds() as u64));
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
        state.db.record_login_failure(&ctx, &user.row.username, "bad second factor").await?;
        Err(AppError::Validation(vec![liaison_core::validate::FieldError::new(
            "code",
            "mfa.invalid",
            "验证码错误或已使用 / wrong or used code",
        )]))
    }
}

/// Marks the session's second factor done and rotates its token; returns the new token.
pub async fn finish_second_factor(
    state: &AppState,
    meta: &RequestMeta,
    user: &User,
    session_digest: &str,
) -> AppResult<String> {
    let ctx = anonymous_ctx(meta, state.clock.now());
    let new_token = token::random_hex(32);
    state.db.complete_mfa(&ctx, session_digest, &token::digest(&new_token), user.row.id).await?;
    Ok(new_token)
}
