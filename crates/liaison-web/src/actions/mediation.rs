//! Dispute mediation use cases (矛盾纠纷分级调解): enter the amount and parties (which set the starting
//! level), record sessions at the level the recorder may mediate (a failed one escalates), conclude
//! with an agreement or with guidance to arbitration or litigation.

use super::items::{VisibleItem, visible_item};
use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use liaison_core::item::mediation::{self, PartyInput, SessionOutcome};
use liaison_core::item::{Kind, Status};
use liaison_core::mask;
use liaison_core::validate::text;
use liaison_store::items::ItemRow;
use liaison_store::mediation::{Dispute, NewSession, PartyRow, SessionRow};
use serde::Serialize;

/// A dispute's mediation record as the viewer may see it (mobiles masked without the reveal permission).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisputeView {
    /// Amount, level and outcome; `null` until the details are entered.
    #[schema(value_type = Option<Object>)]
    pub dispute: Option<Dispute>,
    /// Parties.
    pub parties: Vec<PartyRow>,
    /// Sessions, oldest first.
    pub sessions: Vec<SessionRow>,
}

/// The record of dispute `id`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn dispute_view(state: &AppState, authed: &Authed, id: i64) -> AppResult<DisputeView> {
    let row = visible_item(state, authed, id).await?.row;
    if row.kind() != Kind::Dispute {
        return Err(AppError::NotFound);
    }
    dispute_record(state, authed, &row).await
}

/// The record of a dispute the caller already found visible, its free text masked unless the viewer
/// reads it as written (`item_text`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn dispute_record(state: &AppState, authed: &Authed, row: &ItemRow) -> AppResult<DisputeView> {
    let mut record = dispute_record_as_written(state, authed, row.id).await?;
    if !authed.viewer().reads_item_text_as_written(row.enterprise_id) {
        super::item_text::mask_dispute(&mut record);
    }
    Ok(record)
}

/// [`dispute_record`] with its free text as written (party mobiles still masked without the permission).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn dispute_record_as_written(state: &AppState, authed: &Authed, id: i64) -> AppResult<DisputeView> {
    let reveal = authed.viewer().reveals_pi();
    let mut parties = state.db.dispute_parties(id).await?;
    if !reveal {
        for party in &mut parties {
            party.mobile = party.mobile.as_deref().map(mask::mobile);
        }
    }
    Ok(DisputeView { dispute: state.db.dispute(id).await?, parties, sessions: state.db.mediation_sessions(id).await? })
}

/// A dispute the viewer works on, still being handled.
#[tracing::instrument(level = "debug", skip_all)]
async fn workable(state: &AppState, authed: &Authed, id: i64) -> AppResult<ItemRow> {
    let VisibleItem { row, relation, .. } = visible_item(state, authed, id).await?;
    if row.kind() != Kind::Dispute {
        return Err(AppError::Conflict("not_a_dispute", "仅矛盾纠纷可调解 / only disputes are mediated".into()));
    }
    if !(relation.handler || relation.supervisor) {
        return Err(AppError::Forbidden);
    }
    if !matches!(Status::parse(&row.status), Some(Status::Accepted | Status::Assigned | Status::InProgress)) {
        return Err(AppError::Conflict("not_in_progress", "请先受理；已办结的纠纷不能再调解 / accept it first".into()));
    }
    Ok(row)
}

/// A workable dispute whose details are entered and whose mediation is still going on.
#[tracing::instrument(level = "debug", skip_all)]
async fn open_dispute(state: &AppState, authed: &Authed, id: i64) -> AppResult<Dispute> {
    workable(state, authed, id).await?;
    let dispute = state.db.dispute(id).await?.ok_or_else(|| {
        AppError::Conflict(
            "dispute_details_missing",
            "请先登记涉及金额和当事人 / enter the amount and parties first".into(),
        )
    })?;
    if dispute.outcome.is_some() {
        return Err(AppError::Conflict("mediation_concluded", "调解已结束 / mediation has ended".into()));
    }
    Ok(dispute)
}

/// Enters or replaces the amount (fen) and the parties; the level never drops.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_dispute(
    state: &AppState,
    authed: &Authed,
    id: i64,
    amount_fen: i64,
    parties: &[PartyInput],
) -> AppResult<()> {
    workable(state, authed, id).await?;
    let parties = mediation::validate_dispute(amount_fen, parties)?;
    let current = state.db.dispute(id).await?.map_or(1, |d| d.level);
    let level = current.max(mediation::starting_level(amount_fen, parties.len()));
    Ok(state.db.set_dispute(&authed.ctx(state.clock.now()), id, amount_fen, &parties, level).await?)
}

/// Records a session held at the dispute's current level.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_session(
    state: &AppState,
    authed: &Authed,
    id: i64,
    held_on: &str,
    participants: &str,
    outcome: &str,
    note: &str,
) -> AppResult<()> {
    let dispute = open_dispute(state, authed, id).await?;
    if !mediation::may_mediate(&authed.viewer().roles, dispute.level) {
        return Err(AppError::Forbidden);
    }
    let today = state.clock.now().with_timezone(&liaison_core::TIMEZONE).date_naive();
    let held_on = NaiveDate::parse_from_str(held_on.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| *d <= today)
        .ok_or_else(|| AppError::field("held_on", "date.format", "调解日期应为不晚于今天的 YYYY-MM-DD"))?;
    let outcome = SessionOutcome::parse(outcome)
        .ok_or_else(|| AppError::field("outcome", "outcome.unknown", "结果应为 reached/failed/adjourned"))?;
    let participants =
        text::name(participants, 200).map_err(|e| AppError::field("participants", "text.required", e.to_string()))?;
    let note = text::optional(Some(note), |n| text::free_text(n, 2000))
        .map_err(|e| AppError::field("note", "text.too_long", e.to_string()))?
        .unwrap_or_default();
    let session = NewSession {
        held_on,
        participants,
        outcome: outcome.code(),
        note,
        level: dispute.level,
        level_after: mediation::level_after(dispute.level, outcome),
    };
    state.db.add_mediation_session(&authed.ctx(state.clock.now()), id, &session).await?;
    Ok(())
}

/// Concludes: `reached` with the agreement text, or `not_reached` with guidance (`arbitration` or
/// `litigation`) and its explanation.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn conclude(
    state: &AppState,
    authed: &Authed,
    id: i64,
    outcome: &str,
    guidance: &str,
    text_in: &str,
) -> AppResult<()> {
    open_dispute(state, authed, id).await?;
    let body = text::free_text(text_in, 5000).map_err(|e| AppError::field("text", "text.required", e.to_string()))?;
    let ctx = authed.ctx(state.clock.now());
    match (outcome, guidance) {
        ("reached", _) => Ok(state.db.conclude_mediation(&ctx, id, "reached", Some(&body), None).await?),
        ("not_reached", "arbitration" | "litigation") => {
            let guidance = format!("{guidance}: {body}");
            Ok(state.db.conclude_mediation(&ctx, id, "not_reached", None, Some(&guidance)).await?)
        }
        ("not_reached", _) => {
            Err(AppError::field("guidance", "guidance.unknown", "请选择引导仲裁或诉讼 / arbitration or litigation"))
        }
        _ => Err(AppError::field("outcome", "outcome.unknown", "结果应为 reached 或 not_reached")),
    }
}
