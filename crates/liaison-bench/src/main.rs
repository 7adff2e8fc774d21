//! `liaison-bench`: measures the real `liaison` binary over loopback and prints the figures the issues
//! name — start-up time and idle memory with the demo district (~2,000 enterprises); the enterprise
//! list (API and page) at 32 connections with 100,000 enterprises; and with 1,000,000 items the SLA
//! sweep, durable intake, the officer's worklist (API and page), the item detail and Open311 (the
//! default request list and submissions), with RSS.
//!
//! `cargo build --release && cargo run --release -p liaison-bench` (add `--database-url postgres://…`
//! to seed and serve PostgreSQL instead of SQLite).

mod items;
mod load;
mod open311;
mod seed;

use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// The binary to measure.
    #[arg(long, default_value = "target/release/liaison")]
    binary: PathBuf,
    /// Enterprises for the list benchmark.
    #[arg(long, default_value_t = 100_000)]
    enterprises: usize,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds of load per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Serve PostgreSQL at this URL (an empty database) instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Items for the closed-loop scenarios.
    #[arg(long, default_value_t = 1_000_000)]
    items: usize,
    /// Of those, open items whose warning is due when the sweep runs.
    #[arg(long, default_value_t = 10_000)]
    due: usize,
    /// Keep the seeded data in this directory and reuse it on the next run (seeding only tops up).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Run only these parts (`startup`, `enterprises`, `sweep`, `intake`, `worklist`, `detail`,
    /// `open311`, or `items` for the last five); all when absent.
    #[arg(long, value_delimiter = ',')]
    only: Vec<Part>,
}

/// A part of the benchmark, for `--only`.
#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum Part {
    Startup,
    Enterprises,
    Items,
    Sweep,
    Intake,
    Worklist,
    Detail,
    Open311,
}

impl Part {
    /// The closed-loop scenarios, run over the seeded items.
    const ITEMS: [Part; 5] = [Part::Sweep, Part::Intake, Part::Worklist, Part::Detail, Part::Open311];
}

impl Args {
    fn runs(&self, part: Part) -> bool {
        let in_items = Part::ITEMS.contains(&part) && self.only.contains(&Part::Items);
        self.only.is_empty() || self.only.contains(&part) || in_items
    }

    fn duration(&self) -> Duration {
        Duration::from_secs(self.seconds)
    }
}

/// A running server, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:port`.
    pub origin: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Resident memory in MiB (Linux `/proc`).
    pub fn rss_mib(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(f64::NAN, |kib| kib / 1024.0)
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts `liaison serve` on `data` and returns it with the time until `/healthz` answered.
async fn start(args: &Args, data: &std::path::Path) -> anyhow::Result<(Server, Duration)> {
    let port = free_port()?;
    let started = Instant::now();
    let mut command = Command::new(&args.binary);
    command.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"]).arg(data);
    command
        .env("LIAISON_SECURITY__REQUIRE_STAFF_MFA", "false")
        .env("LIAISON_SLA__DAILY_ITEMS_PER_ENTERPRISE", "1000000000")
        .env("LIAISON_WEB__OPEN311_READS_PER_MINUTE", "1000000000")
        .env("LIAISON_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(data.join("server.log"))?);
    if let Some(url) = &args.database_url {
        command.env("LIAISON_DATABASE_URL", url);
    }
    let child = command.spawn().with_context(|| format!("starting {}", args.binary.display()))?;
    let server = Server { child, origin: format!("http://127.0.0.1:{port}") };
    let client = load::client();
    loop {
        if load::get(&client, &format!("{}/healthz", server.origin), None).await.is_ok_and(|(status, _)| status == 200)
        {
            return Ok((server, started.elapsed()));
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not become ready; see {}",
            data.join("server.log").display()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.binary.exists(), "{} not found: run `cargo build --release` first", args.binary.display());
    let dir =
        args.data.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("liaison-bench-{}", std::process::id())));
    let seeded = dir.join("demo-seeded");
    std::fs::create_dir_all(&dir)?;
    let backend = if args.database_url.is_some() { "postgres" } else { "sqlite" };
    println!("liaison-bench on {backend}, {} connections, {} s per scenario", args.connections, args.seconds);

    if !seeded.exists() {
        seed::demo(&args, &dir).await?;
        std::fs::write(&seeded, "")?;
    }
    if args.runs(Part::Startup) {
        startup(&args, &dir).await?;
    }
    if args.runs(Part::Enterprises) {
        enterprises(&args, &dir).await?;
    }
    if Part::ITEMS.iter().any(|part| args.runs(*part)) {
        items(&args, &dir).await?;
    }
    if args.data.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// Start-up time and idle memory with the demo district.
async fn startup(args: &Args, dir: &std::path::Path) -> anyhow::Result<()> {
    let mut startups = Vec::new();
    for _ in 0..5 {
        let (server, took) = start(args, dir).await?;
        startups.push(took);
        drop(server);
    }
    startups.sort();
    let (server, _) = start(args, dir).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "start-up with the demo district ({} enterprises): median {:.0} ms, worst {:.0} ms (target < 1000 ms)",
        seed::DEMO_ENTERPRISES,
        ms(startups[2]),
        ms(startups[4])
    );
    println!("idle RSS: {:.1} MiB (target < 60 MiB)", server.rss_mib());
    Ok(())
}

/// The enterprise list (API and page) over `args.enterprises`.
async fn enterprises(args: &Args, dir: &std::path::Path) -> anyhow::Result<()> {
    let total = seed::top_up(args, dir).await?;
    let (server, _) = start(args, dir).await?;
    let cookie = load::sign_in(&server.origin, "leader", "liaison-demo").await?;
    for (name, path) in
        [("API  GET /api/v1/enterprises", "/api/v1/enterprises"), ("page GET /enterprises       ", "/enterprises")]
    {
        let report =
            load::run(&server.origin, &load::get_scenario(path, &cookie), args.connections, args.duration()).await?;
        println!("{name} over {total} enterprises: {report} (target p99 < 20 ms)");
    }
    println!("RSS after load: {:.1} MiB", server.rss_mib());
    Ok(())
}

/// The closed-loop scenarios over `args.items`.
async fn items(args: &Args, dir: &std::path::Path) -> anyhow::Result<()> {
    let url = args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", dir.join("liaison.db").display()));
    let total = items::seed(args, &url).await?;
    if args.runs(Part::Sweep) {
        items::sweep(&url, dir).await?;
    }
    let (server, _) = start(args, dir).await?;
    let officer = load::sign_in(&server.origin, "officer-001", "liaison-demo").await?;
    if args.runs(Part::Intake) {
        intake(args, &server, total).await?;
    }
    if args.runs(Part::Worklist) {
        for (name, path) in [
            ("API  GET /api/v1/items?queue=open", "/api/v1/items?queue=open"),
            ("page GET /items?queue=open       ", "/items?queue=open"),
        ] {
            let scenario = load::get_scenario(path, &officer);
            let report = load::run(&server.origin, &scenario, args.connections, args.duration()).await?;
            println!("officer worklist {name}: {report} (target ≥ 5,000/s, p99 < 20 ms)");
        }
    }
    if args.runs(Part::Detail) {
        detail(args, &server, &officer).await?;
    }
    if args.runs(Part::Open311) {
        open311::run(args, &server, dir, total).await?;
    }
    println!("RSS after the item scenarios: {:.1} MiB (target < 200 MB)", server.rss_mib());
    Ok(())
}

/// Durable intake: each connection submits as its own enterprise.
async fn intake(args: &Args, server: &Server, total: usize) -> anyhow::Result<()> {
    let mut enterprises = Vec::new();
    for n in 1..=args.connections {
        enterprises.push(load::sign_in(&server.origin, &format!("ent-{n:04}"), "liaison-demo").await?);
    }
    let intake = load::Scenario {
        method: http::Method::POST,
        path: "/api/v1/items".into(),
        bodies: vec![r#"{"kind":"need","category_id":1,"title":"压测诉求","description":"春节后需要招聘三十名操作工，希望协助对接招聘会"}"#.into()],
        content_type: "application/json",
        cookies: enterprises,
        expect: 201,
    };
    let report = load::run(&server.origin, &intake, args.connections, args.duration()).await?;
    println!("intake POST /api/v1/items over {total} items: {report} (target ≥ 2,500/s, p99 < 50 ms)");
    Ok(())
}

/// The detail of the officer's newest item.
async fn detail(args: &Args, server: &Server, officer: &str) -> anyhow::Result<()> {
    let first = load::get(&load::client(), &format!("{}/api/v1/items?limit=1", server.origin), Some(officer)).await?;
    let list: serde_json::Value = serde_json::from_slice(&first.1)?;
    let id = list["items"][0]["id"].as_i64().context("an item in the officer's scope")?;
    let report = load::run(
        &server.origin,
        &load::get_scenario(&format!("/api/v1/items/{id}"), officer),
        args.connections,
        args.duration(),
    )
    .await?;
    println!("item detail GET /api/v1/items/{{id}}: {report} (target ≥ 10,000/s, p99 < 10 ms)");
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
