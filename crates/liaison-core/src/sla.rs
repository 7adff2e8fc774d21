//! Service levels (DESIGN §4): response and resolution due instants per kind × priority on the
//! working-day calendar, the warning instant at a share of the time (80 % by default), pause and
//! resume, and each item's exact margin so every rate counts whole items against their own due time.

use crate::calendar::{Calendar, DAY};
use crate::item::{Kind, Priority};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A time allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "value")]
pub enum Span {
    /// Wall-clock hours (urgent responses do not wait for a holiday).
    Hours(i64),
    /// Working days on the calendar.
    WorkingDays(i64),
}

/// The allowances for one kind × priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Until the first response (受理).
    pub respond: Span,
    /// Until resolution (办结), in working days.
    pub resolve_days: i64,
    /// Warn (催办) when this share of the resolution time is used, in percent.
    pub warn_percent: i64,
}

/// DESIGN §4 defaults: need 1 / 5 working days, dispute 1 / 15, consultation 1 / 2; suggestion 1 / 10
/// and report 1 / 5; urgent items must be answered within 2 hours.
pub fn default_policy(kind: Kind, priority: Priority) -> Policy {
    let resolve_days = match kind {
        Kind::Need | Kind::Report => 5,
        Kind::Dispute => 15,
        Kind::Suggestion => 10,
        Kind::Consultation => 2,
    };
    let respond = match priority {
        Priority::Urgent => Span::Hours(2),
        Priority::Normal => Span::WorkingDays(1),
    };
    Policy { respond, resolve_days, warn_percent: 80 }
}

/// The due instants of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// First response due.
    pub respond_due: DateTime<Utc>,
    /// Resolution due.
    pub resolve_due: DateTime<Utc>,
    /// When to warn (催办).
    pub warn_at: DateTime<Utc>,
}

impl Policy {
    /// Checks the bounds an admin may set.
    pub fn validate(&self) -> Result<(), &'static str> {
        let respond_ok = match self.respond {
            Span::Hours(h) => (1..=240).contains(&h),
            Span::WorkingDays(d) => (1..=30).contains(&d),
        };
        if !respond_ok {
            return Err("响应时限须为 1–240 小时或 1–30 个工作日 / respond within 1–240 hours or 1–30 working days");
        }
        if !(1..=120).contains(&self.resolve_days) {
            return Err("办结时限须为 1–120 个工作日 / resolve within 1–120 working days");
        }
        if !(10..=99).contains(&self.warn_percent) {
            return Err("预警比例须为 10–99% / warning share must be 10–99 %");
        }
        Ok(())
    }

    /// The deadlines of an item submitted at `start`.
    pub fn deadlines(&self, calendar: &Calendar, start: DateTime<Utc>) -> Deadlines {
        let respond_due = match self.respond {
            Span::Hours(hours) => start + Duration::hours(hours),
            Span::WorkingDays(days) => calendar.add_working_seconds(start, days * DAY),
        };
        let allowance = self.resolve_days * DAY;
        Deadlines {
            respond_due,
            resolve_due: calendar.add_working_seconds(start, allowance),
            warn_at: calendar.add_working_seconds(start, allowance * self.warn_percent / 100),
        }
    }
}

/// Moves a due instant after a pause from `paused_at` to `resumed_at`: the working time that was left
/// at the pause is left again at the resume.
pub fn shift_after_pause(
    calendar: &Calendar,
    due: DateTime<Utc>,
    paused_at: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
) -> DateTime<Utc> {
    if due <= paused_at {
        return due;
    }
    let left = calendar.working_seconds_between(paused_at, due);
    calendar.add_working_seconds(resumed_at, left)
}

/// Working seconds between `done` and `due`: positive when early (margin), negative when late.
pub fn margin(calendar: &Calendar, done: DateTime<Utc>, due: DateTime<Utc>) -> i64 {
    if done <= due { calendar.working_seconds_between(done, due) } else { -calendar.working_seconds_between(due, done) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        crate::TIMEZONE.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("instant").with_timezone(&Utc)
    }

    #[test]
    fn defaults_follow_the_design() {
        assert_eq!(default_policy(Kind::Need, Priority::Normal).resolve_days, 5);
        assert_eq!(default_policy(Kind::Dispute, Priority::Normal).resolve_days, 15);
        assert_eq!(default_policy(Kind::Consultation, Priority::Normal).resolve_days, 2);
        assert_eq!(default_policy(Kind::Need, Priority::Urgent).respond, Span::Hours(2));
        for kind in Kind::ALL {
            assert_eq!(default_policy(*kind, Priority::Normal).validate(), Ok(()));
        }
    }

    #[test]
    fn a_need_before_the_national_day_is_due_after_it() {
        let cal = Calendar::official();
        let policy = default_policy(Kind::Need, Priority::Normal);
        // Monday 28 Sep 2026, 10:00: 29, 30 Sep, then 1–7 Oct off, 8, 9 Oct and Saturday 10 Oct (调休).
        let due = policy.deadlines(&cal, at(2026, 9, 28, 10));
        assert_eq!(due.respond_due, at(2026, 9, 29, 10));
        assert_eq!(due.resolve_due, at(2026, 10, 10, 10));
        // 80 % of 5 working days = 4 days → 9 Oct 10:00.
        assert_eq!(due.warn_at, at(2026, 10, 9, 10));
        let urgent = default_policy(Kind::Need, Priority::Urgent).deadlines(&cal, at(2026, 10, 1, 10));
        assert_eq!(urgent.respond_due, at(2026, 10, 1, 12), "urgent answers do not wait for the holiday");
    }

    #[test]
    fn a_pause_gives_back_the_time_it_took() {
        let cal = Calendar::official();
        let due = at(2026, 3, 6, 10); // Friday
        // Paused Wednesday 10:00 with 2 working days left, resumed Thursday 10:00 → Monday 10:00.
        assert_eq!(shift_after_pause(&cal, due, at(2026, 3, 4, 10), at(2026, 3, 5, 10)), at(2026, 3, 9, 10));
        // Paused after the due time: nothing is given back.
        assert_eq!(shift_after_pause(&cal, due, at(2026, 3, 7, 10), at(2026, 3, 9, 10)), due);
    }

    #[test]
    fn margins_are_signed_working_seconds() {
        let cal = Calendar::official();
        let due = at(2026, 3, 9, 10); // Monday
        assert_eq!(margin(&cal, at(2026, 3, 6, 10), due), DAY, "Friday is one working day early");
        assert_eq!(margin(&cal, at(2026, 3, 9, 12), due), -2 * 3600);
        assert_eq!(margin(&cal, due, due), 0);
    }

    #[test]
    fn admins_cannot_set_absurd_policies() {
        let policy = Policy { respond: Span::Hours(0), resolve_days: 5, warn_percent: 80 };
        assert!(policy.validate().is_err());
        assert!(Policy { respond: Span::WorkingDays(1), resolve_days: 0, warn_percent: 80 }.validate().is_err());
        assert!(Policy { respond: Span::WorkingDays(1), resolve_days: 5, warn_percent: 100 }.validate().is_err());
    }
}
