//! Web settings: session lifetimes, lockout thresholds, cookie security, MFA policy, demo banner.

use serde::Deserialize;

/// Settings of the HTTP layer (the `[web]` and `[security]` parts of the configuration).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WebConfig {
    /// The public origin (scheme://host:port) used by the CSRF origin check.
    pub public_origin: String,
    /// Cookies carry `Secure` and the `__Host-` prefix (set when served over TLS).
    pub secure_cookies: bool,
    /// Staff must use a TOTP second factor.
    pub require_staff_mfa: bool,
    /// Minutes of inactivity that end a session.
    pub idle_timeout_minutes: i64,
    /// Hours after login that end a session whatever the activity.
    pub absolute_timeout_hours: i64,
    /// Sessions a user may hold at once; the oldest is ended beyond it.
    pub max_sessions_per_user: i64,
    /// Failed sign-ins of one account from one source (a known browser, or an unknown client address)
    /// within the window that refuse that source (`liaison_core::lockout`).
    pub lockout_failures: i64,
    /// Window and refusal duration, in minutes.
    pub lockout_minutes: i64,
    /// Failed sign-ins from one IP (any account) within the window before that IP is throttled.
    pub ip_failures: i64,
    /// Failed sign-ins of one account from unknown sources within an hour that lock it for unknown
    /// sources (its known browsers still sign in; the security administrator can lift the lock).
    pub unknown_failures_per_hour: i64,
    /// Shows the demo banner on every page.
    pub demo: bool,
    /// Trust `X-Forwarded-For` from these proxy addresses only.
    pub trusted_proxies: Vec<String>,
    /// Hours an overdue item waits before it escalates one level up the org tree (and between levels).
    pub escalate_after_hours: i64,
    /// Items one enterprise may submit per calendar day (RATE-01).
    pub daily_items_per_enterprise: i64,
    /// Open311 reads without an API key one client address may make per minute (a full default list
    /// is ~1,000 rows, so unkeyed readers are held to a pace; keyed clients have their key's limit).
    pub open311_reads_per_minute: i64,
    /// The listener's timeouts and connection caps (`listener`).
    pub limits: crate::listener::Limits,
    /// Networks (CIDR, e.g. `10.20.0.0/16`) besides loopback from which the operators' endpoints —
    /// `/metrics` and the Swagger UI — may be reached.
    pub operator_networks: Vec<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_origin: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            require_staff_mfa: true,
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
            max_sessions_per_user: 3,
            lockout_failures: 5,
            lockout_minutes: 15,
            ip_failures: 30,
            unknown_failures_per_hour: 100,
            demo: false,
            trusted_proxies: Vec::new(),
            escalate_after_hours: 24,
            daily_items_per_enterprise: 20,
            open311_reads_per_minute: 120,
            limits: crate::listener::Limits::default(),
            operator_networks: Vec::new(),
        }
    }
}

impl WebConfig {
    /// The session cookie's name: `__Host-` prefixed when cookies are secure.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies { "__Host-liaison" } else { "liaison" }
    }

    /// The device cookie's name (a browser that signed in before; `liaison_core::lockout`).
    pub fn device_cookie_name(&self) -> &'static str {
        if self.secure_cookies { "__Host-liaison_device" } else { "liaison_device" }
    }

    /// The sign-in throttle's limits.
    pub fn lockout_policy(&self) -> liaison_core::lockout::Policy {
        liaison_core::lockout::Policy {
            per_source: self.lockout_failures,
            per_address: self.ip_failures,
            unknown_per_hour: self.unknown_failures_per_hour,
            window: chrono::Duration::minutes(self.lockout_minutes),
        }
    }
}
