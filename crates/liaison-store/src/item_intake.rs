//! Intake: numbering and writing new items through the intake writer — concurrent intakes are
//! committed together (group commit: one transaction, one fsync, each under its own savepoint), and
//! each caller is answered only after the commit.

use crate::audit::append;
use crate::db::{begin_savepoint, end_savepoint};
use crate::items::{NewEvent, NewItem, NewNotification, arm_timer, insert_event, insert_notification};
use crate::{Ctx, Db, StoreError, StoreResult, Tx};
use chrono::Datelike;
use liaison_core::TIMEZONE;
use liaison_core::item::{Status, human_number};
use liaison_core::sla::Deadlines;

impl Db {
    /// Takes in a new item: numbers it, writes it with its first timeline row, audit row, a
    /// notification for the responsible officer, and arms its timer. A repeated idempotency key of the
    /// same submitter returns the first item's id instead. Concurrent intakes are committed together
    /// (group commit: one transaction, one fsync, each under its own savepoint); each caller is answered
    /// only after the commit.
    pub async fn create_item(&self, ctx: &Ctx, item: &NewItem, due: &Deadlines, on_behalf: bool) -> StoreResult<i64> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let intake = Intake { ctx: ctx.clone(), item: item.clone(), due: *due, on_behalf, reply };
        match self.intake() {
            Some(queue) if queue.send(intake).await.is_ok() => {
                answer.await.unwrap_or_else(|_| Err(StoreError::Conflict("the intake writer stopped".into())))
            }
            _ => self
                .create_items_now(std::slice::from_ref(&(ctx.clone(), item.clone(), *due, on_behalf)))
                .await?
                .remove(0),
        }
    }

    /// Writes items in one transaction, each under its own savepoint.
    async fn create_items_now(&self, items: &[(Ctx, NewItem, Deadlines, bool)]) -> StoreResult<Vec<StoreResult<i64>>> {
        let mut tx = self.begin().await?;
        let mut results = Vec::with_capacity(items.len());
        for (ctx, item, due, on_behalf) in items {
            begin_savepoint(&mut tx).await?;
            let result = write_item(&mut tx, ctx, item, due, *on_behalf).await;
            results.push(end_savepoint(&mut tx, result).await?);
        }
        tx.commit().await?;
        Ok(results)
    }
}

/// One intake request waiting for the writer.
#[derive(Debug)]
pub(crate) struct Intake {
    ctx: Ctx,
    item: NewItem,
    due: Deadlines,
    on_behalf: bool,
    reply: tokio::sync::oneshot::Sender<StoreResult<i64>>,
}

/// Items committed together at most.
const INTAKE_BATCH: usize = 64;

/// The intake writer: takes what is queued (up to [`INTAKE_BATCH`]) and commits it at once; a batch
/// whose commit fails is retried item by item so each caller gets its own answer.
pub(crate) async fn intake_writer(db: Db, mut queue: tokio::sync::mpsc::Receiver<Intake>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < INTAKE_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let work: Vec<_> = batch.iter().map(|i| (i.ctx.clone(), i.item.clone(), i.due, i.on_behalf)).collect();
        match db.create_items_now(&work).await {
            Ok(results) => {
                for (intake, result) in batch.into_iter().zip(results) {
                    let _ = intake.reply.send(result);
                }
            }
            Err(error) => {
                tracing::warn!(%error, size = work.len(), "intake batch failed; retrying one by one");
                for (intake, one) in batch.into_iter().zip(work) {
                    let result = match db.create_items_now(std::slice::from_ref(&one)).await {
                        Ok(mut results) => results.remove(0),
                        Err(error) => Err(error),
                    };
                    let _ = intake.reply.send(result);
                }
            }
        }
    }
}

/// The writes of one intake inside an open transaction (see [`Db::create_item`]).
async fn write_item(tx: &mut Tx, ctx: &Ctx, item: &NewItem, due: &Deadlines, on_behalf: bool) -> StoreResult<i64> {
    let submitter = ctx.actor_id.ok_or(StoreError::Conflict("an item needs a submitter".into()))?;
    if let Some(key) = &item.idempotency_key {
        let existing: Option<i64> =
            fetch!(tx, |c| sqlx::query_scalar("SELECT id FROM item WHERE submitted_by = $1 AND idempotency_key = $2")
                .bind(submitter)
                .bind(key)
                .fetch_optional(c))?;
        if let Some(id) = existing {
            return Ok(id);
        }
    }
    let (path, officer_id, district): (String, Option<i64>, Option<String>) = fetch!(tx, |c| {
            sqlx::query_as(
                "SELECT e.path, e.officer_id,
                    (SELECT d.code FROM org_unit d WHERE d.kind = 'district' AND substr(e.path, 1, length(d.path)) = d.path)
                 FROM enterprise e WHERE e.id = $1 AND e.status = 'active'",
            )
            .bind(item.enterprise_id)
            .fetch_optional(c)
        })?
        .ok_or(StoreError::NotFound)?;
    let district = district.unwrap_or_else(|| "LX".into());
    let year = i64::from(ctx.at.with_timezone(&TIMEZONE).year());
    let sequence: i64 = fetch!(tx, |c| sqlx::query_scalar(
        "INSERT INTO item_sequence (district_code, year, last) VALUES ($1, $2, 1)
             ON CONFLICT (district_code, year) DO UPDATE SET last = item_sequence.last + 1 RETURNING last"
    )
    .bind(&district)
    .bind(year)
    .fetch_one(c))?;
    let number = human_number(&district, i32::try_from(year).unwrap_or_default(), sequence);
    let id: i64 = fetch!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO item (number, kind, category_id, priority, channel, title, description, address, longitude,
                latitude, enterprise_id, path, officer_id, status, version, submitted_by, submitted_at, idempotency_key,
                respond_due_at, resolve_due_at, warn_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'submitted', 1, $14, $15, $16, $17, $18, $19, $15)
             RETURNING id"
        )
        .bind(&number)
        .bind(item.kind.code())
        .bind(item.category_id)
        .bind(item.priority.code())
        .bind(item.channel.code())
        .bind(&item.title)
        .bind(&item.description)
        .bind(&item.address)
        .bind(item.longitude)
        .bind(item.latitude)
        .bind(item.enterprise_id)
        .bind(&path)
        .bind(officer_id)
        .bind(submitter)
        .bind(ctx.at)
        .bind(&item.idempotency_key)
        .bind(due.respond_due)
        .bind(due.resolve_due)
        .bind(due.warn_at)
        .fetch_one(c)
    })?;
    let event = NewEvent { step: "submit".into(), body: item.description.clone(), internal: false, on_behalf };
    insert_event(tx, ctx, id, &event, None, Some(Status::Submitted)).await?;
    if let Some(officer) = officer_id {
        let note = NewNotification {
            user_id: officer,
            kind: "item.submitted".into(),
            title: format!("新{}：{}", item.kind.label(), number),
            body: item.title.clone(),
        };
        insert_notification(tx, ctx.at, id, &note).await?;
    }
    arm_timer(tx, id, Some(due.warn_at)).await?;
    append(tx, ctx.at, &ctx.event("item.create", "item", Some(id), number)).await?;
    Ok(id)
}
