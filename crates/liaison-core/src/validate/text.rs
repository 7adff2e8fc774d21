//! Free text and names: length caps, control characters, Unicode bidi overrides.

use unicode_normalization::UnicodeNormalization;

/// Why a text field was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty after trimming.
    #[error("不能为空")]
    Empty,
    /// Longer than the field allows.
    #[error("不能超过{0}个字符")]
    TooLong(usize),
    /// Bidi override or isolate characters, which can disguise names and file names.
    #[error("包含不允许的控制字符")]
    Bidi,
}

impl super::RuleCode for TextError {
    fn rule_code(&self) -> String {
        match self {
            Self::Empty => "text.required",
            Self::TooLong(_) => "text.too_long",
            Self::Bidi => "text.bidi",
        }
        .to_owned()
    }
}

/// Whether `c` is a control character refused in any text input (VAL-06): every C0 and C1 control
/// and DEL, except tab and the line breaks `\n` and `\r` (a form's textarea sends `\r\n`).
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Where the first refused control character of `input` is (in characters), if any.
pub fn first_refused_control(input: &str) -> Option<usize> {
    input.chars().position(is_refused_control)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A single-line name (person, enterprise, unit): NFKC, trimmed, no control or bidi characters, ≤ `max` chars.
pub fn name(input: &str, max: usize) -> Result<String, TextError> {
    if input.chars().any(is_bidi_control) {
        return Err(TextError::Bidi);
    }
    let cleaned: String = input.nfkc().filter(|c| !c.is_control()).collect();
    bounded(cleaned.trim(), max)
}

/// Multi-line free text: `\n` and `\t` kept, other control characters dropped, bidi controls rejected.
pub fn free_text(input: &str, max: usize) -> Result<String, TextError> {
    if input.chars().any(is_bidi_control) {
        return Err(TextError::Bidi);
    }
    let cleaned: String =
        input.replace("\r\n", "\n").chars().filter(|&c| !c.is_control() || c == '\n' || c == '\t').collect();
    bounded(cleaned.trim(), max)
}

/// Optional text: empty input is `None`, anything else must pass `check`.
pub fn optional(
    input: Option<&str>,
    check: impl Fn(&str) -> Result<String, TextError>,
) -> Result<Option<String>, TextError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => check(text).map(Some),
    }
}

fn bounded(text: &str, max: usize) -> Result<String, TextError> {
    if text.is_empty() {
        Err(TextError::Empty)
    } else if text.chars().count() > max {
        Err(TextError::TooLong(max))
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(name("  渝中科技有限公司 ", 10), Ok("渝中科技有限公司".to_owned()));
        assert_eq!(name("a\u{0007}b", 10), Ok("ab".to_owned()));
        assert_eq!(name("\u{202E}gnp.exe", 20), Err(TextError::Bidi));
        assert_eq!(name("x\u{2066}y", 20), Err(TextError::Bidi));
        assert_eq!(name("   ", 10), Err(TextError::Empty));
        assert_eq!(name("一二三", 2), Err(TextError::TooLong(2)));
        assert_eq!(name("一二", 2), Ok("一二".to_owned()));
    }

    #[test]
    fn refused_controls_are_c0_c1_and_del_but_not_tab_or_line_breaks() {
        for c in ['\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}'] {
            assert!(is_refused_control(c), "{:?}", c);
        }
        for c in ['\t', '\n', '\r', ' ', 'a', '中', '\u{a0}', '\u{202e}'] {
            assert!(!is_refused_control(c), "{:?}", c);
        }
        assert_eq!(first_refused_control("ab\u{0}c"), Some(2));
        assert_eq!(first_refused_control("第一行\r\n第二行\t"), None);
    }

    #[test]
    fn free_text_keeps_newlines_and_tabs() {
        assert_eq!(free_text("a\r\nb\tc\u{0000}", 20), Ok("a\nb\tc".to_owned()));
        assert_eq!(optional(Some("  "), |t| name(t, 5)), Ok(None));
        assert_eq!(optional(Some("ok"), |t| name(t, 5)), Ok(Some("ok".to_owned())));
    }
}
