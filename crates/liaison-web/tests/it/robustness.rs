//! No input causes a server error: every route, with odd path parameters and malformed bodies, as an
//! anonymous caller and as signed-in users of different duties, answers below 500.

use crate::harness::{Body_, TestApp};
use axum::http::Method;

const ODD_IDS: [&str; 4] = ["abc", "-1", "99999999999999999999", "%E2%80%AE1"];

fn bodies() -> Vec<Body_> {
    vec![
        Body_::None,
        Body_::Form("x=%ZZ&&=&name=%00".into()),
        Body_::Json(serde_json::json!({"unexpected": [1, {"a": null}], "name": 7})),
        Body_::Upload { filename: "../../etc/passwd".into(), bytes: b"\xff\xfe\x00garbage".to_vec(), mode: "commit" },
    ]
}

#[tokio::test]
async fn no_route_answers_a_server_error_to_odd_input() {
    let app = TestApp::new().await;
    let actors =
        [None, Some(app.session("center").await), Some(app.session("sys").await), Some(app.session("e1a").await)];
    let mut failures = Vec::new();
    for route in liaison_web::routes::table().routes() {
        for id in ODD_IDS {
            let path = ["{id}", "{report}", "{code}", "{file}", "{*file}"]
                .iter()
                .fold(route.path.to_owned(), |p, k| p.replace(k, id));
            for actor in &actors {
                let bodies = if route.method == Method::GET { vec![Body_::None] } else { bodies() };
                for body in bodies {
                    let response = app.send(route.method.clone(), &path, actor.as_deref(), body).await;
                    if response.status.is_server_error() {
                        failures.push(format!(
                            "{} {path}: {} {}",
                            route.method,
                            response.status,
                            response.body.chars().take(120).collect::<String>()
                        ));
                    }
                    assert!(
                        !response.body.contains("panicked") && !response.body.contains("src/"),
                        "{} {path} leaks internals",
                        route.method
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
