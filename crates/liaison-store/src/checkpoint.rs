//! The SQLite checkpointer: copies the write-ahead log into the database file from a connection of its
//! own, so the single writer's commits never stop for it (SQLite's automatic checkpoint runs inside the
//! commit that crosses 1,000 pages, fsync of the database file included, and so held up every intake
//! batch behind it); restarts a long log under sustained writes, and truncates it in a quiet moment
//! (SECURITY.md §5.2: the log neither grows nor keeps old page images once writes pause).

use sqlx::SqlitePool;
use std::sync::Weak;
use std::time::Duration;

/// How long a checkpoint waits for a lock before trying again at the next tick: a truncation waits for
/// readers with the writer held off, which must stay short.
pub(crate) const BUSY: Duration = Duration::from_millis(50);

/// How long the writer waits for a lock in its own statements.
pub(crate) const WRITER_BUSY: Duration = Duration::from_secs(5);

/// When the log is checkpointed, and how long it may grow under writes that never pause.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    /// How often the log is checkpointed.
    pub(crate) every: Duration,
    /// A log of more frames than this is restarted.
    pub(crate) restart_frames: i64,
}

impl Schedule {
    /// Every 250 ms; restarted beyond 64 MiB of 4 KiB pages.
    pub(crate) const SERVER: Schedule = Schedule { every: Duration::from_millis(250), restart_frames: 16_384 };
}

/// Checkpoints on `schedule` while `alive` has a holder (the `Db` handles) and `checkpointer` is open.
/// A log longer than the schedule allows is restarted ([`restart`]); one that is wholly copied and did
/// not grow since the last tick is truncated.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn run<T>(checkpointer: SqlitePool, writer: SqlitePool, alive: Weak<T>, schedule: Schedule) {
    let mut tick = tokio::time::interval(schedule.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_frames = 0;
    while alive.strong_count() > 0 && !checkpointer.is_closed() {
        tick.tick().await;
        match checkpoint(&checkpointer, Mode::Passive).await {
            Ok(Some((frames, _))) if frames > schedule.restart_frames => {
                if restart(&writer, frames).await {
                    last_frames = 0;
                }
            }
            Ok(Some((frames, copied))) => {
                let quiet = frames > 0 && copied == frames && frames == last_frames;
                last_frames = frames;
                if quiet {
                    match checkpoint(&checkpointer, Mode::Truncate).await {
                        Ok(Some(_)) => last_frames = 0,
                        Ok(None) => {}
                        Err(error) => tracing::warn!(%error, "truncating the write-ahead log failed"),
                    }
                }
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "checkpoint failed"),
        }
    }
}

/// Restarts the log of `frames` frames from its first frame; whether it did. SQLite appends to the log
/// until a writer begins with every frame copied and no reader inside the log, and under sustained writes
/// that moment never comes: eight seconds of intake grew it to 1.1 GiB (~130 MiB/s). A RESTART
/// checkpoint copies what the passive pass left and waits for readers to leave the log, writers held
/// off. It runs on the writer's own connection, so it takes its turn between two transactions instead of
/// racing the writer for the lock, and waits at most [`BUSY`] for readers (else it is tried again at the
/// next tick). The next commit writes from the log's start, over the file's old frames: the
/// `journal_size_limit` (128 MiB) lies above where the log restarts, since cutting the file back at each
/// restart put a truncation and the file's growth again into the commits (intake p99 49 ms restarting at
/// 128 MiB with a 64 MiB limit, 150–177 ms at 512 MiB). The quiet moment's truncation still empties it.
/// Measured at full intake: a restart every ~0.5 s, 6–23 ms from asking for the writer to done; intake
/// p99 22–25 ms (17–19 without), the same rate; the log stayed under ~95 MiB.
#[tracing::instrument(level = "debug", skip_all)]
async fn restart(writer: &SqlitePool, frames: i64) -> bool {
    let started = std::time::Instant::now();
    let restarted = async {
        let mut conn = writer.acquire().await?;
        let set_busy = |timeout: Duration| format!("PRAGMA busy_timeout = {}", timeout.as_millis());
        sqlx::query(sqlx::AssertSqlSafe(set_busy(BUSY))).execute(&mut *conn).await?;
        let restarted = checkpoint(&mut *conn, Mode::Restart).await;
        if let Err(error) = sqlx::query(sqlx::AssertSqlSafe(set_busy(WRITER_BUSY))).execute(&mut *conn).await {
            // A writer left with the short wait could fail a commit: the pool opens a fresh one instead.
            conn.close_on_drop();
            return Err(error);
        }
        restarted
    };
    match restarted.await {
        Ok(restarted) => {
            let took_ms = started.elapsed().as_secs_f64() * 1000.0;
            tracing::debug!(frames, restarted = restarted.is_some(), took_ms, "write-ahead log restart");
            restarted.is_some()
        }
        Err(error) => {
            tracing::warn!(%error, "restarting the write-ahead log failed");
            false
        }
    }
}

/// A checkpoint's mode.
#[derive(Clone, Copy)]
enum Mode {
    /// Copies what it can without waiting for anyone.
    Passive,
    /// Copies everything and waits for readers to leave the log, so the next writer starts it over.
    Restart,
    /// Copies everything, then empties the log file.
    Truncate,
}

/// Runs `PRAGMA wal_checkpoint(mode)`: the frames in the log and how many of them are in the database
/// file now, or `None` when a lock was busy (tried again at the next tick).
#[tracing::instrument(level = "debug", skip_all)]
async fn checkpoint<'c>(conn: impl sqlx::SqliteExecutor<'c>, mode: Mode) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let sql = match mode {
        Mode::Passive => "PRAGMA wal_checkpoint(PASSIVE)",
        Mode::Restart => "PRAGMA wal_checkpoint(RESTART)",
        Mode::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    let (busy, frames, copied): (i64, i64, i64) = sqlx::query_as(sql).fetch_one(conn).await?;
    Ok((busy == 0).then_some((frames, copied)))
}

#[cfg(test)]
mod tests {
    use super::{Schedule, run};
    use crate::{Backend, Db};
    use std::time::Duration;

    /// Writes that never pause leave no quiet moment to truncate in: the log is restarted instead, and
    /// stays near its limit rather than growing by everything written. A second checkpointer with a
    /// 4 MiB limit, every 50 ms, makes the scale small: 128 MiB written in commits of 256 KiB.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_log_under_sustained_writes_is_restarted_instead_of_growing() {
        let dir = std::env::temp_dir().join(format!("liaison-restart-{}", liaison_core::token::random_hex(8)));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = Db::open(&format!("sqlite://{}", dir.join("liaison.db").display()), 1).await.expect("open");
        let Backend::Sqlite { writer, checkpointer, .. } = db.backend() else { unreachable!("a sqlite url") };
        let alive = std::sync::Arc::new(());
        let schedule = Schedule { every: Duration::from_millis(50), restart_frames: 1_024 };
        tokio::spawn(run(checkpointer.clone(), writer.clone(), std::sync::Arc::downgrade(&alive), schedule));
        sqlx::query("CREATE TABLE scratch (b BLOB)").execute(writer).await.expect("table");
        let wal = dir.join("liaison.db-wal");
        let mut largest = 0;
        for _ in 0..512 {
            let mut tx = writer.begin().await.expect("begin");
            sqlx::query("DELETE FROM scratch").execute(&mut *tx).await.expect("delete");
            sqlx::query("INSERT INTO scratch VALUES (zeroblob(262144))").execute(&mut *tx).await.expect("insert");
            tx.commit().await.expect("commit");
            largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        }
        drop(alive);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert!(largest < 48 << 20, "the log grew to {} MiB", largest >> 20);
    }
}
