//! An enterprise's onboarding through the API alone, as a mini-program does it (issue 15's API twins):
//! registration with the credit code, the officer's confirmation, sign-in, a self-report and its review;
//! and the statistics and org-unit changes the console's pages offer.

use crate::harness::{Body_, TestApp};
use axum::http::{Method, StatusCode};
use liaison_store::fixture::PASSWORD;
use serde_json::json;

#[tokio::test]
async fn an_enterprise_registers_reports_and_is_reviewed_through_the_api() {
    let app = TestApp::new().await;
    let registration = json!({"credit_code": "91350100m000100y43", "name": "王经理", "mobile": "138 0013 8000",
                              "username": "Wang-YZ", "password": "a long passphrase for 2026", "consent": true});
    let created = app.post_json("/api/v1/registrations", None, registration.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let again = app.post_json("/api/v1/registrations", None, registration).await;
    assert_eq!(again.json()["error"]["fields"][0]["field"], "username", "a taken name is a field error");
    let refused = app.post_json("/api/v1/registrations", None, json!({"credit_code": "91350100M000100Y44"})).await;
    let fields: Vec<String> = refused.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    for field in ["credit_code", "name", "mobile", "username", "password", "consent"] {
        assert!(fields.contains(&field.to_owned()), "{field} named: {fields:?}");
    }

    let o1 = app.session("o1").await;
    let pending = app.get("/api/v1/registrations", Some(&o1)).await.json();
    let id = pending[0]["id"].as_i64().expect("the officer sees it");
    assert_eq!(pending[0]["mobile"], "138****8000", "masked for an officer without the reveal permission");
    assert_eq!(app.get("/api/v1/registrations", Some(&app.session("o2").await)).await.json(), json!([]));
    let approve = app.post_json(&format!("/api/v1/registrations/{id}"), Some(&o1), json!({"approve": true})).await;
    assert_eq!(approve.status, StatusCode::NO_CONTENT);

    let signed = app
        .post_json("/api/v1/session", None, json!({"username": "wang-yz", "password": "a long passphrase for 2026"}))
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    let token = signed.session_token().expect("session");
    let bad = app
        .post_json("/api/v1/self-reports", Some(&token), json!({"employees": -1, "security_staff": 0, "cameras": 0}))
        .await;
    assert_eq!(
        (bad.status, bad.json()["error"]["fields"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("employees"))
    );
    let report = app
        .post_json(
            "/api/v1/self-reports",
            Some(&token),
            json!({"employees": 120, "security_staff": 4, "cameras": 36, "risks": "夜间仓库无人值守"}),
        )
        .await;
    assert_eq!(report.status, StatusCode::CREATED, "{}", report.body);
    let report_id = report.json()["id"].as_i64().expect("id");
    let listed = app.get(&format!("/api/v1/enterprises/{}/self-reports", app.f.e1), Some(&o1)).await.json();
    assert_eq!((listed[0]["id"].as_i64(), listed[0]["status"].as_str()), (Some(report_id), Some("pending")));
    let path = format!("/api/v1/enterprises/{}/self-reports/{report_id}", app.f.e1);
    let reviewed = app.post_json(&path, Some(&o1), json!({"approve": false, "comment": "摄像头数量请核实"})).await;
    assert_eq!(reviewed.status, StatusCode::NO_CONTENT);
    let seen = app.get(&format!("/api/v1/enterprises/{}/self-reports", app.f.e1), Some(&token)).await.json();
    assert_eq!(seen[0]["review_comment"], "摄像头数量请核实", "the enterprise reads the review");
    assert_eq!(
        app.post_json(&path, Some(&o1), json!({"approve": true})).await.status,
        StatusCode::CONFLICT,
        "reviewed once"
    );
}

#[tokio::test]
async fn figures_enterprise_status_and_org_units_through_the_api() {
    let app = TestApp::new().await;
    let (sup1, sys) = (app.session("sup1").await, app.session("sys").await);
    let coverage = app.get("/api/v1/stats/coverage", Some(&app.session("leader").await)).await.json();
    assert_eq!((coverage["enterprises"].as_i64(), coverage["covered"].as_i64()), (Some(2), Some(2)), "{coverage}");
    let officers = app.get("/api/v1/stats/officers", Some(&sup1)).await.json();
    assert_eq!(officers.as_array().map(Vec::len), Some(1), "the station's one officer: {officers}");
    let status = format!("/api/v1/enterprises/{}/status", app.f.e1);
    assert_eq!(app.post_json(&status, Some(&sup1), json!({"retired": true})).await.status, StatusCode::NO_CONTENT);
    let after = app.get("/api/v1/stats/coverage", Some(&sup1)).await.json();
    assert_eq!(after["enterprises"], 0, "a retired enterprise leaves the counts: {after}");
    assert_eq!(app.post_json(&status, Some(&sup1), json!({"retired": false})).await.status, StatusCode::NO_CONTENT);

    let unit = format!("/api/v1/org-units/{}", app.f.community1);
    let renamed = app.send(Method::PUT, &unit, Some(&sys), Body_::Json(json!({"name": "解放碑东社区"}))).await;
    assert_eq!(renamed.status, StatusCode::NO_CONTENT, "{}", renamed.body);
    let moved = app.send(Method::PUT, &unit, Some(&sys), Body_::Json(json!({"parent_id": app.f.station2}))).await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.body);
    let units = app.get("/api/v1/org-units", Some(&sys)).await.json();
    let community =
        units.as_array().expect("units").iter().find(|u| u["id"] == app.f.community1).expect("listed").clone();
    assert_eq!(community["name"], "解放碑东社区");
    assert!(community["path"].as_str().is_some_and(|p| p.contains(&format!("/{}/", app.f.station2))), "{community}");
    let nothing = app.send(Method::PUT, &unit, Some(&sys), Body_::Json(json!({}))).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_password_changes_and_other_sessions_end_through_the_api() {
    let app = TestApp::new().await;
    let login = || app.post_json("/api/v1/session", None, json!({"username": "e1a", "password": PASSWORD}));
    let first = login().await.session_token().expect("first");
    let second = login().await.session_token().expect("second");
    let ended = app.send(Method::DELETE, "/api/v1/me/sessions", Some(&second), Body_::None).await;
    assert_eq!(ended.json()["ended"], 1);
    assert_eq!(app.get("/api/v1/me", Some(&first)).await.status, StatusCode::UNAUTHORIZED, "the other session ended");
    let wrong = app
        .post_json("/api/v1/me/password", Some(&second), json!({"current": "nope", "new": "x", "confirm": "x"}))
        .await;
    assert_eq!(wrong.json()["error"]["fields"][0]["field"], "current");
    let new = "another long passphrase 2026";
    let changed = app
        .post_json("/api/v1/me/password", Some(&second), json!({"current": PASSWORD, "new": new, "confirm": new}))
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    let again = app.post_json("/api/v1/session", None, json!({"username": "e1a", "password": new})).await;
    assert_eq!(again.status, StatusCode::OK);
}
