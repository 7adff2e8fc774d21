//! Sign-in throttling an attacker cannot turn against the owner (issue 14, SECURITY.md AUTH-04):
//! failures refuse their own source; unknown sources together hit a slower backstop that locks the
//! account for unknown sources only; the owner's known browser (device cookie) still signs in; the
//! security administrator lifts a lock.

use crate::harness::{TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Method, Request, header};
use liaison_store::fixture::PASSWORD;
use liaison_web::WebConfig;
use serde_json::json;

/// Signs in as `username` from client address `ip`, with a device cookie when given.
async fn login_from(app: &TestApp, ip: [u8; 4], username: &str, password: &str, device: Option<&str>) -> TestResponse {
    let mut builder =
        Request::builder().method(Method::POST).uri("/api/v1/session").header(header::CONTENT_TYPE, "application/json");
    if let Some(device) = device {
        builder = builder.header(header::COOKIE, format!("liaison_device={device}"));
    }
    let mut request =
        builder.body(Body::from(json!({"username": username, "password": password}).to_string())).expect("request");
    request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
    app.call(request).await
}

/// The device cookie a response sets.
fn device_of(response: &TestResponse) -> Option<String> {
    response.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.strip_prefix("liaison_device=").map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
    })
}

#[tokio::test]
async fn an_attackers_failures_refuse_the_attacker_not_the_owner_signing_in_elsewhere() {
    let app = TestApp::new().await;
    for _ in 0..8 {
        login_from(&app, [203, 0, 113, 9], "o1", "wrong-password-1", None).await;
    }
    let attacker = login_from(&app, [203, 0, 113, 9], "o1", PASSWORD, None).await;
    assert_eq!(attacker.status, 429, "the attacker's source is refused, even with the right password");
    let owner = login_from(&app, [10, 1, 1, 1], "o1", PASSWORD, None).await;
    assert_eq!(owner.status, 200, "the owner elsewhere signs in: {}", owner.body);
    let cookie = owner.header("set-cookie");
    assert!(owner.headers.get_all(header::SET_COOKIE).iter().count() == 2, "session and device cookies: {cookie}");
    let device = device_of(&owner).expect("a device cookie");
    let set =
        owner.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("\n");
    assert!(set.contains("liaison_device=") && set.contains("HttpOnly; SameSite=Strict"), "{set}");
    let again = login_from(&app, [10, 1, 1, 1], "o1", PASSWORD, Some(&device)).await;
    assert_eq!((again.status.as_u16(), device_of(&again)), (200, None), "a known browser keeps its cookie");
    let locks = app.audit("auth.lock").await;
    assert_eq!(locks.len(), 1, "the source refusal is audited once");
    assert!(locks[0].detail.contains("203.0.113.9"), "{}", locks[0].detail);
}

#[tokio::test]
async fn the_backstop_locks_unknown_sources_but_the_owners_browser_signs_in_and_security_lifts_it() {
    let config = WebConfig { require_staff_mfa: false, unknown_failures_per_hour: 12, ..WebConfig::default() };
    let app = TestApp::with_config(config).await;
    let device = device_of(&login_from(&app, [10, 1, 1, 1], "o1", PASSWORD, None).await).expect("device");
    // Twelve failures spread over three addresses, four each (below each source's own limit of five).
    for last in 1..=3 {
        for _ in 0..4 {
            assert_eq!(login_from(&app, [198, 51, 100, last], "o1", "wrong-password-1", None).await.status, 401);
        }
    }
    let unknown = login_from(&app, [192, 0, 2, 77], "o1", PASSWORD, None).await;
    assert_eq!(unknown.status, 429, "unknown sources are locked out of the account");
    assert!(unknown.header("retry-after").parse::<u64>().expect("seconds") > 0);
    assert!(app.audit("auth.lock").await.iter().any(|row| row.detail.contains("unknown sources")));
    let owner = login_from(&app, [192, 0, 2, 77], "o1", PASSWORD, Some(&device)).await;
    assert_eq!(owner.status, 200, "the owner's browser signs in from anywhere: {}", owner.body);
    let forged = login_from(&app, [192, 0, 2, 77], "o1", PASSWORD, Some(&"ab".repeat(32))).await;
    assert_eq!(forged.status, 429, "an unknown device cookie is no key");
    let sec = app.session("sec").await;
    let sys = app.session("sys").await;
    let path = format!("/api/v1/users/{}/unlock", app.f.user("o1"));
    assert_eq!(app.post_json(&path, Some(&sys), json!({})).await.status, 403, "locks are the security duty's");
    assert_eq!(app.send(Method::POST, &path, Some(&sec), crate::harness::Body_::None).await.status, 204);
    assert_eq!(app.audit("auth.unlock").await.len(), 1);
    assert_eq!(login_from(&app, [192, 0, 2, 77], "o1", PASSWORD, None).await.status, 200, "lifted");
}
