//! `/api/v1/stats`: the 一企一警 figures the console's statistics pages show — coverage per station
//! (enterprises with a responsible officer ÷ enterprises) and each officer's load — for station heads,
//! the center and the leader, over their subtree.

use super::json::Json;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use axum::extract::State;
use liaison_core::permission::Action;
use liaison_store::enterprises::StationCoverage;
use liaison_store::users::OfficerLoad;
use serde::Serialize;
use utoipa::ToSchema;

/// 一企一警 coverage of the caller's subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct Coverage {
    /// Active enterprises.
    pub enterprises: i64,
    /// Of those, with a responsible officer.
    pub covered: i64,
    /// Per station.
    pub stations: Vec<StationCoverage>,
}

/// Coverage per station and in all (station heads, center staff, leaders).
#[utoipa::path(get, path = "/api/v1/stats/coverage", tag = "stats",
    responses((status = 200, body = Coverage), (status = 403)))]
pub async fn coverage(State(state): State<AppState>, CurrentUser(authed): CurrentUser) -> AppResult<Json<Coverage>> {
    authed.require(Action::ViewStatistics)?;
    let stations = state.db.coverage_by_station(&authed.viewer().unit_path).await?;
    let enterprises = stations.iter().map(|s| s.enterprises).sum();
    let covered = stations.iter().map(|s| s.covered).sum();
    Ok(Json(Coverage { enterprises, covered, stations }))
}

/// Each liaison officer in the caller's subtree with their enterprises and key enterprises.
#[utoipa::path(get, path = "/api/v1/stats/officers", tag = "stats",
    responses((status = 200, body = Vec<OfficerLoad>), (status = 403)))]
pub async fn officers(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Json<Vec<OfficerLoad>>> {
    authed.require(Action::ViewStatistics)?;
    Ok(Json(state.db.officers_within(&authed.viewer().unit_path).await?))
}
