//! How a category is offered as an Open311 service, managed by the system administrator with the rest
//! of the catalogue: public or not, description, keywords and the attributes a request gives —
//! shared by the catalogue's service page and `PUT /api/v1/categories/{id}/service`.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use liaison_core::open311::{AttributeDef, Datatype, ValueOption, check_definition};
use liaison_core::permission::Action;
use liaison_core::validate::{FieldError, FieldErrors, text};
use liaison_store::open311::{ServiceDefinition, ServiceRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A category's service definition as entered (the body of `PUT /api/v1/categories/{id}/service`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"public_service": true, "description": "企业招工、用工服务需求", "keywords": "招工,用工",
    "attributes": [{"code": "headcount", "datatype": "number", "required": true, "description": "需求人数"},
                   {"code": "positions", "datatype": "multivaluelist", "required": false, "description": "岗位类别",
                    "values": [{"key": "operator", "name": "普工"}, {"key": "technician", "name": "技工"}]}]}))]
pub struct ServiceFields {
    /// Listed publicly; its requests readable without an API key.
    pub public_service: bool,
    /// What the service is about (at most 500 characters).
    #[serde(default)]
    pub description: String,
    /// Comma-separated keywords (at most 200 characters).
    #[serde(default)]
    pub keywords: String,
    /// The attributes a request gives, in order.
    #[serde(default)]
    pub attributes: Vec<AttributeFields>,
}

/// One attribute as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeFields {
    /// Code: lowercase letters, digits and `_`.
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`.
    pub datatype: String,
    /// Whether a request must give it.
    #[serde(default)]
    pub required: bool,
    /// The question asked.
    pub description: String,
    /// Choices of a list datatype.
    #[serde(default)]
    pub values: Vec<ChoiceFields>,
}

/// One choice of a list attribute.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceFields {
    /// What a client sends.
    pub key: String,
    /// What a person reads.
    pub name: String,
}

/// A category's service and its attributes, for the administrator.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn service(state: &AppState, authed: &Authed, id: i64) -> AppResult<(ServiceRow, Vec<AttributeDef>)> {
    authed.require(Action::ManageCatalogue)?;
    let row = state.db.services(true).await?.into_iter().find(|s| s.id == id).ok_or(AppError::NotFound)?;
    let attributes = state.db.category_attributes(id).await?;
    Ok((row, attributes))
}

/// Checks and saves a category's service definition.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_service(state: &AppState, authed: &Authed, id: i64, fields: &ServiceFields) -> AppResult<()> {
    authed.require(Action::ManageCatalogue)?;
    let mut errors = FieldErrors::default();
    let description =
        errors.check("description", text::optional(Some(&fields.description), |d| text::free_text(d, 500)));
    let keywords = errors.check("keywords", text::optional(Some(&fields.keywords), |k| text::name(k, 200)));
    let mut attributes = Vec::with_capacity(fields.attributes.len());
    for attribute in &fields.attributes {
        let Some(datatype) = Datatype::parse(attribute.datatype.trim()) else {
            errors.push(FieldError::new("attributes", "attribute.datatype", "未知的数据类型 / unknown datatype"));
            continue;
        };
        attributes.push(AttributeDef {
            code: attribute.code.trim().to_owned(),
            datatype,
            required: attribute.required,
            description: attribute.description.trim().to_owned(),
            order: 0,
            values: attribute
                .values
                .iter()
                .map(|v| ValueOption { key: v.key.trim().to_owned(), name: v.name.trim().to_owned() })
                .collect(),
        });
    }
    if let Err(message) = check_definition(&mut attributes) {
        errors.push(FieldError::new("attributes", "attribute.invalid", &message));
    }
    let service = errors.finish(|| {
        Some(ServiceDefinition {
            public_service: fields.public_service,
            description: description?.unwrap_or_default(),
            keywords: keywords?.unwrap_or_default(),
            attributes,
        })
    })?;
    state.db.category(id).await?;
    Ok(state.db.set_category_service(&authed.ctx(state.clock.now()), id, &service).await?)
}
