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
