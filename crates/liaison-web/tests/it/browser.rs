//! The main journey in a real browser: headless Chromium (Debian `chromium` + `chromium-driver`) signs
//! in as an officer, lists their enterprises and opens one. Skipped when the driver is missing, unless
//! `LIAISON_REQUIRE_BROWSER=1`.

use fantoccini::{ClientBuilder, Locator};
use liaison_core::clock::SystemClock;
use liaison_store::fixture::{self, PASSWORD};
use liaison_web::{AppState, WebConfig};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const DRIVER: &str = "/usr/bin/chromedriver";

/// Kills the driver even when an assertion fails.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

#[tokio::test]
async fn an_officer_signs_in_and_opens_one_of_their_enterprises() {
    if !std::path::Path::new(DRIVER).exists() {
        assert!(
            std::env::var("LIAISON_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "LIAISON_REQUIRE_BROWSER=1 but {DRIVER} is missing"
        );
        eprintln!("browser test skipped: {DRIVER} not installed (apt-get install chromium chromium-driver)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("liaison-browser-{}", liaison_core::token::random_hex(6)));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = liaison_store::Db::open(&format!("sqlite://{}", dir.join("liaison.db").display()), 4).await.expect("db");
    let f = fixture::build(&db, chrono::Utc::now()).await.expect("fixture");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let config =
        WebConfig { public_origin: origin.clone(), require_staff_mfa: false, demo: true, ..WebConfig::default() };
    let calendar = Arc::new(liaison_core::calendar::Calendar::official());
    let uploads = liaison_web::uploads::Uploads::new(dir.join("uploads"), Box::new(liaison_web::uploads::EicarScanner))
        .expect("upload dir");
    let state =
        AppState { db, clock: Arc::new(SystemClock), config: Arc::new(config), calendar, uploads: Arc::new(uploads) };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(liaison_web::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let port = free_port();
    let _driver = Driver(
        Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let mut capabilities = serde_json::Map::new();
    let profile = dir.join("profile");
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver answers");

    c.goto(&format!("{origin}/enterprises")).await.expect("goto");
    assert!(
        c.current_url().await.expect("url").path().starts_with("/login"),
        "signed-out visitors are sent to sign in"
    );
    c.find(Locator::Id("username")).await.expect("username").send_keys("o1").await.expect("type");
    c.find(Locator::Id("password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    c.find(Locator::Id("login-submit")).await.expect("submit").click().await.expect("click");
    c.wait().for_element(Locator::Id("total")).await.expect("the enterprise list after sign-in");
    assert_eq!(
        c.find(Locator::Id("total")).await.expect("total").text().await.expect("text"),
        "1",
        "only their own enterprise"
    );
    assert!(c.find(Locator::Id("demo-banner")).await.is_ok(), "the demo banner shows");
    c.find(Locator::LinkText("渝中一号科技有限公司")).await.expect("their enterprise").click().await.expect("open");
    c.wait().for_element(Locator::Id("officer")).await.expect("detail page");
    assert_eq!(c.current_url().await.expect("url").path(), format!("/enterprises/{}", f.e1));
    assert_eq!(
        c.find(Locator::Css("h1")).await.expect("h1").text().await.expect("text"),
        "渝中一号科技有限公司 重点企业"
    );
    assert_eq!(c.find(Locator::Id("contact-mobile")).await.expect("mobile").text().await.expect("text"), "138****8000");
    assert!(c.find(Locator::Id("officer")).await.expect("officer").text().await.expect("text").contains("测试o1"));
    let storage = c
        .execute("return window.localStorage.length + (typeof htmx === 'object' ? 0 : 100);", vec![])
        .await
        .expect("script");
    assert_eq!(storage, serde_json::json!(0), "htmx loaded from our own assets; no PI in browser storage");
    c.goto(&format!("{origin}/enterprises/{}", f.e2)).await.expect("goto");
    assert!(c.find(Locator::Css("h1")).await.expect("h1").text().await.expect("text").contains("404"));
    c.close().await.expect("close");
    let _ = stop.send(());
    server.await.expect("join").expect("serve");
}
