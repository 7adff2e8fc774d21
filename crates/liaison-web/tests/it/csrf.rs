//! CSRF (SECURITY.md CSRF-02, issue 14): every state-changing route, walked from the route table, refuses
//! a request that carries the session cookie without proving it comes from this site — a foreign
//! `Origin`, no `Origin` and no `Sec-Fetch-Site`, or an `Authorization: Basic` header beside the cookie —
//! and changes nothing; a bearer token without a cookie needs no proof.

use crate::harness::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, header};

/// A concrete path for a route pattern (the refusal comes before any handler reads it).
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment {
            "{*file}" | "{file}" => "requests.json",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The newest audit row that records a change (a success; refusals are failures), however many
/// refusals came after it.
pub(crate) async fn last_change(app: &TestApp) -> Option<i64> {
    for page in 1.. {
        let rows = app.db.audit_page("", liaison_store::Paging::new(Some(page), Some(200))).await.expect("audit").items;
        if rows.is_empty() {
            return None;
        }
        if let Some(row) = rows.iter().find(|row| row.outcome == "success") {
            return Some(row.id);
        }
    }
    None
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_cookie_without_proof_of_origin() {
    let app = TestApp::new().await;
    let token = app.session("center").await;
    let before = last_change(&app).await;
    let variants: [(&str, Vec<(&str, String)>); 3] = [
        ("foreign origin", vec![("origin", "https://evil.example".into())]),
        ("no origin, no fetch metadata", vec![]),
        ("Basic credentials beside the cookie", vec![("authorization", "Basic YWRtaW46YWRtaW4=".into())]),
    ];
    let mut failures = Vec::new();
    let mut walked = 0;
    for route in liaison_web::routes::table().routes() {
        if route.method == Method::GET || route.path.starts_with("/open311/") {
            continue;
        }
        walked += 1;
        for (name, headers) in &variants {
            let mut request = Request::builder()
                .method(route.method.clone())
                .uri(concrete(route.path))
                .header(header::HOST, "127.0.0.1:8080")
                .header(header::COOKIE, format!("liaison={token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            for (header_name, value) in headers {
                request = request.header(*header_name, value.as_str());
            }
            let response = app.call(request.body(Body::from("name=x&op=disable&version=1")).expect("request")).await;
            let code = serde_json::from_str::<serde_json::Value>(&response.body)
                .ok()
                .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
            let refused_as_cross_site = response.status == 403
                && (code.as_deref() == Some("cross_site") || response.body.contains("请求来源无法确认为本站"));
            if !refused_as_cross_site {
                failures.push(format!("{} {} ({name}): {}", route.method, route.path, response.status));
            }
        }
    }
    assert!(walked > 40, "the walk reached the state-changing routes ({walked})");
    assert!(failures.is_empty(), "not refused as cross-site:\n{}", failures.join("\n"));
    assert_eq!(last_change(&app).await, before, "a refused request changes nothing");
    let denied = app.audit("access.denied").await;
    assert!(denied.iter().any(|row| row.detail.contains("cross_site")), "refusals of a signed-in user are audited");
}

#[tokio::test]
async fn a_bearer_token_without_a_cookie_needs_no_proof_and_a_cross_site_sign_in_is_refused() {
    let app = TestApp::new().await;
    let token = app.session("o1").await;
    let created = app.post_json("/api/v1/tokens", Some(&token), serde_json::json!({"name": "script"})).await;
    let bearer = created.json()["token"].as_str().expect("token").to_owned();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/tokens")
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"name":"cli"}"#))
        .expect("request");
    assert_eq!(app.call(request).await.status, 201, "an API client sends no fetch metadata");
    let login = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::HOST, "127.0.0.1:8080")
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("username=o1&password=x"))
        .expect("request");
    assert_eq!(app.call(login).await.status, 403, "another site cannot sign a browser in (login CSRF)");
}
