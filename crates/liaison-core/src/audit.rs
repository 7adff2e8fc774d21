//! The audit record and its hash chain (SECURITY.md LOG-02/LOG-03): `h_n = SHA-256(h_{n-1} ‖ canonical(r_n))`.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The hash that precedes the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the audited attempt succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Success,
    /// Refused or failed.
    Failure,
}

impl Outcome {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// One audit event. Never carries personal data values, secrets or tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Acting user, if known.
    pub actor_id: Option<i64>,
    /// Acting user's roles (comma-separated codes) or `anonymous`.
    pub actor_role: String,
    /// Client IP.
    pub ip: String,
    /// What happened, e.g. `auth.login`, `enterprise.update`.
    pub action: String,
    /// Kind of object, e.g. `enterprise`.
    pub object_type: String,
    /// The object's id, if any.
    pub object_id: Option<String>,
    /// Success or failure.
    pub outcome: Outcome,
    /// A short, PI-free detail (reason of a reveal, field names changed, failure reason).
    pub detail: String,
    /// Request correlation id.
    pub request_id: String,
}

/// The canonical text of a record at `at`: every field, in fixed order, unit-separated.
pub fn canonical(at: DateTime<Utc>, e: &AuditEvent) -> String {
    let fields = [
        at.timestamp_micros().to_string(),
        e.actor_id.map(|v| v.to_string()).unwrap_or_default(),
        e.actor_role.clone(),
        e.ip.clone(),
        e.action.clone(),
        e.object_type.clone(),
        e.object_id.clone().unwrap_or_default(),
        e.outcome.code().to_owned(),
        e.detail.clone(),
        e.request_id.clone(),
    ];
    fields.join("\u{1f}")
}

/// The chain hash of a record given its predecessor's hash.
pub fn chain(prev: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update([0x1e]);
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            actor_id: Some(1),
            actor_role: "officer".into(),
            ip: "127.0.0.1".into(),
            action: action.into(),
            object_type: "enterprise".into(),
            object_id: Some("9".into()),
            outcome: Outcome::Success,
            detail: String::new(),
            request_id: "r1".into(),
        }
    }

    #[test]
    fn any_change_to_a_record_or_its_predecessor_changes_the_hash() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let h1 = chain(GENESIS, &canonical(at, &event("a")));
        assert_eq!(h1.len(), 64);
        assert_ne!(h1, chain(GENESIS, &canonical(at, &event("b"))));
        assert_ne!(h1, chain(&h1, &canonical(at, &event("a"))));
        let later = DateTime::from_timestamp(1_700_000_001, 0).expect("time");
        assert_ne!(h1, chain(GENESIS, &canonical(later, &event("a"))));
    }
}
