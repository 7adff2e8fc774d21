//! Dispute details and mediation records: the amount, level and outcome of a dispute, its parties,
//! and its sessions — each change with a timeline row and an audit row in the same transaction.

use crate::audit::append;
use crate::item_writes::insert_event;
use crate::items::NewEvent;
use crate::{Ctx, Db, StoreResult, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use liaison_core::item::mediation::Party;

/// A dispute's mediation record.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Dispute {
    /// Amount involved, fen.
    pub amount_fen: i64,
    /// Mediation level 1–3.
    pub level: i64,
    /// `reached` or `not_reached` once concluded.
    pub outcome: Option<String>,
    /// The agreement (调解协议).
    pub agreement: Option<String>,
    /// Guidance when no agreement: `arbitration` or `litigation`, with the text.
    pub guidance: Option<String>,
}

/// A party as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PartyRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Mobile (masked for display by the caller).
    pub mobile: Option<String>,
}

/// A mediation session.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SessionRow {
    /// Id.
    pub id: i64,
    /// The level it was held at.
    pub level: i64,
    /// Date held.
    pub held_on: NaiveDate,
    /// Who took part.
    pub participants: String,
    /// `reached`, `failed` or `adjourned`.
    pub outcome: String,
    /// Notes.
    pub note: String,
    /// Recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A session to record.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Date held.
    pub held_on: NaiveDate,
    /// Who took part.
    pub participants: String,
    /// Outcome code.
    pub outcome: &'static str,
    /// Notes.
    pub note: String,
    /// The level it was held at.
    pub level: i64,
    /// The dispute's level afterwards.
    pub level_after: i64,
}

impl Db {
    /// A dispute's record, if its details were entered.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn dispute(&self, item_id: i64) -> StoreResult<Option<Dispute>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT amount_fen, level, outcome, agreement, guidance FROM dispute WHERE item_id = $1"
        )
        .bind(item_id)
        .fetch_optional(c))?)
    }

    /// A dispute's parties.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn dispute_parties(&self, item_id: i64) -> StoreResult<Vec<PartyRow>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT id, name, role, mobile FROM dispute_party WHERE item_id = $1 ORDER BY id"
        )
        .bind(item_id)
        .fetch_all(c))?)
    }

    /// A dispute's sessions, oldest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mediation_sessions(&self, item_id: i64) -> StoreResult<Vec<SessionRow>> {
        Ok(read!(self, |c| sqlx::query_as(
            "SELECT id, level, held_on, participants, outcome, note, recorded_at FROM mediation_session
             WHERE item_id = $1 ORDER BY id"
        )
        .bind(item_id)
        .fetch_all(c))?)
    }

    /// Enters or replaces the amount and parties; the level is `level` (the caller keeps the higher of
    /// the current level and the rule's starting level).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_dispute(
        &self,
        ctx: &Ctx,
        item_id: i64,
        amount_fen: i64,
        parties: &[Party],
        level: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "INSERT INTO dispute (item_id, amount_fen, level, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (item_id) DO UPDATE SET amount_fen = excluded.amount_fen, level = excluded.level,
                 updated_at = excluded.updated_at"
        )
        .bind(item_id)
        .bind(amount_fen)
        .bind(level)
        .bind(ctx.at)
        .execute(c))?;
        exec!(&mut tx, |c| sqlx::query("DELETE FROM dispute_party WHERE item_id = $1").bind(item_id).execute(c))?;
        for party in parties {
            exec!(&mut tx, |c| sqlx::query(
                "INSERT INTO dispute_party (item_id, name, role, mobile) VALUES ($1, $2, $3, $4)"
            )
            .bind(item_id)
            .bind(&party.name)
            .bind(&party.role)
            .bind(&party.mobile)
            .execute(c))?;
        }
        let amount = liaison_core::money::yuan(amount_fen);
        let body = format!("涉及金额 {amount}，当事人 {} 方，第 {level} 级调解", parties.len());
        event(&mut tx, ctx, item_id, "dispute", &body).await?;
        let detail = format!("amount_fen {amount_fen}, parties {}, level {level}", parties.len());
        append(&mut tx, ctx.at, &ctx.event("dispute.update", "item", Some(item_id), detail)).await?;
        tx.commit().await
    }

    /// Records a session and moves the dispute to the level after it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn add_mediation_session(&self, ctx: &Ctx, item_id: i64, session: &NewSession) -> StoreResult<i64> {
        let recorder = ctx.actor_id.unwrap_or_default();
        let mut tx = self.begin().await?;
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO mediation_session (item_id, level, held_on, participants, outcome, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        )
        .bind(item_id)
        .bind(session.level)
        .bind(session.held_on)
        .bind(&session.participants)
        .bind(session.outcome)
        .bind(&session.note)
        .bind(recorder)
        .bind(ctx.at)
        .fetch_one(c)
        })?;
        exec!(&mut tx, |c| sqlx::query("UPDATE dispute SET level = $2, updated_at = $3 WHERE item_id = $1")
            .bind(item_id)
            .bind(session.level_after)
            .bind(ctx.at)
            .execute(c))?;
        let body = format!("第 {} 级调解（{}）：{}。{}", session.level, session.held_on, session.outcome, session.note);
        event(&mut tx, ctx, item_id, "mediate", &body).await?;
        let detail = format!("level {} → {}, {}", session.level, session.level_after, session.outcome);
        append(&mut tx, ctx.at, &ctx.event("dispute.session", "item", Some(item_id), detail)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Concludes the mediation: `reached` with the agreement, or `not_reached` with the guidance.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn conclude_mediation(
        &self,
        ctx: &Ctx,
        item_id: i64,
        outcome: &'static str,
        agreement: Option<&str>,
        guidance: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        exec!(&mut tx, |c| sqlx::query(
            "UPDATE dispute SET outcome = $2, agreement = $3, guidance = $4, updated_at = $5 WHERE item_id = $1"
        )
        .bind(item_id)
        .bind(outcome)
        .bind(agreement)
        .bind(guidance)
        .bind(ctx.at)
        .execute(c))?;
        event(&mut tx, ctx, item_id, "conclude", agreement.or(guidance).unwrap_or_default()).await?;
        append(&mut tx, ctx.at, &ctx.event("dispute.conclude", "item", Some(item_id), outcome)).await?;
        tx.commit().await
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn event(tx: &mut Tx, ctx: &Ctx, item_id: i64, step: &str, body: &str) -> StoreResult<()> {
    let event = NewEvent { step: step.to_owned(), body: body.to_owned(), internal: false, on_behalf: false };
    insert_event(tx, ctx, item_id, &event, None, None).await
}
