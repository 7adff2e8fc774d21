//! Consistent online copies of the SQLite database and the checks a copy must pass before it is used:
//! `VACUUM INTO` reads one snapshot while the writer goes on committing (WAL), and writes a compact file
//! with no log beside it. PostgreSQL is copied with its own tools (`pg_dump`, base backups with WAL
//! archiving for point-in-time recovery), so these refuse there with that advice.

use crate::{Backend, Db, StoreError, StoreResult};
use std::path::Path;

/// What PostgreSQL deployments use instead of `liaison backup` / `liaison restore`.
pub const POSTGRES_ADVICE: &str = "PostgreSQL: back up with pg_dump (or pg_basebackup with WAL archiving for point-in-time recovery) and restore with pg_restore; copy the uploads directory beside it";

impl Db {
    /// Writes a consistent copy of the whole SQLite database to `target` (which must not exist) while
    /// the server keeps writing: everything committed before the copy's read began is in it.
    #[tracing::instrument(skip(self))]
    pub async fn snapshot_into(&self, target: &Path) -> StoreResult<()> {
        let Backend::Sqlite { checkpointer, .. } = self.backend() else {
            return Err(StoreError::Unsupported(POSTGRES_ADVICE));
        };
        let target = target.to_str().ok_or(StoreError::Unsupported("the backup path must be UTF-8"))?;
        // The checkpointer's connection is a plain one (the readers are `query_only`, which refuses
        // VACUUM INTO); the copy is one read transaction, so it never waits for the writer.
        sqlx::query("VACUUM INTO $1").bind(target).execute(checkpointer).await?;
        Ok(())
    }

    /// The newest migration applied to this database.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn schema_version(&self) -> StoreResult<i64> {
        Ok(read!(self, |c| sqlx::query_scalar("SELECT CAST(max(version) AS BIGINT) FROM _sqlx_migrations")
            .fetch_one(c))?)
    }

    /// How many items and audit records the database holds (a backup's manifest names both).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn record_counts(&self) -> StoreResult<(i64, i64)> {
        Ok(read!(self, |c| sqlx::query_as("SELECT (SELECT count(*) FROM item), (SELECT count(*) FROM audit_log)")
            .fetch_one(c))?)
    }

    /// SQLite's `PRAGMA integrity_check` and `foreign_key_check`: `Ok(())` when both are clean, else
    /// the first problems they name. PostgreSQL checks its pages itself; there this is `Ok`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn integrity(&self) -> StoreResult<Result<(), String>> {
        let Backend::Sqlite { checkpointer, .. } = self.backend() else {
            return Ok(Ok(()));
        };
        let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check(20)").fetch_all(checkpointer).await?;
        if problems != ["ok"] {
            return Ok(Err(problems.join("; ")));
        }
        let orphans: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 20").fetch_all(checkpointer).await?;
        if orphans.is_empty() {
            Ok(Ok(()))
        } else {
            Ok(Err(format!(
                "foreign keys broken in {}",
                orphans.into_iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
            )))
        }
    }
}
