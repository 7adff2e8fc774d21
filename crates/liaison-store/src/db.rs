//! Opening the database named by a URL: SQLite with one writer connection and a read pool, or PostgreSQL.

use crate::error::{StoreError, StoreResult};
use crate::list_reader::ListReader;
use crate::session_cache::SessionCache;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A PostgreSQL connection idle for longer than this is pinged before it is handed out.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The live pools of one backend.
#[derive(Debug, Clone)]
pub enum Backend {
    /// SQLite: exactly one writer connection (no `SQLITE_BUSY`, natural group commit) and a read pool.
    Sqlite {
        /// The single writer.
        writer: SqlitePool,
        /// Read-only connections.
        reader: SqlitePool,
        /// The connection that checkpoints the write-ahead log (`checkpoint`).
        checkpointer: SqlitePool,
        /// Read-only rusqlite connections for item lists (`list_reader`).
        lists: Arc<ListReader>,
    },
    /// PostgreSQL: one pool for reads and writes.
    Postgres(PgPool),
}

/// `(journal_mode, synchronous, foreign_keys, busy_timeout, secure_delete)` of one SQLite connection.
pub type Pragmas = (String, i64, i64, i64, i64);

/// A resolved session: the stored session with its user and roles.
pub(crate) type Resolved = (crate::sessions::SessionRow, crate::users::User);

/// A handle to the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
    /// The queue of the intake writer (absent in the writer's own handle).
    intake: Option<tokio::sync::mpsc::Sender<crate::item_intake::Intake>>,
    /// Sessions resolved lately, emptied by every commit.
    sessions: Arc<SessionCache<Resolved>>,
}

/// An open writing transaction (`BEGIN IMMEDIATE` on SQLite).
pub struct Tx {
    pub(crate) conn: TxConn,
    sessions: Arc<SessionCache<Resolved>>,
}

/// The connection of a [`Tx`], per backend.
pub(crate) enum TxConn {
    /// SQLite transaction on the writer connection.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Commits; the caller acknowledges only after this returns. Sessions resolved before are read again.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn commit(self) -> StoreResult<()> {
        let sessions = Arc::clone(&self.sessions);
        self.commit_keeping_sessions().await?;
        sessions.committed();
        Ok(())
    }

    /// Commits and leaves resolved sessions cached: only for a transaction that wrote nothing a resolved
    /// session holds (session, user, roles, unit) — the intake writer's, which writes new items and what
    /// comes with them. Under a burst of submissions the plain commit sent every signed-in user back to
    /// the database once per batch.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn commit_keeping_sessions(self) -> StoreResult<()> {
        match self.conn {
            TxConn::Sqlite(tx) => tx.commit().await?,
            TxConn::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Db {
    /// Opens `url` (`sqlite://path` or `postgres://…`) and applies pending migrations.
    #[tracing::instrument(skip_all)]
    pub async fn open(url: &str, read_connections: u32) -> StoreResult<Self> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?.options([
                ("statement_timeout", "30s"),
                ("lock_timeout", "10s"),
                ("idle_in_transaction_session_timeout", "60s"),
            ]);
            // sqlx pings a connection on its way back to the pool and, by default, again on its way out:
            // a second round trip per query. A connection back within the last second was just tested
            // on release, so only one idle for longer is pinged before use (HikariCP's bypass window).
            let pool = PgPoolOptions::new()
                .max_connections(read_connections.max(2) * 2)
                .acquire_timeout(Duration::from_secs(10))
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PING_IF_IDLE_FOR {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(options)
                .await?;
            Backend::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(crate::checkpoint::WRITER_BUSY)
                .pragma("secure_delete", "ON")
                // Above where the checkpointer restarts the log (64 MiB): see `checkpoint::restart`.
                .pragma("journal_size_limit", "134217728");
            // The writer leaves checkpoints to the checkpointer (`checkpoint`).
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
                .await?;
            let checkpointer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone().busy_timeout(crate::checkpoint::BUSY))
                .await?;
            // A read answers up to 1,001 rows (Open311's default list); with sqlx's default channel of 50
            // the connection's thread stopped at every fiftieth row until the reader caught up. Readers map
            // up to 256 MiB of the file instead of copying pages into each connection's cache (worklist +7 %
            // in an interleaved A/B; the pages are the OS's cache, shared, so RSS did not grow). The known
            // price: an I/O error on a mapped page is a signal, not an error code.
            let reader = SqlitePoolOptions::new()
                .max_connections(read_connections.max(1))
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(
                    options.clone().pragma("query_only", "ON").pragma("mmap_size", "268435456").row_buffer_size(1024),
                )
                .await?;
            let lists = Arc::new(ListReader::open(options.get_filename(), read_connections as usize)?);
            Backend::Sqlite { writer, reader, checkpointer, lists }
        } else {
            return Err(StoreError::Unsupported("unsupported database_url scheme (use sqlite:// or postgres://)"));
        };
        // The intake writer holds a handle without a queue, so it stops when the last `Db` is dropped.
        let (queue, requests) = tokio::sync::mpsc::channel(1024);
        let sessions = Arc::new(SessionCache::default());
        let db = Db { backend: backend.clone(), intake: Some(queue), sessions: sessions.clone() };
        db.migrate().await?;
        let writer = crate::item_intake::intake_writer(
            Db { backend: backend.clone(), intake: None, sessions: sessions.clone() },
            requests,
        );
        // On SQLite the intake writer gets a thread and a runtime of its own: on the shared runtime each of
        // a batch's statement hand-offs to sqlx's connection thread waited behind the HTTP tasks, and the
        // single writer's batches came further apart (intake +12 % in an interleaved A/B). SQLite's
        // connections live on their own threads, so a pool may be used from both runtimes.
        if let Backend::Sqlite { checkpointer, writer: sqlite_writer, .. } = &backend {
            let schedule = crate::checkpoint::Schedule::SERVER;
            let alive = Arc::downgrade(&sessions);
            tokio::spawn(crate::checkpoint::run(checkpointer.clone(), sqlite_writer.clone(), alive, schedule));
            std::thread::Builder::new()
                .name("liaison-intake".into())
                .spawn(move || match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime.block_on(writer),
                    Err(error) => tracing::error!(%error, "the intake writer's runtime did not start"),
                })
                .map_err(|e| StoreError::Unavailable(format!("starting the intake writer: {e}")))?;
        } else {
            tokio::spawn(writer);
        }
        Ok(db)
    }

    /// The newest migration this build knows (both folders keep the same versions).
    pub fn known_schema_version() -> i64 {
        SQLITE_MIGRATIONS.iter().map(|m| m.version).max().unwrap_or_default()
    }

    /// Applies pending migrations of the live backend.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.backend {
            Backend::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// The queue of the intake writer (absent in the writer's own handle).
    pub(crate) fn intake(&self) -> Option<&tokio::sync::mpsc::Sender<crate::item_intake::Intake>> {
        self.intake.as_ref()
    }

    /// Sessions resolved lately.
    pub(crate) fn session_cache(&self) -> &SessionCache<Resolved> {
        &self.sessions
    }

    /// The live backend, for the dispatch macros.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Begins a writing transaction: `BEGIN IMMEDIATE` on the SQLite writer, `BEGIN` on PostgreSQL.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn begin(&self) -> StoreResult<Tx> {
        let conn = match &self.backend {
            Backend::Sqlite { writer, .. } => TxConn::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx { conn, sessions: self.sessions.clone() })
    }

    /// Reads the SQLite PRAGMAs that durability depends on from one writer and one reader connection,
    /// as `(journal_mode, synchronous, foreign_keys, busy_timeout, secure_delete)`; `None` on PostgreSQL.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn sqlite_pragmas(&self) -> StoreResult<Option<Vec<Pragmas>>> {
        let Backend::Sqlite { writer, reader, .. } = &self.backend else {
            return Ok(None);
        };
        let mut all = Vec::new();
        for pool in [writer, reader] {
            let mut conn = pool.acquire().await?;
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await?;
            let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await?;
            let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await?;
            let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await?;
            let secure: i64 = sqlx::query_scalar("PRAGMA secure_delete").fetch_one(&mut *conn).await?;
            all.push((mode, sync, fk, busy, secure));
        }
        Ok(Some(all))
    }

    /// Whether the database answers (for `/healthz`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn ping(&self) -> bool {
        let result: Result<i64, sqlx::Error> =
            read!(self, |c| sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(c));
        result.is_ok()
    }

    /// Closes every pool (flushes the SQLite WAL on the last connection).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { writer, reader, checkpointer, lists } => {
                lists.close();
                checkpointer.close().await;
                reader.close().await;
                writer.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// Appends `($1, $2, …)` binding `ids` to a query being built, for an `IN` list.
pub(crate) fn push_ids<DB: sqlx::Database>(query: &mut sqlx::QueryBuilder<DB>, ids: &[i64])
where
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query.push("(");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
}
