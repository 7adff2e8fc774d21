//! The console home (figures of the viewer's scope), coverage statistics, and `/healthz`.

use super::{Chrome, render, see_other};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use liaison_core::permission::Action;
use liaison_store::Paging;
use liaison_store::enterprises::{EnterpriseFilter, StationCoverage};

/// Health: 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    enterprises: Option<i64>,
    key_enterprises: Option<i64>,
    pending_registrations: Option<usize>,
    duties: Vec<(&'static str, String)>,
}

pub async fn home(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    let viewer = authed.viewer();
    if !viewer.is_staff() {
        return Ok(see_other("/portal"));
    }
    let (enterprises, key_enterprises) = if viewer.can(Action::ViewEnterprises) {
        let visibility = viewer.enterprise_visibility();
        let one = Paging::new(Some(1), Some(1));
        let all = state.db.enterprises(&visibility, &EnterpriseFilter::default(), one).await?.total;
        let key = state
            .db
            .enterprises(&visibility, &EnterpriseFilter { key_only: true, ..EnterpriseFilter::default() }, one)
            .await?
            .total;
        (Some(all), Some(key))
    } else {
        (None, None)
    };
    let pending_registrations = if viewer.can(Action::ConfirmEnterpriseUser) {
        Some(state.db.pending_registrations(&viewer).await?.len())
    } else {
        None
    };
    let duties: Vec<(&'static str, String)> = [
        ("/org", "duty.org", Action::ManageOrgUnits),
        ("/users", "duty.users", Action::ManageUsers),
        ("/users", "duty.roles", Action::GrantRoles),
        ("/audit", "duty.audit", Action::ReadAudit),
    ]
    .into_iter()
    .filter(|(_, _, action)| viewer.can(*action))
    .map(|(href, key, _)| (href, lang.t(key)))
    .collect();
    Ok(render(&HomePage {
        chrome: Chrome::new(&state, lang, &authed, "home.title", "/"),
        enterprises,
        key_enterprises,
        pending_registrations,
        duties,
    }))
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    chrome: Chrome,
    stations: Vec<StationCoverage>,
    total: i64,
    covered: i64,
}

impl StatsPage {
    fn percent(covered: &i64, total: &i64) -> String {
        if *total == 0 { "—".into() } else { format!("{:.1}%", *covered as f64 * 100.0 / *total as f64) }
    }

    fn per_officer(s: &StationCoverage) -> String {
        if s.officers == 0 { "—".into() } else { format!("{:.1}", s.enterprises as f64 / s.officers as f64) }
    }
}

/// Coverage (一企一警): enterprises with a responsible officer ÷ enterprises, and load per officer.
pub async fn stats(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    let coverage = crate::actions::coverage(&state, &authed).await?;
    Ok(render(&StatsPage {
        chrome: Chrome::new(&state, lang, &authed, "stats.title", "/stats"),
        stations: coverage.stations,
        total: coverage.enterprises,
        covered: coverage.covered,
    }))
}

#[derive(Template)]
#[template(path = "officers.html")]
struct OfficersPage {
    chrome: Chrome,
    officers: Vec<liaison_store::users::OfficerLoad>,
}

/// 一企一警 by officer: each liaison officer in scope with their enterprises (linking to the list).
pub async fn officers(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Response> {
    let officers = crate::actions::officer_loads(&state, &authed).await?;
    Ok(render(&OfficersPage { chrome: Chrome::new(&state, lang, &authed, "officers.title", "/officers"), officers }))
}
