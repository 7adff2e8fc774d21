//! The enterprise portal (助企直通车, mobile-first): the enterprise's profile and officer, self-reported
//! basic information, and online registration with the credit code pending the officer's confirmation.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::auth::{Authed, CurrentUser, anonymous_ctx};
use crate::error::{AppError, AppResult};
use crate::extract::AppForm;
use crate::i18n::Lang;
use crate::middleware::RequestMeta;
use crate::view::EnterpriseView;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::permission::Action;
use liaison_core::role::Role;
use liaison_core::validate::{CreditCode, FieldError, FieldErrors, Mobile, RuleCode, text};
use liaison_store::self_reports::{NewSelfReport, SelfReport};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct PortalPage {
    chrome: Chrome,
    pending: bool,
    enterprise: Option<EnterpriseView>,
    reports: Vec<SelfReport>,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

async fn portal_page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<PortalPage> {
    let viewer = authed.viewer();
    let (enterprise, reports) = match viewer.enterprise_id {
        Some(id) => {
            (Some(EnterpriseView::new(state.db.enterprise(id).await?, &viewer)), state.db.self_reports(id).await?)
        }
        None => (None, Vec::new()),
    };
    Ok(PortalPage {
        chrome: Chrome::new(state, lang, authed, "portal.title", "/portal"),
        pending: authed.user.row.status == "pending",
        enterprise,
        reports,
        notice,
        errors,
    })
}

pub async fn home(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    if authed.viewer().is_staff() {
        return Ok(see_other("/"));
    }
    Ok(render(&portal_page(&state, lang, &authed, None, Vec::new()).await?))
}

/// Self-report form (numbers as text so a typo is a field error).
#[derive(Debug, Deserialize)]
pub struct SelfReportForm {
    employees: String,
    security_staff: String,
    cameras: String,
    fire_equipment: String,
    key_positions: String,
    risks: String,
}

pub async fn self_report(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<SelfReportForm>,
) -> AppResult<Response> {
    authed.require(Action::SubmitSelfReport)?;
    let enterprise_id = authed.viewer().enterprise_id.ok_or(AppError::Forbidden)?;
    let mut errors = FieldErrors::default();
    let mut count = |field: &str, value: &str| match value.trim().parse::<i64>() {
        Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, "number.range", lang.t("self_report.number")));
            None
        }
    };
    let (employees, security_staff, cameras) = (
        count("employees", &form.employees),
        count("security_staff", &form.security_staff),
        count("cameras", &form.cameras),
    );
    let optional =
        |value: &str| text::optional(Some(value), |t| text::free_text(t, 1000)).map(Option::unwrap_or_default);
    let fire_equipment = errors.check("fire_equipment", optional(&form.fire_equipment));
    let key_positions = errors.check("key_positions", optional(&form.key_positions));
    let risks = errors.check("risks", optional(&form.risks));
    let report = errors.finish(|| {
        Some(NewSelfReport {
            employees: employees?,
            security_staff: security_staff?,
            cameras: cameras?,
            fire_equipment: fire_equipment?,
            key_positions: key_positions?,
            risks: risks?,
        })
    });
    match report {
        Ok(report) => {
            state.db.submit_self_report(&authed.ctx(state.clock.now()), enterprise_id, &report).await?;
            Ok(render(&portal_page(&state, lang, &authed, Some(lang.t("self_report.submitted")), Vec::new()).await?))
        }
        Err(errors) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &portal_page(&state, lang, &authed, None, errors.0).await?,
        )),
    }
}

#[derive(Template)]
#[template(path = "portal/register.html")]
struct RegisterPage {
    chrome: Chrome,
    form: RegisterForm,
    done: bool,
    errors: Vec<FieldError>,
}

/// Registration form.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    consent: Option<String>,
}

pub async fn register_form(State(state): State<AppState>, lang: Lang) -> Response {
    render(&RegisterPage {
        chrome: Chrome::public(&state, lang, "register.title"),
        form: RegisterForm::default(),
        done: false,
        errors: Vec::new(),
    })
}

/// Registers an enterprise user, pending until the enterprise's officer or station confirms.
pub async fn register(
    State(state): State<AppState>,
    lang: Lang,
    meta: RequestMeta,
    AppForm(mut form): AppForm<RegisterForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let code = errors.check("credit_code", CreditCode::parse(&form.credit_code));
    let name = errors.check("name", text::name(&form.name, 50));
    let mobile = errors.check("mobile", Mobile::parse(&form.mobile));
    let username = form.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 40
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errors.push(FieldError::new("username", "username.charset", lang.t("register.username_rule")));
    }
    if let Err(e) = liaison_core::password::check(&form.password, &[&username, &form.name], false) {
        errors.push(FieldError::new("password", &e.rule_code(), e.to_string()));
    }
    if form.consent.is_none() {
        errors.push(FieldError::new("consent", "consent.required", lang.t("register.consent_required")));
    }
    let enterprise = match &code {
        Some(code) => state.db.enterprise_by_code(code.as_str()).await?,
        None => None,
    };
    if code.is_some() && enterprise.is_none() {
        errors.push(FieldError::new("credit_code", "credit_code.unknown", lang.t("register.unknown_enterprise")));
    }
    let password_hash = errors.0.is_empty().then(|| liaison_core::password::hash(&form.password));
    form.password.clear();
    let (Some(enterprise), Some(name), Some(mobile), Some(password_hash)) = (enterprise, name, mobile, password_hash)
    else {
        let page = RegisterPage {
            chrome: Chrome::public(&state, lang, "register.title"),
            form,
            done: false,
            errors: errors.0,
        };
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let new = liaison_store::users::NewUser {
        username: username.clone(),
        display_name: name,
        unit_id: enterprise.community_id,
        roles: vec![Role::EnterpriseUser],
        password_hash,
        status: "pending",
        enterprise_id: Some(enterprise.id),
        police_number: None,
        mobile: Some(mobile.as_str().to_owned()),
        must_change_password: false,
    };
    match state.db.create_user(&anonymous_ctx(&meta, state.clock.now()), &new).await {
        Ok(_) => Ok(render(&RegisterPage {
            chrome: Chrome::public(&state, lang, "register.title"),
            form,
            done: true,
            errors: Vec::new(),
        })),
        Err(liaison_store::StoreError::Duplicate(_)) => {
            let errors = vec![FieldError::new("username", "username.taken", lang.t("register.username_taken"))];
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RegisterPage { chrome: Chrome::public(&state, lang, "register.title"), form, done: false, errors },
            ))
        }
        Err(other) => Err(other.into()),
    }
}
