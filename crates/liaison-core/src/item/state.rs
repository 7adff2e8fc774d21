//! An item's mutable state and what each step does to it: the status from [`workflow`], the SLA
//! bookkeeping (first response and its margin, pause and resume, resolution margin, reopen with new
//! deadlines) and feedback. The store saves the result under optimistic concurrency.

use super::workflow::{Actor, ItemFacts, Refusal, Step, decide};
use super::{Rating, Status, feedback_reopens};
use crate::calendar::Calendar;
use crate::org::OrgPath;
use crate::sla::{self, Policy};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Days the enterprise has to give feedback before the item closes as "no feedback".
pub const FEEDBACK_DAYS: i64 = 7;

/// Everything about an item that steps read or change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemState {
    /// Id.
    pub id: i64,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Status.
    pub status: Status,
    /// Enterprise.
    pub enterprise_id: i64,
    /// The enterprise's community path.
    #[serde(skip)]
    pub path: OrgPath,
    /// The enterprise's officer at submission.
    pub officer_id: Option<i64>,
    /// Handling officer.
    pub handler_id: Option<i64>,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
    /// First response due.
    pub respond_due_at: DateTime<Utc>,
    /// Resolution due.
    pub resolve_due_at: DateTime<Utc>,
    /// Warning (催办) instant.
    pub warn_at: DateTime<Utc>,
    /// First response.
    pub responded_at: Option<DateTime<Utc>>,
    /// Working seconds to spare at the first response (negative: late).
    pub respond_margin: Option<i64>,
    /// Resolution.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Working seconds to spare at resolution (negative: late).
    pub resolve_margin: Option<i64>,
    /// Working seconds from submission to resolution, pauses excluded.
    pub working_seconds: Option<i64>,
    /// Resolution text.
    pub resolution: Option<String>,
    /// Closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// `feedback`, `no_feedback`, `rejected` or `withdrawn`.
    pub close_reason: Option<String>,
    /// Clock paused since.
    pub paused_at: Option<DateTime<Utc>>,
    /// Working seconds spent paused.
    pub paused_seconds: i64,
    /// Warning sent.
    pub warned_at: Option<DateTime<Utc>>,
    /// Flagged overdue.
    pub overdue_at: Option<DateTime<Utc>>,
    /// 0 = officer / community, 1 = station, 2 = center.
    pub escalation_level: i64,
    /// Last escalation.
    pub escalated_at: Option<DateTime<Utc>>,
    /// Under supervision (督办) since.
    pub supervised_at: Option<DateTime<Utc>>,
    /// Times reopened (重办).
    pub reopen_count: i64,
    /// Feedback grade.
    pub rating: Option<Rating>,
    /// Feedback: solved or not.
    pub solved: Option<bool>,
    /// Feedback time.
    pub feedback_at: Option<DateTime<Utc>>,
    /// Feedback recorded by staff on the enterprise's behalf (phone follow-up).
    pub feedback_by_staff: bool,
    /// Departments referred to, with whether their answer is still awaited (kept in `referral`).
    pub referrals: Vec<(i64, bool)>,
}

/// What a step carries besides the step itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepInput {
    /// Comment, reason, resolution or note text.
    pub body: String,
    /// The handler for assign / reassign.
    pub handler_id: Option<i64>,
    /// Feedback grade.
    pub rating: Option<Rating>,
    /// Feedback: solved or not.
    pub solved: Option<bool>,
    /// Refer / recall: the department (org unit id).
    pub department_id: Option<i64>,
}

/// The world a step runs in.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// Now.
    pub now: DateTime<Utc>,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The item's SLA policy (for deadlines after a reopen).
    pub policy: &'a Policy,
}

/// A step refused for missing input (422), or by the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// The rules refused.
    Refused(Refusal),
    /// A field the step needs is missing: its name and a message.
    Missing(&'static str, &'static str),
}

impl From<Refusal> for StepError {
    fn from(refusal: Refusal) -> Self {
        StepError::Refused(refusal)
    }
}

impl ItemState {
    /// A just-submitted item with its deadlines.
    pub fn submitted(
        enterprise_id: i64,
        path: OrgPath,
        officer_id: Option<i64>,
        submitted_at: DateTime<Utc>,
        due: crate::sla::Deadlines,
    ) -> Self {
        ItemState {
            id: 0,
            version: 1,
            status: Status::Submitted,
            enterprise_id,
            path,
            officer_id,
            handler_id: None,
            submitted_at,
            respond_due_at: due.respond_due,
            resolve_due_at: due.resolve_due,
            warn_at: due.warn_at,
            responded_at: None,
            respond_margin: None,
            resolved_at: None,
            resolve_margin: None,
            working_seconds: None,
            resolution: None,
            closed_at: None,
            close_reason: None,
            paused_at: None,
            paused_seconds: 0,
            warned_at: None,
            overdue_at: None,
            escalation_level: 0,
            escalated_at: None,
            supervised_at: None,
            reopen_count: 0,
            rating: None,
            solved: None,
            feedback_at: None,
            feedback_by_staff: false,
            referrals: Vec::new(),
        }
    }

    /// The facts the permission rules read.
    pub fn facts(&self) -> ItemFacts {
        ItemFacts {
            status: self.status,
            enterprise_id: self.enterprise_id,
            path: self.path.clone(),
            officer_id: self.officer_id,
            handler_id: self.handler_id,
            paused: self.paused_at.is_some(),
            supervised: self.supervised_at.is_some(),
            referrals: self.referrals.clone(),
        }
    }

    /// Applies `step` by `actor`; on success the status and bookkeeping are updated and the version
    /// is bumped. On error nothing changed.
    pub fn apply(&mut self, actor: Actor<'_>, step: Step, input: &StepInput, env: Env<'_>) -> Result<(), StepError> {
        let reopens = match (step, input.rating, input.solved) {
            (Step::Feedback, Some(rating), Some(solved)) => feedback_reopens(rating, solved),
            (Step::Feedback, None, _) => return Err(StepError::Missing("rating", "请选择满意度 / choose a rating")),
            (Step::Feedback, _, None) => {
                return Err(StepError::Missing("solved", "请说明问题是否解决 / say whether it was solved"));
            }
            _ => false,
        };
        let next = decide(actor, &self.facts(), step, reopens)?;
        let needs_text = matches!(
            step,
            Step::Reject | Step::Resolve | Step::Comment | Step::Note | Step::Supervise | Step::Refer | Step::Answer
        );
        if needs_text && input.body.trim().is_empty() {
            return Err(StepError::Missing("body", "请填写说明 / a text is required"));
        }
        if matches!(step, Step::Assign | Step::Reassign) && input.handler_id.is_none() {
            return Err(StepError::Missing("handler_id", "请选择承办民警 / choose the handling officer"));
        }
        let now = env.now;
        let pending = |referrals: &[(i64, bool)], id: i64| referrals.iter().any(|&(d, p)| d == id && p);
        let department = match (step, input.department_id, actor) {
            (Step::Refer, None, _) => {
                return Err(StepError::Missing("department_id", "请选择协同部门 / choose the department"));
            }
            (Step::Refer, Some(id), _) if pending(&self.referrals, id) => {
                return Err(StepError::Missing("department_id", "已转办该部门，尚待答复 / already referred there"));
            }
            (Step::Recall, Some(id), _) if !pending(&self.referrals, id) => {
                return Err(StepError::Missing("department_id", "该部门没有待答复的转办 / nothing to recall there"));
            }
            (Step::Recall, None, _) => self.referrals.iter().find(|r| r.1).map(|r| r.0),
            (Step::Answer, _, Actor::User(viewer)) => viewer.unit_path.ids().last().copied(),
            (_, id, _) => id,
        };
        match step {
            Step::Accept | Step::Reject => self.respond(env),
            Step::Assign | Step::Reassign => {
                self.respond(env);
                self.handler_id = input.handler_id;
            }
            Step::Resolve => {
                self.resolved_at = Some(now);
                self.resolution = Some(input.body.trim().to_owned());
                self.resolve_margin = Some(sla::margin(env.calendar, now, self.resolve_due_at));
                let elapsed = env.calendar.working_seconds_between(self.submitted_at, now);
                self.working_seconds = Some(elapsed - self.paused_seconds);
            }
            Step::Pause => self.paused_at = Some(now),
            Step::Resume => self.resume(env),
            Step::Supervise => self.supervised_at = Some(now),
            Step::Escalate => {
                self.escalation_level = (self.escalation_level + 1).min(2);
                self.escalated_at = Some(now);
            }
            Step::Feedback => {
                self.rating = input.rating;
                self.solved = input.solved;
                self.feedback_at = Some(now);
                self.feedback_by_staff =
                    !matches!(actor, Actor::User(v) if v.enterprise_id == Some(self.enterprise_id));
                if reopens {
                    self.reopen(env);
                }
            }
            Step::Refer => {
                self.referrals.push((department.unwrap_or_default(), true));
                if self.paused_at.is_none() {
                    self.paused_at = Some(now);
                }
            }
            Step::Recall | Step::Answer => {
                for referral in self.referrals.iter_mut().filter(|r| Some(r.0) == department) {
                    referral.1 = false;
                }
                if !self.referrals.iter().any(|r| r.1) {
                    self.resume(env);
                }
            }
            Step::Withdraw | Step::AutoClose | Step::Start | Step::Comment | Step::Note => {}
        }
        if next.is_final() && !self.status.is_final() {
            self.closed_at = Some(now);
            self.close_reason = Some(
                match step {
                    Step::AutoClose => "no_feedback",
                    Step::Reject => "rejected",
                    Step::Withdraw => "withdrawn",
                    _ => "feedback",
                }
                .to_owned(),
            );
        }
        self.status = next;
        self.version += 1;
        Ok(())
    }

    fn respond(&mut self, env: Env<'_>) {
        if self.responded_at.is_none() {
            self.responded_at = Some(env.now);
            self.respond_margin = Some(sla::margin(env.calendar, env.now, self.respond_due_at));
        }
    }

    fn resume(&mut self, env: Env<'_>) {
        if let Some(paused_at) = self.paused_at.take() {
            self.paused_seconds += env.calendar.working_seconds_between(paused_at, env.now);
            self.resolve_due_at = sla::shift_after_pause(env.calendar, self.resolve_due_at, paused_at, env.now);
            self.warn_at = sla::shift_after_pause(env.calendar, self.warn_at, paused_at, env.now);
        }
    }

    /// 重办: back to the handler with fresh resolution deadlines; the earlier resolution stays on the
    /// timeline, the counters of warnings and overdue start again.
    fn reopen(&mut self, env: Env<'_>) {
        let deadlines = env.policy.deadlines(env.calendar, env.now);
        self.reopen_count += 1;
        self.resolve_due_at = deadlines.resolve_due;
        self.warn_at = deadlines.warn_at;
        self.warned_at = None;
        self.overdue_at = None;
        self.resolved_at = None;
        self.resolve_margin = None;
        self.working_seconds = None;
    }

    /// The next instant the item's timer must look at it, or `None` when nothing is pending:
    /// the warning, the overdue flag, the escalation after `escalate_after`, or the feedback deadline.
    pub fn next_timer(&self, escalate_after: Duration) -> Option<DateTime<Utc>> {
        if self.status == Status::Resolved {
            return self.resolved_at.map(|at| at + Duration::days(FEEDBACK_DAYS));
        }
        if !self.status.is_open() || self.paused_at.is_some() {
            return None;
        }
        if self.warned_at.is_none() {
            return Some(self.warn_at);
        }
        if self.overdue_at.is_none() {
            return Some(self.resolve_due_at);
        }
        (self.escalation_level < 2)
            .then(|| self.escalated_at.or(self.overdue_at).map(|at| at + escalate_after))
            .flatten()
    }

    /// What the timer does at `now`: warn, flag overdue, escalate or close for lack of feedback.
    pub fn timer_event(&self, now: DateTime<Utc>, escalate_after: Duration) -> Option<TimerEvent> {
        let due = self.next_timer(escalate_after)?;
        if due > now {
            return None;
        }
        Some(if self.status == Status::Resolved {
            TimerEvent::AutoClose
        } else if self.warned_at.is_none() {
            TimerEvent::Warn
        } else if self.overdue_at.is_none() {
            TimerEvent::Overdue
        } else {
            TimerEvent::Escalate
        })
    }

    /// Records a warning or overdue flag (annotations without a step).
    pub fn mark(&mut self, event: TimerEvent, now: DateTime<Utc>) {
        match event {
            TimerEvent::Warn => self.warned_at = Some(now),
            TimerEvent::Overdue => {
                self.warned_at.get_or_insert(now);
                self.overdue_at = Some(now);
            }
            TimerEvent::Escalate | TimerEvent::AutoClose => return,
        }
        self.version += 1;
    }
}

/// What an item's timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerEvent {
    /// 催办: the warning share of the time is used.
    Warn,
    /// 逾期: the resolution is due.
    Overdue,
    /// 升级: overdue for `escalate_after` — one level up.
    Escalate,
    /// No feedback within [`FEEDBACK_DAYS`].
    AutoClose,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{Kind, Priority};
    use crate::permission::Viewer;
    use crate::role::Role;
    use crate::sla::default_policy;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        crate::TIMEZONE.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).single().expect("instant").with_timezone(&Utc)
    }

    fn fresh(cal: &Calendar, policy: &Policy) -> ItemState {
        let path = OrgPath::parse("/1/2/5/9/").expect("path");
        ItemState { id: 1, ..ItemState::submitted(7, path, Some(30), start(), policy.deadlines(cal, start())) }
    }

    fn viewer(user_id: i64, role: Role, enterprise_id: Option<i64>) -> Viewer {
        let unit_path = OrgPath::parse("/1/2/5/9/").expect("path");
        Viewer { user_id, roles: vec![role], unit_path, enterprise_id, pi_reveal: false }
    }

    fn text(body: &str) -> StepInput {
        StepInput { body: body.into(), ..StepInput::default() }
    }

    #[test]
    fn a_full_loop_records_margins_pauses_and_a_reopen() {
        let cal = Calendar::official();
        let policy = default_policy(Kind::Need, Priority::Normal);
        let (officer, owner) = (viewer(30, Role::Officer, None), viewer(10, Role::EnterpriseUser, Some(7)));
        let mut item = fresh(&cal, &policy);
        let hours = |h: i64| Env { now: start() + Duration::hours(h), calendar: &cal, policy: &policy };
        let me = Actor::User(&officer);
        item.apply(me, Step::Accept, &StepInput::default(), hours(2)).expect("accept");
        assert_eq!(item.respond_margin, Some(22 * 3600));
        let assign = StepInput { handler_id: Some(30), ..StepInput::default() };
        item.apply(me, Step::Assign, &assign, hours(3)).expect("assign");
        item.apply(me, Step::Start, &StepInput::default(), hours(3)).expect("start");
        item.apply(me, Step::Pause, &text("等企业补充材料"), hours(4)).expect("pause");
        assert_eq!(item.next_timer(Duration::days(1)), None, "no timer while paused");
        item.apply(me, Step::Resume, &StepInput::default(), hours(28)).expect("resume");
        assert_eq!(item.paused_seconds, 24 * 3600);
        assert_eq!(item.resolve_due_at, policy.deadlines(&cal, start()).resolve_due + Duration::days(1));
        assert_eq!(
            item.apply(me, Step::Resolve, &text(" "), hours(30)),
            Err(StepError::Missing("body", "请填写说明 / a text is required"))
        );
        item.apply(me, Step::Resolve, &text("已协调解决"), hours(30)).expect("resolve");
        assert_eq!(item.working_seconds, Some(6 * 3600));
        let unhappy = StepInput { rating: Some(Rating::Unsatisfied), solved: Some(true), ..StepInput::default() };
        item.apply(Actor::User(&owner), Step::Feedback, &unhappy, hours(31)).expect("feedback");
        assert_eq!((item.status, item.reopen_count, item.resolved_at), (Status::Assigned, 1, None));
        assert!(!item.feedback_by_staff);
        assert_eq!(item.version, 8, "seven steps taken, the refused one changed nothing");
    }

    #[test]
    fn the_timer_warns_flags_escalates_and_auto_closes() {
        let cal = Calendar::official();
        let policy = default_policy(Kind::Need, Priority::Normal);
        let mut item = fresh(&cal, &policy);
        let after = Duration::days(1);
        assert_eq!(item.next_timer(after), Some(item.warn_at));
        assert_eq!(item.timer_event(item.warn_at - Duration::seconds(1), after), None);
        assert_eq!(item.timer_event(item.warn_at, after), Some(TimerEvent::Warn));
        item.mark(TimerEvent::Warn, item.warn_at);
        assert_eq!(item.timer_event(item.resolve_due_at, after), Some(TimerEvent::Overdue));
        item.mark(TimerEvent::Overdue, item.resolve_due_at);
        let escalate_at = item.resolve_due_at + after;
        assert_eq!(item.timer_event(escalate_at, after), Some(TimerEvent::Escalate));
        let env = Env { now: escalate_at, calendar: &cal, policy: &policy };
        item.apply(Actor::System, Step::Escalate, &StepInput::default(), env).expect("escalate");
        item.apply(Actor::System, Step::Escalate, &StepInput::default(), env).expect("escalate");
        assert_eq!((item.escalation_level, item.next_timer(after)), (2, None));

        item.status = Status::Resolved;
        item.resolved_at = Some(escalate_at);
        let close_at = escalate_at + Duration::days(FEEDBACK_DAYS);
        assert_eq!(item.timer_event(close_at, after), Some(TimerEvent::AutoClose));
        let env = Env { now: close_at, calendar: &cal, policy: &policy };
        item.apply(Actor::System, Step::AutoClose, &StepInput::default(), env).expect("close");
        assert_eq!((item.status, item.close_reason.as_deref()), (Status::Closed, Some("no_feedback")));
    }

    #[test]
    fn a_referral_pauses_the_clock_until_the_department_answers() {
        let cal = Calendar::official();
        let policy = default_policy(Kind::Need, Priority::Normal);
        let officer = viewer(30, Role::Officer, None);
        let department = Viewer {
            user_id: 70,
            roles: vec![Role::DepartmentUser],
            unit_path: OrgPath::parse("/1/2/8/").expect("path"),
            enterprise_id: None,
            pi_reveal: false,
        };
        let mut item = fresh(&cal, &policy);
        item.status = Status::InProgress;
        let due = item.resolve_due_at;
        let at = |h: i64| Env { now: start() + Duration::hours(h), calendar: &cal, policy: &policy };
        let refer = StepInput {
            body: "涉及劳动用工，转人社局".into(), department_id: Some(8), ..StepInput::default()
        };
        assert!(matches!(
            item.clone().apply(Actor::User(&officer), Step::Refer, &text("x"), at(1)),
            Err(StepError::Missing("department_id", _))
        ));
        item.apply(Actor::User(&officer), Step::Refer, &refer, at(1)).expect("refer");
        assert_eq!((item.referrals.clone(), item.paused_at.is_some()), (vec![(8, true)], true));
        assert!(matches!(
            item.clone().apply(Actor::User(&officer), Step::Refer, &refer, at(2)),
            Err(StepError::Missing("department_id", _))
        ));
        item.apply(Actor::User(&department), Step::Answer, &text("已安排专场招聘"), at(25)).expect("answer");
        assert_eq!((item.referrals.clone(), item.paused_at), (vec![(8, false)], None));
        assert_eq!(item.resolve_due_at, due + Duration::days(1), "the day with the department is given back");
        assert!(item.clone().apply(Actor::User(&officer), Step::Recall, &StepInput::default(), at(26)).is_err());
    }

    #[test]
    fn staff_feedback_is_marked_as_on_behalf() {
        let cal = Calendar::official();
        let policy = default_policy(Kind::Need, Priority::Normal);
        let mut item = fresh(&cal, &policy);
        item.status = Status::Resolved;
        item.resolved_at = Some(start());
        let officer = viewer(30, Role::Officer, None);
        let env = Env { now: start(), calendar: &cal, policy: &policy };
        let happy = StepInput { rating: Some(Rating::Satisfied), solved: Some(true), ..StepInput::default() };
        assert!(matches!(
            item.clone().apply(Actor::User(&officer), Step::Feedback, &StepInput::default(), env),
            Err(StepError::Missing("rating", _))
        ));
        item.apply(Actor::User(&officer), Step::Feedback, &happy, env).expect("feedback");
        assert!(item.feedback_by_staff);
        assert_eq!(item.close_reason.as_deref(), Some("feedback"));
    }
}
