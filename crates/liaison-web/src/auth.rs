//! Who is asking: session cookies and bearer tokens resolved once per request, the extractors that
//! demand a signed-in user, and the login procedure shared by the page and the API.

mod cookie;
pub mod login;
mod resolve;

pub(crate) use cookie::device_from;
pub use cookie::{clear_cookie, device_cookie, has_session_cookie, session_cookie};
pub use resolve::resolve;

use crate::error::AppError;
use crate::middleware::RequestMeta;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use liaison_core::permission::{Action, Viewer};
use liaison_store::Ctx;
use liaison_store::users::User;

/// A resolved identity, stored in the request's extensions by [`resolve`].
#[derive(Debug, Clone)]
pub struct Authed {
    /// The user with roles.
    pub user: User,
    /// Digest of the session token (absent for bearer tokens).
    pub session: Option<String>,
    /// The password was accepted but the second factor is still owed.
    pub mfa_pending: bool,
    /// When the password was last checked in this session.
    pub authenticated_at: DateTime<Utc>,
    /// Request metadata.
    pub meta: RequestMeta,
}

impl Authed {
    /// The permission view.
    pub fn viewer(&self) -> Viewer {
        self.user.viewer()
    }

    /// An audit context for a change at `at` by this user.
    pub fn ctx(&self, at: DateTime<Utc>) -> Ctx {
        Ctx {
            at,
            actor_id: Some(self.user.row.id),
            actor_role: self.user.role_codes(),
            ip: self.meta.ip.clone(),
            request_id: self.meta.id.clone(),
        }
    }

    /// `Ok` when the user may take `action`, else `Forbidden`.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.viewer().can(action) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// What a user with a one-time password may reach before changing it.
const PASSWORD_CHANGE_PATHS: [&str; 4] = ["/account", "/account/password", "/api/v1/me", "/api/v1/me/password"];

/// A signed-in user who has completed every factor (and replaced any one-time password).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Authed);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authed>() {
            Some(authed) if authed.mfa_pending => Err(AppError::MfaRequired),
            Some(authed)
                if authed.user.row.must_change_password && !PASSWORD_CHANGE_PATHS.contains(&parts.uri.path()) =>
            {
                Err(AppError::PasswordChangeRequired)
            }
            Some(authed) => Ok(CurrentUser(authed.clone())),
            None => Err(AppError::Unauthenticated),
        }
    }
}

/// A signed-in user who may still owe the second factor (the MFA pages themselves).
#[derive(Debug, Clone)]
pub struct PartlySignedIn(pub Authed);

impl<S: Send + Sync> FromRequestParts<S> for PartlySignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Authed>().cloned().map(PartlySignedIn).ok_or(AppError::Unauthenticated)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request metadata missing".into()))
    }
}

/// An audit context for an anonymous request.
pub fn anonymous_ctx(meta: &RequestMeta, at: DateTime<Utc>) -> Ctx {
    Ctx { at, actor_id: None, actor_role: "anonymous".into(), ip: meta.ip.clone(), request_id: meta.id.clone() }
}
