//! `/api/v1/items/{id}/dispute`, `/mediation-sessions`, `/mediation-outcome`: tiered mediation of disputes.

use super::json::Json;
use crate::AppState;
use crate::actions::mediation::{self, DisputeView};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use axum::extract::State;
use liaison_core::item::mediation::PartyInput;
use serde::Deserialize;
use utoipa::ToSchema;

/// Amount and parties.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_fen": 4500000, "parties": [{"name": "张三", "role": "申请人", "mobile": "13800138000"}, {"name": "某建材公司", "role": "被申请人"}]}))]
pub struct DisputeBody {
    /// Amount involved, in fen (分).
    pub amount_fen: i64,
    /// Parties: `{"name", "role", "mobile"}`.
    #[schema(value_type = Vec<Object>)]
    pub parties: Vec<PartyInput>,
}

/// A session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-03-02", "participants": "张三、某建材公司、社区民警", "outcome": "failed", "note": "金额分歧较大 / far apart on the amount"}))]
pub struct SessionBody {
    /// Date held, `YYYY-MM-DD`.
    pub held_on: String,
    /// Who took part.
    pub participants: String,
    /// `reached`, `failed` (escalates one level) or `adjourned`.
    pub outcome: String,
    /// Notes.
    #[serde(default)]
    pub note: String,
}

/// The conclusion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "reached", "guidance": "", "text": "双方同意分两期支付欠款 / paid in two instalments"}))]
pub struct OutcomeBody {
    /// `reached` or `not_reached`.
    pub outcome: String,
    /// When not reached: `arbitration` or `litigation`.
    #[serde(default)]
    pub guidance: String,
    /// The agreement (调解协议), or the guidance given.
    pub text: String,
}

/// A dispute's mediation record.
#[utoipa::path(get, path = "/api/v1/items/{id}/dispute", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = DisputeView), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<DisputeView>> {
    Ok(Json(mediation::dispute_view(&state, &authed, id).await?))
}

/// Enters the amount and parties; they set the starting level (金额、人数), which never drops.
#[utoipa::path(put, path = "/api/v1/items/{id}/dispute", tag = "items", params(("id" = i64, Path)), request_body = DisputeBody,
    responses((status = 200, body = DisputeView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn put(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<DisputeBody>,
) -> AppResult<Json<DisputeView>> {
    mediation::set_dispute(&state, &authed, id, body.amount_fen, &body.parties).await?;
    get(State(state), CurrentUser(authed), AppPath(id)).await
}

/// Records a session at the current level (officer 1, station head ≤ 2, center 3).
#[utoipa::path(post, path = "/api/v1/items/{id}/mediation-sessions", tag = "items", params(("id" = i64, Path)),
    request_body = SessionBody, responses((status = 200, body = DisputeView), (status = 403), (status = 409), (status = 422)))]
pub async fn session(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<SessionBody>,
) -> AppResult<Json<DisputeView>> {
    mediation::record_session(&state, &authed, id, &body.held_on, &body.participants, &body.outcome, &body.note)
        .await?;
    get(State(state), CurrentUser(authed), AppPath(id)).await
}

/// Concludes the mediation.
#[utoipa::path(post, path = "/api/v1/items/{id}/mediation-outcome", tag = "items", params(("id" = i64, Path)),
    request_body = OutcomeBody, responses((status = 200, body = DisputeView), (status = 403), (status = 409), (status = 422)))]
pub async fn outcome(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<OutcomeBody>,
) -> AppResult<Json<DisputeView>> {
    mediation::conclude(&state, &authed, id, &body.outcome, &body.guidance, &body.text).await?;
    get(State(state), CurrentUser(authed), AppPath(id)).await
}
