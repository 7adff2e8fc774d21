//! Items of the closed loop: intake with its human number, loading an item as a pure
//! [`ItemState`], saving a step under optimistic concurrency together with its timeline row, audit
//! row, inbox notifications and the item's timer job — all in one transaction.

use crate::audit::append;
use crate::{Ctx, Db, StoreError, StoreResult, Tx};
use chrono::{DateTime, Datelike, Utc};
use liaison_core::TIMEZONE;
use liaison_core::item::state::ItemState;
use liaison_core::item::{Channel, Kind, Priority, Rating, Status, human_number};
use liaison_core::org::OrgPath;
use liaison_core::sla::Deadlines;

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
    /// Where.
    pub address: String,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// The enterprise.
    pub enterprise_id: i64,
    /// The client's idempotency key (BIZ-04).
    pub idempotency_key: Option<String>,
}

/// An item as stored, with the names a page shows.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
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
}

/// The SELECT list and joins of [`ItemRow`], for this module and the list queries (a macro, so
/// `concat!` keeps every query a static string).
macro_rules! item_select {
    () => {
        "SELECT i.id, i.number, i.kind, i.category_id, c.name AS category_name, i.priority,
    i.channel, i.title, i.description, i.address, i.longitude, i.latitude, i.enterprise_id,
    e.name AS enterprise_name, i.path, i.officer_id, i.handler_id, h.display_name AS handler_name, i.status,
    i.version, i.submitted_by, i.submitted_at, i.respond_due_at, i.resolve_due_at, i.warn_at, i.responded_at,
    i.respond_margin, i.resolved_at, i.resolve_margin, i.working_seconds, i.resolution, i.closed_at,
    i.close_reason, i.paused_at, i.paused_seconds, i.warned_at, i.overdue_at, i.escalation_level, i.escalated_at,
    i.supervised_at, i.reopen_count, i.rating, i.solved, i.feedback_at, i.feedback_by_staff
    FROM item i JOIN item_category c ON c.id = i.category_id JOIN enterprise e ON e.id = i.enterprise_id
    LEFT JOIN app_user h ON h.id = i.handler_id "
    };
}
pub(crate) use item_select;

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
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
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

/// Everything one step writes, in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct SavedStep<'a> {
    /// The state the caller read.
    pub before: &'a ItemState,
    /// The state after the step.
    pub after: &'a ItemState,
    /// The timeline row.
    pub event: &'a NewEvent,
    /// Inbox messages.
    pub notifications: &'a [NewNotification],
    /// The item timer's next instant (`None` removes it).
    pub timer: Option<DateTime<Utc>>,
    /// What happens to the referrals.
    pub referral: Option<&'a ReferralChange>,
}

/// A referral to a partner department and its state for that recipient.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Referral {
    /// Id.
    pub id: i64,
    /// The department (org unit).
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// `delivered`, `read`, `answered` or `recalled`.
    pub state: String,
    /// What the police side asked.
    pub note: String,
    /// The department's answer.
    pub answer: Option<String>,
    /// Referred.
    pub referred_at: DateTime<Utc>,
    /// First opened by the department.
    pub read_at: Option<DateTime<Utc>>,
    /// Answered or recalled.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Referral {
    /// Still awaiting the department's answer.
    pub fn is_pending(&self) -> bool {
        matches!(self.state.as_str(), "delivered" | "read")
    }
}

/// What a step does to the referral table.
#[derive(Debug, Clone)]
pub enum ReferralChange {
    /// A new referral to a department.
    Create {
        /// The department.
        department_id: i64,
        /// What is asked.
        note: String,
    },
    /// The department's pending referral ends: `answered` (with the answer) or `recalled`.
    Close {
        /// The department.
        department_id: i64,
        /// `answered` or `recalled`.
        state: &'static str,
        /// The answer or the reason.
        text: String,
    },
}

impl ReferralChange {
    /// The change a step made to the referrals (`before` → `after`), with the step's text.
    pub fn between(before: &ItemState, after: &ItemState, answered: bool, text: &str) -> Option<ReferralChange> {
        if let Some(&(department_id, _)) = after.referrals.get(before.referrals.len()) {
            return Some(ReferralChange::Create { department_id, note: text.to_owned() });
        }
        let closed = before.referrals.iter().zip(&after.referrals).find(|(b, a)| b.1 && !a.1).map(|(b, _)| b.0)?;
        let state = if answered { "answered" } else { "recalled" };
        Some(ReferralChange::Close { department_id: closed, state, text: text.to_owned() })
    }
}

/// The job kind of an item's SLA / feedback timer.
pub const ITEM_TIMER: &str = "item_timer";

impl Db {
    /// Takes in a new item: numbers it, writes it with its first timeline row, audit row, a
    /// notification for the responsible officer, and arms its timer. A repeated idempotency key of the
    /// same submitter returns the first item's id instead. Concurrent intakes are committed together
    /// (group commit: one transaction, one fsync, each under its own savepoint); each caller is answered
    /// only after the commit.
    pub async fn create_item(&self, ctx: &Ctx, item: &NewItem, due: &Deadlines, on_behalf: bool) -> StoreResult<i64> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let intake = Intake { ctx: ctx.clone(), item: item.clone(), due: *due, on_behalf, reply };
        match self.intake() {
            Some(queue) if queue.send(intake).await.is_ok() => {
                answer.await.unwrap_or_else(|_| Err(StoreError::Conflict("the intake writer stopped".into())))
            }
            _ => self
                .create_items_now(std::slice::from_ref(&(ctx.clone(), item.clone(), *due, on_behalf)))
                .await?
                .remove(0),
        }
    }

    /// Writes items in one transaction, each under its own savepoint.
    async fn create_items_now(&self, items: &[(Ctx, NewItem, Deadlines, bool)]) -> StoreResult<Vec<StoreResult<i64>>> {
        let mut tx = self.begin().await?;
        let mut results = Vec::with_capacity(items.len());
        for (ctx, item, due, on_behalf) in items {
            begin_savepoint(&mut tx).await?;
            let result = write_item(&mut tx, ctx, item, due, *on_behalf).await;
            results.push(end_savepoint(&mut tx, result).await?);
        }
        tx.commit().await?;
        Ok(results)
    }

    /// One item with its names.
    pub async fn item(&self, id: i64) -> StoreResult<ItemRow> {
        read!(self, |c| sqlx::query_as(concat!(item_select!(), "WHERE i.id = $1")).bind(id).fetch_optional(c))?
            .ok_or(StoreError::NotFound)
    }

    /// Saves a step taken on `before` (whose version the caller read): the new state, the timeline row,
    /// notifications, the referral change, the audit row and the timer — or [`StoreError::Stale`] when
    /// someone else was first.
    pub async fn save_step(&self, ctx: &Ctx, step: &SavedStep<'_>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        write_step(&mut tx, ctx, step).await?;
        tx.commit().await
    }

    /// Saves several steps in one transaction (one commit for all — the worker's batches): each under
    /// its own savepoint, so a stale one is rolled back alone and reported in its place.
    pub async fn save_steps(&self, steps: &[(Ctx, SavedStep<'_>)]) -> StoreResult<Vec<StoreResult<()>>> {
        let mut tx = self.begin().await?;
        let mut results = Vec::with_capacity(steps.len());
        for (ctx, step) in steps {
            begin_savepoint(&mut tx).await?;
            let result = write_step(&mut tx, ctx, step).await;
            results.push(end_savepoint(&mut tx, result).await?);
        }
        tx.commit().await?;
        Ok(results)
    }

    /// The timeline of an item, oldest first; `internal` rows only when asked for.
    pub async fn timeline(&self, item_id: i64, include_internal: bool) -> StoreResult<Vec<EventRow>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT id, at, actor_id, actor_name, step, from_status, to_status, body, internal, on_behalf
             FROM item_event WHERE item_id = $1 AND (internal = $2 OR internal = FALSE) ORDER BY id"
        )
        .bind(item_id)
        .bind(include_internal)
        .fetch_all(c))?)
    }

    /// An item's referrals, oldest first.
    pub async fn referrals(&self, item_id: i64) -> StoreResult<Vec<Referral>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT r.id, r.department_id, o.name AS department_name, r.state, r.note, r.answer, r.referred_at, r.read_at,
                    r.closed_at
             FROM referral r JOIN org_unit o ON o.id = r.department_id WHERE r.item_id = $1 ORDER BY r.id"
        )
        .bind(item_id)
        .fetch_all(c)
        })?)
    }

    /// Records that the department first opened its pending referral (delivered → read).
    pub async fn mark_referral_read(&self, ctx: &Ctx, item_id: i64, department_id: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let changed = exec!(&mut tx, |c| {
            sqlx::query(
            "UPDATE referral SET state = 'read', read_at = $3 WHERE item_id = $1 AND department_id = $2 AND state = 'delivered'"
        )
        .bind(item_id)
        .bind(department_id)
        .bind(ctx.at)
        .execute(c)
        })?;
        if changed > 0 {
            let detail = format!("department {department_id}");
            append(&mut tx, ctx.at, &ctx.event("referral.read", "item", Some(item_id), detail)).await?;
        }
        tx.commit().await
    }

    /// Active users of a unit holding `role` (a department's users).
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
    pub async fn item_count(&self) -> StoreResult<i64> {
        Ok(read!(self, |c| sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM item").fetch_one(c))?)
    }

    /// How many items an enterprise submitted at or after `since` (the daily submission limit).
    pub async fn items_submitted_since(&self, enterprise_id: i64, since: DateTime<Utc>) -> StoreResult<i64> {
        Ok(read!(self, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM item WHERE enterprise_id = $1 AND submitted_at >= $2"
        )
        .bind(enterprise_id)
        .bind(since)
        .fetch_one(c))?)
    }

    /// Active users holding `role` in a unit on the item's path (station heads and center staff above it).
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

/// One intake request waiting for the writer.
#[derive(Debug)]
pub(crate) struct Intake {
    ctx: Ctx,
    item: NewItem,
    due: Deadlines,
    on_behalf: bool,
    reply: tokio::sync::oneshot::Sender<StoreResult<i64>>,
}

/// Items committed together at most.
const INTAKE_BATCH: usize = 64;

/// The intake writer: takes what is queued (up to [`INTAKE_BATCH`]) and commits it at once; a batch
/// whose commit fails is retried item by item so each caller gets its own answer.
pub(crate) async fn intake_writer(db: Db, mut queue: tokio::sync::mpsc::Receiver<Intake>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < INTAKE_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let work: Vec<_> = batch.iter().map(|i| (i.ctx.clone(), i.item.clone(), i.due, i.on_behalf)).collect();
        match db.create_items_now(&work).await {
            Ok(results) => {
                for (intake, result) in batch.into_iter().zip(results) {
                    let _ = intake.reply.send(result);
                }
            }
            Err(error) => {
                tracing::warn!(%error, size = work.len(), "intake batch failed; retrying one by one");
                for (intake, one) in batch.into_iter().zip(work) {
                    let result = match db.create_items_now(std::slice::from_ref(&one)).await {
                        Ok(mut results) => results.remove(0),
                        Err(error) => Err(error),
                    };
                    let _ = intake.reply.send(result);
                }
            }
        }
    }
}

/// The writes of one intake inside an open transaction (see [`Db::create_item`]).
async fn write_item(tx: &mut Tx, ctx: &Ctx, item: &NewItem, due: &Deadlines, on_behalf: bool) -> StoreResult<i64> {
    let submitter = ctx.actor_id.ok_or(StoreError::Conflict("an item needs a submitter".into()))?;
    if let Some(key) = &item.idempotency_key {
        let existing: Option<i64> =
            fetch!(tx, |c| sqlx::query_scalar("SELECT id FROM item WHERE submitted_by = $1 AND idempotency_key = $2")
                .bind(submitter)
                .bind(key)
                .fetch_optional(c))?;
        if let Some(id) = existing {
            return Ok(id);
        }
    }
    let (path, officer_id, district): (String, Option<i64>, Option<String>) = fetch!(tx, |c| {
            sqlx::query_as(
                "SELECT e.path, e.officer_id,
                    (SELECT d.code FROM org_unit d WHERE d.kind = 'district' AND substr(e.path, 1, length(d.path)) = d.path)
                 FROM enterprise e WHERE e.id = $1 AND e.status = 'active'",
            )
            .bind(item.enterprise_id)
            .fetch_optional(c)
        })?
        .ok_or(StoreError::NotFound)?;
    let district = district.unwrap_or_else(|| "LX".into());
    let year = i64::from(ctx.at.with_timezone(&TIMEZONE).year());
    let sequence: i64 = fetch!(tx, |c| sqlx::query_scalar(
        "INSERT INTO item_sequence (district_code, year, last) VALUES ($1, $2, 1)
             ON CONFLICT (district_code, year) DO UPDATE SET last = item_sequence.last + 1 RETURNING last"
    )
    .bind(&district)
    .bind(year)
    .fetch_one(c))?;
    let number = human_number(&district, i32::try_from(year).unwrap_or_default(), sequence);
    let id: i64 = fetch!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO item (number, kind, category_id, priority, channel, title, description, address, longitude,
                latitude, enterprise_id, path, officer_id, status, version, submitted_by, submitted_at, idempotency_key,
                respond_due_at, resolve_due_at, warn_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'submitted', 1, $14, $15, $16, $17, $18, $19, $15)
             RETURNING id"
        )
        .bind(&number)
        .bind(item.kind.code())
        .bind(item.category_id)
        .bind(item.priority.code())
        .bind(item.channel.code())
        .bind(&item.title)
        .bind(&item.description)
        .bind(&item.address)
        .bind(item.longitude)
        .bind(item.latitude)
        .bind(item.enterprise_id)
        .bind(&path)
        .bind(officer_id)
        .bind(submitter)
        .bind(ctx.at)
        .bind(&item.idempotency_key)
        .bind(due.respond_due)
        .bind(due.resolve_due)
        .bind(due.warn_at)
        .fetch_one(c)
    })?;
    let event = NewEvent { step: "submit".into(), body: item.description.clone(), internal: false, on_behalf };
    insert_event(tx, ctx, id, &event, None, Some(Status::Submitted)).await?;
    if let Some(officer) = officer_id {
        let note = NewNotification {
            user_id: officer,
            kind: "item.submitted".into(),
            title: format!("新{}：{}", item.kind.label(), number),
            body: item.title.clone(),
        };
        insert_notification(tx, ctx.at, id, &note).await?;
    }
    arm_timer(tx, id, Some(due.warn_at)).await?;
    append(tx, ctx.at, &ctx.event("item.create", "item", Some(id), number)).await?;
    Ok(id)
}

/// Opens the savepoint one unit of a batch runs under.
pub(crate) async fn begin_savepoint(tx: &mut Tx) -> StoreResult<()> {
    exec!(tx, |c| sqlx::query("SAVEPOINT unit").execute(c))?;
    Ok(())
}

/// Keeps what the unit wrote, or undoes it alone when it failed; the unit's result is passed on.
pub(crate) async fn end_savepoint<T>(tx: &mut Tx, result: StoreResult<T>) -> StoreResult<StoreResult<T>> {
    if result.is_err() {
        exec!(tx, |c| sqlx::query("ROLLBACK TO SAVEPOINT unit").execute(c))?;
    }
    exec!(tx, |c| sqlx::query("RELEASE SAVEPOINT unit").execute(c))?;
    Ok(result)
}

/// The writes of one step inside an open transaction (see [`Db::save_step`]).
async fn write_step(tx: &mut Tx, ctx: &Ctx, step: &SavedStep<'_>) -> StoreResult<()> {
    let SavedStep { before, after, event, notifications, timer, referral } = *step;
    let updated = exec!(tx, |c| sqlx::query(
        "UPDATE item SET status = $3, version = $4, handler_id = $5, respond_due_at = $6, resolve_due_at = $7,
                warn_at = $8, responded_at = $9, respond_margin = $10, resolved_at = $11, resolve_margin = $12,
                working_seconds = $13, resolution = $14, closed_at = $15, close_reason = $16, paused_at = $17,
                paused_seconds = $18, warned_at = $19, overdue_at = $20, escalation_level = $21, escalated_at = $22,
                supervised_at = $23, reopen_count = $24, rating = $25, solved = $26, feedback_at = $27,
                feedback_by_staff = $28, updated_at = $29
             WHERE id = $1 AND version = $2"
    )
    .bind(before.id)
    .bind(before.version)
    .bind(after.status.code())
    .bind(after.version)
    .bind(after.handler_id)
    .bind(after.respond_due_at)
    .bind(after.resolve_due_at)
    .bind(after.warn_at)
    .bind(after.responded_at)
    .bind(after.respond_margin)
    .bind(after.resolved_at)
    .bind(after.resolve_margin)
    .bind(after.working_seconds)
    .bind(&after.resolution)
    .bind(after.closed_at)
    .bind(&after.close_reason)
    .bind(after.paused_at)
    .bind(after.paused_seconds)
    .bind(after.warned_at)
    .bind(after.overdue_at)
    .bind(after.escalation_level)
    .bind(after.escalated_at)
    .bind(after.supervised_at)
    .bind(after.reopen_count)
    .bind(after.rating.map(Rating::code))
    .bind(after.solved)
    .bind(after.feedback_at)
    .bind(after.feedback_by_staff)
    .bind(ctx.at)
    .execute(c))?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    let from = (before.status != after.status).then_some(before.status);
    let to = (before.status != after.status).then_some(after.status);
    insert_event(tx, ctx, before.id, event, from, to).await?;
    if let Some(change) = referral {
        change_referral(tx, ctx, before.id, change).await?;
    }
    for note in notifications {
        insert_notification(tx, ctx.at, before.id, note).await?;
    }
    arm_timer(tx, before.id, timer).await?;
    let detail = format!("{} v{}→v{}", event.step, before.version, after.version);
    append(tx, ctx.at, &ctx.event(&format!("item.{}", event.step), "item", Some(before.id), detail)).await?;
    Ok(())
}

async fn change_referral(tx: &mut Tx, ctx: &Ctx, item_id: i64, change: &ReferralChange) -> StoreResult<()> {
    let actor = ctx.actor_id.unwrap_or_default();
    match change {
        ReferralChange::Create { department_id, note } => exec!(tx, |c| sqlx::query(
            "INSERT INTO referral (item_id, department_id, state, note, referred_by, referred_at)
             VALUES ($1, $2, 'delivered', $3, $4, $5)"
        )
        .bind(item_id)
        .bind(department_id)
        .bind(note)
        .bind(actor)
        .bind(ctx.at)
        .execute(c))?,
        ReferralChange::Close { department_id, state, text } => exec!(tx, |c| sqlx::query(
            "UPDATE referral SET state = $3, answer = $4, closed_by = $5, closed_at = $6
             WHERE item_id = $1 AND department_id = $2 AND state IN ('delivered', 'read')"
        )
        .bind(item_id)
        .bind(department_id)
        .bind(*state)
        .bind(text)
        .bind(ctx.actor_id)
        .bind(ctx.at)
        .execute(c))?,
    };
    Ok(())
}

/// Appends a timeline row (also used by attachments and mediation).
pub(crate) async fn insert_event(
    tx: &mut Tx,
    ctx: &Ctx,
    item_id: i64,
    event: &NewEvent,
    from: Option<Status>,
    to: Option<Status>,
) -> StoreResult<()> {
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO item_event (item_id, at, actor_id, actor_name, step, from_status, to_status, body, internal, on_behalf)
         VALUES ($1, $2, $3, COALESCE((SELECT display_name FROM app_user WHERE id = $3), '系统'), $4, $5, $6, $7, $8, $9)"
    )
    .bind(item_id)
    .bind(ctx.at)
    .bind(ctx.actor_id)
    .bind(&event.step)
    .bind(from.map(Status::code))
    .bind(to.map(Status::code))
    .bind(&event.body)
    .bind(event.internal)
    .bind(event.on_behalf)
    .execute(c)
    })?;
    Ok(())
}

pub(crate) async fn insert_notification(
    tx: &mut Tx,
    at: DateTime<Utc>,
    item_id: i64,
    note: &NewNotification,
) -> StoreResult<()> {
    let id: i64 = fetch!(tx, |c| sqlx::query_scalar(
        "INSERT INTO notification (user_id, item_id, kind, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id"
    )
    .bind(note.user_id)
    .bind(item_id)
    .bind(&note.kind)
    .bind(&note.title)
    .bind(&note.body)
    .bind(at)
    .fetch_one(c))?;
    crate::outbox::enqueue(tx, id, note.user_id, at).await
}

/// Sets (or, with `None`, removes) the item's pending timer job.
async fn arm_timer(tx: &mut Tx, item_id: i64, at: Option<DateTime<Utc>>) -> StoreResult<()> {
    match at {
        Some(at) => exec!(tx, |c| sqlx::query(
            "INSERT INTO job (kind, ref_id, run_at) VALUES ($1, $2, $3)
             ON CONFLICT (kind, ref_id) DO UPDATE SET run_at = excluded.run_at, attempts = 0, locked_until = NULL"
        )
        .bind(ITEM_TIMER)
        .bind(item_id)
        .bind(at)
        .execute(c))?,
        None => exec!(tx, |c| sqlx::query("DELETE FROM job WHERE kind = $1 AND ref_id = $2")
            .bind(ITEM_TIMER)
            .bind(item_id)
            .execute(c))?,
    };
    Ok(())
}
