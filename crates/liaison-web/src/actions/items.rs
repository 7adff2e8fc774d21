//! The closed loop's use cases, shared by pages, the API and the background jobs: submit an item,
//! see it, list within scope, take a step under optimistic concurrency, and who is told.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult, found};
use crate::uploads::Received;
use chrono::Duration;
use liaison_core::item::input::ItemInput;
use liaison_core::item::intake::{self, Intake, IntakeRefusal};
use liaison_core::item::state::{Env, ItemState, StepError, StepInput};
use liaison_core::item::workflow::{Actor, Refusal, Relation, Step, may_assign_to};
use liaison_core::item::{Channel, Status};
use liaison_core::org::OrgPath;
use liaison_core::permission::Viewer;
use liaison_core::role::Role;
use liaison_store::attachments::{Attachment, NewAttachment};
use liaison_store::item_detail::ItemDetail;
use liaison_store::item_list::{ItemFilter, ItemPage, ItemScope, ItemSummary};
use liaison_store::item_steps::{Referral, ReferralChange, SavedStep};
use liaison_store::items::{Created, EventRow, ItemAttribute, ItemRow, NewEvent, NewItem, NewNotification};
use liaison_store::{Ctx, StoreError};

/// Whose items a viewer sees in lists.
pub fn item_scope(viewer: &Viewer) -> ItemScope {
    let has = |role: Role| viewer.roles.contains(&role);
    if has(Role::StationHead) || has(Role::CenterStaff) || has(Role::Leader) {
        ItemScope::Subtree(viewer.unit_path.clone())
    } else if has(Role::Officer) {
        ItemScope::Officer(viewer.user_id)
    } else if let (true, Some(id)) = (has(Role::EnterpriseUser), viewer.enterprise_id) {
        ItemScope::Enterprise(id)
    } else if let (true, Some(&unit)) = (has(Role::DepartmentUser), viewer.unit_path.ids().last()) {
        ItemScope::Department(unit)
    } else {
        ItemScope::Nothing
    }
}

/// An item the viewer may see, read once: the row, its referrals and the viewer's relation to it.
#[derive(Debug, Clone)]
pub struct VisibleItem {
    /// The item.
    pub row: ItemRow,
    /// Its referrals (state per recipient).
    pub referrals: Vec<Referral>,
    /// How the viewer stands to it.
    pub relation: Relation,
}

impl VisibleItem {
    /// The pure state, with the referrals.
    pub fn state(&self) -> ItemState {
        self.row.state_with(&self.referrals)
    }
}

/// The item with `id` and the viewer's relation to it, or 404 (audited) when they may not see it.
/// A department user opening a referral for the first time marks it read.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn visible_item(state: &AppState, authed: &Authed, id: i64) -> AppResult<VisibleItem> {
    let (row, referrals) = state.db.item_with_referrals(id).await?;
    seen_by(state, authed, row, referrals).await
}

/// What an item's detail shows the viewer: the item as [`visible_item`] gives it, its timeline as
/// this viewer may see it (internal notes only for the police side) and its clean attachments, with
/// personal numbers in its text masked unless the viewer reads it as written (`item_text`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn item_view(state: &AppState, authed: &Authed, id: i64) -> AppResult<ItemView> {
    let mut view = item_view_as_written(state, authed, id).await?;
    if !authed.viewer().reads_item_text_as_written(view.visible.row.enterprise_id) {
        super::item_text::mask_view(&mut view);
    }
    Ok(view)
}

/// [`item_view`] with its text as written (for its own enterprise, and the audited reveal).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn item_view_as_written(state: &AppState, authed: &Authed, id: i64) -> AppResult<ItemView> {
    let ItemDetail { row, referrals, mut timeline, attachments } = state.db.item_detail(id).await?;
    let visible = seen_by(state, authed, row, referrals).await?;
    if !visible.relation.police_side() {
        timeline.retain(|event| !event.internal);
    }
    Ok(ItemView { visible, timeline, attachments })
}

/// An item's detail as its viewer sees it.
#[derive(Debug, Clone)]
pub struct ItemView {
    /// The item and how the viewer stands to it.
    pub visible: VisibleItem,
    /// The timeline, oldest first.
    pub timeline: Vec<EventRow>,
    /// Clean attachments.
    pub attachments: Vec<Attachment>,
}

/// The item as `authed` sees it, or 404 (audited) when they may not; marks a pending referral read
/// for its department.
#[tracing::instrument(level = "debug", skip_all)]
async fn seen_by(
    state: &AppState,
    authed: &Authed,
    row: ItemRow,
    mut referrals: Vec<Referral>,
) -> AppResult<VisibleItem> {
    let viewer = authed.viewer();
    let relation = Relation::of(&viewer, &row.state_with(&referrals).facts());
    let unit = viewer.unit_path.ids().last().copied();
    if let Some(unread) = referrals
        .iter_mut()
        .find(|r| relation.department_pending && Some(r.department_id) == unit && r.state == "delivered")
    {
        let ctx = authed.ctx(state.clock.now());
        state.db.mark_referral_read(&ctx, row.id, unread.department_id).await?;
        (unread.state, unread.read_at) = ("read".into(), Some(ctx.at));
    }
    if relation.sees() {
        Ok(VisibleItem { row, referrals, relation })
    } else {
        state.db.audit_denied(&authed.ctx(state.clock.now()), "item.read", "item", "outside scope").await?;
        Err(AppError::NotFound)
    }
}

/// The values of an Open311 request's attributes and its reporter's details (only such items have
/// any, so others skip the read); the reporter's mobile is masked unless the viewer may reveal.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attributes_of(state: &AppState, authed: &Authed, row: &ItemRow) -> AppResult<Vec<ItemAttribute>> {
    if row.channel != Channel::Open311.code() {
        return Ok(Vec::new());
    }
    let mut values = state.db.item_attributes(row.id).await?;
    if !authed.viewer().pi_reveal {
        for value in values.iter_mut().filter(|v| v.code == "reporter.phone") {
            value.value = liaison_core::mask::mobile(&value.value);
        }
    }
    Ok(values)
}

/// Items in the viewer's scope.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_items(
    state: &AppState,
    authed: &Authed,
    filter: &ItemFilter,
    before: Option<i64>,
    limit: i64,
) -> AppResult<ItemPage> {
    let viewer = authed.viewer();
    let mut page = state.db.items(&item_scope(&viewer), filter, before, limit).await?;
    super::item_text::mask_summaries(&viewer, &mut page.items);
    Ok(page)
}

/// Open items of the enterprise (the viewer's own, or for staff one they see) that look like the same
/// matter as `text` — offered while a new item is written. Best matches first, at most five.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn similar_items(
    state: &AppState,
    authed: &Authed,
    text: &str,
    enterprise_id: Option<i64>,
) -> AppResult<Vec<ItemSummary>> {
    let viewer = authed.viewer();
    let enterprise = match (viewer.enterprise_id, enterprise_id) {
        (Some(own), _) if viewer.roles.contains(&Role::EnterpriseUser) => own,
        (_, Some(asked)) if viewer.is_staff() => crate::actions::visible_enterprise(state, authed, asked).await?.id,
        _ => return Ok(Vec::new()),
    };
    let draft = liaison_core::text_match::words(text);
    if draft.is_empty() {
        return Ok(Vec::new());
    }
    let candidates = state.db.open_item_texts(enterprise, 200).await?;
    let mut scored: Vec<(usize, ItemSummary)> = candidates
        .into_iter()
        .filter_map(|text| {
            let words = liaison_core::text_match::words(&format!("{} {}", text.summary.title, text.description));
            liaison_core::text_match::similar(&draft, &words)
                .then(|| (liaison_core::text_match::common(&draft, &words), text.summary))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
    let mut found: Vec<ItemSummary> = scored.into_iter().take(5).map(|(_, row)| row).collect();
    super::item_text::mask_summaries(&viewer, &mut found);
    Ok(found)
}

/// Submits an item: an enterprise user for their own enterprise through the portal, or staff for an
/// enterprise in their scope with the channel it came by. Limited per enterprise per day.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn submit_item(
    state: &AppState,
    authed: &Authed,
    input: &ItemInput,
    enterprise_id: Option<i64>,
    idempotency_key: Option<String>,
) -> AppResult<Created> {
    submit_item_with(state, authed, input, enterprise_id, idempotency_key, Extras::default()).await
}

/// `Forbidden` unless the signed-in user may submit items at all (before any input is read).
pub fn require_submit(authed: &Authed) -> AppResult<()> {
    if intake::may_submit(&authed.viewer()) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// What an Open311 submission brings beyond the portal's fields.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Values of the category's attributes (checked against its definitions by the caller).
    pub attributes: Vec<liaison_core::open311::AttributeValue>,
    /// The API key it came through.
    pub api_key: Option<i64>,
}

/// [`submit_item`] with Open311's extras.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn submit_item_with(
    state: &AppState,
    authed: &Authed,
    input: &ItemInput,
    enterprise_id: Option<i64>,
    idempotency_key: Option<String>,
    extras: Extras,
) -> AppResult<Created> {
    require_submit(authed)?;
    let viewer = authed.viewer();
    let details = input.validate()?;
    let (enterprise_id, on_behalf) = match intake::authorize(&viewer, enterprise_id, details.channel) {
        Ok(Intake::Own(id)) => (id, false),
        Ok(Intake::OnBehalf(id)) => (crate::actions::visible_enterprise(state, authed, id).await?.id, true),
        Err(IntakeRefusal::Forbidden) => return Err(AppError::Forbidden),
        Err(IntakeRefusal::EnterpriseRequired) => {
            return Err(AppError::field("enterprise_id", "enterprise.required", "请选择企业 / choose the enterprise"));
        }
        Err(IntakeRefusal::StaffChannel) => {
            return Err(AppError::field(
                "channel",
                "channel.staff",
                "代录时请选择来源渠道 / choose the channel it came by",
            ));
        }
        Err(IntakeRefusal::EnterpriseChannel) => {
            return Err(AppError::field(
                "channel",
                "channel.portal",
                "企业提交的渠道为助企直通车 / enterprises submit through the portal",
            ));
        }
    };
    let unknown_category =
        || AppError::field("category_id", "category.unknown", "请选择该类型下的分类 / choose a category of this kind");
    let (category, policy) =
        found(state.db.category_terms(details.category_id, details.priority).await, unknown_category)?;
    if category.retired || category.kind != details.kind.code() {
        return Err(unknown_category());
    }
    let now = state.clock.now();
    let item = NewItem {
        kind: details.kind,
        category_id: category.id,
        priority: details.priority,
        channel: details.channel,
        title: details.title,
        description: details.description,
        address: details.address,
        longitude: details.location.map(|(lng, _)| lng),
        latitude: details.location.map(|(_, lat)| lat),
        enterprise_id,
        idempotency_key,
        daily_limit: Some(state.config.daily_items_per_enterprise),
        attributes: extras.attributes,
        api_key: extras.api_key,
    };
    let due = policy.deadlines(&state.calendar, now);
    match state.db.create_item(&authed.ctx(now), &item, &due, on_behalf).await {
        Err(StoreError::Limit) => {
            state.db.audit_denied(&authed.ctx(now), "item.create", "item", "daily submission limit").await?;
            let renews = liaison_core::calendar::next_day_start(now);
            Err(AppError::TooManyRequests((renews - now).num_seconds().max(1).unsigned_abs()))
        }
        created => Ok(created?),
    }
}

/// Whether the viewer may add files to item `id`: they own it or work on it, and it is not final.
/// Checked before an upload is read, so a refused caller's body is never stored.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn check_attach(state: &AppState, authed: &Authed, id: i64) -> AppResult<()> {
    let VisibleItem { row, relation, .. } = visible_item(state, authed, id).await?;
    if !(relation.owner || relation.handler || relation.supervisor) {
        return Err(AppError::Forbidden);
    }
    if Status::parse(&row.status).is_none_or(Status::is_final) {
        return Err(AppError::Conflict("item_final", "事项已结束，不能再上传附件 / the item is finished".into()));
    }
    Ok(())
}

/// Records received files on item `id` (checked with [`check_attach`] or just submitted). Flagged
/// files are recorded as quarantined (audited, never served); past the limit the rest is removed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attach_files(state: &AppState, authed: &Authed, id: i64, files: Vec<Received>) -> AppResult<()> {
    let ctx = authed.ctx(state.clock.now());
    for (index, file) in files.iter().enumerate() {
        let record = NewAttachment {
            file_name: file.file_name.clone(),
            content_type: file.file_type.mime().to_owned(),
            size: file.size,
            sha256: file.sha256.clone(),
            storage_name: file.storage_name.clone(),
            status: if file.infected { "quarantined" } else { "clean" },
        };
        if let Err(error) = state.db.add_attachment(&ctx, id, &record).await {
            let rest: Vec<String> = files[index..].iter().map(|f| f.storage_name.clone()).collect();
            state.uploads.discard(&rest).await;
            return Err(error.into());
        }
    }
    Ok(())
}

/// A clean attachment of an item the viewer sees, as a download.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn download(
    state: &AppState,
    authed: &Authed,
    id: i64,
    attachment_id: i64,
) -> AppResult<axum::response::Response> {
    visible_item(state, authed, id).await?;
    let file = state.db.attachment(id, attachment_id).await?;
    if file.status != "clean" {
        return Err(AppError::NotFound);
    }
    state.uploads.serve(&file.storage_name, &file.file_name, &file.content_type).await
}

/// Takes `step` on item `id` at `version` for the signed-in user; answers the saved item.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn take_step(
    state: &AppState,
    authed: &Authed,
    id: i64,
    version: i64,
    step: Step,
    input: &StepInput,
) -> AppResult<ItemRow> {
    let visible = visible_item(state, authed, id).await?;
    let viewer = authed.viewer();
    if visible.row.version != version {
        return Err(stale(&visible, Actor::User(&viewer)));
    }
    if let (Step::Assign | Step::Reassign, Some(target)) = (step, input.handler_id) {
        check_handler(state, &viewer, target).await?;
    }
    if let (Step::Refer, Some(department)) = (step, input.department_id) {
        let invalid =
            || AppError::field("department_id", "department.invalid", "请选择协同部门 / choose a partner department");
        let unit = found(state.db.unit(department).await, invalid)?;
        if unit.kind != "department" || unit.retired_at.is_some() {
            return Err(invalid());
        }
    }
    let ctx = authed.ctx(state.clock.now());
    let prepared =
        prepare_step(state, &ctx, &visible.row, &visible.referrals, Actor::User(&viewer), step, input).await?;
    match state.db.save_step(&ctx, &prepared.saved()).await {
        Ok(()) => Ok(state.db.item(id).await?),
        // Someone was first since we read it: answer with the item as it is now.
        Err(StoreError::Stale) => Err(stale(&visible_item(state, authed, id).await?, Actor::User(&viewer))),
        Err(other) => Err(other.into()),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn check_handler(state: &AppState, viewer: &Viewer, target: i64) -> AppResult<()> {
    let invalid =
        || AppError::field("handler_id", "handler.invalid", "请选择辖区内的民警 / choose an officer in your area");
    let user = found(state.db.user(target).await, invalid)?;
    let unit = OrgPath::parse(&user.row.unit_path).ok_or_else(invalid)?;
    let officer = user.roles.contains(&Role::Officer) && user.row.status == "active";
    if may_assign_to(viewer, target, officer, &unit) { Ok(()) } else { Err(invalid()) }
}

/// A step decided through the pure state, with everything its save writes.
#[derive(Debug, Clone)]
pub struct PreparedStep {
    /// Who, when.
    pub ctx: Ctx,
    /// The state read.
    pub before: ItemState,
    /// The state after the step.
    pub after: ItemState,
    /// The timeline row.
    pub event: NewEvent,
    /// Inbox messages.
    pub notes: Vec<NewNotification>,
    /// The timer's next instant.
    pub timer: Option<chrono::DateTime<chrono::Utc>>,
    /// The referral change.
    pub referral: Option<ReferralChange>,
}

impl PreparedStep {
    /// What the store writes.
    pub fn saved(&self) -> SavedStep<'_> {
        SavedStep {
            before: &self.before,
            after: &self.after,
            event: &self.event,
            notifications: &self.notes,
            timer: self.timer,
            referral: self.referral.as_ref(),
        }
    }
}

/// Decides a step (the refusals as `AppError`s) and prepares what its save writes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn prepare_step(
    state: &AppState,
    ctx: &Ctx,
    row: &ItemRow,
    referrals: &[Referral],
    actor: Actor<'_>,
    step: Step,
    input: &StepInput,
) -> AppResult<PreparedStep> {
    let before = row.state_with(referrals);
    let mut after = before.clone();
    let policy = state.db.sla_policy(row.kind(), row.priority(), row.category_id).await?;
    let env = Env { now: ctx.at, calendar: &state.calendar, policy: &policy };
    after.apply(actor, step, input, env).map_err(|error| match error {
        StepError::Missing(field, message) => AppError::field(field, &format!("{field}.required"), message),
        StepError::Refused(Refusal::NotVisible) => AppError::NotFound,
        StepError::Refused(Refusal::NotAllowed(_)) => AppError::Forbidden,
        StepError::Refused(Refusal::WrongState { current, allowed }) => AppError::Transition {
            code: "invalid_transition",
            message: format!(
                "当前状态「{}」不能{} / not possible while {}",
                current.label(),
                step.label(),
                current.code()
            ),
            current_status: current.code(),
            version: row.version,
            allowed_steps: allowed.iter().map(|s| s.code()).collect(),
        },
    })?;
    let on_behalf = step == Step::Feedback && after.feedback_by_staff;
    let body = match step {
        Step::Feedback => feedback_text(input),
        _ => input.body.trim().to_owned(),
    };
    // Notes, supervision and escalation are the police side's own business.
    let internal = matches!(step, Step::Note | Step::Supervise | Step::Escalate);
    let event = NewEvent { step: step.code().into(), body, internal, on_behalf };
    let notes = notifications(state, row, &after, step, ctx.actor_id, input.department_id).await?;
    let timer = after.next_timer(Duration::hours(state.config.escalate_after_hours));
    let referral = ReferralChange::between(&before, &after, step == Step::Answer, input.body.trim());
    Ok(PreparedStep { ctx: ctx.clone(), before, after, event, notes, timer, referral })
}

fn feedback_text(input: &StepInput) -> String {
    let rating = input.rating.map(|r| r.label()).unwrap_or_default();
    let solved = if input.solved == Some(true) { "已解决" } else { "未解决" };
    match input.body.trim() {
        "" => format!("{rating}，{solved}"),
        comment => format!("{rating}，{solved}：{comment}"),
    }
}

fn stale(visible: &VisibleItem, actor: Actor<'_>) -> AppError {
    let (row, facts) = (&visible.row, visible.state().facts());
    AppError::Transition {
        code: "stale_version",
        message: format!(
            "该事项已被更新（当前「{}」，版本 {}），请刷新后重试 / the item changed, reload",
            facts.status.label(),
            row.version
        ),
        current_status: facts.status.code(),
        version: row.version,
        allowed_steps: liaison_core::item::workflow::allowed_steps(actor, &facts).iter().map(|s| s.code()).collect(),
    }
}

/// Who is told about a step, and what.
#[tracing::instrument(level = "debug", skip_all)]
async fn notifications(
    state: &AppState,
    row: &ItemRow,
    after: &liaison_core::item::state::ItemState,
    step: Step,
    actor_id: Option<i64>,
    department: Option<i64>,
) -> AppResult<Vec<NewNotification>> {
    let worker = after.handler_id.or(row.officer_id);
    let mut recipients: Vec<(Option<i64>, &str)> = match step {
        Step::Accept | Step::Reject | Step::Resolve => vec![(Some(row.submitted_by), "item.progress")],
        Step::Assign | Step::Reassign => vec![(after.handler_id, "item.assigned")],
        Step::Feedback if after.status == Status::Assigned => vec![(worker, "item.reopened")],
        Step::Comment if actor_id == Some(row.submitted_by) => vec![(worker, "item.comment")],
        Step::Comment => vec![(Some(row.submitted_by), "item.comment")],
        Step::Supervise => vec![(worker, "item.supervised")],
        Step::Answer => vec![(worker, "item.answered")],
        Step::Escalate => Vec::new(),
        _ => Vec::new(),
    };
    if let (Step::Refer, Some(unit)) = (step, department) {
        for user in state.db.users_of_unit(unit, "department_user").await? {
            recipients.push((Some(user), "item.referred"));
        }
    }
    if step == Step::Escalate {
        let role = if after.escalation_level >= 2 { "center_staff" } else { "station_head" };
        for user in state.db.users_above(&row.path, role).await? {
            recipients.push((Some(user), "item.escalated"));
        }
    }
    // Notifications leave the platform (email, webhooks): personal numbers in the title are masked.
    let title = format!("{} {}：{}", row.number, step.label(), liaison_core::mask::in_text(&row.title));
    Ok(recipients
        .into_iter()
        .filter_map(|(user, kind)| user.filter(|&u| Some(u) != actor_id).map(|u| (u, kind)))
        .map(|(user_id, kind)| NewNotification {
            user_id,
            kind: kind.into(),
            title: title.clone(),
            body: String::new(),
        })
        .collect())
}
