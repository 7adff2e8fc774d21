//! The API-keys page of the security administrator: every Open311 client key (the account it acts
//! as, its prefix, limit, last use, state), issuing a key, rotating and revoking one. A new or rotated
//! secret is shown on the answer to that form, once.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions::api_keys::{self, DEFAULT_PER_MINUTE, IssuedKey, KeyFields};
use crate::auth::{Authed, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppPath};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::validate::FieldError;
use liaison_store::api_keys::ApiKey;
use serde::Deserialize;

/// The new-key form.
#[derive(Debug, Default, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    read_private: Option<String>,
    #[serde(default)]
    per_minute: String,
}

#[derive(Template)]
#[template(path = "admin/api_keys.html")]
struct ApiKeysPage {
    chrome: Chrome,
    keys: Vec<ApiKey>,
    issued: Option<IssuedKey>,
    form: KeyForm,
    errors: Vec<FieldError>,
    default_per_minute: i64,
}

async fn page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    issued: Option<IssuedKey>,
    form: KeyForm,
    errors: Vec<FieldError>,
) -> AppResult<ApiKeysPage> {
    let keys = api_keys::list(state, authed).await?;
    let chrome = Chrome::new(state, lang, authed, "api_keys.title", "/api-keys");
    Ok(ApiKeysPage { chrome, keys, issued, form, errors, default_per_minute: DEFAULT_PER_MINUTE })
}

pub async fn show(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    Ok(render(&page(&state, lang, &authed, None, KeyForm::default(), Vec::new()).await?))
}

/// Issues a key and shows its secret (the one time it can be seen), or the form's errors (422).
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<KeyForm>,
) -> AppResult<Response> {
    let per_minute = match form.per_minute.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| {
            AppError::Validation(vec![FieldError::new("per_minute", "number.format", "请填写整数 / a whole number")])
        }),
    };
    let fields = |per_minute| KeyFields {
        name: form.name.clone(),
        username: form.username.clone(),
        read_private: form.read_private.is_some(),
        per_minute,
    };
    let issued = match per_minute {
        Ok(per_minute) => api_keys::issue(&state, &authed, &fields(per_minute)).await,
        Err(error) => Err(error),
    };
    match issued {
        Ok(issued) => Ok(render(&page(&state, lang, &authed, Some(issued), KeyForm::default(), Vec::new()).await?)),
        Err(AppError::Validation(errors)) => {
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, lang, &authed, None, form, errors).await?))
        }
        Err(other) => Err(other),
    }
}

/// Rotates a key and shows the new secret once.
pub async fn rotate(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Response> {
    let issued = api_keys::rotate(&state, &authed, id).await?;
    Ok(render(&page(&state, lang, &authed, Some(issued), KeyForm::default(), Vec::new()).await?))
}

pub async fn revoke(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Response> {
    api_keys::revoke(&state, &authed, id).await?;
    Ok(see_other("/api-keys"))
}
