//! `/api/v1/notifications`: the caller's in-app inbox and marking it read.

use super::json::Json;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppQuery};
use axum::extract::State;
use liaison_store::inbox::NotificationRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Paging of the inbox.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Cursor: notifications with a smaller id.
    pub before: Option<i64>,
    /// Rows (1–200, default 50).
    pub limit: Option<i64>,
}

/// The inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxView {
    /// Unread notifications in all.
    pub unread: i64,
    /// Newest first.
    pub items: Vec<NotificationRow>,
}

/// Which notification to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": 42}))]
pub struct ReadBody {
    /// One notification; absent: all.
    pub id: Option<i64>,
}

/// The caller's notifications and unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "inbox", params(InboxQuery),
    responses((status = 200, body = InboxView)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<InboxQuery>,
) -> AppResult<Json<InboxView>> {
    let user = authed.user.row.id;
    let items = state.db.notifications(user, q.before, q.limit.unwrap_or(50)).await?;
    Ok(Json(InboxView { unread: state.db.unread_count(user).await?, items }))
}

/// Marks one or all of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "inbox", request_body = ReadBody,
    responses((status = 200, body = InboxView)))]
pub async fn read(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(body): AppJson<ReadBody>,
) -> AppResult<Json<InboxView>> {
    state.db.mark_read(authed.user.row.id, body.id, state.clock.now()).await?;
    list(State(state), CurrentUser(authed), AppQuery(InboxQuery { before: None, limit: None })).await
}

/// The caller's notification channels besides the inbox.
#[utoipa::path(get, path = "/api/v1/me/channels", tag = "inbox",
    responses((status = 200, body = Vec<Object>)))]
pub async fn channels(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Json<Vec<liaison_store::outbox::UserChannel>>> {
    Ok(Json(crate::actions::notify::channels(&state, &authed).await?))
}

/// Replaces the caller's channels: email, SMS mobile, webhook URL (https) and format
/// (`json`, `wecom_text`, `wecom_markdown`); empty fields switch a channel off.
#[utoipa::path(put, path = "/api/v1/me/channels", tag = "inbox", request_body = crate::actions::notify::ChannelsInput,
    responses((status = 200, body = Vec<Object>), (status = 422)))]
pub async fn set_channels(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(body): AppJson<crate::actions::notify::ChannelsInput>,
) -> AppResult<Json<Vec<liaison_store::outbox::UserChannel>>> {
    crate::actions::notify::set_channels(&state, &authed, &body).await?;
    channels(State(state), CurrentUser(authed)).await
}

/// Filter of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// `pending`, `sent` or `failed`.
    pub state: Option<String>,
    /// Page.
    pub page: Option<i64>,
    /// Rows per page.
    pub per_page: Option<i64>,
}

/// The delivery state of every notification sent by email, webhook or SMS (system administrators).
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "inbox", params(DeliveryQuery),
    responses((status = 200, body = Object), (status = 403)))]
pub async fn deliveries(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<DeliveryQuery>,
) -> AppResult<Json<crate::view::ListView<liaison_store::outbox::DeliveryRow>>> {
    let paging = liaison_store::Paging::new(q.page, q.per_page);
    let page =
        crate::actions::notify::deliveries(&state, &authed, q.state.as_deref().filter(|s| !s.is_empty()), paging)
            .await?;
    Ok(Json(crate::view::ListView {
        items: page.items,
        total: page.total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}
