//! The background worker: claims due jobs from the job table and runs them — the item timer (催办
//! warning, overdue flag, escalation one level up, auto-close without feedback) and notification
//! deliveries (email, webhook, SMS, retried with backoff). Safe with
//! several instances: each claim holds a lease, and every change is saved under the item's version.

use crate::AppState;
use crate::actions::items::{PreparedStep, prepare_step};
use crate::error::{AppError, AppResult};
use chrono::Duration;
use liaison_core::item::state::{StepInput, TimerEvent};
use liaison_core::item::workflow::{Actor, Step};
use liaison_store::Ctx;
use liaison_store::item_steps::Referral;
use liaison_store::items::{ITEM_TIMER, ItemRow, NewEvent, NewNotification};
use liaison_store::jobs::Job;
use liaison_store::outbox::DELIVER;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// Attempts before a delivery is given up as failed (30 s, 1, 2, 4, 8 min apart).
const DELIVERY_ATTEMPTS: i64 = 6;
/// Jobs claimed per round.
const BATCH: i64 = 200;
/// Claim loops of a sweep.
const LOOPS: usize = 3;
/// How long a claim is held before another worker may take the job.
const LEASE_MINUTES: i64 = 5;

/// Runs due jobs every few seconds until the task is dropped.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn run_forever(state: AppState) {
    loop {
        match run_due(&state).await {
            Ok(done) if done > 0 => tracing::info!(done, "jobs run"),
            Ok(_) => tokio::time::sleep(std::time::Duration::from_secs(5)).await,
            Err(error) => {
                tracing::error!(%error, "job round failed");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
        }
    }
}

/// Claims and runs every job due now, batch after batch, in [`LOOPS`] claim loops of their own; returns
/// how many ran. While one loop's batch waits on the database, the others' are decided or written (their
/// claims never overlap — each holds a lease — and every step is saved under the item's version).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn run_due(state: &AppState) -> AppResult<usize> {
    let mut loops = tokio::task::JoinSet::new();
    for _ in 0..LOOPS {
        let state = state.clone();
        loops.spawn(async move { run_batches(&state).await });
    }
    let mut done = 0;
    let mut failed = None;
    // Every loop finishes its batch before the sweep answers (a failure does not abort the others).
    while let Some(ended) = loops.join_next().await {
        match ended.map_err(|error| AppError::Internal(format!("a claim loop panicked: {error}"))) {
            Ok(Ok(ran)) => done += ran,
            Ok(Err(error)) | Err(error) => failed = failed.or(Some(error)),
        }
    }
    failed.map_or(Ok(done), Err)
}

/// One claim loop: batch after batch until nothing is due. The item timers of a batch are decided one
/// by one from their items, read together, and saved in one transaction (one commit for the whole
/// batch): on PostgreSQL every statement is a round trip, and reading each item on its own made 6,000
/// due timers take 5.5 s. A loop claims again after its own batch is saved, so a timer a step re-arms
/// for an instant already past is run in the same sweep.
#[tracing::instrument(level = "debug", skip_all)]
async fn run_batches(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    loop {
        let now = state.clock.now();
        let jobs = state.db.claim_jobs(now, Duration::minutes(LEASE_MINUTES), BATCH).await?;
        if jobs.is_empty() {
            return Ok(done);
        }
        let item_ids: Vec<i64> = jobs.iter().filter(|job| job.kind == ITEM_TIMER).map(|job| job.ref_id).collect();
        let items = state.db.items_with_referrals(&item_ids).await?;
        let mut heads_above = HeadsAbove::new();
        let mut timers = Vec::new();
        for job in &jobs {
            let outcome = match job.kind.as_str() {
                ITEM_TIMER => match items.get(&job.ref_id) {
                    Some(item) => item_timer(state, job, item, &mut heads_above)
                        .await
                        .map(|step| timers.extend(step.map(|s| (job, s)))),
                    None => Err(AppError::NotFound),
                },
                DELIVER => deliver(state, job).await,
                other => {
                    tracing::error!(kind = other, "unknown job kind; dropped");
                    state.db.reschedule_job(job, None, None).await.map_err(Into::into)
                }
            };
            if let Err(error) = outcome {
                retry(state, job, &error.to_string()).await?;
            }
            done += 1;
        }
        let batch: Vec<_> = timers.iter().map(|(_, step)| (step.ctx.clone(), step.saved())).collect();
        for ((job, _), result) in timers.iter().zip(state.db.save_steps(&batch).await?) {
            if let Err(error) = result {
                retry(state, job, &error.to_string()).await?;
            }
        }
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn retry(state: &AppState, job: &Job, error: &str) -> AppResult<()> {
    tracing::warn!(job = job.id, kind = %job.kind, %error, "job failed; retrying with backoff");
    let at = state.clock.now() + backoff(job.attempts);
    Ok(state.db.reschedule_job(job, Some(at), Some(error)).await?)
}

/// Sends one delivery; a failure is recorded and retried with backoff until the last attempt.
#[tracing::instrument(level = "debug", skip_all)]
async fn deliver(state: &AppState, job: &Job) -> AppResult<()> {
    let delivery = state.db.delivery(job.ref_id).await?;
    let outcome = state.notifier.send(&delivery).await;
    let now = state.clock.now();
    let last = job.attempts >= DELIVERY_ATTEMPTS;
    match &outcome {
        Ok(()) => state.db.record_delivery(delivery.id, now, Ok(())).await?,
        Err(error) => {
            tracing::warn!(delivery = delivery.id, channel = %delivery.channel, %error, "delivery failed");
            state.db.record_delivery(delivery.id, now, Err((error, last))).await?;
        }
    }
    let retry = (outcome.is_err() && !last).then(|| now + backoff(job.attempts));
    Ok(state.db.reschedule_job(job, retry, outcome.err().as_deref()).await?)
}

fn backoff(attempts: i64) -> Duration {
    Duration::seconds(30 * 2_i64.pow(attempts.clamp(1, 10) as u32 - 1))
}

/// The station heads above each org path, read once per batch (a batch's items share a few units).
type HeadsAbove = HashMap<String, Vec<i64>>;

/// Decides what is due on one item: the step to save (warn, overdue, escalate, auto-close) — saved
/// with the batch, which re-arms the timer — or, when nothing is due, re-arms the timer itself.
#[tracing::instrument(level = "debug", skip_all)]
async fn item_timer(
    state: &AppState,
    job: &Job,
    (row, referrals): &(ItemRow, Vec<Referral>),
    heads_above: &mut HeadsAbove,
) -> AppResult<Option<PreparedStep>> {
    let now = state.clock.now();
    let escalate_after = Duration::hours(state.config.escalate_after_hours);
    let before = row.state_with(referrals);
    let ctx = Ctx::system(now);
    let Some(event) = before.timer_event(now, escalate_after) else {
        // Nothing due (the item moved on since the job was armed): keep the timer in step with it.
        state.db.reschedule_job(job, before.next_timer(escalate_after), None).await?;
        return Ok(None);
    };
    let step = match event {
        TimerEvent::Escalate => Step::Escalate,
        TimerEvent::AutoClose => Step::AutoClose,
        TimerEvent::Warn | TimerEvent::Overdue => {
            let mut after = before.clone();
            after.mark(event, now);
            let (step, text) = match event {
                TimerEvent::Warn => ("warn", "催办：办理时限已用去预警比例，请抓紧办理"),
                _ => ("overdue", "逾期：已超过办结时限"),
            };
            let mut recipients: Vec<i64> = after.handler_id.or(row.officer_id).into_iter().collect();
            if event == TimerEvent::Overdue {
                let heads = match heads_above.entry(row.path.clone()) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(unknown) => unknown.insert(state.db.users_above(&row.path, "station_head").await?),
                };
                recipients.extend(heads.iter().copied());
            }
            let notes = recipients
                .into_iter()
                .map(|user_id| NewNotification {
                    user_id,
                    kind: format!("item.{step}"),
                    title: format!("{} {}", row.number, text),
                    body: liaison_core::mask::in_text(&row.title),
                })
                .collect();
            let event = NewEvent { step: step.into(), body: text.into(), internal: true, on_behalf: false };
            let timer = after.next_timer(escalate_after);
            return Ok(Some(PreparedStep { ctx, before, after, event, notes, timer, referral: None }));
        }
    };
    Ok(Some(prepare_step(state, &ctx, row, referrals, Actor::System, step, &StepInput::default()).await?))
}
