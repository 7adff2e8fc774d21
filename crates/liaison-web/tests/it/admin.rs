//! Administration: the three separate duties, one-time passwords, the org tree, the audit page, OpenAPI.

use crate::harness::{Body_, TestApp};
use axum::http::Method;
use serde_json::json;

#[tokio::test]
async fn a_new_account_gets_a_one_time_password_that_must_be_changed() {
    let app = TestApp::new().await;
    let sys = app.session("sys").await;
    let created = app.post_json("/api/v1/users", Some(&sys), json!({"username": "Zhang.Wei", "display_name": "张伟", "unit_id": app.f.community1, "police_number": "012345"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let password = created.json()["initial_password"].as_str().expect("password").to_owned();
    let login = app.post_json("/api/v1/session", None, json!({"username": "zhang.wei", "password": password})).await;
    assert_eq!(login.status, 200);
    assert_eq!(login.json()["roles"], json!([]), "no role until a security admin grants one");
    let token = login.session_token().expect("token");
    let blocked = app.get("/enterprises", Some(&token)).await;
    assert_eq!((blocked.status.as_u16(), blocked.header("location")), (303, "/account"));
    let form = format!("current={password}&new=Kx7-changed-now&confirm=Kx7-changed-now");
    assert_eq!(app.post_form("/account/password", Some(&token), &form).await.status, 200);
    assert_eq!(app.get("/enterprises", Some(&token)).await.status, 403, "free of /account now, but without a role");
    let bad = app
        .post_json("/api/v1/users", Some(&sys), json!({"username": "a b", "display_name": "", "unit_id": 999}))
        .await;
    let fields: Vec<&str> = bad.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .map(|f| match f {
            "username" => "username",
            "display_name" => "display_name",
            "unit_id" => "unit_id",
            _ => "other",
        })
        .collect();
    assert_eq!(fields, vec!["username", "display_name", "unit_id"]);
}

#[tokio::test]
async fn the_security_admin_grants_roles_but_never_to_themselves() {
    let app = TestApp::new().await;
    let sec = app.session("sec").await;
    let me = app.f.user("sec");
    let own = app
        .send(
            Method::PUT,
            &format!("/api/v1/users/{me}/roles"),
            Some(&sec),
            Body_::Json(json!({"roles": ["sec_admin", "audit_admin"]})),
        )
        .await;
    assert_eq!(own.status, 403);
    let refused = app.audit("user.roles").await;
    assert!(refused.iter().any(|r| r.outcome == "failure" && r.actor_id == Some(me)), "the attempt is audited");
    let unknown = app
        .send(
            Method::PUT,
            &format!("/api/v1/users/{}/roles", app.f.user("o2")),
            Some(&sec),
            Body_::Json(json!({"roles": ["god"]})),
        )
        .await;
    assert_eq!(unknown.status, 422);
    let page = app
        .post_form(&format!("/users/{}", app.f.user("o2")), Some(&sec), "op=roles&role=officer&role=station_head")
        .await;
    assert_eq!(page.status, 200);
    let o2 = app.db.user(app.f.user("o2")).await.expect("o2");
    assert_eq!(o2.roles, vec![liaison_core::role::Role::Officer, liaison_core::role::Role::StationHead]);
    let sys = app.session("sys").await;
    let sys_page = app.get("/users", Some(&sys)).await;
    assert!(
        sys_page.body.contains("name=\"op\" value=\"disable\"") && !sys_page.body.contains("value=\"roles\""),
        "sys manages accounts, not roles"
    );
}

#[tokio::test]
async fn the_org_tree_is_managed_by_the_system_admin() {
    let app = TestApp::new().await;
    let sys = app.session("sys").await;
    let created = app
        .post_json(
            "/api/v1/org-units",
            Some(&sys),
            json!({"parent_id": app.f.station2, "kind": "community", "name": "新社区"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.json()["path"].as_str().expect("path").ends_with(&format!(
        "/{}/{}/",
        app.f.station2,
        created.json()["id"]
    )));
    let misplaced = app
        .post_json(
            "/api/v1/org-units",
            Some(&sys),
            json!({"parent_id": app.f.district, "kind": "community", "name": "错位"}),
        )
        .await;
    assert_eq!(
        (misplaced.status.as_u16(), misplaced.json()["error"]["fields"][0]["code"].as_str()),
        (422, Some("kind.placement"))
    );
    let retire = app.post_form(&format!("/org/{}", app.f.station1), Some(&sys), "op=retire").await;
    assert_eq!(retire.status, 409, "a station with communities cannot be retired");
    let moved = app
        .post_form(&format!("/org/{}", app.f.community1), Some(&sys), &format!("op=move&parent_id={}", app.f.station2))
        .await;
    assert_eq!(moved.status, 303);
    assert!(app.db.enterprise(app.f.e1).await.expect("e1").path.contains(&format!("/{}/", app.f.station2)));
    let tree = app.get("/org", Some(&sys)).await;
    assert!(tree.body.contains("新社区") && tree.body.contains("联络站"));
}

#[tokio::test]
async fn the_audit_admin_reads_a_verified_log() {
    let app = TestApp::new().await;
    let aud = app.session("aud").await;
    let page = app.get("/audit?action=enterprise.", Some(&aud)).await;
    assert!(page.body.contains("哈希链校验通过"), "{}", page.body);
    assert!(page.body.contains("enterprise.create"));
    let api = app.get("/api/v1/audit?action=org.&per_page=3", Some(&aud)).await.json();
    assert_eq!(api["items"].as_array().map(Vec::len), Some(3));
    assert!(api["total"].as_i64().expect("total") >= 8);
    assert_eq!(api["items"][0]["hash"].as_str().map(str::len), Some(64));
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_api_routes() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    let mut routed: Vec<String> = liaison_web::routes::table()
        .routes()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    routed.sort();
    assert_eq!(documented, routed);
    let text = doc.to_string();
    assert!(!text.contains("\"password\",\"in\":\"query\""), "credentials never in query parameters");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let example = operation.pointer("/requestBody/content/application~1json/schema/$ref").and_then(|r| {
                let name = r.as_str()?.rsplit('/').next()?;
                doc.pointer(&format!("/components/schemas/{name}/example"))
            });
            let has_body = operation.pointer("/requestBody/content/application~1json").is_some();
            assert!(!has_body || example.is_some(), "{method} {path}: the JSON body has no example");
            for status in ["400", "401", "403", "422"] {
                assert!(operation["responses"].get(status).is_some(), "{method} {path}: {status} undocumented");
            }
        }
    }
}

/// The API contract as a reviewed snapshot: any change to a route, a schema or an example shows up in
/// review as a diff of `tests/it/snapshots/it__admin__openapi.snap` (accept with `cargo insta accept`
/// or `INSTA_UPDATE=always`).
#[tokio::test]
async fn the_openapi_document_is_the_reviewed_contract() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    insta::assert_json_snapshot!("openapi", doc);
}
