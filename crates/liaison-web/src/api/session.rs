//! `POST/DELETE /api/v1/session` and `GET /api/v1/me`.

use super::json::Json;
use crate::auth::{CurrentUser, PartlySignedIn, login, session_cookie};
use crate::error::{AppError, AppResult};
use crate::extract::AppJson;
use crate::middleware::RequestMeta;
use crate::view::MeView;
use crate::{AppState, auth};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "officer-001", "password": "liaison-demo"}))]
pub struct LoginBody {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Current TOTP code, when the account has one.
    pub totp: Option<String>,
}

/// Signs in and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginBody,
    responses((status = 200, body = MeView), (status = 401, description = "wrong credentials or second factor required"),
              (status = 429, description = "throttled or locked")))]
pub async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppJson(body): AppJson<LoginBody>,
) -> AppResult<Response> {
    let done = login::password_login(&state, &meta, &body.username, &body.password, body.totp.as_deref()).await?;
    let mut response = if done.mfa_pending {
        AppError::MfaRequired.into_response()
    } else {
        Json(MeView::from(&done.user)).into_response()
    };
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state.config, &done.token));
    if let Some(device) = &done.device {
        response.headers_mut().append(header::SET_COOKIE, auth::device_cookie(&state.config, device));
    }
    Ok(response)
}

/// Signs out: the session ends on the server.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
pub async fn delete(State(state): State<AppState>, PartlySignedIn(authed): PartlySignedIn) -> AppResult<Response> {
    if let Some(session) = &authed.session {
        state.db.end_session(&authed.ctx(state.clock.now()), session).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, auth::clear_cookie(&state.config));
    response.headers_mut().insert("clear-site-data", header::HeaderValue::from_static("\"cache\", \"storage\""));
    Ok(response)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = MeView), (status = 401)))]
pub async fn me(CurrentUser(authed): CurrentUser) -> Json<MeView> {
    Json(MeView::from(&authed.user))
}

/// Changes the signed-in user's password (the current one checked); every other session ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = crate::actions::PasswordChange,
    responses((status = 204, description = "已修改 / changed"), (status = 401), (status = 422)))]
pub async fn change_password(
    State(state): State<AppState>,
    lang: crate::i18n::Lang,
    CurrentUser(authed): CurrentUser,
    AppJson(change): AppJson<crate::actions::PasswordChange>,
) -> AppResult<StatusCode> {
    crate::actions::change_password(&state, lang, &authed, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many sessions ended.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Ended {
    /// Sessions ended.
    pub ended: u64,
}

/// Ends every session of the signed-in user but this one.
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "session",
    responses((status = 200, body = Ended, description = "已结束的其他会话数 / other sessions ended"), (status = 401)))]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Json<Ended>> {
    Ok(Json(Ended { ended: crate::actions::end_other_sessions(&state, &authed).await? }))
}
