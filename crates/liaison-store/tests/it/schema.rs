//! Migrations stay mirrored, and SQLite connections run the durability PRAGMAs.

use crate::harness;

fn versions(dir: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
    let mut names: Vec<String> = std::fs::read_dir(path)
        .expect("migrations folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions() {
    let sqlite = versions("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, versions("postgres"));
}

#[tokio::test]
async fn every_sqlite_connection_is_durable() {
    let db = harness::sqlite().await;
    let pragmas = db.sqlite_pragmas().await.expect("pragmas").expect("sqlite");
    assert_eq!(pragmas.len(), 2, "writer and reader");
    for (journal, synchronous, foreign_keys, busy_timeout, secure_delete) in pragmas {
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "synchronous=FULL");
        assert_eq!(foreign_keys, 1);
        assert!(busy_timeout >= 5000);
        assert_eq!(secure_delete, 1);
    }
}

#[tokio::test]
async fn the_write_ahead_log_is_copied_and_emptied_once_writes_pause() {
    let dir = std::env::temp_dir().join(format!("liaison-wal-{}", liaison_core::token::random_hex(8)));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = liaison_store::Db::open(&format!("sqlite://{}", dir.join("liaison.db").display()), 2).await.expect("open");
    liaison_store::fixture::build(&db, harness::t0()).await.expect("fixture: a few hundred pages written");
    let wal = dir.join("liaison.db-wal");
    let started = std::time::Instant::now();
    while std::fs::metadata(&wal).map_or(1, |m| m.len()) > 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "the log was never emptied");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(db.user_by_username("o1").await.expect("read").is_some(), "what was written is in the database file");
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unknown_scheme_is_a_clear_error() {
    let error = liaison_store::Db::open("mysql://localhost/x", 1).await.expect_err("refused");
    assert!(error.to_string().contains("sqlite:// or postgres://"), "{error}");
}

#[tokio::test]
async fn every_backend_answers_the_health_check() {
    for db in crate::harness::backends().await {
        assert!(db.ping().await, "{}", db.kind());
    }
}
