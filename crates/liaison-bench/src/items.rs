//! The closed-loop scenarios: seeding items (a share open, with armed timers), the SLA sweep over them,
//! and over HTTP durable intake, the officer's worklist and the item detail.

use crate::Args;
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use liaison_core::calendar::Calendar;
use liaison_core::item::state::ItemState;
use liaison_core::item::{Channel, Kind, Priority, Status, human_number};
use liaison_core::org::OrgPath;
use liaison_core::permission::Visibility;
use liaison_core::sla::default_policy;
use liaison_store::enterprises::EnterpriseFilter;
use liaison_store::item_import::{PastEvent, PastItem};
use liaison_store::items::NewEvent;
use liaison_store::{Ctx, Db, Paging};
use std::path::Path;
use std::time::Instant;

/// Items written per transaction while seeding.
const BATCH: usize = 10_000;

/// Adds items until the database holds `args.items`: 70 % closed, 30 % open with their timer armed in
/// the future — except `args.due` whose warning is already due, for the sweep to find.
pub async fn seed(args: &Args, url: &str) -> anyhow::Result<usize> {
    let db = Db::open(url, 2).await?;
    let root = db.root_unit().await?.context("demo district")?;
    let root = OrgPath::parse(&root.path).context("path")?;
    let mut enterprises = Vec::new();
    let mut page = 1;
    loop {
        let rows = db
            .enterprises(
                &Visibility::Subtree(root.clone()),
                &EnterpriseFilter::default(),
                Paging::new(Some(page), Some(200)),
            )
            .await?;
        if rows.items.is_empty() || enterprises.len() >= 20_000 {
            break;
        }
        enterprises.extend(rows.items.into_iter().filter_map(|e| Some((e.id, e.org_path(), e.officer_id?, e.address))));
        page += 1;
    }
    let submitter = db.user_by_username("officer-001").await?.context("officer-001")?.row.id;
    let calendar = Calendar::official();
    let now = Utc::now();
    let existing = db.item_count().await?;
    let missing = args.items.saturating_sub(existing as usize);
    let started = Instant::now();
    let mut written = 0;
    while written < missing {
        let batch: Vec<PastItem> = (written..missing.min(written + BATCH))
            .map(|n| {
                let (enterprise, path, officer, address) = &enterprises[n % enterprises.len()];
                let open = n % 10 < 3;
                let due_now = n < args.due;
                past_item(n, *enterprise, path, *officer, address, submitter, open, due_now, now, &calendar)
            })
            .collect();
        db.import_past_items(&Ctx::system(now), &batch).await?;
        written += batch.len();
    }
    db.close().await;
    println!("seeded {missing} items in {:.1} s", started.elapsed().as_secs_f64());
    Ok(existing as usize + missing)
}

#[allow(clippy::too_many_arguments)]
fn past_item(
    n: usize,
    enterprise_id: i64,
    path: &OrgPath,
    officer: i64,
    address: &str,
    submitter: i64,
    open: bool,
    due_now: bool,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> PastItem {
    // Open items are recent (their warning is days away) except the `due` ones, ten days old.
    let submitted_at = if due_now { now - Duration::days(10) } else { now - Duration::seconds((n % 3_600) as i64) };
    let policy = default_policy(Kind::Need, Priority::Normal);
    let due = policy.deadlines(calendar, submitted_at);
    let status = if open { Status::InProgress } else { Status::Closed };
    let submitted = ItemState::submitted(enterprise_id, path.clone(), Some(officer), submitted_at, due);
    let state = ItemState {
        version: 4,
        status,
        handler_id: Some(officer),
        responded_at: Some(submitted_at + Duration::hours(1)),
        respond_margin: Some(3600),
        resolved_at: (!open).then(|| submitted_at + Duration::hours(20)),
        resolve_margin: (!open).then_some(86_400),
        working_seconds: (!open).then_some(72_000),
        resolution: (!open).then(|| "已解决".to_owned()),
        closed_at: (!open).then(|| submitted_at + Duration::days(2)),
        close_reason: (!open).then(|| "feedback".to_owned()),
        solved: (!open).then_some(true),
        ..submitted
    };
    let submit = PastEvent {
        at: submitted_at,
        actor_id: Some(submitter),
        event: NewEvent { step: "submit".into(), body: "压测诉求".into(), internal: false, on_behalf: true },
        from: None,
        to: Some(Status::Submitted),
    };
    PastItem {
        number: human_number("BM", 2000 + (n / 900_000) as i32, (n % 900_000) as i64 + 1),
        kind: Kind::Need,
        category_id: 1,
        priority: Priority::Normal,
        channel: Channel::Phone,
        title: format!("压测诉求 {n}"),
        description: "压测用诉求内容：春节后需要招聘操作工".into(),
        address: address.to_owned(),
        submitted_by: submitter,
        timer: open.then_some(due.warn_at),
        state,
        events: vec![submit],
        referrals: Vec::new(),
        dispute: None,
    }
}

/// Runs the SLA sweep in-process over the seeded items and prints how long it took.
pub async fn sweep(url: &str, dir: &Path) -> anyhow::Result<()> {
    let db = Db::open(url, 4).await?;
    let state = liaison_web::AppState::new(liaison_web::App {
        db: db.clone(),
        clock: std::sync::Arc::new(liaison_core::clock::SystemClock),
        config: std::sync::Arc::new(liaison_web::WebConfig::default()),
        calendar: std::sync::Arc::new(Calendar::official()),
        uploads: std::sync::Arc::new(liaison_web::uploads::Uploads::new(
            dir.join("uploads"),
            Box::new(liaison_web::uploads::EicarScanner),
        )?),
        notifier: std::sync::Arc::new(
            liaison_web::notify::Notifier::new(Default::default(), Box::new(liaison_web::notify::LoggingSms))
                .map_err(|e| anyhow::anyhow!(e))?,
        ),
        limits: Default::default(),
    });
    let open = db.pending_jobs().await?;
    let started = Instant::now();
    let ran = liaison_web::jobs::run_due(&state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let took = started.elapsed();
    let started = Instant::now();
    let again = liaison_web::jobs::run_due(&state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "SLA sweep over {} items ({open} armed timers): {ran} due timers handled in {:.2} s ({:.0}/s); a sweep with nothing due: {:.1} ms ({again} run) (target < 2 s)",
        db.item_count().await?,
        took.as_secs_f64(),
        ran as f64 / took.as_secs_f64(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    db.close().await;
    Ok(())
}
