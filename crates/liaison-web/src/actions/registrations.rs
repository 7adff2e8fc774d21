//! Online registration of enterprise users (DESIGN §3): anyone registers with the enterprise's credit
//! code, a name, a mobile and a password, consenting to the processing of their data; the account waits
//! (`pending`) until the enterprise's officer or station confirms it (`actions::decide_registration`).
//! Shared by the portal's page and `POST /api/v1/registrations`.

use crate::AppState;
use crate::auth::anonymous_ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::middleware::RequestMeta;
use liaison_core::role::Role;
use liaison_core::validate::{CreditCode, FieldError, FieldErrors, Mobile, RuleCode, text};
use serde::Deserialize;
use utoipa::ToSchema;

/// A registration as entered (also the body of `POST /api/v1/registrations`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"credit_code": "91350100M000100Y43", "name": "张三", "mobile": "13800138000",
    "username": "zhangsan-yz", "password": "a long passphrase 2026", "consent": true}))]
pub struct RegistrationFields {
    /// The enterprise's unified social credit code (GB 32100).
    #[serde(default)]
    pub credit_code: String,
    /// The applicant's name.
    #[serde(default)]
    pub name: String,
    /// The applicant's mobile.
    #[serde(default)]
    pub mobile: String,
    /// The login name wanted (3–40 of letters, digits, `-`, `_`, `.`).
    #[serde(default)]
    pub username: String,
    /// The password (12–128 characters, not a common one).
    #[serde(default)]
    pub password: String,
    /// Consent to the processing of the personal information given (PIPL).
    #[serde(default)]
    pub consent: bool,
}

/// Registers a pending enterprise user; returns the account's id. Every problem is a field error.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn register(state: &AppState, lang: Lang, meta: &RequestMeta, fields: &RegistrationFields) -> AppResult<i64> {
    let mut errors = FieldErrors::default();
    let code = errors.check("credit_code", CreditCode::parse(&fields.credit_code));
    let name = errors.check("name", text::name(&fields.name, 50));
    let mobile = errors.check("mobile", Mobile::parse(&fields.mobile));
    let username = fields.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 40
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errors.push(FieldError::new("username", "username.charset", lang.t("register.username_rule")));
    }
    if let Err(e) = liaison_core::password::check(&fields.password, &[&username, &fields.name], false) {
        errors.push(FieldError::new("password", &e.rule_code(), e.to_string()));
    }
    if !fields.consent {
        errors.push(FieldError::new("consent", "consent.required", lang.t("register.consent_required")));
    }
    let enterprise = match &code {
        Some(code) => state.db.enterprise_by_code(code.as_str()).await?,
        None => None,
    };
    if code.is_some() && enterprise.is_none() {
        errors.push(FieldError::new("credit_code", "credit_code.unknown", lang.t("register.unknown_enterprise")));
    }
    let (enterprise, name, mobile) = errors.finish(|| Some((enterprise?, name?, mobile?)))?;
    let new = liaison_store::users::NewUser {
        username,
        display_name: name,
        unit_id: enterprise.community_id,
        roles: vec![Role::EnterpriseUser],
        password_hash: liaison_core::password::hash(&fields.password),
        status: "pending",
        enterprise_id: Some(enterprise.id),
        police_number: None,
        mobile: Some(mobile.as_str().to_owned()),
        must_change_password: false,
    };
    match state.db.create_user(&anonymous_ctx(meta, state.clock.now()), &new).await {
        Err(liaison_store::StoreError::Duplicate(_)) => {
            Err(AppError::field("username", "username.taken", lang.t("register.username_taken")))
        }
        other => Ok(other?),
    }
}
