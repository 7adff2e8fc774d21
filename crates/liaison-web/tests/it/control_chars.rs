//! Text input is clean (issue 14, SECURITY.md VAL-06), walked over every route: a control character
//! (other than tab and line breaks) in any text field of any form, JSON or multipart body of the
//! authorization matrix's rows, and in any query argument of every GET route, is refused with 400
//! naming the field — before anything is written — and invalid UTF-8 in a query likewise.

use crate::harness::{Body_, TestApp};
use crate::matrix::{Body, json_body, prepare, rows};
use axum::http::Method;
use rand::{Rng, SeedableRng};

/// Control characters that must be refused, one drawn per field.
const CONTROLS: [char; 8] = ['\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'];

/// `text` with a control character drawn by `rng` at a random place.
fn poisoned(text: &str, rng: &mut rand::rngs::StdRng) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = rng.random_range(0..=chars.len());
    let control = CONTROLS[rng.random_range(0..CONTROLS.len())];
    chars[..at].iter().chain(std::iter::once(&control)).chain(chars[at..].iter()).collect()
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The JSON body with the string at `path` (keys and indexes) replaced by `text`.
fn replace_at(value: &mut serde_json::Value, path: &[String], text: String) {
    let mut slot = value;
    for key in path {
        slot = match key.parse::<usize>() {
            Ok(index) if slot.is_array() => &mut slot[index],
            _ => &mut slot[key.as_str()],
        };
    }
    *slot = serde_json::Value::String(text);
}

/// Every string of a JSON value with its path and its field name as the error names it.
fn strings(value: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, String, String)>) {
    match value {
        serde_json::Value::String(text) => {
            let mut name = String::new();
            for key in path.iter() {
                match key.parse::<usize>() {
                    Ok(index) => name.push_str(&format!("[{index}]")),
                    Err(_) if name.is_empty() => name.push_str(key),
                    Err(_) => name.push_str(&format!(".{key}")),
                }
            }
            out.push((path.clone(), name, text.clone()));
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(index.to_string());
                strings(item, path, out);
                path.pop();
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, item) in fields {
                path.push(key.clone());
                strings(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn a_control_character_in_any_text_field_of_any_route_is_refused_naming_the_field() {
    let app = TestApp::new().await;
    let ids = prepare(&app).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261208);
    let rows: Vec<_> = rows().into_iter().filter(|r| r.actor != "anon").collect();
    let mut sessions = std::collections::HashMap::new();
    for row in &rows {
        if !sessions.contains_key(row.actor) {
            sessions.insert(row.actor, app.session(row.actor).await);
        }
    }
    let before = crate::csrf::last_change(&app).await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for row in &rows {
        let token = sessions.get(row.actor).cloned();
        let (method, _) = row.route.split_once(' ').expect("METHOD pattern");
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let path = ids.fill(row.path);
        // Each text field of the body, poisoned in turn: (field, body).
        let cases: Vec<(String, Body_)> = match &row.body {
            Body::Form(form) => {
                let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&ids.fill(form)).unwrap_or_default();
                (0..pairs.len())
                    .map(|i| {
                        let encoded: Vec<String> = pairs
                            .iter()
                            .enumerate()
                            .map(|(j, (k, v))| {
                                let value = if i == j { poisoned(v, &mut rng) } else { v.clone() };
                                format!("{}={}", encode(k), encode(&value))
                            })
                            .collect();
                        (pairs[i].0.clone(), Body_::Form(encoded.join("&")))
                    })
                    .collect()
            }
            Body::Json(make) => {
                let body = json_body(*make, &app);
                let mut found = Vec::new();
                strings(&body, &mut Vec::new(), &mut found);
                found
                    .into_iter()
                    .map(|(at, name, text)| {
                        let mut changed = body.clone();
                        replace_at(&mut changed, &at, poisoned(&text, &mut rng));
                        (name, Body_::Json(changed))
                    })
                    .collect()
            }
            Body::Multi(fields) => (0..fields.len())
                .map(|i| {
                    let parts = fields
                        .iter()
                        .enumerate()
                        .map(|(j, (name, value))| {
                            let value = ids.fill(value);
                            let value = if i == j { poisoned(&value, &mut rng) } else { value };
                            (*name, None, value.into_bytes())
                        })
                        .collect();
                    (fields[i].0.to_owned(), Body_::Multipart(parts))
                })
                .collect(),
            Body::None | Body::Csv(_) => Vec::new(),
        };
        for (field, body) in cases {
            tried += 1;
            let response = app.send(method.clone(), &path, token.as_deref(), body).await;
            let named = if row.route.contains("/open311/") {
                response.body.contains(&format!("argument {field}:"))
            } else if row.route.contains("/api/") {
                serde_json::from_str::<serde_json::Value>(&response.body)
                    .is_ok_and(|v| v["error"]["fields"][0]["field"] == field.as_str())
            } else {
                response.body.contains(&format!("{field}："))
            };
            // A refusal that comes first (not signed in, not allowed, not found) is as good: nothing is read.
            let refused_first = matches!(response.status.as_u16(), 401 | 403 | 404 | 415)
                && matches!(row.status, 401 | 403 | 404 | 415);
            if !(refused_first || (response.status == 400 && named)) {
                failures.push(format!(
                    "{} {path} as {} — {field}: {} {}",
                    row.route,
                    row.actor,
                    response.status,
                    response.body.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(tried > 150, "the walk reached the text fields ({tried})");
    assert!(failures.is_empty(), "{} not refused:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(crate::csrf::last_change(&app).await, before, "a refused request changes nothing");
    let denied = app.audit("access.denied").await;
    assert!(denied.iter().any(|row| row.detail.contains("(control_characters)")), "refusals are audited");
}

#[tokio::test]
async fn every_get_route_refuses_control_characters_and_invalid_utf8_in_its_query() {
    let app = TestApp::new().await;
    let token = app.session("center").await;
    let mut failures = Vec::new();
    for route in liaison_web::routes::table().routes().iter().filter(|r| r.method == Method::GET) {
        if route.path.starts_with("/open311/") {
            continue;
        }
        let path =
            route.path.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect::<Vec<_>>().join("/");
        for (query, code) in
            [("q=a%00b", "control_characters"), ("q=%FF%FE", "invalid_utf8"), ("page=%1B", "control_characters")]
        {
            let response = app.get(&format!("{path}?{query}"), Some(&token)).await;
            let ok = response.status == 400
                && (!route.path.starts_with("/api/v1/") || response.json()["error"]["code"] == code);
            if !ok {
                failures.push(format!("GET {path}?{query}: {}", response.status));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let open311 = app.get("/open311/v2/requests.json?service_code=a%00b", None).await;
    assert_eq!(open311.status, 400, "Open311 refuses them in its own shape: {}", open311.body);
    assert!(open311.body.contains("argument service_code: holds a control character"), "{}", open311.body);
}
