//! `/api/v1/registrations` and `/api/v1/self-reports`: an enterprise's onboarding through the API, as a
//! mini-program does it — registering a user with the credit code (public), the officer's or station's
//! confirmation, self-reported basic information and its review. The same use cases as the portal and
//! console pages.

use super::json::Json;
use crate::AppState;
use crate::actions::registrations::{self, RegistrationFields};
use crate::actions::self_reports::{self, SelfReportFields};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath};
use crate::i18n::Lang;
use crate::middleware::RequestMeta;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_store::self_reports::SelfReport;
use liaison_store::users::PendingRegistration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The id of what was created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedId {
    /// Id.
    pub id: i64,
}

/// Registers an enterprise user (no sign-in): pending until the enterprise's officer or station confirms.
#[utoipa::path(post, path = "/api/v1/registrations", tag = "onboarding", request_body = RegistrationFields,
    responses((status = 201, body = CreatedId, description = "待确认 / pending confirmation"), (status = 422)))]
pub async fn register(
    State(state): State<AppState>,
    lang: Lang,
    meta: RequestMeta,
    AppJson(fields): AppJson<RegistrationFields>,
) -> AppResult<(StatusCode, Json<CreatedId>)> {
    let id = registrations::register(&state, lang, &meta, &fields).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id })))
}

/// The pending registrations the caller may confirm (officers: their enterprises; stations and the
/// center: their subtree); mobiles masked unless the caller may reveal.
#[utoipa::path(get, path = "/api/v1/registrations", tag = "onboarding",
    responses((status = 200, body = Vec<PendingRegistration>), (status = 403)))]
pub async fn pending(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Json<Vec<PendingRegistration>>> {
    Ok(Json(crate::actions::pending_registrations(&state, &authed).await?))
}

/// A decision on a registration or a self-report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": true}))]
pub struct Decision {
    /// `true` confirms, `false` refuses (a registration) or returns (a self-report).
    pub approve: bool,
    /// A comment for the enterprise (self-reports).
    #[serde(default)]
    pub comment: String,
}

/// Confirms or refuses a pending registration.
#[utoipa::path(post, path = "/api/v1/registrations/{id}", tag = "onboarding", params(("id" = i64, Path)),
    request_body = Decision, responses((status = 204, description = "已处理 / decided"), (status = 403), (status = 404)))]
pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(decision): AppJson<Decision>,
) -> AppResult<StatusCode> {
    crate::actions::decide_registration(&state, &authed, id, decision.approve).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submits a new version of the caller's enterprise's self-reported information (enterprise users).
#[utoipa::path(post, path = "/api/v1/self-reports", tag = "onboarding", request_body = SelfReportFields,
    responses((status = 201, body = CreatedId, description = "已提交待审核 / submitted for review"), (status = 403), (status = 422)))]
pub async fn submit_report(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppJson(fields): AppJson<SelfReportFields>,
) -> AppResult<(StatusCode, Json<CreatedId>)> {
    let id = self_reports::submit(&state, &authed, &fields, &lang.t("self_report.number")).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id })))
}

/// Every version of an enterprise's self-report, newest first (its users and the staff who see it).
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/self-reports", tag = "onboarding", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SelfReport>), (status = 403), (status = 404)))]
pub async fn reports(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<Vec<SelfReport>>> {
    Ok(Json(self_reports::of_enterprise(&state, &authed, id).await?))
}

/// Approves or returns a version waiting for review (the enterprise's officer, its station, the center).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/self-reports/{report}", tag = "onboarding",
    params(("id" = i64, Path), ("report" = i64, Path)), request_body = Decision,
    responses((status = 204, description = "已审核 / reviewed"), (status = 403), (status = 404), (status = 409)))]
pub async fn review_report(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath((id, report)): AppPath<(i64, i64)>,
    AppJson(decision): AppJson<Decision>,
) -> AppResult<StatusCode> {
    crate::actions::review_self_report(&state, &authed, id, report, decision.approve, &decision.comment).await?;
    Ok(StatusCode::NO_CONTENT)
}
