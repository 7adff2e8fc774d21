//! One item with everything its detail shows, read on one pooled connection.

use crate::attachments::{Attachment, attachment_select};
use crate::item_steps::{REFERRALS_OF_ITEM, Referral};
use crate::items::{EventRow, ITEM_BY_ID, ItemRow};
use crate::{Db, StoreError, StoreResult};

/// An item with its referrals, its whole timeline (internal notes too: the caller shows those by
/// viewer) and its clean attachments.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    /// The item.
    pub row: ItemRow,
    /// Its referrals, oldest first.
    pub referrals: Vec<Referral>,
    /// Its timeline, oldest first.
    pub timeline: Vec<EventRow>,
    /// Its clean attachments, oldest first.
    pub attachments: Vec<Attachment>,
}

/// An item's whole timeline, oldest first.
const TIMELINE_OF_ITEM: &str =
    "SELECT id, at, actor_id, actor_name, step, from_status, to_status, body, internal, on_behalf
     FROM item_event WHERE item_id = $1 ORDER BY id";

/// An item's clean attachments, oldest first.
const ATTACHMENTS_OF_ITEM: &str = concat!(attachment_select!(), "WHERE item_id = $1 AND status = 'clean' ORDER BY id");

impl Db {
    /// The detail of the item `id`. Its reads share one connection: sqlx pings a PostgreSQL connection
    /// as it goes back to the pool, a round trip per checkout, so separate reads cost twice theirs.
    /// Referrals and attachments are read only when the item's counters say it has some.
    pub async fn item_detail(&self, id: i64) -> StoreResult<ItemDetail> {
        read!(self, |pool| async {
            let mut c = pool.acquire().await?;
            let Some(row) = sqlx::query_as::<_, ItemRow>(ITEM_BY_ID).bind(id).fetch_optional(&mut *c).await? else {
                return Ok(None);
            };
            let referrals = match row.referral_count {
                0 => Vec::new(),
                _ => sqlx::query_as(REFERRALS_OF_ITEM).bind(id).fetch_all(&mut *c).await?,
            };
            let timeline = sqlx::query_as(TIMELINE_OF_ITEM).bind(id).fetch_all(&mut *c).await?;
            let attachments = match row.attachment_count {
                0 => Vec::new(),
                _ => sqlx::query_as(ATTACHMENTS_OF_ITEM).bind(id).fetch_all(&mut *c).await?,
            };
            Ok::<_, sqlx::Error>(Some(ItemDetail { row, referrals, timeline, attachments }))
        })?
        .ok_or(StoreError::NotFound)
    }
}
