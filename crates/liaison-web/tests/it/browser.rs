//! The main journeys in a real browser (headless Debian `chromium` + `chromium-driver`): an officer
//! signs in and opens one of their enterprises; an item goes round the whole closed loop with an
//! attachment and a reopen, seen from both sides. Skipped when the driver is missing, unless
//! `LIAISON_REQUIRE_BROWSER=1`.

use fantoccini::{Client, ClientBuilder, Locator};
use liaison_core::clock::SystemClock;
use liaison_store::fixture::{self, Fixture, PASSWORD};
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

/// A running server on a fresh fixture database, chromedriver and a connected browser.
struct Browser {
    c: Client,
    origin: String,
    f: Fixture,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    dir: std::path::PathBuf,
    _driver: Driver,
}

impl Browser {
    /// `None` when chromedriver is not installed (and not required).
    async fn start() -> Option<Browser> {
        if !std::path::Path::new(DRIVER).exists() {
            assert!(
                std::env::var("LIAISON_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "LIAISON_REQUIRE_BROWSER=1 but {DRIVER} is missing"
            );
            eprintln!("browser test skipped: {DRIVER} not installed (apt-get install chromium chromium-driver)");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("liaison-browser-{}", liaison_core::token::random_hex(6)));
        std::fs::create_dir_all(&dir).expect("dir");
        let db =
            liaison_store::Db::open(&format!("sqlite://{}", dir.join("liaison.db").display()), 4).await.expect("db");
        let f = fixture::build(&db, chrono::Utc::now()).await.expect("fixture");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let config =
            WebConfig { public_origin: origin.clone(), require_staff_mfa: false, demo: true, ..WebConfig::default() };
        let calendar = Arc::new(liaison_core::calendar::Calendar::official());
        let uploads =
            liaison_web::uploads::Uploads::new(dir.join("uploads"), Box::new(liaison_web::uploads::EicarScanner))
                .expect("upload dir");
        let state = AppState::new(liaison_web::App {
            db,
            clock: Arc::new(SystemClock),
            config: Arc::new(config),
            calendar,
            uploads: Arc::new(uploads),
            notifier: Arc::new(
                liaison_web::notify::Notifier::new(Default::default(), Box::new(liaison_web::notify::LoggingSms))
                    .expect("notifier"),
            ),
            limits: Default::default(),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(liaison_web::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let port = free_port();
        let driver = Driver(
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
        Some(Browser { c, origin, f, stop, server, dir, _driver: driver })
    }

    async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.origin)).await.expect("goto");
    }

    /// Signs in as fixture user `name` (after signing out whoever was signed in).
    async fn sign_in(&self, name: &str) {
        self.c.delete_all_cookies().await.expect("sign out");
        self.goto("/login").await;
        self.c.find(Locator::Id("username")).await.expect("username").send_keys(name).await.expect("type");
        self.c.find(Locator::Id("password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
        self.c.find(Locator::Id("login-submit")).await.expect("submit").click().await.expect("click");
        self.c.wait().for_element(Locator::Css("nav.side")).await.expect("signed in");
    }

    async fn click(&self, id: &str) {
        self.c
            .wait()
            .for_element(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .click()
            .await
            .expect("click");
    }

    async fn type_into(&self, id: &str, text: &str) {
        self.c
            .wait()
            .for_element(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .send_keys(text)
            .await
            .expect("type");
    }

    /// Waits until the item page shows `status`.
    async fn expect_status(&self, status: &str) {
        for _ in 0..100 {
            if let Ok(element) = self.c.find(Locator::Id("status")).await
                && element.attr("data-status").await.ok().flatten().as_deref() == Some(status)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the item never showed {status}");
    }

    async fn timeline(&self) -> Vec<String> {
        let mut steps = Vec::new();
        for li in self.c.find_all(Locator::Css("#timeline li")).await.expect("timeline") {
            steps.push(li.attr("data-step").await.expect("attr").unwrap_or_default());
        }
        steps
    }

    async fn finish(self) {
        self.c.close().await.expect("close");
        let _ = self.stop.send(());
        self.server.await.expect("join").expect("serve");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn an_officer_signs_in_and_opens_one_of_their_enterprises() {
    let Some(b) = Browser::start().await else { return };
    let (c, f, origin) = (&b.c, &b.f, &b.origin);
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
    b.finish().await;
}

/// Item 13 of the closed-loop issue: submit with an attachment, accept, assign, start, resolve,
/// 不满意 → reopened, resolve again, 满意 → closed; both sides see every step.
#[tokio::test]
async fn an_item_goes_round_the_closed_loop_with_a_reopen() {
    let Some(b) = Browser::start().await else { return };
    let evidence = b.dir.join("招工简章.pdf");
    std::fs::write(&evidence, b"%PDF-1.7\n% liaison browser test\n").expect("pdf");

    b.sign_in("e1a").await;
    b.goto("/items/new").await;
    b.type_into("title", "春节后招工难").await;
    b.type_into("description", "需要招聘三十名操作工，请协助对接招聘会").await;
    b.type_into("files", &evidence.display().to_string()).await;
    b.click("submit-item").await;
    b.expect_status("submitted").await;
    let item = b.c.current_url().await.expect("url").path().to_owned();
    assert!(b.c.find(Locator::LinkText("招工简章.pdf")).await.is_ok(), "the attachment is listed");

    b.sign_in("o1").await;
    b.goto(&item).await;
    b.click("step-accept").await;
    b.expect_status("accepted").await;
    b.click("step-assign").await;
    b.expect_status("assigned").await;
    b.click("step-start").await;
    b.expect_status("in_progress").await;
    b.type_into("body-resolve", "已对接区人社局专场招聘会").await;
    b.click("step-resolve").await;
    b.expect_status("resolved").await;

    b.sign_in("e1a").await;
    b.goto(&item).await;
    b.click("rating-unsatisfied").await;
    b.click("solved-no").await;
    b.click("step-feedback").await;
    b.expect_status("assigned").await;

    b.sign_in("o1").await;
    b.goto(&item).await;
    b.click("step-start").await;
    b.expect_status("in_progress").await;
    b.type_into("body-resolve", "第二场招聘会招到二十八人").await;
    b.click("step-resolve").await;
    b.expect_status("resolved").await;

    b.sign_in("e1a").await;
    b.goto(&item).await;
    b.click("rating-satisfied").await;
    b.click("solved-yes").await;
    b.click("step-feedback").await;
    b.expect_status("closed").await;

    let every_step =
        ["submit", "attach", "accept", "assign", "start", "resolve", "feedback", "start", "resolve", "feedback"];
    assert_eq!(b.timeline().await, every_step, "the enterprise sees every step");
    assert!(b.c.find(Locator::Id("actions")).await.is_err(), "nothing left to do");
    b.sign_in("o1").await;
    b.goto(&item).await;
    assert_eq!(b.timeline().await, every_step, "the officer sees every step");
    b.finish().await;
}
