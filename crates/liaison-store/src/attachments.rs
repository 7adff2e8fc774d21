//! Attachment records of items (the bytes live in the upload directory, see `liaison-web::uploads`):
//! adding one under the per-item limit with its timeline row and audit row, listing, reading.

use crate::audit::append;
use crate::item_writes::insert_event;
use crate::items::NewEvent;
use crate::{Ctx, Db, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::upload::MAX_PER_ITEM;

/// The SELECT of [`Attachment`] (a macro, so `concat!` keeps each query a static string).
macro_rules! attachment_select {
    () => {
        "SELECT id, item_id, uploaded_by, file_name, content_type, size, sha256, storage_name, status, created_at
         FROM attachment "
    };
}
pub(crate) use attachment_select;

/// A stored attachment.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// Item.
    pub item_id: i64,
    /// Uploader.
    pub uploaded_by: i64,
    /// Cleaned original name.
    pub file_name: String,
    /// MIME type recognised from the content.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Random name in the upload directory.
    #[serde(skip)]
    pub storage_name: String,
    /// `clean` or `quarantined`.
    pub status: String,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

/// A new attachment's record.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// Cleaned original name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Random storage name.
    pub storage_name: String,
    /// `clean` or `quarantined`.
    pub status: &'static str,
}

impl Db {
    /// Records an attachment of `item_id`; `Conflict` when the item already has the maximum.
    /// A clean file also gets a timeline row; a quarantined one is audited as such.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn add_attachment(&self, ctx: &Ctx, item_id: i64, file: &NewAttachment) -> StoreResult<i64> {
        let uploader = ctx.actor_id.ok_or(StoreError::Invariant("an attachment needs an uploader"))?;
        let mut tx = self.begin().await?;
        let count: i64 = fetch!(&mut tx, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM attachment WHERE item_id = $1"
        )
        .bind(item_id)
        .fetch_one(c))?;
        if count >= MAX_PER_ITEM {
            return Err(StoreError::Conflict(format!(
                "每个事项最多 {MAX_PER_ITEM} 个附件 / at most {MAX_PER_ITEM} files per item"
            )));
        }
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO attachment (item_id, uploaded_by, file_name, content_type, size, sha256, storage_name, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(item_id)
        .bind(uploader)
        .bind(&file.file_name)
        .bind(&file.content_type)
        .bind(file.size)
        .bind(&file.sha256)
        .bind(&file.storage_name)
        .bind(file.status)
        .bind(ctx.at)
        .fetch_one(c)
        })?;
        if file.status == "clean" {
            exec!(&mut tx, |c| sqlx::query("UPDATE item SET attachment_count = attachment_count + 1 WHERE id = $1")
                .bind(item_id)
                .execute(c))?;
            let event =
                NewEvent { step: "attach".into(), body: file.file_name.clone(), internal: false, on_behalf: false };
            insert_event(&mut tx, ctx, item_id, &event, None, None).await?;
        }
        let action = if file.status == "clean" { "attachment.add" } else { "attachment.quarantine" };
        let detail = format!("item {item_id} {} {} bytes sha256 {}", file.content_type, file.size, file.sha256);
        append(&mut tx, ctx.at, &ctx.event(action, "attachment", Some(id), detail)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One attachment of an item (any status).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn attachment(&self, item_id: i64, id: i64) -> StoreResult<Attachment> {
        read!(self, |c| sqlx::query_as(concat!(attachment_select!(), "WHERE item_id = $1 AND id = $2"))
            .bind(item_id)
            .bind(id)
            .fetch_optional(c))?
        .ok_or(StoreError::NotFound)
    }
}
