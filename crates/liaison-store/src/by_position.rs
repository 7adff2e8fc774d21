//! Rows read by position through either driver: one mapping per row type serves sqlx's rows
//! (PostgreSQL) and rusqlite's (SQLite lists, `list_reader`).

use chrono::{DateTime, Utc};
use rusqlite::types::Type as SqliteType;
use sqlx::{ColumnIndex, Decode, Row, Type};

/// A row read by position: sqlx's (PostgreSQL lists, the duplicate hint's candidates) or rusqlite's
/// (SQLite lists, `list_reader`).
pub(crate) trait Positional {
    /// The reader's error.
    type Error;
    fn int(&self, index: usize) -> Result<i64, Self::Error>;
    fn opt_int(&self, index: usize) -> Result<Option<i64>, Self::Error>;
    fn text(&self, index: usize) -> Result<String, Self::Error>;
    fn opt_text(&self, index: usize) -> Result<Option<String>, Self::Error>;
    fn opt_float(&self, index: usize) -> Result<Option<f64>, Self::Error>;
    fn time(&self, index: usize) -> Result<DateTime<Utc>, Self::Error>;
    fn opt_time(&self, index: usize) -> Result<Option<DateTime<Utc>>, Self::Error>;
    /// The code at `index` parsed with `parse`; an unknown code is an error naming the column.
    fn code<T>(&self, index: usize, parse: fn(&str) -> Option<T>) -> Result<T, Self::Error>;
}

/// A row type read by position (the order of its SELECT list).
pub(crate) trait ReadByPosition: Sized + Send + 'static {
    /// Reads one row.
    fn read<R: Positional>(row: &R) -> Result<Self, R::Error>;
}

/// A sqlx row read by position.
pub(crate) struct SqlxRow<'r, R>(pub(crate) &'r R);

impl<'r, R: Row> Positional for SqlxRow<'r, R>
where
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    &'r str: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<f64>: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    type Error = sqlx::Error;
    fn int(&self, index: usize) -> Result<i64, sqlx::Error> {
        self.0.try_get(index)
    }
    fn opt_int(&self, index: usize) -> Result<Option<i64>, sqlx::Error> {
        self.0.try_get(index)
    }
    fn text(&self, index: usize) -> Result<String, sqlx::Error> {
        self.0.try_get(index)
    }
    fn opt_text(&self, index: usize) -> Result<Option<String>, sqlx::Error> {
        self.0.try_get(index)
    }
    fn opt_float(&self, index: usize) -> Result<Option<f64>, sqlx::Error> {
        self.0.try_get(index)
    }
    fn time(&self, index: usize) -> Result<DateTime<Utc>, sqlx::Error> {
        self.0.try_get(index)
    }
    fn opt_time(&self, index: usize) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        self.0.try_get(index)
    }
    fn code<T>(&self, index: usize, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
        let row: &'r R = self.0;
        let code: &'r str = row.try_get(index)?;
        parse(code).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: index.to_string(),
            source: format!("unknown code {code:?}").into(),
        })
    }
}

impl Positional for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn int(&self, index: usize) -> rusqlite::Result<i64> {
        self.get(index)
    }
    fn opt_int(&self, index: usize) -> rusqlite::Result<Option<i64>> {
        self.get(index)
    }
    fn text(&self, index: usize) -> rusqlite::Result<String> {
        self.get(index)
    }
    fn opt_text(&self, index: usize) -> rusqlite::Result<Option<String>> {
        self.get(index)
    }
    fn opt_float(&self, index: usize) -> rusqlite::Result<Option<f64>> {
        self.get(index)
    }
    fn time(&self, index: usize) -> rusqlite::Result<DateTime<Utc>> {
        self.get(index)
    }
    fn opt_time(&self, index: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
        self.get(index)
    }
    fn code<T>(&self, index: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
        let failure =
            |reason: String| rusqlite::Error::FromSqlConversionFailure(index, SqliteType::Text, reason.into());
        let code = self.get_ref(index)?.as_str().map_err(|e| failure(e.to_string()))?;
        parse(code).ok_or_else(|| failure(format!("column {index}: unknown code {code:?}")))
    }
}
