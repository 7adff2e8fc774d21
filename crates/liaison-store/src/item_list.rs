//! Item lists within a viewer's scope: filters, queues and keyset paging (newest first, `before` an
//! id), so no list ever counts or sorts its whole scope.

use crate::by_position::{Positional, ReadByPosition};
use crate::list_reader::{ListQuery, ListSql};
use crate::{Db, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::item::{Channel, Kind, Priority, Status};
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
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ItemSummary {
    /// Id.
    pub id: i64,
    /// Human number.
    pub number: String,
    /// Kind code.
    #[schema(value_type = String)]
    pub kind: Kind,
    /// Category.
    pub category_id: i64,
    /// Category name.
    pub category_name: String,
    /// Priority code.
    #[schema(value_type = String)]
    pub priority: Priority,
    /// Channel code.
    #[schema(value_type = String)]
    pub channel: Channel,
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
    #[schema(value_type = String)]
    pub status: Status,
    /// Version.
    pub version: i64,
    /// Submitted.
    #[serde(serialize_with = "liaison_core::time_text::rfc3339")]
    pub submitted_at: DateTime<Utc>,
    /// Resolution due.
    #[serde(serialize_with = "liaison_core::time_text::rfc3339")]
    pub resolve_due_at: DateTime<Utc>,
    /// Paused since (waiting on the enterprise or a department).
    #[serde(serialize_with = "liaison_core::time_text::rfc3339_opt")]
    pub paused_at: Option<DateTime<Utc>>,
    /// Overdue since.
    #[serde(serialize_with = "liaison_core::time_text::rfc3339_opt")]
    pub overdue_at: Option<DateTime<Utc>>,
    /// Supervised since.
    #[serde(serialize_with = "liaison_core::time_text::rfc3339_opt")]
    pub supervised_at: Option<DateTime<Utc>>,
    /// Escalation level.
    pub escalation_level: i64,
    /// Reopen count.
    pub reopen_count: i64,
}

/// Reads a summary by position (the order of [`item_summary_columns`]), the codes borrowed and parsed
/// into their enums: a page of fifty decodes a thousand values, and looking each up by name and
/// copying each code into a `String` showed in the worklist's profile.
impl ReadByPosition for ItemSummary {
    fn read<R: Positional>(row: &R) -> Result<Self, R::Error> {
        Ok(ItemSummary {
            id: row.int(0)?,
            number: row.text(1)?,
            kind: row.code(2, Kind::parse)?,
            category_id: row.int(3)?,
            category_name: row.text(4)?,
            priority: row.code(5, Priority::parse)?,
            channel: row.code(6, Channel::parse)?,
            title: row.text(7)?,
            enterprise_id: row.int(8)?,
            enterprise_name: row.text(9)?,
            handler_id: row.opt_int(10)?,
            handler_name: row.opt_text(11)?,
            status: row.code(12, Status::parse)?,
            version: row.int(13)?,
            submitted_at: row.time(14)?,
            resolve_due_at: row.time(15)?,
            paused_at: row.opt_time(16)?,
            overdue_at: row.opt_time(17)?,
            supervised_at: row.opt_time(18)?,
            escalation_level: row.int(19)?,
            reopen_count: row.int(20)?,
        })
    }
}

/// An open item's summary with its description, for the duplicate hint.
#[derive(Debug, Clone)]
pub struct ItemText {
    /// The item.
    pub summary: ItemSummary,
    /// Its description.
    pub description: String,
}

/// The summary's columns, then the description.
impl ReadByPosition for ItemText {
    fn read<R: Positional>(row: &R) -> Result<Self, R::Error> {
        Ok(ItemText { summary: ItemSummary::read(row)?, description: row.text(21)? })
    }
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

/// The condition of an open item (submitted … in progress); a macro so the queues' texts stay static.
macro_rules! open_status {
    () => {
        "status IN ('submitted', 'accepted', 'assigned', 'in_progress')"
    };
}

impl Queue {
    /// The queue's condition on the bare `item` table.
    fn condition(self) -> &'static str {
        match self {
            Queue::Open => open_status!(),
            Queue::Triage => "status = 'submitted'",
            Queue::Supervised => concat!("supervised_at IS NOT NULL AND ", open_status!()),
            Queue::Overdue => concat!("overdue_at IS NOT NULL AND ", open_status!()),
            Queue::Feedback => "status = 'resolved'",
        }
    }
}

/// What an index walk of a page starts from.
enum Walk<'a> {
    /// `column = id` (an indexed column: enterprise, officer, handler).
    Column(&'static str, i64),
    /// Items referred to the department.
    Department(i64),
    /// Items under an org path (walks the primary key and tests the prefix).
    Under(&'a str),
}

/// Appends one index walk: `SELECT id FROM item WHERE <walk> <each filter given> ORDER BY id DESC
/// LIMIT n`. Only the filters given become SQL, so each combination is a small statement whose cached
/// plan walks one index newest first (a generic `($n IS NULL OR …)` form left the planner guessing).
fn push_walk(query: &mut impl ListSql, walk: &Walk<'_>, f: &ItemFilter, before: Option<i64>, rows: i64) {
    query.sql("SELECT id FROM item WHERE ");
    match walk {
        Walk::Column(column, id) => {
            query.sql(column);
            query.sql(" = ");
            query.int(*id);
        }
        Walk::Department(id) => {
            query.sql("id IN (SELECT item_id FROM referral WHERE department_id = ");
            query.int(*id);
            query.sql(")");
        }
        Walk::Under(path) => push_under(query, path),
    }
    let text = [("kind", &f.kind), ("status", &f.status)];
    for (column, value) in text {
        if let Some(value) = value {
            query.sql(&format!(" AND {column} = "));
            query.text(value);
        }
    }
    let ids = [("category_id", f.category_id), ("enterprise_id", f.enterprise_id), ("handler_id", f.handler_id)];
    for (column, value) in ids {
        if let Some(value) = value {
            query.sql(&format!(" AND {column} = "));
            query.int(value);
        }
    }
    if let Some(from) = f.from {
        query.sql(" AND submitted_at >= ");
        query.time(from);
    }
    if let Some(to) = f.to {
        query.sql(" AND submitted_at < ");
        query.time(to);
    }
    if let Some(under) = &f.under {
        query.sql(" AND ");
        push_under(query, under.as_str());
    }
    if let Some(queue) = f.queue {
        query.sql(" AND ");
        query.sql(queue.condition());
    }
    if let Some(before) = before {
        query.sql(" AND id < ");
        query.int(before);
    }
    push_limit(query, "id", rows);
}

/// ` ORDER BY <id> DESC LIMIT <rows>`, the row count written into the text (an integer the store
/// clamped, never input): PostgreSQL replans a statement whose LIMIT is a parameter on every execution
/// (1.4 ms, more than running it), since its generic plan, not knowing the walk stops after a page,
/// hash-joins whole tables; with the count in the text the generic plan is the page's and is kept.
fn push_limit(query: &mut impl ListSql, id: &str, rows: i64) {
    query.sql(&format!(" ORDER BY {id} DESC LIMIT {rows}"));
}

/// `substr(path, 1, length(p)) = p`: under the org path `p` (no index serves it; the walk is by id).
fn push_under(query: &mut impl ListSql, path: &str) {
    query.sql("substr(path, 1, length(");
    query.text(path);
    query.sql(")) = ");
    query.text(path);
}

/// Appends the ids a scope's page is chosen from: inner selections on `item` alone, each walking an
/// index newest first and stopping at the page size. The officer has two walks (enterprises in their
/// care, items they handle). SQLite reads the `IN` list in order and stops at the page, so there the
/// walks are joined by `UNION ALL` (`IN` is a set test: an item on both is listed once). PostgreSQL
/// joins every id of the list to four tables before it sorts, so there the page's ids are chosen first
/// (`UNION` drops the items on both walks before the limit): half the joins, +28 % worklist requests/s;
/// the same text on SQLite costs 12 % more instructions.
fn push_scope<Q: ListSql>(query: &mut Q, scope: &ItemScope, f: &ItemFilter, before: Option<i64>, rows: i64) {
    match scope {
        ItemScope::Enterprise(id) => push_walk(query, &Walk::Column("enterprise_id", *id), f, before, rows),
        ItemScope::Department(unit) => push_walk(query, &Walk::Department(*unit), f, before, rows),
        ItemScope::Officer(id) => {
            query.sql(if Q::PAGE_FIRST { "SELECT id FROM (SELECT id FROM (" } else { "SELECT id FROM (" });
            push_walk(query, &Walk::Column("officer_id", *id), f, before, rows);
            query.sql(if Q::PAGE_FIRST { ") AS by_officer UNION" } else { ") AS by_officer UNION ALL" });
            query.sql(" SELECT id FROM (");
            push_walk(query, &Walk::Column("handler_id", *id), f, before, rows);
            query.sql(") AS by_handler");
            if Q::PAGE_FIRST {
                query.sql(") AS walks");
                push_limit(query, "id", rows);
            }
        }
        ItemScope::Subtree(root) => push_walk(query, &Walk::Under(root.as_str()), f, before, rows),
        ItemScope::Nothing => query.sql("SELECT id FROM item WHERE 1 = 0"),
    }
}

/// A page's query: the summaries of the rows the scope's walks choose, newest first.
struct PageQuery<'a> {
    scope: &'a ItemScope,
    filter: &'a ItemFilter,
    before: Option<i64>,
    rows: i64,
}

impl ListQuery for PageQuery<'_> {
    fn write(&self, query: &mut impl ListSql) {
        query.sql(concat!(item_summary_columns!(), item_summary_joins!(), "WHERE i.id IN ("));
        push_scope(query, self.scope, self.filter, self.before, self.rows);
        query.sql(")");
        push_limit(query, "i.id", self.rows);
    }
}

/// The duplicate hint's candidates: an enterprise's open items, newest first.
struct OpenTexts {
    enterprise_id: i64,
    limit: i64,
}

impl ListQuery for OpenTexts {
    fn write(&self, query: &mut impl ListSql) {
        query.sql(concat!(
            item_summary_columns!(),
            ", i.description",
            item_summary_joins!(),
            "WHERE i.enterprise_id = "
        ));
        query.int(self.enterprise_id);
        query.sql(concat!(" AND i.", open_status!()));
        push_limit(query, "i.id", self.limit.clamp(1, 200));
    }
}

impl Db {
    /// Items in `scope` matching `filter`, newest first, `limit` (1–200) per page, before the id `before`.
    /// On SQLite the page is read through rusqlite (`list_reader`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn items(
        &self,
        scope: &ItemScope,
        filter: &ItemFilter,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<ItemPage> {
        let limit = limit.clamp(1, 200);
        let page = PageQuery { scope, filter, before, rows: limit + 1 };
        let mut items: Vec<ItemSummary> = self.list_rows(&page).await?;
        let more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(200));
        let next_before = if more { items.last().map(|row| row.id) } else { None };
        Ok(ItemPage { items, next_before })
    }

    /// The enterprise's open items with their descriptions, newest first, at most `limit` (the
    /// candidates of the duplicate hint).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn open_item_texts(&self, enterprise_id: i64, limit: i64) -> StoreResult<Vec<ItemText>> {
        self.list_rows(&OpenTexts { enterprise_id, limit }).await
    }
}
