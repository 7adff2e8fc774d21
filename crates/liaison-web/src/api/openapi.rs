//! The OpenAPI document of `/api/v1`, served at `/api/openapi.json`.

use super::{admin, enterprises, session};
use crate::view::{EnterpriseView, ListView, MeView};
use axum::Json;
use utoipa::OpenApi;

/// Every API path and schema.
#[derive(OpenApi)]
#[openapi(
    info(title = "Liaison 助企警务联络平台 API", version = "1", description = "Errors: {\"error\":{\"code\",\"message\",\"fields\"}}. Sign in with POST /api/v1/session (cookie) or send Authorization: Bearer <personal access token>."),
    paths(
        session::create, session::delete, session::me,
        enterprises::list, enterprises::create, enterprises::get, enterprises::update, enterprises::assign,
        enterprises::history, enterprises::reveal,
        admin::units, admin::create_unit, admin::users, admin::create_user, admin::set_roles, admin::audit, admin::create_token,
    ),
    components(schemas(MeView, EnterpriseView, ListView<EnterpriseView>)),
    tags((name = "session"), (name = "enterprises"), (name = "admin")),
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
