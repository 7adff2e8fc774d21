//! Store errors: constraint violations mapped to domain meaning, so callers never see `sqlx::Error`.

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist (or is outside the caller's scope).
    #[error("not found")]
    NotFound,
    /// A unique value is already taken; names the field.
    #[error("duplicate value for {0}")]
    Duplicate(&'static str),
    /// The change is not allowed in the object's current state (e.g. retired parent).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Someone changed the object since the caller read it (optimistic concurrency).
    #[error("stale version")]
    Stale,
    /// A rate limit is reached (an enterprise's daily submissions); nothing was written.
    #[error("limit reached")]
    Limit,
    /// The database failed; the details are logged, never shown.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A SQLite list read failed (`list_reader`); the details are logged, never shown.
    #[error("database error: {0}")]
    ListRead(#[from] rusqlite::Error),
    /// The database cannot answer now (closed, or a read task stopped).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A caller broke an invariant of the store (a programming error, never a user's): a server error.
    #[error("store invariant: {0}")]
    Invariant(&'static str),
    /// The live backend does not do this; the text says what to use instead.
    #[error("{0}")]
    Unsupported(&'static str),
    /// A migration failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result alias of the store.
pub type StoreResult<T> = Result<T, StoreError>;

/// The unique columns callers may collide on, matched in PostgreSQL constraint names and SQLite messages.
const UNIQUE_FIELDS: [&str; 5] = ["credit_code", "username", "path", "version", "name"];

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            // The trigger of migration 0007: an administrator duty is held alone.
            sqlx::Error::Database(db) if db.message().contains("admin_duty_alone") => {
                StoreError::Conflict("an administrator duty is held alone (admin_duty_alone)".into())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                let text = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
                UNIQUE_FIELDS
                    .into_iter()
                    .find(|field| text.contains(field))
                    .map_or(StoreError::Database(error), StoreError::Duplicate)
            }
            _ => StoreError::Database(error),
        }
    }
}
