//! Item pages for both sides: the list with work queues and filters (my work, triage, supervised,
//! overdue, awaiting feedback), the submission form (enterprise or staff on its behalf), the detail
//! with its timeline and a form for every step allowed now, and the inbox.

use super::{Chrome, render, render_status, see_other};
use crate::AppState;
use crate::actions::items::{
    ItemView, VisibleItem, attach_files, check_attach, download as download_file, item_view, list_items, submit_item,
    take_step,
};
use crate::auth::{Authed, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppMultipart, AppPath, AppQuery};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use liaison_core::item::input::ItemInput;
use liaison_core::item::mediation::PartyInput;
use liaison_core::item::state::StepInput;
use liaison_core::item::workflow::{Actor, Step, allowed_steps};
use liaison_core::item::{Channel, Kind, Rating, Status};
use liaison_core::validate::FieldError;
use liaison_store::catalogue::Category;
use liaison_store::item_list::{ItemFilter, ItemSummary, Queue};
use liaison_store::items::{EventRow, ItemRow};
use liaison_store::users::OfficerLoad;
use serde::Deserialize;

/// Filters of the list page (dates as `YYYY-MM-DD`, Beijing time).
#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    #[serde(default)]
    queue: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "items/list.html")]
struct ListPage {
    chrome: Chrome,
    form: ListForm,
    rows: Vec<ItemSummary>,
    next_before: Option<i64>,
    queues: Vec<&'static str>,
    kinds: &'static [Kind],
    statuses: &'static [Status],
    can_submit: bool,
}

impl ListPage {
    fn link(&self, before: &i64) -> String {
        let f = &self.form;
        format!(
            "/items?queue={}&kind={}&status={}&from={}&to={}&before={before}",
            f.queue, f.kind, f.status, f.from, f.to
        )
    }
}

fn day_start(text: &str, field: &str) -> AppResult<Option<chrono::DateTime<Utc>>> {
    if text.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "date.format", "日期格式应为 YYYY-MM-DD / date as YYYY-MM-DD"))?;
    Ok(Some(liaison_core::calendar::day_start(date)))
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(form): AppQuery<ListForm>,
) -> AppResult<Response> {
    let queue = match form.queue.as_str() {
        "" => None,
        code => Some(Queue::parse(code).ok_or_else(|| AppError::field("queue", "queue.unknown", "未知队列"))?),
    };
    let to = day_start(&form.to, "to")?.map(|t| t + chrono::Duration::days(1));
    let filter = ItemFilter {
        kind: Some(form.kind.clone()).filter(|k| !k.is_empty()),
        status: Some(form.status.clone()).filter(|s| !s.is_empty()),
        from: day_start(&form.from, "from")?,
        to,
        queue,
        ..ItemFilter::default()
    };
    let page = list_items(&state, &authed, &filter, form.before, 50).await?;
    let viewer = authed.viewer();
    Ok(render(&ListPage {
        chrome: Chrome::new(&state, lang, &authed, "items.title", "/items"),
        form,
        rows: page.items,
        next_before: page.next_before,
        queues: Queue::ALL.iter().map(|q| q.code()).collect(),
        kinds: Kind::ALL,
        statuses: Status::ALL,
        can_submit: liaison_core::item::intake::may_submit(&viewer),
    }))
}

/// The submission form (sent as multipart, with its files).
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category_id: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    enterprise_id: String,
}

#[derive(Template)]
#[template(path = "items/new.html")]
struct NewPage {
    chrome: Chrome,
    form: NewForm,
    categories: Vec<Category>,
    staff: bool,
    channels: Vec<&'static Channel>,
    errors: Vec<FieldError>,
}

async fn new_page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    form: NewForm,
    errors: Vec<FieldError>,
) -> AppResult<NewPage> {
    let staff = authed.viewer().is_staff();
    Ok(NewPage {
        chrome: Chrome::new(state, lang, authed, "items.new", "/items"),
        form,
        categories: state.db.categories(None, false).await?,
        staff,
        channels: Channel::ALL.iter().filter(|c| !matches!(c, Channel::Portal | Channel::Open311)).collect(),
        errors,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(form): AppQuery<NewForm>,
) -> AppResult<Response> {
    crate::actions::items::require_submit(&authed)?;
    Ok(render(&new_page(&state, lang, &authed, form, Vec::new()).await?))
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppMultipart(multipart): AppMultipart,
) -> AppResult<Response> {
    crate::actions::items::require_submit(&authed)?;
    let (fields, files) = state.uploads.read_form(multipart).await?;
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let form = NewForm {
        kind: field("kind"),
        category_id: field("category_id"),
        priority: field("priority"),
        channel: field("channel"),
        title: field("title"),
        description: field("description"),
        address: field("address"),
        enterprise_id: field("enterprise_id"),
    };
    // The category select carries "kind:id", so one control picks both.
    let (kind, category) = form.category_id.split_once(':').unwrap_or((form.kind.as_str(), form.category_id.as_str()));
    let input = ItemInput {
        kind: kind.to_owned(),
        category_id: category.parse().unwrap_or_default(),
        priority: form.priority.clone(),
        channel: form.channel.clone(),
        title: form.title.clone(),
        description: form.description.clone(),
        address: form.address.clone(),
        longitude: None,
        latitude: None,
    };
    let enterprise_id = form.enterprise_id.trim().parse().ok();
    match submit_item(&state, &authed, &input, enterprise_id, None).await {
        Ok(created) => {
            attach_files(&state, &authed, created.id, files).await?;
            Ok(see_other(&format!("/items/{}", created.id)))
        }
        Err(error) => {
            state.uploads.discard(&files.iter().map(|f| f.storage_name.clone()).collect::<Vec<_>>()).await;
            match error {
                AppError::Validation(errors) => {
                    let page = new_page(&state, lang, &authed, form, errors).await?;
                    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
                }
                other => Err(other),
            }
        }
    }
}

/// The text of the new-item form so far.
#[derive(Debug, Deserialize)]
pub struct SimilarForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    enterprise_id: String,
}

#[derive(Template)]
#[template(path = "items/similar.html")]
struct SimilarFragment {
    chrome: Chrome,
    rows: Vec<ItemSummary>,
}

/// The duplicate hint under the new-item form (an htmx fragment).
pub async fn similar(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(form): AppQuery<SimilarForm>,
) -> AppResult<Response> {
    let text = format!("{} {}", form.title, form.description);
    let rows =
        crate::actions::items::similar_items(&state, &authed, &text, form.enterprise_id.trim().parse().ok()).await?;
    Ok(render(&SimilarFragment { chrome: Chrome::new(&state, lang, &authed, "items.new", "/items"), rows }))
}

/// Attaches files from the detail page.
pub async fn attach(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppMultipart(multipart): AppMultipart,
) -> AppResult<Response> {
    check_attach(&state, &authed, id).await?;
    let (_, files) = state.uploads.read_form(multipart).await?;
    attach_files(&state, &authed, id, files).await?;
    Ok(see_other(&format!("/items/{id}")))
}

/// Downloads an attachment.
pub async fn download(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath((id, attachment_id)): AppPath<(i64, i64)>,
) -> AppResult<Response> {
    download_file(&state, &authed, id, attachment_id).await
}

#[derive(Template)]
#[template(path = "items/detail.html")]
struct DetailPage {
    chrome: Chrome,
    item: ItemRow,
    timeline: Vec<EventRow>,
    steps: Vec<Step>,
    attachments: Vec<liaison_store::attachments::Attachment>,
    attributes: Vec<liaison_store::items::ItemAttribute>,
    referrals: Vec<liaison_store::item_steps::Referral>,
    departments: Vec<liaison_store::org::OrgUnit>,
    dispute: Option<crate::actions::mediation::DisputeView>,
    may_attach: bool,
    officers: Vec<OfficerLoad>,
    ratings: &'static [Rating],
    police_side: bool,
    me: i64,
    /// The viewer may unmask the text (the reveal permission, not the item's own enterprise).
    can_reveal: bool,
    /// The text is shown unmasked after an audited reveal.
    revealed: bool,
}

impl DetailPage {
    fn has(&self, code: &str) -> bool {
        self.steps.iter().any(|s| s.code() == code)
    }

    /// Steps that need only an optional text.
    fn simple_steps(&self) -> Vec<Step> {
        let simple =
            [Step::Accept, Step::Start, Step::Withdraw, Step::Pause, Step::Resume, Step::Escalate, Step::Recall];
        self.steps.iter().copied().filter(|s| simple.contains(s)).collect()
    }

    /// Steps that need a text.
    fn text_steps(&self) -> Vec<Step> {
        let text = [Step::Reject, Step::Resolve, Step::Supervise, Step::Comment, Step::Note, Step::Answer];
        self.steps.iter().copied().filter(|s| text.contains(s)).collect()
    }
}

pub async fn detail(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
) -> AppResult<Response> {
    let view = item_view(&state, &authed, id).await?;
    let dispute = match view.visible.row.kind() {
        Kind::Dispute => Some(crate::actions::mediation::dispute_record(&state, &authed, &view.visible.row).await?),
        _ => None,
    };
    Ok(render(&detail_page(&state, lang, &authed, view, dispute, false).await?))
}

/// The detail with the numbers in its text unmasked, after an audited reveal with a reason.
pub async fn reveal(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<super::enterprises::RevealForm>,
) -> AppResult<Response> {
    let (view, dispute) = crate::actions::item_text::reveal(&state, &authed, id, &form.reason).await?;
    Ok(render(&detail_page(&state, lang, &authed, view, dispute, true).await?))
}

async fn detail_page(
    state: &AppState,
    lang: Lang,
    authed: &Authed,
    view: ItemView,
    dispute: Option<crate::actions::mediation::DisputeView>,
    revealed: bool,
) -> AppResult<DetailPage> {
    let ItemView { visible, timeline, attachments } = view;
    let viewer = authed.viewer();
    let can_reveal = viewer.reveals_pi()
        && !viewer.reads_item_text_as_written(visible.row.enterprise_id)
        && masks_something(&visible.row, &timeline, dispute.as_ref());
    let steps = allowed_steps(Actor::User(&viewer), &visible.state().facts());
    let VisibleItem { row: item, referrals, relation } = visible;
    let departments = match (steps.contains(&Step::Refer), viewer.unit_path.ids().first()) {
        (true, Some(&root)) => {
            let root = liaison_core::org::OrgPath::root(root);
            state.db.units_of_kind(&root, liaison_core::org::OrgKind::Department).await?
        }
        _ => Vec::new(),
    };
    let assigns = steps.iter().any(|s| matches!(s, Step::Assign | Step::Reassign));
    let officers = if assigns && !viewer.roles.contains(&liaison_core::role::Role::Officer) {
        state.db.officers_within(&viewer.unit_path).await?
    } else {
        Vec::new()
    };
    Ok(DetailPage {
        chrome: Chrome::new(state, lang, authed, "items.detail", "/items"),
        timeline,
        attachments,
        attributes: crate::actions::items::attributes_of(state, authed, &item).await?,
        referrals,
        departments,
        dispute,
        may_attach: (relation.owner || relation.handler || relation.supervisor)
            && !Status::parse(&item.status).is_some_and(Status::is_final),
        can_reveal,
        revealed,
        item,
        steps,
        officers,
        ratings: Rating::ALL,
        police_side: relation.police_side(),
        me: viewer.user_id,
    })
}

/// Whether the item's text as shown has a masked number in it (so a reveal has something to show).
fn masks_something(
    item: &ItemRow,
    timeline: &[EventRow],
    dispute: Option<&crate::actions::mediation::DisputeView>,
) -> bool {
    let masked = liaison_core::mask::has_masked_number;
    let sessions = dispute.into_iter().flat_map(|d| d.sessions.iter());
    masked(&item.title)
        || masked(&item.description)
        || timeline.iter().any(|event| masked(&event.body))
        || sessions.into_iter().any(|s| masked(&s.note) || masked(&s.participants))
}

/// A step from the detail page.
#[derive(Debug, Deserialize)]
pub struct StepForm {
    step: String,
    version: i64,
    #[serde(default)]
    body: String,
    handler_id: Option<i64>,
    rating: Option<String>,
    solved: Option<String>,
    #[serde(default)]
    department_id: String,
}

pub async fn step(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<StepForm>,
) -> AppResult<Response> {
    let step = Step::parse(&form.step).filter(|s| *s != Step::AutoClose).ok_or(AppError::NotFound)?;
    let rating = form.rating.as_deref().filter(|r| !r.is_empty()).map(|code| {
        Rating::parse(code).ok_or_else(|| AppError::field("rating", "rating.unknown", "请选择满意度 / choose a rating"))
    });
    let input = StepInput {
        body: form.body,
        handler_id: form.handler_id,
        rating: rating.transpose()?,
        solved: form.solved.as_deref().map(|s| s == "yes"),
        department_id: form.department_id.trim().parse().ok(),
    };
    take_step(&state, &authed, id, form.version, step, &input).await?;
    Ok(see_other(&format!("/items/{id}")))
}

/// Marks read: one notification (`id`) or all.
#[derive(Debug, Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    id: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    rows: Vec<liaison_store::inbox::NotificationRow>,
    unread: i64,
}

pub async fn inbox(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    let user = authed.user.row.id;
    Ok(render(&InboxPage {
        chrome: Chrome::new(&state, lang, &authed, "inbox.title", "/inbox"),
        rows: state.db.notifications(user, None, 100).await?,
        unread: state.db.unread_count(user).await?,
    }))
}

/// The unread count for the header badge (loaded by htmx; empty when nothing is unread).
pub async fn inbox_count(State(state): State<AppState>, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    let unread = state.db.unread_count(authed.user.row.id).await?;
    let badge = if unread > 0 { format!("<span class=\"badge\" id=\"unread\">{unread}</span>") } else { String::new() };
    Ok(Html(badge).into_response())
}

pub async fn read(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppForm(form): AppForm<ReadForm>,
) -> AppResult<Response> {
    state.db.mark_read(authed.user.row.id, form.id.trim().parse().ok(), state.clock.now()).await?;
    Ok(see_other("/inbox"))
}

/// The dispute form: amount in yuan and one party per line, `姓名,角色,手机`.
#[derive(Debug, Deserialize)]
pub struct DisputeForm {
    amount_yuan: String,
    parties: String,
}

pub async fn dispute(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<DisputeForm>,
) -> AppResult<Response> {
    let amount_fen = liaison_core::money::parse_yuan(&form.amount_yuan).ok_or_else(|| {
        AppError::field("amount_yuan", "amount.format", "金额格式应为 12345.67 / amount like 12345.67")
    })?;
    let parties: Vec<PartyInput> = form
        .parties
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut cells = line.split([',', '，']).map(str::trim);
            PartyInput {
                name: cells.next().unwrap_or_default().to_owned(),
                role: cells.next().unwrap_or_default().to_owned(),
                mobile: cells.next().unwrap_or_default().to_owned(),
            }
        })
        .collect();
    crate::actions::mediation::set_dispute(&state, &authed, id, amount_fen, &parties).await?;
    Ok(see_other(&format!("/items/{id}")))
}

/// A mediation session from the detail page.
#[derive(Debug, Deserialize)]
pub struct SessionForm {
    held_on: String,
    participants: String,
    outcome: String,
    #[serde(default)]
    note: String,
}

pub async fn session(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<SessionForm>,
) -> AppResult<Response> {
    crate::actions::mediation::record_session(
        &state,
        &authed,
        id,
        &form.held_on,
        &form.participants,
        &form.outcome,
        &form.note,
    )
    .await?;
    Ok(see_other(&format!("/items/{id}")))
}

/// The mediation's conclusion.
#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    outcome: String,
    #[serde(default)]
    guidance: String,
    text: String,
}

pub async fn outcome(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<OutcomeForm>,
) -> AppResult<Response> {
    crate::actions::mediation::conclude(&state, &authed, id, &form.outcome, &form.guidance, &form.text).await?;
    Ok(see_other(&format!("/items/{id}")))
}
