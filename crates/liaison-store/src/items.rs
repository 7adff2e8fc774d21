//! Items of the closed loop as stored: the row and its pure [`ItemState`], the timeline, and reading
//! them. The row writers intake and steps share are in [`crate::item_writes`], intake in
//! [`crate::item_intake`], saving steps in [`crate::item_steps`].

use crate::by_position::{Positional, ReadByPosition};
use crate::db::push_ids;
use crate::item_steps::Referral;
use crate::item_steps::referral_select;
use crate::{Db, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::item::state::ItemState;
use liaison_core::item::{Channel, Kind, Priority, Rating, Status};
use liaison_core::org::OrgPath;
use sqlx::QueryBuilder;
use std::collections::HashMap;

/// What intake answers about an item it took in (or the earlier item a repeated idempotency key names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Id.
    pub id: i64,
    /// Human number.
    pub number: String,
    /// Resolution due.
    pub resolve_due_at: DateTime<Utc>,
}

/// A new item, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Kind.
    pub kind: Kind,
    /// Category (of the same kind).
    pub category_id: i64,
    /// Priority.
    pub priority: Priority,
    /// How it came in.
    pub channel: Channel,
    /// Short title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where (`None`: the enterprise's address).
    pub address: Option<String>,
    /// Longitude (`None`: the enterprise's).
    pub longitude: Option<f64>,
    /// Latitude (`None`: the enterprise's).
    pub latitude: Option<f64>,
    /// The enterprise.
    pub enterprise_id: i64,
    /// The client's idempotency key (BIZ-04).
    pub idempotency_key: Option<String>,
    /// At most this many items per enterprise per local day, this one included (RATE): checked in the
    /// intake's transaction, so concurrent submissions cannot slip past it.
    pub daily_limit: Option<i64>,
    /// Values of the category's extra attributes (Open311), checked by the caller.
    pub attributes: Vec<liaison_core::open311::AttributeValue>,
    /// The API key it came through: its use is audited, and its last use stamped, in the intake's
    /// transaction.
    pub api_key: Option<i64>,
}

/// An item as stored, with the names a page shows.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ItemRow {
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
    /// Description.
    pub description: String,
    /// Address.
    pub address: String,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Community path.
    #[serde(skip)]
    pub path: String,
    /// Enterprise's officer.
    pub officer_id: Option<i64>,
    /// Handling officer.
    pub handler_id: Option<i64>,
    /// Handling officer's name.
    pub handler_name: Option<String>,
    /// Status code.
    pub status: String,
    /// Version.
    pub version: i64,
    /// Submitter.
    pub submitted_by: i64,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
    /// Response due.
    pub respond_due_at: DateTime<Utc>,
    /// Resolution due.
    pub resolve_due_at: DateTime<Utc>,
    /// Warning instant.
    pub warn_at: DateTime<Utc>,
    /// First response.
    pub responded_at: Option<DateTime<Utc>>,
    /// Response margin (working seconds).
    pub respond_margin: Option<i64>,
    /// Resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Resolution margin (working seconds).
    pub resolve_margin: Option<i64>,
    /// Working seconds taken.
    pub working_seconds: Option<i64>,
    /// Resolution text.
    pub resolution: Option<String>,
    /// Closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Why closed.
    pub close_reason: Option<String>,
    /// Paused since.
    pub paused_at: Option<DateTime<Utc>>,
    /// Working seconds paused.
    pub paused_seconds: i64,
    /// Warned.
    pub warned_at: Option<DateTime<Utc>>,
    /// Overdue since.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Escalation level.
    pub escalation_level: i64,
    /// Escalated.
    pub escalated_at: Option<DateTime<Utc>>,
    /// Supervised since.
    pub supervised_at: Option<DateTime<Utc>>,
    /// Reopen count.
    pub reopen_count: i64,
    /// Rating code.
    pub rating: Option<String>,
    /// Solved.
    pub solved: Option<bool>,
    /// Feedback time.
    pub feedback_at: Option<DateTime<Utc>>,
    /// Feedback recorded by staff.
    pub feedback_by_staff: bool,
    /// Clean attachments.
    pub attachment_count: i64,
    /// Referrals to partner departments.
    pub referral_count: i64,
}

/// The SELECT list of [`ItemRow`] (a macro, so `concat!` keeps every query a static string).
macro_rules! item_columns {
    () => {
        "SELECT i.id, i.number, i.kind, i.category_id, c.name AS category_name, i.priority,
    i.channel, i.title, i.description, i.address, i.longitude, i.latitude, i.enterprise_id,
    e.name AS enterprise_name, i.path, i.officer_id, i.handler_id, h.display_name AS handler_name, i.status,
    i.version, i.submitted_by, i.submitted_at, i.respond_due_at, i.resolve_due_at, i.warn_at, i.responded_at,
    i.respond_margin, i.resolved_at, i.resolve_margin, i.working_seconds, i.resolution, i.closed_at,
    i.close_reason, i.paused_at, i.paused_seconds, i.warned_at, i.overdue_at, i.escalation_level, i.escalated_at,
    i.supervised_at, i.reopen_count, i.rating, i.solved, i.feedback_at, i.feedback_by_staff, i.attachment_count,
    i.referral_count"
    };
}
pub(crate) use item_columns;

/// The joins that give an [`ItemRow`] its names.
macro_rules! item_joins {
    () => {
        " FROM item i JOIN item_category c ON c.id = i.category_id JOIN enterprise e ON e.id = i.enterprise_id
    LEFT JOIN app_user h ON h.id = i.handler_id "
    };
}
pub(crate) use item_joins;

/// The SELECT list and joins of [`ItemRow`].
macro_rules! item_select {
    () => {
        concat!(item_columns!(), item_joins!())
    };
}

/// How many columns [`item_columns`] selects: what follows them in a row starts here.
pub(crate) const ITEM_COLUMNS: usize = columns_in(item_columns!());

/// The columns of a SELECT list without commas inside its expressions: its commas, plus one.
const fn columns_in(list: &str) -> usize {
    let bytes = list.as_bytes();
    let (mut columns, mut at) = (1, 0);
    while at < bytes.len() {
        if bytes[at] == b',' {
            columns += 1;
        }
        at += 1;
    }
    columns
}

/// Reads an item by position (the order of [`item_columns`]): the detail reads it through the list
/// readers, with its timeline in the same statement.
impl ReadByPosition for ItemRow {
    fn read<R: Positional>(row: &R) -> Result<Self, R::Error> {
        Ok(ItemRow {
            id: row.int(0)?,
            number: row.text(1)?,
            kind: row.text(2)?,
            category_id: row.int(3)?,
            category_name: row.text(4)?,
            priority: row.text(5)?,
            channel: row.text(6)?,
            title: row.text(7)?,
            description: row.text(8)?,
            address: row.text(9)?,
            longitude: row.opt_float(10)?,
            latitude: row.opt_float(11)?,
            enterprise_id: row.int(12)?,
            enterprise_name: row.text(13)?,
            path: row.text(14)?,
            officer_id: row.opt_int(15)?,
            handler_id: row.opt_int(16)?,
            handler_name: row.opt_text(17)?,
            status: row.text(18)?,
            version: row.int(19)?,
            submitted_by: row.int(20)?,
            submitted_at: row.time(21)?,
            respond_due_at: row.time(22)?,
            resolve_due_at: row.time(23)?,
            warn_at: row.time(24)?,
            responded_at: row.opt_time(25)?,
            respond_margin: row.opt_int(26)?,
            resolved_at: row.opt_time(27)?,
            resolve_margin: row.opt_int(28)?,
            working_seconds: row.opt_int(29)?,
            resolution: row.opt_text(30)?,
            closed_at: row.opt_time(31)?,
            close_reason: row.opt_text(32)?,
            paused_at: row.opt_time(33)?,
            paused_seconds: row.int(34)?,
            warned_at: row.opt_time(35)?,
            overdue_at: row.opt_time(36)?,
            escalation_level: row.int(37)?,
            escalated_at: row.opt_time(38)?,
            supervised_at: row.opt_time(39)?,
            reopen_count: row.int(40)?,
            rating: row.opt_text(41)?,
            solved: row.opt_flag(42)?,
            feedback_at: row.opt_time(43)?,
            feedback_by_staff: row.flag(44)?,
            attachment_count: row.int(45)?,
            referral_count: row.int(46)?,
        })
    }
}

impl ItemRow {
    /// The pure state the workflow works on.
    pub fn state(&self) -> ItemState {
        ItemState {
            id: self.id,
            version: self.version,
            status: Status::parse(&self.status).unwrap_or(Status::Submitted),
            enterprise_id: self.enterprise_id,
            path: OrgPath::parse(&self.path).unwrap_or_else(|| OrgPath::root(0)),
            officer_id: self.officer_id,
            handler_id: self.handler_id,
            submitted_at: self.submitted_at,
            respond_due_at: self.respond_due_at,
            resolve_due_at: self.resolve_due_at,
            warn_at: self.warn_at,
            responded_at: self.responded_at,
            respond_margin: self.respond_margin,
            resolved_at: self.resolved_at,
            resolve_margin: self.resolve_margin,
            working_seconds: self.working_seconds,
            resolution: self.resolution.clone(),
            closed_at: self.closed_at,
            close_reason: self.close_reason.clone(),
            paused_at: self.paused_at,
            paused_seconds: self.paused_seconds,
            warned_at: self.warned_at,
            overdue_at: self.overdue_at,
            escalation_level: self.escalation_level,
            escalated_at: self.escalated_at,
            supervised_at: self.supervised_at,
            reopen_count: self.reopen_count,
            rating: self.rating.as_deref().and_then(Rating::parse),
            solved: self.solved,
            feedback_at: self.feedback_at,
            feedback_by_staff: self.feedback_by_staff,
            referrals: Vec::new(),
        }
    }

    /// The pure state with the item's referrals (what department visibility and referral steps need).
    pub fn state_with(&self, referrals: &[Referral]) -> ItemState {
        let mut state = self.state();
        state.referrals = referrals.iter().map(|r| (r.department_id, r.is_pending())).collect();
        state
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Need)
    }

    /// The priority.
    pub fn priority(&self) -> Priority {
        Priority::parse(&self.priority).unwrap_or(Priority::Normal)
    }
}

/// A timeline row to write with a step.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Step code (`submit`, `accept`, …, `warn`, `overdue`).
    pub step: String,
    /// Text.
    pub body: String,
    /// Hidden from the enterprise.
    pub internal: bool,
    /// Recorded by staff on the enterprise's behalf.
    pub on_behalf: bool,
}

/// An inbox message to write with a step.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// Recipient.
    pub user_id: i64,
    /// Kind code (`item.assigned`, `item.warn`, …).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
}

/// One row of an item's timeline.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EventRow {
    /// Id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none for the system).
    pub actor_id: Option<i64>,
    /// Their display name at the time.
    pub actor_name: String,
    /// Step code.
    pub step: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Text.
    pub body: String,
    /// Hidden from the enterprise.
    pub internal: bool,
    /// Recorded by staff on the enterprise's behalf.
    pub on_behalf: bool,
}

/// The columns of an [`EventRow`], for a statement that reads them after others (see [`EventRow::read_at`]).
macro_rules! event_columns {
    () => {
        "ev.id, ev.at, ev.actor_id, ev.actor_name, ev.step, ev.from_status, ev.to_status, ev.body, ev.internal,
    ev.on_behalf"
    };
}
pub(crate) use event_columns;

impl EventRow {
    /// Reads the event whose [`event_columns`] start at `at`; `None` where they are null (an outer
    /// join that found none).
    pub(crate) fn read_at<R: Positional>(row: &R, at: usize) -> Result<Option<EventRow>, R::Error> {
        let Some(id) = row.opt_int(at)? else {
            return Ok(None);
        };
        Ok(Some(EventRow {
            id,
            at: row.time(at + 1)?,
            actor_id: row.opt_int(at + 2)?,
            actor_name: row.text(at + 3)?,
            step: row.text(at + 4)?,
            from_status: row.opt_text(at + 5)?,
            to_status: row.opt_text(at + 6)?,
            body: row.text(at + 7)?,
            internal: row.flag(at + 8)?,
            on_behalf: row.flag(at + 9)?,
        }))
    }
}

/// One value of an item's attribute.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ItemAttribute {
    /// Attribute code (`reporter.*` for an Open311 reporter's own details).
    pub code: String,
    /// Position among the attribute's values.
    pub position: i64,
    /// The value.
    pub value: String,
}

/// A referral with its item (the batch read).
#[derive(sqlx::FromRow)]
struct ItemReferral {
    item_id: i64,
    #[sqlx(flatten)]
    referral: Referral,
}

/// The job kind of an item's SLA / feedback timer.
pub const ITEM_TIMER: &str = "item_timer";

impl Db {
    /// One item with its names.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn item(&self, id: i64) -> StoreResult<ItemRow> {
        read!(self, |c| sqlx::query_as(concat!(item_select!(), "WHERE i.id = $1")).bind(id).fetch_optional(c))?
            .ok_or(StoreError::NotFound)
    }

    /// One item by its human number.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn item_by_number(&self, number: &str) -> StoreResult<ItemRow> {
        read!(self, |c| sqlx::query_as(concat!(item_select!(), "WHERE i.number = $1")).bind(number).fetch_optional(c))?
            .ok_or(StoreError::NotFound)
    }

    /// The values an item was given for its category's attributes (and an Open311 reporter's details),
    /// by code and position.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn item_attributes(&self, item_id: i64) -> StoreResult<Vec<ItemAttribute>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT code, position, value FROM item_attribute WHERE item_id = $1 ORDER BY code, position"
        )
        .bind(item_id)
        .fetch_all(c))?)
    }

    /// An item with its referrals (read only when its counter says there are some).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn item_with_referrals(&self, id: i64) -> StoreResult<(ItemRow, Vec<crate::item_steps::Referral>)> {
        let row = self.item(id).await?;
        let referrals = if row.referral_count > 0 { self.referrals(id).await? } else { Vec::new() };
        Ok((row, referrals))
    }

    /// Items with their referrals, by id — two reads whatever their number (the sweep decides a batch
    /// of timers from them); an id that names no item is left out.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn items_with_referrals(&self, ids: &[i64]) -> StoreResult<HashMap<i64, (ItemRow, Vec<Referral>)>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<ItemRow> = read!(self, |c| async {
            let mut select = QueryBuilder::new(concat!(item_select!(), "WHERE i.id IN "));
            push_ids(&mut select, ids);
            select.build_query_as().persistent(false).fetch_all(c).await
        })?;
        let referred: Vec<i64> = rows.iter().filter(|row| row.referral_count > 0).map(|row| row.id).collect();
        let mut referrals: HashMap<i64, Vec<Referral>> = HashMap::new();
        if !referred.is_empty() {
            let found: Vec<ItemReferral> = read!(self, |c| async {
                let mut select = QueryBuilder::new(concat!(referral_select!(), "WHERE r.item_id IN "));
                push_ids(&mut select, &referred);
                select.push(" ORDER BY r.id");
                select.build_query_as().persistent(false).fetch_all(c).await
            })?;
            for ItemReferral { item_id, referral } in found {
                referrals.entry(item_id).or_default().push(referral);
            }
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                let of_item = referrals.remove(&row.id).unwrap_or_default();
                (row.id, (row, of_item))
            })
            .collect())
    }

    /// Active users of a unit holding `role` (a department's users).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn users_of_unit(&self, unit_id: i64, role: &str) -> StoreResult<Vec<i64>> {
        Ok(read!(self, |c| sqlx::query_scalar(
            "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id
             WHERE u.unit_id = $1 AND r.role = $2 AND u.status = 'active' ORDER BY u.id"
        )
        .bind(unit_id)
        .bind(role)
        .fetch_all(c))?)
    }

    /// How many items there are (benchmarks and operations; lists never count).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn item_count(&self) -> StoreResult<i64> {
        Ok(read!(self, |c| sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM item").fetch_one(c))?)
    }

    /// Active users holding `role` in a unit on the item's path (station heads and center staff above it).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn users_above(&self, path: &str, role: &str) -> StoreResult<Vec<i64>> {
        Ok(read!(self, |c| {
            sqlx::query_scalar(
            "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id JOIN org_unit o ON o.id = u.unit_id
             WHERE r.role = $2 AND u.status = 'active'
               AND (substr($1, 1, length(o.path)) = o.path OR (o.kind = 'center'
                    AND EXISTS (SELECT 1 FROM org_unit p WHERE p.id = o.parent_id AND substr($1, 1, length(p.path)) = p.path)))
             ORDER BY u.id"
        )
        .bind(path)
        .bind(role)
        .fetch_all(c)
        })?)
    }
}
