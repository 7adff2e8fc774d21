//! The append-only, hash-chained audit log (SECURITY.md LOG-01…04). Rows are written inside the
//! transaction of the change they record, so a change without its audit row cannot commit.

use crate::{Ctx, Db, Page, Paging, StoreResult, Tx};
use chrono::{DateTime, Utc};
use liaison_core::audit::{self, AuditEvent, Outcome};

/// One stored audit row.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    /// Sequence number.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Acting user.
    pub actor_id: Option<i64>,
    /// Actor roles.
    pub actor_role: String,
    /// Client IP.
    pub ip: String,
    /// Action code.
    pub action: String,
    /// Object kind.
    pub object_type: String,
    /// Object id.
    pub object_id: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    /// PI-free detail.
    pub detail: String,
    /// Correlation id.
    pub request_id: String,
    /// Hash of the previous row.
    pub prev_hash: String,
    /// This row's chain hash.
    pub hash: String,
}

impl AuditRow {
    fn event(&self) -> AuditEvent {
        AuditEvent {
            actor_id: self.actor_id,
            actor_role: self.actor_role.clone(),
            ip: self.ip.clone(),
            action: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            outcome: if self.outcome == "success" { Outcome::Success } else { Outcome::Failure },
            detail: self.detail.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// Where a verification found the chain broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The first row whose hash or predecessor does not match.
    pub id: i64,
    /// What is wrong.
    pub reason: &'static str,
}

/// Appends `event` at `at` inside `tx`. The head row's UPDATE locks the chain until commit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn append(tx: &mut Tx, at: DateTime<Utc>, event: &AuditEvent) -> StoreResult<()> {
    append_all(tx, &[(at, event.clone())]).await
}

/// Appends several events in order inside `tx` with three statements whatever their number (a batch
/// of intakes or timers): the head advances once, the rows go in as one multi-row INSERT, chained in
/// order, and the head takes the last hash.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn append_all(tx: &mut Tx, events: &[(DateTime<Utc>, AuditEvent)]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let mut prev: String =
        fetch!(tx, |c| sqlx::query_scalar("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING hash")
            .bind(count)
            .fetch_one(c))?;
    let mut rows = Vec::with_capacity(events.len());
    for (at, event) in events {
        let at = truncate_micros(*at);
        let hash = audit::chain(&prev, &audit::canonical(at, event));
        rows.push((at, event, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    exec!(tx, |c| async {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO audit_log (at, actor_id, actor_role, ip, action, object_type, object_id, outcome, detail,
             request_id, prev_hash, hash) ",
        );
        insert.push_values(&rows, |mut row, (at, event, prev, hash)| {
            row.push_bind(*at)
                .push_bind(event.actor_id)
                .push_bind(&event.actor_role)
                .push_bind(&event.ip)
                .push_bind(&event.action)
                .push_bind(&event.object_type)
                .push_bind(&event.object_id)
                .push_bind(event.outcome.code())
                .push_bind(&event.detail)
                .push_bind(&event.request_id)
                .push_bind(prev)
                .push_bind(hash);
        });
        insert.build().execute(c).await
    })?;
    exec!(tx, |c| sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(c))?;
    Ok(())
}

/// Microsecond precision, the finest both backends store, so the hash recomputes after a round trip.
fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

impl Db {
    /// Records an event that changes nothing else (a login failure, a denied access, a reveal).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn audit(&self, ctx: &Ctx, event: AuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        append(&mut tx, ctx.at, &event).await?;
        tx.commit().await
    }

    /// Records a denied attempt by `ctx`'s actor.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn audit_denied(&self, ctx: &Ctx, action: &str, object_type: &str, detail: &str) -> StoreResult<()> {
        let mut event = ctx.event(action, object_type, None, detail);
        event.outcome = Outcome::Failure;
        self.audit(ctx, event).await
    }

    /// Newest first, optionally only one action prefix (e.g. `auth.`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn audit_page(&self, action_prefix: &str, paging: Paging) -> StoreResult<Page<AuditRow>> {
        let pattern = format!("{}%", crate::like_literal(action_prefix));
        let items: Vec<AuditRow> = read!(self, |c| sqlx::query_as(
            "SELECT * FROM audit_log WHERE action LIKE $1 ESCAPE '\\' ORDER BY id DESC LIMIT $2 OFFSET $3"
        )
        .bind(&pattern)
        .bind(paging.per_page)
        .bind(paging.offset())
        .fetch_all(c))?;
        let total: i64 =
            read!(self, |c| sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action LIKE $1 ESCAPE '\\'")
                .bind(&pattern)
                .fetch_one(c))?;
        Ok(Page { items, total })
    }

    /// Recomputes the whole chain; `Ok(Err(link))` names the first broken row, `Ok(Ok(n))` counts rows.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn verify_audit_chain(&self) -> StoreResult<Result<i64, BrokenLink>> {
        let mut prev = audit::GENESIS.to_owned();
        let mut after = 0_i64;
        let mut count = 0_i64;
        loop {
            let rows: Vec<AuditRow> =
                read!(self, |c| sqlx::query_as("SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000")
                    .bind(after)
                    .fetch_all(c))?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in &rows {
                if row.prev_hash != prev {
                    return Ok(Err(BrokenLink { id: row.id, reason: "predecessor missing or altered" }));
                }
                if audit::chain(&prev, &audit::canonical(row.at, &row.event())) != row.hash {
                    return Ok(Err(BrokenLink { id: row.id, reason: "row altered" }));
                }
                prev = row.hash.clone();
                count += 1;
            }
        }
        let head: String =
            read!(self, |c| sqlx::query_scalar("SELECT hash FROM audit_head WHERE id = 1").fetch_one(c))?;
        if head != prev {
            return Ok(Err(BrokenLink { id: after + 1, reason: "newest rows missing" }));
        }
        Ok(Ok(count))
    }
}
