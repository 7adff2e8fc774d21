//! Data for the benchmarks: the demo district from the binary itself, topped up with generated
//! enterprises spread over its communities, imported through the store in large transactions.

use crate::Args;
use anyhow::Context;
use liaison_core::enterprise::EnterpriseInput;
use liaison_core::org::{OrgKind, OrgPath};
use liaison_core::permission::Visibility;
use liaison_core::validate::CreditCode;
use liaison_store::enterprises::EnterpriseFilter;
use liaison_store::{Ctx, Db, Paging};
use std::path::Path;
use std::process::Command;

/// Enterprises of the demo district.
pub const DEMO_ENTERPRISES: usize = 1_900;

/// Generates the demo district with `liaison demo --no-serve`.
pub async fn demo(args: &Args, dir: &Path) -> anyhow::Result<()> {
    let mut command = Command::new(&args.binary);
    command.args(["demo", "--no-serve", "--data"]).arg(dir).env("LIAISON_LOG", "warn");
    if let Some(url) = &args.database_url {
        command.env("LIAISON_DATABASE_URL", url);
    }
    let status = command.status().context("running liaison demo")?;
    anyhow::ensure!(status.success(), "liaison demo failed");
    Ok(())
}

fn url(args: &Args, dir: &Path) -> String {
    args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", dir.join("liaison.db").display()))
}

/// Adds enterprises until the district holds `args.enterprises`; returns the total.
pub async fn top_up(args: &Args, dir: &Path) -> anyhow::Result<usize> {
    let db = Db::open(&url(args, dir), 2).await?;
    let root = db.root_unit().await?.context("demo district")?;
    let communities = db.units_of_kind(&OrgPath::parse(&root.path).context("path")?, OrgKind::Community).await?;
    let ctx = Ctx::system(chrono::Utc::now());
    let root_path = OrgPath::parse(&root.path).context("path")?;
    let existing = db
        .enterprises(&Visibility::Subtree(root_path), &EnterpriseFilter::default(), Paging::new(Some(1), Some(1)))
        .await?
        .total as usize;
    let missing = args.enterprises.saturating_sub(existing);
    let first = existing.saturating_sub(DEMO_ENTERPRISES);
    let started = std::time::Instant::now();
    for chunk in (first..first + missing).collect::<Vec<_>>().chunks(10_000) {
        let rows = chunk
            .iter()
            .map(|&n| {
                let code = CreditCode::synthetic("500103", 20_000_000 + n as u64).context("code")?;
                let input = EnterpriseInput {
                    name: format!("重庆压测企业{n:06}有限公司"),
                    credit_code: code.as_str().to_owned(),
                    address: format!("渝中区压测路{}号", n % 500),
                    industry: "I".into(),
                    scale: "small".into(),
                    key_enterprise: n % 10 == 0,
                    longitude: Some(106.55),
                    latitude: Some(29.55),
                    contact_name: "张三".into(),
                    contact_mobile: format!("1380013{:04}", n % 10_000),
                };
                let details = input.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?;
                Ok((details, communities[n % communities.len()].id))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        db.import_enterprises(&ctx, &rows, &|_| ()).await?;
    }
    db.close().await;
    println!("seeded {missing} more enterprises in {:.1} s", started.elapsed().as_secs_f64());
    Ok(existing + missing)
}
