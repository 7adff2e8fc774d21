//! Open311 GeoReport v2 rules, pure: a service's attribute datatypes and how submitted values are
//! checked against them, the open/closed mapping of statuses, W3C datetimes, the 90-day window of
//! request lists, and the title an item gets from a request's description; the rules of a request's
//! other arguments are in [`request`].

pub mod request;

use crate::TIMEZONE;
use crate::item::Status;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest description a request may carry, in characters.
pub const DESCRIPTION_MAX: usize = 4000;
/// The widest window a request list may span, and its default.
pub const WINDOW_DAYS: i64 = 90;
/// At most this many requests in one list.
pub const MAX_REQUESTS: i64 = 1000;
/// Longest `string` attribute value, in characters (`text` takes a description's length).
pub const STRING_MAX: usize = 200;

/// The datatype of a service attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    /// One line of text.
    String,
    /// A number.
    Number,
    /// A W3C datetime.
    Datetime,
    /// Longer text.
    Text,
    /// One key of the value list.
    SingleValueList,
    /// Any keys of the value list.
    MultiValueList,
}

impl Datatype {
    /// Every datatype.
    pub const ALL: [Datatype; 6] = [
        Datatype::String,
        Datatype::Number,
        Datatype::Datetime,
        Datatype::Text,
        Datatype::SingleValueList,
        Datatype::MultiValueList,
    ];

    /// The code the specification uses.
    pub fn code(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Datatype> {
        Datatype::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Whether values come from a list.
    pub fn is_list(self) -> bool {
        matches!(self, Datatype::SingleValueList | Datatype::MultiValueList)
    }
}

/// One choice of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueOption {
    /// What a client sends.
    pub key: String,
    /// What a person reads.
    pub name: String,
}

/// A service attribute as defined by an admin.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeDef {
    /// Code, unique within the service.
    pub code: String,
    /// Datatype.
    pub datatype: Datatype,
    /// Whether a request must give it.
    pub required: bool,
    /// The question asked.
    pub description: String,
    /// Order of appearance (unique, positive).
    pub order: i64,
    /// Choices of a list attribute.
    pub values: Vec<ValueOption>,
}

/// Values a request gave for one attribute: `attribute[CODE]` once, or `attribute[CODE][]` any times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenAttribute {
    /// The code inside the brackets.
    pub code: String,
    /// Whether the `[]` form was used.
    pub multiple: bool,
    /// The values, in order.
    pub values: Vec<String>,
}

/// An attribute value as stored: the code, its position among the attribute's values, the value.
pub type AttributeValue = (String, i64, String);

/// Checks the attributes a request gave against the service's definitions: no unknown codes, every
/// required one present, each value of its datatype (numbers finite, datetimes W3C with a zone, list
/// keys from the list, one value unless multi-valued). Empty values count as absent. Datetimes are
/// stored as RFC 3339 UTC. The error is a description for the client.
pub fn check_attributes(defs: &[AttributeDef], given: &[GivenAttribute]) -> Result<Vec<AttributeValue>, String> {
    let mut stored = Vec::new();
    for attribute in given {
        let Some(def) = defs.iter().find(|d| d.code == attribute.code) else {
            return Err(format!("unknown attribute {}: this service has no such attribute", attribute.code));
        };
        if given.iter().filter(|g| g.code == attribute.code).count() > 1 {
            return Err(format!("attribute {} is given more than once", def.code));
        }
        let values: Vec<&str> = attribute.values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
        if def.datatype != Datatype::MultiValueList && (attribute.multiple || values.len() > 1) {
            return Err(format!("attribute {} takes one value: send attribute[{}]", def.code, def.code));
        }
        for (position, value) in values.iter().enumerate() {
            let value = check_value(def, value)?;
            if stored.iter().any(|(code, _, v): &AttributeValue| code == &def.code && v == &value) {
                return Err(format!("attribute {} repeats the value {value}", def.code));
            }
            stored.push((def.code.clone(), i64::try_from(position).unwrap_or(i64::MAX), value));
        }
    }
    if let Some(missing) = defs.iter().find(|d| d.required && !stored.iter().any(|(code, ..)| code == &d.code)) {
        return Err(format!("attribute {} is required: {}", missing.code, missing.description));
    }
    Ok(stored)
}

/// Checks a service definition an administrator writes: codes of lowercase letters, digits and `_`
/// (starting with a letter, at most 32), each once; a description (at most 200 characters); list
/// datatypes with at least one choice, keys unique and non-empty; other datatypes without choices.
/// Orders are the positions, from 1. The error names the attribute.
pub fn check_definition(defs: &mut [AttributeDef]) -> Result<(), String> {
    for n in 0..defs.len() {
        let def = &defs[n];
        let code_ok = def.code.len() <= 32
            && def.code.starts_with(|c: char| c.is_ascii_lowercase())
            && def.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            return Err(format!(
                "属性代码 {:?} 应为小写字母开头的字母、数字或下划线 / attribute codes are a-z, 0-9 and _",
                def.code
            ));
        }
        if defs[..n].iter().any(|other| other.code == def.code) {
            return Err(format!("属性代码 {} 重复 / attribute {} is defined twice", def.code, def.code));
        }
        let description = def.description.trim();
        if description.is_empty() || description.chars().count() > 200 || description.chars().any(char::is_control) {
            return Err(format!(
                "属性 {} 的说明应为 1–200 字 / attribute {} needs a one-line description",
                def.code, def.code
            ));
        }
        let keys_ok = def.values.iter().enumerate().all(|(i, v)| {
            !v.key.trim().is_empty() && !v.name.trim().is_empty() && !def.values[..i].iter().any(|w| w.key == v.key)
        });
        if def.datatype.is_list() == def.values.is_empty() || !keys_ok {
            return Err(format!(
                "属性 {} 的选项不正确：列表类型须有不重复的选项，其他类型不能有选项 / attribute {}: list datatypes need distinct choices, others none",
                def.code, def.code
            ));
        }
    }
    for (position, def) in defs.iter_mut().enumerate() {
        def.order = i64::try_from(position).unwrap_or(i64::MAX - 1) + 1;
    }
    Ok(())
}

/// One value of `def`, checked and normalised.
fn check_value(def: &AttributeDef, value: &str) -> Result<String, String> {
    let code = &def.code;
    match def.datatype {
        Datatype::Number => match value.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(value.to_owned()),
            _ => Err(format!("attribute {code} must be a number, not {value:?}")),
        },
        Datatype::Datetime => parse_datetime(value)
            .map(|at| at.to_rfc3339())
            .ok_or_else(|| format!("attribute {code} must be a W3C datetime such as 2026-01-01T09:00:00+08:00")),
        Datatype::String | Datatype::Text => {
            let max = if def.datatype == Datatype::String { STRING_MAX } else { DESCRIPTION_MAX };
            if value.chars().count() > max {
                Err(format!("attribute {code} is longer than {max} characters"))
            } else if value.chars().any(|c| c.is_control() && !(def.datatype == Datatype::Text && c == '\n')) {
                Err(format!("attribute {code} contains control characters"))
            } else {
                Ok(value.to_owned())
            }
        }
        Datatype::SingleValueList | Datatype::MultiValueList => {
            if def.values.iter().any(|v| v.key == value) {
                Ok(value.to_owned())
            } else {
                let keys: Vec<&str> = def.values.iter().map(|v| v.key.as_str()).collect();
                Err(format!("attribute {code} must be one of {}", keys.join(", ")))
            }
        }
    }
}

/// A W3C datetime (RFC 3339 with a zone, e.g. `2026-01-01T09:00:00+08:00` or `…Z`), or a complete
/// date `YYYY-MM-DD`, taken as the start of that day in Asia/Shanghai.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (text.len() == 10).then(|| crate::calendar::day_start(date))
}

/// A W3C datetime in Asia/Shanghai, e.g. `2026-03-02T09:30:00+08:00` (written from its parts: a list
/// of 1,000 requests formats 3,000 of them, and parsing a format string each time showed in profiles).
pub fn format_datetime(at: DateTime<Utc>) -> String {
    use chrono::{Datelike, Offset, Timelike};
    let local = at.with_timezone(&TIMEZONE);
    let offset = local.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 3600, offset.abs() % 3600 / 60);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{hours:02}:{minutes:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// The window a request list covers, from its optional `start_date` and `end_date`: both given → that
/// range (at most 90 days, start not after end); one given → 90 days from or up to it; none → the last
/// 90 days. Bounds are inclusive.
pub fn window(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let span = Duration::days(WINDOW_DAYS);
    match (start, end) {
        (Some(start), Some(end)) if start > end => Err("start_date is after end_date".into()),
        (Some(start), Some(end)) if end - start > span => {
            Err(format!("start_date and end_date may not be more than {WINDOW_DAYS} days apart"))
        }
        (Some(start), Some(end)) => Ok((start, end)),
        (Some(start), None) => Ok((start, start + span)),
        (None, Some(end)) => Ok((end - span, end)),
        (None, None) => Ok((now - span, now)),
    }
}

/// `open` or `closed`: an item is open until it is resolved (then it waits for feedback, and a reopen
/// makes it open again), rejected or withdrawn.
pub fn is_open(status: Status) -> bool {
    matches!(status, Status::Submitted | Status::Accepted | Status::Assigned | Status::InProgress)
}

/// The Open311 status of an internal one.
pub fn public_status(status: Status) -> &'static str {
    if is_open(status) { "open" } else { "closed" }
}

/// The internal statuses a comma list of `open` / `closed` selects; an unknown word is an error.
pub fn statuses(list: &str) -> Result<Vec<Status>, String> {
    let mut chosen = Vec::new();
    for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let open = match word {
            "open" => true,
            "closed" => false,
            other => return Err(format!("status must be open or closed, not {other:?}")),
        };
        for status in Status::ALL.iter().copied().filter(|s| is_open(*s) == open) {
            if !chosen.contains(&status) {
                chosen.push(status);
            }
        }
    }
    Ok(chosen)
}

/// An item's title from a request's description: its first line, at most 30 characters.
pub fn title_from(description: &str) -> String {
    let line = description.trim().lines().next().unwrap_or_default().trim();
    let mut title: String = line.chars().take(30).collect();
    if line.chars().count() > 30 {
        title.push('…');
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn def(code: &str, datatype: Datatype, required: bool) -> AttributeDef {
        AttributeDef {
            code: code.into(),
            datatype,
            required,
            description: format!("{code}?"),
            order: 1,
            values: ["a", "b"].map(|k| ValueOption { key: k.into(), name: k.to_uppercase() }).to_vec(),
        }
    }

    fn given(code: &str, multiple: bool, values: &[&str]) -> GivenAttribute {
        GivenAttribute { code: code.into(), multiple, values: values.iter().map(|v| v.to_string()).collect() }
    }

    #[test]
    fn attributes_of_each_datatype_are_checked() {
        let defs = [
            def("n", Datatype::Number, true),
            def("d", Datatype::Datetime, false),
            def("one", Datatype::SingleValueList, false),
            def("many", Datatype::MultiValueList, false),
            def("s", Datatype::String, false),
        ];
        let ok = check_attributes(
            &defs,
            &[
                given("n", false, &["12.5"]),
                given("d", false, &["2026-01-05T09:00:00+08:00"]),
                given("one", false, &["b"]),
                given("many", true, &["a", "b"]),
                given("s", false, &[""]),
            ],
        );
        assert_eq!(
            ok,
            Ok(vec![
                ("n".into(), 0, "12.5".into()),
                ("d".into(), 0, "2026-01-05T01:00:00+00:00".into()),
                ("one".into(), 0, "b".into()),
                ("many".into(), 0, "a".into()),
                ("many".into(), 1, "b".into()),
            ])
        );
        let refused = [
            (vec![given("x", false, &["1"]), given("n", false, &["1"])], "unknown attribute x"),
            (vec![], "attribute n is required"),
            (vec![given("n", false, &[""])], "attribute n is required"),
            (vec![given("n", false, &["many"])], "must be a number"),
            (vec![given("n", false, &["inf"])], "must be a number"),
            (vec![given("n", true, &["1"])], "takes one value"),
            (vec![given("n", false, &["1"]), given("one", false, &["c"])], "must be one of a, b"),
            (vec![given("n", false, &["1"]), given("d", false, &["yesterday"])], "W3C datetime"),
            (vec![given("n", false, &["1"]), given("many", true, &["a", "a"])], "repeats"),
            (vec![given("n", false, &["1"]), given("n", false, &["2"])], "more than once"),
            (vec![given("n", false, &["1"]), given("s", false, &["a\u{7}"])], "control characters"),
        ];
        for (attributes, expected) in refused {
            let error = check_attributes(&defs, &attributes).expect_err(expected);
            assert!(error.contains(expected), "{error} should say {expected}");
        }
    }

    #[test]
    fn definitions_need_clean_codes_descriptions_and_choices_for_lists() {
        let mut good = vec![def("n", Datatype::Number, true), def("pick", Datatype::SingleValueList, false)];
        good[0].values.clear();
        good[1].order = 9;
        assert_eq!(check_definition(&mut good), Ok(()));
        assert_eq!(good.iter().map(|d| d.order).collect::<Vec<_>>(), [1, 2], "orders are positions");
        type Spoil = fn(&mut AttributeDef);
        let bad: [(Spoil, &str); 6] = [
            (|d| d.code = "N".into(), "attribute codes"),
            (|d| d.code = "a-b".into(), "attribute codes"),
            (|d| d.description = " ".into(), "description"),
            (|d| d.values = vec![ValueOption { key: "a".into(), name: "A".into() }], "list datatypes"),
            (|d| d.datatype = Datatype::MultiValueList, "list datatypes"),
            (|d| d.code = "pick".into(), "defined twice"),
        ];
        for (spoil, says) in bad {
            let mut defs = good.clone();
            spoil(&mut defs[0]);
            let error = check_definition(&mut defs).expect_err(says);
            assert!(error.contains(says), "{error}");
        }
    }

    #[test]
    fn datetimes_need_a_zone_or_a_whole_date() {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 1, 0, 0).single();
        assert_eq!(parse_datetime("2026-01-01T09:00:00+08:00"), at);
        assert_eq!(parse_datetime("2026-01-01T01:00:00Z"), at);
        assert_eq!(parse_datetime("2026-01-01"), Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).single());
        for bad in ["2026-01-01T09:00:00", "2026-13-01", "01/02/2026", "", "2026-1-1"] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert_eq!(
            format_datetime(Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).single().expect("valid")),
            "2026-03-02T09:30:00+08:00"
        );
        let summer_1988 = Utc.with_ymd_and_hms(1988, 6, 1, 18, 5, 9).single().expect("valid");
        let by_chrono = summer_1988.with_timezone(&TIMEZONE).format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        assert_eq!(
            (format_datetime(summer_1988), by_chrono.as_str()),
            ("1988-06-02T03:05:09+09:00".into(), "1988-06-02T03:05:09+09:00")
        );
    }

    #[test]
    fn windows_default_to_ninety_days_and_never_exceed_them() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single().expect("valid");
        let day = Duration::days(1);
        assert_eq!(window(None, None, now), Ok((now - day * 90, now)));
        assert_eq!(window(Some(now), None, now), Ok((now, now + day * 90)));
        assert_eq!(window(None, Some(now), now), Ok((now - day * 90, now)));
        assert_eq!(window(Some(now - day * 90), Some(now), now), Ok((now - day * 90, now)));
        assert!(window(Some(now - day * 91), Some(now), now).is_err());
        assert!(window(Some(now), Some(now - day), now).is_err());
    }

    #[test]
    fn statuses_map_to_open_and_closed() {
        assert_eq!(public_status(Status::InProgress), "open");
        assert_eq!(public_status(Status::Resolved), "closed");
        assert_eq!(public_status(Status::Withdrawn), "closed");
        assert_eq!(statuses("open").map(|s| s.len()), Ok(4));
        assert_eq!(statuses("open,closed").map(|s| s.len()), Ok(Status::ALL.len()));
        assert_eq!(statuses(""), Ok(vec![]));
        assert!(statuses("pending").is_err());
    }

    #[test]
    fn titles_are_the_first_line_cut_short() {
        assert_eq!(title_from("  路灯坏了\n详情"), "路灯坏了");
        assert_eq!(title_from(&"长".repeat(40)), format!("{}…", "长".repeat(30)));
    }
}
