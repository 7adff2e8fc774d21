//! Administration over the API: org units (sys), users (sys creates, sec grants), audit log (aud),
//! and personal access tokens (anyone, for their own scripts).

use super::json::Json;
use crate::AppState;
use crate::actions;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::view::ListView;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_core::permission::Action;
use liaison_store::Paging;
use liaison_store::org::OrgUnit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An org unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    /// Id.
    pub id: i64,
    /// Parent.
    pub parent_id: Option<i64>,
    /// Kind code.
    pub kind: String,
    /// Short code.
    pub code: Option<String>,
    /// Name.
    pub name: String,
    /// Materialized path.
    pub path: String,
    /// Retired.
    pub retired: bool,
}

impl From<OrgUnit> for UnitView {
    fn from(u: OrgUnit) -> Self {
        Self {
            retired: u.retired_at.is_some(),
            id: u.id,
            parent_id: u.parent_id,
            kind: u.kind,
            code: u.code,
            name: u.name,
            path: u.path,
        }
    }
}

/// A new org unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": 4, "kind": "community", "name": "解放碑第2社区", "code": null}))]
pub struct UnitBody {
    /// Parent unit.
    pub parent_id: i64,
    /// `center`, `station`, `community`, `department`, `district`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Short code.
    pub code: Option<String>,
}

/// The org tree under the caller's unit.
#[utoipa::path(get, path = "/api/v1/org-units", tag = "admin", responses((status = 200, body = Vec<UnitView>), (status = 403)))]
pub async fn units(State(state): State<AppState>, CurrentUser(authed): CurrentUser) -> AppResult<Json<Vec<UnitView>>> {
    authed.require(Action::ViewOrgUnits)?;
    let units = state.db.units_within(&authed.viewer().unit_path).await?;
    Ok(Json(units.into_iter().map(UnitView::from).collect()))
}

/// Creates an org unit (system admin).
#[utoipa::path(post, path = "/api/v1/org-units", tag = "admin", request_body = UnitBody,
    responses((status = 201, body = UnitView), (status = 403), (status = 409), (status = 422)))]
pub async fn create_unit(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(body): AppJson<UnitBody>,
) -> AppResult<(StatusCode, Json<UnitView>)> {
    let unit =
        actions::create_unit(&state, &authed, body.parent_id, &body.kind, &body.name, body.code.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(unit.into())))
}

/// Search of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Part of the login or display name.
    pub q: Option<String>,
    /// Page.
    pub page: Option<i64>,
    /// Rows per page.
    pub per_page: Option<i64>,
}

/// Accounts under the caller's unit (system and security admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(UserQuery), responses((status = 200, body = ListView<UserView>), (status = 403)))]
pub async fn users(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<UserQuery>,
) -> AppResult<Json<ListView<UserView>>> {
    authed.require(Action::ViewUsers)?;
    let paging = Paging::new(q.page, q.per_page);
    let page = state.db.users_within(&authed.viewer().unit_path, q.q.as_deref().unwrap_or_default(), paging).await?;
    let items = page.items.into_iter().map(UserView::from).collect();
    Ok(Json(ListView { items, total: page.total, page: paging.page, per_page: paging.per_page }))
}

/// An account as listed to administrators.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Unit name.
    pub unit_name: String,
    /// `active`, `pending`, `disabled`.
    pub status: String,
    /// Role codes, comma-separated.
    pub roles: String,
    /// Last login (RFC 3339).
    pub last_login_at: Option<String>,
}

impl From<liaison_store::users::UserSummary> for UserView {
    fn from(u: liaison_store::users::UserSummary) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            unit_name: u.unit_name,
            status: u.status,
            roles: u.roles,
            last_login_at: u.last_login_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// A new staff account; it has no role until a security admin grants one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "officer-080", "display_name": "李警官", "unit_id": 17, "police_number": "023456"}))]
pub struct UserBody {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Org unit.
    pub unit_id: i64,
    /// 警号 (staff are personal accounts).
    pub police_number: Option<String>,
}

/// The new account and its one-time password (must be changed at first login).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    /// Id.
    pub id: i64,
    /// One-time password, shown once.
    pub initial_password: String,
}

/// Creates an account (system admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserBody,
    responses((status = 201, body = CreatedUser), (status = 403), (status = 422)))]
pub async fn create_user(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(body): AppJson<UserBody>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    let (id, initial_password) = actions::create_user(
        &state,
        &authed,
        &body.username,
        &body.display_name,
        body.unit_id,
        body.police_number.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedUser { id, initial_password })))
}

/// The roles to hold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"roles": ["officer"], "pi_reveal": false}))]
pub struct RolesBody {
    /// Role codes.
    pub roles: Vec<String>,
    /// Grant the reveal permission.
    #[serde(default)]
    pub pi_reveal: bool,
}

/// Replaces a user's roles (security admin; never one's own).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "admin", params(("id" = i64, Path)), request_body = RolesBody,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_roles(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<RolesBody>,
) -> AppResult<StatusCode> {
    actions::set_roles(&state, &authed, id, &body.roles, body.pi_reveal).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filter of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Action prefix, e.g. `auth.`.
    pub action: Option<String>,
    /// Page.
    pub page: Option<i64>,
    /// Rows per page.
    pub per_page: Option<i64>,
}

/// The audit log, newest first (audit admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery), responses((status = 200, body = ListView<AuditView>), (status = 403)))]
pub async fn audit(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<AuditQuery>,
) -> AppResult<Json<ListView<AuditView>>> {
    authed.require(Action::ReadAudit)?;
    let paging = Paging::new(q.page, q.per_page);
    let page = state.db.audit_page(q.action.as_deref().unwrap_or_default(), paging).await?;
    let items = page.items.into_iter().map(AuditView::from).collect();
    Ok(Json(ListView { items, total: page.total, page: paging.page, per_page: paging.per_page }))
}

/// One audit record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Sequence number.
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Acting user.
    pub actor_id: Option<i64>,
    /// Actor roles.
    pub actor_role: String,
    /// Client IP.
    pub ip: String,
    /// Action code.
    pub action: String,
    /// Object kind.
    pub object_type: String,
    /// Object id.
    pub object_id: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    /// Detail (no personal data).
    pub detail: String,
    /// Request correlation id.
    pub request_id: String,
    /// Chain hash.
    pub hash: String,
}

impl From<liaison_store::audit::AuditRow> for AuditView {
    fn from(r: liaison_store::audit::AuditRow) -> Self {
        Self {
            id: r.id,
            at: r.at.to_rfc3339(),
            actor_id: r.actor_id,
            actor_role: r.actor_role,
            ip: r.ip,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            outcome: r.outcome,
            detail: r.detail,
            request_id: r.request_id,
            hash: r.hash,
        }
    }
}

/// A token request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "报表脚本 / reporting script"}))]
pub struct TokenBody {
    /// A label for the token.
    pub name: String,
}

/// A new token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Id.
    pub id: i64,
    /// The bearer token (store it; it cannot be shown again).
    pub token: String,
}

/// Creates a personal access token for scripts (`Authorization: Bearer …`).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = TokenBody, responses((status = 201, body = CreatedToken)))]
pub async fn create_token(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(body): AppJson<TokenBody>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    let (id, token) = actions::create_token(&state, &authed, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token })))
}
