//! One item with everything its detail shows: the item and its timeline in one statement, its
//! referrals and attachments only when its counters say it has some.

use crate::attachments::{Attachment, attachment_select};
use crate::by_position::{Positional, ReadByPosition, ReadRows};
use crate::item_steps::Referral;
use crate::items::{EventRow, ITEM_COLUMNS, ItemRow, event_columns, item_columns, item_joins};
use crate::list_reader::{ListQuery, ListSql};
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

/// An item's clean attachments, oldest first.
const ATTACHMENTS_OF_ITEM: &str = concat!(attachment_select!(), "WHERE item_id = $1 AND status = 'clean' ORDER BY id");

/// The item `0` with its timeline: a row per event, oldest first, each with the item's columns and then
/// the event's. One statement is one snapshot and one round trip instead of two on PostgreSQL (detail
/// +4 % / +12 % requests/s in an interleaved A/B); on SQLite it reads through the list readers (callgrind
/// −18 % instructions per detail request, −11 % for an item with eight events).
struct ItemWithTimelineQuery(i64);

impl ListQuery for ItemWithTimelineQuery {
    fn write(&self, query: &mut impl ListSql) {
        query.sql(concat!(
            item_columns!(),
            ", ",
            event_columns!(),
            item_joins!(),
            "LEFT JOIN item_event ev ON ev.item_id = i.id WHERE i.id = "
        ));
        query.int(self.0);
        query.sql(" ORDER BY ev.id");
    }
}

/// The rows of [`ItemWithTimelineQuery`]: the item read from the first, an event from each.
#[derive(Default)]
struct ItemWithTimeline {
    item: Option<ItemRow>,
    timeline: Vec<EventRow>,
}

impl ReadRows for ItemWithTimeline {
    fn read_row<R: Positional>(&mut self, row: &R) -> Result<(), R::Error> {
        if self.item.is_none() {
            self.item = Some(ItemRow::read(row)?);
        }
        self.timeline.extend(EventRow::read_at(row, ITEM_COLUMNS)?);
        Ok(())
    }
}

impl Db {
    /// The detail of the item `id`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn item_detail(&self, id: i64) -> StoreResult<ItemDetail> {
        let ItemWithTimeline { item, timeline } = self.list_rows(&ItemWithTimelineQuery(id)).await?;
        let row = item.ok_or(StoreError::NotFound)?;
        let referrals = async {
            match row.referral_count {
                0 => Ok(Vec::new()),
                _ => self.referrals(id).await,
            }
        };
        let attachments = async {
            match row.attachment_count {
                0 => Ok(Vec::new()),
                _ => Ok(read!(self, |c| sqlx::query_as(ATTACHMENTS_OF_ITEM).bind(id).fetch_all(c))?),
            }
        };
        let (referrals, attachments) = tokio::try_join!(referrals, attachments)?;
        Ok(ItemDetail { row, referrals, timeline, attachments })
    }
}
