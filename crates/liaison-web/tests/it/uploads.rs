//! Attachments (FILE-01/02/03): accepted by content, refused by size while streaming, by type, by
//! image header and by count; stored under random names inside the upload directory; served only
//! to those who see the item, as sandboxed attachments; EICAR quarantined and never served.

use crate::harness::{Body_, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x03\x20\0\0\x02\x58\x08\x02\0\0\0rest-of-png";

fn file(name: &str, bytes: &[u8]) -> Body_ {
    Body_::Multipart(vec![("file", Some(name.to_owned()), bytes.to_vec())])
}

async fn item(app: &TestApp, token: &str) -> i64 {
    let body = json!({"kind": "need", "category_id": 1, "title": "证明材料", "description": "见附件"});
    app.post_json("/api/v1/items", Some(token), body).await.json()["id"].as_i64().expect("id")
}

fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![app.state.uploads.root().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() { stack.push(path) } else { found.push(path) }
        }
    }
    found
}

#[tokio::test]
async fn a_file_is_kept_under_a_random_name_and_served_only_to_those_who_see_the_item() {
    let app = TestApp::new().await;
    let (e1a, e2a, o1) = (app.session("e1a").await, app.session("e2a").await, app.session("o1").await);
    let id = item(&app, &e1a).await;
    let path = format!("/api/v1/items/{id}/attachments");
    let uploaded = app.send(Method::POST, &path, Some(&e1a), file("../../etc/passwd.png", PNG)).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    let attachment = &uploaded.json()["attachments"][0];
    assert_eq!(
        (attachment["file_name"].as_str(), attachment["content_type"].as_str()),
        (Some("passwd.png"), Some("image/png"))
    );
    let files = stored_files(&app);
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with(app.state.uploads.root()) && !files[0].to_string_lossy().contains("passwd"));

    let download = format!("{path}/{}", attachment["id"]);
    let served = app.get(&download, Some(&o1)).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.bytes, PNG);
    assert!(served.header("content-disposition").starts_with("attachment;"));
    assert_eq!(
        (served.header("content-security-policy"), served.header("x-content-type-options")),
        ("sandbox", "nosniff")
    );
    assert_eq!(app.get(&download, Some(&e2a)).await.status, StatusCode::NOT_FOUND, "another enterprise's file");
    let timeline = app.get(&format!("/api/v1/items/{id}"), Some(&e1a)).await.json()["timeline"].clone();
    assert_eq!(timeline[1]["step"], "attach");
    let other = item(&app, &e2a).await;
    let foreign =
        app.send(Method::POST, &format!("/api/v1/items/{other}/attachments"), Some(&e1a), file("x.png", PNG)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(stored_files(&app).len(), 1, "nothing kept from a refused upload");
}

#[tokio::test]
async fn wrong_types_oversized_files_bombs_and_the_eleventh_file_are_refused_with_nothing_stored() {
    let app = TestApp::new().await;
    let e1a = app.session("e1a").await;
    let id = item(&app, &e1a).await;
    let path = format!("/api/v1/items/{id}/attachments");
    let send = |body: Body_| app.send(Method::POST, &path, Some(&e1a), body);
    assert_eq!(
        send(file("page.html", b"<html><title>pwned</title></html>")).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(send(file("really-a-pdf.png", b"%PDF-1.7 ...")).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    assert_eq!(send(file("big.pdf", &big)).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut bomb = PNG.to_vec();
    bomb[16..24].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
    assert_eq!(send(file("bomb.png", &bomb)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stored_files(&app).is_empty(), "refused files leave nothing behind");
    for n in 0..10 {
        assert_eq!(send(file(&format!("p{n}.pdf"), b"%PDF-1.7 ok")).await.status, StatusCode::OK);
    }
    assert_eq!(send(file("eleventh.pdf", b"%PDF-1.7 ok")).await.status, StatusCode::CONFLICT);
    assert_eq!(stored_files(&app).len(), 10);
}

#[tokio::test]
async fn eicar_is_quarantined_audited_and_never_served() {
    let app = TestApp::new().await;
    let (e1a, o1) = (app.session("e1a").await, app.session("o1").await);
    let id = item(&app, &e1a).await;
    let eicar = b"%PDF-1.4\nX5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    let response =
        app.send(Method::POST, &format!("/api/v1/items/{id}/attachments"), Some(&e1a), file("virus.pdf", eicar)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["attachments"], json!([]), "not listed");
    let audit = app.audit("attachment.quarantine").await;
    assert_eq!(audit.len(), 1);
    let quarantined = audit[0].object_id.clone().expect("attachment id");
    let download = app.get(&format!("/api/v1/items/{id}/attachments/{quarantined}"), Some(&o1)).await;
    assert_eq!(download.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_portal_form_submits_an_item_with_its_files() {
    let app = TestApp::new().await;
    let e1a = app.session("e1a").await;
    let form = Body_::Multipart(vec![
        ("category_id", None, b"need:1".to_vec()),
        ("title", None, "营业执照变更".as_bytes().to_vec()),
        ("description", None, "请协助办理".as_bytes().to_vec()),
        ("file", Some("营业执照.pdf".into()), b"%PDF-1.7 licence".to_vec()),
        ("file", Some("现场.png".into()), PNG.to_vec()),
    ]);
    let response = app.send(Method::POST, "/items", Some(&e1a), form).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let detail = app.get(response.header("location"), Some(&e1a)).await;
    assert!(detail.body.contains("营业执照.pdf") && detail.body.contains("现场.png"));
    let bad = Body_::Multipart(vec![
        ("category_id", None, b"need:1".to_vec()),
        ("title", None, Vec::new()),
        ("description", None, b"x".to_vec()),
        ("file", Some("a.pdf".into()), b"%PDF-1.7".to_vec()),
    ]);
    assert_eq!(app.send(Method::POST, "/items", Some(&e1a), bad).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_files(&app).len(), 2, "the refused form's file was removed");
}
