//! The notification outbox: each inbox row fans out to the recipient's channels (email, SMS, webhook)
//! as `delivery` rows with a `deliver` job, in the transaction that wrote the notification; the worker
//! records each attempt. Also the users' channel preferences.

use crate::db::push_ids;
use crate::{Ctx, Db, Page, Paging, StoreError, StoreResult, Tx};
use chrono::{DateTime, Utc};

/// The job kind that sends one delivery.
pub const DELIVER: &str = "deliver";

/// One channel preference.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct UserChannel {
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    /// Address, mobile or URL.
    pub target: String,
    /// `plain` for email and SMS; `json`, `wecom_text` or `wecom_markdown` for webhooks.
    pub format: String,
}

/// A delivery with what it carries.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct DeliveryRow {
    /// Id.
    pub id: i64,
    /// Channel.
    pub channel: String,
    /// Address, mobile or URL.
    pub target: String,
    /// Format.
    pub format: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// When sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// The recipient.
    pub user_id: i64,
    /// Their name.
    pub user_name: String,
    /// Notification kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// The item it is about.
    pub item_id: Option<i64>,
}

/// Writes the deliveries of the notifications `ids`, one per channel of each recipient, each with its job
/// (two statements, however many notifications).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn enqueue(tx: &mut Tx, ids: &[i64]) -> StoreResult<()> {
    exec!(tx, |c| async {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO delivery (notification_id, channel, target, format, state, created_at)
             SELECT n.id, ch.channel, ch.target, ch.format, 'pending', n.created_at
             FROM notification n JOIN user_channel ch ON ch.user_id = n.user_id WHERE n.id IN ",
        );
        push_ids(&mut insert, ids);
        insert.build().execute(c).await
    })?;
    exec!(tx, |c| async {
        let mut insert = sqlx::QueryBuilder::new("INSERT INTO job (kind, ref_id, run_at) SELECT ");
        insert.push_bind(DELIVER).push(", d.id, d.created_at FROM delivery d WHERE d.notification_id IN ");
        push_ids(&mut insert, ids);
        insert.build().execute(c).await
    })?;
    Ok(())
}

macro_rules! delivery_select {
    () => {
        "SELECT d.id, d.channel, d.target, d.format, d.state, d.attempts, d.last_error, d.sent_at, d.created_at,
                n.user_id, u.display_name AS user_name, n.kind, n.title, n.body, n.item_id
         FROM delivery d JOIN notification n ON n.id = d.notification_id JOIN app_user u ON u.id = n.user_id "
    };
}

impl Db {
    /// One delivery.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delivery(&self, id: i64) -> StoreResult<DeliveryRow> {
        read!(self, |c| sqlx::query_as(concat!(delivery_select!(), "WHERE d.id = $1")).bind(id).fetch_optional(c))?
            .ok_or(StoreError::NotFound)
    }

    /// Deliveries newest first, optionally in one state (the admins' view).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn deliveries(&self, state: Option<&str>, paging: Paging) -> StoreResult<Page<DeliveryRow>> {
        let items = read!(self, |c| sqlx::query_as(concat!(
            delivery_select!(),
            "WHERE ($1 IS NULL OR d.state = $1) ORDER BY d.id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(state)
        .bind(paging.per_page)
        .bind(paging.offset())
        .fetch_all(c))?;
        let total: i64 = read!(self, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM delivery WHERE ($1 IS NULL OR state = $1)"
        )
        .bind(state)
        .fetch_one(c))?;
        Ok(Page { items, total })
    }

    /// Records an attempt: `sent`, or the error (the delivery stays `pending` until `failed` is final).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn record_delivery(
        &self,
        id: i64,
        at: DateTime<Utc>,
        outcome: Result<(), (&str, bool)>,
    ) -> StoreResult<()> {
        let (state, error) = match outcome {
            Ok(()) => ("sent", None),
            Err((error, last)) => (if last { "failed" } else { "pending" }, Some(error)),
        };
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "UPDATE delivery SET state = $2, attempts = attempts + 1, last_error = $3,
                 sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END
             WHERE id = $1"
        )
        .bind(id)
        .bind(state)
        .bind(error)
        .bind(at)
        .execute(c))?;
        tx.commit().await
    }

    /// A user's channels.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user_channels(&self, user_id: i64) -> StoreResult<Vec<UserChannel>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT channel, target, format FROM user_channel WHERE user_id = $1 ORDER BY channel"
        )
        .bind(user_id)
        .fetch_all(c))?)
    }

    /// Replaces a user's channels (validated by the caller).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_user_channels(&self, ctx: &Ctx, user_id: i64, channels: &[UserChannel]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query("DELETE FROM user_channel WHERE user_id = $1").bind(user_id).execute(c))?;
        for channel in channels {
            exec!(&mut tx, |c| sqlx::query(
                "INSERT INTO user_channel (user_id, channel, target, format) VALUES ($1, $2, $3, $4)"
            )
            .bind(user_id)
            .bind(&channel.channel)
            .bind(&channel.target)
            .bind(&channel.format)
            .execute(c))?;
        }
        let names: Vec<&str> = channels.iter().map(|c| c.channel.as_str()).collect();
        let event = ctx.event("user.channels", "user", Some(user_id), names.join(","));
        crate::audit::append(&mut tx, ctx.at, &event).await?;
        tx.commit().await
    }
}
