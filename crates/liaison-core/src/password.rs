//! Password policy (SECURITY.md AUTH-03) and argon2id hashing (AUTH-02).
//!
//! Decisions: length is counted in Unicode scalar values after NFKC normalisation; surrounding
//! whitespace is kept (a pasted password is hashed as pasted); the character-class rule (three of
//! lower, upper, digit, symbol) applies to staff accounts only — a documented deviation from ASVS
//! that 等保 assessors expect.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use unicode_normalization::UnicodeNormalization;

/// Shortest accepted password.
pub const MIN_LEN: usize = 12;
/// Longest accepted password.
pub const MAX_LEN: usize = 128;

/// Common and breached passwords; a password that is little more than these and the context words is refused.
const COMMON: [&str; 24] = [
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "password",
    "passw0rd",
    "qwerty",
    "qwertyuiop",
    "111111",
    "000000",
    "abc123",
    "iloveyou",
    "admin",
    "woaini",
    "5201314",
    "888888",
    "666666",
    "letmein",
    "welcome",
    "a123456",
    "1q2w3e4r",
    "qazwsx",
    "zxcvbnm",
    "abcdefg",
];

/// Words tied to this system that make a password guessable.
const CONTEXT: [&str; 8] = ["公安", "警务", "联络", "liaison", "police", "yuzhong", "渝中", "admin"];

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than [`MIN_LEN`].
    #[error("密码至少需要{MIN_LEN}个字符")]
    TooShort,
    /// Longer than [`MAX_LEN`].
    #[error("密码不能超过{MAX_LEN}个字符")]
    TooLong,
    /// Built from a common password or from words tied to this system or the user.
    #[error("密码过于常见或包含系统名称、用户名等易猜词语")]
    Guessable,
    /// Staff passwords need three of: lower case, upper case, digits, symbols.
    #[error("工作人员密码需包含大写字母、小写字母、数字、符号中的至少三类")]
    Classes,
}

impl crate::validate::RuleCode for PasswordError {
    fn rule_code(&self) -> String {
        match self {
            Self::TooShort => "password.too_short",
            Self::TooLong => "password.too_long",
            Self::Guessable => "password.guessable",
            Self::Classes => "password.classes",
        }
        .to_owned()
    }
}

/// Checks a new password against the policy. `user_words` are the username and display name.
pub fn check(password: &str, user_words: &[&str], staff: bool) -> Result<(), PasswordError> {
    let normalized: String = password.nfkc().collect();
    let len = normalized.chars().count();
    if len < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let lower = normalized.to_lowercase();
    let mut rest = lower.clone();
    let user_words = user_words.iter().map(|w| w.trim().to_lowercase()).filter(|w| w.chars().count() >= 2);
    for word in CONTEXT.iter().chain(COMMON.iter()).map(|w| (*w).to_owned()).chain(user_words) {
        rest = rest.replace(&word, "");
    }
    let rest: Vec<char> = rest.chars().filter(|c| c.is_alphanumeric()).collect();
    let trivial = rest.len() < 6 || rest.iter().all(|&c| c == rest[0]);
    if trivial {
        return Err(PasswordError::Guessable);
    }
    if staff {
        let classes = [
            normalized.chars().any(char::is_lowercase),
            normalized.chars().any(char::is_uppercase),
            normalized.chars().any(|c| c.is_ascii_digit()),
            normalized.chars().any(|c| !c.is_alphanumeric()),
        ];
        if classes.iter().filter(|&&x| x).count() < 3 {
            return Err(PasswordError::Classes);
        }
    }
    Ok(())
}

/// Hashes with argon2id (v19, m=19 MiB, t=2, p=1) and a fresh random salt.
pub fn hash(password: &str) -> String {
    let normalized: String = password.nfkc().collect();
    match Argon2::default().hash_password(normalized.as_bytes()) {
        Ok(hash) => hash.to_string(),
        // Only reachable if the OS random source fails; a hash nobody can match fails closed.
        Err(_) => String::from("!"),
    }
}

/// Verifies `password` against a stored PHC string; false for malformed hashes.
pub fn verify(password: &str, stored: &str) -> bool {
    let normalized: String = password.nfkc().collect();
    Argon2::default().verify_password(normalized.as_bytes(), stored).is_ok()
}

/// A one-time password for a new or reset account (96 random bits, mixed case so it passes the
/// staff class rule); the user must replace it at first sign-in.
pub fn one_time() -> String {
    format!("{}-{}", crate::token::random_hex(6), crate::token::random_hex(6).to_uppercase())
}

/// A hash of a random password, verified against when the account does not exist so that
/// unknown and known usernames take the same time (AUTH-08).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::token::random_hex(16)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_boundaries() {
        let of = |n: usize| "Kx7#".repeat(40).chars().take(n).collect::<String>();
        assert_eq!(check(&of(11), &[], true), Err(PasswordError::TooShort));
        assert_eq!(check(&of(12), &[], true), Ok(()));
        assert_eq!(check(&of(64), &[], true), Ok(()));
        assert_eq!(check(&of(128), &[], true), Ok(()));
        assert_eq!(check(&of(129), &[], true), Err(PasswordError::TooLong));
    }

    #[test]
    fn guessable_passwords_are_refused() {
        for bad in ["123456123456", "公安警务公安警务123456", "liaison123456", "aaaaaaaaaaaaaa", "Password1234"]
        {
            assert_eq!(check(bad, &[], false), Err(PasswordError::Guessable), "{bad}");
        }
        assert_eq!(check("zhangwei-2026", &["zhangwei"], false), Err(PasswordError::Guessable));
        assert_eq!(check("渝中的一条长长的江水流过", &[], false), Ok(()));
    }

    #[test]
    fn staff_need_three_classes() {
        assert_eq!(check("correcthorsebattery", &[], true), Err(PasswordError::Classes));
        assert_eq!(check("correcthorsebattery", &[], false), Ok(()));
        assert_eq!(check("Correct-horse-battery", &[], true), Ok(()));
        assert_eq!(check("  Correct horse 9 ", &[], true), Ok(()));
    }

    #[test]
    fn one_time_passwords_pass_the_staff_policy() {
        let otp = one_time();
        assert_eq!(otp.len(), 25);
        assert_eq!(check(&otp, &[], true), Ok(()));
        assert_ne!(otp, one_time());
    }

    #[test]
    fn argon2id_hashes_are_salted_and_verify() {
        let a = hash("Correct-horse-battery");
        let b = hash("Correct-horse-battery");
        assert!(a.starts_with("$argon2id$v=19$m="), "{a}");
        assert_ne!(a, b);
        assert!(verify("Correct-horse-battery", &a));
        assert!(!verify("Correct-horse-batterY", &a));
        assert!(!verify("anything", "not a hash"));
        assert!(verify("Ｃorrect-horse-battery", &a), "NFKC folds full-width letters");
    }
}
