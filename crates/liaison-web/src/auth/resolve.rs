//! Resolves the session cookie or bearer token of each request into an [`Authed`], enforcing the idle
//! and absolute session lifetimes and the account's status on every request (AC-08, SES-03).

use super::{Authed, cookie};
use crate::AppState;
use crate::middleware::RequestMeta;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Duration;
use liaison_core::token::digest;

/// The two request headers that identify a caller.
struct Credentials {
    authorization: Option<String>,
    cookies: Option<String>,
}

/// Middleware: puts an [`Authed`] into the request when the credentials are valid.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let meta = req.extensions().get::<RequestMeta>().cloned();
    let mut denied_ctx = None;
    if let Some(meta) = meta {
        let credentials = {
            let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            Credentials { authorization: header(header::AUTHORIZATION), cookies: header(header::COOKIE) }
        };
        match identify(&state, &credentials, meta).await {
            Ok(Some(authed)) => {
                denied_ctx = Some(authed.ctx(state.clock.now()));
                req.extensions_mut().insert(authed);
            }
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "session lookup failed"),
        }
    }
    let path: String = req.uri().path().chars().take(200).collect();
    let response = next.run(req).await;
    // Every refused request of a signed-in user is audited (LOG-01): who, from where, which path, and
    // why when it is not a plain permission refusal (a cross-site request, input refused at the edge).
    let code = response.extensions().get::<crate::error::ErrorInfo>().map(|info| info.code);
    let why = match code {
        Some(code @ ("cross_site" | "control_characters" | "invalid_utf8")) => format!("{path} ({code})"),
        _ => path,
    };
    let refused =
        response.status() == StatusCode::FORBIDDEN || matches!(code, Some("control_characters" | "invalid_utf8"));
    if let (true, Some(ctx)) = (refused, denied_ctx)
        && let Err(error) = state.db.audit_denied(&ctx, "access.denied", "route", &why).await
    {
        tracing::error!(%error, "auditing a denied request failed");
    }
    response
}

async fn identify(
    state: &AppState,
    credentials: &Credentials,
    meta: RequestMeta,
) -> Result<Option<Authed>, liaison_store::StoreError> {
    let now = state.clock.now();
    let bearer = credentials.authorization.as_deref().and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        let Some(row) = state.db.api_token(&digest(token.trim())).await? else {
            return Ok(None);
        };
        let user = state.db.user(row.user_id).await?;
        if user.row.status == "disabled" {
            return Ok(None);
        }
        if row.last_used_at.is_none_or(|at| now - at > Duration::minutes(1)) {
            state.db.touch_api_token(row.id, now).await?;
        }
        return Ok(Some(Authed { user, session: None, mfa_pending: false, authenticated_at: row.created_at, meta }));
    }
    let cookies = credentials.cookies.as_deref().unwrap_or_default();
    let Some(token) = cookie::token_from(&state.config, cookies) else {
        return Ok(None);
    };
    let id = digest(&token);
    let Some((session, user)) = state.db.session_with_user(&id).await? else {
        return Ok(None);
    };
    let idle = Duration::minutes(state.config.idle_timeout_minutes);
    let absolute = Duration::hours(state.config.absolute_timeout_hours);
    if now - session.last_seen_at > idle || now - session.created_at > absolute {
        return Ok(None);
    }
    if user.row.status == "disabled" {
        return Ok(None);
    }
    if now - session.last_seen_at > Duration::minutes(1) {
        state.db.touch_session(&id, now).await?;
    }
    Ok(Some(Authed {
        user,
        session: Some(id),
        mfa_pending: session.mfa_pending,
        authenticated_at: session.authenticated_at,
        meta,
    }))
}
