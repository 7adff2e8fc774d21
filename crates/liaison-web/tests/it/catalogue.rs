//! Every translation key the templates and code use exists in Chinese and English.

use liaison_web::i18n::Lang;

fn keys() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut keys = Vec::new();
    let mut stack = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            for part in text.split(".t(\"").skip(1) {
                let key: String = part.chars().take_while(|c| *c != '"').collect();
                if key.contains('.') && key.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_') {
                    keys.push(key);
                }
            }
        }
    }
    for role in liaison_core::role::Role::ALL {
        keys.push(format!("role.{}", role.code()));
    }
    for kind in liaison_core::org::OrgKind::ALL {
        keys.push(format!("org.kind.{}", kind.code()));
    }
    for status in ["pending", "approved", "returned"] {
        keys.push(format!("self_report.{status}"));
    }
    use liaison_core::item::{Channel, Kind, Rating, Status, workflow::Step};
    keys.extend(Kind::ALL.iter().map(|k| format!("item.kind.{}", k.code())));
    keys.extend(Status::ALL.iter().map(|s| format!("item.status.{}", s.code())));
    keys.extend(Channel::ALL.iter().map(|c| format!("item.channel.{}", c.code())));
    keys.extend(Rating::ALL.iter().map(|r| format!("item.rating.{}", r.code())));
    keys.extend(Step::ALL.iter().flat_map(|s| [format!("item.step.{}", s.code()), format!("item.event.{}", s.code())]));
    keys.extend(
        ["submit", "warn", "overdue", "attach", "dispute", "mediate", "conclude"].map(|e| format!("item.event.{e}")),
    );
    keys.extend(liaison_store::item_list::Queue::ALL.iter().map(|q| format!("items.queue.{}", q.code())));
    keys.extend(["delivered", "read", "answered", "recalled"].map(|s| format!("referral.{s}")));
    keys.extend(["1", "2", "3"].map(|l| format!("mediation.level.{l}")));
    keys.extend(["reached", "not_reached"].map(|o| format!("mediation.outcome.{o}")));
    keys.extend(["reached", "failed", "adjourned"].map(|o| format!("mediation.session.{o}")));
    keys.extend(["json", "wecom_text", "wecom_markdown"].map(|f| format!("channels.format.{f}")));
    keys.extend(["pending", "sent", "failed"].map(|s| format!("deliveries.state.{s}")));
    for code in ["invalid_credentials", "too_many_requests"] {
        keys.push(format!("login.error.{code}"));
    }
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn every_key_is_translated_in_both_languages() {
    let keys = keys();
    assert!(keys.len() > 150, "found {} keys", keys.len());
    let missing: Vec<String> = keys
        .iter()
        .flat_map(|key| {
            [Lang::Zh, Lang::En]
                .into_iter()
                .filter(move |lang| lang.t(key) == *key)
                .map(move |lang| format!("{key} ({})", lang.code()))
        })
        .collect();
    assert!(missing.is_empty(), "untranslated: {missing:?}");
    assert_eq!(Lang::Zh.t("nav.home"), "工作台");
    assert_eq!(Lang::En.t("nav.home"), "Home");
}
