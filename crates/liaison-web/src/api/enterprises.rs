//! `/api/v1/enterprises`: list in scope, create, read, update, assign the officer, officer history, reveal.

use super::json::Json;
use crate::AppState;
use crate::actions;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::view::{EnterpriseView, ListView};
use axum::extract::State;
use axum::http::StatusCode;
use liaison_core::enterprise::EnterpriseInput;
use liaison_store::Paging;
use liaison_store::enterprises::{Assignment, EnterpriseFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters of the enterprise list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Part of the name, or the exact credit code.
    pub q: Option<String>,
    /// Only key enterprises.
    pub key_only: Option<bool>,
    /// Retired instead of active enterprises.
    pub retired: Option<bool>,
    /// Only those this liaison officer is responsible for.
    pub officer_id: Option<i64>,
    /// Page.
    pub page: Option<i64>,
    /// Rows per page.
    pub per_page: Option<i64>,
}

/// An enterprise's details as sent by a client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "渝中一号科技有限公司", "credit_code": "91350100M000100Y43", "address": "渝中区解放碑路1号", "industry": "I", "scale": "small", "key_enterprise": true, "longitude": 106.57, "latitude": 29.55, "contact_name": "张三", "contact_mobile": "13800138000", "community_id": 17}))]
pub struct EnterpriseBody {
    /// 企业名称.
    pub name: String,
    /// 统一社会信用代码.
    #[schema(example = "91350100M000100Y43")]
    pub credit_code: String,
    /// Address.
    pub address: String,
    /// Industry section A–T.
    pub industry: String,
    /// `large`, `medium`, `small`, `micro` (or 大型/中型/小型/微型).
    pub scale: String,
    /// 重点企业.
    #[serde(default)]
    pub key_enterprise: bool,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Contact person.
    pub contact_name: String,
    /// Contact mobile.
    #[schema(example = "13800138000")]
    pub contact_mobile: String,
    /// Community (only when creating).
    pub community_id: Option<i64>,
}

impl EnterpriseBody {
    fn input(&self) -> EnterpriseInput {
        EnterpriseInput {
            name: self.name.clone(),
            credit_code: self.credit_code.clone(),
            address: self.address.clone(),
            industry: self.industry.clone(),
            scale: self.scale.clone(),
            key_enterprise: self.key_enterprise,
            longitude: self.longitude,
            latitude: self.latitude,
            contact_name: self.contact_name.clone(),
            contact_mobile: self.contact_mobile.clone(),
        }
    }
}

/// The id of a created object.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// New id.
    pub id: i64,
}

/// A change of responsible officer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"officer_id": 12, "reason": "辖区调整 / boundary change"}))]
pub struct AssignBody {
    /// The new officer.
    pub officer_id: i64,
    /// Why.
    pub reason: String,
}

/// A reveal request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "回访核实联系方式 / confirming the contact for a follow-up"}))]
pub struct RevealBody {
    /// Why the full value is needed (audited).
    pub reason: String,
}

/// The revealed value.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revealed {
    /// The unmasked contact mobile.
    pub contact_mobile: String,
}

/// Enterprises in the caller's scope.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(ListQuery),
    responses((status = 200, body = ListView<EnterpriseView>), (status = 401), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<ListQuery>,
) -> AppResult<Json<ListView<EnterpriseView>>> {
    let filter = EnterpriseFilter {
        query: q.q.unwrap_or_default(),
        key_only: q.key_only.unwrap_or(false),
        retired: q.retired.unwrap_or(false),
        officer_id: q.officer_id,
    };
    let paging = Paging::new(q.page, q.per_page);
    let page = actions::list_enterprises(&state, &authed, &filter, paging).await?;
    Ok(Json(ListView { items: page.items, total: page.total, page: paging.page, per_page: paging.per_page }))
}

/// Registers an enterprise; its community's officer becomes responsible.
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "enterprises", request_body = EnterpriseBody,
    responses((status = 201, body = Created), (status = 422, description = "validation errors per field")))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppJson(body): AppJson<EnterpriseBody>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = actions::create_enterprise(&state, &authed, &body.input(), body.community_id.unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// One enterprise (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseView), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<EnterpriseView>> {
    let row = actions::visible_enterprise(&state, &authed, id).await?;
    Ok(Json(EnterpriseView::new(row, &authed.viewer())))
}

/// Replaces an enterprise's details.
#[utoipa::path(put, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = i64, Path)), request_body = EnterpriseBody,
    responses((status = 200, body = EnterpriseView), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<EnterpriseBody>,
) -> AppResult<Json<EnterpriseView>> {
    actions::update_enterprise(&state, &authed, id, &body.input()).await?;
    get(State(state), CurrentUser(authed), AppPath(id)).await
}

/// Makes another officer responsible; the previous assignment is kept in the history.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/officer", tag = "enterprises", params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 204), (status = 404), (status = 422)))]
pub async fn assign(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<AssignBody>,
) -> AppResult<StatusCode> {
    actions::assign_officer(&state, &authed, id, body.officer_id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every responsible officer the enterprise has had, newest first.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/officers", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AssignmentView>), (status = 404)))]
pub async fn history(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<Vec<AssignmentView>>> {
    let row = actions::visible_enterprise(&state, &authed, id).await?;
    let history = state.db.officer_history(row.id).await?;
    Ok(Json(history.into_iter().map(AssignmentView::from).collect()))
}

/// Reveals the contact mobile (needs `pi.reveal`; the reason is audited).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/reveal", tag = "enterprises", params(("id" = i64, Path)), request_body = RevealBody,
    responses((status = 200, body = Revealed), (status = 403), (status = 404)))]
pub async fn reveal(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<RevealBody>,
) -> AppResult<Json<Revealed>> {
    let contact_mobile = actions::reveal_contact(&state, &authed, id, &body.reason).await?;
    Ok(Json(Revealed { contact_mobile }))
}

/// One entry of the officer history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    /// Officer.
    pub officer_id: Option<i64>,
    /// Officer name.
    pub officer_name: Option<String>,
    /// From (RFC 3339).
    pub from_at: String,
    /// Until (RFC 3339), open when current.
    pub to_at: Option<String>,
    /// Why.
    pub reason: String,
}

impl From<Assignment> for AssignmentView {
    fn from(a: Assignment) -> Self {
        Self {
            officer_id: a.officer_id,
            officer_name: a.officer_name,
            from_at: a.from_at.to_rfc3339(),
            to_at: a.to_at.map(|t| t.to_rfc3339()),
            reason: a.reason,
        }
    }
}

/// Whether an enterprise is retired.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"retired": true}))]
pub struct StatusBody {
    /// `true` retires the enterprise (it leaves lists and counts), `false` reinstates it.
    pub retired: bool,
}

/// Retires or reinstates an enterprise (station heads and the center, within their subtree).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/status", tag = "enterprises", params(("id" = i64, Path)),
    request_body = StatusBody, responses((status = 204, description = "已更新 / updated"), (status = 403), (status = 404)))]
pub async fn set_status(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<StatusBody>,
) -> AppResult<StatusCode> {
    actions::set_enterprise_retired(&state, &authed, id, body.retired).await?;
    Ok(StatusCode::NO_CONTENT)
}
