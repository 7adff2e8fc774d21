//! The two macros that run one query text on whichever backend is live, so store code is written once.

/// Runs `$body` (a sqlx query future builder using `$c` as executor) on the read side of `$db`.
macro_rules! read {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db.backend() {
            $crate::Backend::Sqlite { reader, .. } => {
                let $c = reader;
                $body.await
            }
            $crate::Backend::Postgres(pool) => {
                let $c = pool;
                $body.await
            }
        }
    };
}

/// Runs a `fetch_*` query `$body` on the open transaction `$tx`.
macro_rules! fetch {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut ($tx).conn {
            $crate::db::TxConn::Sqlite(tx) => {
                let $c = &mut **tx;
                $body.await
            }
            $crate::db::TxConn::Postgres(tx) => {
                let $c = &mut **tx;
                $body.await
            }
        }
    };
}

/// Runs an `execute` query `$body` on the open transaction `$tx`, yielding the rows affected.
macro_rules! exec {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut ($tx).conn {
            $crate::db::TxConn::Sqlite(tx) => {
                let $c = &mut **tx;
                $body.await.map(|done| done.rows_affected())
            }
            $crate::db::TxConn::Postgres(tx) => {
                let $c = &mut **tx;
                $body.await.map(|done| done.rows_affected())
            }
        }
    };
}
