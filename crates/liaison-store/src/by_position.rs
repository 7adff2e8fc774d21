//! Rows read by position through either driver: one mapping per row type serves sqlx's rows
//! (PostgreSQL) and rusqlite's (SQLite lists, `list_reader`).

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSql, Type as SqliteType, ValueRef};
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
    fn flag(&self, index: usize) -> Result<bool, Self::Error>;
    fn opt_flag(&self, index: usize) -> Result<Option<bool>, Self::Error>;
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

/// What a statement's rows are read into, one row after another: a list of one row type, or a value
/// spread over several rows (an item with its timeline).
pub(crate) trait ReadRows: Default + Send + 'static {
    /// Takes the next row.
    fn read_row<R: Positional>(&mut self, row: &R) -> Result<(), R::Error>;
}

impl<T: ReadByPosition> ReadRows for Vec<T> {
    fn read_row<R: Positional>(&mut self, row: &R) -> Result<(), R::Error> {
        self.push(T::read(row)?);
        Ok(())
    }
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
    bool: Decode<'r, R::Database> + Type<R::Database>,
    Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
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
    fn flag(&self, index: usize) -> Result<bool, sqlx::Error> {
        self.0.try_get(index)
    }
    fn opt_flag(&self, index: usize) -> Result<Option<bool>, sqlx::Error> {
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
    fn flag(&self, index: usize) -> rusqlite::Result<bool> {
        self.get(index)
    }
    fn opt_flag(&self, index: usize) -> rusqlite::Result<Option<bool>> {
        self.get(index)
    }
    fn time(&self, index: usize) -> rusqlite::Result<DateTime<Utc>> {
        instant(self.get_ref(index)?, index)
    }
    fn opt_time(&self, index: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
        match self.get_ref(index)? {
            ValueRef::Null => Ok(None),
            value => instant(value, index).map(Some),
        }
    }
    fn code<T>(&self, index: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
        let failure =
            |reason: String| rusqlite::Error::FromSqlConversionFailure(index, SqliteType::Text, reason.into());
        let code = self.get_ref(index)?.as_str().map_err(|e| failure(e.to_string()))?;
        parse(code).ok_or_else(|| failure(format!("column {index}: unknown code {code:?}")))
    }
}

/// An instant as sqlx stores it (RFC 3339 text), parsed directly: rusqlite's own reading goes through
/// chrono's format-driven parser, which walks its pattern for every value (9 % of a worklist request).
/// Any other form is left to rusqlite's reading.
fn instant(value: ValueRef<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    if let ValueRef::Text(bytes) = value
        && let Some(at) = std::str::from_utf8(bytes).ok().and_then(|text| DateTime::parse_from_rfc3339(text).ok())
    {
        return Ok(at.with_timezone(&Utc));
    }
    DateTime::<Utc>::column_result(value)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, value.data_type(), Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::Positional;
    use chrono::{TimeZone, Utc};

    #[test]
    fn instants_are_read_in_every_form_sqlite_holds_them() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory");
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).single().expect("instant");
        let read = conn
            .query_row(
                "SELECT '2026-03-02T01:00:00+00:00', '2026-03-02T09:00:00.250+08:00', '2026-03-02 01:00:00', NULL, 'soon'",
                [],
                |row| Ok((row.time(0)?, row.time(1)?, row.time(2)?, row.opt_time(3)?, row.time(4).is_err())),
            )
            .expect("row");
        assert_eq!(read, (at, at + chrono::Duration::milliseconds(250), at, None, true));
    }
}
