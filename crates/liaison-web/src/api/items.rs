//! `/api/v1/items`: submit, list within scope (filters, queues, keyset paging), read with the
//! timeline and the steps allowed now, and take a step with `{"version": n, …}`; the catalogue and
//! the inbox.

use super::json::Json;
use crate::AppState;
use crate::actions::items::{
    ItemView, VisibleItem, attach_files, check_attach, download as download_file, item_view, list_items, submit_item,
    take_step,
};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{AppJson, AppMultipart, AppPath, AppQuery};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use liaison_core::item::input::ItemInput;
use liaison_core::item::state::StepInput;
use liaison_core::item::workflow::{Actor, Step, allowed_steps};
use liaison_core::item::{Kind, Rating};
use liaison_core::org::OrgPath;
use liaison_store::catalogue::Category;
use liaison_store::item_list::{ItemFilter, ItemSummary, Queue};
use liaison_store::items::{EventRow, ItemRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A new item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "need", "category_id": 1, "priority": "normal", "title": "招工难", "description": "春节后需要招聘三十名操作工", "address": "渝中区解放碑路1号"}))]
pub struct ItemBody {
    /// `need`, `dispute`, `suggestion`, `consultation` or `report`.
    pub kind: String,
    /// A category of that kind (`GET /api/v1/categories`).
    pub category_id: i64,
    /// `normal` (default) or `urgent`.
    #[serde(default)]
    pub priority: String,
    /// Staff entering an item for an enterprise: `phone`, `visit`, `help_group`, `reception_day`, `walk_in`.
    #[serde(default)]
    pub channel: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Address (default: the enterprise's).
    #[serde(default)]
    pub address: String,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Staff only: the enterprise.
    pub enterprise_id: Option<i64>,
}

/// A step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 3, "body": "已联系企业，约定周三上门 / visit agreed for Wednesday"}))]
pub struct StepBody {
    /// The version the client read (optimistic concurrency).
    pub version: i64,
    /// Comment, reason, resolution or note.
    #[serde(default)]
    pub body: String,
    /// Assign / reassign: the officer.
    pub handler_id: Option<i64>,
    /// Feedback: `very_satisfied`, `satisfied`, `fairly_satisfied`, `unsatisfied`, `very_unsatisfied`.
    pub rating: Option<String>,
    /// Feedback: solved or not.
    pub solved: Option<bool>,
    /// Refer / recall: the partner department (org unit id).
    pub department_id: Option<i64>,
}

/// Filters of the item list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ItemQuery {
    /// Kind code.
    pub kind: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Category.
    pub category_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Handling officer.
    pub handler_id: Option<i64>,
    /// Submitted at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Submitted before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Only under this org unit.
    pub unit_id: Option<i64>,
    /// `open`, `triage`, `supervised`, `overdue` or `feedback`.
    pub queue: Option<String>,
    /// Cursor: items with a smaller id (from `next_before`).
    pub before: Option<i64>,
    /// Rows (1–200, default 50).
    pub limit: Option<i64>,
}

/// A page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemListView {
    /// Items, newest first.
    pub items: Vec<ItemSummary>,
    /// Cursor of the next page.
    pub next_before: Option<i64>,
}

/// An item with its timeline and what the caller may do now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDetailView {
    /// The item.
    pub item: ItemRow,
    /// The timeline, oldest first (internal notes only for the police side).
    pub timeline: Vec<EventRow>,
    /// Step codes the caller may take now (`POST /api/v1/items/{id}/{step}`).
    pub allowed_steps: Vec<&'static str>,
    /// Referrals to partner departments with their state per recipient (delivered, read, answered, recalled).
    pub referrals: Vec<liaison_store::item_steps::Referral>,
    /// Files (`GET /api/v1/items/{id}/attachments/{attachment_id}`).
    pub attachments: Vec<liaison_store::attachments::Attachment>,
    /// Values of the category's attributes and an Open311 reporter's details (`reporter.*`).
    pub attributes: Vec<liaison_store::items::ItemAttribute>,
}

/// The id and number of a created item.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedItem {
    /// Id.
    pub id: i64,
    /// Human number, e.g. `YZ-2026-000123`.
    pub number: String,
}

impl ItemQuery {
    /// The store filter; a unit outside the scope, or unknown, simply matches nothing.
    pub async fn filter(&self, state: &AppState) -> AppResult<ItemFilter> {
        let queue = match self.queue.as_deref() {
            None | Some("") => None,
            Some(code) => Some(Queue::parse(code).ok_or_else(|| {
                AppError::field("queue", "queue.unknown", "队列应为 open/triage/supervised/overdue/feedback")
            })?),
        };
        // An unknown unit is a unit outside every scope: its path (one no item has) matches nothing.
        let under = match self.unit_id {
            Some(id) => match state.db.unit(id).await {
                Ok(unit) => Some(OrgPath::parse(&unit.path).ok_or(AppError::NotFound)?),
                Err(liaison_store::StoreError::NotFound) => Some(OrgPath::root(id)),
                Err(other) => return Err(other.into()),
            },
            None => None,
        };
        Ok(ItemFilter {
            kind: self.kind.clone().filter(|k| !k.is_empty()),
            status: self.status.clone().filter(|s| !s.is_empty()),
            category_id: self.category_id,
            enterprise_id: self.enterprise_id,
            handler_id: self.handler_id,
            from: self.from,
            to: self.to,
            under,
            queue,
        })
    }
}

/// Submits an item. An `Idempotency-Key` header makes retries return the first item.
#[utoipa::path(post, path = "/api/v1/items", tag = "items", request_body = ItemBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "retries with the same key return the first item")),
    responses((status = 201, body = CreatedItem), (status = 422), (status = 429)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    headers: HeaderMap,
    AppJson(body): AppJson<ItemBody>,
) -> AppResult<(StatusCode, Json<CreatedItem>)> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(|k| k.chars().take(100).collect());
    let input = ItemInput {
        kind: body.kind,
        category_id: body.category_id,
        priority: body.priority,
        channel: body.channel,
        title: body.title,
        description: body.description,
        address: body.address,
        longitude: body.longitude,
        latitude: body.latitude,
    };
    let created = submit_item(&state, &authed, &input, body.enterprise_id, key).await?;
    Ok((StatusCode::CREATED, Json(CreatedItem { id: created.id, number: created.number })))
}

/// Items in the caller's scope.
#[utoipa::path(get, path = "/api/v1/items", tag = "items", params(ItemQuery),
    responses((status = 200, body = ItemListView), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<ItemQuery>,
) -> AppResult<Json<ItemListView>> {
    let filter = q.filter(&state).await?;
    let page = list_items(&state, &authed, &filter, q.before, q.limit.unwrap_or(50)).await?;
    Ok(Json(ItemListView { items: page.items, next_before: page.next_before }))
}

/// One item with its timeline (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/items/{id}", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = ItemDetailView), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Json<ItemDetailView>> {
    let view = item_view(&state, &authed, id).await?;
    Ok(Json(detail_view(&state, &authed, view).await?))
}

/// An item's text as written, after an audited reveal.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevealedItemView {
    /// The item, its timeline and what the caller may do, with the numbers in its text unmasked.
    #[serde(flatten)]
    pub detail: ItemDetailView,
    /// A dispute's mediation record, its text unmasked too (`null` for other kinds).
    #[schema(value_type = Option<Object>)]
    pub dispute: Option<crate::actions::mediation::DisputeView>,
}

/// Shows the mobile and ID numbers written in an item's text (title, description, timeline,
/// mediation record) unmasked: staff holding the reveal permission, with a reason; audited with the
/// reason. Everyone but the item's own enterprise otherwise reads them masked.
#[utoipa::path(post, path = "/api/v1/items/{id}/reveal", tag = "items", params(("id" = i64, Path)),
    request_body = super::enterprises::RevealBody,
    responses((status = 200, body = RevealedItemView), (status = 403), (status = 404), (status = 422)))]
pub async fn reveal(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppJson(body): AppJson<super::enterprises::RevealBody>,
) -> AppResult<Json<RevealedItemView>> {
    let (view, dispute) = crate::actions::item_text::reveal(&state, &authed, id, &body.reason).await?;
    Ok(Json(RevealedItemView { detail: detail_view(&state, &authed, view).await?, dispute }))
}

/// The detail answer of an item view.
async fn detail_view(state: &AppState, authed: &crate::auth::Authed, view: ItemView) -> AppResult<ItemDetailView> {
    let ItemView { visible, timeline, attachments } = view;
    let viewer = authed.viewer();
    let attributes = crate::actions::items::attributes_of(state, authed, &visible.row).await?;
    let allowed = allowed_steps(Actor::User(&viewer), &visible.state().facts()).iter().map(|s| s.code()).collect();
    let VisibleItem { row: item, referrals, .. } = visible;
    Ok(ItemDetailView { item, timeline, allowed_steps: allowed, referrals, attachments, attributes })
}

/// Takes a step: accept, reject, withdraw, assign, reassign, start, resolve, feedback, pause, resume,
/// supervise, escalate, comment, note. A stale `version` or a step not possible now answers 409 with
/// the current status and the allowed steps.
#[utoipa::path(post, path = "/api/v1/items/{id}/{step}", tag = "items",
    params(("id" = i64, Path), ("step" = String, Path)), request_body = StepBody,
    responses((status = 200, body = ItemDetailView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn step(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath((id, step)): AppPath<(i64, String)>,
    AppJson(body): AppJson<StepBody>,
) -> AppResult<Json<ItemDetailView>> {
    let step = Step::parse(&step).filter(|s| *s != Step::AutoClose).ok_or(AppError::NotFound)?;
    let rating = match body.rating.as_deref() {
        None => None,
        Some(code) => Some(Rating::parse(code).ok_or_else(|| {
            AppError::field("rating", "rating.unknown", "满意度应为 very_satisfied … very_unsatisfied")
        })?),
    };
    let input = StepInput {
        body: body.body,
        handler_id: body.handler_id,
        rating,
        solved: body.solved,
        department_id: body.department_id,
    };
    take_step(&state, &authed, id, body.version, step, &input).await?;
    get(State(state), CurrentUser(authed), AppPath(id)).await
}

/// Attaches files (multipart, parts named `file`): PDF, JPEG or PNG by content, ≤ 10 MB each,
/// ≤ 10 per item. A file the scanner flags is quarantined and never served.
#[utoipa::path(post, path = "/api/v1/items/{id}/attachments", tag = "items", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "parts named `file`"),
    responses((status = 200, body = ItemDetailView), (status = 404), (status = 409), (status = 413), (status = 415)))]
pub async fn attach(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppMultipart(multipart): AppMultipart,
) -> AppResult<Json<ItemDetailView>> {
    check_attach(&state, &authed, id).await?;
    let (_, files) = state.uploads.read_form(multipart).await?;
    attach_files(&state, &authed, id, files).await?;
    get(State(state), CurrentUser(authed), AppPath(id)).await
}

/// Downloads an attachment (as an attachment, sandboxed).
#[utoipa::path(get, path = "/api/v1/items/{id}/attachments/{attachment_id}", tag = "items",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)), responses((status = 200), (status = 404)))]
pub async fn download(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath((id, attachment_id)): AppPath<(i64, i64)>,
) -> AppResult<axum::response::Response> {
    download_file(&state, &authed, id, attachment_id).await
}

/// The text being written.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SimilarQuery {
    /// Title and description so far.
    pub text: String,
    /// Staff: the enterprise.
    pub enterprise_id: Option<i64>,
}

/// Open items of the enterprise that look like the same matter (jieba words in common), best first.
#[utoipa::path(get, path = "/api/v1/items/similar", tag = "items", params(SimilarQuery),
    responses((status = 200, body = ItemListView)))]
pub async fn similar(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<SimilarQuery>,
) -> AppResult<Json<ItemListView>> {
    let items = crate::actions::items::similar_items(&state, &authed, &q.text, q.enterprise_id).await?;
    Ok(Json(ItemListView { items, next_before: None }))
}

/// Filter of the category list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CategoryQuery {
    /// Only this kind.
    pub kind: Option<String>,
}

/// A category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    /// Id.
    pub id: i64,
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Resolution allowance override (working days).
    pub resolve_days: Option<i64>,
}

/// The categories items may be filed under.
#[utoipa::path(get, path = "/api/v1/categories", tag = "items", params(CategoryQuery),
    responses((status = 200, body = Vec<CategoryView>)))]
pub async fn categories(
    State(state): State<AppState>,
    CurrentUser(_authed): CurrentUser,
    AppQuery(q): AppQuery<CategoryQuery>,
) -> AppResult<Json<Vec<CategoryView>>> {
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(code) => Some(Kind::parse(code).ok_or_else(|| AppError::field("kind", "kind.unknown", "未知类型"))?),
    };
    let rows: Vec<Category> = state.db.categories(kind, false).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| CategoryView { id: c.id, kind: c.kind, name: c.name, resolve_days: c.resolve_days })
            .collect(),
    ))
}
