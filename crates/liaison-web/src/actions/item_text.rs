//! Personal numbers inside an item's free text (issue 14, SECURITY.md AC-03): mobile and resident ID
//! numbers written in titles, descriptions, timeline entries and the mediation record are masked
//! (`liaison_core::mask::in_text`) for every viewer but the item's own enterprise
//! (`Viewer::reads_item_text_as_written`) — in lists, details, duplicate hints and the API alike. Staff
//! holding the reveal permission unmask one item's text with a reason, audited like the reveal of an
//! enterprise's contact; notifications, which leave the platform by email and webhooks, carry titles
//! masked for everyone.

use super::items::{ItemView, item_view_as_written};
use super::mediation::DisputeView;
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppResult;
use liaison_core::mask::in_text;
use liaison_core::permission::Viewer;
use liaison_store::item_list::ItemSummary;

/// Masks the item's title and description and every timeline entry.
pub fn mask_view(view: &mut ItemView) {
    let row = &mut view.visible.row;
    row.title = in_text(&row.title);
    row.description = in_text(&row.description);
    for event in &mut view.timeline {
        event.body = in_text(&event.body);
    }
}

/// Masks a dispute's record: session participants and notes, the agreement and the guidance.
pub fn mask_dispute(record: &mut DisputeView) {
    for session in &mut record.sessions {
        session.participants = in_text(&session.participants);
        session.note = in_text(&session.note);
    }
    if let Some(dispute) = &mut record.dispute {
        dispute.agreement = dispute.agreement.as_deref().map(in_text);
        dispute.guidance = dispute.guidance.as_deref().map(in_text);
    }
}

/// Masks the titles of listed items the viewer does not read as written.
pub fn mask_summaries(viewer: &Viewer, items: &mut [ItemSummary]) {
    for item in items.iter_mut().filter(|item| !viewer.reads_item_text_as_written(item.enterprise_id)) {
        item.title = in_text(&item.title);
    }
}

/// Item `id`'s text unmasked, for staff holding the reveal permission, with a reason; audited with the
/// reason, never the text. Refusals are audited too.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reveal(
    state: &AppState,
    authed: &Authed,
    id: i64,
    reason: &str,
) -> AppResult<(ItemView, Option<DisputeView>)> {
    let view = item_view_as_written(state, authed, id).await?;
    super::audit_reveal(state, authed, "item", id, "free text", reason).await?;
    let dispute = match view.visible.row.kind() {
        liaison_core::item::Kind::Dispute => {
            Some(super::mediation::dispute_record_as_written(state, authed, id).await?)
        }
        _ => None,
    };
    Ok((view, dispute))
}
