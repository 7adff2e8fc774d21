//! The enterprise portal: registration pending confirmation, the profile, self-reports reviewed by the officer.

use crate::harness::TestApp;
use liaison_store::fixture::PASSWORD;
use serde_json::json;

#[tokio::test]
async fn registration_waits_for_the_officer_and_then_opens_the_portal() {
    let app = TestApp::new().await;
    let form = "credit_code=91350100m000100y43&name=%E7%8E%8B%E4%BA%94&mobile=13700001234&username=wangwu&password=shan-cheng-river-9&consent=yes";
    let registered = app.post_form("/portal/register", None, form).await;
    assert_eq!(registered.status, 200, "{}", registered.body);
    assert!(registered.body.contains("id=\"registered\""));
    let login =
        app.post_json("/api/v1/session", None, json!({"username": "wangwu", "password": "shan-cheng-river-9"})).await;
    let token = login.session_token().expect("token");
    let waiting = app.get("/portal", Some(&token)).await;
    assert!(
        waiting.body.contains("id=\"pending\"") && !waiting.body.contains("渝中一号科技有限公司"),
        "nothing of the enterprise before confirmation"
    );
    assert_eq!(app.get(&format!("/api/v1/enterprises/{}", app.f.e1), Some(&token)).await.status, 404);
    let officer = app.session("o1").await;
    let queue = app.get("/registrations", Some(&officer)).await;
    assert!(queue.body.contains("wangwu") && queue.body.contains("137****1234") && !queue.body.contains("13700001234"));
    let other = app.session("o2").await;
    assert!(
        !app.get("/registrations", Some(&other)).await.body.contains("wangwu"),
        "only the enterprise's officer or station"
    );
    let id = app.db.user_by_username("wangwu").await.expect("q").expect("user").row.id;
    assert_eq!(app.post_form(&format!("/registrations/{id}"), Some(&officer), "decision=approve").await.status, 303);
    let open = app.get("/portal", Some(&token)).await;
    assert!(
        open.body.contains("渝中一号科技有限公司") && open.body.contains("测试o1"),
        "the enterprise and its officer"
    );
}

#[tokio::test]
async fn registration_needs_a_known_enterprise_a_strong_password_and_consent() {
    let app = TestApp::new().await;
    let form = "credit_code=91330100716105852F&name=x&mobile=12345&username=ab&password=123456123456";
    let refused = app.post_form("/portal/register", None, form).await;
    assert_eq!(refused.status, 422);
    for field in ["credit_code", "mobile", "username", "password", "consent"] {
        assert!(refused.body.contains(&format!("data-field=\"{field}\"")), "{field}: {}", refused.body);
    }
    assert!(!refused.body.contains("123456123456"), "the password is never echoed");
    let taken =
        "credit_code=91350100M000100Y43&name=x&mobile=13700001234&username=e1a&password=shan-cheng-river-9&consent=yes";
    assert!(app.post_form("/portal/register", None, taken).await.body.contains("data-field=\"username\""));
}

#[tokio::test]
async fn a_self_report_is_reviewed_by_the_officer() {
    let app = TestApp::new().await;
    let company = app
        .post_json("/api/v1/session", None, json!({"username": "e1a", "password": PASSWORD}))
        .await
        .session_token()
        .expect("token");
    let bad = app
        .post_form(
            "/portal/self-report",
            Some(&company),
            "employees=-1&security_staff=x&cameras=3&fire_equipment=&key_positions=&risks=",
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("data-field=\"employees\"") && bad.body.contains("data-field=\"security_staff\""));
    let ok = app.post_form("/portal/self-report", Some(&company), "employees=120&security_staff=4&cameras=36&fire_equipment=%E7%81%AD%E7%81%AB%E5%99%A8&key_positions=&risks=%E8%AF%88%E9%AA%97").await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.contains("待审核"));
    let officer = app.session("o1").await;
    let detail = app.get(&format!("/enterprises/{}", app.f.e1), Some(&officer)).await;
    assert!(detail.body.contains("诈骗") && detail.body.contains("value=\"approve\""));
    let report = app.db.self_reports(app.f.e1).await.expect("reports")[0].id;
    let approve = app
        .post_form(
            &format!("/enterprises/{}/self-reports/{report}", app.f.e1),
            Some(&officer),
            "decision=approve&comment=%E6%A0%B8%E5%AE%9E",
        )
        .await;
    assert_eq!(approve.status, 303);
    assert!(app.get("/portal", Some(&company)).await.body.contains("已审核"));
}
