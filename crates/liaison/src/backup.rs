//! `liaison backup` and `liaison restore` (DESIGN §8, SECURITY.md BAK) for the embedded SQLite default.
//!
//! A backup is one tar file: `manifest.json` first (format, versions, record counts, and the size and
//! SHA-256 of every other entry), then `liaison.db` — a consistent copy taken online with `VACUUM INTO`
//! while the server keeps writing — then the upload directory. The database is copied before the
//! uploads are listed, so every file a copied row points at is in the archive (files are written before
//! their rows). A restore refuses an archive that is damaged, altered, of another format or made by a
//! newer build, and a data directory that already holds a database; it unpacks into a sibling
//! directory, checks every checksum, opens the copy (migrating an older one), runs SQLite's integrity
//! and foreign-key checks, recomputes the audit hash chain and compares the counts with the manifest —
//! and only then moves it into place. PostgreSQL deployments use `pg_dump` / base backups instead, and
//! both commands say so.

use anyhow::{Context, bail, ensure};
use liaison_store::Db;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What a backup archive holds, written as its first entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `liaison-backup`.
    pub format: String,
    /// The archive layout's version (1).
    pub layout: u32,
    /// The build that made it.
    pub app_version: String,
    /// The newest migration applied to the copied database.
    pub schema_version: i64,
    /// When the copy was taken (RFC 3339, UTC).
    pub created_at: String,
    /// Items in the copy.
    pub items: i64,
    /// Audit records in the copy (its hash chain verified before the archive was written).
    pub audit_records: i64,
    /// Every other entry: its path in the archive, size and SHA-256.
    pub files: Vec<Entry>,
}

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Path inside the archive (`liaison.db`, `uploads/…`).
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

const FORMAT: &str = "liaison-backup";
const LAYOUT: u32 = 1;
const DATABASE: &str = "liaison.db";

/// Writes a backup of the database `db` and the uploads of `data_dir` to `to` (which must not exist).
pub async fn backup(db: &Db, data_dir: &Path, to: &Path) -> anyhow::Result<Manifest> {
    ensure!(!to.exists(), "{} exists already; choose a new file name", to.display());
    let work = sibling(to, "backup")?;
    let result = write_archive(db, data_dir, to, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    if result.is_err() {
        let _ = std::fs::remove_file(to);
    }
    result
}

async fn write_archive(db: &Db, data_dir: &Path, to: &Path, work: &Path) -> anyhow::Result<Manifest> {
    let copy = work.join(DATABASE);
    db.snapshot_into(&copy).await.context("copying the database")?;
    // The copy's own figures, read from the copy: they are what a restore must find.
    let snapshot = Db::open(&format!("sqlite://{}", copy.display()), 1).await.context("opening the copy")?;
    let audit_records = match snapshot.verify_audit_chain().await? {
        Ok(count) => count,
        Err(broken) => bail!("the audit chain is broken at record {} ({}): not backing up", broken.id, broken.reason),
    };
    let (items, _) = snapshot.record_counts().await?;
    let schema_version = snapshot.schema_version().await?;
    snapshot.close().await;
    remove_sidecars(&copy);
    let mut sources = vec![(DATABASE.to_owned(), copy.clone())];
    let uploads = data_dir.join("uploads");
    if uploads.is_dir() {
        collect(&uploads, "uploads", &mut sources)?;
    }
    let mut files = Vec::with_capacity(sources.len());
    for (path, source) in &sources {
        let (size, sha256) = digest_file(source)?;
        files.push(Entry { path: path.clone(), size, sha256 });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        layout: LAYOUT,
        app_version: env!("CARGO_PKG_VERSION").into(),
        schema_version,
        created_at: chrono::Utc::now().to_rfc3339(),
        items,
        audit_records,
        files,
    };
    let file = std::fs::File::create(to).with_context(|| format!("creating {}", to.display()))?;
    let mut archive = tar::Builder::new(std::io::BufWriter::new(file));
    let text = serde_json::to_vec_pretty(&manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    archive.append_data(&mut header, "manifest.json", text.as_slice())?;
    for (path, source) in &sources {
        archive.append_path_with_name(source, path).with_context(|| format!("adding {path}"))?;
    }
    let mut writer = archive.into_inner()?;
    writer.flush()?;
    // Acknowledged only once the archive is on disk.
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(manifest)
}

/// Restores the archive `from` into `data_dir`, which must not hold a database yet; returns what it held.
pub async fn restore(from: &Path, data_dir: &Path) -> anyhow::Result<Manifest> {
    ensure!(
        !data_dir.join(DATABASE).exists(),
        "{} already holds a database; restore into a new directory (or move the old one away first)",
        data_dir.display()
    );
    let staging = sibling(data_dir, "restoring")?;
    let result = unpack_and_check(from, &staging).await;
    match result {
        Ok(manifest) => {
            std::fs::create_dir_all(data_dir)?;
            for entry in std::fs::read_dir(&staging)? {
                let entry = entry?;
                std::fs::rename(entry.path(), data_dir.join(entry.file_name()))?;
            }
            std::fs::remove_dir_all(&staging)?;
            Ok(manifest)
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(error)
        }
    }
}

async fn unpack_and_check(from: &Path, staging: &Path) -> anyhow::Result<Manifest> {
    let file = std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut entries = archive.entries().context("not a backup archive")?;
    let mut first = entries.next().context("the archive is empty")?.context("not a backup archive")?;
    ensure!(first.path()?.as_os_str() == "manifest.json", "not a liaison backup: manifest.json is not first");
    let mut text = Vec::new();
    first.read_to_end(&mut text)?;
    let manifest: Manifest = serde_json::from_slice(&text).context("the manifest is damaged")?;
    ensure!(manifest.format == FORMAT && manifest.layout == LAYOUT, "not a liaison backup of layout {LAYOUT}");
    ensure!(
        manifest.schema_version <= Db::known_schema_version(),
        "the backup was made by a newer build (schema {}, this build knows {}); restore it with that build",
        manifest.schema_version,
        Db::known_schema_version()
    );
    let mut seen = Vec::new();
    for entry in entries {
        let mut entry = entry.context("the archive is damaged")?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let expected =
            manifest.files.iter().find(|f| f.path == path).with_context(|| format!("{path} is not in the manifest"))?;
        let target = safe_join(staging, &path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::fs::File::create(&target)?;
        let (size, sha256) = copy_hashing(&mut entry, &mut out)?;
        out.sync_all()?;
        ensure!(
            size == expected.size && sha256 == expected.sha256,
            "{path} does not match its checksum: the archive is damaged or altered"
        );
        seen.push(path);
    }
    for file in &manifest.files {
        ensure!(seen.contains(&file.path), "{} is missing from the archive", file.path);
    }
    let db = Db::open(&format!("sqlite://{}", staging.join(DATABASE).display()), 1)
        .await
        .context("opening the restored database")?;
    let checked = check_restored(&db, &manifest).await;
    db.close().await;
    checked.map(|()| manifest)
}

async fn check_restored(db: &Db, manifest: &Manifest) -> anyhow::Result<()> {
    if let Err(problems) = db.integrity().await? {
        bail!("the restored database fails SQLite's checks: {problems}");
    }
    match db.verify_audit_chain().await? {
        Ok(count) => {
            ensure!(count >= manifest.audit_records, "audit records missing: {count} of {}", manifest.audit_records)
        }
        Err(broken) => bail!("the restored audit chain is broken at record {} ({})", broken.id, broken.reason),
    }
    let (items, _) = db.record_counts().await?;
    ensure!(items == manifest.items, "items: {items} restored, the manifest says {}", manifest.items);
    Ok(())
}

/// A fresh directory beside `path` for work in progress (same file system, so a rename moves it).
fn sibling(path: &Path, purpose: &str) -> anyhow::Result<PathBuf> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = parent.join(format!(".{name}.{purpose}-{}", liaison_core::token::random_hex(4)));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// `base/relative`, refusing absolute paths and `..` (an archive must not write outside its directory).
fn safe_join(base: &Path, relative: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(relative);
    let plain = path.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    ensure!(plain && !relative.is_empty(), "{relative}: an entry outside the backup's directory");
    Ok(base.join(path))
}

/// Every file under `dir`, named `prefix/…`, in a stable order.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> anyhow::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(&entry.path(), &name, out)?;
        } else if kind.is_file() {
            out.push((name, entry.path()));
        }
    }
    Ok(())
}

fn digest_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    copy_hashing(&mut file, &mut std::io::sink())
}

/// Copies `from` into `to`, answering the size and SHA-256 of what passed.
fn copy_hashing(from: &mut impl Read, to: &mut impl Write) -> anyhow::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let read = from.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        to.write_all(&buffer[..read])?;
        size += read as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// The `-wal` and `-shm` files a closed SQLite copy may leave beside it (empty once closed).
fn remove_sidecars(db: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use liaison_store::{Ctx, fixture};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("liaison-backup-test-{name}-{}", liaison_core::token::random_hex(4)));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    /// Items acknowledged while a backup is taken: every one acknowledged before it began is in the
    /// restored copy, the audit chain verifies, the attachment opens with its bytes; a damaged or
    /// altered archive and an occupied directory are refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_under_concurrent_intake_restores_everything_acknowledged_before_it() {
        let data = temp("data");
        let db = Db::open(&format!("sqlite://{}", data.join(DATABASE).display()), 2).await.expect("open");
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).single().expect("instant");
        let f = fixture::build(&db, start).await.expect("fixture");
        let ctx = Ctx { actor_id: Some(f.user("e1a")), ..Ctx::system(start) };
        let due =
            liaison_core::sla::default_policy(liaison_core::item::Kind::Need, liaison_core::item::Priority::Normal)
                .deadlines(&liaison_core::calendar::Calendar::official(), start);
        let first = db.create_item(&ctx, &fixture::need(f.e1), &due, false).await.expect("item").id;
        let bytes = b"%PDF-1.7 backup fixture".to_vec();
        std::fs::create_dir_all(data.join("uploads/ab")).expect("uploads");
        std::fs::write(data.join("uploads/ab/abcdef"), &bytes).expect("file");
        let file = liaison_store::attachments::NewAttachment {
            file_name: "材料.pdf".into(),
            content_type: "application/pdf".into(),
            size: bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&bytes)),
            storage_name: "ab/abcdef".into(),
            status: "clean",
        };
        let attachment_id = db.add_attachment(&ctx, first, &file).await.expect("attachment");

        let running = Arc::new(AtomicBool::new(true));
        let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (db, ctx, due, running, acknowledged) =
                    (db.clone(), ctx.clone(), due, running.clone(), acknowledged.clone());
                let need = fixture::need(f.e1);
                tokio::spawn(async move {
                    while running.load(Ordering::Relaxed) {
                        let id = db.create_item(&ctx, &need, &due, false).await.expect("intake").id;
                        acknowledged.lock().expect("lock").push(id);
                    }
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let before: Vec<i64> = acknowledged.lock().expect("lock").clone();
        let archive = temp("archives").join("liaison.tar");
        let manifest = backup(&db, &data, &archive).await.expect("backup");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        running.store(false, Ordering::Relaxed);
        for writer in writers {
            writer.await.expect("writer");
        }
        let after = acknowledged.lock().expect("lock").len();
        assert!(before.len() >= 10 && after > before.len(), "intake ran throughout ({} → {after})", before.len());
        assert!(manifest.files.iter().any(|f| f.path == "uploads/ab/abcdef"));

        let restored_dir = temp("restored").join("data");
        let restored = restore(&archive, &restored_dir).await.expect("restore");
        assert_eq!(restored, manifest);
        let copy =
            Db::open(&format!("sqlite://{}", restored_dir.join(DATABASE).display()), 1).await.expect("open copy");
        for id in before.iter().chain([&first]) {
            copy.item(*id).await.unwrap_or_else(|e| panic!("item {id} acknowledged before the backup: {e}"));
        }
        assert!(copy.verify_audit_chain().await.expect("verify").is_ok(), "the audit chain verifies");
        let attachment = copy.attachment(first, attachment_id).await.expect("attachment row");
        let stored = std::fs::read(restored_dir.join("uploads").join(&attachment.storage_name)).expect("file opens");
        assert_eq!(stored, bytes);
        copy.close().await;

        let refused = restore(&archive, &restored_dir).await.expect_err("an occupied directory");
        assert!(refused.to_string().contains("already holds a database"), "{refused}");
        let mut damaged = std::fs::read(&archive).expect("archive");
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0x5a;
        let altered = archive.with_file_name("altered.tar");
        std::fs::write(&altered, &damaged).expect("write");
        let target = temp("refused").join("data");
        let refused = restore(&altered, &target).await.expect_err("a damaged archive");
        assert!(!target.join(DATABASE).exists(), "nothing is left behind: {refused}");
        let not_ours = archive.with_file_name("other.tar");
        std::fs::write(&not_ours, b"not a tar file at all").expect("write");
        assert!(restore(&not_ours, &temp("other").join("data")).await.is_err());
        db.close().await;
    }

    #[test]
    fn archive_paths_stay_inside_the_directory() {
        let base = Path::new("/tmp/x");
        assert!(safe_join(base, "uploads/ab/cd").is_ok());
        for bad in ["../etc/passwd", "/etc/passwd", "uploads/../../x", ""] {
            assert!(safe_join(base, bad).is_err(), "{bad}");
        }
    }
}
