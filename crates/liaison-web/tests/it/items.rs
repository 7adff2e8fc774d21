//! The closed loop through the router: the whole loop with a reopen, what each side sees of the
//! timeline, stale versions and 20 concurrent steps, bad input, the daily limit, and the item timer
//! (warning, overdue, escalation, auto-close) driven by the clock.

use crate::harness::{Body_, Now, TestApp};
use axum::http::{Method, StatusCode};
use chrono::Duration;
use liaison_web::WebConfig;
use serde_json::{Value, json};
use std::sync::Arc;

fn need() -> Value {
    json!({"kind": "need", "category_id": 1, "title": "招工难", "description": "春节后需要招聘三十名操作工"})
}

async fn submit(app: &TestApp, token: &str) -> i64 {
    let created = app.post_json("/api/v1/items", Some(token), need()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

async fn step(app: &TestApp, token: &str, id: i64, step: &str, body: Value) -> (StatusCode, Value) {
    let response = app.post_json(&format!("/api/v1/items/{id}/{step}"), Some(token), body).await;
    (response.status, response.json())
}

/// Takes `name` at the item's current version and expects success.
async fn ok(app: &TestApp, token: &str, id: i64, name: &str, mut body: Value) -> Value {
    let current = app.get(&format!("/api/v1/items/{id}"), Some(token)).await.json();
    body["version"] = current["item"]["version"].clone();
    let (status, answer) = step(app, token, id, name, body).await;
    assert_eq!(status, StatusCode::OK, "{name}: {answer}");
    answer
}

fn steps(timeline: &Value) -> Vec<String> {
    timeline.as_array().expect("timeline").iter().map(|e| e["step"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn the_whole_loop_with_a_reopen_and_what_each_side_sees() {
    let app = TestApp::new().await;
    let (e1a, o1) = (app.session("e1a").await, app.session("o1").await);
    let id = submit(&app, &e1a).await;
    let inbox = app.get("/api/v1/notifications", Some(&o1)).await.json();
    assert_eq!(inbox["unread"], 1, "the responsible officer is told");
    ok(&app, &o1, id, "accept", json!({})).await;
    ok(&app, &o1, id, "assign", json!({"handler_id": app.f.user("o1")})).await;
    ok(&app, &o1, id, "note", json!({"body": "内部：已联系人社局"})).await;
    ok(&app, &o1, id, "start", json!({})).await;
    ok(&app, &o1, id, "resolve", json!({"body": "已对接招聘会"})).await;
    let reopened =
        ok(&app, &e1a, id, "feedback", json!({"rating": "unsatisfied", "solved": false, "body": "人没招到"})).await;
    assert_eq!(reopened["item"]["status"], "assigned");
    assert_eq!(reopened["item"]["reopen_count"], 1);
    ok(&app, &o1, id, "start", json!({})).await;
    ok(&app, &o1, id, "resolve", json!({"body": "第二场招聘会招到28人"})).await;
    let closed = ok(&app, &e1a, id, "feedback", json!({"rating": "satisfied", "solved": true})).await;
    assert_eq!(
        (closed["item"]["status"].as_str(), closed["item"]["close_reason"].as_str()),
        (Some("closed"), Some("feedback"))
    );
    assert_eq!(closed["allowed_steps"], json!([]));

    let enterprise_view = app.get(&format!("/api/v1/items/{id}"), Some(&e1a)).await.json();
    let police_view = app.get(&format!("/api/v1/items/{id}"), Some(&o1)).await.json();
    let full = ["submit", "accept", "assign", "note", "start", "resolve", "feedback", "start", "resolve", "feedback"];
    assert_eq!(steps(&police_view["timeline"]), full);
    let without_note: Vec<&str> = full.iter().copied().filter(|s| *s != "note").collect();
    assert_eq!(steps(&enterprise_view["timeline"]), without_note, "internal notes are hidden from the enterprise");
    assert!(!enterprise_view.to_string().contains("人社局"));
    let inbox = app.get("/api/v1/notifications", Some(&e1a)).await.json();
    assert!(inbox["unread"].as_i64().unwrap_or_default() >= 3, "the enterprise hears of acceptance and resolutions");
}

#[tokio::test]
async fn stale_versions_and_impossible_steps_answer_409_with_what_is_allowed() {
    let app = TestApp::new().await;
    let (e1a, o1) = (app.session("e1a").await, app.session("o1").await);
    let id = submit(&app, &e1a).await;
    let (status, body) = step(&app, &o1, id, "resolve", json!({"version": 1, "body": "x"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "invalid_transition");
    assert_eq!(body["error"]["current_status"], "submitted");
    assert_eq!(body["error"]["allowed_steps"], json!(["accept", "reject", "comment", "note"]));
    ok(&app, &o1, id, "accept", json!({})).await;
    let (status, body) = step(&app, &o1, id, "assign", json!({"version": 1, "handler_id": app.f.user("o1")})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")));
    assert_eq!(
        (body["error"]["current_status"].as_str(), body["error"]["version"].as_i64()),
        (Some("accepted"), Some(2))
    );
    let (status, body) = step(&app, &o1, id, "reject", json!({"version": 2})).await;
    assert_eq!(status, StatusCode::CONFLICT, "reject is not possible once accepted: {body}");
    let (status, body) = step(&app, &o1, id, "assign", json!({"version": 2, "handler_id": app.f.user("o2")})).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("handler_id"))
    );
    let (status, body) = step(&app, &e1a, id, "feedback", json!({"version": 2, "rating": "great"})).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rating.unknown"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/items/{id}"), Some(&o1)).await.json()["item"]["version"],
        2,
        "nothing changed"
    );
}

#[tokio::test]
async fn of_twenty_concurrent_conflicting_steps_exactly_one_succeeds() {
    let app = Arc::new(TestApp::new().await);
    let (e1a, o1, sup1) = (app.session("e1a").await, app.session("o1").await, app.session("sup1").await);
    let id = submit(&app, &e1a).await;
    let mut tasks = Vec::new();
    for n in 0..20 {
        let app = app.clone();
        let (token, name, body) = match n % 3 {
            0 => (o1.clone(), "accept", json!({"version": 1})),
            1 => (sup1.clone(), "reject", json!({"version": 1, "body": "不属于受理范围"})),
            _ => (e1a.clone(), "withdraw", json!({"version": 1})),
        };
        tasks.push(tokio::spawn(async move {
            app.send(Method::POST, &format!("/api/v1/items/{id}/{name}"), Some(&token), Body_::Json(body)).await.status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{statuses:?}");
    let item = app.get(&format!("/api/v1/items/{id}"), Some(&o1)).await.json();
    assert_eq!(item["item"]["version"], 2);
    assert_eq!(item["timeline"].as_array().map(Vec::len), Some(2), "no lost or doubled update");
}

#[tokio::test]
async fn bad_submissions_are_refused_field_by_field_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let e1a = app.session("e1a").await;
    let bad = json!({"kind": "complaint", "category_id": 1, "title": "", "description": "x"});
    let response = app.post_json("/api/v1/items", Some(&e1a), bad).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.json();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["kind", "title"]);
    let wrong_category = json!({"kind": "dispute", "category_id": 1, "title": "欠薪", "description": "拖欠工资"});
    let response = app.post_json("/api/v1/items", Some(&e1a), wrong_category).await;
    assert_eq!(response.json()["error"]["fields"][0]["code"], "category.unknown");
    let unknown_field = json!({"kind": "need", "category_id": 1, "title": "t", "description": "d", "status": "closed"});
    assert_eq!(app.post_json("/api/v1/items", Some(&e1a), unknown_field).await.status, StatusCode::BAD_REQUEST);
    let portal_by_staff =
        json!({"kind": "need", "category_id": 1, "title": "t", "description": "d", "enterprise_id": app.f.e1});
    let o1 = app.session("o1").await;
    assert_eq!(
        app.post_json("/api/v1/items", Some(&o1), portal_by_staff).await.json()["error"]["fields"][0]["code"],
        "channel.staff"
    );
    let list = app.get("/api/v1/items", Some(&e1a)).await.json();
    assert_eq!(list["items"], json!([]), "nothing half-written");
}

#[tokio::test]
async fn staff_enter_items_on_an_enterprises_behalf_with_the_channel() {
    let app = TestApp::new().await;
    let o1 = app.session("o1").await;
    let body = json!({"kind": "dispute", "category_id": 6, "channel": "visit", "title": "欠薪", "description": "走访时反映拖欠工资",
                      "enterprise_id": app.f.e1});
    let created = app.post_json("/api/v1/items", Some(&o1), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.json()["number"].as_str().is_some_and(|n| n.starts_with("YZ-2026-")));
    let item = app.get(&format!("/api/v1/items/{}", created.json()["id"]), Some(&o1)).await.json();
    assert_eq!(
        (item["item"]["channel"].as_str(), item["timeline"][0]["on_behalf"].as_bool()),
        (Some("visit"), Some(true))
    );
    let e1a = app.session("e1a").await;
    assert_eq!(app.get("/api/v1/items", Some(&e1a)).await.json()["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_daily_limit_answers_429_without_side_effects_per_enterprise_until_the_next_day() {
    let app = TestApp::with_config(WebConfig {
        require_staff_mfa: false,
        daily_items_per_enterprise: 3,
        ..WebConfig::default()
    })
    .await;
    let (e1a, e1b, e2a) = (app.session("e1a").await, app.session("e1b").await, app.session("e2a").await);
    for token in [&e1a, &e1b, &e1a] {
        submit(&app, token).await;
    }
    let refused = app.post_json("/api/v1/items", Some(&e1b), need()).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.header("retry-after").parse::<i64>().is_ok_and(|s| s > 0));
    assert_eq!(app.get("/api/v1/items", Some(&e1a)).await.json()["items"].as_array().map(Vec::len), Some(3), "Δ = 0");
    assert!(app.audit("item.create").await.iter().any(|a| a.outcome == "failure"), "the refusal is audited");
    submit(&app, &e2a).await;
    app.advance(Duration::days(1)).await;
    submit(&app, &app.session("e1a").await).await;
}

/// More due timers than one claim takes (200): the sweep's claim loops run each exactly once, and a
/// timer a step re-arms for an instant already past runs in the same sweep.
#[tokio::test]
async fn a_sweep_of_several_batches_runs_every_due_timer_once() {
    use liaison_core::item::{Kind, Priority};
    let app = TestApp::new().await;
    let now = app.clock.now_utc();
    let policy = app.db.sla_policy(Kind::Need, Priority::Normal, 1).await.expect("policy");
    let due = policy.deadlines(&liaison_core::calendar::Calendar::official(), now);
    let ctx = liaison_store::Ctx { actor_id: Some(app.f.user("e1a")), ..liaison_store::Ctx::system(now) };
    let mut ids = Vec::new();
    for _ in 0..450 {
        ids.push(
            app.db.create_item(&ctx, &liaison_store::fixture::need(app.f.e1), &due, false).await.expect("item").id,
        );
    }
    // Past the resolution deadline at once: each item warns, then (re-armed for an instant already
    // past) is flagged overdue, in this one sweep.
    app.advance(Duration::days(8)).await;
    for id in ids {
        let timeline = app.db.item_detail(id).await.expect("timeline").timeline;
        let steps: Vec<&str> = timeline.iter().map(|e| e.step.as_str()).collect();
        assert_eq!(steps, ["submit", "warn", "overdue"], "item {id}");
    }
}

#[tokio::test]
async fn the_timer_warns_flags_overdue_escalates_and_closes_without_feedback() {
    let app = TestApp::new().await;
    let id = submit(&app, &app.session("e1a").await).await;
    // Sessions end after 30 idle minutes, so each look after the clock moved signs in afresh.
    let item = |name: &'static str| {
        let app = &app;
        async move { app.get(&format!("/api/v1/items/{id}"), Some(&app.session(name).await)).await.json() }
    };
    let inbox = |name: &'static str| {
        let app = &app;
        async move {
            let inbox = app.get("/api/v1/notifications", Some(&app.session(name).await)).await.json();
            inbox["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|n| n["kind"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    // t0 is Monday 2 March 2026 09:00 Beijing time; 5 working days end Monday 9 March, 80 % on Friday.
    app.advance(Duration::days(4)).await;
    assert!(item("o1").await["item"]["warned_at"].is_string(), "warned at 80 %");
    assert!(inbox("o1").await.contains(&"item.warn".to_owned()));
    app.advance(Duration::days(3)).await;
    let overdue = item("o1").await;
    assert!(overdue["item"]["overdue_at"].is_string());
    assert!(inbox("sup1").await.contains(&"item.overdue".to_owned()));
    let queue = app.get("/api/v1/items?queue=overdue", Some(&app.session("sup1").await)).await.json();
    assert_eq!(queue["items"][0]["id"], id);
    app.advance(Duration::hours(24)).await;
    assert_eq!(item("o1").await["item"]["escalation_level"], 1);
    assert!(inbox("sup1").await.contains(&"item.escalated".to_owned()));
    app.advance(Duration::hours(24)).await;
    assert_eq!(item("o1").await["item"]["escalation_level"], 2);
    assert!(inbox("center").await.contains(&"item.escalated".to_owned()));
    app.advance(Duration::hours(24)).await;
    assert_eq!(item("o1").await["item"]["escalation_level"], 2, "the center is the top");
    let police = steps(&item("o1").await["timeline"]);
    assert_eq!(police, ["submit", "warn", "overdue", "escalate", "escalate"]);
    assert_eq!(steps(&item("e1a").await["timeline"]), ["submit"], "reminders are internal");

    let (center, o1) = (app.session("center").await, app.session("o1").await);
    ok(&app, &center, id, "accept", json!({})).await;
    ok(&app, &center, id, "assign", json!({"handler_id": app.f.user("o1")})).await;
    ok(&app, &o1, id, "start", json!({})).await;
    ok(&app, &o1, id, "resolve", json!({"body": "已解决"})).await;
    let resolved = item("o1").await;
    assert!(resolved["item"]["resolve_margin"].as_i64().is_some_and(|m| m < 0), "late, with the exact margin");
    app.advance(Duration::days(7)).await;
    let closed = item("e1a").await;
    assert_eq!(
        (closed["item"]["status"].as_str(), closed["item"]["close_reason"].as_str()),
        (Some("closed"), Some("no_feedback"))
    );
}

#[tokio::test]
async fn a_referral_is_followed_per_recipient_and_the_police_side_keeps_oversight() {
    let app = TestApp::new().await;
    let (e1a, o1, dept) = (app.session("e1a").await, app.session("o1").await, app.session("dept").await);
    let id = submit(&app, &e1a).await;
    ok(&app, &o1, id, "accept", json!({})).await;
    ok(&app, &o1, id, "assign", json!({"handler_id": app.f.user("o1")})).await;
    ok(&app, &o1, id, "start", json!({})).await;
    assert_eq!(
        app.get(&format!("/api/v1/items/{id}"), Some(&dept)).await.status,
        StatusCode::NOT_FOUND,
        "not yet referred"
    );
    let (status, body) =
        step(&app, &o1, id, "refer", json!({"version": 4, "department_id": app.f.station1, "body": "x"})).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("department_id"))
    );
    let referred =
        ok(&app, &o1, id, "refer", json!({"department_id": app.f.department, "body": "请司法所协助调解"})).await;
    assert_eq!(referred["referrals"][0]["state"], "delivered");
    assert!(referred["item"]["paused_at"].is_string(), "the clock waits for the department");
    let inbox = app.get("/api/v1/notifications", Some(&dept)).await.json();
    assert_eq!(inbox["items"][0]["kind"], "item.referred");
    let list = app.get("/api/v1/items", Some(&dept)).await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "the department workspace lists it");
    let seen = app.get(&format!("/api/v1/items/{id}"), Some(&dept)).await.json();
    assert_eq!(seen["allowed_steps"], json!(["answer"]));
    let police = app.get(&format!("/api/v1/items/{id}"), Some(&o1)).await.json();
    assert_eq!(police["referrals"][0]["state"], "read", "the police side sees it was read");
    let (status, _) = step(&app, &dept, id, "resolve", json!({"version": 5, "body": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "departments answer; the police side resolves");
    let answered = ok(&app, &dept, id, "answer", json!({"body": "已约双方下周调解"})).await;
    assert_eq!(answered["referrals"][0]["state"], "answered");
    assert!(answered["item"]["paused_at"].is_null(), "the clock runs again");
    assert_eq!(answered["allowed_steps"], json!([]), "nothing more for the department");
    assert!(app.get("/api/v1/notifications", Some(&o1)).await.json()["items"][0]["kind"] == "item.answered");

    ok(&app, &o1, id, "refer", json!({"department_id": app.f.department, "body": "再次请协助"})).await;
    let recalled = ok(&app, &o1, id, "recall", json!({"body": "已自行解决"})).await;
    let states: Vec<&str> =
        recalled["referrals"].as_array().expect("referrals").iter().filter_map(|r| r["state"].as_str()).collect();
    assert_eq!(states, ["answered", "recalled"]);
    let enterprise = app.get(&format!("/api/v1/items/{id}"), Some(&e1a)).await.json();
    assert!(steps(&enterprise["timeline"]).contains(&"refer".to_owned()), "referral is never silent");
}

#[tokio::test]
async fn a_dispute_is_mediated_level_by_level_and_concluded_with_guidance() {
    let app = TestApp::new().await;
    let (o1, sup1, center, e1a) =
        (app.session("o1").await, app.session("sup1").await, app.session("center").await, app.session("e1a").await);
    let body = json!({"kind": "dispute", "category_id": 6, "channel": "visit", "title": "欠薪纠纷",
                      "description": "八名工人反映被拖欠工资", "enterprise_id": app.f.e1});
    let id = app.post_json("/api/v1/items", Some(&o1), body).await.json()["id"].as_i64().expect("id");
    let dispute = format!("/api/v1/items/{id}/dispute");
    let parties =
        json!([{"name": "王五", "role": "申请人", "mobile": "13912345678"}, {"name": "渝中一号", "role": "被申请人"}]);
    let early = app
        .send(Method::PUT, &dispute, Some(&o1), Body_::Json(json!({"amount_fen": 8_000_000, "parties": parties})))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "accept first");
    ok(&app, &o1, id, "accept", json!({})).await;
    ok(&app, &o1, id, "assign", json!({"handler_id": app.f.user("o1")})).await;
    ok(&app, &o1, id, "start", json!({})).await;
    let set = app
        .send(Method::PUT, &dispute, Some(&o1), Body_::Json(json!({"amount_fen": 8_000_000, "parties": parties})))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.json()["dispute"]["level"], 1, "¥80,000 and two parties start with the community officer");
    assert_eq!(set.json()["parties"][0]["mobile"], "139****5678");
    let bad = app.send(Method::PUT, &dispute, Some(&o1), Body_::Json(json!({"amount_fen": -1, "parties": []}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let sessions = format!("/api/v1/items/{id}/mediation-sessions");
    let failed = json!({"held_on": "2026-03-02", "participants": "王五、企业代表、o1", "outcome": "failed", "note": "金额分歧大"});
    assert_eq!(
        app.post_json(&sessions, Some(&o1), failed.clone()).await.json()["dispute"]["level"],
        2,
        "a failed session escalates"
    );
    assert_eq!(
        app.post_json(&sessions, Some(&o1), failed.clone()).await.status,
        StatusCode::FORBIDDEN,
        "level 2 is the station's"
    );
    assert_eq!(app.post_json(&sessions, Some(&sup1), failed.clone()).await.json()["dispute"]["level"], 3);
    assert_eq!(
        app.post_json(&sessions, Some(&sup1), failed.clone()).await.status,
        StatusCode::FORBIDDEN,
        "level 3 is the center's"
    );
    let future = json!({"held_on": "2099-01-01", "participants": "x", "outcome": "failed"});
    assert_eq!(app.post_json(&sessions, Some(&center), future).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let last = app.post_json(&sessions, Some(&center), failed).await.json();
    assert_eq!((last["dispute"]["level"].as_i64(), last["sessions"].as_array().map(Vec::len)), (Some(3), Some(3)));

    let outcome = format!("/api/v1/items/{id}/mediation-outcome");
    let vague = json!({"outcome": "not_reached", "text": "双方分歧较大"});
    assert_eq!(app.post_json(&outcome, Some(&center), vague).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let guided = json!({"outcome": "not_reached", "guidance": "arbitration", "text": "已告知向区劳动人事争议仲裁委员会申请仲裁"});
    let concluded = app.post_json(&outcome, Some(&center), guided.clone()).await.json();
    assert_eq!(concluded["dispute"]["outcome"], "not_reached");
    assert_eq!(app.post_json(&outcome, Some(&center), guided).await.status, StatusCode::CONFLICT, "concluded once");
    let seen = app.get(&dispute, Some(&e1a)).await.json();
    assert_eq!(seen["parties"][0]["mobile"], "139****5678", "masked for the enterprise too");
    let timeline = steps(&app.get(&format!("/api/v1/items/{id}"), Some(&e1a)).await.json()["timeline"]);
    assert_eq!(timeline.iter().filter(|s| *s == "mediate").count(), 3);
    assert!(timeline.contains(&"conclude".to_owned()));

    let need = submit(&app, &e1a).await;
    assert_eq!(app.get(&format!("/api/v1/items/{need}/dispute"), Some(&o1)).await.status, StatusCode::NOT_FOUND);
    let big = json!({"kind": "dispute", "category_id": 7, "channel": "phone", "title": "合同纠纷", "description": "货款",
                     "enterprise_id": app.f.e1});
    let big_id = app.post_json("/api/v1/items", Some(&o1), big).await.json()["id"].as_i64().expect("id");
    ok(&app, &o1, big_id, "accept", json!({})).await;
    let amount = json!({"amount_fen": 50_000_000, "parties": [{"name": "甲", "role": "申请人"}, {"name": "乙", "role": "被申请人"}]});
    let started =
        app.send(Method::PUT, &format!("/api/v1/items/{big_id}/dispute"), Some(&o1), Body_::Json(amount)).await.json();
    assert_eq!(started["dispute"]["level"], 2, "¥500,000 starts at the station");
}

#[tokio::test]
async fn while_writing_an_enterprise_is_offered_its_similar_open_items() {
    let app = TestApp::new().await;
    let (e1a, e2a, o1) = (app.session("e1a").await, app.session("e2a").await, app.session("o1").await);
    let id = submit(&app, &e1a).await;
    let other =
        json!({"kind": "need", "category_id": 4, "title": "门口路灯坏了", "description": "厂区门口道路照明不足"});
    app.post_json("/api/v1/items", Some(&e1a), other).await;
    let query = "/api/v1/items/similar?text=%E6%8B%9B%E5%B7%A5%E9%9A%BE%20%E7%BC%BA%E4%B8%89%E5%8D%81%E5%90%8D%E6%93%8D%E4%BD%9C%E5%B7%A5";
    let found = app.get(query, Some(&e1a)).await.json();
    let ids: Vec<i64> = found["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_i64()).collect();
    assert_eq!(ids, [id], "招工难 / 操作工 match the open need, not the street light");
    assert_eq!(app.get(query, Some(&e2a)).await.json()["items"], json!([]), "only the enterprise's own items");
    assert_eq!(app.get(&format!("{query}&enterprise_id={}", app.f.e1), Some(&o1)).await.json()["items"][0]["id"], id);
    let fragment = app
        .get("/items/similar?title=%E6%8B%9B%E5%B7%A5%E9%9A%BE&description=%E6%93%8D%E4%BD%9C%E5%B7%A5", Some(&e1a))
        .await;
    assert!(fragment.body.contains("YZ-2026-000001") && fragment.body.contains("id=\"similar\""));
    let withdrawn = ok(&app, &e1a, id, "withdraw", json!({})).await;
    assert_eq!(withdrawn["item"]["status"], "withdrawn");
    assert_eq!(app.get(query, Some(&e1a)).await.json()["items"], json!([]), "closed matters are not offered");
}

/// The administrator manages the catalogue on its page: a new category is offered to submitters at once,
/// a refused form comes back with what was typed and the reason, and a policy change sets the deadlines
/// of the next item.
#[tokio::test]
async fn the_catalogue_page_adds_categories_and_sets_time_limits() {
    let app = TestApp::new().await;
    let (sys, e1a) = (app.session("sys").await, app.session("e1a").await);
    let page = app.get("/catalogue", Some(&sys)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-policy=\"need-normal\""), "every kind × priority has its row");

    let refused =
        app.post_form("/catalogue/categories", Some(&sys), "kind=need&name=%E7%94%A8%E5%9C%B0&resolve_days=x").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("value=\"用地\"") && refused.body.contains("请填写整数"),
        "typed name kept, reason shown"
    );

    let created =
        app.post_form("/catalogue/categories", Some(&sys), "kind=need&name=%E7%94%A8%E5%9C%B0&resolve_days=3").await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let offered = app.get("/api/v1/categories?kind=need", Some(&e1a)).await.json();
    let new = offered.as_array().expect("categories").iter().find(|c| c["name"] == "用地").expect("offered").clone();
    assert_eq!(new["resolve_days"], 3);

    let set = "respond=4&respond_unit=hours&resolve_days=2&warn_percent=50";
    assert_eq!(app.post_form("/catalogue/policies/need/normal", Some(&sys), set).await.status, StatusCode::SEE_OTHER);
    let policy = app.db.sla_policy(liaison_core::item::Kind::Need, liaison_core::item::Priority::Normal, 1).await;
    let policy = policy.expect("policy");
    assert_eq!((policy.respond, policy.resolve_days, policy.warn_percent), (liaison_core::sla::Span::Hours(4), 2, 50));
    let id = submit(&app, &e1a).await;
    let item = app.get(&format!("/api/v1/items/{id}"), Some(&e1a)).await.json();
    let submitted: chrono::DateTime<chrono::Utc> =
        item["item"]["submitted_at"].as_str().expect("at").parse().expect("time");
    let respond_due: chrono::DateTime<chrono::Utc> =
        item["item"]["respond_due_at"].as_str().expect("due").parse().expect("time");
    assert_eq!(respond_due - submitted, Duration::hours(4), "the next item takes the new policy");
    assert_eq!(app.audit("sla_policy.update").await.len(), 1, "the change is audited");
}
