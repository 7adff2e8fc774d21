//! Notification pages: the user's channels (email, SMS, webhook) and the administrator's delivery log.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions::notify::{ChannelsInput, WEBHOOK_FORMATS, channels, deliveries as delivery_page, set_channels};
use crate::auth::{Authed, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppQuery};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::validate::FieldError;
use liaison_store::Paging;
use liaison_store::outbox::DeliveryRow;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "channels.html")]
struct ChannelsPage {
    chrome: Chrome,
    input: ChannelsInput,
    formats: [&'static str; 3],
    errors: Vec<FieldError>,
}

async fn channels_page(state: &AppState, lang: Lang, authed: &Authed) -> AppResult<ChannelsPage> {
    let mut input = ChannelsInput::default();
    for channel in channels(state, authed).await? {
        match channel.channel.as_str() {
            "email" => input.email = channel.target,
            "sms" => input.sms = channel.target,
            _ => (input.webhook_url, input.webhook_format) = (channel.target, channel.format),
        }
    }
    let chrome = Chrome::new(state, lang, authed, "channels.title", "/account");
    Ok(ChannelsPage { chrome, input, formats: WEBHOOK_FORMATS, errors: Vec::new() })
}

pub async fn form(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    Ok(render(&channels_page(&state, lang, &authed).await?))
}

pub async fn save(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(input): AppForm<ChannelsInput>,
) -> AppResult<Response> {
    match set_channels(&state, &authed, &input).await {
        Ok(()) => Ok(see_other("/account/notifications")),
        Err(AppError::Validation(errors)) => {
            let chrome = Chrome::new(&state, lang, &authed, "channels.title", "/account");
            let page = ChannelsPage { chrome, input, formats: WEBHOOK_FORMATS, errors };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other),
    }
}

/// Filter and page of the delivery log.
#[derive(Debug, Deserialize)]
pub struct DeliveryQuery {
    #[serde(default)]
    state: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    rows: Vec<DeliveryRow>,
    state: String,
    total: i64,
}

pub async fn deliveries(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<DeliveryQuery>,
) -> AppResult<Response> {
    let filter = Some(q.state.as_str()).filter(|s| !s.is_empty());
    let page = delivery_page(&state, &authed, filter, Paging::new(q.page, Some(100))).await?;
    Ok(render(&DeliveriesPage {
        chrome: Chrome::new(&state, lang, &authed, "deliveries.title", "/deliveries"),
        rows: page.items,
        state: q.state,
        total: page.total,
    }))
}
