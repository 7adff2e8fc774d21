//! TOTP second factor (RFC 6238, HMAC-SHA1, 6 digits, 30 s): secrets, provisioning URIs, and a check
//! that returns the matched time step so the store can refuse its reuse. Tolerates ±1 step only.

use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per step.
pub const STEP: i64 = 30;

fn totp(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(Algorithm::SHA1, 6, 1, STEP as u64, bytes))
}

/// A fresh 160-bit secret, base32-encoded.
pub fn new_secret() -> String {
    let bytes = hex::decode(crate::token::random_hex(20)).unwrap_or_default();
    match Secret::Raw(bytes).to_encoded() {
        Secret::Encoded(encoded) => encoded,
        Secret::Raw(_) => String::new(),
    }
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(secret_b32: &str, account: &str) -> String {
    let account: String = account.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("otpauth://totp/Liaison:{account}?secret={secret_b32}&issuer=Liaison&algorithm=SHA1&digits=6&period=30")
}

/// The time step `code` matches at `unix_seconds` (the current step or one either side), if any.
pub fn matching_step(secret_b32: &str, code: &str, unix_seconds: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret_b32)?;
    let now = unix_seconds / STEP;
    [now - 1, now, now + 1].into_iter().find(|&step| step >= 0 && totp.generate((step * STEP) as u64) == code)
}

/// The code for `unix_seconds` (tests and enrolment checks).
pub fn code_at(secret_b32: &str, unix_seconds: i64) -> Option<String> {
    totp(secret_b32).map(|t| t.generate(unix_seconds.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_within_one_step_only() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let t = 1_800_000_000;
        let code = code_at(&secret, t).expect("code");
        assert_eq!(matching_step(&secret, &code, t), Some(t / STEP));
        assert_eq!(matching_step(&secret, &code, t + STEP), Some(t / STEP), "one step late is tolerated");
        assert_eq!(matching_step(&secret, &code, t + 2 * STEP), None, "two steps late is not");
        assert_eq!(matching_step(&secret, "12345", t), None);
        assert_eq!(matching_step(&secret, "abcdef", t), None);
    }

    #[test]
    fn the_uri_names_the_issuer_and_secret() {
        let uri = provisioning_uri("ABC", "officer-001");
        assert!(uri.starts_with("otpauth://totp/Liaison:officer001?secret=ABC&issuer=Liaison"), "{uri}");
    }
}
