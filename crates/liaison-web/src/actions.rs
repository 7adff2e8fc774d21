//! The use cases the pages and the API share: permission check, scope check, one store call.
//! Handlers only extract input and render what these return.

pub mod api_keys;
pub mod catalogue;
pub mod item_text;
pub mod items;
pub mod mediation;
pub mod notify;
pub mod registrations;
pub mod self_reports;
pub mod services;

use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult, found};
use crate::view::EnterpriseView;
use liaison_core::enterprise::EnterpriseInput;
use liaison_core::permission::{AccountChange, Action, may_change_account};
use liaison_core::role::{Role, check_role_set};
use liaison_core::validate::{FieldError, text};
use liaison_store::enterprises::{EnterpriseFilter, EnterpriseRow};
use liaison_store::{Page, Paging};

/// The enterprise with `id` if the viewer may see it; `NotFound` otherwise (no existence oracle).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn visible_enterprise(state: &AppState, authed: &Authed, id: i64) -> AppResult<EnterpriseRow> {
    authed.require(Action::ViewEnterprises)?;
    let row = state.db.enterprise(id).await?;
    if authed.viewer().sees_enterprise(row.id, &row.org_path(), row.officer_id) {
        Ok(row)
    } else {
        state.db.audit_denied(&authed.ctx(state.clock.now()), "enterprise.read", "enterprise", "outside scope").await?;
        Err(AppError::NotFound)
    }
}

/// Enterprises in the viewer's scope.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_enterprises(
    state: &AppState,
    authed: &Authed,
    filter: &EnterpriseFilter,
    paging: Paging,
) -> AppResult<Page<EnterpriseView>> {
    authed.require(Action::ViewEnterprises)?;
    let viewer = authed.viewer();
    let page = state.db.enterprises(&viewer.enterprise_visibility(), filter, paging).await?;
    Ok(Page { total: page.total, items: page.items.into_iter().map(|row| EnterpriseView::new(row, &viewer)).collect() })
}

/// Creates an enterprise in a community of the viewer's scope.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_enterprise(
    state: &AppState,
    authed: &Authed,
    input: &EnterpriseInput,
    community_id: i64,
) -> AppResult<i64> {
    authed.require(Action::CreateEnterprise)?;
    let details = input.validate()?;
    let community = found(state.db.unit(community_id).await, community_error)?;
    if !community.org_path().is_within(&authed.viewer().unit_path) {
        return Err(community_error());
    }
    state.db.create_enterprise(&authed.ctx(state.clock.now()), &details, community_id).await.map_err(|e| match e {
        liaison_store::StoreError::Conflict(_) => community_error(),
        other => other.into(),
    })
}

fn community_error() -> AppError {
    AppError::field("community_id", "community.invalid", "请选择辖区内的社区 / choose a community in your area")
}

/// Replaces an enterprise's details.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_enterprise(state: &AppState, authed: &Authed, id: i64, input: &EnterpriseInput) -> AppResult<()> {
    let row = visible_enterprise(state, authed, id).await?;
    authed.require(Action::EditEnterprise)?;
    let mut input = input.clone();
    // A form shows masked contact data to viewers without the reveal permission; unchanged, it keeps the stored value.
    if input.contact_mobile == liaison_core::mask::mobile(&row.contact_mobile) {
        input.contact_mobile = row.contact_mobile.clone();
    }
    if input.contact_name == liaison_core::mask::person_name(&row.contact_name) {
        input.contact_name = row.contact_name.clone();
    }
    let details = input.validate()?;
    Ok(state.db.update_enterprise(&authed.ctx(state.clock.now()), row.id, &details).await?)
}

/// Makes another officer responsible for an enterprise.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn assign_officer(
    state: &AppState,
    authed: &Authed,
    id: i64,
    officer_id: i64,
    reason: &str,
) -> AppResult<()> {
    let row = visible_enterprise(state, authed, id).await?;
    authed.require(Action::AssignOfficer)?;
    let reason = text::name(reason, 200).map_err(|e| AppError::field("reason", "text.required", e.to_string()))?;
    let officer = found(state.db.user(officer_id).await, officer_error)?;
    let officer_unit = liaison_core::org::OrgPath::parse(&officer.row.unit_path).ok_or_else(officer_error)?;
    if !officer_unit.is_within(&authed.viewer().unit_path) {
        return Err(officer_error());
    }
    state.db.assign_officer(&authed.ctx(state.clock.now()), row.id, officer_id, &reason).await.map_err(|e| match e {
        liaison_store::StoreError::Conflict(_) | liaison_store::StoreError::NotFound => officer_error(),
        other => other.into(),
    })
}

fn officer_error() -> AppError {
    AppError::field("officer_id", "officer.invalid", "请选择辖区内的联络官 / choose a liaison officer in your area")
}

/// Reveals an enterprise's contact mobile with a reason; audited with the reason, never the value.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reveal_contact(state: &AppState, authed: &Authed, id: i64, reason: &str) -> AppResult<String> {
    let row = visible_enterprise(state, authed, id).await?;
    audit_reveal(state, authed, "enterprise", row.id, "contact_mobile", reason).await?;
    Ok(row.contact_mobile)
}

/// The one path of every reveal of personal data (an enterprise's contact, an item's text): staff
/// holding `pi.reveal` only (a refusal is audited), a reason required, the reveal audited with the
/// reason and what was revealed — never the value.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn audit_reveal(
    state: &AppState,
    authed: &Authed,
    object_type: &str,
    id: i64,
    what: &str,
    reason: &str,
) -> AppResult<()> {
    let ctx = authed.ctx(state.clock.now());
    if !authed.viewer().reveals_pi() {
        state.db.audit_denied(&ctx, "pi.reveal", object_type, "no reveal permission").await?;
        return Err(AppError::Forbidden);
    }
    let reason = text::name(reason, 200)
        .map_err(|_| AppError::field("reason", "reveal.reason", "请填写查看原因 / give a reason"))?;
    Ok(state.db.audit(&ctx, ctx.event("pi.reveal", object_type, Some(id), format!("{what}: {reason}"))).await?)
}

/// Creates an org unit under a parent in the admin's subtree.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_unit(
    state: &AppState,
    authed: &Authed,
    parent_id: i64,
    kind: &str,
    name: &str,
    code: Option<&str>,
) -> AppResult<liaison_store::org::OrgUnit> {
    authed.require(Action::ManageOrgUnits)?;
    let kind = liaison_core::org::OrgKind::parse(kind)
        .ok_or_else(|| AppError::field("kind", "kind.unknown", "单位类型不正确 / unknown kind"))?;
    let name = text::name(name, 100).map_err(|e| AppError::field("name", "text.required", e.to_string()))?;
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let parent = found(state.db.unit(parent_id).await, || {
        AppError::field("parent_id", "unit.invalid", "上级单位不存在 / unknown parent")
    })?;
    if !parent.org_path().is_within(&authed.viewer().unit_path) {
        return Err(AppError::field("parent_id", "unit.invalid", "上级单位不存在 / unknown parent"));
    }
    state.db.create_unit(&authed.ctx(state.clock.now()), Some(parent.id), kind, &name, code).await.map_err(
        |e| match e {
            liaison_store::StoreError::Conflict(_) => AppError::field(
                "kind",
                "kind.placement",
                "该类型单位不能设在此上级单位下 / this kind cannot sit under that parent",
            ),
            other => other.into(),
        },
    )
}

/// Creates a staff account without roles (a security admin grants them); returns its one-time password.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_user(
    state: &AppState,
    authed: &Authed,
    username: &str,
    display_name: &str,
    unit_id: i64,
    police_number: Option<&str>,
) -> AppResult<(i64, String)> {
    authed.require(Action::ManageUsers)?;
    let mut errors = liaison_core::validate::FieldErrors::default();
    let username = errors.check("username", text::name(username, 40));
    if username.as_ref().is_some_and(|u| !u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        errors.push(FieldError::new(
            "username",
            "username.charset",
            "登录名只能包含字母、数字和 - _ . / letters, digits, - _ . only",
        ));
    }
    let display_name = errors.check("display_name", text::name(display_name, 50));
    let unit = match state.db.unit(unit_id).await {
        Ok(unit) => Some(unit),
        Err(liaison_store::StoreError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    if !unit.is_some_and(|u| u.org_path().is_within(&authed.viewer().unit_path)) {
        errors.push(FieldError::new("unit_id", "unit.invalid", "单位不存在 / unknown unit"));
    }
    let (username, display_name) = errors.finish(|| Some((username?, display_name?)))?;
    let password = liaison_core::password::one_time();
    let new = liaison_store::users::NewUser {
        username,
        display_name,
        unit_id,
        roles: Vec::new(),
        password_hash: liaison_core::password::hash(&password),
        status: "active",
        enterprise_id: None,
        police_number: police_number.map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned),
        mobile: None,
        must_change_password: true,
    };
    let id = state.db.create_user(&authed.ctx(state.clock.now()), &new).await?;
    Ok((id, password))
}

/// A user in the admin's subtree, else `NotFound`.
#[tracing::instrument(level = "debug", skip_all)]
async fn user_in_scope(state: &AppState, authed: &Authed, id: i64) -> AppResult<liaison_store::users::User> {
    let user = state.db.user(id).await?;
    let unit = liaison_core::org::OrgPath::parse(&user.row.unit_path).ok_or(AppError::NotFound)?;
    if unit.is_within(&authed.viewer().unit_path) { Ok(user) } else { Err(AppError::NotFound) }
}

/// The account `id` if the signed-in administrator may make `change` to it
/// ([`liaison_core::permission::may_change_account`]); refusals are audited.
#[tracing::instrument(level = "debug", skip_all)]
async fn account_to_change(
    state: &AppState,
    authed: &Authed,
    id: i64,
    change: AccountChange,
) -> AppResult<liaison_store::users::User> {
    if !authed.user.roles.iter().any(|r| r.is_admin()) {
        return Err(AppError::Forbidden);
    }
    let user = user_in_scope(state, authed, id).await?;
    if may_change_account(&authed.user.roles, authed.user.row.id, &user.roles, id, change) {
        Ok(user)
    } else {
        let ctx = authed.ctx(state.clock.now());
        state.db.audit_denied(&ctx, "user.change", "user", &format!("{change:?} refused")).await?;
        Err(AppError::Forbidden)
    }
}

/// Replaces a user's roles (security admins only, never their own); an administrator duty is held
/// alone (三权分立). Refusals are audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_roles(state: &AppState, authed: &Authed, id: i64, roles: &[String], pi_reveal: bool) -> AppResult<()> {
    let ctx = authed.ctx(state.clock.now());
    if !liaison_core::permission::can_grant(&authed.user.roles, authed.user.row.id, id) {
        state.db.audit_denied(&ctx, "user.roles", "user", "grant refused").await?;
        return Err(AppError::Forbidden);
    }
    let parsed: Option<Vec<Role>> = roles.iter().map(|r| Role::parse(r)).collect();
    let parsed = parsed.ok_or_else(|| AppError::field("roles", "role.unknown", "角色不正确 / unknown role"))?;
    user_in_scope(state, authed, id).await?;
    if let Err(conflict) = check_role_set(&parsed) {
        state.db.audit_denied(&ctx, "user.roles", "user", "administrator duty not held alone").await?;
        return Err(AppError::field(
            "roles",
            "role.admin_alone",
            format!("{conflict} / an administrator duty is held alone"),
        ));
    }
    Ok(state.db.set_roles(&ctx, id, &parsed, pi_reveal).await?)
}

/// Disables or re-enables an account; disabling ends its sessions at once. An administrator's account
/// only by an administrator of the same duty; never one's own (403, audited).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_user_active(state: &AppState, authed: &Authed, id: i64, active: bool) -> AppResult<()> {
    account_to_change(state, authed, id, AccountChange::SetActive).await?;
    Ok(state.db.set_user_status(&authed.ctx(state.clock.now()), id, if active { "active" } else { "disabled" }).await?)
}

/// Resets a password to a one-time one that must be changed; returns it. An administrator's account
/// only by an administrator of the same duty.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reset_password(state: &AppState, authed: &Authed, id: i64) -> AppResult<String> {
    account_to_change(state, authed, id, AccountChange::ResetPassword).await?;
    let password = liaison_core::password::one_time();
    state
        .db
        .set_password(&authed.ctx(state.clock.now()), id, &liaison_core::password::hash(&password), true, None)
        .await?;
    Ok(password)
}

/// Ends every session of a user (security admins).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn kill_sessions(state: &AppState, authed: &Authed, id: i64) -> AppResult<u64> {
    account_to_change(state, authed, id, AccountChange::EndSessions).await?;
    Ok(state.db.end_user_sessions(&authed.ctx(state.clock.now()), id).await?)
}

/// Lifts an account's sign-in refusals: its lock for unknown sources and its failures (security admins).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unlock_user(state: &AppState, authed: &Authed, id: i64) -> AppResult<()> {
    let user = account_to_change(state, authed, id, AccountChange::Unlock).await?;
    Ok(state.db.unlock_user(&authed.ctx(state.clock.now()), &user).await?)
}

/// 一企一警 coverage of the viewer's subtree: active enterprises, those with a responsible officer, and
/// the same per station (station heads, center staff, leaders).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Coverage {
    /// Active enterprises.
    pub enterprises: i64,
    /// Of those, with a responsible officer.
    pub covered: i64,
    /// Per station.
    pub stations: Vec<liaison_store::enterprises::StationCoverage>,
}

/// The coverage figures of the viewer's subtree (`/stats` and `/api/v1/stats/coverage`).
pub async fn coverage(state: &AppState, authed: &Authed) -> AppResult<Coverage> {
    authed.require(Action::ViewStatistics)?;
    let stations = state.db.coverage_by_station(&authed.viewer().unit_path).await?;
    let enterprises = stations.iter().map(|s| s.enterprises).sum();
    let covered = stations.iter().map(|s| s.covered).sum();
    Ok(Coverage { enterprises, covered, stations })
}

/// Each liaison officer of the viewer's subtree with their load (`/officers` and `/api/v1/stats/officers`).
pub async fn officer_loads(state: &AppState, authed: &Authed) -> AppResult<Vec<liaison_store::users::OfficerLoad>> {
    authed.require(Action::ViewStatistics)?;
    Ok(state.db.officers_within(&authed.viewer().unit_path).await?)
}

/// Renames and/or moves an org unit; at least one of the two must be given.
pub async fn change_unit(
    state: &AppState,
    authed: &Authed,
    id: i64,
    name: Option<&str>,
    parent_id: Option<i64>,
) -> AppResult<()> {
    if name.is_none() && parent_id.is_none() {
        return Err(AppError::field("name", "unit.nothing", "请填写新名称或新的上级单位 / give a name or a parent"));
    }
    if let Some(name) = name {
        rename_unit(state, authed, id, name).await?;
    }
    if let Some(parent_id) = parent_id {
        move_unit(state, authed, id, parent_id).await?;
    }
    Ok(())
}

/// What an import did or would do.
#[derive(Debug)]
pub struct ImportReport {
    /// Rows that are (or were) valid.
    pub valid: usize,
    /// Rejected rows.
    pub errors: Vec<liaison_core::import::RowError>,
    /// Whether the rows were committed (only when asked and nothing was rejected).
    pub committed: bool,
}

/// Reads, validates and — when `commit` and no row is rejected — imports enterprises in one transaction.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn import_enterprises(
    state: &AppState,
    authed: &Authed,
    bytes: &[u8],
    filename: &str,
    commit: bool,
) -> AppResult<ImportReport> {
    authed.require(Action::ImportEnterprises)?;
    let bad_file = |e: liaison_core::import::TableError| AppError::field("file", "import.file", e.to_string());
    let table = liaison_core::import::read_table(bytes, filename).map_err(bad_file)?;
    let (parsed, errors) = liaison_core::import::parse_enterprises(&table).map_err(bad_file)?;
    let plan = state.db.plan_enterprise_import(&authed.viewer().unit_path, parsed, errors).await?;
    let committed = commit && plan.errors.is_empty() && !plan.rows.is_empty();
    if committed {
        state.db.import_enterprises(&authed.ctx(state.clock.now()), &plan.rows, &|_| ()).await?;
    }
    Ok(ImportReport { valid: plan.rows.len(), errors: plan.errors, committed })
}

/// A password change as entered (also the body of `POST /api/v1/me/password`).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current": "the old passphrase 2025", "new": "a new long passphrase 2026", "confirm": "a new long passphrase 2026"}))]
pub struct PasswordChange {
    /// The current password.
    pub current: String,
    /// The new password (12–128 characters, not a common one; staff: mixed classes).
    pub new: String,
    /// The new password again.
    pub confirm: String,
}

/// Changes the signed-in user's password after checking the current one; every other session ends.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn change_password(
    state: &AppState,
    lang: crate::i18n::Lang,
    authed: &Authed,
    change: &PasswordChange,
) -> AppResult<()> {
    use liaison_core::validate::RuleCode;
    let user = &authed.user;
    let staff = user.roles.iter().any(|r| r.is_staff());
    let error = if !liaison_core::password::verify(&change.current, &user.row.password_hash) {
        Some(FieldError::new("current", "password.current", lang.t("account.wrong_current")))
    } else if change.new != change.confirm {
        Some(FieldError::new("confirm", "password.confirm", lang.t("account.mismatch")))
    } else {
        liaison_core::password::check(&change.new, &[&user.row.username, &user.row.display_name], staff)
            .err()
            .map(|e| FieldError::new("new", &e.rule_code(), e.to_string()))
    };
    if let Some(error) = error {
        return Err(AppError::Validation(vec![error]));
    }
    let hash = liaison_core::password::hash(&change.new);
    let ctx = authed.ctx(state.clock.now());
    Ok(state.db.set_password(&ctx, user.row.id, &hash, false, authed.session.as_deref()).await?)
}

/// Ends every session of the signed-in user but the current one; answers how many ended.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn end_other_sessions(state: &AppState, authed: &Authed) -> AppResult<u64> {
    let keep = authed.session.clone().unwrap_or_default();
    Ok(state.db.end_other_sessions(&authed.ctx(state.clock.now()), authed.user.row.id, &keep).await?)
}

/// Creates a personal access token for the signed-in user; returns its id and the token (shown once).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_token(state: &AppState, authed: &Authed, name: &str) -> AppResult<(i64, String)> {
    let name = text::name(name, 60).map_err(|e| AppError::field("name", "text.required", e.to_string()))?;
    let token = liaison_core::token::random_hex(32);
    let digest = liaison_core::token::digest(&token);
    let id = state.db.create_api_token(&authed.ctx(state.clock.now()), authed.user.row.id, &name, &digest).await?;
    Ok((id, token))
}

/// Retires or reinstates an enterprise in the viewer's scope.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_enterprise_retired(state: &AppState, authed: &Authed, id: i64, retired: bool) -> AppResult<()> {
    let row = visible_enterprise(state, authed, id).await?;
    authed.require(Action::RetireEnterprise)?;
    Ok(state.db.set_enterprise_status(&authed.ctx(state.clock.now()), row.id, retired).await?)
}

/// Approves or returns a pending self-report of an enterprise in the viewer's scope.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn review_self_report(
    state: &AppState,
    authed: &Authed,
    id: i64,
    report: i64,
    approve: bool,
    comment: &str,
) -> AppResult<()> {
    let row = visible_enterprise(state, authed, id).await?;
    authed.require(Action::ReviewSelfReport)?;
    let comment: String = comment.chars().take(500).collect();
    Ok(state.db.review_self_report(&authed.ctx(state.clock.now()), row.id, report, approve, &comment).await?)
}

/// The pending enterprise users the viewer may confirm, mobiles masked unless the viewer may reveal.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pending_registrations(
    state: &AppState,
    authed: &Authed,
) -> AppResult<Vec<liaison_store::users::PendingRegistration>> {
    authed.require(Action::ConfirmEnterpriseUser)?;
    let viewer = authed.viewer();
    let mut pending = state.db.pending_registrations(&viewer).await?;
    if !viewer.reveals_pi() {
        for registration in &mut pending {
            registration.mobile = registration.mobile.as_deref().map(liaison_core::mask::mobile);
        }
    }
    Ok(pending)
}

/// Confirms (activates) or refuses (disables) a pending enterprise user the viewer may confirm.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decide_registration(state: &AppState, authed: &Authed, id: i64, approve: bool) -> AppResult<()> {
    authed.require(Action::ConfirmEnterpriseUser)?;
    let pending = state.db.pending_registrations(&authed.viewer()).await?;
    if !pending.iter().any(|p| p.id == id) {
        return Err(AppError::NotFound);
    }
    let status = if approve { "active" } else { "disabled" };
    Ok(state.db.set_user_status(&authed.ctx(state.clock.now()), id, status).await?)
}

/// An org unit in the system admin's subtree, else `NotFound`.
#[tracing::instrument(level = "debug", skip_all)]
async fn unit_in_scope(state: &AppState, authed: &Authed, id: i64) -> AppResult<liaison_store::org::OrgUnit> {
    authed.require(Action::ManageOrgUnits)?;
    let unit = state.db.unit(id).await?;
    if unit.org_path().is_within(&authed.viewer().unit_path) { Ok(unit) } else { Err(AppError::NotFound) }
}

/// Renames an org unit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rename_unit(state: &AppState, authed: &Authed, id: i64, name: &str) -> AppResult<()> {
    let unit = unit_in_scope(state, authed, id).await?;
    let name = text::name(name, 100).map_err(|e| AppError::field("name", "text.required", e.to_string()))?;
    Ok(state.db.rename_unit(&authed.ctx(state.clock.now()), unit.id, &name).await?)
}

/// Moves an org unit (and its subtree and enterprises) under another unit of the same subtree.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn move_unit(state: &AppState, authed: &Authed, id: i64, parent_id: i64) -> AppResult<()> {
    let unit = unit_in_scope(state, authed, id).await?;
    let parent = unit_in_scope(state, authed, parent_id).await?;
    Ok(state.db.move_unit(&authed.ctx(state.clock.now()), unit.id, parent.id).await?)
}

/// Retires an org unit without active children.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn retire_unit(state: &AppState, authed: &Authed, id: i64) -> AppResult<()> {
    let unit = unit_in_scope(state, authed, id).await?;
    Ok(state.db.retire_unit(&authed.ctx(state.clock.now()), unit.id).await?)
}
