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
