//! Steps: saving what a step did to an item under optimistic concurrency (the versioned UPDATE with
//! its timeline row, inbox rows, referral change, timer job and audit row), singly or in batches, and
//! the referrals to partner departments those steps create.

use crate::audit::{append, append_all};
use crate::items::{
    EventWrite, NewEvent, NewNotification, arm_timers, clear_timers, insert_events, insert_notifications,
};
use crate::{Ctx, Db, StoreError, StoreResult, Tx};
use chrono::{DateTime, Utc};
use liaison_core::item::Rating;
use liaison_core::item::state::ItemState;

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
    pub async fn save_step(&self, ctx: &Ctx, step: &SavedStep<'_>) -> StoreResult<()> {
        self.save_steps(&[(ctx.clone(), *step)]).await?.remove(0)
    }

    /// Saves several steps in one transaction (one commit for all — the worker's batches): a stale one
    /// is skipped before it writes anything and reported in its place; the timeline rows, notifications,
    /// timers and audit rows of the others go in one statement per kind.
    pub async fn save_steps(&self, steps: &[(Ctx, SavedStep<'_>)]) -> StoreResult<Vec<StoreResult<()>>> {
        let mut tx = self.begin().await?;
        let mut results = Vec::with_capacity(steps.len());
        let mut saved = Vec::with_capacity(steps.len());
        for (ctx, step) in steps {
            match update_item(&mut tx, ctx, step).await {
                Ok(()) => {
                    if let Some(change) = step.referral {
                        change_referral(&mut tx, ctx, step.before.id, change).await?;
                    }
                    saved.push((ctx, step));
                    results.push(Ok(()));
                }
                Err(StoreError::Stale) => results.push(Err(StoreError::Stale)),
                Err(error) => return Err(error),
            }
        }
        write_companions(&mut tx, &saved).await?;
        tx.commit().await?;
        Ok(results)
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
}

/// The versioned UPDATE of one step: [`StoreError::Stale`] when someone else was first.
async fn update_item(tx: &mut Tx, ctx: &Ctx, step: &SavedStep<'_>) -> StoreResult<()> {
    let SavedStep { before, after, .. } = *step;
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
    Ok(())
}

/// What comes with the saved steps: their timeline rows, notifications, timers and audit rows, each kind
/// in one statement.
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
