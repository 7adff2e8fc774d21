//! Sign-in throttling that an attacker cannot turn against the owner (AUTH-04, ASVS V2.2.1, OWASP's
//! "device cookies"). Failures are counted per **source**: a browser that has signed in to the account
//! before (it holds the account's device cookie) is a source of its own; every other request is an
//! unknown source, counted by client address. Too many failures from one source refuse that source for
//! the window — even the right password — while the owner's known browsers go on. A slower backstop
//! counts every unknown source together: past it, unknown sources are refused for the account until the
//! window passes or the security administrator lifts the lock; known browsers still sign in. One address
//! failing across many accounts (password spraying) is refused on its own count.

use chrono::{DateTime, Duration, Utc};

/// The limits (from configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures from one source within the window that refuse that source (e.g. 5).
    pub per_source: i64,
    /// Failures from one address across all accounts within the window that refuse it (e.g. 30).
    pub per_address: i64,
    /// Failures from unknown sources within an hour that lock the account for unknown sources (e.g. 100).
    pub unknown_per_hour: i64,
    /// How long a refusal lasts, and the window counts are taken over (e.g. 15 minutes).
    pub window: Duration,
}

/// Failures counted before an attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// From this source, for this account, within the window.
    pub source: i64,
    /// From this address, for any account, within the window.
    pub address: i64,
    /// From unknown sources, for this account, within the last hour.
    pub unknown_hour: i64,
}

/// Why an attempt is refused before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The address failed too often across accounts.
    Address,
    /// This source failed too often for this account.
    Source,
    /// The account is locked for unknown sources.
    Account,
}

/// Whether an attempt from a source may check its password now; `Err` with when to try again.
/// `known` says the request holds this account's device cookie; `locked_until` is the account's lock
/// for unknown sources.
pub fn admit(
    policy: &Policy,
    counts: Counts,
    known: bool,
    locked_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), (Refusal, Duration)> {
    if !known && counts.address >= policy.per_address {
        return Err((Refusal::Address, policy.window));
    }
    if counts.source >= policy.per_source {
        return Err((Refusal::Source, policy.window));
    }
    match locked_until.filter(|until| !known && *until > now) {
        Some(until) => Err((Refusal::Account, until - now)),
        None => Ok(()),
    }
}

/// What a failure (already counted in `after`) brings about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Nothing yet.
    Counted,
    /// This source is now refused for the window.
    SourceRefused,
    /// Unknown sources are now refused for the account (the backstop).
    AccountLocked,
}

/// The consequence of a failure, decided on the counts that include it.
pub fn after_failure(policy: &Policy, after: Counts, known: bool) -> AfterFailure {
    if !known && after.unknown_hour == policy.unknown_per_hour {
        AfterFailure::AccountLocked
    } else if after.source == policy.per_source {
        AfterFailure::SourceRefused
    } else {
        AfterFailure::Counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const POLICY: Policy =
        Policy { per_source: 5, per_address: 30, unknown_per_hour: 100, window: Duration::minutes(15) };

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).single().expect("instant")
    }

    fn counts(source: i64, address: i64, unknown_hour: i64) -> Counts {
        Counts { source, address, unknown_hour }
    }

    #[test]
    fn a_source_is_refused_after_its_own_failures_only() {
        assert_eq!(admit(&POLICY, counts(4, 4, 4), false, None, now()), Ok(()));
        assert_eq!(admit(&POLICY, counts(5, 5, 5), false, None, now()), Err((Refusal::Source, Duration::minutes(15))));
        assert_eq!(admit(&POLICY, counts(0, 0, 99), false, None, now()), Ok(()), "another address is another source");
        assert_eq!(after_failure(&POLICY, counts(5, 5, 5), false), AfterFailure::SourceRefused);
        assert_eq!(after_failure(&POLICY, counts(4, 5, 5), false), AfterFailure::Counted);
    }

    #[test]
    fn the_backstop_locks_unknown_sources_and_never_the_owners_browser() {
        let until = Some(now() + Duration::minutes(10));
        assert_eq!(after_failure(&POLICY, counts(1, 1, 100), false), AfterFailure::AccountLocked);
        assert_eq!(
            admit(&POLICY, counts(0, 0, 100), false, until, now()),
            Err((Refusal::Account, Duration::minutes(10)))
        );
        assert_eq!(admit(&POLICY, counts(0, 0, 100), true, until, now()), Ok(()), "a known browser signs in");
        assert_eq!(admit(&POLICY, counts(0, 0, 100), false, until, now() + Duration::minutes(11)), Ok(()));
        assert_eq!(after_failure(&POLICY, counts(1, 0, 100), true), AfterFailure::Counted, "known failures never lock");
    }

    #[test]
    fn spraying_from_one_address_is_refused_but_a_known_browser_behind_it_is_not() {
        assert_eq!(
            admit(&POLICY, counts(0, 30, 0), false, None, now()),
            Err((Refusal::Address, Duration::minutes(15)))
        );
        assert_eq!(admit(&POLICY, counts(0, 30, 0), true, None, now()), Ok(()));
        assert_eq!(admit(&POLICY, counts(5, 0, 0), true, None, now()).map_err(|e| e.0), Err(Refusal::Source));
    }
}
