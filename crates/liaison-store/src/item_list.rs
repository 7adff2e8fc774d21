//! Item lists within a viewer's scope: filters, queues and keyset paging (newest first, `before` an
//! id), so no list ever counts or sorts its whole scope.

use crate::{Db, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::org::OrgPath;

/// Whose items a viewer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemScope {
    /// Nothing.
    Nothing,
    /// One enterprise's items.
    Enterprise(i64),
    /// Items the officer handles or whose enterprise they are responsible for.
    Officer(i64),
    /// Everything under an org path.
    Subtree(OrgPath),
    /// Items referred to a partner department (org unit id).
    Department(i64),
}

/// A named work queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Open items (submitted … in progress).
    Open,
    /// Submitted, waiting for acceptance (受理).
    Triage,
    /// Under supervision (督办), still open.
    Supervised,
    /// Overdue, still open.
    Overdue,
    /// Resolved, waiting for feedback.
    Feedback,
}

impl Queue {
    /// Every queue.
    pub const ALL: [Queue; 5] = [Queue::Open, Queue::Triage, Queue::Supervised, Queue::Overdue, Queue::Feedback];

    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.code() == code)
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Queue::Open => "open",
            Queue::Triage => "triage",
            Queue::Supervised => "supervised",
            Queue::Overdue => "overdue",
            Queue::Feedback => "feedback",
        }
    }
}

/// Filters of an item list; every field optional.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Kind code.
    pub kind: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Category.
    pub category_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Handling officer.
    pub handler_id: Option<i64>,
    /// Submitted at or after.
    pub from: Option<DateTime<Utc>>,
    /// Submitted before.
    pub to: Option<DateTime<Utc>>,
    /// Only under this org path (within the scope).
    pub under: Option<OrgPath>,
    /// A work queue.
    pub queue: Option<Queue>,
}

/// A row of an item list: what a worklist shows of an item — no description, location or SLA
/// bookkeeping (the detail has those), so a page of fifty reads and sends a third of the columns.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ItemSummary {
    /// Id.
    pub id: i64,
    /// Human number.
    pub number: String,
    /// Kind code.
    pub kind: String,
    /// Category.
    pub category_id: i64,
    /// Category name.
    pub category_name: String,
    /// Priority code.
    pub priority: String,
    /// Channel code.
    pub channel: String,
    /// Title.
    pub title: String,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Handling officer.
    pub handler_id: Option<i64>,
    /// Handling officer's name.
    pub handler_name: Option<String>,
    /// Status code.
    pub status: String,
    /// Version.
    pub version: i64,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
    /// Resolution due.
    pub resolve_due_at: DateTime<Utc>,
    /// Paused since (waiting on the enterprise or a department).
    pub paused_at: Option<DateTime<Utc>>,
    /// Overdue since.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Supervised since.
    pub supervised_at: Option<DateTime<Utc>>,
    /// Escalation level.
    pub escalation_level: i64,
    /// Reopen count.
    pub reopen_count: i64,
}

/// An open item's summary with its description, for the duplicate hint.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemText {
    /// The item.
    #[sqlx(flatten)]
    pub summary: ItemSummary,
    /// Its description.
    pub description: String,
}

/// The SELECT list of [`ItemSummary`] (a macro, so `concat!` keeps every query a static string).
macro_rules! item_summary_columns {
    () => {
        "SELECT i.id, i.number, i.kind, i.category_id, c.name AS category_name, i.priority, i.channel, i.title,
            i.enterprise_id, e.name AS enterprise_name, i.handler_id, h.display_name AS handler_name, i.status,
            i.version, i.submitted_at, i.resolve_due_at, i.paused_at, i.overdue_at, i.supervised_at,
            i.escalation_level, i.reopen_count"
    };
}

/// The joins that give a summary its names.
macro_rules! item_summary_joins {
    () => {
        " FROM item i JOIN item_category c ON c.id = i.category_id JOIN enterprise e ON e.id = i.enterprise_id
          LEFT JOIN app_user h ON h.id = i.handler_id "
    };
}

/// One page of items and the cursor of the next.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemPage {
    /// Rows, newest first.
    pub items: Vec<ItemSummary>,
    /// Pass as `before` for the next page; `None` on the last.
    pub next_before: Option<i64>,
}

/// The filter conditions shared by every scope ($2 … $11; $1 is the scope's parameter), on the bare
/// `item` table of the inner selections (no joins, so no alias is needed).
macro_rules! item_conditions {
    () => {
        " AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR category_id = $4)
          AND ($5 IS NULL OR enterprise_id = $5) AND ($6 IS NULL OR handler_id = $6)
          AND ($7 IS NULL OR submitted_at >= $7) AND ($8 IS NULL OR submitted_at < $8)
          AND ($9 IS NULL OR substr(path, 1, length($9)) = $9)
          AND ($10 IS NULL
               OR ($10 = 'open' AND status IN ('submitted', 'accepted', 'assigned', 'in_progress'))
               OR ($10 = 'triage' AND status = 'submitted')
               OR ($10 = 'supervised' AND supervised_at IS NOT NULL AND status IN ('submitted', 'accepted', 'assigned', 'in_progress'))
               OR ($10 = 'overdue' AND overdue_at IS NOT NULL AND status IN ('submitted', 'accepted', 'assigned', 'in_progress'))
               OR ($10 = 'feedback' AND status = 'resolved'))
          AND ($11 IS NULL OR id < $11)
          ORDER BY id DESC LIMIT $12"
    };
}

/// Runs a page query: the ids are chosen by inner selections on `item` alone (each walking an index
/// newest first and stopping at the page size), then joined for display.
macro_rules! scoped_items {
    ($db:expr, $ids:expr, $scope:expr, $f:expr, $before:expr, $limit:expr) => {
        read!($db, |c| sqlx::query_as(concat!(
            item_summary_columns!(),
            item_summary_joins!(),
            "WHERE i.id IN (",
            $ids,
            ") ORDER BY i.id DESC LIMIT $12"
        ))
        .bind($scope)
        .bind(&$f.kind)
        .bind(&$f.status)
        .bind($f.category_id)
        .bind($f.enterprise_id)
        .bind($f.handler_id)
        .bind($f.from)
        .bind($f.to)
        .bind($f.under.as_ref().map(|p| p.as_str().to_owned()))
        .bind($f.queue.map(Queue::code))
        .bind($before)
        .bind($limit + 1)
        .fetch_all(c))
    };
}

impl Db {
    /// Items in `scope` matching `filter`, newest first, `limit` (1–200) per page, before the id `before`.
    pub async fn items(
        &self,
        scope: &ItemScope,
        filter: &ItemFilter,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<ItemPage> {
        let limit = limit.clamp(1, 200);
        let mut items: Vec<ItemSummary> = match scope {
            ItemScope::Nothing => Vec::new(),
            ItemScope::Enterprise(id) => scoped_items!(
                self,
                concat!("SELECT id FROM item WHERE enterprise_id = $1", item_conditions!()),
                *id,
                filter,
                before,
                limit
            )?,
            ItemScope::Department(unit) => scoped_items!(
                self,
                concat!(
                    "SELECT id FROM item WHERE id IN (SELECT item_id FROM referral WHERE department_id = $1)",
                    item_conditions!()
                ),
                *unit,
                filter,
                before,
                limit
            )?,
            // Two index walks (by responsible officer, by handler), each stopping at the page size.
            ItemScope::Officer(id) => scoped_items!(
                self,
                concat!(
                    "SELECT id FROM (SELECT id FROM item WHERE officer_id = $1",
                    item_conditions!(),
                    ") AS by_officer UNION SELECT id FROM (SELECT id FROM item WHERE handler_id = $1",
                    item_conditions!(),
                    ") AS by_handler"
                ),
                *id,
                filter,
                before,
                limit
            )?,
            // Walks the primary key newest first and tests the prefix, so the page stops after `limit`
            // matches instead of sorting the whole subtree.
            ItemScope::Subtree(root) => scoped_items!(
                self,
                concat!("SELECT id FROM item WHERE substr(path, 1, length($1)) = $1", item_conditions!()),
                root.as_str().to_owned(),
                filter,
                before,
                limit
            )?,
        };
        let more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(200));
        let next_before = if more { items.last().map(|row| row.id) } else { None };
        Ok(ItemPage { items, next_before })
    }

    /// The enterprise's open items with their descriptions, newest first, at most `limit` (the
    /// candidates of the duplicate hint).
    pub async fn open_item_texts(&self, enterprise_id: i64, limit: i64) -> StoreResult<Vec<ItemText>> {
        Ok(read!(self, |c| sqlx::query_as(concat!(
            item_summary_columns!(),
            ", i.description",
            item_summary_joins!(),
            "WHERE i.enterprise_id = $1 AND i.status IN ('submitted', 'accepted', 'assigned', 'in_progress')
             ORDER BY i.id DESC LIMIT $2"
        ))
        .bind(enterprise_id)
        .bind(limit)
        .fetch_all(c))?)
    }
}
