//! Instants as text, written from their parts into a stack buffer: chrono's `format` parses its pattern
//! and goes through `fmt` a character at a time, which showed in the profiles of the worklist (five
//! instants a row in its JSON, one in each row of its page). The text is exactly chrono's; what this
//! writer does not cover (leap seconds, years beyond 0–9999) falls back to chrono.

use crate::TIMEZONE;
use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `#[serde(serialize_with = "liaison_core::time_text::rfc3339")]`: what chrono's serde writes (RFC 3339,
/// `Z`, a fraction of 0, 3, 6 or 9 digits as needed).
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut text = Text::default();
    match text.rfc3339(at) {
        Some(written) => serializer.serialize_str(written),
        None => at.serialize(serializer),
    }
}

/// `#[serde(serialize_with = "liaison_core::time_text::rfc3339_opt")]`: `null` or [`rfc3339`].
pub fn rfc3339_opt<S: Serializer>(value: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// Beijing local time to the minute, `YYYY-MM-DD HH:MM` (what the pages show).
pub fn local_minute(at: &DateTime<Utc>) -> String {
    let local = at.with_timezone(&TIMEZONE);
    let mut text = Text::default();
    match text.date_minute(&local.naive_local()) {
        Some(written) => written.to_owned(),
        None => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A buffer being written.
#[derive(Default)]
struct Text {
    buf: [u8; 30],
    len: usize,
}

impl Text {
    /// RFC 3339 in UTC; `None` for a leap second or a year outside 0–9999.
    fn rfc3339(&mut self, at: &DateTime<Utc>) -> Option<&str> {
        let nanos = at.nanosecond();
        if nanos >= 1_000_000_000 {
            return None;
        }
        self.date_minute_with(&at.naive_utc(), b'T')?;
        self.byte(b':');
        self.number(at.second(), 2);
        if nanos != 0 {
            self.byte(b'.');
            if nanos.is_multiple_of(1_000_000) {
                self.number(nanos / 1_000_000, 3);
            } else if nanos.is_multiple_of(1_000) {
                self.number(nanos / 1_000, 6);
            } else {
                self.number(nanos, 9);
            }
        }
        self.byte(b'Z');
        self.text()
    }

    /// `YYYY-MM-DD HH:MM`; `None` for a year outside 0–9999.
    fn date_minute(&mut self, at: &NaiveDateTime) -> Option<&str> {
        self.date_minute_with(at, b' ')?;
        self.text()
    }

    /// `YYYY-MM-DD<separator>HH:MM`.
    fn date_minute_with(&mut self, at: &NaiveDateTime, separator: u8) -> Option<()> {
        let year = u32::try_from(at.year()).ok().filter(|year| *year <= 9999)?;
        self.number(year, 4);
        self.byte(b'-');
        self.number(at.month(), 2);
        self.byte(b'-');
        self.number(at.day(), 2);
        self.byte(separator);
        self.number(at.hour(), 2);
        self.byte(b':');
        self.number(at.minute(), 2);
        Some(())
    }

    fn byte(&mut self, byte: u8) {
        self.buf[self.len] = byte;
        self.len += 1;
    }

    /// `value` in exactly `width` decimal digits (it never has more here).
    fn number(&mut self, value: u32, width: u32) {
        for place in (0..width).rev() {
            // A decimal digit is below ten, so the cast keeps it whole.
            self.byte(b'0' + (value / 10u32.pow(place) % 10) as u8);
        }
    }

    /// What was written (ASCII digits and separators only).
    fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.buf[..self.len]).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "rfc3339")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "rfc3339_opt")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    /// The JSON of ours and of chrono's serde.
    fn both(at: DateTime<Utc>, maybe: Option<DateTime<Utc>>) -> (String, String) {
        let ours = serde_json::to_string(&Ours { at, maybe }).expect("ours");
        let chronos = serde_json::to_string(&Chronos { at, maybe }).expect("chrono's");
        (ours, chronos)
    }

    #[test]
    fn rfc3339_is_what_chrono_writes_for_every_kind_of_fraction() {
        let base = Utc.with_ymd_and_hms(2026, 11, 30, 7, 5, 42).single().expect("instant");
        let fractions = [0, 1, 7, 999_999_999, 454_396_401, 454_396_000, 454_000_000, 1_000, 1_000_000, 100_000_000];
        for (n, nanos) in fractions.into_iter().enumerate() {
            let at = base + Duration::nanoseconds(i64::from(nanos)) + Duration::days(n as i64 * 400);
            let (ours, chronos) = both(at, Some(at));
            assert_eq!(ours, chronos, "{nanos} ns");
            let (ours, chronos) = both(at, None);
            assert_eq!(ours, chronos, "{nanos} ns, no second instant");
        }
        for (year, month, day, hour) in [(1970, 1, 1, 0), (2000, 2, 29, 23), (9999, 12, 31, 23), (1, 1, 1, 0)] {
            let at = Utc.with_ymd_and_hms(year, month, day, hour, 59, 59).single().expect("instant");
            let (ours, chronos) = both(at, Some(at));
            assert_eq!(ours, chronos, "{year}");
        }
    }

    #[test]
    fn leap_seconds_and_far_years_fall_back_to_chrono() {
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .expect("leap second")
            .and_utc();
        assert_eq!(Text::default().rfc3339(&leap), None);
        let (ours, chronos) = both(leap, None);
        assert_eq!(ours, chronos);
        let far = Utc.with_ymd_and_hms(12026, 1, 1, 0, 0, 0).single().expect("instant");
        assert_eq!(Text::default().rfc3339(&far), None);
        assert_eq!(both(far, None).0, both(far, None).1);
        assert_eq!(local_minute(&far), far.with_timezone(&TIMEZONE).format("%Y-%m-%d %H:%M").to_string());
    }

    #[test]
    fn local_minute_is_beijing_time_as_chrono_formats_it() {
        let mut at = Utc.with_ymd_and_hms(1985, 1, 1, 0, 0, 0).single().expect("instant");
        // Every ~37 hours over forty years: China's summer time of 1986–1991, midnights, new years.
        while at.year() < 2027 {
            let chronos = at.with_timezone(&TIMEZONE).format("%Y-%m-%d %H:%M").to_string();
            assert_eq!(local_minute(&at), chronos, "{at}");
            at += Duration::minutes(37 * 60 + 13) + Duration::seconds(7);
        }
        let evening = Utc.with_ymd_and_hms(2026, 12, 31, 16, 30, 59).single().expect("instant");
        assert_eq!(local_minute(&evening), "2027-01-01 00:30");
    }
}
