//! The API's JSON answers: serialised straight into a `Vec` that starts at 8 KiB. axum's `Json` writes
//! through a `BytesMut` writer that starts at 128 bytes, so a fifty-row worklist (26 KB, some eight
//! thousand small writes) paid for each write's bookkeeping and for eight reallocations — 3 % of its
//! instructions under callgrind. Error bodies keep axum's `Json` (`error.rs`): they are small, and this
//! type answers a failed serialisation with an `AppError`, which must not serialise through itself.

use crate::error::AppError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON answer (`application/json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Where a serialisation starts: most answers fit, a worklist page needs two doublings.
const INITIAL_CAPACITY: usize = 8 * 1024;

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(INITIAL_CAPACITY);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            Err(error) => AppError::Internal(format!("serialising an answer: {error}")).into_response(),
        }
    }
}
