//! Liaison's storage: one store over SQLite (embedded default) and PostgreSQL (scale-out).
//!
//! Every query is one SQL text in the portable subset (`$1` placeholders, `RETURNING`, `ON CONFLICT`)
//! run on whichever pool the `database_url` selected; where the dialects really differ the two texts
//! sit side by side, marked `-- dialect:`. Each public method is one unit of work: it owns its
//! transaction and writes its audit row inside it.

#[macro_use]
mod dispatch;
pub mod api_keys;
pub mod attachments;
pub mod audit;
pub mod backup;
mod by_position;
pub mod catalogue;
mod checkpoint;
mod db;
pub mod enterprises;
mod error;
pub mod figures;
#[cfg(feature = "fixture")]
pub mod fixture;
pub mod import;
pub mod inbox;
pub mod item_detail;
pub mod item_import;
pub mod item_intake;
pub mod item_list;
pub mod item_steps;
mod item_writes;
pub mod items;
pub mod jobs;
pub mod list_reader;
pub mod mediation;
pub mod open311;
pub mod org;
pub mod outbox;
pub mod self_reports;
mod session_cache;
pub mod sessions;
pub mod sign_in;
pub mod users;

pub use db::{Backend, Db, Tx};
pub use error::{StoreError, StoreResult};
pub use session_cache::TTL as SESSION_TTL;

use chrono::{DateTime, Utc};
use liaison_core::audit::{AuditEvent, Outcome};

/// Who does a change, from where, and when: every store write takes one and audits with it.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The instant of the change (from the injected clock).
    pub at: DateTime<Utc>,
    /// Acting user, if any (`None` for the system and for anonymous attempts).
    pub actor_id: Option<i64>,
    /// Roles of the actor as comma-separated codes, or `system` / `anonymous`.
    pub actor_role: String,
    /// Client IP.
    pub ip: String,
    /// Request correlation id.
    pub request_id: String,
}

impl Ctx {
    /// A context for work the system does by itself (CLI, jobs, demo generation).
    pub fn system(at: DateTime<Utc>) -> Self {
        Self { at, actor_id: None, actor_role: "system".into(), ip: "local".into(), request_id: "cli".into() }
    }

    /// An audit event by this actor.
    pub fn event(
        &self,
        action: &str,
        object_type: &str,
        object_id: Option<i64>,
        detail: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent {
            actor_id: self.actor_id,
            actor_role: self.actor_role.clone(),
            ip: self.ip.clone(),
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: object_id.map(|id| id.to_string()),
            outcome: Outcome::Success,
            detail: detail.into(),
            request_id: self.request_id.clone(),
        }
    }
}

/// Escapes LIKE wildcards (`\\`, `%`, `_`) so user text matches literally; used with `ESCAPE '\\'`.
pub(crate) fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A page of results and the total number in scope.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// All rows matching the filter.
    pub total: i64,
}

/// Which page to read: 1-based page number and page size (capped at 200).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// 1-based page number.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl Paging {
    /// Clamps to sane bounds (so the offset can never overflow).
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        Self { page: page.unwrap_or(1).clamp(1, 1_000_000), per_page: per_page.unwrap_or(50).clamp(1, 200) }
    }

    pub(crate) fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}
