//! 统一社会信用代码 per GB 32100-2015, including the embedded GB 11714 organization-code check.

use std::fmt;

/// The 31 characters of the code, in value order (no I, O, S, V, Z).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17: 3^(i−1) mod 31.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Weights of the 8 body characters of a GB 11714 organization code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A valid unified social credit code, normalised (NFKC, trimmed, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct CreditCode(String);

/// Why a credit code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not 18 characters after normalisation.
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    /// A character outside the GB 32100 charset.
    #[error("第{0}位字符不合法（不含 I、O、S、V、Z）")]
    Charset(usize),
    /// Positions 3–8 must be the administrative division code (digits).
    #[error("第3–8位应为行政区划码（数字）")]
    Division,
    /// The embedded organization code (positions 9–17) fails its GB 11714 check.
    #[error("第9–17位组织机构代码校验位错误")]
    OrgCode,
    /// The 18th character does not match.
    #[error("校验位错误")]
    CheckCharacter,
}

impl super::RuleCode for CreditCodeError {
    fn rule_code(&self) -> String {
        let rule = match self {
            Self::Length(_) => "length",
            Self::Charset(_) => "charset",
            Self::Division => "division",
            Self::OrgCode => "org_code",
            Self::CheckCharacter => "check_character",
        };
        format!("credit_code.{rule}")
    }
}

fn value(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|v| v as u32)
}

/// The check character that completes 17 valid leading characters.
fn check_character(values: &[u32]) -> u8 {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    CHARSET[((31 - sum % 31) % 31) as usize]
}

/// The GB 11714 check of an 8-character organization-code body (digits 0–9, letters A–Z as 10–35).
fn org_check(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(&c, w)| if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 } * w)
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        r => b'0' + r as u8,
    }
}

impl CreditCode {
    /// Normalises and validates `input`.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = super::normalize_identifier(input);
        let count = code.chars().count();
        if count != 18 {
            return Err(CreditCodeError::Length(count));
        }
        let bytes = code.as_bytes();
        let mut values = Vec::with_capacity(18);
        for (i, &c) in bytes.iter().enumerate() {
            values.push(value(c).ok_or(CreditCodeError::Charset(i + 1))?);
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::Division);
        }
        if org_check(&bytes[8..16]) != bytes[16] {
            return Err(CreditCodeError::OrgCode);
        }
        if check_character(&values[..17]) != bytes[17] {
            return Err(CreditCodeError::CheckCharacter);
        }
        Ok(Self(code))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes a 17-character prefix with its check character — used to generate demo codes.
    /// Returns `None` when the prefix has characters outside the charset.
    pub fn complete(prefix17: &str) -> Option<Self> {
        let values: Option<Vec<u32>> = prefix17.bytes().map(value).collect();
        let values = values.filter(|v| v.len() == 17)?;
        let mut code = prefix17.to_owned();
        code.push(char::from(check_character(&values)));
        Self::parse(&code).ok()
    }

    /// A valid code for generated data (demo, benchmarks): enterprise type `91`, division `division6`,
    /// and an organization-code body spelling `n` in the code's own charset. Distinct `n` give distinct codes.
    pub fn synthetic(division6: &str, mut n: u64) -> Option<Self> {
        let mut body = [b'0'; 8];
        for slot in body.iter_mut().rev() {
            *slot = CHARSET[(n % 31) as usize];
            n /= 31;
        }
        let body = std::str::from_utf8(&body).ok()?;
        let org = char::from(org_check(body.as_bytes()));
        Self::complete(&format!("91{division6}{body}{org}"))
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: [&str; 14] = [
        "91350100M000100Y43",
        "914403001922038216",
        "91330100716105852F",
        "9144030071526726XG",
        "91440300708461136T",
        "91110000802100433B",
        "91110108551385082Q",
        "92510100MA61WJ3204",
        "91341000MA2N0ABGXX",
        "11330283002982634F",
        "121526004609138637",
        "51610700305332460K",
        "52610500MJU60350X1",
        "1134082855783407XL",
    ];

    #[test]
    fn published_valid_codes_pass() {
        for code in VALID {
            assert_eq!(CreditCode::parse(code).map(|c| c.0), Ok(code.to_owned()), "{code}");
        }
    }

    #[test]
    fn published_invalid_codes_fail_for_the_right_reason() {
        let cases = [
            ("91350100M000100Y4Z", CreditCodeError::Charset(18)),
            ("91350100M000100Y42", CreditCodeError::CheckCharacter),
            ("91350200M000000510", CreditCodeError::CheckCharacter),
            ("91350100M000100Y4I", CreditCodeError::Charset(18)),
            ("9135010OM000100Y43", CreditCodeError::Charset(8)),
            ("91350100M000100Y4", CreditCodeError::Length(17)),
            ("123456789012345678", CreditCodeError::OrgCode),
            ("91350100M000100Y56", CreditCodeError::OrgCode),
        ];
        for (code, expected) in cases {
            assert_eq!(CreditCode::parse(code), Err(expected), "{code}");
        }
    }

    #[test]
    fn input_is_normalised_first() {
        for input in ["91350100m000100y43", " 91350100M000100Y43 ", "９１350100M000100Y43"] {
            assert_eq!(CreditCode::parse(input).map(|c| c.0), Ok("91350100M000100Y43".to_owned()), "{input}");
        }
    }

    #[test]
    fn complete_makes_valid_codes() {
        let code = CreditCode::complete("92510100MA61WJ320").expect("completes");
        assert_eq!(code.as_str(), "92510100MA61WJ3204");
    }

    #[test]
    fn synthetic_codes_are_valid_and_distinct() {
        let codes: std::collections::HashSet<String> =
            (0..5_000).map(|n| CreditCode::synthetic("500103", n * 7_919).expect("valid").0).collect();
        assert_eq!(codes.len(), 5_000);
    }

    #[test]
    fn every_single_substitution_and_adjacent_swap_is_rejected() {
        for code in VALID {
            let bytes = code.as_bytes();
            for pos in 0..18 {
                for &replacement in CHARSET.iter().filter(|&&c| c != bytes[pos]) {
                    let mut changed = bytes.to_vec();
                    changed[pos] = replacement;
                    let changed = String::from_utf8(changed).expect("ascii");
                    assert!(CreditCode::parse(&changed).is_err(), "substitution {changed}");
                }
                if pos < 17 && bytes[pos] != bytes[pos + 1] {
                    let mut swapped = bytes.to_vec();
                    swapped.swap(pos, pos + 1);
                    let swapped = String::from_utf8(swapped).expect("ascii");
                    assert!(CreditCode::parse(&swapped).is_err(), "swap {swapped}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn never_panics(input in "\\PC{0,40}") {
            let _ = CreditCode::parse(&input);
        }
    }
}
