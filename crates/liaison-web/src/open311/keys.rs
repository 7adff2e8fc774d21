//! Who calls Open311: an `api_key` resolves to the key and the account it acts as, within the key's
//! per-minute limit; every keyed read is audited (submissions are audited in the intake's transaction).

use super::Open311Error;
use crate::AppState;
use crate::auth::Authed;
use crate::middleware::RequestMeta;
use chrono::{DateTime, Utc};
use liaison_core::token::digest;
use liaison_store::api_keys::ApiKey;
use std::collections::HashMap;
use std::sync::Mutex;

/// Uses in the current minute of each API key and of each client address reading without one, per
/// process: a limit holds on each instance (behind a load balancer of n instances a client may reach
/// n × its limit).
#[derive(Debug, Default)]
pub struct KeyLimits {
    windows: Mutex<HashMap<Who, (i64, i64)>>,
}

/// Whose uses are counted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Who {
    /// An API key.
    Key(i64),
    /// A client address reading without a key.
    Address(String),
}

/// Windows kept before old minutes are dropped.
const WINDOWS_KEPT: usize = 10_000;

impl KeyLimits {
    /// Counts one use by `who` at `now`; `Err(seconds)` until the next minute once `per_minute` are used.
    pub fn admit(&self, who: Who, per_minute: i64, now: DateTime<Utc>) -> Result<(), u64> {
        let minute = now.timestamp().div_euclid(60);
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() >= WINDOWS_KEPT {
            windows.retain(|_, (at, _)| *at == minute);
        }
        let window = windows.entry(who).or_insert((minute, 0));
        if window.0 != minute {
            *window = (minute, 0);
        }
        if window.1 >= per_minute {
            return Err(u64::try_from(60 - now.timestamp().rem_euclid(60)).unwrap_or(60));
        }
        window.1 += 1;
        Ok(())
    }
}

/// Counts one use by `who` within `per_minute`; past it, 429 with `Retry-After`.
pub fn admit(state: &AppState, who: Who, per_minute: i64, subject: &str) -> Result<(), Open311Error> {
    state.limits.admit(who, per_minute, state.clock.now()).map_err(|seconds| Open311Error {
        retry_after: Some(seconds),
        ..Open311Error::new(429, &format!("{subject} {per_minute} times a minute"))
    })
}

/// A caller with a valid key.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key.
    pub key: ApiKey,
    /// The account it acts as.
    pub authed: Authed,
}

impl Caller {
    /// Audits one use of the key: what was asked and how it ended.
    pub async fn record(&self, state: &AppState, success: bool, detail: &str) {
        let ctx = self.authed.ctx(state.clock.now());
        if let Err(error) = state.db.record_api_key_use(&ctx, self.key.id, success, detail).await {
            tracing::error!(%error, "auditing an API key use failed");
        }
    }
}

/// The caller behind `api_key`: `None` without a key, 403 for an unknown, revoked or disabled one or
/// one its account's holder has not consented to, 429 past its per-minute limit.
pub async fn caller(
    state: &AppState,
    meta: &RequestMeta,
    api_key: Option<&str>,
) -> Result<Option<Caller>, Open311Error> {
    let Some(secret) = api_key else {
        return Ok(None);
    };
    let invalid = || Open311Error::new(403, "api_key is not valid (unknown, rotated or revoked)");
    let key = state.db.api_key_by_digest(&digest(secret)).await?.ok_or_else(invalid)?;
    if key.consented_at.is_none() {
        return Err(Open311Error::new(
            403,
            "api_key awaits the consent of the account it acts as (its holder confirms it on their account page)",
        ));
    }
    let user = state.db.user(key.user_id).await?;
    admit(state, Who::Key(key.id), key.per_minute, "this api_key may be used")?;
    let authed =
        Authed { user, session: None, mfa_pending: false, authenticated_at: key.created_at, meta: meta.clone() };
    Ok(Some(Caller { key, authed }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_key_gets_its_uses_per_minute_and_waits_for_the_next() {
        let limits = KeyLimits::default();
        let at = |s| Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, s).single().expect("valid");
        assert!((0..3).all(|_| limits.admit(Who::Key(1), 3, at(10)).is_ok()));
        assert_eq!(limits.admit(Who::Key(1), 3, at(15)), Err(45));
        assert!(limits.admit(Who::Key(2), 3, at(15)).is_ok(), "each key counts alone");
        assert!(limits.admit(Who::Address("10.0.0.1".into()), 3, at(15)).is_ok(), "and each address");
        assert!(limits.admit(Who::Key(1), 3, at(0) + chrono::Duration::minutes(1)).is_ok());
    }
}
