//! The user's own account: password change (ends other sessions), personal access tokens, consent to
//! the Open311 API keys that act as the account.

use super::{Chrome, render, render_status};
use crate::AppState;
use crate::auth::{Authed, CurrentUser};
use crate::error::AppResult;
use crate::extract::AppForm;
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::validate::FieldError;
use liaison_store::sessions::ApiTokenRow;

/// One of the user's sessions as listed to them.
struct SessionView {
    created_at: chrono::DateTime<chrono::Utc>,
    last_seen_at: chrono::DateTime<chrono::Utc>,
    ip: String,
    user_agent: String,
    current: bool,
}
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    unit_name: String,
    roles: Vec<String>,
    mfa_enabled: bool,
    must_change: bool,
    tokens: Vec<ApiTokenRow>,
    api_keys: Vec<liaison_store::api_keys::ApiKey>,
    sessions: Vec<SessionView>,
    new_token: Option<String>,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

async fn account_page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    new_token: Option<String>,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<AccountPage> {
    let user = &authed.user;
    Ok(AccountPage {
        chrome: Chrome::new(state, lang, authed, "account.title", "/account"),
        username: user.row.username.clone(),
        unit_name: user.row.unit_name.clone(),
        roles: user.roles.iter().map(|r| lang.t(&format!("role.{}", r.code()))).collect(),
        mfa_enabled: user.row.totp_enabled,
        must_change: user.row.must_change_password,
        tokens: state.db.api_tokens_of(user.row.id).await?,
        api_keys: crate::actions::api_keys::mine(state, authed).await?,
        sessions: state
            .db
            .sessions_of(user.row.id)
            .await?
            .into_iter()
            .map(|s| SessionView {
                current: Some(&s.id) == authed.session.as_ref(),
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
        new_token,
        notice,
        errors,
    })
}

pub async fn page(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    Ok(render(&account_page(&state, lang, &authed, None, None, Vec::new()).await?))
}

/// Password change form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Changes the password after checking the current one; every other session ends.
pub async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<PasswordForm>,
) -> AppResult<Response> {
    let change = crate::actions::PasswordChange { current: form.current, new: form.new, confirm: form.confirm };
    match crate::actions::change_password(&state, lang, &authed, &change).await {
        Ok(()) => {
            let notice = Some(lang.t("account.password_changed"));
            Ok(render(&account_page(&state, lang, &authed, None, notice, Vec::new()).await?))
        }
        Err(crate::error::AppError::Validation(errors)) => {
            let page = account_page(&state, lang, &authed, None, None, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other),
    }
}

/// Token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
}

/// Creates a personal access token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<TokenForm>,
) -> AppResult<Response> {
    match crate::actions::create_token(&state, &authed, &form.name).await {
        Ok((_, token)) => Ok(render(&account_page(&state, lang, &authed, Some(token), None, Vec::new()).await?)),
        Err(crate::error::AppError::Validation(errors)) => {
            let page = account_page(&state, lang, &authed, None, None, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other),
    }
}

/// Ends every other session of the signed-in user.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Response> {
    let ended = crate::actions::end_other_sessions(&state, &authed).await?;
    let notice = format!("{} ({ended})", lang.t("account.sessions_ended"));
    Ok(render(&account_page(&state, lang, &authed, None, Some(notice), Vec::new()).await?))
}

/// The signed-in user consents to an API key acting as them.
pub async fn consent_api_key(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    crate::extract::AppPath(id): crate::extract::AppPath<i64>,
) -> AppResult<Response> {
    crate::actions::api_keys::consent(&state, &authed, id).await?;
    let notice = Some(lang.t("account.key_consented"));
    Ok(render(&account_page(&state, lang, &authed, None, notice, Vec::new()).await?))
}
