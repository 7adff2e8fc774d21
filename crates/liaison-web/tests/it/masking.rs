//! Personal numbers inside free text (issue 14, SECURITY.md AC-03): every GET route of the router, as
//! every fixture actor, never shows a mobile or resident ID number written in an item's title,
//! description, timeline or mediation record — except to the item's own enterprise — and staff holding
//! the reveal permission see them through the audited reveal only.

use crate::harness::{Body_, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::json;

/// Numbers written in the text (a mobile, the standard's example ID number, another mobile).
const WRITTEN: [&str; 3] = ["13611112222", "11010519491231002X", "15833334444"];
const ACTORS: [&str; 12] = ["e1a", "e1b", "e2a", "o1", "o2", "sup1", "center", "leader", "dept", "sys", "sec", "aud"];

/// A need and a dispute of enterprise 1 whose texts carry the numbers; returns their ids.
async fn items_with_numbers(app: &TestApp) -> (i64, i64) {
    let (e1a, o1) = (app.session("e1a").await, app.session("o1").await);
    let need = json!({"kind": "need", "category_id": 1, "channel": "portal", "title": "招工请回电13611112222",
                      "description": "联系人身份证11010519491231002X，电话13611112222"});
    let need = app.post_json("/api/v1/items", Some(&e1a), need).await.json()["id"].as_i64().expect("need");
    let step = |id: i64, step: &'static str, body: serde_json::Value| {
        let o1 = o1.clone();
        async move {
            let version = app.get(&format!("/api/v1/items/{id}"), Some(&o1)).await.json()["item"]["version"].clone();
            let mut body = body;
            body["version"] = version;
            let done = app.post_json(&format!("/api/v1/items/{id}/{step}"), Some(&o1), body).await;
            assert_eq!(done.status, StatusCode::OK, "{step}: {}", done.body);
        }
    };
    step(need, "comment", json!({"body": "已联系，另一位联系人15833334444"})).await;
    let dispute = json!({"kind": "dispute", "category_id": 6, "channel": "visit", "title": "欠薪纠纷",
                         "description": "工人王五 13611112222 反映欠薪", "enterprise_id": app.f.e1});
    let dispute = app.post_json("/api/v1/items", Some(&o1), dispute).await.json()["id"].as_i64().expect("dispute");
    step(dispute, "accept", json!({})).await;
    step(dispute, "assign", json!({"handler_id": app.f.user("o1")})).await;
    step(dispute, "start", json!({})).await;
    let parties = json!([{"name": "王五", "role": "申请人"}, {"name": "渝中一号", "role": "被申请人"}]);
    let path = format!("/api/v1/items/{dispute}/dispute");
    let set =
        app.send(Method::PUT, &path, Some(&o1), Body_::Json(json!({"amount_fen": 100_000, "parties": parties}))).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let session = json!({"held_on": "2026-03-02", "participants": "王五（15833334444）", "outcome": "adjourned",
                         "note": "王五身份证11010519491231002X"});
    let held = app.post_json(&format!("/api/v1/items/{dispute}/mediation-sessions"), Some(&o1), session).await;
    assert_eq!(held.status, StatusCode::OK, "{}", held.body);
    (need, dispute)
}

/// A concrete path for a GET route pattern, with `{id}` as `id`.
fn concrete(pattern: &str, id: i64) -> String {
    pattern
        .split('/')
        .map(|segment| match segment {
            "{id}" => id.to_string(),
            "{file}" => "requests.json".into(),
            "{*file}" => "index.html".into(),
            s if s.starts_with('{') => "1".into(),
            s => s.into(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn no_get_route_shows_numbers_written_in_an_items_text_but_to_its_own_enterprise() {
    let app = TestApp::new().await;
    let (need, dispute) = items_with_numbers(&app).await;
    // Even an officer holding the reveal permission reads them masked until the audited reveal.
    let ctx = liaison_store::Ctx::system(chrono::Utc::now());
    app.db.set_roles(&ctx, app.f.user("o1"), &[liaison_core::role::Role::Officer], true).await.expect("pi.reveal");
    let routes: Vec<&str> =
        liaison_web::routes::table().routes().iter().filter(|r| r.method == Method::GET).map(|r| r.path).collect();
    let mut leaks = Vec::new();
    let mut masked_seen = 0;
    for actor in ACTORS {
        let token = app.session(actor).await;
        let own = matches!(actor, "e1a" | "e1b");
        for route in &routes {
            for id in [need, dispute] {
                let mut path = concrete(route, id);
                if route.ends_with("/similar") {
                    path.push_str(&format!(
                        "?text=%E6%8B%9B%E5%B7%A5&title=%E6%8B%9B%E5%B7%A5&enterprise_id={}",
                        app.f.e1
                    ));
                }
                let response = app.get(&path, Some(&token)).await;
                masked_seen += usize::from(response.body.contains("136****2222"));
                for number in WRITTEN {
                    if !own && response.body.contains(number) {
                        leaks.push(format!("{actor} GET {path}: {number}"));
                    }
                }
            }
        }
        if own {
            let detail = app.get(&format!("/api/v1/items/{need}"), Some(&token)).await;
            assert!(WRITTEN.iter().all(|n| detail.body.contains(n)), "{actor} reads its own item as written");
        }
    }
    assert!(leaks.is_empty(), "numbers shown:\n{}", leaks.join("\n"));
    assert!(masked_seen > 20, "the walk reached the items' texts, masked ({masked_seen})");
}

#[tokio::test]
async fn the_reveal_needs_the_permission_and_a_reason_and_is_audited() {
    let app = TestApp::new().await;
    let (need, dispute) = items_with_numbers(&app).await;
    let (o1, sup1) = (app.session("o1").await, app.session("sup1").await);
    let path = format!("/api/v1/items/{need}/reveal");
    assert_eq!(app.post_json(&path, Some(&o1), json!({"reason": "回访"})).await.status, StatusCode::FORBIDDEN);
    assert!(app.audit("pi.reveal").await.iter().any(|row| row.outcome == "failure"), "the refusal is audited");
    let ctx = liaison_store::Ctx::system(chrono::Utc::now());
    app.db.set_roles(&ctx, app.f.user("o1"), &[liaison_core::role::Role::Officer], true).await.expect("pi.reveal");
    let o1 = app.session("o1").await;
    assert_eq!(app.post_json(&path, Some(&o1), json!({"reason": " "})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let revealed = app.post_json(&path, Some(&o1), json!({"reason": "回访核实"})).await;
    assert_eq!(revealed.status, StatusCode::OK, "{}", revealed.body);
    assert!(WRITTEN.iter().all(|n| revealed.body.contains(n)), "{}", revealed.body);
    let rows = app.audit("pi.reveal").await;
    assert!(rows.iter().any(|r| r.outcome == "success" && r.detail.contains("回访核实")));
    assert!(
        rows.iter().all(|r| WRITTEN.iter().all(|n| !r.detail.contains(n))),
        "the audit keeps the reason, not the text"
    );
    let mediation =
        app.post_json(&format!("/api/v1/items/{dispute}/reveal"), Some(&o1), json!({"reason": "调解"})).await;
    assert!(mediation.json()["dispute"]["sessions"][0]["note"].as_str().is_some_and(|n| n.contains(WRITTEN[1])));
    let page = app.post_form(&format!("/items/{need}/reveal"), Some(&o1), "reason=%E5%9B%9E%E8%AE%BF").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(WRITTEN[1]) && page.body.contains("id=\"revealed\""));
    let other = app.post_json(&format!("/api/v1/items/{need}/reveal"), Some(&sup1), json!({"reason": "x"})).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "a station head without the permission");
    let inbox = app.get("/api/v1/notifications", Some(&app.session("o1").await)).await;
    assert!(!inbox.body.contains(WRITTEN[0]), "notifications carry masked titles: {}", inbox.body);
}
