//! Fresh databases per test on each available backend.

use chrono::{DateTime, TimeZone, Utc};
use liaison_store::Db;
use rand::RngCore;

/// A fixed instant tests start from.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).single().expect("valid instant")
}

fn random_name() -> String {
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A fresh SQLite database in a new temporary directory.
pub async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join(format!("liaison-test-{}", random_name()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("liaison.db").display());
    Db::open(&url, 4).await.expect("open sqlite")
}

/// A fresh PostgreSQL database, or `None` when no test server is configured.
/// With `LIAISON_REQUIRE_POSTGRES=1` a missing server fails the test instead.
pub async fn postgres() -> Option<Db> {
    let Ok(admin_url) = std::env::var("LIAISON_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("LIAISON_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "LIAISON_REQUIRE_POSTGRES=1 but LIAISON_TEST_DATABASE_URL is not set (run ./scripts/test)"
        );
        return None;
    };
    let name = format!("t_{}", random_name());
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect to the test PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.expect("create database");
    admin.close().await;
    let url = format!("{}/{name}", admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base));
    Some(Db::open(&url, 4).await.expect("open postgres"))
}

/// Every backend available here, each on a fresh database.
pub async fn backends() -> Vec<Db> {
    let mut all = vec![sqlite().await];
    all.extend(postgres().await);
    all
}
