//! Mainland mobile numbers: normalise (NFKC, separators, +86 / 0086 / 86), then `^1[3-9]\d{9}$`.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A valid mainland mobile number: 11 digits, starting `1[3-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Mobile(String);

/// Why a mobile number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    /// Not 11 digits of the form 1[3-9]xxxxxxxxx after normalisation.
    #[error("手机号码格式不正确（应为11位，以13–19开头）")]
    Format,
}

impl super::RuleCode for MobileError {
    fn rule_code(&self) -> String {
        "mobile.format".to_owned()
    }
}

impl Mobile {
    /// Normalises and validates `input`.
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let mut digits: String = input.nfkc().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')')).collect();
        if let Some(rest) = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")) {
            digits = rest.to_owned();
        } else if digits.len() == 13 && digits.starts_with("86") {
            digits = digits[2..].to_owned();
        }
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid { Ok(Self(digits)) } else { Err(MobileError::Format) }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_vectors() {
        for valid in [
            "13800138000",
            "13123456789",
            "19912345678",
            "16612345678",
            "14512345678",
            "17012345678",
            "19212345678",
            "19012345678",
            "16212345678",
            "17401234567",
            "15412345678",
            "14012345678",
        ] {
            assert_eq!(Mobile::parse(valid).map(|m| m.0), Ok(valid.to_owned()), "{valid}");
        }
        for (input, expected) in [
            ("+86 138 0013 8000", "13800138000"),
            ("008613800138000", "13800138000"),
            ("8613800138000", "13800138000"),
            ("138-0013-8000", "13800138000"),
            ("１３８００１３８０００", "13800138000"),
        ] {
            assert_eq!(Mobile::parse(input).map(|m| m.0), Ok(expected.to_owned()), "{input}");
        }
        for invalid in ["12345678901", "10086123456", "1380013800", "138001380000", "", "1380013800a"] {
            assert_eq!(Mobile::parse(invalid), Err(MobileError::Format), "{invalid}");
        }
    }
}
