//! Steps: saving what a step did to an item under optimistic concurrency (the versioned UPDATE with
//! its timeline row, inbox rows, referral change, timer job and audit row), singly or in batches, and
//! the referrals to partner departments those steps create.

use crate::audit::{append, append_all};
use crate::item_writes::{EventWrite, arm_timers, clear_timers, insert_events, insert_notifications};
use crate::items::{NewEvent, NewNotification};
use crate::{Ctx, Db, StoreError, StoreResult, Tx};
use chrono::{DateTime, Utc};
use liaison_core::item::Rating;
use liaison_core::item::state::ItemState;
use sqlx::QueryBuilder;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

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

/// The SELECT of [`Referral`] with the item's id (a macro, so `concat!` keeps each query a static string).
macro_rules! referral_select {
    () => {
        "SELECT r.item_id, r.id, r.department_id, o.name AS department_name, r.state, r.note, r.answer, r.referred_at,
            r.read_at, r.closed_at
         FROM referral r JOIN org_unit o ON o.id = r.department_id "
    };
}
pub(crate) use referral_select;

/// A referral to a partner department and its state for that recipient.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
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

impl Db {
    /// Saves a step taken on `before` (whose version the caller read): the new state, the timeline row,
    /// notifications, the referral change, the audit row and the timer — or [`StoreError::Stale`] when
    /// someone else was first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn save_step(&self, ctx: &Ctx, step: &SavedStep<'_>) -> StoreResult<()> {
        self.save_steps(&[(ctx.clone(), *step)]).await?.remove(0)
    }

    /// Saves several steps in one transaction (one commit for all — the worker's batches): a stale one
    /// is skipped before it writes anything and reported in its place; the timeline rows, notifications,
    /// timers and audit rows of the others go in one statement per kind.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn save_steps(&self, steps: &[(Ctx, SavedStep<'_>)]) -> StoreResult<Vec<StoreResult<()>>> {
        let mut tx = self.begin().await?;
        let first = update_items(&mut tx, steps).await?;
        let mut results = Vec::with_capacity(steps.len());
        let mut saved = Vec::with_capacity(steps.len());
        for (n, (ctx, step)) in steps.iter().enumerate() {
            if !first.contains(&n) {
                results.push(Err(StoreError::Stale));
                continue;
            }
            if let Some(change) = step.referral {
                change_referral(&mut tx, ctx, step.before.id, change).await?;
            }
            saved.push((ctx, step));
            results.push(Ok(()));
        }
        write_companions(&mut tx, &saved).await?;
        tx.commit().await?;
        Ok(results)
    }

    /// An item's referrals, oldest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn referrals(&self, item_id: i64) -> StoreResult<Vec<Referral>> {
        Ok(read!(self, |c| {
            sqlx::query_as(concat!(referral_select!(), "WHERE r.item_id = $1 ORDER BY r.id")).bind(item_id).fetch_all(c)
        })?)
    }

    /// Records that the department first opened its pending referral (delivered → read).
    #[tracing::instrument(level = "debug", skip_all)]
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
}

/// The item columns a step writes, in the order [`push_update`] binds them after the id and the version
/// read.
const STEP_COLUMNS: [&str; 27] = [
    "status",
    "version",
    "handler_id",
    "respond_due_at",
    "resolve_due_at",
    "warn_at",
    "responded_at",
    "respond_margin",
    "resolved_at",
    "resolve_margin",
    "working_seconds",
    "resolution",
    "closed_at",
    "close_reason",
    "paused_at",
    "paused_seconds",
    "warned_at",
    "overdue_at",
    "escalation_level",
    "escalated_at",
    "supervised_at",
    "reopen_count",
    "rating",
    "solved",
    "feedback_at",
    "feedback_by_staff",
    "updated_at",
];

/// Steps per UPDATE statement (29 values each, within both databases' limits on bound values).
const STEPS_PER_UPDATE: usize = 500;

/// The versioned UPDATEs of the steps, one statement for up to [`STEPS_PER_UPDATE`] of them: `UPDATE item
/// SET … FROM (VALUES (id, version read, …), …) AS v WHERE item.id = v.column1 AND item.version =
/// v.column2 RETURNING id` (on PostgreSQL every statement is a round trip; a sweep's 6,000 steps one by
/// one took seconds). Returns the positions of the steps that were first; a stale step, or a second step
/// on the same item, is not among them and writes nothing.
#[tracing::instrument(level = "debug", skip_all)]
async fn update_items(tx: &mut Tx, steps: &[(Ctx, SavedStep<'_>)]) -> StoreResult<HashSet<usize>> {
    let mut first = HashSet::with_capacity(steps.len());
    let mut position_of = HashMap::with_capacity(steps.len());
    let mut distinct = Vec::with_capacity(steps.len());
    for (n, (ctx, step)) in steps.iter().enumerate() {
        if let Entry::Vacant(slot) = position_of.entry(step.before.id) {
            slot.insert(n);
            distinct.push((ctx, step));
        }
    }
    for chunk in distinct.chunks(STEPS_PER_UPDATE) {
        let updated: Vec<i64> = fetch!(tx, |c| async {
            let mut update = QueryBuilder::new("");
            push_update(&mut update, chunk);
            update.build_query_scalar().persistent(chunk.len() == 1).fetch_all(c).await
        })?;
        first.extend(updated.iter().filter_map(|id| position_of.get(id).copied()));
    }
    Ok(first)
}

/// Appends the UPDATE of [`update_items`] for `steps`.
fn push_update<DB: sqlx::Database>(update: &mut QueryBuilder<DB>, steps: &[(&Ctx, &SavedStep<'_>)])
where
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<bool>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'static str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<DateTime<Utc>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    update.push("UPDATE item SET ");
    for (n, column) in STEP_COLUMNS.iter().enumerate() {
        update.push(if n == 0 { "" } else { ", " }).push(format!("{column} = v.column{}", n + 3));
    }
    update.push(" FROM (VALUES ");
    for (n, (ctx, step)) in steps.iter().enumerate() {
        update.push(if n == 0 { "(" } else { ", (" });
        // The item, the version read, then `STEP_COLUMNS` in order.
        let SavedStep { before, after, .. } = **step;
        let mut row = update.separated(", ");
        row.push_bind(before.id)
            .push_bind(before.version)
            .push_bind(after.status.code())
            .push_bind(after.version)
            .push_bind(after.handler_id)
            .push_bind(after.respond_due_at)
            .push_bind(after.resolve_due_at)
            .push_bind(after.warn_at)
            .push_bind(after.responded_at)
            .push_bind(after.respond_margin)
            .push_bind(after.resolved_at)
            .push_bind(after.resolve_margin)
            .push_bind(after.working_seconds)
            .push_bind(after.resolution.clone())
            .push_bind(after.closed_at)
            .push_bind(after.close_reason.clone())
            .push_bind(after.paused_at)
            .push_bind(after.paused_seconds)
            .push_bind(after.warned_at)
            .push_bind(after.overdue_at)
            .push_bind(after.escalation_level)
            .push_bind(after.escalated_at)
            .push_bind(after.supervised_at)
            .push_bind(after.reopen_count)
            .push_bind(after.rating.map(Rating::code))
            .push_bind(after.solved)
            .push_bind(after.feedback_at)
            .push_bind(after.feedback_by_staff)
            .push_bind(ctx.at);
        update.push(")");
    }
    update.push(") AS v WHERE item.id = v.column1 AND item.version = v.column2 RETURNING id");
}

/// What comes with the saved steps: their timeline rows, notifications, timers and audit rows, each kind
/// in one statement.
#[tracing::instrument(level = "debug", skip_all)]
async fn write_companions(tx: &mut Tx, saved: &[(&Ctx, &SavedStep<'_>)]) -> StoreResult<()> {
    let events: Vec<EventWrite> = saved
        .iter()
        .map(|(ctx, step)| {
            let changed = step.before.status != step.after.status;
            EventWrite {
                item_id: step.before.id,
                at: ctx.at,
                actor_id: ctx.actor_id,
                event: step.event,
                from: changed.then_some(step.before.status),
                to: changed.then_some(step.after.status),
            }
        })
        .collect();
    insert_events(tx, &events).await?;
    let notes: Vec<_> = saved
        .iter()
        .flat_map(|(ctx, step)| step.notifications.iter().map(|note| (ctx.at, step.before.id, note)))
        .collect();
    insert_notifications(tx, &notes).await?;
    let armed: Vec<_> = saved.iter().filter_map(|(_, step)| Some((step.before.id, step.timer?))).collect();
    arm_timers(tx, &armed).await?;
    let cleared: Vec<i64> = saved.iter().filter(|(_, step)| step.timer.is_none()).map(|(_, s)| s.before.id).collect();
    clear_timers(tx, &cleared).await?;
    let audits: Vec<_> = saved
        .iter()
        .map(|(ctx, step)| {
            let (before, after, event) = (step.before, step.after, step.event);
            let detail = format!("{} v{}→v{}", event.step, before.version, after.version);
            (ctx.at, ctx.event(&format!("item.{}", event.step), "item", Some(before.id), detail))
        })
        .collect();
    append_all(tx, &audits).await
}

#[tracing::instrument(level = "debug", skip_all)]
async fn change_referral(tx: &mut Tx, ctx: &Ctx, item_id: i64, change: &ReferralChange) -> StoreResult<()> {
    let actor = ctx.actor_id.unwrap_or_default();
    match change {
        ReferralChange::Create { department_id, note } => {
            exec!(tx, |c| sqlx::query(
                "INSERT INTO referral (item_id, department_id, state, note, referred_by, referred_at)
                 VALUES ($1, $2, 'delivered', $3, $4, $5)"
            )
            .bind(item_id)
            .bind(department_id)
            .bind(note)
            .bind(actor)
            .bind(ctx.at)
            .execute(c))?;
            exec!(tx, |c| sqlx::query("UPDATE item SET referral_count = referral_count + 1 WHERE id = $1")
                .bind(item_id)
                .execute(c))?
        }
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
