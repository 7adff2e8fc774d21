//! Open311 GeoReport v2 through the router: discovery, services and definitions, a request created
//! with an API key and read back in JSON and XML, every error case answering its code and list, the
//! privacy of public reads, and keys (issue, rotate, revoke, per-minute limit, audited uses).

use crate::harness::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Issues a key as the security admin and has the account's holder consent to it; returns (id, secret).
async fn issue(app: &TestApp, username: &str, read_private: bool, per_minute: i64) -> (i64, String) {
    let sec = app.session("sec").await;
    let body = json!({"name": format!("{username} 的系统"), "username": username, "read_private": read_private, "per_minute": per_minute});
    let issued = app.post_json("/api/v1/api-keys", Some(&sec), body).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let json = issued.json();
    let id = json["id"].as_i64().expect("id");
    consent(app, username, id).await;
    (id, json["api_key"].as_str().expect("secret").to_owned())
}

/// The holder of `username` consents to key `id`.
async fn consent(app: &TestApp, username: &str, id: i64) {
    let holder = app.session(username).await;
    let path = format!("/api/v1/me/api-keys/{id}/consent");
    let consented = app.send(axum::http::Method::POST, &path, Some(&holder), crate::harness::Body_::None).await;
    assert_eq!(consented.status, StatusCode::NO_CONTENT, "{}", consented.body);
}

/// The single error of an Open311 error list.
fn error_of(body: &Value) -> (i64, String) {
    let list = body.as_array().unwrap_or_else(|| panic!("an error list: {body}"));
    assert_eq!(list.len(), 1, "{body}");
    (list[0]["code"].as_i64().expect("code"), list[0]["description"].as_str().expect("description").to_owned())
}

const GOOD: &str = "service_code=1&description=%E6%8B%9B%E8%81%98%E6%93%8D%E4%BD%9C%E5%B7%A5%EF%BC%8C%E8%81%94%E7%B3%BB13800138000&lat=29.55&long=106.57&attribute[headcount]=30&attribute[positions][]=operator&attribute[positions][]=security&first_name=%E5%BC%A0&phone=13912345678";

#[tokio::test]
async fn discovery_and_services_describe_the_public_catalogue() {
    let app = TestApp::new().await;
    let discovery = app.get("/open311/v2/discovery.json", None).await.json();
    assert_eq!(discovery["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert_eq!(discovery["endpoints"][0]["formats"], json!(["text/xml", "application/json"]));
    let xml = app.get("/open311/v2/discovery.xml", None).await;
    assert_eq!(xml.header("content-type"), "text/xml; charset=utf-8");
    assert!(
        xml.body.contains("<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>")
    );

    let services = app.get("/open311/v2/services.json", None).await.json();
    let names: Vec<&str> =
        services.as_array().expect("list").iter().filter_map(|s| s["service_name"].as_str()).collect();
    assert!(names.contains(&"用工招聘") && names.contains(&"法律政策"), "{names:?}");
    assert!(!names.contains(&"劳资纠纷") && !names.contains(&"涉企违法线索"), "private services listed: {names:?}");
    let hiring = services.as_array().expect("list").iter().find(|s| s["service_name"] == "用工招聘").expect("hiring");
    assert_eq!((hiring["service_code"].clone(), hiring["metadata"].clone()), (json!("1"), json!(true)));
    assert_eq!((hiring["type"].clone(), hiring["group"].clone()), (json!("realtime"), json!("诉求需求")));

    let definition = app.get("/open311/v2/services/1.xml", None).await;
    assert_eq!(definition.status, StatusCode::OK);
    assert!(definition.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_definition><service_code>1</service_code><attributes><attribute><variable>true</variable><code>headcount</code><datatype>number</datatype><required>true</required>"), "{}", definition.body);
    let definition = app.get("/open311/v2/services/1.json", None).await.json();
    let orders: Vec<i64> =
        definition["attributes"].as_array().expect("attributes").iter().filter_map(|a| a["order"].as_i64()).collect();
    assert_eq!(orders, [1, 2]);
    assert_eq!(definition["attributes"][1]["values"][0], json!({"key": "operator", "name": "普工 / operator"}));

    for (path, code) in [
        ("/open311/v2/services/6.json", 404),
        ("/open311/v2/services/abc.json", 404),
        ("/open311/v2/services/1.csv", 404),
        ("/open311/v2/services.json?api_key=wrong", 403),
        ("/open311/v2/services.json?color=red", 400),
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status.as_u16(), code, "{path}: {}", response.body);
        assert_eq!(error_of(&response.json()).0, i64::from(code), "{path}");
    }
    let empty_key = app.get("/open311/v2/services.json?api_key=&jurisdiction_id=", None).await;
    assert_eq!(empty_key.status, StatusCode::OK, "an empty optional argument is an absent one");
}

#[tokio::test]
async fn a_request_is_created_with_a_key_and_read_back_without_personal_data() {
    let app = TestApp::new().await;
    let (key_id, key) = issue(&app, "e1a", false, 600).await;
    let created = app.post_form("/open311/v2/requests.json", None, &format!("api_key={key}&{GOOD}")).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let created = created.json();
    let number = created[0]["service_request_id"].as_str().expect("id").to_owned();
    assert!(number.starts_with("YZ-2026-"), "{number}");
    assert!(created[0].get("token").is_none(), "never both an id and a token");

    let item = app.db.item_by_number(&number).await.expect("stored");
    assert_eq!((item.channel.as_str(), item.enterprise_id, item.kind.as_str()), ("open311", app.f.e1, "need"));
    assert_eq!(item.title, "招聘操作工,联系13800138000", "the first line, NFKC-normalised as every title");
    let attributes = app.db.item_attributes(item.id).await.expect("attributes");
    let pairs: Vec<(&str, &str)> = attributes.iter().map(|a| (a.code.as_str(), a.value.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("headcount", "30"),
            ("positions", "operator"),
            ("positions", "security"),
            ("reporter.first_name", "张"),
            ("reporter.phone", "13912345678"),
        ]
    );
    let o1 = app.session("o1").await;
    let detail = app.get(&format!("/api/v1/items/{}", item.id), Some(&o1)).await.json();
    assert_eq!(detail["attributes"][4], json!({"code": "reporter.phone", "position": 0, "value": "139****5678"}));
    let page = app.get(&format!("/items/{}", item.id), Some(&o1)).await;
    assert!(page.body.contains("<dt>headcount</dt><dd>30</dd>"), "the detail page lists the attributes");
    let uses = app.audit("api_key.use").await;
    assert!(
        uses.iter().any(|row| row.object_id.as_deref() == Some(&key_id.to_string()) && row.detail.contains(&number))
    );

    let list = app.get("/open311/v2/requests.json", None).await.json();
    let found =
        list.as_array().expect("list").iter().find(|r| r["service_request_id"] == number.as_str()).expect("listed");
    assert_eq!(found["status"], "open");
    assert_eq!(found["status_notes"], "已提交 submitted");
    assert_eq!(found["description"], "招聘操作工，联系138****8000");
    assert_eq!(found["requested_datetime"], "2026-03-02T09:00:00+08:00");
    assert_eq!((found["lat"].clone(), found["long"].clone()), (json!(29.55), json!(106.57)));
    assert_eq!(found["agency_responsible"], "解放碑社区");
    assert!(found["expected_datetime"].as_str().is_some_and(|t| t.ends_with("+08:00")));
    let text = list.to_string();
    for private in ["13912345678", "13800138000", "渝中一号科技有限公司", "张"] {
        assert!(!text.contains(private), "public read shows {private}");
    }

    let one = app.get(&format!("/open311/v2/requests/{number}.xml"), None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(
        one.body.contains(&format!(
            "<service_requests><request><service_request_id>{number}</service_request_id><status>open</status>"
        )),
        "{}",
        one.body
    );

    let filtered = |query: &str| {
        let app = &app;
        let query = query.to_owned();
        async move { app.get(&format!("/open311/v2/requests.json?{query}"), None).await }
    };
    assert_eq!(filtered("status=closed").await.json(), json!([]));
    assert_eq!(filtered("status=open&service_code=1").await.json().as_array().map(Vec::len), Some(1));
    assert_eq!(filtered("service_code=2").await.json(), json!([]));
    assert_eq!(filtered("start_date=2026-03-03T00:00:00Z&end_date=2026-03-04T00:00:00Z").await.json(), json!([]));
    assert_eq!(
        filtered(&format!("service_request_id={number},YZ-1999-000001&status=closed"))
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1),
        "service_request_id overrides every other filter"
    );
    assert_eq!(filtered("status=&service_code=&start_date=").await.json().as_array().map(Vec::len), Some(1));
    for (query, code, says) in [
        ("start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400, "90 days"),
        ("end_date=2026-01-01T00:00:00Z&start_date=2026-02-01T00:00:00Z", 400, "after"),
        ("start_date=yesterday", 400, "W3C"),
        ("status=pending", 400, "open or closed"),
        ("service_code=6", 404, "not found"),
        ("api_key=nope", 403, "not valid"),
    ] {
        let response = filtered(query).await;
        let (got, description) = error_of(&response.json());
        assert_eq!((response.status.as_u16(), got), (code, i64::from(code)), "{query}");
        assert!(description.contains(says), "{query}: {description}");
    }
}

#[tokio::test]
async fn bad_submissions_answer_400_with_a_description_and_write_nothing() {
    let app = TestApp::new().await;
    let (_, key) = issue(&app, "e1a", false, 600).await;
    let cases = [
        ("service_code=1&description=x&address_string=y&attribute[headcount]=3", "", 403, "api_key is required"),
        ("api_key=wrong&service_code=1", "", 403, "not valid"),
        ("description=x&address_string=y", "k", 400, "service_code is required"),
        ("service_code=99&description=x&address_string=y", "k", 404, "not found"),
        ("service_code=1&address_string=y&attribute[headcount]=3", "k", 400, "description is required"),
        ("service_code=1&description=x&attribute[headcount]=3", "k", 400, "location is required"),
        ("service_code=1&description=x&lat=29.5&attribute[headcount]=3", "k", 400, "lat and long"),
        ("service_code=1&description=x&lat=north&long=1&attribute[headcount]=3", "k", 400, "lat must be a number"),
        ("service_code=1&description=x&address_string=y", "k", 400, "attribute headcount is required"),
        ("service_code=1&description=x&address_string=y&attribute[headcount]=many", "k", 400, "must be a number"),
        (
            "service_code=1&description=x&address_string=y&attribute[headcount]=3&attribute[color]=red",
            "k",
            400,
            "unknown attribute color",
        ),
        (
            "service_code=1&description=x&address_string=y&attribute[headcount]=3&attribute[positions][]=pilot",
            "k",
            400,
            "must be one of",
        ),
        (
            "service_code=1&description=x&address_string=y&attribute[headcount]=3&wings=2",
            "k",
            400,
            "unknown argument wings",
        ),
        (
            "service_code=1&description=x&description=y&address_string=y&attribute[headcount]=3",
            "k",
            400,
            "more than once",
        ),
        ("service_code=1&description=%FF&address_string=y&attribute[headcount]=3", "k", 400, "UTF-8"),
        ("service_code=1&description=x&address_string=y&attribute[headcount]=3&phone=12345", "k", 400, "phone"),
        (
            "service_code=1&description=x&address_string=y&attribute[headcount]=3&account_id=914403001922038216",
            "k",
            400,
            "account_id",
        ),
        ("service_code=1&description=x&address_id=999&attribute[headcount]=3", "k", 400, "address_id"),
    ];
    for (form, with_key, code, says) in cases {
        let body = if with_key.is_empty() { form.to_owned() } else { format!("api_key={key}&{form}") };
        let response = app.post_form("/open311/v2/requests.json", None, &body).await;
        let (got, description) = error_of(&response.json());
        assert_eq!((response.status.as_u16(), got), (code, i64::from(code)), "{form}: {description}");
        assert!(description.contains(says), "{form}: {description}");
    }
    let long = format!(
        "api_key={key}&service_code=1&address_string=y&attribute[headcount]=3&description={}",
        "x".repeat(4001)
    );
    let response = app.post_form("/open311/v2/requests.xml", None, &long).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>400</code><description>description is longer than 4000"), "{}", response.body);
    let json = app
        .send(
            axum::http::Method::POST,
            "/open311/v2/requests.json",
            None,
            crate::harness::Body_::Json(json!({"api_key": key})),
        )
        .await;
    assert_eq!(error_of(&json.json()), (400, "the body must be application/x-www-form-urlencoded".into()));
    let listed = app.get("/open311/v2/requests.json", None).await.json();
    assert_eq!(listed, json!([]), "nothing was written");
    let refusals = app.audit("api_key.use").await;
    assert!(refusals.iter().filter(|r| r.outcome == "failure").count() >= 10, "refused uses are audited");
}

#[tokio::test]
async fn private_requests_need_a_key_that_reads_them_and_channels_name_the_enterprise() {
    let app = TestApp::new().await;
    let (_, center_key) = issue(&app, "center", true, 600).await;
    let dispute = "service_code=6&description=%E6%AC%A0%E8%96%AA&address_string=x&account_id=91350100M000100Y43";
    let created = app.post_form("/open311/v2/requests.json", None, &format!("api_key={center_key}&{dispute}")).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let number = created.json()[0]["service_request_id"].as_str().expect("id").to_owned();
    assert_eq!(created.json()[0]["account_id"], "91350100M000100Y43");
    let item = app.db.item_by_number(&number).await.expect("stored");
    assert_eq!(
        (item.enterprise_id, item.kind.as_str(), item.submitted_by),
        (app.f.e1, "dispute", app.f.user("center"))
    );

    let path = format!("/open311/v2/requests/{number}.json");
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND, "a dispute is not public");
    let (_, public_key) = issue(&app, "e1a", false, 600).await;
    assert_eq!(app.get(&format!("{path}?api_key={public_key}"), None).await.status, StatusCode::NOT_FOUND);
    let (_, own_key) = issue(&app, "e1a", true, 600).await;
    assert_eq!(app.get(&format!("{path}?api_key={own_key}"), None).await.status, StatusCode::OK);
    let (_, other_key) = issue(&app, "e2a", true, 600).await;
    assert_eq!(app.get(&format!("{path}?api_key={other_key}"), None).await.status, StatusCode::NOT_FOUND);
    let services = app.get(&format!("/open311/v2/services.json?api_key={own_key}"), None).await.json();
    assert!(services.as_array().expect("list").iter().any(|s| s["service_name"] == "劳资纠纷"));

    let no_account = app
        .post_form(
            "/open311/v2/requests.json",
            None,
            &format!("api_key={center_key}&service_code=1&description=x&address_string=y&attribute[headcount]=1"),
        )
        .await;
    assert_eq!(error_of(&no_account.json()).1, "account_id is required: the credit code of the enterprise");
    let private_by_public_key = app
        .post_form(
            "/open311/v2/requests.json",
            None,
            &format!("api_key={public_key}&service_code=6&description=x&address_string=y"),
        )
        .await;
    assert_eq!(private_by_public_key.status, StatusCode::NOT_FOUND, "{}", private_by_public_key.body);
}

#[tokio::test]
async fn keys_rotate_revoke_and_keep_to_their_limit() {
    let app = TestApp::new().await;
    let (id, key) = issue(&app, "e1a", false, 3).await;
    let sec = app.session("sec").await;
    let listed = app.get("/api/v1/api-keys", Some(&sec)).await;
    assert!(
        listed.body.contains(&key[..10]) && !listed.body.contains(&key),
        "the list shows the prefix, never the secret"
    );
    assert_eq!(app.get(&format!("/open311/v2/services.json?api_key={key}"), None).await.status, StatusCode::OK);

    let rotated = app.post_json(&format!("/api/v1/api-keys/{id}/rotation"), Some(&sec), json!({})).await;
    let fresh = rotated.json()["api_key"].as_str().expect("secret").to_owned();
    assert_eq!(app.get(&format!("/open311/v2/services.json?api_key={key}"), None).await.status, StatusCode::FORBIDDEN);
    let waiting = app.get(&format!("/open311/v2/services.json?api_key={fresh}"), None).await;
    assert_eq!(waiting.status, StatusCode::FORBIDDEN, "the new secret waits for the holder's consent");
    assert!(error_of(&waiting.json()).1.contains("consent"));
    consent(&app, "e1a", id).await;
    assert_eq!(app.get(&format!("/open311/v2/services.json?api_key={fresh}"), None).await.status, StatusCode::OK);
    let limited = app.get(&format!("/open311/v2/requests.json?api_key={fresh}"), None).await;
    assert_eq!(limited.status, StatusCode::OK, "third use of the minute");
    let limited = app.get(&format!("/open311/v2/requests.json?api_key={fresh}"), None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").parse::<u64>().is_ok_and(|s| (1..=60).contains(&s)));
    assert_eq!(error_of(&limited.json()).0, 429);
    app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(app.get(&format!("/open311/v2/services.json?api_key={fresh}"), None).await.status, StatusCode::OK);

    let revoked = app
        .send(axum::http::Method::DELETE, &format!("/api/v1/api-keys/{id}"), Some(&sec), crate::harness::Body_::None)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/open311/v2/services.json?api_key={fresh}"), None).await.status,
        StatusCode::FORBIDDEN
    );
    let key = app.db.api_key(id).await.expect("key");
    assert!(key.revoked_at.is_some() && key.rotated_at.is_some() && key.last_used_at.is_some());
    let trail: Vec<String> = app.audit("api_key.").await.into_iter().map(|r| r.action).collect();
    for action in ["api_key.create", "api_key.rotate", "api_key.revoke", "api_key.use"] {
        assert!(trail.iter().any(|a| a == action), "{action} audited: {trail:?}");
    }
    for (username, says) in [("sys", "username"), ("nobody", "username")] {
        let refused = app.post_json("/api/v1/api-keys", Some(&sec), json!({"name": "x", "username": username})).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{username}");
        assert_eq!(refused.json()["error"]["fields"][0]["field"], says);
    }
}

#[tokio::test]
async fn the_console_page_issues_a_key_that_works_once_shown() {
    let app = TestApp::new().await;
    let sec = app.session("sec").await;
    let page = app
        .post_form("/api-keys", Some(&sec), "name=%E7%83%AD%E7%BA%BF&username=center&read_private=1&per_minute=50")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let secret = page
        .body
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the secret is shown");
    assert!(secret.starts_with("lk_") && secret.len() == 51, "{secret}");
    // The security administrator holds the secret of a key that would read every private request the
    // center sees — but it acts as the center's account only once the center's holder consents.
    let requests = format!("/open311/v2/requests.json?api_key={secret}");
    assert_eq!(app.get(&requests, None).await.status, StatusCode::FORBIDDEN, "no consent yet");
    let id = app.db.api_keys().await.expect("keys")[0].id;
    let other = app.session("sup1").await;
    let path = format!("/account/api-keys/{id}/consent");
    assert_eq!(app.post_form(&path, Some(&other), "").await.status, StatusCode::NOT_FOUND, "only its holder");
    assert_eq!(app.post_form(&path, Some(&sec), "").await.status, StatusCode::NOT_FOUND, "not the issuer");
    let center = app.session("center").await;
    let account = app.get("/account", Some(&center)).await;
    assert!(account.body.contains(&path) && account.body.contains("热线"), "the holder sees the key waiting");
    assert_eq!(app.post_form(&path, Some(&center), "").await.status, StatusCode::OK);
    assert_eq!(app.get(&requests, None).await.status, StatusCode::OK, "consented");
    assert!(app.audit("api_key.consent").await.len() == 1);
    let again = app.get("/api-keys", Some(&sec)).await;
    assert!(
        again.body.contains("热线") && again.body.contains(&secret[..10]) && !again.body.contains(secret),
        "listed without its secret"
    );
    let refused = app.post_form("/api-keys", Some(&sec), "name=&username=aud").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("data-field=\"name\"") && refused.body.contains("data-field=\"username\""));
}

#[tokio::test]
async fn the_administrator_defines_a_service_and_clients_see_it_at_once() {
    let app = TestApp::new().await;
    let sys = app.session("sys").await;
    let form = "public_service=1&description=%E8%9E%8D%E8%B5%84&keywords=loan&attributes=amount+%7C+number+%7C+required+%7C+%E9%87%91%E9%A2%9D%0Ause+%7C+singlevaluelist+%7C+optional+%7C+%E7%94%A8%E9%80%94+%7C+plant%3D%E5%8E%82%E6%88%BF%3B+wages%3D%E5%B7%A5%E8%B5%84";
    let saved = app.post_form("/catalogue/categories/2/service", Some(&sys), form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get("/catalogue/categories/2/service", Some(&sys)).await;
    assert!(
        page.body.contains("use | singlevaluelist | optional | 用途 | plant=厂房; wages=工资"),
        "the form shows the lines back"
    );
    let definition = app.get("/open311/v2/services/2.json", None).await.json();
    assert_eq!(definition["attributes"][0]["code"], "amount");
    assert_eq!(definition["attributes"][1]["values"][1], json!({"key": "wages", "name": "工资"}));
    let services = app.get("/open311/v2/services.json", None).await.json();
    let loans = services.as_array().expect("list").iter().find(|s| s["service_code"] == "2").expect("listed");
    assert_eq!(
        (loans["description"].clone(), loans["keywords"].clone(), loans["metadata"].clone()),
        (json!("融资"), json!("loan"), json!(true))
    );
    let (_, key) = issue(&app, "e1a", false, 600).await;
    let missing = app
        .post_form(
            "/open311/v2/requests.json",
            None,
            &format!("api_key={key}&service_code=2&description=x&address_string=y"),
        )
        .await;
    assert_eq!(error_of(&missing.json()).1, "attribute amount is required: 金额");

    let private = json!({"public_service": false, "attributes": []});
    let hidden = app
        .send(axum::http::Method::PUT, "/api/v1/categories/2/service", Some(&sys), crate::harness::Body_::Json(private))
        .await;
    assert_eq!(hidden.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/open311/v2/services/2.json", None).await.status, StatusCode::NOT_FOUND, "no longer public");
    for (attributes, says) in [
        (json!([{"code": "a", "datatype": "colour", "description": "x"}]), "datatype"),
        (json!([{"code": "a", "datatype": "singlevaluelist", "description": "x"}]), "list datatypes"),
        (
            json!([{"code": "a", "datatype": "number", "description": "x"}, {"code": "a", "datatype": "text", "description": "y"}]),
            "twice",
        ),
    ] {
        let body = json!({"public_service": true, "attributes": attributes});
        let refused = app
            .send(
                axum::http::Method::PUT,
                "/api/v1/categories/2/service",
                Some(&sys),
                crate::harness::Body_::Json(body),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.json()["error"]["fields"][0]["message"].as_str().is_some_and(|m| m.contains(says)),
            "{}",
            refused.body
        );
    }
    assert!(app.audit("category.service").await.len() == 2, "each saved definition is audited");
}

#[tokio::test]
async fn readers_without_a_key_are_held_to_a_pace_per_address() {
    let config = liaison_web::WebConfig { open311_reads_per_minute: 2, require_staff_mfa: false, ..Default::default() };
    let app = TestApp::with_config(config).await;
    let (_, key) = issue(&app, "e1a", false, 600).await;
    for _ in 0..2 {
        assert_eq!(app.get("/open311/v2/requests.json", None).await.status, StatusCode::OK);
    }
    let held = app.get("/open311/v2/services.xml", None).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(held.body.contains("<code>429</code>") && !held.header("retry-after").is_empty(), "{}", held.body);
    assert_eq!(
        app.get(&format!("/open311/v2/services.json?api_key={key}"), None).await.status,
        StatusCode::OK,
        "a key has its own limit"
    );
    app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(app.get("/open311/v2/requests.json", None).await.status, StatusCode::OK, "the next minute");
}

#[tokio::test]
async fn tokens_are_never_issued_so_every_token_is_unknown() {
    let app = TestApp::new().await;
    let response = app.get("/open311/v2/tokens/12345.xml", None).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(response.body.contains("<errors><error><code>404</code>"), "{}", response.body);
}

/// The leader is read-only through Open311 too: a key bound to the leader's account, consented, reads
/// but submits nothing.
#[tokio::test]
async fn a_key_of_the_read_only_leader_reads_but_never_submits() {
    let app = TestApp::new().await;
    let (_, key) = issue(&app, "leader", false, 60).await;
    assert_eq!(app.get(&format!("/open311/v2/requests.json?api_key={key}"), None).await.status, StatusCode::OK);
    let body = format!(
        "api_key={key}&service_code=1&description=%E6%8B%9B%E5%B7%A5&account_id=91350100M000100Y43&attribute[headcount]=3"
    );
    let refused = app.post_form("/open311/v2/requests.json", None, &body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        app.db
            .items(&liaison_store::item_list::ItemScope::Enterprise(app.f.e1), &Default::default(), None, 10)
            .await
            .expect("items")
            .items
            .is_empty(),
        "nothing was submitted"
    );
}
