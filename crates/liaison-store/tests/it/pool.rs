//! The PostgreSQL pool: a connection that died while idle is replaced before a read sees it (the
//! ping before use is kept for connections idle over a second; sqlx already pings each on release).

use crate::harness::postgres;
use liaison_store::Backend;
use std::time::Duration;

#[tokio::test]
async fn a_connection_that_died_while_idle_is_replaced_before_use() {
    let Some(db) = postgres().await else { return };
    let Backend::Postgres(pool) = db.backend() else { unreachable!("postgres() opens PostgreSQL") };
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(pool.acquire().await.expect("connection"));
    }
    drop(held);
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(pool)
    .await
    .expect("terminate the other connections");
    assert!(killed.len() >= 3, "the pool's idle connections were ended: {killed:?}");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let reads = tokio::join!(db.item_count(), db.item_count(), db.item_count(), db.item_count());
    for read in [reads.0, reads.1, reads.2, reads.3] {
        assert_eq!(read.expect("a read after the server ended idle connections"), 0);
    }
}
