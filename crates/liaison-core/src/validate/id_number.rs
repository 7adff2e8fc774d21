//! Resident identity numbers per GB 11643-1999 (ISO 7064 MOD 11-2), with date and region checks.

use chrono::NaiveDate;
use std::fmt;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
/// Province-level prefixes of GB/T 2260 for mainland residents.
const PROVINCES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// A valid 18-character resident ID number.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

/// Why an ID number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 17 digits followed by a digit or X.
    #[error("身份证号码应为18位（17位数字加校验位）")]
    Format,
    /// The address code's province is not a mainland province.
    #[error("身份证号码的地址码不正确")]
    Region,
    /// Not a real calendar date, before 1900 or after today.
    #[error("身份证号码中的出生日期不正确")]
    BirthDate,
    /// The MOD 11-2 check character does not match.
    #[error("身份证号码校验位错误")]
    CheckCharacter,
}

impl super::RuleCode for IdNumberError {
    fn rule_code(&self) -> String {
        let rule = match self {
            Self::Format => "format",
            Self::Region => "region",
            Self::BirthDate => "birth_date",
            Self::CheckCharacter => "check_character",
        };
        format!("id_number.{rule}")
    }
}

impl IdNumber {
    /// Normalises (lower-case `x` folded) and validates `input`; `today` bounds the birth date.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let id = super::normalize_identifier(input);
        let bytes = id.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdNumberError::Format);
        }
        if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(IdNumberError::Format);
        }
        if !PROVINCES.contains(&&id[..2]) {
            return Err(IdNumberError::Region);
        }
        let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").map_err(|_| IdNumberError::BirthDate)?;
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).ok_or(IdNumberError::BirthDate)?;
        if birth < earliest || birth > today {
            return Err(IdNumberError::BirthDate);
        }
        let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        if CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(IdNumberError::CheckCharacter);
        }
        Ok(Self(id))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Masked on purpose: an ID number never reaches a log through `Debug`.
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", crate::mask::id_number(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
    }

    #[test]
    fn published_vectors() {
        for valid in ["11010519491231002X", "53010219200508011X", "11010519491231002x"] {
            assert!(IdNumber::parse(valid, today()).is_ok(), "{valid}");
        }
        let cases = [
            ("110105194912310021", IdNumberError::CheckCharacter),
            ("110105195001010014", IdNumberError::CheckCharacter),
            ("110105194902310026", IdNumberError::BirthDate),
            ("110105209912310029", IdNumberError::BirthDate),
            ("000000194912310027", IdNumberError::Region),
            ("110105491231002", IdNumberError::Format),
            ("440524188001010014", IdNumberError::BirthDate),
        ];
        for (input, expected) in cases {
            assert_eq!(IdNumber::parse(input, today()).err(), Some(expected), "{input}");
        }
    }

    #[test]
    fn debug_is_masked() {
        let id = IdNumber::parse("11010519491231002X", today()).expect("valid");
        assert_eq!(format!("{id:?}"), "IdNumber(110***********002X)");
    }
}
