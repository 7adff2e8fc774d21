//! `liaison import enterprises FILE [--dry-run]`: the same checks as the upload page, every rejected row
//! listed, a progress bar while committing, nothing imported unless every row is valid.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use liaison_core::import::{parse_enterprises, read_table};
use liaison_store::{Ctx, Db};
use std::path::Path;

/// Imports the enterprises of `file` under the root unit (or only reports, with `dry_run`).
pub async fn enterprises(db: &Db, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let table = read_table(&bytes, &name)?;
    let (parsed, errors) = parse_enterprises(&table)?;
    let root = db.root_unit().await?.context("no org unit yet: run `liaison serve` once first")?;
    let plan = db.plan_enterprise_import(&root.org_path(), parsed, errors).await?;
    for error in &plan.errors {
        println!("row {:>5}  {:<15} {}", error.row, error.column, error.reason);
    }
    println!("{} valid rows, {} rejected", plan.rows.len(), plan.errors.len());
    if !plan.errors.is_empty() {
        anyhow::bail!("nothing imported: fix the rejected rows first");
    }
    if dry_run {
        println!("dry run: nothing imported");
        return Ok(());
    }
    let bar = ProgressBar::new(plan.rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("importing [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let count =
        db.import_enterprises(&Ctx::system(chrono::Utc::now()), &plan.rows, &|n| bar.set_position(n as u64)).await?;
    bar.finish();
    println!("imported {count} enterprises");
    Ok(())
}
