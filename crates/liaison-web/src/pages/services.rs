//! The service page of a category (系统管理员): whether it is a public Open311 service, its description
//! and keywords, and its attributes — one per line, `code | datatype | required | description |
//! key=name; key=name` — so the page works without JavaScript.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions::services::{AttributeFields, ChoiceFields, ServiceFields, service, set_service};
use crate::auth::{Authed, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppPath};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::open311::{AttributeDef, Datatype};
use liaison_core::validate::FieldError;
use serde::Deserialize;

/// The service form.
#[derive(Debug, Default, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    public_service: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    attributes: String,
}

#[derive(Template)]
#[template(path = "admin/service.html")]
struct ServicePage {
    chrome: Chrome,
    id: i64,
    name: String,
    form: ServiceForm,
    errors: Vec<FieldError>,
    datatypes: [Datatype; 6],
}

/// One attribute as a line of the form.
fn line(def: &AttributeDef) -> String {
    let choices: Vec<String> = def.values.iter().map(|v| format!("{}={}", v.key, v.name)).collect();
    let required = if def.required { "required" } else { "optional" };
    format!("{} | {} | {required} | {} | {}", def.code, def.datatype.code(), def.description, choices.join("; "))
}

/// The form's attribute lines as fields; a line without its four parts is an error naming it.
fn parse_lines(text: &str) -> Result<Vec<AttributeFields>, FieldError> {
    let mut attributes = Vec::new();
    for (n, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [code, datatype, required, description, rest @ ..] = parts.as_slice() else {
            return Err(FieldError::new(
                "attributes",
                "attribute.line",
                format!(
                    "第 {} 行应为“代码 | 类型 | required/optional | 说明 | 选项” / line {}: code | datatype | required | description | choices",
                    n + 1,
                    n + 1
                ),
            ));
        };
        let values = rest
            .first()
            .map(|choices| {
                choices
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| {
                        let (key, name) = c.split_once('=').unwrap_or((c, c));
                        ChoiceFields { key: key.trim().into(), name: name.trim().into() }
                    })
                    .collect()
            })
            .unwrap_or_default();
        attributes.push(AttributeFields {
            code: (*code).into(),
            datatype: (*datatype).into(),
            required: matches!(*required, "required" | "yes" | "true" | "必填" | "是"),
            description: (*description).into(),
            values,
        });
    }
    Ok(attributes)
}

async fn page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    id: i64,
    form: Option<ServiceForm>,
    errors: Vec<FieldError>,
) -> AppResult<ServicePage> {
    let (row, attributes) = service(state, authed, id).await?;
    let form = form.unwrap_or_else(|| ServiceForm {
        public_service: row.public_service.then(|| "1".into()),
        description: row.description.clone(),
        keywords: row.keywords.clone(),
        attributes: attributes.iter().map(line).collect::<Vec<_>>().join("\n"),
    });
    let chrome = Chrome::new(state, lang, authed, "service.title", "/catalogue");
    Ok(ServicePage { chrome, id, name: row.name, form, errors, datatypes: Datatype::ALL })
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Response> {
    Ok(render(&page(&state, lang, &authed, id, None, Vec::new()).await?))
}

pub async fn save(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<ServiceForm>,
) -> AppResult<Response> {
    let saved = match parse_lines(&form.attributes) {
        Ok(attributes) => {
            let fields = ServiceFields {
                public_service: form.public_service.is_some(),
                description: form.description.clone(),
                keywords: form.keywords.clone(),
                attributes,
            };
            set_service(&state, &authed, id, &fields).await
        }
        Err(error) => Err(AppError::Validation(vec![error])),
    };
    match saved {
        Ok(()) => Ok(see_other("/catalogue")),
        Err(AppError::Validation(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, lang, &authed, id, Some(form), errors).await?,
        )),
        Err(other) => Err(other),
    }
}
