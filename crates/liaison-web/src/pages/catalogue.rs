//! The catalogue page of the system administrator: categories (add, retire, reinstate) and the SLA
//! policy of each kind × priority, edited in place.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions::catalogue::{CategoryFields, PolicyFields, catalogue, create_category, set_category_retired};
use crate::auth::{Authed, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppPath};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::item::{Kind, Priority};
use liaison_core::sla::{Policy, Span};
use liaison_core::validate::FieldError;
use liaison_store::catalogue::Category;
use liaison_store::org::OrgUnit;
use serde::Deserialize;

/// The new-category form.
#[derive(Debug, Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    default_unit_id: String,
    #[serde(default)]
    resolve_days: String,
}

/// A policy row's form: the response allowance with its unit (`hours` or `days`).
#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    respond: String,
    #[serde(default)]
    respond_unit: String,
    #[serde(default)]
    resolve_days: String,
    #[serde(default)]
    warn_percent: String,
}

/// Retire or reinstate.
#[derive(Debug, Deserialize)]
pub struct RetireForm {
    retired: bool,
}

#[derive(Template)]
#[template(path = "admin/catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    categories: Vec<Category>,
    policies: Vec<(Kind, Priority, Policy)>,
    units: Vec<OrgUnit>,
    kinds: &'static [Kind],
    form: CategoryForm,
    errors: Vec<FieldError>,
}

impl CataloguePage {
    fn unit_name(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.units.iter().find(|u| u.id == id)).map(|u| u.name.clone()).unwrap_or_default()
    }

    /// The response allowance as (number, unit) for the policy form.
    fn respond(policy: &Policy) -> (i64, &'static str) {
        match policy.respond {
            Span::Hours(hours) => (hours, "hours"),
            Span::WorkingDays(days) => (days, "days"),
        }
    }
}

async fn page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    form: CategoryForm,
    errors: Vec<FieldError>,
) -> AppResult<CataloguePage> {
    let (categories, policies) = catalogue(state, authed).await?;
    let units = crate::actions::catalogue::handling_units(state).await?;
    let chrome = Chrome::new(state, lang, authed, "catalogue.title", "/catalogue");
    Ok(CataloguePage { chrome, categories, policies, units, kinds: Kind::ALL, form, errors })
}

pub async fn show(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    Ok(render(&page(&state, lang, &authed, CategoryForm::default(), Vec::new()).await?))
}

/// A number field: empty is `None`, anything else must be a whole number.
fn number(text: &str, field: &'static str) -> Result<Option<i64>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| FieldError::new(field, "number.format", "请填写整数 / a whole number"))
}

/// A required number field.
fn required(text: &str, field: &'static str) -> Result<i64, FieldError> {
    number(text, field)?.ok_or_else(|| FieldError::new(field, "number.required", "请填写 / required"))
}

/// The policy form as the action takes it: the response allowance goes to hours or to days by its unit.
fn policy_fields(form: &PolicyForm) -> Result<PolicyFields, FieldError> {
    let respond = number(&form.respond, "respond_hours")?;
    let (respond_hours, respond_days) = if form.respond_unit == "hours" { (respond, None) } else { (None, respond) };
    Ok(PolicyFields {
        respond_hours,
        respond_days,
        resolve_days: required(&form.resolve_days, "resolve_days")?,
        warn_percent: required(&form.warn_percent, "warn_percent")?,
    })
}

/// Re-renders the page with the errors of a refused form (422), or passes other failures on.
async fn refused(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    form: CategoryForm,
    error: AppError,
) -> AppResult<Response> {
    match error {
        AppError::Validation(errors) => {
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(state, lang, authed, form, errors).await?))
        }
        other => Err(other),
    }
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<CategoryForm>,
) -> AppResult<Response> {
    let parsed = number(&form.default_unit_id, "default_unit_id")
        .and_then(|unit| Ok((unit, number(&form.resolve_days, "resolve_days")?)));
    let result = match parsed {
        Ok((default_unit_id, resolve_days)) => {
            let fields =
                CategoryFields { kind: form.kind.clone(), name: form.name.clone(), default_unit_id, resolve_days };
            create_category(&state, &authed, &fields).await.map(|_| ())
        }
        Err(error) => Err(AppError::Validation(vec![error])),
    };
    match result {
        Ok(()) => Ok(see_other("/catalogue")),
        Err(error) => refused(&state, lang, &authed, form, error).await,
    }
}

pub async fn retire(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<RetireForm>,
) -> AppResult<Response> {
    set_category_retired(&state, &authed, id, form.retired).await?;
    Ok(see_other("/catalogue"))
}

pub async fn set_policy(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath((kind, priority)): AppPath<(String, String)>,
    AppForm(form): AppForm<PolicyForm>,
) -> AppResult<Response> {
    let result = match policy_fields(&form) {
        Ok(fields) => crate::actions::catalogue::set_policy(&state, &authed, &kind, &priority, fields).await,
        Err(error) => Err(AppError::Validation(vec![error])),
    };
    match result {
        Ok(()) => Ok(see_other("/catalogue")),
        Err(error) => refused(&state, lang, &authed, CategoryForm::default(), error).await,
    }
}
