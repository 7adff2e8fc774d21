//! Items: steps under optimistic concurrency, the store agreeing with the pure model over random step
//! sequences, scoped lists and queues, jobs, the inbox, referrals, mediation and the figures (intake is
//! in `intake`); the helpers the item suites share.

use crate::harness::{backends, t0};
use chrono::Duration;
use liaison_core::calendar::Calendar;
use liaison_core::item::state::{Env, ItemState, StepInput};
use liaison_core::item::workflow::{Actor, Step};
use liaison_core::item::{Kind, Priority, Rating, Status};
use liaison_core::org::OrgPath;
use liaison_core::permission::Viewer;
use liaison_store::item_list::{ItemFilter, ItemScope, Queue};
use liaison_store::item_steps::{ReferralChange, SavedStep};
use liaison_store::items::{NewEvent, NewItem};
use liaison_store::{Ctx, Db, StoreError, fixture};
use rand::{Rng, SeedableRng};

pub(crate) fn need(enterprise_id: i64, key: Option<&str>) -> NewItem {
    NewItem { idempotency_key: key.map(str::to_owned), ..fixture::need(enterprise_id) }
}

pub(crate) fn ctx(user: i64, at: chrono::DateTime<chrono::Utc>) -> Ctx {
    Ctx { actor_id: Some(user), actor_role: "test".into(), ..Ctx::system(at) }
}

pub(crate) async fn submit(db: &Db, user: i64, enterprise: i64, key: Option<&str>) -> i64 {
    let policy = db.sla_policy(Kind::Need, Priority::Normal, 1).await.expect("policy");
    let due = policy.deadlines(&Calendar::official(), t0());
    db.create_item(&ctx(user, t0()), &need(enterprise, key), &due, false).await.expect("create").id
}

pub(crate) async fn viewer(db: &Db, user: i64) -> Viewer {
    db.user(user).await.expect("user").viewer()
}

/// Takes `step` through the pure state and saves it, as the web layer does.
pub(crate) async fn take(
    db: &Db,
    who: &Viewer,
    id: i64,
    step: Step,
    input: &StepInput,
    minutes: i64,
) -> Result<ItemState, String> {
    let row = db.item(id).await.expect("item");
    let before = row.state_with(&db.referrals(id).await.expect("referrals"));
    let mut after = before.clone();
    let policy = db.sla_policy(row.kind(), row.priority(), row.category_id).await.expect("policy");
    let cal = Calendar::official();
    let now = t0() + Duration::minutes(minutes);
    after
        .apply(Actor::User(who), step, input, Env { now, calendar: &cal, policy: &policy })
        .map_err(|e| format!("{e:?}"))?;
    let event =
        NewEvent { step: step.code().into(), body: input.body.clone(), internal: step == Step::Note, on_behalf: false };
    let referral = ReferralChange::between(&before, &after, step == Step::Answer, &input.body);
    let timer = after.next_timer(Duration::days(1));
    let saved = SavedStep {
        before: &before,
        after: &after,
        event: &event,
        notifications: &[],
        timer,
        referral: referral.as_ref(),
    };
    db.save_step(&ctx(who.user_id, now), &saved).await.map_err(|e| format!("{e:?}"))?;
    Ok(after)
}

pub(crate) async fn deadlines(db: &Db) -> liaison_core::sla::Deadlines {
    db.sla_policy(Kind::Need, Priority::Normal, 1).await.expect("policy").deadlines(&Calendar::official(), t0())
}

#[tokio::test]
async fn a_stale_version_loses_and_of_twenty_concurrent_steps_exactly_one_wins() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let id = submit(&db, f.user("e1a"), f.e1, None).await;
        let before = db.item(id).await.expect("item").state();
        let o1 = viewer(&db, f.user("o1")).await;
        let cal = Calendar::official();
        let policy = db.sla_policy(Kind::Need, Priority::Normal, 1).await.expect("policy");
        let mut tasks = Vec::new();
        for n in 0..20 {
            let (db, before, o1) = (db.clone(), before.clone(), o1.clone());
            let step = if n % 2 == 0 { Step::Accept } else { Step::Reject };
            let mut after = before.clone();
            let input = StepInput { body: format!("attempt {n}"), ..StepInput::default() };
            after
                .apply(Actor::User(&o1), step, &input, Env { now: t0(), calendar: &cal, policy: &policy })
                .expect("allowed");
            let event = NewEvent { step: step.code().into(), body: input.body, internal: false, on_behalf: false };
            tasks.push(tokio::spawn(async move {
                {
                    let saved = SavedStep {
                        before: &before,
                        after: &after,
                        event: &event,
                        notifications: &[],
                        timer: None,
                        referral: None,
                    };
                    db.save_step(&ctx(o1.user_id, t0()), &saved).await
                }
            }));
        }
        let mut wins = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(()) => wins += 1,
                Err(StoreError::Stale) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(wins, 1);
        let after = db.item(id).await.expect("item");
        assert_eq!(after.version, 2);
        assert_eq!(db.item_detail(id).await.expect("timeline").timeline.len(), 2, "one submit, one winning step");
    }
}

/// BIZ-01: random (actor, step) sequences; the store and the pure model accept and refuse the same
/// steps and end in the same state.
#[tokio::test]
async fn the_store_agrees_with_the_model_over_random_sequences() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let mut cast = Vec::new();
        for name in ["e1a", "e2a", "o1", "o2", "sup1", "center", "leader", "dept"] {
            cast.push(viewer(&db, f.user(name)).await);
        }
        let cal = Calendar::official();
        let policy = db.sla_policy(Kind::Need, Priority::Normal, 1).await.expect("policy");
        let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_125);
        for _ in 0..12 {
            let id = submit(&db, f.user("e1a"), f.e1, None).await;
            let mut model = db.item(id).await.expect("item").state_with(&[]);
            for minute in 1..40 {
                let who = &cast[rng.random_range(0..cast.len())];
                let step = Step::ALL[rng.random_range(0..Step::ALL.len())];
                let input = StepInput {
                    body: "说明".into(),
                    handler_id: Some(f.user("o1")),
                    rating: Some(Rating::ALL[rng.random_range(0..Rating::ALL.len())]),
                    solved: Some(rng.random_bool(0.7)),
                    department_id: Some(f.department),
                };
                let mut expected = model.clone();
                let env = Env { now: t0() + Duration::minutes(minute), calendar: &cal, policy: &policy };
                let model_ok = expected.apply(Actor::User(who), step, &input, env).is_ok();
                let store = take(&db, who, id, step, &input, minute).await;
                assert_eq!(store.is_ok(), model_ok, "{step:?} by {} on {:?}", who.user_id, model.status);
                if model_ok {
                    model = expected;
                }
                let (row, referrals) = (db.item(id).await.expect("item"), db.referrals(id).await.expect("referrals"));
                assert_eq!(row.referral_count, referrals.len() as i64, "the counter agrees with the referrals");
                let stored = row.state_with(&referrals);
                assert_eq!(stored, model);
                if stored.status == Status::Closed {
                    assert!(stored.feedback_at.is_some() && stored.closed_at.is_some());
                }
            }
        }
    }
}

#[tokio::test]
async fn lists_follow_scope_queues_and_keyset_paging() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let a = submit(&db, f.user("e1a"), f.e1, None).await;
        let b = submit(&db, f.user("e1a"), f.e1, None).await;
        let c = submit(&db, f.user("e2a"), f.e2, None).await;
        let o1 = viewer(&db, f.user("o1")).await;
        take(&db, &o1, a, Step::Accept, &StepInput::default(), 1).await.expect("accept");
        let district = OrgPath::parse(&db.unit(f.district).await.expect("d").path).expect("path");
        let none = ItemFilter::default();
        let ids = |page: liaison_store::item_list::ItemPage| page.items.iter().map(|i| i.id).collect::<Vec<_>>();
        assert_eq!(
            ids(db.items(&ItemScope::Subtree(district.clone()), &none, None, 50).await.expect("l")),
            vec![c, b, a]
        );
        assert_eq!(ids(db.items(&ItemScope::Officer(f.user("o1")), &none, None, 50).await.expect("l")), vec![b, a]);
        assert_eq!(ids(db.items(&ItemScope::Enterprise(f.e2), &none, None, 50).await.expect("l")), vec![c]);
        assert!(db.items(&ItemScope::Nothing, &none, None, 50).await.expect("l").items.is_empty());
        let triage = ItemFilter { queue: Some(Queue::Triage), ..ItemFilter::default() };
        assert_eq!(
            ids(db.items(&ItemScope::Subtree(district.clone()), &triage, None, 50).await.expect("l")),
            vec![c, b]
        );
        let accepted = ItemFilter { status: Some("accepted".into()), ..ItemFilter::default() };
        assert_eq!(
            ids(db.items(&ItemScope::Subtree(district.clone()), &accepted, None, 50).await.expect("l")),
            vec![a]
        );
        let first = db.items(&ItemScope::Subtree(district.clone()), &none, None, 2).await.expect("page 1");
        assert_eq!((ids(first.clone()), first.next_before), (vec![c, b], Some(b)));
        let second = db.items(&ItemScope::Subtree(district.clone()), &none, first.next_before, 2).await.expect("p2");
        assert_eq!((ids(second.clone()), second.next_before), (vec![a], None));

        // Each filter narrows the page on its own (the SQL carries only the filters given).
        let d = db
            .create_item(
                &ctx(f.user("e1a"), t0() + Duration::days(2)),
                &NewItem { kind: Kind::Dispute, category_id: 6, ..need(f.e1, None) },
                &deadlines(&db).await,
                false,
            )
            .await
            .expect("d")
            .id;
        let station1 = OrgPath::parse(&db.unit(f.station1).await.expect("s").path).expect("path");
        let cases = [
            (ItemFilter { kind: Some("dispute".into()), ..ItemFilter::default() }, vec![d]),
            (ItemFilter { category_id: Some(1), ..ItemFilter::default() }, vec![c, b, a]),
            (ItemFilter { enterprise_id: Some(f.e2), ..ItemFilter::default() }, vec![c]),
            (ItemFilter { handler_id: Some(f.user("o1")), ..ItemFilter::default() }, vec![]),
            (ItemFilter { from: Some(t0() + Duration::days(1)), ..ItemFilter::default() }, vec![d]),
            (ItemFilter { to: Some(t0() + Duration::days(1)), ..ItemFilter::default() }, vec![c, b, a]),
            (ItemFilter { under: Some(station1), ..ItemFilter::default() }, vec![d, b, a]),
            (
                ItemFilter { queue: Some(Queue::Open), kind: Some("need".into()), ..ItemFilter::default() },
                vec![c, b, a],
            ),
        ];
        for (filter, expected) in cases {
            let page = db.items(&ItemScope::Subtree(district.clone()), &filter, None, 50).await.expect("filtered");
            assert_eq!(ids(page), expected, "{filter:?}");
        }
        let before_d = db.items(&ItemScope::Officer(f.user("o1")), &none, Some(d), 50).await.expect("before");
        assert_eq!(ids(before_d), vec![b, a], "the cursor applies to both of the officer's walks");
        let handled_by_o1 = StepInput { handler_id: Some(f.user("o1")), ..StepInput::default() };
        take(&db, &o1, a, Step::Assign, &handled_by_o1, 2).await.expect("assign");
        assert_eq!(
            ids(db.items(&ItemScope::Officer(f.user("o1")), &none, None, 50).await.expect("l")),
            vec![d, b, a],
            "an item on both of the officer's walks is listed once"
        );
        take(&db, &o1, d, Step::Accept, &StepInput::default(), 1).await.expect("accept d");
        take(&db, &o1, d, Step::Assign, &handled_by_o1, 2).await.expect("assign d");
        let first = db.items(&ItemScope::Officer(f.user("o1")), &none, None, 2).await.expect("page 1");
        assert_eq!(
            (ids(first.clone()), first.next_before),
            (vec![d, b], Some(b)),
            "items on both walks still fill a page and leave the next one"
        );
        let second = db.items(&ItemScope::Officer(f.user("o1")), &none, first.next_before, 2).await.expect("p2");
        assert_eq!((ids(second.clone()), second.next_before), (vec![a], None));
    }
}

/// The duplicate hint's candidates: the enterprise's open items with their descriptions, newest first.
#[tokio::test]
async fn an_enterprises_open_items_come_with_their_descriptions() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let (a, b) = (submit(&db, f.user("e1a"), f.e1, None).await, submit(&db, f.user("e1a"), f.e1, None).await);
        submit(&db, f.user("e2a"), f.e2, None).await;
        let texts = db.open_item_texts(f.e1, 200).await.expect("texts");
        let read: Vec<(i64, &str)> = texts.iter().map(|t| (t.summary.id, t.description.as_str())).collect();
        let description = fixture::need(f.e1).description;
        assert_eq!(read, [(b, description.as_str()), (a, description.as_str())]);
        assert_eq!(db.open_item_texts(f.e1, 1).await.expect("one").len(), 1);
    }
}

/// More list reads at once than there are list connections (the harness opens four) wait their turn
/// and each gets the whole page.
#[tokio::test]
async fn concurrent_list_reads_each_get_the_page() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(submit(&db, f.user("e1a"), f.e1, None).await);
        }
        ids.reverse();
        let mut reads = tokio::task::JoinSet::new();
        for _ in 0..24 {
            let (db, scope) = (db.clone(), ItemScope::Enterprise(f.e1));
            reads.spawn(async move { db.items(&scope, &ItemFilter::default(), None, 50).await });
        }
        while let Some(read) = reads.join_next().await {
            let page = read.expect("the read task").expect("a page");
            assert_eq!(page.items.iter().map(|i| i.id).collect::<Vec<_>>(), ids);
        }
    }
}

/// A list row's codes are parsed, not passed through: a code the domain does not know (written behind
/// the store's back) is an error naming its column, never a row with a made-up value.
#[tokio::test]
async fn a_list_row_with_an_unknown_code_is_a_decode_error() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let id = submit(&db, f.user("e1a"), f.e1, None).await;
        let sql = "UPDATE item SET channel = 'fax' WHERE id = $1";
        let written = match db.backend() {
            liaison_store::Backend::Sqlite { writer, .. } => {
                sqlx::query(sql).bind(id).execute(writer).await.map(|done| done.rows_affected())
            }
            liaison_store::Backend::Postgres(pool) => {
                sqlx::query(sql).bind(id).execute(pool).await.map(|done| done.rows_affected())
            }
        };
        assert_eq!(written.expect("written behind the store's back"), 1);
        let listed = db.items(&ItemScope::Enterprise(f.e1), &ItemFilter::default(), None, 50).await;
        let message = listed.expect_err("unknown code").to_string();
        assert!(message.contains("unknown code \"fax\"") && message.contains("column 6"), "{message}");
    }
}

#[tokio::test]
async fn jobs_are_claimed_once_under_a_lease_and_rescheduled() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let id = submit(&db, f.user("e1a"), f.e1, None).await;
        let warn_at = db.item(id).await.expect("item").warn_at;
        assert!(db.claim_jobs(warn_at - Duration::seconds(1), Duration::minutes(5), 10).await.expect("c").is_empty());
        let (one, two) = tokio::join!(
            db.claim_jobs(warn_at, Duration::minutes(5), 10),
            db.claim_jobs(warn_at, Duration::minutes(5), 10)
        );
        let (one, two) = (one.expect("claim"), two.expect("claim"));
        assert_eq!(one.len() + two.len(), 1, "two workers never get the same job");
        let job = one.into_iter().chain(two).next().expect("job");
        assert_eq!((job.ref_id, job.attempts), (id, 1));
        assert_eq!(db.due_jobs(warn_at).await.expect("due"), 0, "a held job is not due");
        let later = warn_at + Duration::minutes(6);
        let again = db.claim_jobs(later, Duration::minutes(5), 10).await.expect("lease ran out");
        assert_eq!(again.len(), 1);
        db.reschedule_job(&job, None, None).await.expect("stale holder");
        assert_eq!(db.due_jobs(later + Duration::minutes(6)).await.expect("due"), 1, "the old holder cannot delete it");
        db.reschedule_job(&again[0], None, None).await.expect("holder");
        assert_eq!(db.due_jobs(later + Duration::days(100)).await.expect("due"), 0);
    }
}

#[tokio::test]
async fn the_inbox_counts_and_marks_read() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        submit(&db, f.user("e1a"), f.e1, None).await;
        submit(&db, f.user("e1a"), f.e1, None).await;
        let o1 = f.user("o1");
        let inbox = db.notifications(o1, None, 50).await.expect("inbox");
        assert_eq!(inbox.len(), 2);
        assert_eq!(db.mark_read(o1, Some(inbox[0].id), t0()).await.expect("read"), 1);
        assert_eq!(db.mark_read(f.user("o2"), Some(inbox[1].id), t0()).await.expect("other user"), 0);
        assert_eq!(db.unread_count(o1).await.expect("unread"), 1);
        assert_eq!(db.mark_read(o1, None, t0()).await.expect("all"), 1);
        assert_eq!(db.unread_count(o1).await.expect("unread"), 0);
    }
}

#[tokio::test]
async fn referrals_attachments_mediation_and_the_outbox_on_both_backends() {
    use liaison_core::item::mediation::Party;
    use liaison_store::attachments::NewAttachment;
    use liaison_store::mediation::NewSession;
    use liaison_store::outbox::UserChannel;
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let o1 = f.user("o1");
        let channels = [
            UserChannel { channel: "email".into(), target: "o1@example.gov.cn".into(), format: "plain".into() },
            UserChannel { channel: "sms".into(), target: "13800138000".into(), format: "plain".into() },
        ];
        db.set_user_channels(&ctx(o1, t0()), o1, &channels).await.expect("channels");
        assert_eq!(db.user_channels(o1).await.expect("channels").len(), 2);
        let id = submit(&db, f.user("e1a"), f.e1, None).await;
        let page = db.deliveries(None, liaison_store::Paging::new(None, None)).await.expect("deliveries");
        assert_eq!(
            (page.total, page.items[0].state.as_str()),
            (2, "pending"),
            "one delivery per channel, with the notification"
        );
        assert_eq!(db.due_jobs(t0()).await.expect("jobs"), 2, "each with its deliver job");
        let first = page.items[0].id;
        db.record_delivery(first, t0(), Err(("timeout", false))).await.expect("attempt");
        db.record_delivery(first, t0(), Ok(())).await.expect("sent");
        let sent = db.delivery(first).await.expect("delivery");
        assert_eq!((sent.state.as_str(), sent.attempts, sent.last_error.as_deref()), ("sent", 2, None));

        let file = |n: usize| NewAttachment {
            file_name: format!("材料{n}.pdf"),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "0".repeat(64),
            storage_name: format!("{n:032}"),
            status: if n == 0 { "quarantined" } else { "clean" },
        };
        for n in 0..10 {
            db.add_attachment(&ctx(f.user("e1a"), t0()), id, &file(n)).await.expect("attachment");
        }
        assert!(matches!(
            db.add_attachment(&ctx(f.user("e1a"), t0()), id, &file(10)).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(db.item_detail(id).await.expect("list").attachments.len(), 9, "quarantined files are not listed");
        assert_eq!(db.item(id).await.expect("item").attachment_count, 9, "the counter agrees with the list");

        let parties = [
            Party { name: "王五".into(), role: "申请人".into(), mobile: Some("13912345678".into()) },
            Party { name: "渝中一号".into(), role: "被申请人".into(), mobile: None },
        ];
        db.set_dispute(&ctx(o1, t0()), id, 8_000_000, &parties, 1).await.expect("dispute");
        db.set_dispute(&ctx(o1, t0()), id, 9_000_000, &parties, 1).await.expect("replaced");
        assert_eq!(db.dispute_parties(id).await.expect("parties").len(), 2, "parties replaced, not doubled");
        let session = NewSession {
            held_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            participants: "王五、企业代表".into(),
            outcome: "failed",
            note: String::new(),
            level: 1,
            level_after: 2,
        };
        db.add_mediation_session(&ctx(o1, t0()), id, &session).await.expect("session");
        db.conclude_mediation(&ctx(o1, t0()), id, "reached", Some("分期支付"), None).await.expect("conclude");
        let dispute = db.dispute(id).await.expect("read").expect("dispute");
        assert_eq!((dispute.amount_fen, dispute.level, dispute.outcome.as_deref()), (9_000_000, 2, Some("reached")));
        assert_eq!(db.mediation_sessions(id).await.expect("sessions")[0].held_on.to_string(), "2026-03-02");
        let steps: Vec<String> =
            db.item_detail(id).await.expect("timeline").timeline.into_iter().map(|e| e.step).collect();
        assert_eq!(steps.iter().filter(|s| *s == "attach").count(), 9);
        assert!(steps.contains(&"mediate".to_owned()) && steps.contains(&"conclude".to_owned()));

        db.mark_referral_read(&ctx(f.user("dept"), t0()), id, f.department).await.expect("nothing to mark");
        assert!(db.referrals(id).await.expect("referrals").is_empty());
        assert_eq!(db.users_of_unit(f.department, "department_user").await.expect("users"), vec![f.user("dept")]);
    }
}

/// Two items of e1: one accepted, noted internally and referred to the department by o1; one only
/// submitted.
async fn referred_and_plain(db: &Db) -> (fixture::Fixture, i64, i64) {
    let f = fixture::build(db, t0()).await.expect("fixture");
    let o1 = viewer(db, f.user("o1")).await;
    let (referred, plain) = (submit(db, f.user("e1a"), f.e1, None).await, submit(db, f.user("e1a"), f.e1, None).await);
    take(db, &o1, referred, Step::Accept, &StepInput::default(), 1).await.expect("accept");
    let note = StepInput { body: "内部：已联系人社局".into(), ..StepInput::default() };
    take(db, &o1, referred, Step::Note, &note, 2).await.expect("note");
    let to_department =
        StepInput { department_id: Some(f.department), body: "请协助".into(), ..StepInput::default() };
    take(db, &o1, referred, Step::Refer, &to_department, 3).await.expect("refer");
    (f, referred, plain)
}

#[tokio::test]
async fn a_batch_of_items_is_read_with_their_referrals_as_one_by_one() {
    for db in backends().await {
        let (f, referred, plain) = referred_and_plain(&db).await;
        let batch = db.items_with_referrals(&[plain, referred, 987_654_321]).await.expect("batch");
        assert_eq!(batch.len(), 2, "an id that names no item is left out");
        for id in [plain, referred] {
            let one_by_one = db.item_with_referrals(id).await.expect("one");
            let json = |value: &(liaison_store::items::ItemRow, Vec<liaison_store::item_steps::Referral>)| {
                serde_json::to_value(value).expect("json")
            };
            assert_eq!(json(&batch[&id]), json(&one_by_one), "item {id}");
        }
        assert_eq!(batch[&referred].1.iter().map(|r| r.department_id).collect::<Vec<_>>(), vec![f.department]);
        assert!(batch[&plain].1.is_empty());
        assert!(db.items_with_referrals(&[]).await.expect("none").is_empty());
    }
}

/// The detail reads what the separate reads give (the item read by position, every field, the path
/// too): the item, its referrals, its whole timeline with internal notes (the web shows those by
/// viewer) and only its clean attachments.
#[tokio::test]
async fn an_items_detail_holds_its_referrals_whole_timeline_and_clean_attachments() {
    for db in backends().await {
        let (f, referred, plain) = referred_and_plain(&db).await;
        for (n, status) in [(1, "clean"), (2, "quarantined")] {
            let file = liaison_store::attachments::NewAttachment {
                file_name: format!("材料{n}.pdf"),
                content_type: "application/pdf".into(),
                size: 10,
                sha256: "0".repeat(64),
                storage_name: format!("{n:032}"),
                status,
            };
            db.add_attachment(&ctx(f.user("e1a"), t0()), referred, &file).await.expect("attachment");
        }

        let detail = db.item_detail(referred).await.expect("detail");
        assert_eq!(format!("{:?}", detail.row), format!("{:?}", db.item(referred).await.expect("item")));
        assert_eq!(detail.referrals.iter().map(|r| r.department_id).collect::<Vec<_>>(), vec![f.department]);
        let steps: Vec<(&str, bool)> = detail.timeline.iter().map(|e| (e.step.as_str(), e.internal)).collect();
        assert_eq!(
            steps,
            [("submit", false), ("accept", false), ("note", true), ("refer", false), ("attach", false)],
            "oldest first, the internal note included"
        );
        assert_eq!(detail.attachments.iter().map(|a| a.file_name.as_str()).collect::<Vec<_>>(), ["材料1.pdf"]);

        let plain = db.item_detail(plain).await.expect("plain");
        assert!(plain.referrals.is_empty() && plain.attachments.is_empty());
        assert_eq!(plain.timeline.len(), 1, "its submission");
        assert!(matches!(db.item_detail(987_654_321).await, Err(StoreError::NotFound)));
    }
}

/// The detail reads its item by position: at every step of the loop, every field (the ones only a
/// resolved, rated and closed item has too) equals the item read by name, and the timeline grows by one.
#[tokio::test]
async fn the_details_item_matches_the_item_read_by_name_through_the_whole_loop() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let (o1, e1a) = (viewer(&db, f.user("o1")).await, viewer(&db, f.user("e1a")).await);
        let id = submit(&db, f.user("e1a"), f.e1, None).await;
        let happy = StepInput { rating: Some(Rating::Satisfied), solved: Some(true), ..StepInput::default() };
        let steps = [
            (&o1, Step::Accept, StepInput::default()),
            (&o1, Step::Assign, StepInput { handler_id: Some(f.user("o1")), ..StepInput::default() }),
            (&o1, Step::Start, StepInput::default()),
            (&o1, Step::Resolve, StepInput { body: "已解决".into(), ..StepInput::default() }),
            (&e1a, Step::Feedback, happy),
        ];
        for (n, (who, step, input)) in steps.iter().enumerate() {
            take(&db, who, id, *step, input, 60 * (n as i64 + 1)).await.expect("step");
            let detail = db.item_detail(id).await.expect("detail");
            assert_eq!(format!("{:?}", detail.row), format!("{:?}", db.item(id).await.expect("item")), "{step:?}");
            assert_eq!(detail.timeline.len(), n + 2, "the submission and {} steps", n + 1);
        }
        let closed = db.item(id).await.expect("closed");
        assert!(closed.closed_at.is_some() && closed.rating.is_some() && closed.solved == Some(true));
    }
}

#[tokio::test]
async fn figures_count_by_the_documented_rules_on_both_backends() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let o1 = viewer(&db, f.user("o1")).await;
        let e1a = viewer(&db, f.user("e1a")).await;
        let solved = submit(&db, f.user("e1a"), f.e1, None).await;
        let rejected = submit(&db, f.user("e1a"), f.e1, None).await;
        submit(&db, f.user("e2a"), f.e2, None).await;
        for (step, input) in [
            (Step::Accept, StepInput::default()),
            (Step::Assign, StepInput { handler_id: Some(f.user("o1")), ..StepInput::default() }),
            (Step::Start, StepInput::default()),
            (Step::Resolve, StepInput { body: "已解决".into(), ..StepInput::default() }),
        ] {
            take(&db, &o1, solved, step, &input, 60).await.expect("step");
        }
        let happy = StepInput { rating: Some(Rating::Satisfied), solved: Some(true), ..StepInput::default() };
        take(&db, &e1a, solved, Step::Feedback, &happy, 120).await.expect("feedback");
        take(&db, &o1, rejected, Step::Reject, &StepInput { body: "不属于职责".into(), ..StepInput::default() }, 30)
            .await
            .expect("reject");
        let root = OrgPath::parse(&db.unit(f.city).await.expect("city").path).expect("path");
        let later = t0() + Duration::days(30);
        let figures = db.loop_figures(&root, t0() - Duration::days(1), later, later).await.expect("figures");
        assert_eq!(
            (figures.needs_suggestions_collected, figures.needs_suggestions_solved, figures.portal_needs_solved),
            (3, 1, 1)
        );
        assert_eq!((figures.due_for_response, figures.responded_in_time), (3, 2), "the untouched one is overdue");
        assert_eq!(
            (figures.resolved, figures.resolved_in_time, figures.with_feedback, figures.satisfied),
            (1, 1, 1, 1)
        );
        let station2 = OrgPath::parse(&db.unit(f.station2).await.expect("station").path).expect("path");
        let narrow = db.loop_figures(&station2, t0() - Duration::days(1), later, later).await.expect("figures");
        assert_eq!(narrow.needs_suggestions_collected, 1, "the subtree filter applies");
    }
}
