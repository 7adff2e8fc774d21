//! `/api/v1/stats`: the 一企一警 figures the console's statistics pages show — coverage per station
//! (enterprises with a responsible officer ÷ enterprises) and each officer's load — for station heads,
//! the center and the leader, over their subtree.

use super::json::Json;
use crate::AppState;
use crate::actions::{self, Coverage};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use axum::extract::State;
use liaison_store::users::OfficerLoad;

/// Coverage per station and in all (station heads, center staff, leaders).
#[utoipa::path(get, path = "/api/v1/stats/coverage", tag = "stats",
    responses((status = 200, body = Coverage), (status = 403)))]
pub async fn coverage(State(state): State<AppState>, CurrentUser(authed): CurrentUser) -> AppResult<Json<Coverage>> {
    Ok(Json(actions::coverage(&state, &authed).await?))
}

/// Each liaison officer in the caller's subtree with their enterprises and key enterprises.
#[utoipa::path(get, path = "/api/v1/stats/officers", tag = "stats",
    responses((status = 200, body = Vec<OfficerLoad>), (status = 403)))]
pub async fn officers(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Json<Vec<OfficerLoad>>> {
    Ok(Json(actions::officer_loads(&state, &authed).await?))
}
