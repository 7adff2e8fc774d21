//! Open311 over the seeded items: the default request list (`GET requests.json`: the last 90 days or
//! 1,000 requests, as any public client asks) and submissions (`POST requests.json`, form-encoded,
//! each connection with its own enterprise's key issued by `liaison api-key create`).

use crate::{Args, Server, load};
use anyhow::Context;
use std::path::Path;
use std::process::Command;

/// Issues a key for `user` through the CLI and returns it (the last line printed).
fn issue_key(args: &Args, dir: &Path, user: &str) -> anyhow::Result<String> {
    let mut command = Command::new(&args.binary);
    command.args(["api-key", "create", "--name", &format!("bench {user}"), "--user", user, "--per-minute", "100000"]);
    command.arg("--data").arg(dir).env("LIAISON_LOG", "warn");
    if let Some(url) = &args.database_url {
        command.env("LIAISON_DATABASE_URL", url);
    }
    let output = command.output().context("running liaison api-key create")?;
    anyhow::ensure!(output.status.success(), "api-key create: {}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout)?;
    printed.lines().last().map(str::to_owned).context("no key printed")
}

/// Both scenarios, printed.
pub async fn run(args: &Args, server: &Server, dir: &Path, total: usize) -> anyhow::Result<()> {
    let list = load::get_scenario("/open311/v2/requests.json", "");
    for connections in [1, 4, 8] {
        let report = load::run(&server.origin, &list, connections, args.duration()).await?;
        println!(
            "Open311 GET requests.json (default window, 1,000 of {total} items) at {connections} connection(s): {report} (target p99 < 50 ms)"
        );
    }
    let mut bodies = Vec::new();
    for n in 1..=args.connections {
        let key = issue_key(args, dir, &format!("ent-{n:04}"))?;
        bodies.push(format!(
            "api_key={key}&service_code=1&description=%E6%98%A5%E8%8A%82%E5%90%8E%E9%9C%80%E8%A6%81%E6%8B%9B%E8%81%98%E6%93%8D%E4%BD%9C%E5%B7%A5&address_string=%E8%A7%A3%E6%94%BE%E7%A2%91&attribute%5Bheadcount%5D=30"
        ));
    }
    let submit = load::Scenario {
        method: http::Method::POST,
        path: "/open311/v2/requests.json".into(),
        bodies,
        content_type: "application/x-www-form-urlencoded",
        cookies: Vec::new(),
        expect: 200,
    };
    let report = load::run(&server.origin, &submit, args.connections, args.duration()).await?;
    println!("Open311 POST requests.json: {report} (target: the API's intake rate, ≥ 2,500/s, p99 < 50 ms)");
    Ok(())
}
