//! The in-app inbox: every user's notifications, the unread count shown in the header, marking read.

use crate::{Db, StoreResult};
use chrono::{DateTime, Utc};

/// One notification.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// The item it is about.
    pub item_id: Option<i64>,
    /// Kind code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Read.
    pub read_at: Option<DateTime<Utc>>,
}

impl Db {
    /// A user's notifications, newest first, before the id `before`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn notifications(
        &self,
        user_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<NotificationRow>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT id, item_id, kind, title, body, created_at, read_at FROM notification
             WHERE user_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        )
        .bind(user_id)
        .bind(before)
        .bind(limit.clamp(1, 200))
        .fetch_all(c))?)
    }

    /// How many of a user's notifications are unread.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unread_count(&self, user_id: i64) -> StoreResult<i64> {
        Ok(read!(self, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM notification WHERE user_id = $1 AND read_at IS NULL"
        )
        .bind(user_id)
        .fetch_one(c))?)
    }

    /// Marks one notification (or, with `None`, all) of the user read; returns how many changed.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_read(&self, user_id: i64, id: Option<i64>, at: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let changed = exec!(&mut tx, |c| {
            sqlx::query(
            "UPDATE notification SET read_at = $3 WHERE user_id = $1 AND ($2 IS NULL OR id = $2) AND read_at IS NULL"
        )
        .bind(user_id)
        .bind(id)
        .bind(at)
        .execute(c)
        })?;
        tx.commit().await?;
        Ok(changed)
    }
}
