//! Instants in JSON exactly as chrono's serde writes them (RFC 3339, `Z`, a fraction of 0, 3, 6 or 9
//! digits as needed), written from their parts into a stack buffer: chrono goes through `fmt` a
//! character at a time, which showed in the profile of a worklist page (five instants a row).

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `#[serde(serialize_with = "crate::json_time::at")]`.
pub fn at<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match format(at, &mut buf).and_then(|len| std::str::from_utf8(&buf[..len]).ok()) {
        Some(text) => serializer.serialize_str(text),
        None => at.serialize(serializer),
    }
}

/// `#[serde(serialize_with = "crate::json_time::maybe")]`: `null` or [`at`].
pub fn maybe<S: Serializer>(value: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(instant) => at(instant, serializer),
        None => serializer.serialize_none(),
    }
}

/// Writes `instant` into `buf` and returns its length; `None` outside years 0–9999 and for a leap
/// second, which chrono's own writer then handles.
fn format(instant: &DateTime<Utc>, buf: &mut [u8; 30]) -> Option<usize> {
    let (date, time) = (instant.date_naive(), instant.time());
    let year = u32::try_from(date.year()).ok().filter(|year| *year <= 9999)?;
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut out = Digits { buf, len: 0 };
    out.number(year, 4);
    out.byte(b'-');
    out.number(date.month(), 2);
    out.byte(b'-');
    out.number(date.day(), 2);
    out.byte(b'T');
    out.number(time.hour(), 2);
    out.byte(b':');
    out.number(time.minute(), 2);
    out.byte(b':');
    out.number(time.second(), 2);
    if nanos != 0 {
        out.byte(b'.');
        if nanos % 1_000_000 == 0 {
            out.number(nanos / 1_000_000, 3);
        } else if nanos % 1_000 == 0 {
            out.number(nanos / 1_000, 6);
        } else {
            out.number(nanos, 9);
        }
    }
    out.byte(b'Z');
    Some(out.len)
}

/// A buffer being written.
struct Digits<'a> {
    buf: &'a mut [u8; 30],
    len: usize,
}

impl Digits<'_> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "at")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "maybe")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    fn both(at: DateTime<Utc>, maybe: Option<DateTime<Utc>>) -> (String, String) {
        let ours = serde_json::to_string(&Ours { at, maybe }).expect("ours");
        let chronos = serde_json::to_string(&Chronos { at, maybe }).expect("chrono's");
        (ours, chronos)
    }

    #[test]
    fn it_writes_what_chrono_writes_for_every_kind_of_fraction() {
        let base = Utc.with_ymd_and_hms(2026, 11, 30, 7, 5, 42).single().expect("instant");
        let fractions = [0, 1, 7, 999_999_999, 454_396_401, 454_396_000, 454_000_000, 1_000, 1_000_000, 100_000_000];
        for (n, nanos) in fractions.into_iter().enumerate() {
            let at = base + chrono::Duration::nanoseconds(i64::from(nanos)) + chrono::Duration::days(n as i64 * 400);
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
        assert_eq!(format(&leap, &mut [0; 30]), None);
        let (ours, chronos) = both(leap, None);
        assert_eq!(ours, chronos);
        let far = Utc.with_ymd_and_hms(12026, 1, 1, 0, 0, 0).single().expect("instant");
        assert_eq!(format(&far, &mut [0; 30]), None);
        assert_eq!(both(far, None).0, both(far, None).1);
    }
}
