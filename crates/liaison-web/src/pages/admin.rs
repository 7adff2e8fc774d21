//! Administration pages: registrations to confirm, the org tree, user accounts (three separate
//! admin duties), and the audit log with chain verification.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions;
use crate::auth::{Authed, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppPath, AppQuery};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::org::OrgKind;
use liaison_core::permission::Action;
use liaison_core::permission::{AccountChange, may_change_account};
use liaison_core::role::Role;
use liaison_core::validate::FieldError;
use liaison_store::Paging;
use liaison_store::audit::AuditRow;
use liaison_store::org::OrgUnit;
use liaison_store::users::{PendingRegistration, UserSummary};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/registrations.html")]
struct RegistrationsPage {
    chrome: Chrome,
    pending: Vec<PendingRegistration>,
}

pub async fn registrations(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Response> {
    let pending = actions::pending_registrations(&state, &authed).await?;
    Ok(render(&RegistrationsPage {
        chrome: Chrome::new(&state, lang, &authed, "registrations.title", "/registrations"),
        pending,
    }))
}

/// Confirm / refuse form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
}

/// Confirms (activates) or refuses (disables) a pending enterprise user the officer or station sees.
pub async fn decide_registration(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<DecisionForm>,
) -> AppResult<Response> {
    actions::decide_registration(&state, &authed, id, form.decision == "approve").await?;
    Ok(see_other("/registrations"))
}

#[derive(Template)]
#[template(path = "admin/org.html")]
struct OrgPage {
    chrome: Chrome,
    units: Vec<OrgUnit>,
    kinds: Vec<(&'static str, String)>,
    can_manage: bool,
    errors: Vec<FieldError>,
}

impl OrgPage {
    fn indent(unit: &OrgUnit) -> usize {
        unit.org_path().depth().saturating_sub(1) * 2
    }

    fn kind_label(&self, kind: &str) -> String {
        self.chrome.t(&format!("org.kind.{kind}"))
    }
}

async fn org_page(state: &AppState, lang: Lang, authed: &Authed, errors: Vec<FieldError>) -> AppResult<OrgPage> {
    authed.require(Action::ViewOrgUnits)?;
    Ok(OrgPage {
        chrome: Chrome::new(state, lang, authed, "org.title", "/org"),
        units: state.db.units_within(&authed.viewer().unit_path).await?,
        kinds: OrgKind::ALL.iter().map(|k| (k.code(), lang.t(&format!("org.kind.{}", k.code())))).collect(),
        can_manage: authed.viewer().can(Action::ManageOrgUnits),
        errors,
    })
}

pub async fn org(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    Ok(render(&org_page(&state, lang, &authed, Vec::new()).await?))
}

/// New unit form.
#[derive(Debug, Deserialize)]
pub struct UnitForm {
    parent_id: String,
    kind: String,
    name: String,
    code: Option<String>,
}

pub async fn create_unit(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<UnitForm>,
) -> AppResult<Response> {
    let parent_id = form.parent_id.trim().parse().unwrap_or_default();
    match actions::create_unit(&state, &authed, parent_id, &form.kind, &form.name, form.code.as_deref()).await {
        Ok(_) => Ok(see_other("/org")),
        Err(AppError::Validation(errors)) => {
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &org_page(&state, lang, &authed, errors).await?))
        }
        Err(other) => Err(other),
    }
}

/// Rename / move / retire form.
#[derive(Debug, Deserialize)]
pub struct UnitChangeForm {
    op: String,
    name: Option<String>,
    parent_id: Option<String>,
}

pub async fn change_unit(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<UnitChangeForm>,
) -> AppResult<Response> {
    authed.require(Action::ManageOrgUnits)?;
    let result = match form.op.as_str() {
        "rename" => actions::rename_unit(&state, &authed, id, form.name.as_deref().unwrap_or_default()).await,
        "move" => {
            let parent_id = form.parent_id.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or_default();
            actions::move_unit(&state, &authed, id, parent_id).await
        }
        "retire" => actions::retire_unit(&state, &authed, id).await,
        _ => Err(AppError::BadRequest("unknown_operation", "未知操作 / unknown operation".into())),
    };
    match result {
        Ok(()) => Ok(see_other("/org")),
        Err(AppError::Conflict(_, message)) => {
            let errors = vec![FieldError::new("op", "conflict", message)];
            Ok(render_status(StatusCode::CONFLICT, &org_page(&state, lang, &authed, errors).await?))
        }
        Err(AppError::Validation(errors)) => {
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &org_page(&state, lang, &authed, errors).await?))
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserSummary>,
    total: i64,
    q: String,
    units: Vec<OrgUnit>,
    roles: Vec<(&'static str, String)>,
    can_manage: bool,
    can_grant: bool,
    actor_roles: Vec<Role>,
    me: i64,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

impl UsersPage {
    fn has_role(roles: &str, code: &str) -> bool {
        roles.split(',').any(|r| r == code)
    }

    /// Whether the viewer may make `change` to the listed account `u` (its buttons show only then).
    fn may(&self, u: &UserSummary, change: &str) -> bool {
        let change = match change {
            "kill" => AccountChange::EndSessions,
            "unlock" => AccountChange::Unlock,
            "reset" => AccountChange::ResetPassword,
            _ => AccountChange::SetActive,
        };
        let roles: Vec<Role> = u.roles.split(',').filter_map(Role::parse).collect();
        may_change_account(&self.actor_roles, self.me, &roles, u.id, change)
    }
}

/// Search of the users page.
#[derive(Debug, Deserialize)]
pub struct UserQuery {
    q: Option<String>,
    page: Option<i64>,
}

async fn users_page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    q: &str,
    page: Option<i64>,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<UsersPage> {
    authed.require(Action::ViewUsers)?;
    let viewer = authed.viewer();
    let list = state.db.users_within(&viewer.unit_path, q, Paging::new(page, Some(100))).await?;
    Ok(UsersPage {
        chrome: Chrome::new(state, lang, authed, "users.title", "/users"),
        users: list.items,
        total: list.total,
        q: q.to_owned(),
        units: state.db.units_within(&viewer.unit_path).await?,
        roles: Role::ALL.iter().map(|r| (r.code(), lang.t(&format!("role.{}", r.code())))).collect(),
        can_manage: viewer.can(Action::ManageUsers),
        can_grant: viewer.can(Action::GrantRoles),
        actor_roles: authed.user.roles.clone(),
        me: authed.user.row.id,
        notice,
        errors,
    })
}

pub async fn users(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<UserQuery>,
) -> AppResult<Response> {
    Ok(render(&users_page(&state, lang, &authed, q.q.as_deref().unwrap_or_default(), q.page, None, Vec::new()).await?))
}

/// New account form.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    unit_id: String,
    police_number: Option<String>,
}

pub async fn create_user(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<NewUserForm>,
) -> AppResult<Response> {
    let unit_id = form.unit_id.trim().parse().unwrap_or_default();
    match actions::create_user(
        &state,
        &authed,
        &form.username,
        &form.display_name,
        unit_id,
        form.police_number.as_deref(),
    )
    .await
    {
        Ok((_, password)) => {
            let notice = format!("{} {} → {password}", lang.t("users.created"), form.username.trim());
            Ok(render(&users_page(&state, lang, &authed, "", None, Some(notice), Vec::new()).await?))
        }
        Err(AppError::Validation(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &users_page(&state, lang, &authed, "", None, None, errors).await?,
        )),
        Err(other) => Err(other),
    }
}

/// Per-user operations: roles (sec), enable/disable and password reset (sys), kill sessions (sec).
#[derive(Debug)]
pub struct UserChangeForm {
    op: String,
    role: Vec<String>,
    pi_reveal: Option<String>,
}

pub async fn change_user(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> AppResult<Response> {
    let form = parse_user_change(&body)?;
    let notice = match form.op.as_str() {
        "roles" => actions::set_roles(&state, &authed, id, &form.role, form.pi_reveal.is_some())
            .await
            .map(|()| lang.t("users.roles_saved")),
        "disable" => actions::set_user_active(&state, &authed, id, false).await.map(|()| lang.t("users.disabled")),
        "enable" => actions::set_user_active(&state, &authed, id, true).await.map(|()| lang.t("users.enabled")),
        "reset" => actions::reset_password(&state, &authed, id).await.map(|p| format!("{} {p}", lang.t("users.reset"))),
        "unlock" => actions::unlock_user(&state, &authed, id).await.map(|()| lang.t("users.unlocked")),
        "kill" => {
            actions::kill_sessions(&state, &authed, id).await.map(|n| format!("{} ({n})", lang.t("users.killed")))
        }
        _ => Err(AppError::BadRequest("unknown_operation", "未知操作 / unknown operation".into())),
    };
    match notice {
        Ok(notice) => Ok(render(&users_page(&state, lang, &authed, "", None, Some(notice), Vec::new()).await?)),
        Err(AppError::Validation(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &users_page(&state, lang, &authed, "", None, None, errors).await?,
        )),
        Err(other) => Err(other),
    }
}

/// Repeated `role` fields need a parser that keeps every value.
fn parse_user_change(body: &[u8]) -> AppResult<UserChangeForm> {
    let mut form = UserChangeForm { op: String::new(), role: Vec::new(), pi_reveal: None };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("malformed_body", "表单格式错误 / malformed form".into()))?;
    for (key, value) in pairs {
        match key.as_str() {
            "op" => form.op = value,
            "role" => form.role.push(value),
            "pi_reveal" => form.pi_reveal = Some(value),
            _ => {}
        }
    }
    Ok(form)
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    total: i64,
    action: String,
    chain: String,
}

/// Filter of the audit page.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    page: Option<i64>,
}

pub async fn audit(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<AuditQuery>,
) -> AppResult<Response> {
    authed.require(Action::ReadAudit)?;
    let action = q.action.unwrap_or_default();
    let page = state.db.audit_page(&action, Paging::new(q.page, Some(100))).await?;
    let chain = match state.db.verify_audit_chain().await? {
        Ok(count) => format!("{} ({count})", lang.t("audit.chain_ok")),
        Err(broken) => format!("{} #{}: {}", lang.t("audit.chain_broken"), broken.id, broken.reason),
    };
    Ok(render(&AuditPage {
        chrome: Chrome::new(&state, lang, &authed, "audit.title", "/audit"),
        rows: page.items,
        total: page.total,
        action,
        chain,
    }))
}
