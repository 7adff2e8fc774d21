//! Enterprises over HTTP: validation errors per field, masking and the audited reveal, officer
//! reassignment with history, scoped lists and search, on SQLite and PostgreSQL.

use crate::harness::{Body_, TestApp};
use axum::http::Method;
use serde_json::json;

fn body(code: &str, mobile: &str) -> serde_json::Value {
    json!({"name": "重庆新建科技有限公司", "credit_code": code, "address": "渝中区新华路1号", "industry": "I",
           "scale": "中型", "key_enterprise": true, "contact_name": "李四", "contact_mobile": mobile})
}

#[tokio::test]
async fn creating_an_enterprise_validates_every_field() {
    let app = TestApp::new().await;
    let head = app.session("sup1").await;
    let mut bad = body("91350100M000100Y4Z", "12345");
    bad["community_id"] = json!(app.f.community1);
    bad["industry"] = json!("Z");
    let response = app.post_json("/api/v1/enterprises", Some(&head), bad).await;
    assert_eq!(response.status, 422);
    let fields: Vec<(String, String)> = response.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (f["field"].as_str().unwrap_or_default().to_owned(), f["code"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("credit_code".into(), "credit_code.charset".into()),
            ("industry".into(), "industry.unknown".into()),
            ("contact_mobile".into(), "mobile.format".into())
        ]
    );
    let mut good = body(" 91330100716105852f ", "+86 139 1234 5678");
    good["community_id"] = json!(app.f.community1);
    let created = app.post_json("/api/v1/enterprises", Some(&head), good.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().expect("id");
    let shown = app.get(&format!("/api/v1/enterprises/{id}"), Some(&head)).await.json();
    assert_eq!(shown["credit_code"], "91330100716105852F");
    assert_eq!(shown["officer_id"], json!(app.f.user("o1")), "the community's officer is responsible");
    assert_eq!(shown["contact_mobile"], "139****5678", "masked by default");
    let again = app.post_json("/api/v1/enterprises", Some(&head), good).await;
    assert_eq!(
        (again.status.as_u16(), again.json()["error"]["fields"][0]["code"].as_str()),
        (422, Some("credit_code.taken"))
    );
    let mut elsewhere = body("9144030071526726XG", "13800138000");
    elsewhere["community_id"] = json!(app.f.community2);
    let outside = app.post_json("/api/v1/enterprises", Some(&head), elsewhere).await;
    assert_eq!(outside.status, 422, "a station head creates only in their own communities");
}

#[tokio::test]
async fn the_form_reports_errors_in_chinese_and_keeps_the_input() {
    let app = TestApp::new().await;
    let head = app.session("sup1").await;
    let form = format!(
        "name=%E6%B5%8B%E8%AF%95&credit_code=123456789012345678&address=x&industry=I&scale=small&contact_name=x&contact_mobile=13800138000&longitude=abc&community_id={}",
        app.f.community1
    );
    let response = app.post_form("/enterprises", Some(&head), &form).await;
    assert_eq!(response.status, 422);
    assert!(response.body.contains("组织机构代码校验位错误"), "{}", response.body);
    assert!(response.body.contains("请输入数字"));
    assert!(response.body.contains("value=\"123456789012345678\""), "the input is kept");
}

#[tokio::test]
async fn reveal_needs_the_permission_and_a_reason_and_is_audited_without_the_value() {
    let app = TestApp::new().await;
    let path = format!("/api/v1/enterprises/{}/reveal", app.f.e1);
    let officer = app.session("o1").await;
    assert_eq!(app.post_json(&path, Some(&officer), json!({"reason": "回访"})).await.status, 403);
    let denied = app.audit("pi.reveal").await;
    assert_eq!((denied.len(), denied[0].outcome.as_str()), (1, "failure"));
    let sec = app.session("sec").await;
    let grant = app
        .send(
            Method::PUT,
            &format!("/api/v1/users/{}/roles", app.f.user("o1")),
            Some(&sec),
            Body_::Json(json!({"roles": ["officer"], "pi_reveal": true})),
        )
        .await;
    assert_eq!(grant.status, 204);
    assert_eq!(app.post_json(&path, Some(&officer), json!({"reason": " "})).await.status, 422, "a reason is required");
    let revealed = app.post_json(&path, Some(&officer), json!({"reason": "核实联系人"})).await;
    assert_eq!(revealed.json()["contact_mobile"], "13800138000");
    assert_eq!(revealed.header("cache-control"), "no-store");
    let rows = app.audit("pi.reveal").await;
    let success = rows.iter().find(|r| r.outcome == "success").expect("audited");
    assert!(success.detail.contains("核实联系人") && !success.detail.contains("13800138000"), "{}", success.detail);
    let page =
        app.post_form(&format!("/enterprises/{}/reveal", app.f.e1), Some(&officer), "reason=%E5%9B%9E%E8%AE%BF").await;
    assert!(page.body.contains("13800138000"));
    let plain = app.get(&format!("/enterprises/{}", app.f.e1), Some(&app.session("sup1").await)).await;
    assert!(!plain.body.contains("13800138000") && plain.body.contains("138****8000"));
}

#[tokio::test]
async fn an_officer_edit_with_masked_contact_keeps_the_stored_values() {
    let app = TestApp::new().await;
    let officer = app.session("o1").await;
    let edit = app.get(&format!("/enterprises/{}/edit", app.f.e1), Some(&officer)).await;
    assert!(edit.body.contains("138****8000") && !edit.body.contains("13800138000"), "the form shows masked data");
    let form = "name=%E6%96%B0%E5%90%8D&credit_code=91350100M000100Y43&address=x&industry=I&scale=small&contact_name=%E5%BC%A0*&contact_mobile=138****8000";
    assert_eq!(app.post_form(&format!("/enterprises/{}", app.f.e1), Some(&officer), form).await.status, 303);
    let row = app.db.enterprise(app.f.e1).await.expect("e1");
    assert_eq!(
        (row.name.as_str(), row.contact_mobile.as_str(), row.contact_name.as_str()),
        ("新名", "13800138000", "张三")
    );
}

#[tokio::test]
async fn reassignment_is_kept_in_the_history() {
    let app = TestApp::new().await;
    let head = app.session("sup1").await;
    let path = format!("/api/v1/enterprises/{}/officer", app.f.e1);
    let outside = app.post_json(&path, Some(&head), json!({"officer_id": app.f.user("o2"), "reason": "x"})).await;
    assert_eq!(outside.status, 422, "an officer of another station is not in the head's area");
    let ctx = liaison_store::Ctx::system(chrono::Utc::now());
    let new_officer = app
        .db
        .create_user(
            &ctx,
            &liaison_store::users::NewUser {
                username: "o3".into(),
                display_name: "新联络官".into(),
                unit_id: app.f.community1,
                roles: vec![liaison_core::role::Role::Officer],
                password_hash: "x".into(),
                status: "active",
                enterprise_id: None,
                police_number: Some("P3".into()),
                mobile: None,
                must_change_password: false,
            },
        )
        .await
        .expect("o3");
    assert_eq!(
        app.post_json(&path, Some(&head), json!({"officer_id": new_officer, "reason": "轮岗"})).await.status,
        204
    );
    let history = app.get(&format!("/api/v1/enterprises/{}/officers", app.f.e1), Some(&head)).await.json();
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    assert_eq!(history[0]["officer_name"], "新联络官");
    assert_eq!(history[0]["reason"], "轮岗");
    assert!(history[1]["to_at"].is_string());
    let old = app.session("o1").await;
    assert_eq!(
        app.get(&format!("/api/v1/enterprises/{}", app.f.e1), Some(&old)).await.status,
        404,
        "the old officer no longer sees it"
    );
    let page = app.get(&format!("/enterprises/{}", app.f.e1), Some(&head)).await;
    assert!(page.body.contains("新联络官") && page.body.contains("轮岗"));
}

#[tokio::test]
async fn lists_page_and_search_within_scope() {
    let app = TestApp::new().await;
    let leader = app.session("leader").await;
    let all = app.get("/api/v1/enterprises?per_page=1", Some(&leader)).await.json();
    assert_eq!(
        (all["total"].as_i64(), all["items"].as_array().map(Vec::len), all["per_page"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    let found = app.get("/api/v1/enterprises?q=%E6%9C%9D%E5%A4%A9%E9%97%A8", Some(&leader)).await.json();
    assert_eq!(found["total"], 1);
    for odd in ["page=9223372036854775807&per_page=9223372036854775807", "page=-5&per_page=0", "q=%27%20OR%201%3D1--"] {
        let response = app.get(&format!("/api/v1/enterprises?{odd}"), Some(&leader)).await;
        assert_eq!(response.status, 200, "{odd}: {}", response.body);
    }
    let nul = app.get("/api/v1/enterprises?q=%00%27", Some(&leader)).await;
    assert_eq!((nul.status.as_u16(), nul.json()["error"]["fields"][0]["field"].as_str()), (400, Some("q")));
    let bad = app.get("/api/v1/enterprises?page=x", Some(&leader)).await;
    assert_eq!((bad.status.as_u16(), bad.json()["error"]["code"].as_str()), (400, Some("malformed_query")));
    let page = app.get("/enterprises?q=%E6%9C%9D%E5%A4%A9%E9%97%A8", Some(&leader)).await;
    assert!(page.body.contains("朝天门二号贸易有限公司") && !page.body.contains("渝中一号科技有限公司"));
    assert!(page.body.contains("hx-get=\"/enterprises\""), "htmx filters the list in place");
    let company = app.session("e1a").await;
    let own = app.get("/api/v1/enterprises", Some(&company)).await.json();
    assert_eq!(own["total"], 1);
}

#[tokio::test]
async fn the_same_journey_works_on_postgres() {
    let Ok(admin_url) = std::env::var("LIAISON_TEST_DATABASE_URL") else {
        assert!(std::env::var("LIAISON_REQUIRE_POSTGRES").as_deref() != Ok("1"), "PostgreSQL required");
        return;
    };
    let name = format!("w_{}", liaison_core::token::random_hex(8));
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.expect("create");
    let url = format!("{}/{name}", admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base));
    let db = liaison_store::Db::open(&url, 2).await.expect("open");
    let app =
        TestApp::on(db, liaison_web::WebConfig { require_staff_mfa: false, ..liaison_web::WebConfig::default() }).await;
    let login = app
        .post_json("/api/v1/session", None, json!({"username": "sup1", "password": liaison_store::fixture::PASSWORD}))
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    let token = login.session_token().expect("token");
    let mut new = body("91330100716105852F", "13800138000");
    new["community_id"] = json!(app.f.community1);
    assert_eq!(app.post_json("/api/v1/enterprises", Some(&token), new).await.status, 201);
    let list = app.get("/enterprises", Some(&token)).await;
    assert!(list.body.contains("重庆新建科技有限公司"));
    assert_eq!(app.get(&format!("/api/v1/enterprises/{}", app.f.e2), Some(&token)).await.status, 404);
    assert!(app.db.verify_audit_chain().await.expect("verify").is_ok());
}

fn upload(csv: &str, mode: &'static str) -> Body_ {
    Body_::Upload { filename: "企业.csv".into(), bytes: csv.as_bytes().to_vec(), mode }
}

#[tokio::test]
async fn the_import_page_previews_then_imports_all_or_nothing() {
    let app = TestApp::new().await;
    let center = app.session("center").await;
    let bad = "企业名称,统一社会信用代码,地址,行业门类,规模,联系人,联系电话,所属社区\n新甲,91330100716105852F,渝中1号,I,小型,张三,13800138000,解放碑社区\n新乙,91350100M000100Y4Z,渝中2号,I,小型,李四,13800138000,解放碑社区\n";
    let rejected = app.send(Method::POST, "/enterprises/import", Some(&center), upload(bad, "commit")).await;
    assert_eq!(rejected.status, 422);
    assert!(rejected.body.contains("<td>3</td><td>credit_code</td>"), "{}", rejected.body);
    assert!(app.db.enterprise_by_code("91330100716105852F").await.expect("q").is_none(), "nothing imported");
    let good = "企业名称,统一社会信用代码,地址,行业门类,规模,联系人,联系电话,所属社区\n新甲,91330100716105852F,渝中1号,I,小型,张三,13800138000,解放碑社区\n新乙,9144030071526726XG,渝中2号,F,中型,李四,13800138000,朝天门社区\n";
    let preview = app.send(Method::POST, "/enterprises/import", Some(&center), upload(good, "preview")).await;
    assert!(preview.body.contains("预检通过") && preview.body.contains(" 2</div>"), "{}", preview.body);
    assert!(app.db.enterprise_by_code("91330100716105852F").await.expect("q").is_none(), "a preview writes nothing");
    let done = app.send(Method::POST, "/enterprises/import", Some(&center), upload(good, "commit")).await;
    assert!(done.body.contains("已导入企业数"), "{}", done.body);
    let imported = app.db.enterprise_by_code("9144030071526726XG").await.expect("q").expect("imported");
    assert_eq!((imported.community_id, imported.officer_id), (app.f.community2, Some(app.f.user("o2"))));
    assert_eq!(app.audit("enterprise.import").await.len(), 1);
    let junk = app
        .send(
            Method::POST,
            "/enterprises/import",
            Some(&center),
            Body_::Upload { filename: "x.xlsx".into(), bytes: b"junk".to_vec(), mode: "commit" },
        )
        .await;
    assert!(junk.status == 422 && junk.body.contains("无法读取文件"), "{}", junk.body);
}

#[tokio::test]
async fn the_export_is_an_xlsx_of_the_filtered_list_with_masked_contacts() {
    let app = TestApp::new().await;
    let leader = app.session("leader").await;
    let response = app.get("/enterprises/export.xlsx?q=%E6%B8%9D%E4%B8%AD", Some(&leader)).await;
    assert_eq!(response.status, 200);
    assert!(response.header("content-type").contains("spreadsheetml"));
    let disposition = response.header("content-disposition");
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E4%BC%81"),
        "{disposition}"
    );
    assert_eq!(app.audit("enterprise.export").await.len(), 1);
    // Read it back through the importer's own reader.
    let table = liaison_core::import::read_table(&response.bytes, "export.xlsx").expect("a readable workbook");
    assert_eq!(table.len(), 2, "the header and the one enterprise matching the filter");
    assert_eq!(table[1][0], "渝中一号科技有限公司");
    assert_eq!(table[0][0], "企业名称");
    assert!(table.iter().skip(1).all(|row| row[9].contains("****")), "contacts masked: {table:?}");
}

#[tokio::test]
async fn the_officer_page_lists_each_officers_enterprises() {
    let app = TestApp::new().await;
    let head = app.session("sup1").await;
    let page = app.get("/officers", Some(&head)).await;
    assert!(page.body.contains(&format!("/enterprises?officer={}", app.f.user("o1"))) && page.body.contains("测试o1"));
    assert!(!page.body.contains("测试o2"), "only the station's officers");
    assert!(page.body.contains("不足3家"), "an officer with fewer than three key enterprises is flagged");
    let theirs = app.get(&format!("/api/v1/enterprises?officer_id={}", app.f.user("o1")), Some(&head)).await.json();
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["items"][0]["id"], app.f.e1);
    let outside = app.get(&format!("/api/v1/enterprises?officer_id={}", app.f.user("o2")), Some(&head)).await.json();
    assert_eq!(outside["total"], 0, "another station's officer shows nothing");
}
