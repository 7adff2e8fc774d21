//! The job table: background work enqueued in the same transaction as the change that causes it, and
//! claimed with a lease so several instances never run one job at once (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite has one writer, so the claiming UPDATE is already exclusive).

use crate::{Backend, Db, StoreResult};
use chrono::{DateTime, Duration, Utc};

/// A claimed job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind (`item_timer`, …).
    pub kind: String,
    /// The object it is about.
    pub ref_id: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

impl Db {
    /// Claims up to `limit` jobs due at `now` for `lease`; a job whose lease runs out is claimed again.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_jobs(&self, now: DateTime<Utc>, lease: Duration, limit: i64) -> StoreResult<Vec<Job>> {
        let until = now + lease;
        Ok(match self.backend() {
            // dialect: SQLite — the single writer makes the UPDATE exclusive.
            Backend::Sqlite { writer, .. } => {
                sqlx::query_as(
                    "UPDATE job SET locked_until = $2, attempts = attempts + 1
                     WHERE id IN (SELECT id FROM job WHERE run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)
                                  ORDER BY run_at LIMIT $3)
                     RETURNING id, kind, ref_id, attempts",
                )
                .bind(now)
                .bind(until)
                .bind(limit)
                .fetch_all(writer)
                .await?
            }
            // dialect: PostgreSQL — SKIP LOCKED lets concurrent instances claim disjoint batches.
            Backend::Postgres(pool) => {
                sqlx::query_as(
                    "UPDATE job SET locked_until = $2, attempts = attempts + 1
                     WHERE id IN (SELECT id FROM job WHERE run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)
                                  ORDER BY run_at LIMIT $3 FOR UPDATE SKIP LOCKED)
                     RETURNING id, kind, ref_id, attempts",
                )
                .bind(now)
                .bind(until)
                .bind(limit)
                .fetch_all(pool)
                .await?
            }
        })
    }

    /// Puts a claimed job back for `run_at` (a retry with backoff, or the next instant of a timer), or
    /// deletes it with `None`. Only the holder of the claim (same attempt count) can do so.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reschedule_job(
        &self,
        job: &Job,
        run_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        match run_at {
            Some(at) => exec!(&mut tx, |c| sqlx::query(
                "UPDATE job SET run_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1 AND attempts = $4"
            )
            .bind(job.id)
            .bind(at)
            .bind(error)
            .bind(job.attempts)
            .execute(c))?,
            None => exec!(&mut tx, |c| sqlx::query("DELETE FROM job WHERE id = $1 AND attempts = $2")
                .bind(job.id)
                .bind(job.attempts)
                .execute(c))?,
        };
        tx.commit().await
    }

    /// Every pending job, due or not.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn pending_jobs(&self) -> StoreResult<i64> {
        Ok(read!(self, |c| sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM job").fetch_one(c))?)
    }

    /// Jobs due at `now` that nobody holds — what a test asserts is zero after running the workers.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn due_jobs(&self, now: DateTime<Utc>) -> StoreResult<i64> {
        Ok(read!(self, |c| {
            sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM job WHERE run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)"
        )
        .bind(now)
        .fetch_one(c)
        })?)
    }
}
