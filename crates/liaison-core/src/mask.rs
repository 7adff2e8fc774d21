//! Display masking of personal data, applied on the server before anything is serialised.

/// Keeps the first `head` and last `tail` characters and stars the rest (length preserved).
fn keep_ends(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, &c)| if i < head || i >= chars.len() - tail { c } else { '*' }).collect()
}

/// `13800138000` → `138****8000`.
pub fn mobile(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// `11010519491231002X` → `110***********002X` (hides birth date and district).
pub fn id_number(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// `张三丰` → `张**`.
pub fn person_name(value: &str) -> String {
    keep_ends(value, 1, 0)
}

/// Free text with every mobile number (11 digits `1[3-9]…`) and resident ID number (17 digits and a
/// digit or `X`) in it masked — for text shown outside the staff console (Open311 public reads).
/// Runs of digits of any other length are left as they are.
pub fn in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.bytes().all(|b| b.is_ascii_digit());
        let masked = match run.len() {
            11 if digits && run.as_bytes()[0] == b'1' && (b'3'..=b'9').contains(&run.as_bytes()[1]) => mobile(run),
            18 if run[..17].bytes().all(|b| b.is_ascii_digit()) => id_number(run),
            _ => run.clone(),
        };
        out.push_str(&masked);
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (matches!(c, 'X' | 'x') && run.len() == 17) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Whether `text` holds a number [`in_text`] masked (`138****8000`, `110***********002X`): what decides
/// whether a reveal has anything to show.
pub fn has_masked_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let digit = |c: &char| c.is_ascii_digit();
    let masked_at = |start: usize, stars: usize, tail: usize| {
        let end = start + 3 + stars + tail;
        end <= chars.len()
            && chars[start..start + 3].iter().all(digit)
            && chars[start + 3..start + 3 + stars].iter().all(|c| *c == '*')
            && chars[start + 3 + stars..end].iter().all(|c| c.is_ascii_digit() || matches!(c, 'X' | 'x'))
    };
    (0..chars.len()).any(|i| masked_at(i, 4, 4) || masked_at(i, 11, 4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn documented_examples() {
        assert_eq!(mobile("13800138000"), "138****8000");
        assert_eq!(id_number("11010519491231002X"), "110***********002X");
        assert_eq!(person_name("张三"), "张*");
        assert_eq!(person_name("欧阳娜娜"), "欧***");
        assert_eq!(mobile("123"), "***");
    }

    #[test]
    fn numbers_in_text_are_masked_and_other_digits_kept() {
        assert_eq!(in_text("联系13800138000，尽快"), "联系138****8000，尽快");
        assert_eq!(in_text("身份证11010519491231002X。"), "身份证110***********002X。");
        assert_eq!(in_text("身份证11010519491231002x"), "身份证110***********002x");
        assert_eq!(in_text("需要120人，电话0571-88888888"), "需要120人，电话0571-88888888");
        assert_eq!(in_text("订单12345678901"), "订单12345678901");
        assert_eq!(in_text("138001380001"), "138001380001");
    }

    #[test]
    fn masked_numbers_are_recognised() {
        assert!(has_masked_number(&in_text("联系13800138000")));
        assert!(has_masked_number(&in_text("身份证11010519491231002X")));
        assert!(!has_masked_number("需要120人，电话0571-88888888"));
        assert!(!has_masked_number("***"));
    }

    proptest! {
        #[test]
        fn mobile_mask_keeps_length_and_only_the_allowed_positions(digits in "1[3-9][0-9]{9}") {
            let masked = mobile(&digits);
            prop_assert_eq!(masked.len(), 11);
            prop_assert_eq!(&masked[..3], &digits[..3]);
            prop_assert_eq!(&masked[7..], &digits[7..]);
            prop_assert_eq!(&masked[3..7], "****");
        }
    }
}
