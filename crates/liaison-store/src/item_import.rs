//! Writing items whose history was already decided elsewhere — the demo's year of activity, driven
//! through the real state machine in memory — in one transaction per batch, with their timelines,
//! referrals, dispute records and timers, and one audit row per batch.

use crate::audit::append;
use crate::item_writes::{EventWrite, arm_timers, insert_events};
use crate::items::NewEvent;
use crate::{Ctx, Db, StoreResult, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use liaison_core::item::state::ItemState;
use liaison_core::item::{Channel, Kind, Priority, Rating, Status};

/// A timeline row with its own time and actor.
#[derive(Debug, Clone)]
pub struct PastEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none: the system).
    pub actor_id: Option<i64>,
    /// The row.
    pub event: NewEvent,
    /// Status before, when it changed.
    pub from: Option<Status>,
    /// Status after, when it changed.
    pub to: Option<Status>,
}

/// A referral with its whole history.
#[derive(Debug, Clone)]
pub struct PastReferral {
    /// The department.
    pub department_id: i64,
    /// Who referred.
    pub referred_by: i64,
    /// When.
    pub referred_at: DateTime<Utc>,
    /// What was asked.
    pub note: String,
    /// Read, answered.
    pub answered_at: DateTime<Utc>,
    /// The department user who answered.
    pub answered_by: i64,
    /// The answer.
    pub answer: String,
}

/// A dispute's mediation record with its sessions.
#[derive(Debug, Clone)]
pub struct PastDispute {
    /// Amount, fen.
    pub amount_fen: i64,
    /// Level at the end.
    pub level: i64,
    /// `reached` or `not_reached`.
    pub outcome: &'static str,
    /// Agreement or guidance text.
    pub text: String,
    /// Parties: name, role, mobile.
    pub parties: Vec<(String, String, Option<String>)>,
    /// Sessions.
    pub sessions: Vec<PastSession>,
}

/// A mediation session that was held.
#[derive(Debug, Clone)]
pub struct PastSession {
    /// Level.
    pub level: i64,
    /// Date held.
    pub held_on: NaiveDate,
    /// Who took part.
    pub participants: String,
    /// `reached`, `failed` or `adjourned`.
    pub outcome: &'static str,
    /// Who recorded it.
    pub recorded_by: i64,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// One finished (or still open) item.
#[derive(Debug, Clone)]
pub struct PastItem {
    /// Human number.
    pub number: String,
    /// Kind.
    pub kind: Kind,
    /// Category.
    pub category_id: i64,
    /// Priority.
    pub priority: Priority,
    /// Channel.
    pub channel: Channel,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Address.
    pub address: String,
    /// Submitter.
    pub submitted_by: i64,
    /// The state at the end (its id is ignored).
    pub state: ItemState,
    /// The timeline, oldest first.
    pub events: Vec<PastEvent>,
    /// Referrals.
    pub referrals: Vec<PastReferral>,
    /// Mediation, for disputes.
    pub dispute: Option<PastDispute>,
    /// The timer's next instant, if the item still waits on something.
    pub timer: Option<DateTime<Utc>>,
}

impl Db {
    /// Writes `items` in one transaction and sets the number sequences to the highest numbers used.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn import_past_items(&self, ctx: &Ctx, items: &[PastItem]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for item in items {
            let id = insert_item(&mut tx, item).await?;
            let events: Vec<EventWrite> = item
                .events
                .iter()
                .map(|past| EventWrite {
                    item_id: id,
                    at: past.at,
                    actor_id: past.actor_id,
                    event: &past.event,
                    from: past.from,
                    to: past.to,
                })
                .collect();
            insert_events(&mut tx, &events).await?;
            for referral in &item.referrals {
                exec!(&mut tx, |c| {
                    sqlx::query(
                    "INSERT INTO referral (item_id, department_id, state, note, answer, referred_by, referred_at, read_at,
                         closed_by, closed_at)
                     VALUES ($1, $2, 'answered', $3, $4, $5, $6, $7, $8, $7)"
                )
                .bind(id)
                .bind(referral.department_id)
                .bind(&referral.note)
                .bind(&referral.answer)
                .bind(referral.referred_by)
                .bind(referral.referred_at)
                .bind(referral.answered_at)
                .bind(referral.answered_by)
                .execute(c)
                })?;
            }
            if let Some(dispute) = &item.dispute {
                insert_dispute(&mut tx, id, dispute, item.state.submitted_at).await?;
            }
            if let Some(at) = item.timer {
                arm_timers(&mut tx, &[(id, at)]).await?;
            }
        }
        exec!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO item_sequence (district_code, year, last)
             SELECT substr(number, 1, length(number) - 12), CAST(substr(number, length(number) - 10, 4) AS BIGINT),
                    MAX(CAST(substr(number, length(number) - 5, 6) AS BIGINT))
             FROM item WHERE true GROUP BY substr(number, 1, length(number) - 12), CAST(substr(number, length(number) - 10, 4) AS BIGINT)
             ON CONFLICT (district_code, year) DO UPDATE SET last = excluded.last"
        )
        .execute(c)
        })?;
        let detail = format!("{} items", items.len());
        append(&mut tx, ctx.at, &ctx.event("item.import", "item", None, detail)).await?;
        tx.commit().await
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn insert_item(tx: &mut Tx, item: &PastItem) -> StoreResult<i64> {
    let s = &item.state;
    let id: i64 = fetch!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO item (number, kind, category_id, priority, channel, title, description, address, enterprise_id, path,
            officer_id, handler_id, status, version, submitted_by, submitted_at, respond_due_at, resolve_due_at, warn_at,
            responded_at, respond_margin, resolved_at, resolve_margin, working_seconds, resolution, closed_at, close_reason,
            paused_at, paused_seconds, warned_at, overdue_at, escalation_level, escalated_at, supervised_at, reopen_count,
            rating, solved, feedback_at, feedback_by_staff, referral_count, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
            $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $16)
         RETURNING id"
    )
    .bind(&item.number)
    .bind(item.kind.code())
    .bind(item.category_id)
    .bind(item.priority.code())
    .bind(item.channel.code())
    .bind(&item.title)
    .bind(&item.description)
    .bind(&item.address)
    .bind(s.enterprise_id)
    .bind(s.path.as_str())
    .bind(s.officer_id)
    .bind(s.handler_id)
    .bind(s.status.code())
    .bind(s.version)
    .bind(item.submitted_by)
    .bind(s.submitted_at)
    .bind(s.respond_due_at)
    .bind(s.resolve_due_at)
    .bind(s.warn_at)
    .bind(s.responded_at)
    .bind(s.respond_margin)
    .bind(s.resolved_at)
    .bind(s.resolve_margin)
    .bind(s.working_seconds)
    .bind(&s.resolution)
    .bind(s.closed_at)
    .bind(&s.close_reason)
    .bind(s.paused_at)
    .bind(s.paused_seconds)
    .bind(s.warned_at)
    .bind(s.overdue_at)
    .bind(s.escalation_level)
    .bind(s.escalated_at)
    .bind(s.supervised_at)
    .bind(s.reopen_count)
    .bind(s.rating.map(Rating::code))
    .bind(s.solved)
    .bind(s.feedback_at)
    .bind(s.feedback_by_staff)
    .bind(i64::try_from(item.referrals.len()).unwrap_or(i64::MAX))
    .fetch_one(c)
    })?;
    Ok(id)
}

#[tracing::instrument(level = "debug", skip_all)]
async fn insert_dispute(tx: &mut Tx, id: i64, dispute: &PastDispute, at: DateTime<Utc>) -> StoreResult<()> {
    let (agreement, guidance) = match dispute.outcome {
        "reached" => (Some(&dispute.text), None),
        _ => (None, Some(&dispute.text)),
    };
    exec!(tx, |c| sqlx::query(
        "INSERT INTO dispute (item_id, amount_fen, level, outcome, agreement, guidance, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id)
    .bind(dispute.amount_fen)
    .bind(dispute.level)
    .bind(dispute.outcome)
    .bind(agreement)
    .bind(guidance)
    .bind(at)
    .execute(c))?;
    for (name, role, mobile) in &dispute.parties {
        exec!(tx, |c| sqlx::query("INSERT INTO dispute_party (item_id, name, role, mobile) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(name)
            .bind(role)
            .bind(mobile)
            .execute(c))?;
    }
    for session in &dispute.sessions {
        exec!(tx, |c| {
            sqlx::query(
            "INSERT INTO mediation_session (item_id, level, held_on, participants, outcome, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, '', $6, $7)"
        )
        .bind(id)
        .bind(session.level)
        .bind(session.held_on)
        .bind(&session.participants)
        .bind(session.outcome)
        .bind(session.recorded_by)
        .bind(session.recorded_at)
        .execute(c)
        })?;
    }
    Ok(())
}
