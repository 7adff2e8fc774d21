//! The enterprise portal (助企直通车, mobile-first): the enterprise's profile and officer, self-reported
//! basic information, and online registration with the credit code pending the officer's confirmation.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions::registrations::{self, RegistrationFields};
use crate::actions::self_reports::{self, SelfReportFields};
use crate::auth::{Authed, CurrentUser};
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
use liaison_core::validate::FieldError;
use liaison_store::self_reports::SelfReport;
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
    // A count that is not a number is refused like one out of range.
    let count = |value: &str| value.trim().parse::<i64>().unwrap_or(-1);
    let fields = SelfReportFields {
        employees: count(&form.employees),
        security_staff: count(&form.security_staff),
        cameras: count(&form.cameras),
        fire_equipment: form.fire_equipment,
        key_positions: form.key_positions,
        risks: form.risks,
    };
    match self_reports::submit(&state, &authed, &fields, &lang.t("self_report.number")).await {
        Ok(_) => {
            Ok(render(&portal_page(&state, lang, &authed, Some(lang.t("self_report.submitted")), Vec::new()).await?))
        }
        Err(AppError::Validation(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &portal_page(&state, lang, &authed, None, errors).await?,
        )),
        Err(other) => Err(other),
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
    let fields = RegistrationFields {
        credit_code: form.credit_code.clone(),
        name: form.name.clone(),
        mobile: form.mobile.clone(),
        username: form.username.clone(),
        password: std::mem::take(&mut form.password),
        consent: form.consent.is_some(),
    };
    let (done, errors) = match registrations::register(&state, lang, &meta, &fields).await {
        Ok(_) => (true, Vec::new()),
        Err(AppError::Validation(errors)) => (false, errors),
        Err(other) => return Err(other),
    };
    let status = if done { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RegisterPage { chrome: Chrome::public(&state, lang, "register.title"), form, done, errors };
    Ok(render_status(status, &page))
}
