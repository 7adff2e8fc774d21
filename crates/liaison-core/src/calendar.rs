//! The working-day calendar (工作日历): weekends, public holidays and adjusted workdays (调休), shipped as
//! data and replaceable by a file, and working-time arithmetic in Asia/Shanghai for SLA due dates.
//!
//! Working time is the time that falls on working days (whole local days): "one working day" from
//! Monday 10:00 ends Tuesday 10:00, and from Saturday 10:00 it ends at the end of Monday.

use crate::TIMEZONE;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use std::collections::BTreeMap;

/// The official calendar shipped with the binary.
pub const OFFICIAL: &str = include_str!("../data/calendar-cn.txt");

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// How a date differs from the weekday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// 放假: a rest day even if it is a weekday.
    Holiday,
    /// 调休上班: a working day even if it is a weekend.
    Workday,
}

/// A line of a calendar file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar line {line}: {reason}")]
pub struct CalendarError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Exceptions to the weekday rule, by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, (DayKind, String)>,
}

impl Calendar {
    /// The calendar shipped with the binary (official notices 2025–2026).
    pub fn official() -> Self {
        Self::parse(OFFICIAL).unwrap_or_else(|_| Self { days: BTreeMap::new() })
    }

    /// Reads `YYYY-MM-DD holiday|workday name` lines; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut days = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let fail = |reason: &str| CalendarError { line: index + 1, reason: reason.to_owned() };
            let mut parts = line.splitn(3, char::is_whitespace);
            let date = parts
                .next()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| fail("expected a date YYYY-MM-DD"))?;
            let kind = match parts.next().map(str::trim) {
                Some("holiday") => DayKind::Holiday,
                Some("workday") => DayKind::Workday,
                _ => return Err(fail("expected `holiday` or `workday` after the date")),
            };
            let name = parts.next().unwrap_or_default().trim().to_owned();
            if days.insert(date, (kind, name)).is_some() {
                return Err(fail("date listed twice"));
            }
        }
        Ok(Self { days })
    }

    /// Years with at least one listed exception.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.days.keys().map(Datelike::year).collect();
        years.dedup();
        years
    }

    /// True when `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The instant `seconds` of working time after `start`.
    pub fn add_working_seconds(&self, start: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        if seconds <= 0 {
            return start;
        }
        let mut at = local(start);
        let mut left = seconds;
        loop {
            let next_midnight = midnight_after(at);
            if self.is_working_day(at.date()) {
                let available = (next_midnight - at).num_seconds();
                if left <= available {
                    return utc(at + chrono::Duration::seconds(left));
                }
                left -= available;
            }
            at = next_midnight;
        }
    }

    /// The working time between two instants (0 when `to` is not after `from`).
    pub fn working_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let (mut at, end) = (local(from), local(to));
        let mut total = 0;
        while at < end {
            let next_midnight = midnight_after(at).min(end);
            if self.is_working_day(at.date()) {
                total += (next_midnight - at).num_seconds();
            }
            at = next_midnight;
        }
        total
    }
}

/// The local (Beijing) date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    local(at).date()
}

/// The instant the local day `date` begins.
pub fn day_start(date: NaiveDate) -> DateTime<Utc> {
    utc(date.and_time(chrono::NaiveTime::MIN))
}

/// The instant the local day after `at`'s begins (when a daily allowance renews).
pub fn next_day_start(at: DateTime<Utc>) -> DateTime<Utc> {
    utc(midnight_after(local(at)))
}

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&TIMEZONE).naive_local()
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    // Asia/Shanghai has had no daylight saving since 1991, so every local time maps to one instant.
    TIMEZONE.from_local_datetime(&at).earliest().map_or_else(|| at.and_utc(), |t| t.with_timezone(&Utc))
}

fn midnight_after(at: NaiveDateTime) -> NaiveDateTime {
    at.date().checked_add_days(Days::new(1)).unwrap_or(at.date()).and_time(chrono::NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_days_begin_at_beijing_midnight() {
        let at: DateTime<Utc> = "2026-03-01T20:00:00Z".parse().expect("instant");
        assert_eq!(local_date(at).to_string(), "2026-03-02", "04:00 in Beijing");
        assert_eq!(day_start(local_date(at)).to_rfc3339(), "2026-03-01T16:00:00+00:00");
        assert_eq!(next_day_start(at).to_rfc3339(), "2026-03-02T16:00:00+00:00");
    }

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test instant");
        utc(local)
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn official_calendar_knows_holidays_and_adjusted_workdays() {
        let cal = Calendar::official();
        assert_eq!(cal.years(), vec![2025, 2026]);
        assert!(!cal.is_working_day(date("2026-02-16")), "春节 Monday");
        assert!(cal.is_working_day(date("2026-02-14")), "春节调休 Saturday");
        assert!(cal.is_working_day(date("2026-01-04")), "元旦调休 Sunday");
        assert!(!cal.is_working_day(date("2025-10-08")), "国庆 Wednesday");
        assert!(cal.is_working_day(date("2025-04-27")), "劳动节调休 Sunday");
        assert!(cal.is_working_day(date("2027-03-02")) && !cal.is_working_day(date("2027-03-06")), "weekday rule");
    }

    #[test]
    fn one_working_day_from_a_weekday_ends_the_next_day_at_the_same_time() {
        let cal = Calendar::official();
        assert_eq!(cal.add_working_seconds(at("2026-03-02 10:00"), DAY), at("2026-03-03 10:00"));
        // Friday + 1 working day → Monday.
        assert_eq!(cal.add_working_seconds(at("2026-03-06 10:00"), DAY), at("2026-03-09 10:00"));
        // Saturday counts from Monday 00:00 → end of Monday.
        assert_eq!(cal.add_working_seconds(at("2026-03-07 10:00"), DAY), at("2026-03-10 00:00"));
    }

    #[test]
    fn spring_festival_is_skipped_and_its_saturday_counts() {
        let cal = Calendar::official();
        // Friday 13 Feb 2026 + 1 working day: Saturday 14th is a workday (调休).
        assert_eq!(cal.add_working_seconds(at("2026-02-13 09:00"), DAY), at("2026-02-14 09:00"));
        // Saturday 14th + 1 working day: 15th–23rd are holidays, so Tuesday 24th.
        assert_eq!(cal.add_working_seconds(at("2026-02-14 09:00"), DAY), at("2026-02-24 09:00"));
        // Five working days from Thursday 12th: 13, 14, 24, 25, 26 → Thursday 26th.
        assert_eq!(cal.add_working_seconds(at("2026-02-12 15:30"), 5 * DAY), at("2026-02-26 15:30"));
    }

    #[test]
    fn between_is_the_inverse_of_add() {
        let cal = Calendar::official();
        for start in ["2026-02-12 15:30", "2026-09-30 23:59", "2025-12-31 08:00", "2026-05-09 12:00"] {
            for days in [1, 2, 5, 15] {
                let due = cal.add_working_seconds(at(start), days * DAY);
                assert_eq!(cal.working_seconds_between(at(start), due) % DAY, 0, "{start} + {days}");
                assert!(cal.working_seconds_between(at(start), due) <= days * DAY);
            }
        }
        let from = at("2026-03-02 10:00");
        assert_eq!(cal.working_seconds_between(from, cal.add_working_seconds(from, 3 * DAY + 17)), 3 * DAY + 17);
        assert_eq!(cal.working_seconds_between(at("2026-03-03 00:00"), at("2026-03-02 00:00")), 0);
        // A weekend in between contributes nothing.
        assert_eq!(cal.working_seconds_between(at("2026-03-06 12:00"), at("2026-03-09 12:00")), DAY);
    }

    #[test]
    fn a_replacement_file_is_checked_line_by_line() {
        let cal = Calendar::parse("# comment\n2027-02-06 holiday 春节\n2027-02-20 workday\n").expect("valid");
        assert!(!cal.is_working_day(date("2027-02-06")) && cal.is_working_day(date("2027-02-20")));
        assert_eq!(Calendar::parse("2027-13-01 holiday x").err().map(|e| e.line), Some(1));
        assert_eq!(Calendar::parse("\n2027-01-01 rest").err().map(|e| e.line), Some(2));
        assert!(Calendar::parse("2027-01-01 holiday\n2027-01-01 workday").is_err());
    }
}
