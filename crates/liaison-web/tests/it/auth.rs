//! Authentication and sessions: login, lockout, throttling, timeouts, logout, password change,
//! second factor, bearer tokens, CSRF and security headers (SECURITY.md AUTH, SES, CSRF, OUT).

use crate::harness::{Body_, Now, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, header};
use chrono::Duration;
use liaison_store::fixture::PASSWORD;
use liaison_web::WebConfig;
use serde_json::json;

async fn api_login(app: &TestApp, username: &str, password: &str) -> crate::harness::TestResponse {
    app.post_json("/api/v1/session", None, json!({"username": username, "password": password})).await
}

#[tokio::test]
async fn login_sets_a_fresh_http_only_cookie_and_me_answers() {
    let app = TestApp::new().await;
    let response = api_login(&app, "O1", PASSWORD).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["username"], "o1");
    let cookie = response.header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");
    let token = response.session_token().expect("token");
    assert_eq!(token.len(), 64);
    let again = api_login(&app, "o1", PASSWORD).await.session_token().expect("token");
    assert_ne!(token, again, "every login gets a new session id");
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["roles"], json!(["officer"]));
    let stored = app.db.session(&liaison_core::token::digest(&token)).await.expect("q");
    assert!(stored.is_some(), "the store keeps the digest, not the token");
    assert!(app.db.session(&token).await.expect("q").is_none());
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let app =
        TestApp::with_config(WebConfig { secure_cookies: true, require_staff_mfa: false, ..WebConfig::default() })
            .await;
    let response = api_login(&app, "o1", PASSWORD).await;
    let cookie = response.header("set-cookie");
    assert!(cookie.starts_with("__Host-liaison=") && cookie.contains("; Secure"), "{cookie}");
    let device = response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-liaison_device="))
        .unwrap_or_default();
    assert!(device.contains("; Secure") && device.contains("HttpOnly; SameSite=Strict"), "{device}");
    assert!(response.header("strict-transport-security").contains("max-age=31536000"));
}

#[tokio::test]
async fn unknown_and_known_accounts_fail_alike() {
    let app = TestApp::new().await;
    let unknown = api_login(&app, "nobody", "whatever-password").await;
    let known = api_login(&app, "o1", "whatever-password").await;
    assert_eq!((unknown.status.as_u16(), known.status.as_u16()), (401, 401));
    assert_eq!(unknown.json()["error"], known.json()["error"]);
    let failures = app.audit("auth.login").await;
    assert!(failures.iter().filter(|r| r.outcome == "failure").count() >= 2);
    assert!(failures.iter().all(|r| !r.detail.contains("whatever-password")), "no secrets in the audit");
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        assert_eq!(api_login(&app, "o1", "wrong-password-1").await.status, 401);
    }
    let locked = api_login(&app, "o1", PASSWORD).await;
    assert_eq!(locked.status, 429, "even the right password fails while locked");
    assert!(locked.header("retry-after").parse::<u64>().expect("seconds") > 0);
    assert!(app.audit("auth.lock").await.len() == 1, "the lock is audited");
    app.clock.advance(Duration::minutes(16));
    assert_eq!(api_login(&app, "o1", PASSWORD).await.status, 200, "unlocked after the window");
}

#[tokio::test]
async fn one_ip_is_throttled_across_accounts() {
    let app = TestApp::new().await;
    for n in 0..30 {
        api_login(&app, &format!("user{n}"), "wrong-password-1").await;
    }
    let throttled = api_login(&app, "o2", PASSWORD).await;
    assert_eq!(throttled.status, 429);
    assert!(!throttled.header("retry-after").is_empty());
    let mut from_elsewhere = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"username": "o2", "password": PASSWORD}).to_string()))
        .expect("request");
    from_elsewhere
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 1, 2, 3], 40000))));
    assert_eq!(app.call(from_elsewhere).await.status, 200, "another IP is not throttled");
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = TestApp::new().await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", "203.0.113.9")
        .body(Body::from(json!({"username": "o1", "password": "wrong-password-1"}).to_string()))
        .expect("request");
    app.call(request).await;
    let row = app.audit("auth.login").await.into_iter().next().expect("audited");
    assert_eq!(row.ip, "127.0.0.1");
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    let app = TestApp::new().await;
    let token = app.session("o1").await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    app.clock.advance(Duration::minutes(31));
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 401, "idle for 31 minutes");
    let token = app.session("o1").await;
    for _ in 0..25 {
        app.clock.advance(Duration::minutes(29));
        app.get("/api/v1/me", Some(&token)).await;
    }
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 401, "past the 12-hour absolute limit");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let token = app.session("o1").await;
    let out = app.post_form("/logout", Some(&token), "").await;
    assert_eq!(out.status, 303);
    assert!(out.header("clear-site-data").contains("storage"));
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 401);
    assert_eq!(app.audit("auth.logout").await.len(), 1);
}

#[tokio::test]
async fn a_password_change_ends_other_sessions_and_applies_the_policy() {
    let app = TestApp::new().await;
    let mine = app.session("o1").await;
    let other = app.session("o1").await;
    let weak = app
        .post_form(
            "/account/password",
            Some(&mine),
            &format!("current={PASSWORD}&new=123456123456&confirm=123456123456"),
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("data-field=\"new\""), "{}", weak.body);
    let form = format!("current={PASSWORD}&new=Kx7-new-secret&confirm=Kx7-new-secret");
    assert_eq!(app.post_form("/account/password", Some(&mine), &form).await.status, 200);
    assert_eq!(app.get("/api/v1/me", Some(&other)).await.status, 401, "other sessions end");
    assert_eq!(app.get("/api/v1/me", Some(&mine)).await.status, 200, "this one stays");
    assert_eq!(api_login(&app, "o1", "Kx7-new-secret").await.status, 200);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let app = TestApp::new().await;
    let officer = app.session("o1").await;
    let sys = app.session("sys").await;
    let id = app.f.user("o1");
    assert_eq!(app.post_form(&format!("/users/{id}"), Some(&sys), "op=disable").await.status, 200);
    assert_eq!(app.get("/api/v1/me", Some(&officer)).await.status, 401);
    assert_eq!(api_login(&app, "o1", PASSWORD).await.status, 401);
}

#[tokio::test]
async fn a_revoked_role_takes_effect_on_the_next_request() {
    let app = TestApp::new().await;
    let head = app.session("sup1").await;
    assert_eq!(app.get("/stats", Some(&head)).await.status, 200);
    let sec = app.session("sec").await;
    let id = app.f.user("sup1");
    let response = app
        .send(Method::PUT, &format!("/api/v1/users/{id}/roles"), Some(&sec), Body_::Json(json!({"roles": ["officer"]})))
        .await;
    assert_eq!(response.status, 204);
    assert_eq!(app.get("/stats", Some(&head)).await.status, 403);
}

#[tokio::test]
async fn staff_must_enrol_and_use_a_single_use_totp_code() {
    let app = TestApp::with_config(WebConfig::default()).await;
    let login = app.post_form("/login", None, &format!("username=o1&password={PASSWORD}")).await;
    assert_eq!((login.status.as_u16(), login.header("location")), (303, "/login/mfa"));
    let pending = login.session_token().expect("token");
    assert_eq!(app.get("/api/v1/me", Some(&pending)).await.status, 401, "nothing before the second factor");
    let enrol = app.get("/login/mfa", Some(&pending)).await;
    assert!(enrol.body.contains("<svg"), "QR code rendered on the server");
    let secret = app.db.user(app.f.user("o1")).await.expect("user").row.totp_secret.expect("secret");
    let now = app.clock.now_utc().timestamp();
    let code = liaison_core::mfa::code_at(&secret, now).expect("code");
    let done = app.post_form("/login/mfa", Some(&pending), &format!("code={code}")).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.matches("<code>").count() == 10, "ten recovery codes");
    let full = done.session_token().expect("rotated token");
    assert_ne!(full, pending, "the session id rotates after the second factor");
    assert_eq!(app.get("/api/v1/me", Some(&full)).await.status, 200);
    assert_eq!(app.get("/api/v1/me", Some(&pending)).await.status, 401);
    // Next sign-in: the same code again is a replay.
    let replay =
        app.post_json("/api/v1/session", None, json!({"username": "o1", "password": PASSWORD, "totp": code})).await;
    assert_eq!(replay.status, 422, "{}", replay.body);
    app.clock.advance(Duration::seconds(30));
    let next = liaison_core::mfa::code_at(&secret, app.clock.now_utc().timestamp()).expect("code");
    let ok =
        app.post_json("/api/v1/session", None, json!({"username": "o1", "password": PASSWORD, "totp": next})).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let without = api_login(&app, "o1", PASSWORD).await;
    assert_eq!((without.status.as_u16(), without.json()["error"]["code"].as_str()), (401, Some("mfa_required")));
}

#[tokio::test]
async fn bearer_tokens_work_without_cookies_and_die_with_revocation() {
    let app = TestApp::new().await;
    let session = app.session("o1").await;
    let created = app.post_json("/api/v1/tokens", Some(&session), json!({"name": "nightly export"})).await;
    assert_eq!(created.status, 201);
    let token = created.json()["token"].as_str().expect("token").to_owned();
    let call = |token: String| {
        Request::builder()
            .uri("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(app.call(call(token.clone())).await.status, 200);
    let id = created.json()["id"].as_i64().expect("id");
    let ctx = liaison_store::Ctx::system(app.clock.now_utc());
    assert!(app.db.revoke_api_token(&ctx, app.f.user("o1"), id).await.expect("revoke"));
    assert_eq!(app.call(call(token)).await.status, 401);
}

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    let app = TestApp::new().await;
    let token = app.session("o1").await;
    let post = |origin: Option<&str>, site: Option<&str>| {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/account/tokens")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, format!("liaison={token}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        if let Some(site) = site {
            builder = builder.header("sec-fetch-site", site);
        }
        builder.body(Body::from("name=x")).expect("request")
    };
    assert_eq!(app.call(post(Some("http://evil.example"), None)).await.status, 403);
    assert_eq!(app.call(post(None, Some("cross-site"))).await.status, 403);
    assert_eq!(app.call(post(Some("null"), None)).await.status, 403, "an opaque origin without fetch metadata");
    assert_eq!(app.call(post(Some("http://evil.example"), Some("same-site"))).await.status, 403);
    assert_eq!(app.call(post(Some("null"), Some("same-origin"))).await.status, 200, "Chrome under no-referrer");
    assert_eq!(app.call(post(Some("http://127.0.0.1:8080"), None)).await.status, 200);
    let text_plain = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/tokens")
        .header(header::COOKIE, format!("liaison={token}"))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(json!({"name": "x"}).to_string()))
        .expect("request");
    assert_eq!(app.call(text_plain).await.status, 415);
    let response = app.get("/api/v1/me", Some(&token)).await;
    assert!(response.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let token = app.session("o1").await;
    for (path, auth) in [
        ("/login", None),
        ("/nope", None),
        ("/enterprises", Some(token.as_str())),
        ("/api/v1/me", Some(token.as_str())),
        ("/assets/app.css", None),
    ] {
        let response = app.get(path, auth).await;
        let csp = response.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("object-src 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(response.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(response.header("referrer-policy"), "same-origin", "{path}");
        assert!(
            response.header("content-type").contains("charset=utf-8")
                || response.header("content-type") == "application/json",
            "{path}"
        );
        if !path.starts_with("/assets/") {
            assert_eq!(response.header("cache-control"), "no-store", "{path}");
        }
    }
    let trace = app.send(Method::TRACE, "/", None, Body_::None).await;
    assert!(trace.status == 405 || trace.status == 404, "{}", trace.status);
    assert_eq!(app.get("/.git/HEAD", None).await.status, 404);
}

#[tokio::test]
async fn malformed_input_gets_our_error_shape_not_a_500() {
    let app = TestApp::new().await;
    let token = app.session("sup1").await;
    let broken = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/enterprises")
        .header(header::COOKIE, format!("liaison={token}"))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .expect("request");
    let response = app.call(broken).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error"]["code"], "malformed_body");
    let unknown_field = app.post_json("/api/v1/tokens", Some(&token), json!({"name": "x", "user_id": 1})).await;
    assert_eq!(unknown_field.status, 400, "unknown fields are refused");
    let login_in_query = app.send(Method::POST, "/api/v1/session?username=o1&password=x", None, Body_::None).await;
    assert_eq!(login_in_query.status, 415, "credentials never come in the URL");
    let huge = app.post_json("/api/v1/tokens", Some(&token), json!({"name": "x".repeat(3 * 1024 * 1024)})).await;
    assert_eq!(huge.status, 413);
}

#[tokio::test]
async fn metrics_count_requests_by_route_for_local_scrapers_only() {
    let app = TestApp::new().await;
    let token = app.session("o1").await;
    app.get(&format!("/api/v1/enterprises/{}", app.f.e1), Some(&token)).await;
    let scrape = app.get("/metrics", None).await;
    assert_eq!(scrape.status, 200);
    assert!(scrape.header("content-type").starts_with("text/plain"));
    assert!(
        scrape.body.contains("http_requests_total") && scrape.body.contains("route=\"/api/v1/enterprises/{id}\""),
        "{}",
        scrape.body
    );
    assert!(!scrape.body.contains(&format!("/api/v1/enterprises/{}\"", app.f.e1)), "route patterns, never raw paths");
    let mut remote = Request::builder().uri("/metrics").body(Body::empty()).expect("request");
    remote.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 9, 8, 7], 5000))));
    assert_eq!(app.call(remote).await.status, 403);
}

#[tokio::test]
async fn every_refused_request_is_audited() {
    let app = TestApp::new().await;
    let officer = app.session("o1").await;
    assert_eq!(app.get("/stats", Some(&officer)).await.status, 403);
    assert_eq!(app.get("/api/v1/audit", Some(&officer)).await.status, 403);
    let denied = app.audit("access.denied").await;
    let paths: Vec<&str> = denied.iter().map(|r| r.detail.as_str()).collect();
    assert_eq!(paths, vec!["/api/v1/audit", "/stats"]);
    assert!(denied.iter().all(|r| r.actor_id == Some(app.f.user("o1")) && r.outcome == "failure"));
}

#[tokio::test]
async fn the_language_switch_returns_to_the_same_local_page() {
    let app = TestApp::new().await;
    let back = |referer: &'static str| {
        Request::builder().uri("/lang/en").header(header::REFERER, referer).body(Body::empty()).expect("request")
    };
    let response = app.call(back("http://127.0.0.1:8080/enterprises?q=%E6%B8%9D")).await;
    assert_eq!((response.status.as_u16(), response.header("location")), (303, "/enterprises?q=%E6%B8%9D"));
    assert!(response.header("set-cookie").starts_with("lang=en"));
    assert_eq!(app.call(back("http://evil.example//evil.example/x")).await.header("location"), "/", "never off-site");
    let english =
        Request::builder().uri("/login").header(header::COOKIE, "lang=en").body(Body::empty()).expect("request");
    assert!(app.call(english).await.body.contains("Sign in"));
}

#[tokio::test]
async fn users_see_their_sessions_and_end_the_others() {
    let app = TestApp::new().await;
    let mine = app.session("o1").await;
    let phone = app.session("o1").await;
    let page = app.get("/account", Some(&mine)).await;
    assert_eq!(page.body.matches("<td class=\"muted\">test</td>").count(), 2, "both sessions are listed");
    assert!(page.body.contains("当前"));
    assert_eq!(app.post_form("/account/sessions", Some(&mine), "").await.status, 200);
    assert_eq!(app.get("/api/v1/me", Some(&phone)).await.status, 401);
    assert_eq!(app.get("/api/v1/me", Some(&mine)).await.status, 200);
    assert_eq!(app.audit("auth.end_other_sessions").await.len(), 1);
}
