//! Notification preferences and the delivery log: a user's own channels (email address, mobile for
//! SMS, webhook URL and format), checked before they are kept.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use liaison_core::permission::Action;
use liaison_core::validate::{FieldError, FieldErrors, Mobile};
use liaison_store::outbox::{DeliveryRow, UserChannel};
use liaison_store::{Page, Paging};

/// Webhook formats.
pub const WEBHOOK_FORMATS: [&str; 3] = ["json", "wecom_text", "wecom_markdown"];

/// The channels as entered; empty fields mean "not this channel".
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "officer@example.gov.cn", "sms": "13800138000", "webhook_url": "", "webhook_format": "json"}))]
pub struct ChannelsInput {
    /// Email address.
    #[serde(default)]
    pub email: String,
    /// Mobile for SMS.
    #[serde(default)]
    pub sms: String,
    /// Webhook URL (https).
    #[serde(default)]
    pub webhook_url: String,
    /// `json`, `wecom_text` or `wecom_markdown`.
    #[serde(default)]
    pub webhook_format: String,
}

/// The viewer's channels.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn channels(state: &AppState, authed: &Authed) -> AppResult<Vec<UserChannel>> {
    Ok(state.db.user_channels(authed.user.row.id).await?)
}

/// Replaces the viewer's channels after checking each.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_channels(state: &AppState, authed: &Authed, input: &ChannelsInput) -> AppResult<()> {
    let mut errors = FieldErrors::default();
    let mut kept = Vec::new();
    let email = input.email.trim();
    if !email.is_empty() {
        match email.parse::<lettre::Address>() {
            Ok(address) => {
                kept.push(UserChannel { channel: "email".into(), target: address.to_string(), format: "plain".into() })
            }
            Err(_) => {
                errors.push(FieldError::new("email", "email.format", "邮箱地址格式不正确 / invalid email address"))
            }
        }
    }
    if !input.sms.trim().is_empty()
        && let Some(mobile) = errors.check("sms", Mobile::parse(&input.sms))
    {
        kept.push(UserChannel { channel: "sms".into(), target: mobile.to_string(), format: "plain".into() });
    }
    let url = input.webhook_url.trim();
    if !url.is_empty() {
        let format = if input.webhook_format.is_empty() { "json" } else { input.webhook_format.as_str() };
        if !state.notifier.webhook_allowed(url) || url.len() > 500 || url.contains(char::is_whitespace) {
            errors.push(FieldError::new(
                "webhook_url",
                "webhook.url",
                "Webhook 地址须为 https:// 开头 / webhook URL must be https",
            ));
        } else if !WEBHOOK_FORMATS.contains(&format) {
            errors.push(FieldError::new(
                "webhook_format",
                "webhook.format",
                "格式应为 json、wecom_text 或 wecom_markdown",
            ));
        } else {
            kept.push(UserChannel { channel: "webhook".into(), target: url.to_owned(), format: format.to_owned() });
        }
    }
    if !errors.0.is_empty() {
        return Err(errors.into());
    }
    Ok(state.db.set_user_channels(&authed.ctx(state.clock.now()), authed.user.row.id, &kept).await?)
}

/// Deliveries for the system administrator, optionally in one state.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn deliveries(
    state: &AppState,
    authed: &Authed,
    filter: Option<&str>,
    paging: Paging,
) -> AppResult<Page<DeliveryRow>> {
    authed.require(Action::ViewDeliveries)?;
    if filter.is_some_and(|s| !["pending", "sent", "failed"].contains(&s)) {
        return Err(AppError::field("state", "state.unknown", "状态应为 pending、sent 或 failed"));
    }
    Ok(state.db.deliveries(filter, paging).await?)
}
