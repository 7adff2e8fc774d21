//! SQLite list reads through rusqlite on blocking threads. sqlx's SQLite driver copies every value of a
//! row out of its statement on the connection's own thread and frees it on the reader's: a worklist page
//! (51 rows of 21 columns) cost ~410 µs that way in a loop over the same statement, ~165 µs reading the
//! values in place. The query text is written once for both drivers ([`ListSql`]) and the rows are read
//! by position (`by_position`), so a list has one SQL builder and one row mapping.

use crate::by_position::{ReadRows, SqlxRow};
use crate::error::{StoreError, StoreResult};
use crate::{Backend, Db};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value as SqliteValue;
use rusqlite::{Connection, OpenFlags};
use sqlx::{Postgres, QueryBuilder};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Read-only connections, each used by one blocking task at a time.
pub struct ListReader {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl std::fmt::Debug for ListReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListReader").field("permits", &self.permits.available_permits()).finish_non_exhaustive()
    }
}

impl ListReader {
    /// Opens `count` read-only connections to the database file at `path`. They do not map the file (sqlx's
    /// readers do): each mapping counts its touched pages as resident again, RSS after the benchmark 140–152
    /// → 126–133 MiB, with the same worklist rate.
    pub(crate) fn open(path: &Path, count: usize) -> StoreResult<Self> {
        let connections = (0..count.max(1))
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(conn)
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ListReader { permits: Semaphore::new(connections.len()), idle: Mutex::new(connections) })
    }

    /// Runs `read` on a free connection on a blocking thread.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn run<T, F>(self: &Arc<Self>, read: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let _permit =
            self.permits.acquire().await.map_err(|_| StoreError::Unavailable("the database is closed".into()))?;
        let reader = Arc::clone(self);
        let task = tokio::task::spawn_blocking(move || {
            let conn = reader.take().ok_or_else(|| StoreError::Unavailable("no free list connection".into()))?;
            let result = read(&conn);
            reader.idle().push(conn);
            Ok::<_, StoreError>(result?)
        });
        task.await.map_err(|e| StoreError::Unavailable(format!("a list read stopped: {e}")))?
    }

    /// Closes the connections: no read is answered afterwards.
    pub(crate) fn close(&self) {
        self.permits.close();
        self.idle().clear();
    }

    fn take(&self) -> Option<Connection> {
        self.idle().pop()
    }

    /// The free connections (a panic while the list was held leaves it whole: it is only pushed and popped).
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Where a list's SQL is written: its text and the values bound in order — sqlx's builder on
/// PostgreSQL, [`SqliteList`] for rusqlite on SQLite.
pub(crate) trait ListSql {
    /// Whether the officer's two walks are limited to the page before the joins (see `item_list`).
    const PAGE_FIRST: bool;
    /// Appends SQL text.
    fn sql(&mut self, text: &str);
    /// Appends a placeholder bound to an integer.
    fn int(&mut self, value: i64);
    /// Appends a placeholder bound to a text.
    fn text(&mut self, value: &str);
    /// Appends a placeholder bound to an instant.
    fn time(&mut self, value: DateTime<Utc>);
}

impl ListSql for QueryBuilder<Postgres> {
    const PAGE_FIRST: bool = true;
    fn sql(&mut self, text: &str) {
        self.push(text);
    }
    fn int(&mut self, value: i64) {
        self.push_bind(value);
    }
    fn text(&mut self, value: &str) {
        self.push_bind(value.to_owned());
    }
    fn time(&mut self, value: DateTime<Utc>) {
        self.push_bind(value);
    }
}

/// A list's SQL for rusqlite: `?` placeholders and their values.
#[derive(Debug, Default)]
pub(crate) struct SqliteList {
    sql: String,
    values: Vec<SqliteValue>,
}

impl ListSql for SqliteList {
    const PAGE_FIRST: bool = false;
    fn sql(&mut self, text: &str) {
        self.sql.push_str(text);
    }
    fn int(&mut self, value: i64) {
        self.sql.push('?');
        self.values.push(SqliteValue::Integer(value));
    }
    fn text(&mut self, value: &str) {
        self.sql.push('?');
        self.values.push(SqliteValue::Text(value.to_owned()));
    }
    /// The text sqlx stores an instant as (RFC 3339), so comparisons see the same strings.
    fn time(&mut self, value: DateTime<Utc>) {
        self.sql.push('?');
        self.values.push(SqliteValue::Text(value.to_rfc3339_opts(SecondsFormat::AutoSi, false)));
    }
}

/// A list query: writes its SQL into either driver's builder.
pub(crate) trait ListQuery {
    /// Appends the whole statement.
    fn write(&self, sql: &mut impl ListSql);
}

impl Db {
    /// The rows of `query` read into `T` (a list, or a value spread over rows): through rusqlite on
    /// SQLite, sqlx on PostgreSQL.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn list_rows<T: ReadRows>(&self, query: &impl ListQuery) -> StoreResult<T> {
        let mut read = T::default();
        match self.backend() {
            Backend::Sqlite { lists, .. } => {
                let mut sql = SqliteList::default();
                query.write(&mut sql);
                lists
                    .run(move |conn| {
                        let mut statement = conn.prepare_cached(&sql.sql)?;
                        let mut rows = statement.query(rusqlite::params_from_iter(sql.values))?;
                        while let Some(row) = rows.next()? {
                            read.read_row(row)?;
                        }
                        Ok(read)
                    })
                    .await
            }
            Backend::Postgres(pool) => {
                let mut sql = QueryBuilder::new("");
                query.write(&mut sql);
                for row in sql.build().fetch_all(pool).await? {
                    read.read_row(&SqlxRow(&row))?;
                }
                Ok(read)
            }
        }
    }
}
