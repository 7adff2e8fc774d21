//! The SQLite checkpointer: copies the write-ahead log into the database file from a connection of its
//! own, so the single writer's commits never stop for it (SQLite's automatic checkpoint runs inside the
//! commit that crosses 1,000 pages, fsync of the database file included, and so held up every intake
//! batch behind it), and truncates the log in a quiet moment (SECURITY.md §5.2: the log neither grows
//! nor keeps old page images once writes pause).

use sqlx::SqlitePool;
use std::sync::Weak;
use std::time::Duration;

/// How often the log is checkpointed.
const EVERY: Duration = Duration::from_millis(250);

/// How long a checkpoint waits for a lock before trying again at the next tick: a truncation waits for
/// readers with the writer held off, which must stay short.
pub(crate) const BUSY: Duration = Duration::from_millis(50);

/// Checkpoints every [`EVERY`] while `alive` has a holder (the `Db` handles) and `pool` is open; a
/// log that is wholly copied and did not grow since the last tick is truncated.
pub(crate) async fn run<T>(pool: SqlitePool, alive: Weak<T>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_frames = 0;
    while alive.strong_count() > 0 && !pool.is_closed() {
        tick.tick().await;
        match checkpoint(&pool, Mode::Passive).await {
            Ok(Some((frames, copied))) => {
                let quiet = frames > 0 && copied == frames && frames == last_frames;
                last_frames = frames;
                if quiet {
                    match checkpoint(&pool, Mode::Truncate).await {
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

/// A checkpoint's mode.
#[derive(Clone, Copy)]
enum Mode {
    /// Copies what it can without waiting for anyone.
    Passive,
    /// Copies everything, then empties the log file.
    Truncate,
}

/// Runs `PRAGMA wal_checkpoint(mode)`: the frames in the log and how many of them are in the database
/// file now, or `None` when a lock was busy (tried again at the next tick).
async fn checkpoint(pool: &SqlitePool, mode: Mode) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let sql = match mode {
        Mode::Passive => "PRAGMA wal_checkpoint(PASSIVE)",
        Mode::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    let (busy, frames, copied): (i64, i64, i64) = sqlx::query_as(sql).fetch_one(pool).await?;
    Ok((busy == 0).then_some((frames, copied)))
}
