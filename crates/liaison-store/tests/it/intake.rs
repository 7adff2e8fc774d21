//! Intake: numbering, idempotency, batches that answer each intake, the daily limit under concurrency,
//! intakes committed with steps, and the session cache an intake leaves alone.

use crate::harness::{backends, t0};
use crate::items::{ctx, deadlines, need, submit, take, viewer};
use chrono::Duration;
use liaison_core::calendar::Calendar;
use liaison_core::item::state::{Env, StepInput};
use liaison_core::item::workflow::{Actor, Step};
use liaison_core::item::{Kind, Priority};
use liaison_store::item_steps::SavedStep;
use liaison_store::items::{NewEvent, NewItem};
use liaison_store::{Ctx, Db, StoreError, fixture};
use std::collections::HashMap;

#[tokio::test]
async fn intake_numbers_items_per_district_and_year_and_honours_idempotency_keys() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let first = submit(&db, f.user("e1a"), f.e1, Some("k-1")).await;
        let again = submit(&db, f.user("e1a"), f.e1, Some("k-1")).await;
        let second = submit(&db, f.user("e2a"), f.e2, None).await;
        assert_eq!(first, again, "the same idempotency key returns the first item");
        let (a, b) = (db.item(first).await.expect("a"), db.item(second).await.expect("b"));
        assert_eq!((a.number.as_str(), b.number.as_str()), ("YZ-2026-000001", "YZ-2026-000002"));
        assert_eq!((a.status.as_str(), a.version, a.officer_id), ("submitted", 1, Some(f.user("o1"))));
        let timeline = db.item_detail(first).await.expect("timeline").timeline;
        assert_eq!(timeline.len(), 1);
        assert_eq!((timeline[0].step.as_str(), timeline[0].to_status.as_deref()), ("submit", Some("submitted")));
        assert_eq!(db.unread_count(f.user("o1")).await.expect("unread"), 1, "the officer is told");
        assert_eq!(db.due_jobs(a.warn_at).await.expect("jobs"), 2, "both items' timers are armed");
        let unknown = db.create_item(&ctx(f.user("e1a"), t0()), &need(9999, None), &deadlines(&db).await, false).await;
        assert!(matches!(unknown, Err(StoreError::NotFound)));
    }
}

/// Renames a user behind the store's back, as another process would.
async fn rename_elsewhere(db: &Db, user: i64, name: &str) {
    let sql = "UPDATE app_user SET display_name = $1 WHERE id = $2";
    match db.backend() {
        liaison_store::Backend::Sqlite { writer, .. } => {
            sqlx::query(sql).bind(name).bind(user).execute(writer).await.expect("rename");
        }
        liaison_store::Backend::Postgres(pool) => {
            sqlx::query(sql).bind(name).bind(user).execute(pool).await.expect("rename");
        }
    }
}

#[tokio::test]
async fn an_intake_keeps_resolved_sessions_and_any_other_commit_empties_them() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let o1 = f.user("o1");
        db.create_session(&Ctx::system(t0()), o1, "digest-o1", false, "test", 5).await.expect("session");
        let name = |resolved: Option<(liaison_store::sessions::SessionRow, liaison_store::users::User)>| {
            resolved.expect("resolved").1.row.display_name
        };
        let cached = name(db.session_with_user("digest-o1").await.expect("read"));
        let read_at = std::time::Instant::now();
        rename_elsewhere(&db, o1, "改名后").await;
        submit(&db, f.user("e1a"), f.e1, None).await;
        let after_intake = name(db.session_with_user("digest-o1").await.expect("read"));
        if read_at.elapsed() < liaison_store::SESSION_TTL {
            assert_eq!(after_intake, cached, "an intake leaves resolved sessions cached ({})", db.kind());
        }
        db.touch_session("digest-o1", t0()).await.expect("touch");
        let after_commit = name(db.session_with_user("digest-o1").await.expect("read"));
        assert_eq!(after_commit, "改名后", "any other commit empties the cache ({})", db.kind());
    }
}

/// A batch mixing good intakes, a retired enterprise and a repeated key: each intake gets its own
/// answer, and every created item has its number, timeline row, timer, notification, delivery and audit
/// row — written a statement per kind for the whole batch.
#[tokio::test]
async fn a_mixed_intake_batch_answers_each_intake_and_writes_everything_with_each_item() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let due = deadlines(&db).await;
        let (o1, e1a, e2a) = (f.user("o1"), f.user("e1a"), f.user("e2a"));
        let webhook = liaison_store::outbox::UserChannel {
            channel: "webhook".into(),
            target: "https://hooks.example.cn/o1".into(),
            format: "json".into(),
        };
        db.set_user_channels(&ctx(o1, t0()), o1, &[webhook]).await.expect("channels");
        db.set_enterprise_status(&ctx(o1, t0()), f.e2, true).await.expect("retire e2");
        let jobs_before = db.pending_jobs().await.expect("jobs");
        let mut tasks = Vec::new();
        for n in 0..24 {
            let (db, due) = (db.clone(), due);
            let (user, enterprise) = if n % 8 == 7 { (e2a, f.e2) } else { (e1a, f.e1) };
            let item =
                NewItem { idempotency_key: (n % 10 == 3).then(|| "batch-key".to_owned()), ..need(enterprise, None) };
            tasks.push(tokio::spawn(async move { db.create_item(&ctx(user, t0()), &item, &due, false).await }));
        }
        let mut created = Vec::new();
        for (n, task) in tasks.into_iter().enumerate() {
            match (n % 8 == 7, task.await.expect("task")) {
                (true, Err(StoreError::NotFound)) => {}
                (false, Ok(item)) => created.push(item),
                (retired, other) => panic!("intake {n} (retired enterprise: {retired}) answered {other:?}"),
            }
        }
        for answer in &created {
            let stored = db.item(answer.id).await.expect("item");
            assert_eq!((&stored.number, stored.resolve_due_at), (&answer.number, answer.resolve_due_at), "as answered");
        }
        let mut distinct: Vec<i64> = created.iter().map(|c| c.id).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!((created.len(), distinct.len()), (21, 20), "three retired; two share a key, answered by one item");
        let mut numbers = Vec::new();
        for &id in &distinct {
            let item = db.item(id).await.expect("item");
            numbers.push(item.number.clone());
            let timeline = db.item_detail(id).await.expect("timeline").timeline;
            assert_eq!((timeline.len(), timeline[0].step.as_str()), (1, "submit"), "item {id}");
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 20, "every item its own number");
        assert_eq!(db.pending_jobs().await.expect("jobs") - jobs_before, 20 * 2, "a timer and a delivery each");
        assert_eq!(db.unread_count(o1).await.expect("unread"), 20);
        let audited = db.audit_page("item.create", liaison_store::Paging::new(None, Some(100))).await.expect("audit");
        assert_eq!(audited.items.len(), 20);
        assert!(db.verify_audit_chain().await.expect("verify").is_ok(), "the batch's rows chain in order");
    }
}

/// The daily limit is checked inside the intake's transaction: of twelve concurrent submissions under a
/// limit of five, exactly five are taken, whatever batches they fall into; the next day counts afresh.
#[tokio::test]
async fn the_daily_limit_holds_for_concurrent_intakes() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let due = deadlines(&db).await;
        let e1a = f.user("e1a");
        let submit_at = |at: chrono::DateTime<chrono::Utc>| {
            (0..12)
                .map(|_| {
                    let db = db.clone();
                    let item = NewItem { daily_limit: Some(5), ..need(f.e1, None) };
                    tokio::spawn(async move { db.create_item(&ctx(e1a, at), &item, &due, false).await })
                })
                .collect::<Vec<_>>()
        };
        let mut taken = 0;
        for task in submit_at(t0()) {
            match task.await.expect("task") {
                Ok(_) => taken += 1,
                Err(StoreError::Limit) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(taken, 5);
        assert_eq!(db.item_count().await.expect("count"), 5, "the refused wrote nothing");
        let next_day = submit_at(t0() + Duration::days(1));
        let mut taken = 0;
        for task in next_day {
            taken += usize::from(task.await.expect("task").is_ok());
        }
        assert_eq!(taken, 5, "a new day, a new allowance");
    }
}

/// Keys are looked up for a whole batch at once, by submitter and key: a key taken earlier answers its
/// item, a new key a new item (once however often the batch repeats it), and another submitter's equal
/// key is another item.
#[tokio::test]
async fn concurrent_intakes_with_keys_old_and_new_each_get_their_item() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let due = deadlines(&db).await;
        let keyed = |enterprise: i64, key: String| NewItem { idempotency_key: Some(key), ..need(enterprise, None) };
        let mut earlier = Vec::new();
        for n in 0..5 {
            let item = keyed(f.e1, format!("k{n}"));
            earlier.push(db.create_item(&ctx(f.user("e1a"), t0()), &item, &due, false).await.expect("earlier").id);
        }
        let mut tasks = Vec::new();
        for (user, enterprise, n) in
            (0..20).map(|n| (f.user("e1a"), f.e1, n % 10)).chain((0..5).map(|n| (f.user("e2a"), f.e2, n)))
        {
            let (db, item) = (db.clone(), keyed(enterprise, format!("k{n}")));
            tasks.push(tokio::spawn(
                async move { (user, n, db.create_item(&ctx(user, t0()), &item, &due, false).await) },
            ));
        }
        let mut answers: HashMap<(i64, usize), Vec<i64>> = HashMap::new();
        for task in tasks {
            let (user, n, created) = task.await.expect("task");
            answers.entry((user, n)).or_default().push(created.expect("created").id);
        }
        for n in 0..10 {
            let ids = &answers[&(f.user("e1a"), n)];
            assert!(ids.iter().all(|id| *id == ids[0]), "k{n} answers one item: {ids:?}");
            assert_eq!(n < 5, earlier.contains(&ids[0]), "k{n} taken earlier or new");
        }
        for n in 0..5 {
            assert!(!earlier.contains(&answers[&(f.user("e2a"), n)][0]), "e2a's k{n} is its own item");
        }
        assert_eq!(db.item_count().await.expect("count"), 15, "five earlier, five new of e1a, five of e2a");
    }
}

#[tokio::test]
async fn concurrent_intakes_commit_together_and_a_stale_step_fails_alone_in_its_batch() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let due = deadlines(&db).await;
        let (e1, e1a) = (f.e1, f.user("e1a"));
        let mut tasks = Vec::new();
        for n in 0..40 {
            let (db, key) = (db.clone(), (n % 20 == 0).then(|| "same-key".to_owned()));
            let item = NewItem { idempotency_key: key, ..need(e1, None) };
            tasks.push(tokio::spawn(async move { db.create_item(&ctx(e1a, t0()), &item, &due, false).await }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.expect("task").expect("created").id);
        }
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 39, "forty intakes, two with one idempotency key");
        assert_eq!(db.item_count().await.expect("count"), 39);

        let o1 = viewer(&db, f.user("o1")).await;
        let (a, b) = (distinct[0], distinct[1]);
        let cal = Calendar::official();
        let policy = db.sla_policy(Kind::Need, Priority::Normal, 1).await.expect("policy");
        let mut prepared = Vec::new();
        for id in [a, b] {
            let before = db.item(id).await.expect("item").state();
            let mut after = before.clone();
            after
                .apply(
                    Actor::User(&o1),
                    Step::Accept,
                    &StepInput::default(),
                    Env { now: t0(), calendar: &cal, policy: &policy },
                )
                .expect("accept");
            prepared.push((before, after));
        }
        take(&db, &o1, b, Step::Accept, &StepInput::default(), 1).await.expect("someone else accepts b first");
        let event = NewEvent { step: "accept".into(), body: String::new(), internal: false, on_behalf: false };
        let batch: Vec<_> = prepared
            .iter()
            .chain(prepared.first())
            .map(|(before, after)| {
                (
                    ctx(o1.user_id, t0()),
                    SavedStep { before, after, event: &event, notifications: &[], timer: None, referral: None },
                )
            })
            .collect();
        let results = db.save_steps(&batch).await.expect("batch");
        assert!(results[0].is_ok());
        assert!(matches!(results[1], Err(StoreError::Stale)));
        assert!(matches!(results[2], Err(StoreError::Stale)), "a second step on a in the same batch is not first");
        assert_eq!(db.item(a).await.expect("a").status, "accepted");
        assert_eq!(db.item_detail(a).await.expect("a").timeline.len(), 2, "a's submission and one accept");
        assert_eq!(db.item_detail(b).await.expect("b").timeline.len(), 2, "b keeps only its own accept");
        assert!(
            db.verify_audit_chain().await.expect("verify").is_ok(),
            "the stale step wrote no audit row; the chain holds"
        );
    }
}
