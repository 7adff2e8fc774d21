//! The OpenAPI document of `/api/v1`, served at `/api/openapi.json`, and the vendored Swagger UI at
//! `/api/docs/` (embedded in the binary; no CDN), reached from operators' networks only.

use super::error_responses::{CommonErrors, Error};
use super::json::Json;
use super::{
    accounts, admin, api_keys, catalogue, enterprises, inbox, items, mediation, onboarding, org_units, session, stats,
};
use crate::view::{EnterpriseView, ListView, MeView};
use utoipa::OpenApi;

/// Every API path and schema.
#[derive(OpenApi)]
#[openapi(
    info(title = "Liaison 助企警务联络平台 API", version = "1", description = "Errors: {\"error\":{\"code\",\"message\",\"fields\"}}. Sign in with POST /api/v1/session (cookie) or send the header Authorization: Bearer followed by a personal access token."),
    paths(
        session::create, session::delete, session::me, session::change_password, session::end_other_sessions,
        enterprises::list, enterprises::create, enterprises::get, enterprises::update, enterprises::assign,
        enterprises::history, enterprises::reveal, enterprises::set_status,
        onboarding::register, onboarding::pending, onboarding::decide, onboarding::submit_report, onboarding::reports, onboarding::review_report,
        stats::coverage, stats::officers, org_units::change, org_units::retire,
        admin::units, admin::create_unit, admin::users, admin::create_user, admin::set_roles, admin::audit, admin::create_token,
        accounts::set_status, accounts::reset_password, accounts::end_sessions, accounts::unlock,
        api_keys::list, api_keys::create, api_keys::rotate, api_keys::revoke, api_keys::mine, api_keys::consent,
        items::create, items::list, items::similar, items::get, items::reveal, items::step, items::attach, items::download, items::categories,
        mediation::get, mediation::put, mediation::session, mediation::outcome,
        catalogue::create, catalogue::retire, catalogue::set_service, catalogue::set_policy, inbox::list, inbox::read, inbox::channels, inbox::set_channels, inbox::deliveries,
    ),
    components(schemas(MeView, EnterpriseView, ListView<EnterpriseView>, Error)),
    modifiers(&CommonErrors),
    tags((name = "session"), (name = "enterprises"), (name = "onboarding"), (name = "items"), (name = "inbox"), (name = "stats"), (name = "admin")),
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// `GET /api/docs` → the UI (operators only, like `/metrics`).
pub async fn docs_root(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    meta: crate::middleware::RequestMeta,
) -> Result<axum::response::Redirect, crate::error::AppError> {
    crate::metrics::operator(&state, &meta)?;
    Ok(axum::response::Redirect::to("/api/docs/index.html"))
}

/// One file of the Swagger UI (operators only: it is a tool for people who run or integrate the
/// platform, reached from their networks; the document itself stays public for API clients).
pub async fn docs_file(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    meta: crate::middleware::RequestMeta,
    crate::extract::AppPath(file): crate::extract::AppPath<String>,
) -> Result<axum::response::Response, crate::error::AppError> {
    use axum::response::IntoResponse;
    crate::metrics::operator(&state, &meta)?;
    static CONFIG: std::sync::OnceLock<std::sync::Arc<utoipa_swagger_ui::Config<'static>>> = std::sync::OnceLock::new();
    let config =
        CONFIG.get_or_init(|| std::sync::Arc::new(utoipa_swagger_ui::Config::from("/api/openapi.json"))).clone();
    let found = utoipa_swagger_ui::serve(&file, config).map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    let swagger = found.ok_or(crate::error::AppError::NotFound)?;
    let content_type = axum::http::HeaderValue::from_str(&swagger.content_type)
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    let mut response = swagger.bytes.into_owned().into_response();
    response.headers_mut().insert(axum::http::header::CONTENT_TYPE, content_type);
    Ok(response)
}
