//! Money in integer fen (分), as DESIGN §9 requires: exact parsing of yuan amounts and display.

/// `12345.67` yuan → fen, exactly (no floating point).
pub fn parse_yuan(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', "");
    let (yuan, fen) = text.split_once('.').unwrap_or((&text, ""));
    if yuan.is_empty()
        || !yuan.bytes().all(|b| b.is_ascii_digit())
        || fen.len() > 2
        || !fen.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let fen = format!("{fen:0<2}").parse::<i64>().ok()?;
    yuan.parse::<i64>().ok()?.checked_mul(100)?.checked_add(fen)
}

/// Fen as yuan with two decimals, e.g. `¥12345.60`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}¥{}.{:02}", fen.unsigned_abs() / 100, fen.unsigned_abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::{parse_yuan, yuan};

    #[test]
    fn yuan_become_exact_fen() {
        assert_eq!(parse_yuan("12,345.6"), Some(1_234_560));
        assert_eq!(parse_yuan("0.05"), Some(5));
        assert_eq!(parse_yuan("100"), Some(10_000));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(parse_yuan("99999999999999999999"), None);
        assert_eq!(
            (yuan(1_234_560), yuan(5), yuan(-150)),
            ("¥12345.60".to_owned(), "¥0.05".to_owned(), "-¥1.50".to_owned())
        );
    }
}
