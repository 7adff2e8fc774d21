//! Items of the closed loop (DESIGN §4): kinds, priorities, channels, statuses, feedback grades and the
//! human number (`YZ-2026-000123`). The state machine itself is in [`workflow`].

pub mod input;
pub mod intake;
pub mod mediation;
pub mod state;
pub mod workflow;

use serde::{Deserialize, Serialize};

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code stored and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Parses a stable code.
            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

coded_enum! {
    /// What an item is about.
    Kind {
        /// 诉求/需求
        Need = "need", "诉求需求";
        /// 矛盾纠纷
        Dispute = "dispute", "矛盾纠纷";
        /// 意见建议
        Suggestion = "suggestion", "意见建议";
        /// 政策咨询
        Consultation = "consultation", "政策咨询";
        /// 线索举报
        Report = "report", "线索举报";
    }
}

coded_enum! {
    /// How urgent an item is; urgent items must be answered within hours.
    Priority {
        /// 一般
        Normal = "normal", "一般";
        /// 紧急
        Urgent = "urgent", "紧急";
    }
}

coded_enum! {
    /// How an item reached the platform.
    Channel {
        /// 助企直通车 — the enterprise portal or the API.
        Portal = "portal", "助企直通车";
        /// 电话
        Phone = "phone", "电话";
        /// 走访
        Visit = "visit", "走访";
        /// 助企帮帮团 (help group)
        HelpGroup = "help_group", "助企帮帮团";
        /// 接待日
        ReceptionDay = "reception_day", "接待日";
        /// 来访
        WalkIn = "walk_in", "来访";
        /// 开放接口: an Open311 client (an enterprise's own system, or a public channel).
        Open311 = "open311", "开放接口";
    }
}

coded_enum! {
    /// Where an item stands in the closed loop.
    Status {
        /// 已提交 (情况收集)
        Submitted = "submitted", "已提交";
        /// 已受理 (问题上报)
        Accepted = "accepted", "已受理";
        /// 已交办
        Assigned = "assigned", "已交办";
        /// 办理中 (落实)
        InProgress = "in_progress", "办理中";
        /// 已办结, awaiting feedback
        Resolved = "resolved", "已办结";
        /// 已关闭 (反馈/评价)
        Closed = "closed", "已关闭";
        /// 不予受理
        Rejected = "rejected", "不予受理";
        /// 已撤回
        Withdrawn = "withdrawn", "已撤回";
    }
}

coded_enum! {
    /// The enterprise's satisfaction grade (满意度).
    Rating {
        /// 非常满意
        VerySatisfied = "very_satisfied", "非常满意";
        /// 满意
        Satisfied = "satisfied", "满意";
        /// 基本满意
        FairlySatisfied = "fairly_satisfied", "基本满意";
        /// 不满意
        Unsatisfied = "unsatisfied", "不满意";
        /// 非常不满意
        VeryUnsatisfied = "very_unsatisfied", "非常不满意";
    }
}

impl Status {
    /// True while the item still needs work from the police side (SLA clocks run).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Submitted | Status::Accepted | Status::Assigned | Status::InProgress)
    }

    /// True when nothing more can happen to the item.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Rejected | Status::Withdrawn)
    }
}

impl Rating {
    /// Counts as satisfied in 满意率 (非常满意, 满意, 基本满意).
    pub fn is_satisfied(self) -> bool {
        matches!(self, Rating::VerySatisfied | Rating::Satisfied | Rating::FairlySatisfied)
    }
}

/// Whether a feedback reopens the item (重办): unsatisfied or not solved.
pub fn feedback_reopens(rating: Rating, solved: bool) -> bool {
    !(rating.is_satisfied() && solved)
}

/// The human number of an item: district code, year and a six-digit sequence (`YZ-2026-000123`).
pub fn human_number(district_code: &str, year: i32, sequence: i64) -> String {
    format!("{district_code}-{year}-{sequence:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_are_chinese() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.code()), Some(*kind));
        }
        for status in Status::ALL {
            assert_eq!(Status::parse(status.code()), Some(*status));
            assert!(!(status.is_open() && status.is_final()));
        }
        assert_eq!(Kind::parse("complaint"), None);
        assert_eq!(Channel::HelpGroup.label(), "助企帮帮团");
    }

    #[test]
    fn only_satisfied_and_solved_feedback_closes() {
        assert!(!feedback_reopens(Rating::FairlySatisfied, true));
        assert!(feedback_reopens(Rating::Satisfied, false));
        assert!(feedback_reopens(Rating::Unsatisfied, true));
        assert!(feedback_reopens(Rating::VeryUnsatisfied, false));
    }

    #[test]
    fn human_numbers_are_zero_padded() {
        assert_eq!(human_number("YZ", 2026, 123), "YZ-2026-000123");
        assert_eq!(human_number("YZ", 2026, 1_234_567), "YZ-2026-1234567");
    }
}
