//! Validation of the identifiers and free text that enter Liaison: parse once at the edge, then trust the type.

pub mod credit_code;
pub mod id_number;
pub mod mobile;
pub mod text;

pub use credit_code::{CreditCode, CreditCodeError};
pub use id_number::{IdNumber, IdNumberError};
pub use mobile::{Mobile, MobileError};

use unicode_normalization::UnicodeNormalization;

/// NFKC-normalises, trims and upper-cases an identifier typed by a person (full-width digits, pasted spaces).
pub(crate) fn normalize_identifier(input: &str) -> String {
    input.nfkc().collect::<String>().trim().to_uppercase()
}

/// One field that failed validation: the field name, a stable rule code and a Chinese message for pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The input field, as named in forms and JSON bodies.
    pub field: String,
    /// A stable machine-readable rule code, e.g. `credit_code.check_character`.
    pub code: String,
    /// A human message (Chinese).
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), code: code.to_owned(), message: message.into() }
    }
}

/// Collects field errors so a form can report every problem at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Records the error of a failed parse and returns the value when it succeeded.
    pub fn check<T, E: std::fmt::Display + RuleCode>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(FieldError::new(field, &error.rule_code(), error.to_string()));
                None
            }
        }
    }

    /// Adds one error.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `Ok(value)` when nothing failed, else every error.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if self.0.is_empty() { value().ok_or(self) } else { Err(self) }
    }
}

/// A stable code naming the rule a value broke, for API clients.
pub trait RuleCode {
    /// e.g. `mobile.format`.
    fn rule_code(&self) -> String;
}
