//! SQLite list reads through rusqlite on blocking threads. sqlx's SQLite driver copies every value of a
//! row out of its statement on the connection's own thread and frees it on the reader's: a worklist page
//! (51 rows of 21 columns) cost ~410 µs that way in a loop over the same statement, ~165 µs reading the
//! values in place.

use crate::error::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
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
    /// Opens `count` read-only connections to the database file at `path`, mapped like sqlx's readers.
    pub(crate) fn open(path: &Path, count: usize) -> StoreResult<Self> {
        let connections = (0..count.max(1))
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.pragma_update(None, "mmap_size", 268_435_456)?;
                Ok(conn)
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ListReader { permits: Semaphore::new(connections.len()), idle: Mutex::new(connections) })
    }

    /// Runs `read` on a free connection on a blocking thread.
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
            reader.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(conn);
            Ok::<_, StoreError>(result?)
        });
        task.await.map_err(|e| StoreError::Unavailable(format!("a list read stopped: {e}")))?
    }

    /// Closes the connections: no read is answered afterwards.
    pub(crate) fn close(&self) {
        self.permits.close();
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    fn take(&self) -> Option<Connection> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop()
    }
}
