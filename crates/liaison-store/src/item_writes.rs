//! The row writers intake, steps, imports, attachments and mediation share: timeline rows, inbox rows
//! with their deliveries, and the items' timer jobs, each a batch in one statement.

use crate::items::{ITEM_TIMER, NewEvent, NewNotification};
use crate::{Ctx, StoreResult, Tx};
use chrono::{DateTime, Utc};
use liaison_core::item::Status;

/// A timeline row to write.
pub(crate) struct EventWrite<'a> {
    /// The item.
    pub item_id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`None`: the system).
    pub actor_id: Option<i64>,
    /// What.
    pub event: &'a NewEvent,
    /// Status before.
    pub from: Option<Status>,
    /// Status after.
    pub to: Option<Status>,
}

/// Appends a timeline row (also used by attachments and mediation).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn insert_event(
    tx: &mut Tx,
    ctx: &Ctx,
    item_id: i64,
    event: &NewEvent,
    from: Option<Status>,
    to: Option<Status>,
) -> StoreResult<()> {
    insert_events(tx, &[EventWrite { item_id, at: ctx.at, actor_id: ctx.actor_id, event, from, to }]).await
}

/// Appends timeline rows in one statement (the actor's name is copied in, so the timeline reads alone).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn insert_events(tx: &mut Tx, rows: &[EventWrite<'_>]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    exec!(tx, |c| async {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO item_event (item_id, at, actor_id, actor_name, step, from_status, to_status, body, internal,
             on_behalf) ",
        );
        insert.push_values(rows, |mut row, e| {
            row.push_bind(e.item_id)
                .push_bind(e.at)
                .push_bind(e.actor_id)
                .push("COALESCE((SELECT display_name FROM app_user WHERE id = ")
                .push_bind_unseparated(e.actor_id)
                .push_unseparated("), '系统')")
                .push_bind(&e.event.step)
                .push_bind(e.from.map(Status::code))
                .push_bind(e.to.map(Status::code))
                .push_bind(&e.event.body)
                .push_bind(e.event.internal)
                .push_bind(e.event.on_behalf);
        });
        insert.build().execute(c).await
    })?;
    Ok(())
}

/// Writes notifications `(created, item, notification)` in one statement, then their deliveries.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn insert_notifications(
    tx: &mut Tx,
    notes: &[(DateTime<Utc>, i64, &NewNotification)],
) -> StoreResult<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = fetch!(tx, |c| async {
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO notification (user_id, item_id, kind, title, body, created_at) ");
        insert.push_values(notes, |mut row, (at, item_id, note)| {
            row.push_bind(note.user_id)
                .push_bind(*item_id)
                .push_bind(&note.kind)
                .push_bind(&note.title)
                .push_bind(&note.body)
                .push_bind(*at);
        });
        insert.push(" RETURNING id");
        insert.build_query_scalar().fetch_all(c).await
    })?;
    crate::outbox::enqueue(tx, &ids).await
}

/// Removes the pending timer jobs of several items in one statement.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn clear_timers(tx: &mut Tx, item_ids: &[i64]) -> StoreResult<()> {
    if item_ids.is_empty() {
        return Ok(());
    }
    exec!(tx, |c| async {
        let mut delete = sqlx::QueryBuilder::new("DELETE FROM job WHERE kind = ");
        delete.push_bind(ITEM_TIMER).push(" AND ref_id IN ");
        crate::db::push_ids(&mut delete, item_ids);
        delete.build().execute(c).await
    })?;
    Ok(())
}

/// Sets the pending timer job of several items `(item, when)` in one statement.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn arm_timers(tx: &mut Tx, timers: &[(i64, DateTime<Utc>)]) -> StoreResult<()> {
    if timers.is_empty() {
        return Ok(());
    }
    exec!(tx, |c| async {
        let mut upsert = sqlx::QueryBuilder::new("INSERT INTO job (kind, ref_id, run_at) ");
        upsert.push_values(timers, |mut row, (item_id, at)| {
            row.push_bind(ITEM_TIMER).push_bind(*item_id).push_bind(*at);
        });
        upsert.push(
            " ON CONFLICT (kind, ref_id) DO UPDATE SET run_at = excluded.run_at, attempts = 0, locked_until = NULL",
        );
        upsert.build().execute(c).await
    })?;
    Ok(())
}
