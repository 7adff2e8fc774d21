//! The audit log is written with each change, chained, append-only, and tampering is found.

use crate::harness::{backends, sqlite, t0};
use liaison_store::{Backend, Paging, fixture};

#[tokio::test]
async fn every_change_is_audited_and_the_chain_verifies() {
    for db in backends().await {
        fixture::build(&db, t0()).await.expect("fixture");
        let page = db.audit_page("enterprise.", Paging::new(None, None)).await.expect("audit");
        assert_eq!(page.total, 2, "{}: two enterprises created", db.kind());
        let count = db.verify_audit_chain().await.expect("verify").expect("intact");
        assert!(count > 20, "{count}");
    }
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    for db in backends().await {
        fixture::build(&db, t0()).await.expect("fixture");
        let (update, delete) = match db.backend() {
            Backend::Sqlite { writer, .. } => (
                sqlx::query("UPDATE audit_log SET detail = 'x'").execute(writer).await.map(|_| ()),
                sqlx::query("DELETE FROM audit_log").execute(writer).await.map(|_| ()),
            ),
            Backend::Postgres(pool) => (
                sqlx::query("UPDATE audit_log SET detail = 'x'").execute(pool).await.map(|_| ()),
                sqlx::query("DELETE FROM audit_log").execute(pool).await.map(|_| ()),
            ),
        };
        assert!(update.expect_err("update refused").to_string().contains("append-only"));
        assert!(delete.expect_err("delete refused").to_string().contains("append-only"));
    }
}

#[tokio::test]
async fn tampering_behind_the_triggers_is_found_at_the_first_broken_link() {
    let db = sqlite().await;
    fixture::build(&db, t0()).await.expect("fixture");
    let Backend::Sqlite { writer, .. } = db.backend() else { unreachable!("sqlite") };
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(writer).await.expect("drop trigger");
    sqlx::query("UPDATE audit_log SET detail = 'forged' WHERE id = 5").execute(writer).await.expect("tamper");
    let broken = db.verify_audit_chain().await.expect("verify").expect_err("broken");
    assert_eq!(broken.id, 5);

    let db = sqlite().await;
    fixture::build(&db, t0()).await.expect("fixture");
    let Backend::Sqlite { writer, .. } = db.backend() else { unreachable!("sqlite") };
    sqlx::query("DROP TRIGGER audit_log_no_delete").execute(writer).await.expect("drop trigger");
    sqlx::query("DELETE FROM audit_log WHERE id = 7").execute(writer).await.expect("delete");
    assert_eq!(db.verify_audit_chain().await.expect("verify").expect_err("gap").id, 8);
}
