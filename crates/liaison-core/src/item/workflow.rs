//! The closed-loop state machine (DESIGN §4, BIZ-01) as a pure type: which step is possible in which
//! status, where it leads, and who may take it — decided from the actor's roles and relation to the item.
//!
//! ```text
//! submitted ─accept→ accepted ─assign→ assigned ─start→ in_progress ─resolve→ resolved ─feedback→ closed
//!     ├─reject→ rejected      ▲ reassign (assigned, in_progress)        └─ feedback unsatisfied/unsolved → assigned (重办)
//!     └─withdraw→ withdrawn   (also from accepted)                          no feedback in 7 days → closed (system)
//! ```
//! Annotations (comment, note, pause, resume, supervise, escalate) keep the status, as do referral to a
//! partner department (转办), its recall, and the department's answer.

use super::Status;
use crate::org::OrgPath;
use crate::permission::Viewer;
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// Something an actor does to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 受理 — take the item on (first response).
    Accept,
    /// 不予受理 — refuse with a reason.
    Reject,
    /// 撤回 — the enterprise takes it back before work starts.
    Withdraw,
    /// 交办 — name the handling officer.
    Assign,
    /// 改派 — another handling officer.
    Reassign,
    /// 开始办理
    Start,
    /// 办结 — with the resolution text.
    Resolve,
    /// 评价 — the enterprise's rating; closes or reopens (重办).
    Feedback,
    /// No feedback within 7 days (system only).
    AutoClose,
    /// 暂停计时 — waiting on the enterprise or a department.
    Pause,
    /// 恢复计时
    Resume,
    /// 督办 — center staff put the item under supervision.
    Supervise,
    /// 升级 — one level up the org tree.
    Escalate,
    /// 留言 — visible to the enterprise.
    Comment,
    /// 内部备注 — hidden from the enterprise.
    Note,
    /// 转办 — refer to a partner department (the clock pauses while it works).
    Refer,
    /// 撤回转办 — the police side takes a referral back.
    Recall,
    /// 部门答复 — the department's answer.
    Answer,
}

impl Step {
    /// Every step, in display order.
    pub const ALL: [Step; 18] = [
        Step::Accept,
        Step::Reject,
        Step::Withdraw,
        Step::Assign,
        Step::Reassign,
        Step::Start,
        Step::Resolve,
        Step::Feedback,
        Step::AutoClose,
        Step::Pause,
        Step::Resume,
        Step::Supervise,
        Step::Escalate,
        Step::Comment,
        Step::Note,
        Step::Refer,
        Step::Recall,
        Step::Answer,
    ];

    /// The stable code (also the last segment of `POST /api/v1/items/{id}/{step}`).
    pub fn code(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Reject => "reject",
            Step::Withdraw => "withdraw",
            Step::Assign => "assign",
            Step::Reassign => "reassign",
            Step::Start => "start",
            Step::Resolve => "resolve",
            Step::Feedback => "feedback",
            Step::AutoClose => "auto_close",
            Step::Pause => "pause",
            Step::Resume => "resume",
            Step::Supervise => "supervise",
            Step::Escalate => "escalate",
            Step::Comment => "comment",
            Step::Note => "note",
            Step::Refer => "refer",
            Step::Recall => "recall",
            Step::Answer => "answer",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Step::Accept => "受理",
            Step::Reject => "不予受理",
            Step::Withdraw => "撤回",
            Step::Assign => "交办",
            Step::Reassign => "改派",
            Step::Start => "开始办理",
            Step::Resolve => "办结",
            Step::Feedback => "评价",
            Step::AutoClose => "逾期未评价自动关闭",
            Step::Pause => "暂停计时",
            Step::Resume => "恢复计时",
            Step::Supervise => "督办",
            Step::Escalate => "升级",
            Step::Comment => "留言",
            Step::Note => "内部备注",
            Step::Refer => "转办",
            Step::Recall => "撤回转办",
            Step::Answer => "部门答复",
        }
    }

    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The status after this step from `from`, or `None` when the step is not possible there.
    /// `reopens` matters only for feedback (unsatisfied or unsolved → 重办).
    pub fn target(self, from: Status, facts_paused: bool, reopens: bool) -> Option<Status> {
        let working = matches!(from, Status::Accepted | Status::Assigned | Status::InProgress);
        use Status::*;
        match (self, from) {
            (Step::Accept, Submitted) => Some(Accepted),
            (Step::Reject, Submitted) => Some(Rejected),
            (Step::Withdraw, Submitted | Accepted) => Some(Withdrawn),
            (Step::Assign, Accepted) => Some(Assigned),
            (Step::Reassign, Assigned | InProgress) => Some(Assigned),
            (Step::Start, Assigned) => Some(InProgress),
            (Step::Resolve, InProgress) if !facts_paused => Some(Resolved),
            (Step::Feedback, Resolved) => Some(if reopens { Assigned } else { Closed }),
            (Step::AutoClose, Resolved) => Some(Closed),
            (Step::Pause, InProgress) if !facts_paused => Some(InProgress),
            (Step::Resume, InProgress) if facts_paused => Some(InProgress),
            (Step::Supervise | Step::Escalate, s) if s.is_open() => Some(s),
            (Step::Comment | Step::Note, s) if !s.is_final() => Some(s),
            (Step::Refer | Step::Recall | Step::Answer, s) if working => Some(s),
            _ => None,
        }
    }
}

/// What the rules need to know about an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    /// Current status.
    pub status: Status,
    /// The enterprise the item belongs to.
    pub enterprise_id: i64,
    /// The enterprise's community path (subtree scoping).
    pub path: OrgPath,
    /// The enterprise's responsible officer (一企一警).
    pub officer_id: Option<i64>,
    /// The handling officer, once assigned.
    pub handler_id: Option<i64>,
    /// The SLA clock is paused.
    pub paused: bool,
    /// Under supervision (督办).
    pub supervised: bool,
    /// Departments (org unit ids) the item was ever referred to, with whether the referral still
    /// awaits their answer.
    pub referrals: Vec<(i64, bool)>,
}

/// Who acts on an item.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in user.
    User(&'a Viewer),
    /// The background jobs (SLA sweep, auto-close).
    System,
}

/// How the actor stands to the item; the rules are written against these, not against roles directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relation {
    /// The enterprise user of the item's enterprise.
    pub owner: bool,
    /// The officer responsible for the enterprise, or the handling officer.
    pub handler: bool,
    /// Station head or center staff with the item in their subtree.
    pub supervisor: bool,
    /// Center staff with the item in their district (督办).
    pub center: bool,
    /// Leader with the item in their subtree (read-only).
    pub watcher: bool,
    /// A user of a department the item was referred to.
    pub department: bool,
    /// …whose referral still awaits the department's answer.
    pub department_pending: bool,
}

impl Relation {
    /// The relation of `viewer` to `item`.
    pub fn of(viewer: &Viewer, item: &ItemFacts) -> Self {
        let has = |role: Role| viewer.roles.contains(&role);
        let within = item.path.is_within(&viewer.unit_path);
        let me = Some(viewer.user_id);
        let unit = viewer.unit_path.ids().last().copied();
        let referral = item.referrals.iter().find(|(department, _)| Some(*department) == unit);
        let department = has(Role::DepartmentUser) && referral.is_some();
        Relation {
            department,
            department_pending: department && referral.is_some_and(|(_, pending)| *pending),
            owner: has(Role::EnterpriseUser) && viewer.enterprise_id == Some(item.enterprise_id),
            handler: has(Role::Officer) && (item.handler_id == me || item.officer_id == me),
            supervisor: (has(Role::StationHead) || has(Role::CenterStaff)) && within,
            center: has(Role::CenterStaff) && within,
            watcher: has(Role::Leader) && within,
        }
    }

    /// True when the actor may read the item at all.
    pub fn sees(self) -> bool {
        self.owner || self.handler || self.supervisor || self.watcher || self.department
    }

    /// True on the police side of the item, which also reads its internal notes.
    pub fn police_side(self) -> bool {
        self.handler || self.supervisor || self.watcher
    }

    fn works(self) -> bool {
        self.handler || self.supervisor
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The actor may not see the item (answered as 404).
    NotVisible,
    /// The actor's relation never allows this step (403), with what they may do now.
    NotAllowed(Vec<Step>),
    /// The step is not possible in the current status (409), with what the actor may do now.
    WrongState {
        /// The item's status.
        current: Status,
        /// Steps the actor may take now.
        allowed: Vec<Step>,
    },
}

/// True when the relation allows `step` regardless of status.
fn relation_allows(actor: Actor<'_>, relation: Relation, step: Step) -> bool {
    let Actor::User(_) = actor else {
        return matches!(step, Step::AutoClose | Step::Escalate | Step::Note);
    };
    match step {
        Step::Withdraw => relation.owner,
        Step::Feedback | Step::Comment => relation.owner || relation.works(),
        Step::Accept | Step::Reject | Step::Assign | Step::Start | Step::Resolve => relation.works(),
        Step::Pause | Step::Resume | Step::Note => relation.works(),
        Step::Reassign | Step::Escalate => relation.supervisor,
        Step::Supervise => relation.center,
        Step::Refer | Step::Recall => relation.works(),
        Step::Answer => relation.department_pending,
        Step::AutoClose => false,
    }
}

fn relation_for(actor: Actor<'_>, item: &ItemFacts) -> Relation {
    match actor {
        Actor::User(viewer) => Relation::of(viewer, item),
        Actor::System => Relation { supervisor: true, ..Relation::default() },
    }
}

/// The steps `actor` may take on `item` now (for buttons and for refusals).
pub fn allowed_steps(actor: Actor<'_>, item: &ItemFacts) -> Vec<Step> {
    let relation = relation_for(actor, item);
    Step::ALL
        .into_iter()
        .filter(|&step| relation_allows(actor, relation, step) && possible(step, item))
        .filter(|&step| step != Step::Supervise || !item.supervised)
        .filter(|&step| step != Step::Recall || item.referrals.iter().any(|(_, pending)| *pending))
        .collect()
}

fn possible(step: Step, item: &ItemFacts) -> bool {
    step.target(item.status, item.paused, false).is_some()
}

/// Decides `step` by `actor` on `item`: the next status, or why not.
pub fn decide(actor: Actor<'_>, item: &ItemFacts, step: Step, reopens: bool) -> Result<Status, Refusal> {
    let relation = relation_for(actor, item);
    if !relation.sees() {
        return Err(Refusal::NotVisible);
    }
    if !relation_allows(actor, relation, step) {
        return Err(Refusal::NotAllowed(allowed_steps(actor, item)));
    }
    let supervised_again = step == Step::Supervise && item.supervised;
    let nothing_to_recall = step == Step::Recall && !item.referrals.iter().any(|(_, pending)| *pending);
    match step.target(item.status, item.paused, reopens) {
        Some(next) if !supervised_again && !nothing_to_recall => Ok(next),
        _ => Err(Refusal::WrongState { current: item.status, allowed: allowed_steps(actor, item) }),
    }
}

/// Whether `viewer` may make the user `target_id` (an officer or not, in `target_unit`) the handler:
/// an officer only themselves, station heads and center staff any officer in their scope.
pub fn may_assign_to(viewer: &Viewer, target_id: i64, target_is_officer: bool, target_unit: &OrgPath) -> bool {
    let supervisor = viewer.roles.iter().any(|r| matches!(r, Role::StationHead | Role::CenterStaff));
    target_is_officer && if supervisor { target_unit.is_within(&viewer.unit_path) } else { target_id == viewer.user_id }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn viewer(user_id: i64, role: Role, unit: &str, enterprise_id: Option<i64>) -> Viewer {
        Viewer {
            user_id,
            roles: vec![role],
            unit_path: OrgPath::parse(unit).expect("path"),
            enterprise_id,
            pi_reveal: false,
        }
    }

    fn item(status: Status) -> ItemFacts {
        ItemFacts {
            status,
            enterprise_id: 7,
            path: OrgPath::parse("/1/2/5/9/").expect("path"),
            officer_id: Some(30),
            handler_id: None,
            paused: false,
            supervised: false,
            referrals: Vec::new(),
        }
    }

    fn cast() -> Vec<(&'static str, Viewer)> {
        vec![
            ("owner", viewer(10, Role::EnterpriseUser, "/1/2/5/9/", Some(7))),
            ("other enterprise", viewer(11, Role::EnterpriseUser, "/1/2/5/9/", Some(8))),
            ("officer", viewer(30, Role::Officer, "/1/2/5/9/", None)),
            ("other officer", viewer(31, Role::Officer, "/1/2/5/9/", None)),
            ("station head", viewer(40, Role::StationHead, "/1/2/5/", None)),
            ("other station", viewer(41, Role::StationHead, "/1/2/6/", None)),
            ("center", viewer(50, Role::CenterStaff, "/1/2/", None)),
            ("leader", viewer(60, Role::Leader, "/1/2/", None)),
            ("department", viewer(70, Role::DepartmentUser, "/1/2/8/", None)),
            ("sys admin", viewer(80, Role::SysAdmin, "/1/", None)),
        ]
    }

    #[test]
    fn the_happy_path_runs_from_submission_to_closure() {
        let cast = cast();
        let (owner, officer) = (&cast[0].1, &cast[2].1);
        let mut facts = item(Status::Submitted);
        for (who, step, expected) in [
            (officer, Step::Accept, Status::Accepted),
            (officer, Step::Assign, Status::Assigned),
            (officer, Step::Start, Status::InProgress),
            (officer, Step::Resolve, Status::Resolved),
            (owner, Step::Feedback, Status::Closed),
        ] {
            facts.status = decide(Actor::User(who), &facts, step, false).expect("allowed");
            assert_eq!(facts.status, expected, "{step:?}");
        }
        assert_eq!(allowed_steps(Actor::User(owner), &facts), Vec::<Step>::new());
    }

    /// Who may take each step on an item in the status where the step is possible.
    #[test]
    fn step_by_relation_table() {
        let table: [(Step, Status, &[&str]); 13] = [
            (Step::Accept, Status::Submitted, &["officer", "station head", "center"]),
            (Step::Reject, Status::Submitted, &["officer", "station head", "center"]),
            (Step::Withdraw, Status::Submitted, &["owner"]),
            (Step::Assign, Status::Accepted, &["officer", "station head", "center"]),
            (Step::Reassign, Status::Assigned, &["station head", "center"]),
            (Step::Start, Status::Assigned, &["officer", "station head", "center"]),
            (Step::Resolve, Status::InProgress, &["officer", "station head", "center"]),
            (Step::Feedback, Status::Resolved, &["owner", "officer", "station head", "center"]),
            (Step::AutoClose, Status::Resolved, &[]),
            (Step::Supervise, Status::InProgress, &["center"]),
            (Step::Comment, Status::Assigned, &["owner", "officer", "station head", "center"]),
            (Step::Note, Status::Assigned, &["officer", "station head", "center"]),
            (Step::Refer, Status::InProgress, &["officer", "station head", "center"]),
        ];
        for (step, status, allowed) in table {
            for (name, who) in cast() {
                let result = decide(Actor::User(&who), &item(status), step, false);
                assert_eq!(result.is_ok(), allowed.contains(&name), "{name} {step:?} in {status:?}: {result:?}");
                let outsider = matches!(name, "other enterprise" | "other officer" | "other station")
                    || matches!(name, "department" | "sys admin");
                if outsider {
                    assert_eq!(result, Err(Refusal::NotVisible), "{name} must not see the item");
                }
            }
        }
    }

    #[test]
    fn refusals_name_the_steps_allowed_now() {
        let cast = cast();
        let officer = &cast[2].1;
        let result = decide(Actor::User(officer), &item(Status::Submitted), Step::Resolve, false);
        assert_eq!(
            result,
            Err(Refusal::WrongState {
                current: Status::Submitted,
                allowed: vec![Step::Accept, Step::Reject, Step::Comment, Step::Note]
            })
        );
        let leader = &cast[7].1;
        assert_eq!(
            decide(Actor::User(leader), &item(Status::Submitted), Step::Accept, false),
            Err(Refusal::NotAllowed(vec![]))
        );
    }

    #[test]
    fn a_department_sees_and_answers_only_what_was_referred_to_it() {
        let cast = cast();
        let (officer, department) = (&cast[2].1, &cast[8].1);
        let mut facts = item(Status::InProgress);
        assert_eq!(decide(Actor::User(department), &facts, Step::Answer, false), Err(Refusal::NotVisible));
        assert!(allowed_steps(Actor::User(officer), &facts).contains(&Step::Refer));
        assert!(!allowed_steps(Actor::User(officer), &facts).contains(&Step::Recall), "nothing to recall yet");
        facts.referrals = vec![(8, true)];
        assert_eq!(allowed_steps(Actor::User(department), &facts), vec![Step::Answer]);
        assert!(allowed_steps(Actor::User(officer), &facts).contains(&Step::Recall));
        facts.referrals = vec![(8, false)];
        assert!(Relation::of(department, &facts).sees(), "an answered referral stays visible");
        assert_eq!(allowed_steps(Actor::User(department), &facts), Vec::<Step>::new());
        assert!(decide(Actor::User(officer), &item(Status::Submitted), Step::Refer, false).is_err(), "accept first");
    }

    #[test]
    fn unsatisfied_feedback_reopens_and_only_the_system_auto_closes() {
        let cast = cast();
        let owner = &cast[0].1;
        assert_eq!(decide(Actor::User(owner), &item(Status::Resolved), Step::Feedback, true), Ok(Status::Assigned));
        assert_eq!(decide(Actor::System, &item(Status::Resolved), Step::AutoClose, false), Ok(Status::Closed));
        assert!(decide(Actor::System, &item(Status::Resolved), Step::Resolve, false).is_err());
    }

    #[test]
    fn a_paused_item_cannot_be_resolved_until_resumed() {
        let officer = &cast()[2].1;
        let mut facts = item(Status::InProgress);
        facts.paused = true;
        assert!(decide(Actor::User(officer), &facts, Step::Resolve, false).is_err());
        assert!(decide(Actor::User(officer), &facts, Step::Pause, false).is_err());
        assert_eq!(decide(Actor::User(officer), &facts, Step::Resume, false), Ok(Status::InProgress));
    }

    #[test]
    fn officers_take_items_themselves_and_supervisors_assign_within_scope() {
        let cast = cast();
        let (officer, station, other_station) = (&cast[2].1, &cast[4].1, &cast[5].1);
        let community = OrgPath::parse("/1/2/5/9/").expect("path");
        assert!(may_assign_to(officer, 30, true, &community));
        assert!(!may_assign_to(officer, 31, true, &community), "not someone else");
        assert!(may_assign_to(station, 31, true, &community));
        assert!(!may_assign_to(station, 80, false, &community), "only officers handle items");
        assert!(!may_assign_to(other_station, 31, true, &community), "not outside the station");
    }

    proptest! {
        /// Random (actor, step) sequences: every accepted step is one `allowed_steps` offered, every
        /// refused one was not offered, and no final status ever changes again.
        #[test]
        fn random_sequences_keep_the_invariants(moves in proptest::collection::vec((0usize..10, 0usize..18, any::<bool>()), 1..60)) {
            let cast = cast();
            let mut facts = item(Status::Submitted);
            let mut resolved_once = false;
            for (who, step, reopens) in moves {
                let viewer = &cast[who].1;
                let step = Step::ALL[step];
                let offered = allowed_steps(Actor::User(viewer), &facts).contains(&step);
                let before = facts.status;
                match decide(Actor::User(viewer), &facts, step, reopens) {
                    Ok(next) => {
                        prop_assert!(offered || step == Step::Feedback);
                        prop_assert!(!before.is_final());
                        if step == Step::Pause { facts.paused = true; }
                        if step == Step::Resume { facts.paused = false; }
                        if step == Step::Supervise { facts.supervised = true; }
                        if next == Status::Resolved { resolved_once = true; }
                        if next == Status::Closed { prop_assert!(resolved_once); }
                        facts.status = next;
                    }
                    Err(_) => prop_assert!(!offered),
                }
            }
        }
    }
}
