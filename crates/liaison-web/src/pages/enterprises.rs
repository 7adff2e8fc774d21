//! Enterprise pages: the scoped list (htmx-filtered), detail with officer history and self-reports,
//! create/edit forms, officer reassignment, retirement and the audited reveal of the contact mobile.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions;
use crate::auth::{Authed, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppPath, AppQuery};
use crate::i18n::Lang;
use crate::view::EnterpriseView;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::enterprise::{EnterpriseInput, INDUSTRIES, Scale};
use liaison_core::org::OrgKind;
use liaison_core::permission::Action;
use liaison_core::validate::FieldError;
use liaison_store::Paging;
use liaison_store::enterprises::{Assignment, EnterpriseFilter};
use liaison_store::org::OrgUnit;
use liaison_store::self_reports::SelfReport;
use serde::Deserialize;

/// Filters of the list page (checkboxes arrive as `on`).
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    key_only: Option<String>,
    retired: Option<String>,
    page: Option<i64>,
    officer: Option<i64>,
}

#[derive(Template)]
#[template(path = "enterprises/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<EnterpriseView>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    key_only: bool,
    retired: bool,
    officer: Option<i64>,
    can_create: bool,
    can_import: bool,
    can_export: bool,
}

impl ListPage {
    fn link(&self, page: i64) -> String {
        let mut link = format!("/enterprises?page={page}&q={}", super::url_encode(&self.q));
        if self.key_only {
            link.push_str("&key_only=on");
        }
        if self.retired {
            link.push_str("&retired=on");
        }
        if let Some(officer) = self.officer {
            link.push_str(&format!("&officer={officer}"));
        }
        link
    }
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<ListQuery>,
) -> AppResult<Response> {
    let filter = EnterpriseFilter {
        query: q.q.clone().unwrap_or_default(),
        key_only: q.key_only.is_some_and(|v| !v.is_empty()),
        retired: q.retired.is_some_and(|v| !v.is_empty()),
        officer_id: q.officer,
    };
    let paging = Paging::new(q.page, Some(50));
    let page = actions::list_enterprises(&state, &authed, &filter, paging).await?;
    Ok(render(&ListPage {
        chrome: Chrome::new(&state, lang, &authed, "enterprises.title", "/enterprises"),
        total: page.total,
        pages: ((page.total + paging.per_page - 1) / paging.per_page).max(1),
        page: paging.page,
        rows: page.items,
        q: filter.query,
        key_only: filter.key_only,
        retired: filter.retired,
        officer: filter.officer_id,
        can_create: authed.viewer().can(Action::CreateEnterprise),
        can_import: authed.viewer().can(Action::ImportEnterprises),
        can_export: authed.viewer().can(Action::ExportEnterprises),
    }))
}

#[derive(Template)]
#[template(path = "enterprises/detail.html")]
struct DetailPage {
    chrome: Chrome,
    e: EnterpriseView,
    history: Vec<Assignment>,
    reports: Vec<SelfReport>,
    officers: Vec<liaison_store::users::OfficerLoad>,
    revealed: Option<String>,
    can_edit: bool,
    can_assign: bool,
    can_retire: bool,
    can_review: bool,
    can_reveal: bool,
    errors: Vec<FieldError>,
}

async fn detail_page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    id: i64,
    revealed: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<DetailPage> {
    let row = actions::visible_enterprise(state, authed, id).await?;
    let viewer = authed.viewer();
    let can_assign = viewer.can(Action::AssignOfficer);
    Ok(DetailPage {
        chrome: Chrome::new(state, lang, authed, "enterprise.title", "/enterprises"),
        history: state.db.officer_history(row.id).await?,
        reports: state.db.self_reports(row.id).await?,
        officers: if can_assign { state.db.officers_within(&viewer.unit_path).await? } else { Vec::new() },
        e: EnterpriseView::new(row, &viewer),
        revealed,
        can_edit: viewer.can(Action::EditEnterprise),
        can_assign,
        can_retire: viewer.can(Action::RetireEnterprise),
        can_review: viewer.can(Action::ReviewSelfReport),
        can_reveal: viewer.reveals_pi(),
        errors,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Response> {
    Ok(render(&detail_page(&state, lang, &authed, id, None, Vec::new()).await?))
}

#[derive(Template)]
#[template(path = "enterprises/form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    input: EnterpriseInput,
    community_id: i64,
    communities: Vec<OrgUnit>,
    industries: &'static [(&'static str, &'static str)],
    scales: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
}

impl FormPage {
    fn coordinate(value: &Option<f64>) -> String {
        value.map(|v| v.to_string()).unwrap_or_default()
    }
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    id: Option<i64>,
    input: EnterpriseInput,
    community_id: i64,
    errors: Vec<FieldError>,
) -> AppResult<FormPage> {
    let communities = match id {
        None => state.db.units_of_kind(&authed.viewer().unit_path, OrgKind::Community).await?,
        Some(_) => Vec::new(),
    };
    Ok(FormPage {
        chrome: Chrome::new(
            state,
            lang,
            authed,
            if id.is_some() { "enterprise.edit" } else { "enterprise.new" },
            "/enterprises",
        ),
        action: id.map_or_else(|| "/enterprises".to_owned(), |id| format!("/enterprises/{id}")),
        input,
        community_id,
        communities,
        industries: &INDUSTRIES,
        scales: Scale::ALL.iter().map(|s| (s.code(), s.label_zh())).collect(),
        errors,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
) -> AppResult<Response> {
    authed.require(Action::CreateEnterprise)?;
    let input = EnterpriseInput { scale: "small".into(), industry: "I".into(), ..EnterpriseInput::default() };
    Ok(render(&form_page(&state, lang, &authed, None, input, 0, Vec::new()).await?))
}

pub async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Response> {
    let row = actions::visible_enterprise(&state, &authed, id).await?;
    authed.require(Action::EditEnterprise)?;
    let community_id = row.community_id;
    let shown = EnterpriseView::new(row.clone(), &authed.viewer());
    let input = EnterpriseInput {
        name: row.name,
        credit_code: row.credit_code,
        address: row.address,
        industry: row.industry,
        scale: row.scale,
        key_enterprise: row.key_enterprise,
        longitude: row.longitude,
        latitude: row.latitude,
        contact_name: shown.contact_name,
        contact_mobile: shown.contact_mobile,
    };
    Ok(render(&form_page(&state, lang, &authed, Some(id), input, community_id, Vec::new()).await?))
}

/// The enterprise form as posted (numbers as text so a typo is a field error, not a 400).
#[derive(Debug, Deserialize)]
pub struct EnterpriseForm {
    name: String,
    credit_code: String,
    address: String,
    industry: String,
    scale: String,
    key_enterprise: Option<String>,
    longitude: Option<String>,
    latitude: Option<String>,
    contact_name: String,
    contact_mobile: String,
    community_id: Option<String>,
}

impl EnterpriseForm {
    fn input(&self) -> (EnterpriseInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut number =
            |field: &str, value: &Option<String>| match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => None,
                Some(text) => text.parse::<f64>().ok().filter(|v| v.is_finite()).or_else(|| {
                    errors.push(FieldError::new(field, "number.format", "请输入数字 / enter a number"));
                    None
                }),
            };
        let longitude = number("longitude", &self.longitude);
        let latitude = number("latitude", &self.latitude);
        let input = EnterpriseInput {
            name: self.name.clone(),
            credit_code: self.credit_code.clone(),
            address: self.address.clone(),
            industry: self.industry.clone(),
            scale: self.scale.clone(),
            key_enterprise: self.key_enterprise.as_deref().is_some_and(|v| !v.is_empty()),
            longitude,
            latitude,
            contact_name: self.contact_name.clone(),
            contact_mobile: self.contact_mobile.clone(),
        };
        (input, errors)
    }

    fn community(&self) -> i64 {
        self.community_id.as_deref().and_then(|v| v.trim().parse().ok()).unwrap_or_default()
    }
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<EnterpriseForm>,
) -> AppResult<Response> {
    authed.require(Action::CreateEnterprise)?;
    let (input, number_errors) = form.input();
    let mut errors = Vec::new();
    let result = if number_errors.is_empty() {
        actions::create_enterprise(&state, &authed, &input, form.community()).await
    } else {
        Err(AppError::Validation(
            number_errors.into_iter().chain(input.validate().err().map(|e| e.0).unwrap_or_default()).collect(),
        ))
    };
    match result {
        Ok(id) => Ok(see_other(&format!("/enterprises/{id}"))),
        Err(AppError::Validation(more)) => {
            errors.extend(more);
            let page = form_page(&state, lang, &authed, None, input, form.community(), errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other),
    }
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<EnterpriseForm>,
) -> AppResult<Response> {
    let (input, number_errors) = form.input();
    let mut errors = Vec::new();
    let result = if number_errors.is_empty() {
        actions::update_enterprise(&state, &authed, id, &input).await
    } else {
        Err(AppError::Validation(
            number_errors.into_iter().chain(input.validate().err().map(|e| e.0).unwrap_or_default()).collect(),
        ))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/enterprises/{id}"))),
        Err(AppError::Validation(more)) => {
            errors.extend(more);
            let page = form_page(&state, lang, &authed, Some(id), input, 0, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other),
    }
}

/// Reassignment form.
#[derive(Debug, Deserialize)]
pub struct AssignForm {
    officer_id: String,
    reason: String,
}

pub async fn assign(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<AssignForm>,
) -> AppResult<Response> {
    let officer_id = form.officer_id.trim().parse().unwrap_or_default();
    match actions::assign_officer(&state, &authed, id, officer_id, &form.reason).await {
        Ok(()) => Ok(see_other(&format!("/enterprises/{id}"))),
        Err(AppError::Validation(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &detail_page(&state, lang, &authed, id, None, errors).await?,
        )),
        Err(other) => Err(other),
    }
}

/// Retire / reinstate form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    retired: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<StatusForm>,
) -> AppResult<Response> {
    actions::set_enterprise_retired(&state, &authed, id, form.retired == "true").await?;
    Ok(see_other(&format!("/enterprises/{id}")))
}

/// Reveal form.
#[derive(Debug, Deserialize)]
pub struct RevealForm {
    #[serde(default)]
    pub(crate) reason: String,
}

pub async fn reveal(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<RevealForm>,
) -> AppResult<Response> {
    match actions::reveal_contact(&state, &authed, id, &form.reason).await {
        Ok(mobile) => Ok(render(&detail_page(&state, lang, &authed, id, Some(mobile), Vec::new()).await?)),
        Err(AppError::Validation(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &detail_page(&state, lang, &authed, id, None, errors).await?,
        )),
        Err(other) => Err(other),
    }
}

/// Review form of a self-report.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    decision: String,
    comment: Option<String>,
}

pub async fn review_report(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath((id, report)): AppPath<(i64, i64)>,
    AppForm(form): AppForm<ReviewForm>,
) -> AppResult<Response> {
    let comment = form.comment.unwrap_or_default();
    actions::review_self_report(&state, &authed, id, report, form.decision == "approve", &comment).await?;
    Ok(see_other(&format!("/enterprises/{id}")))
}
