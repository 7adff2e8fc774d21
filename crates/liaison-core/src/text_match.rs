//! Chinese text similarity for the duplicate hint: jieba segments both texts (search mode, the embedded
//! dictionary), common function words and single characters are dropped, and two texts are similar
//! when they share enough words.

use jieba_rs::Jieba;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Words too common to say anything about a matter.
const STOP_WORDS: [&str; 24] = [
    "我们", "你们", "他们", "企业", "公司", "需要", "希望", "问题", "情况", "请求", "帮助", "协助", "一下", "这个",
    "那个", "没有", "已经", "可以", "能否", "是否", "目前", "现在", "相关", "进行",
];

/// Words two texts must share to count as similar (or half of the shorter text's words).
pub const MIN_COMMON: usize = 2;

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// The meaningful words of a text: jieba search-mode words of two or more characters (or ASCII words of
/// two or more letters/digits, lower-cased), without stop words.
pub fn words(text: &str) -> BTreeSet<String> {
    jieba()
        .cut_for_search(text, true)
        .into_iter()
        .map(|token| token.word.trim().to_lowercase())
        .filter(|word| word.chars().count() >= 2 && word.chars().all(char::is_alphanumeric))
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .collect()
}

/// How many words two word sets share.
pub fn common(a: &BTreeSet<String>, b: &BTreeSet<String>) -> usize {
    a.intersection(b).count()
}

/// True when `candidate` looks like the same matter as `draft`.
pub fn similar(draft: &BTreeSet<String>, candidate: &BTreeSet<String>) -> bool {
    let shared = common(draft, candidate);
    let shorter = draft.len().min(candidate.len());
    shared >= MIN_COMMON || (shorter > 0 && shared * 2 >= shorter && shared > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_segmented_into_meaningful_words() {
        let found = words("春节后企业需要招聘三十名操作工，希望协助对接招聘会");
        assert!(found.contains("招聘") && found.contains("操作工") && found.contains("招聘会"), "{found:?}");
        assert!(!found.contains("企业") && !found.contains("需要") && !found.contains("，"));
    }

    #[test]
    fn the_same_matter_in_other_words_is_similar_and_another_matter_is_not() {
        let draft = words("招工难：春节后缺三十名操作工");
        assert!(similar(&draft, &words("春节后招聘操作工困难，请协助")));
        assert!(!similar(&draft, &words("厂区门口道路照明不足，夜间存在安全隐患")));
        assert!(!similar(&words(""), &words("招聘操作工")));
    }
}
