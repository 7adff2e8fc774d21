//! Notifications beyond the inbox, against real servers on loopback: email to an aiosmtpd SMTP server
//! (PyPI, started here), webhooks to an HTTP listener (generic JSON and the 企业微信 formats, a failure
//! retried with backoff), SMS through the logging sender; channel preferences and the delivery log.

use crate::harness::{Body_, TestApp};
use axum::http::{Method, StatusCode};
use chrono::Duration;
use liaison_web::WebConfig;
use liaison_web::notify::NotifyConfig;
use serde_json::{Value, json};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, BufReader};

/// An HTTP listener that records every JSON body and answers the queued statuses (then 200).
async fn webhook_listener(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let queue = Arc::new(Mutex::new(statuses));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let (received, queue) = (received.clone(), queue.clone());
            move |axum::Json(body): axum::Json<Value>| async move {
                received.lock().expect("lock").push(body);
                let status = queue.lock().expect("lock").pop().unwrap_or(200);
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn kinds(app_inbox: &Value) -> Vec<String> {
    app_inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["state"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn submit(app: &TestApp) -> i64 {
    let e1a = app.session("e1a").await;
    let body = json!({"kind": "need", "category_id": 1, "title": "招工难", "description": "需要招聘三十名操作工"});
    let created = app.post_json("/api/v1/items", Some(&e1a), body).await;
    assert_eq!(created.status, StatusCode::CREATED);
    created.json()["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_webhook_gets_the_wecom_format_and_a_failure_is_retried_with_backoff() {
    let app = TestApp::new().await;
    let (url, received) = webhook_listener(vec![500]).await;
    let o1 = app.session("o1").await;
    let channels = json!({"webhook_url": url, "webhook_format": "wecom_markdown", "sms": "13800138000"});
    let saved = app.send(Method::PUT, "/api/v1/me/channels", Some(&o1), Body_::Json(channels)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    submit(&app).await;
    app.advance(Duration::zero()).await;
    assert_eq!(received.lock().expect("lock").len(), 1, "first attempt made");
    let sys = app.session("sys").await;
    let log = app.get("/api/v1/deliveries", Some(&sys)).await.json();
    let webhook =
        log["items"].as_array().expect("items").iter().find(|d| d["channel"] == "webhook").expect("webhook").clone();
    assert_eq!((webhook["state"].as_str(), webhook["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert!(webhook["last_error"].as_str().is_some_and(|e| e.contains("500")));
    let sms = log["items"].as_array().expect("items").iter().find(|d| d["channel"] == "sms").expect("sms").clone();
    assert_eq!(sms["state"], "sent", "the logging SMS sender");

    app.advance(Duration::seconds(31)).await;
    let bodies = received.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 2, "retried after the backoff");
    assert_eq!(bodies[1]["msgtype"], "markdown");
    assert!(bodies[1]["markdown"]["content"].as_str().is_some_and(|c| c.contains("YZ-2026-000001")));
    let log = app.get("/api/v1/deliveries?state=sent", Some(&app.session("sys").await)).await.json();
    assert_eq!(kinds(&log), ["sent", "sent"]);
}

/// Outside tests a webhook may reach public addresses only: an address in the URL or a host name that
/// resolves to loopback is refused before anything is sent, and the delivery log says why (SSRF).
#[tokio::test]
async fn webhooks_to_internal_addresses_are_refused() {
    let file = std::env::temp_dir().join(format!("liaison-ssrf-{}.db", liaison_core::token::random_hex(6)));
    let db = liaison_store::Db::open(&format!("sqlite://{}", file.display()), 2).await.expect("db");
    let notify = NotifyConfig { allow_plain_http_webhooks: true, ..NotifyConfig::default() };
    let app = TestApp::with_notify(db, WebConfig { require_staff_mfa: false, ..WebConfig::default() }, notify).await;
    let (url, received) = webhook_listener(Vec::new()).await;
    let by_name = url.replace("127.0.0.1", "localhost");
    for target in [url, by_name] {
        let o1 = app.session("o1").await;
        let channels = json!({"webhook_url": target, "webhook_format": "json"});
        let saved = app.send(Method::PUT, "/api/v1/me/channels", Some(&o1), Body_::Json(channels)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        submit(&app).await;
        app.advance(Duration::zero()).await;
        let sys = app.session("sys").await;
        let log = app.get("/api/v1/deliveries?state=pending", Some(&sys)).await.json();
        let errors: Vec<&str> =
            log["items"].as_array().expect("items").iter().filter_map(|d| d["last_error"].as_str()).collect();
        assert!(errors.first().is_some_and(|e| e.contains("not a public address")), "{target}: {errors:?}");
        app.advance(Duration::days(2)).await;
    }
    assert!(received.lock().expect("lock").is_empty(), "nothing reached the internal listener");
}

#[tokio::test]
async fn channel_preferences_are_checked() {
    let db = liaison_store::Db::open(
        &format!(
            "sqlite://{}",
            std::env::temp_dir().join(format!("liaison-notify-{}.db", liaison_core::token::random_hex(6))).display()
        ),
        2,
    )
    .await
    .expect("db");
    let app = TestApp::with_notify(
        db,
        WebConfig { require_staff_mfa: false, ..WebConfig::default() },
        NotifyConfig::default(),
    )
    .await;
    let o1 = app.session("o1").await;
    let put = |body: Value| app.send(Method::PUT, "/api/v1/me/channels", Some(&o1), Body_::Json(body));
    let bad = put(json!({"email": "not-an-address", "sms": "12345", "webhook_url": "http://127.0.0.1:8080/api"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(fields, ["email", "sms", "webhook_url"], "plain-http webhooks are refused outside tests");
    let good = put(json!({"email": "o1@example.gov.cn", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "webhook_format": "wecom_text"})).await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(good.json().as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.get("/api/v1/deliveries", Some(&o1)).await.status,
        StatusCode::FORBIDDEN,
        "only system administrators"
    );
    let page = app.post_form("/account/notifications", Some(&o1), "email=&sms=&webhook_url=&webhook_format=json").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/me/channels", Some(&o1)).await.json(), json!([]), "all switched off");
}

#[tokio::test]
async fn email_reaches_a_real_smtp_server() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
    let available =
        std::process::Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if !available {
        assert!(
            std::env::var("LIAISON_REQUIRE_SMTP").as_deref() != Ok("1"),
            "LIAISON_REQUIRE_SMTP=1 but aiosmtpd is missing"
        );
        eprintln!("email test skipped: pip install aiosmtpd");
        return;
    }
    let mut sink = tokio::process::Command::new("python3")
        .arg(script)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("smtp sink");
    let mut lines = BufReader::new(sink.stdout.take().expect("stdout")).lines();
    let ready = lines.next_line().await.expect("read").expect("a line");
    let port: u16 = ready.strip_prefix("listening ").and_then(|p| p.parse().ok()).expect("port");

    let db = liaison_store::Db::open(
        &format!(
            "sqlite://{}",
            std::env::temp_dir().join(format!("liaison-smtp-{}.db", liaison_core::token::random_hex(6))).display()
        ),
        2,
    )
    .await
    .expect("db");
    let notify = NotifyConfig {
        smtp_host: "127.0.0.1".into(),
        smtp_port: port,
        smtp_tls: "none".into(),
        mail_from: "助企警务联络平台 <noreply@liaison.test>".into(),
        public_origin: "https://liaison.test".into(),
        ..NotifyConfig::default()
    };
    let app = TestApp::with_notify(db, WebConfig { require_staff_mfa: false, ..WebConfig::default() }, notify).await;
    let o1 = app.session("o1").await;
    let set = app
        .send(Method::PUT, "/api/v1/me/channels", Some(&o1), Body_::Json(json!({"email": "o1@example.gov.cn"})))
        .await;
    assert_eq!(set.status, StatusCode::OK);
    let id = submit(&app).await;
    app.advance(Duration::zero()).await;
    let line =
        tokio::time::timeout(std::time::Duration::from_secs(10), lines.next_line()).await.expect("a message in time");
    let message: Value = serde_json::from_str(&line.expect("read").expect("line")).expect("json");
    assert_eq!(message["to"], json!(["o1@example.gov.cn"]));
    assert!(message["subject"].as_str().is_some_and(|s| s.contains("YZ-2026-000001") && s.contains("新诉求需求")));
    assert!(message["body"].as_str().is_some_and(|b| b.contains(&format!("https://liaison.test/items/{id}"))));
    let log = app.get("/api/v1/deliveries", Some(&app.session("sys").await)).await.json();
    assert_eq!(kinds(&log), ["sent"]);
}
