//! Sending notifications beyond the inbox: email over SMTP (lettre), webhooks (generic JSON and the
//! 企业微信 group-robot `text` / `markdown` formats, reqwest over rustls) and SMS behind a trait whose
//! default only logs. The `deliver` job calls [`Notifier::send`] and records every attempt.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use liaison_core::net::is_public;
use liaison_store::outbox::DeliveryRow;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The `[notify]` settings.
#[derive(Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct NotifyConfig {
    /// SMTP server; empty disables email (deliveries fail with a clear error).
    pub smtp_host: String,
    /// SMTP port.
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    /// SMTP user (empty: no authentication).
    pub smtp_username: String,
    /// SMTP password (never logged).
    pub smtp_password: String,
    /// The sender, e.g. `助企警务联络平台 <noreply@example.gov.cn>`.
    pub mail_from: String,
    /// Lets webhooks use plain `http://` (tests, closed networks); otherwise only `https://`.
    pub allow_plain_http_webhooks: bool,
    /// Lets webhooks reach loopback, private and link-local addresses (tests, closed networks); otherwise
    /// a webhook host must resolve to public addresses only, so a user cannot aim one at the server itself
    /// or the internal network (SSRF).
    pub allow_private_webhooks: bool,
    /// The site's public address, for links in messages.
    pub public_origin: String,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: "starttls".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            mail_from: "助企警务联络平台 <noreply@liaison.invalid>".into(),
            allow_plain_http_webhooks: false,
            allow_private_webhooks: false,
            public_origin: String::new(),
        }
    }
}

impl std::fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("mail_from", &self.mail_from)
            .finish_non_exhaustive()
    }
}

/// Sends text messages to mobiles. Production plugs in a carrier's gateway.
pub trait SmsSender: Send + Sync + std::fmt::Debug {
    /// Sends `text` to `mobile`.
    fn send(&self, mobile: &str, text: &str) -> Result<(), String>;
}

/// Logs instead of sending (the mobile masked).
#[derive(Debug, Default, Clone, Copy)]
pub struct LoggingSms;

impl SmsSender for LoggingSms {
    fn send(&self, mobile: &str, text: &str) -> Result<(), String> {
        tracing::info!(mobile = %liaison_core::mask::mobile(mobile), chars = text.chars().count(), "sms (logging sender)");
        Ok(())
    }
}

/// The channels.
#[derive(Debug)]
pub struct Notifier {
    mailer: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    http: reqwest::Client,
    sms: Box<dyn SmsSender>,
    config: NotifyConfig,
}

impl Notifier {
    /// Builds the channels; an unusable SMTP setting is an error at start, not at the first message.
    pub fn new(config: NotifyConfig, sms: Box<dyn SmsSender>) -> Result<Self, String> {
        // reqwest is built without a default crypto provider; ring is the one we ship.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mailer = if config.smtp_host.is_empty() {
            None
        } else {
            let tls = match config.smtp_tls.as_str() {
                "none" => Tls::None,
                "starttls" => Tls::Required(TlsParameters::new(config.smtp_host.clone()).map_err(|e| e.to_string())?),
                "tls" => Tls::Wrapper(TlsParameters::new(config.smtp_host.clone()).map_err(|e| e.to_string())?),
                other => return Err(format!("notify.smtp_tls must be none, starttls or tls, not {other}")),
            };
            let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.smtp_host)
                .port(config.smtp_port)
                .tls(tls)
                .timeout(Some(Duration::from_secs(15)));
            if !config.smtp_username.is_empty() {
                builder =
                    builder.credentials(Credentials::new(config.smtp_username.clone(), config.smtp_password.clone()));
            }
            let from: Mailbox = config.mail_from.parse().map_err(|e| format!("notify.mail_from: {e}"))?;
            Some((builder.build(), from))
        };
        // Webhooks follow no redirect (a redirect could lead anywhere) and, unless allowed, connect only to
        // the public addresses their host resolves to (checked at connection time, so DNS cannot change
        // the answer between a check and the request).
        let mut http =
            reqwest::Client::builder().timeout(Duration::from_secs(10)).redirect(reqwest::redirect::Policy::none());
        if !config.allow_private_webhooks {
            http = http.dns_resolver(PublicOnly);
        }
        let http = http.build().map_err(|e| e.to_string())?;
        Ok(Self { mailer, http, sms, config })
    }

    /// Whether a webhook URL is acceptable (https, or http where allowed).
    pub fn webhook_allowed(&self, url: &str) -> bool {
        url.starts_with("https://") || (self.config.allow_plain_http_webhooks && url.starts_with("http://"))
    }

    /// Sends one delivery; the error text is what admins see.
    pub async fn send(&self, delivery: &DeliveryRow) -> Result<(), String> {
        let link = delivery.item_id.map(|id| format!("{}/items/{id}", self.config.public_origin)).unwrap_or_default();
        match delivery.channel.as_str() {
            "email" => self.email(delivery, &link).await,
            "webhook" => self.webhook(delivery, &link).await,
            "sms" => self.sms.send(&delivery.target, &format!("【助企警务】{}", delivery.title)),
            other => Err(format!("unknown channel {other}")),
        }
    }

    async fn email(&self, delivery: &DeliveryRow, link: &str) -> Result<(), String> {
        let (mailer, from) = self.mailer.as_ref().ok_or("email is not configured ([notify] smtp_host)")?;
        let to: Mailbox = delivery.target.parse().map_err(|e| format!("bad address: {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&delivery.title)
            .body(format!("{}\n\n{}\n{link}\n", delivery.title, delivery.body))
            .map_err(|e| e.to_string())?;
        mailer.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }

    async fn webhook(&self, delivery: &DeliveryRow, link: &str) -> Result<(), String> {
        if !self.webhook_allowed(&delivery.target) {
            return Err("webhook URL must use https".into());
        }
        // An address written in the URL is not resolved, so the resolver cannot refuse it: check it here.
        let url = reqwest::Url::parse(&delivery.target).map_err(|e| format!("bad webhook URL: {e}"))?;
        let host = url.host_str().unwrap_or_default();
        let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().ok();
        if !self.config.allow_private_webhooks && literal.is_some_and(|ip| !is_public(ip)) {
            return Err(NOT_PUBLIC.into());
        }
        let payload = webhook_payload(delivery, link);
        let response = self.http.post(&delivery.target).json(&payload).send().await.map_err(|e| with_causes(&e))?;
        if response.status().is_success() { Ok(()) } else { Err(format!("webhook answered {}", response.status())) }
    }
}

/// An error with its causes (reqwest's own message only says the request failed).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// Why a webhook to an internal address is refused.
const NOT_PUBLIC: &str = "webhook host is not a public address";

/// Resolves webhook hosts to their public addresses only; a host with none is refused.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(NOT_PUBLIC.into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The body a webhook receives, by format.
pub fn webhook_payload(delivery: &DeliveryRow, link: &str) -> serde_json::Value {
    match delivery.format.as_str() {
        "wecom_text" => serde_json::json!({
            "msgtype": "text",
            "text": {"content": format!("{}\n{}\n{link}", delivery.title, delivery.body)}
        }),
        "wecom_markdown" => serde_json::json!({
            "msgtype": "markdown",
            "markdown": {"content": format!("**{}**\n> {}\n[查看详情]({link})", delivery.title, delivery.body)}
        }),
        _ => serde_json::json!({
            "kind": delivery.kind,
            "title": delivery.title,
            "body": delivery.body,
            "item_id": delivery.item_id,
            "link": link,
            "created_at": delivery.created_at,
        }),
    }
}
