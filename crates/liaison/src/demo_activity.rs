//! The demo's year of closed-loop activity (the calendar year before the current one), shaped like the
//! article: 720 needs and suggestions collected over every channel and 640 solved; through the portal
//! 270 disputes reported, 243 suggestions answered and 137 needs solved; 230 disputes resolved; 520
//! consultations answered (the rest of the article's 910 arrive with the help groups). Every item is
//! driven through the real state machine (`ItemState::apply`) with realistic working-day timings, SLA
//! hits and misses, referrals, mediation and feedback; `docs/METRICS.md` says how each figure is counted.

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use liaison_core::TIMEZONE;
use liaison_core::calendar::{Calendar, DAY};
use liaison_core::item::state::{Env, ItemState, StepInput};
use liaison_core::item::workflow::{Actor, Step};
use liaison_core::item::{Channel, Kind, Priority, Rating, Status, human_number, mediation};
use liaison_core::org::OrgPath;
use liaison_core::permission::Viewer;
use liaison_core::role::Role;
use liaison_core::sla::{Policy, default_policy};
use liaison_store::item_import::{PastDispute, PastEvent, PastItem, PastReferral, PastSession};
use liaison_store::items::NewEvent;
use liaison_store::{Ctx, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// An enterprise of the demo with the people around it.
#[derive(Debug, Clone)]
pub struct DemoEnterprise {
    /// Id.
    pub id: i64,
    /// Its enterprise user.
    pub user_id: i64,
    /// Its officer.
    pub officer_id: i64,
    /// Its community's path.
    pub path: OrgPath,
    /// Its address.
    pub address: String,
    /// The station head above it.
    pub station_head: i64,
}

/// Who the activity involves.
#[derive(Debug, Clone)]
pub struct DemoPeople {
    /// Enterprises.
    pub enterprises: Vec<DemoEnterprise>,
    /// Center staff (user ids).
    pub center_staff: Vec<i64>,
    /// The district's path.
    pub district: OrgPath,
    /// Partner departments: unit id, unit path, one user.
    pub departments: Vec<(i64, OrgPath, i64)>,
}

/// How an item ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Solved,
    Rejected,
    StillOpen,
    MediationReached,
    MediationNotReached,
}

/// The plan of the year: (kind, channel is the portal, how it ends, how many).
const PLAN: [(Kind, bool, Ending, usize); 15] = [
    (Kind::Need, true, Ending::Solved, 137),
    (Kind::Need, true, Ending::Rejected, 5),
    (Kind::Need, true, Ending::StillOpen, 8),
    (Kind::Need, false, Ending::Solved, 238),
    (Kind::Need, false, Ending::Rejected, 20),
    (Kind::Need, false, Ending::StillOpen, 32),
    (Kind::Suggestion, true, Ending::Solved, 243),
    (Kind::Suggestion, true, Ending::Rejected, 12),
    (Kind::Suggestion, false, Ending::Solved, 22),
    (Kind::Suggestion, false, Ending::Rejected, 3),
    (Kind::Dispute, true, Ending::MediationReached, 230),
    (Kind::Dispute, true, Ending::MediationNotReached, 40),
    (Kind::Consultation, true, Ending::Solved, 380),
    (Kind::Consultation, false, Ending::Solved, 140),
    (Kind::Report, false, Ending::Solved, 24),
];

const TEXTS: [(Kind, &[(&str, &str)]); 5] = [
    (
        Kind::Need,
        &[
            ("春节后招工难", "节后返岗率低，急需招聘操作工三十名，希望协助对接招聘会。"),
            ("厂区周边治安巡逻", "夜间厂区周边有可疑人员徘徊，希望加强巡逻。"),
            ("货车通行证办理", "配送车辆需进入限行区域，咨询并申请办理通行证。"),
            ("门前道路停车秩序", "门前道路乱停车影响货物装卸，希望协调整治。"),
            ("员工户口迁移", "新引进技术骨干需办理户口迁入，希望开辟绿色通道。"),
        ],
    ),
    (
        Kind::Suggestion,
        &[
            ("延长户籍窗口办理时间", "建议派出所户籍窗口周末开放半天，方便企业员工办事。"),
            ("增设企业服务专线", "建议开通联络官服务专线，节假日也能联系。"),
            ("优化夜间施工报备", "建议夜间施工报备可在线办理。"),
        ],
    ),
    (
        Kind::Dispute,
        &[
            ("拖欠货款纠纷", "合作方拖欠货款逾半年，多次催收无果。"),
            ("员工工资纠纷", "离职员工与公司就加班费发生争议，情绪激动。"),
            ("租赁合同纠纷", "与业主就租金上涨和装修补偿发生争议。"),
            ("施工噪音邻里纠纷", "周边居民投诉施工噪音，双方发生口角。"),
        ],
    ),
    (
        Kind::Consultation,
        &[
            ("外籍员工居留许可", "外籍技术人员工作居留许可需要哪些材料？"),
            ("企业内部安全防范要求", "重点部位视频监控的存储时长有什么要求？"),
            ("电信诈骗防范", "财务人员如何识别冒充领导的诈骗电话？"),
        ],
    ),
    (
        Kind::Report,
        &[
            ("假冒商标线索", "发现市场上有假冒本企业商标的产品在销售。"),
            ("职务侵占线索", "怀疑前员工利用职务便利侵占公司财物。"),
        ],
    ),
];

const OTHER_CHANNELS: [Channel; 4] = [Channel::Phone, Channel::Visit, Channel::HelpGroup, Channel::WalkIn];

/// The working-day instant `hours` of working time after `at`.
fn after(cal: &Calendar, at: DateTime<Utc>, hours: f64) -> DateTime<Utc> {
    cal.add_working_seconds(at, (hours * 3600.0) as i64)
}

fn viewer(user_id: i64, role: Role, unit_path: &OrgPath, enterprise_id: Option<i64>) -> Viewer {
    Viewer { user_id, roles: vec![role], unit_path: unit_path.clone(), enterprise_id, pi_reveal: false }
}

/// Records steps on one item as it goes.
struct Story<'a> {
    state: ItemState,
    events: Vec<PastEvent>,
    cal: &'a Calendar,
    policy: Policy,
}

impl Story<'_> {
    fn take(&mut self, actor: Actor<'_>, step: Step, input: StepInput, at: DateTime<Utc>) -> anyhow::Result<()> {
        let before = self.state.status;
        let env = Env { now: at, calendar: self.cal, policy: &self.policy };
        self.state
            .apply(actor, step, &input, env)
            .map_err(|e| anyhow::anyhow!("demo step {step:?} refused on {:?}: {e:?}", self.state.status))?;
        let actor_id = match actor {
            Actor::User(v) => Some(v.user_id),
            Actor::System => None,
        };
        let changed = before != self.state.status;
        let on_behalf = step == Step::Feedback && self.state.feedback_by_staff;
        let internal = matches!(step, Step::Note | Step::Supervise | Step::Escalate);
        self.events.push(PastEvent {
            at,
            actor_id,
            event: NewEvent { step: step.code().into(), body: input.body, internal, on_behalf },
            from: changed.then_some(before),
            to: changed.then_some(self.state.status),
        });
        Ok(())
    }

    /// Runs the item's timer up to `now` (reminders, overdue, escalation, auto-close).
    fn run_timer(&mut self, now: DateTime<Utc>, escalate_after: Duration) -> anyhow::Result<()> {
        while let Some(due) = self.state.next_timer(escalate_after).filter(|due| *due <= now) {
            match self.state.timer_event(due, escalate_after) {
                Some(
                    event @ (liaison_core::item::state::TimerEvent::Warn
                    | liaison_core::item::state::TimerEvent::Overdue),
                ) => {
                    self.state.mark(event, due);
                    let step = if event == liaison_core::item::state::TimerEvent::Warn { "warn" } else { "overdue" };
                    let body = if step == "warn" {
                        "催办：办理时限已用去预警比例，请抓紧办理"
                    } else {
                        "逾期：已超过办结时限"
                    };
                    self.events.push(PastEvent {
                        at: due,
                        actor_id: None,
                        event: NewEvent { step: step.into(), body: body.into(), internal: true, on_behalf: false },
                        from: None,
                        to: None,
                    });
                }
                Some(liaison_core::item::state::TimerEvent::Escalate) => {
                    self.take(Actor::System, Step::Escalate, StepInput::default(), due)?
                }
                Some(liaison_core::item::state::TimerEvent::AutoClose) => {
                    self.take(Actor::System, Step::AutoClose, StepInput::default(), due)?
                }
                None => break,
            }
        }
        Ok(())
    }
}

/// Generates and stores the year's items.
pub async fn generate(db: &Db, people: &DemoPeople, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(20_251_125);
    let cal = Calendar::official();
    let year = now.with_timezone(&TIMEZONE).year() - 1;
    let categories = db.categories(None, false).await?;
    let category = |kind: Kind, rng: &mut StdRng| -> anyhow::Result<i64> {
        let of_kind: Vec<i64> = categories.iter().filter(|c| c.kind == kind.code()).map(|c| c.id).collect();
        of_kind.get(rng.random_range(0..of_kind.len().max(1))).copied().context("a category of every kind")
    };
    let working_days: Vec<NaiveDate> =
        (1..=366).filter_map(|d| NaiveDate::from_yo_opt(year, d)).filter(|d| cal.is_working_day(*d)).collect();
    let reception_days: Vec<NaiveDate> = [3, 6, 9, 12]
        .iter()
        .filter_map(|m| working_days.iter().find(|d| d.month() == *m && d.day() >= 15).copied())
        .collect();
    let mut plans = Vec::new();
    for (kind, portal, ending, count) in PLAN {
        for _ in 0..count {
            let mut channel =
                if portal { Channel::Portal } else { OTHER_CHANNELS[rng.random_range(0..OTHER_CHANNELS.len())] };
            let mut day = working_days[rng.random_range(0..working_days.len())];
            if !portal && rng.random_bool(0.08) {
                channel = Channel::ReceptionDay;
                day = reception_days[rng.random_range(0..reception_days.len())];
            }
            let minute = rng.random_range(8 * 60 + 30..17 * 60 + 30);
            let local = day.and_hms_opt(minute / 60, minute % 60, 0).context("time of day")?;
            let at = TIMEZONE.from_local_datetime(&local).earliest().context("local time")?.with_timezone(&Utc);
            plans.push((at, kind, channel, ending));
        }
    }
    plans.sort_by_key(|p| p.0);
    let escalate_after = Duration::hours(24);
    let mut items = Vec::with_capacity(plans.len());
    for (n, (submitted_at, kind, channel, ending)) in plans.into_iter().enumerate() {
        let e = &people.enterprises[rng.random_range(0..people.enterprises.len())];
        let texts = TEXTS.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t).unwrap_or_default();
        let (title, description) = texts[rng.random_range(0..texts.len())];
        let priority = if kind == Kind::Need && rng.random_bool(0.05) { Priority::Urgent } else { Priority::Normal };
        let policy = default_policy(kind, priority);
        let due = policy.deadlines(&cal, submitted_at);
        let state = ItemState::submitted(e.id, e.path.clone(), Some(e.officer_id), submitted_at, due);
        let submitted_by = if channel == Channel::Portal { e.user_id } else { e.officer_id };
        let heading = Heading {
            number: human_number("YZ", year, n as i64 + 1),
            kind,
            channel,
            category_id: category(kind, &mut rng)?,
            priority,
            title,
            description,
            address: e.address.clone(),
            submitted_by,
        };
        let mut story = Story { state, events: Vec::new(), cal: &cal, policy };
        story.events.push(PastEvent {
            at: submitted_at,
            actor_id: Some(submitted_by),
            event: NewEvent {
                step: "submit".into(),
                body: description.into(),
                internal: false,
                on_behalf: channel != Channel::Portal,
            },
            from: None,
            to: Some(Status::Submitted),
        });
        let officer = viewer(e.officer_id, Role::Officer, &e.path, None);
        let owner = viewer(e.user_id, Role::EnterpriseUser, &e.path, Some(e.id));
        let center =
            viewer(people.center_staff[n % people.center_staff.len()], Role::CenterStaff, &people.district, None);
        let text = |body: &str| StepInput { body: body.into(), ..StepInput::default() };
        // First response: mostly within the working day, one in sixteen late.
        let respond_hours =
            if rng.random_bool(1.0 / 16.0) { rng.random_range(25.0..40.0) } else { rng.random_range(0.3..20.0) };
        let accepted_at = after(&cal, submitted_at, respond_hours);
        if ending == Ending::Rejected {
            story.take(
                Actor::User(&officer),
                Step::Reject,
                text("经核实不属于公安机关职责范围，已告知企业向主管部门反映"),
                accepted_at,
            )?;
            items.push(finish(story, heading, Vec::new(), None));
            continue;
        }
        story.take(Actor::User(&officer), Step::Accept, StepInput::default(), accepted_at)?;
        let assign = StepInput { handler_id: Some(e.officer_id), ..StepInput::default() };
        story.take(Actor::User(&officer), Step::Assign, assign, accepted_at + Duration::minutes(10))?;
        story.take(Actor::User(&officer), Step::Start, StepInput::default(), accepted_at + Duration::minutes(40))?;
        let mut clock = accepted_at + Duration::hours(1);
        let mut referrals = Vec::new();
        if kind == Kind::Need && rng.random_bool(0.1) {
            let (department, path, user) = &people.departments[rng.random_range(0..people.departments.len())];
            let refer = StepInput {
                body: "请协同部门协助办理".into(),
                department_id: Some(*department),
                ..StepInput::default()
            };
            story.take(Actor::User(&officer), Step::Refer, refer, clock)?;
            let answered_at = after(&cal, clock, rng.random_range(4.0..60.0));
            let dept = viewer(*user, Role::DepartmentUser, path, None);
            story.take(Actor::User(&dept), Step::Answer, text("已按职责办理，结果已告知企业"), answered_at)?;
            referrals.push(PastReferral {
                department_id: *department,
                referred_by: e.officer_id,
                referred_at: clock,
                note: "请协同部门协助办理".into(),
                answered_at,
                answered_by: *user,
                answer: "已按职责办理，结果已告知企业".into(),
            });
            clock = answered_at;
        }
        if ending == Ending::StillOpen {
            story.take(
                Actor::User(&center),
                Step::Supervise,
                text("长期未解决，列入中心督办"),
                after(&cal, clock, 60.0),
            )?;
            story.run_timer(now, escalate_after)?;
            items.push(finish(story, heading, referrals, None));
            continue;
        }
        let dispute =
            (kind == Kind::Dispute).then(|| dispute_record(&mut rng, ending, e, &people.center_staff, clock, &cal));
        // Resolution: within the allowance for most, late for about one in twelve.
        let allowance = (story.policy.resolve_days * DAY) as f64 / 3600.0;
        let share =
            if rng.random_bool(1.0 / 12.0) { rng.random_range(1.05..1.6) } else { rng.random_range(0.15..0.95) };
        let resolved_at = after(&cal, submitted_at, allowance * share).max(clock + Duration::hours(1));
        story.run_timer(resolved_at, escalate_after)?;
        let resolution = match (kind, ending) {
            (Kind::Dispute, Ending::MediationReached) => "经调解双方达成协议，已履行",
            (Kind::Dispute, _) => "调解未达成协议，已引导当事人通过仲裁或诉讼解决",
            (Kind::Consultation, _) => "已电话答复并提供办事指南",
            (Kind::Suggestion, _) => "建议已采纳并答复企业",
            _ => "已协调解决并回访企业",
        };
        story.take(Actor::User(&officer), Step::Resolve, text(resolution), resolved_at)?;
        feedback(&mut story, &mut rng, &officer, &owner, resolved_at, now, escalate_after)?;
        items.push(finish(story, heading, referrals, dispute));
    }
    let count = items.len();
    for batch in items.chunks(500) {
        db.import_past_items(&Ctx::system(now), batch).await?;
    }
    Ok(count)
}

/// The enterprise's feedback: most answer (a few unsatisfied, reopened and solved the second time),
/// the rest close themselves after seven days.
fn feedback(
    story: &mut Story<'_>,
    rng: &mut StdRng,
    officer: &Viewer,
    owner: &Viewer,
    resolved_at: DateTime<Utc>,
    now: DateTime<Utc>,
    escalate_after: Duration,
) -> anyhow::Result<()> {
    if !rng.random_bool(0.82) {
        return story.run_timer(now, escalate_after);
    }
    let answered_at = resolved_at + Duration::hours(rng.random_range(2..96));
    if rng.random_bool(0.03) {
        let unhappy = StepInput {
            rating: Some(Rating::Unsatisfied),
            solved: Some(false),
            body: "问题没有根本解决".into(),
            ..StepInput::default()
        };
        story.take(Actor::User(owner), Step::Feedback, unhappy, answered_at)?;
        let start = answered_at + Duration::hours(2);
        story.take(Actor::User(officer), Step::Start, StepInput::default(), start)?;
        let redo = StepInput { body: "重办：再次协调后已解决".into(), ..StepInput::default() };
        let resolved_again = story.cal.add_working_seconds(start, DAY * 2);
        story.take(Actor::User(officer), Step::Resolve, redo, resolved_again)?;
        let happy = StepInput { rating: Some(Rating::Satisfied), solved: Some(true), ..StepInput::default() };
        return story.take(Actor::User(owner), Step::Feedback, happy, resolved_again + Duration::hours(5));
    }
    let rating = match rng.random_range(0..100) {
        0..55 => Rating::VerySatisfied,
        55..90 => Rating::Satisfied,
        _ => Rating::FairlySatisfied,
    };
    let by_phone = rng.random_bool(0.2);
    let input = StepInput { rating: Some(rating), solved: Some(true), ..StepInput::default() };
    let actor = if by_phone { officer } else { owner };
    story.take(Actor::User(actor), Step::Feedback, input, answered_at)
}

fn dispute_record(
    rng: &mut StdRng,
    ending: Ending,
    e: &DemoEnterprise,
    center_staff: &[i64],
    start: DateTime<Utc>,
    cal: &Calendar,
) -> PastDispute {
    let amount_fen = rng.random_range(500_000..80_000_000_i64);
    let parties = rng.random_range(2..8_usize);
    let mut level = mediation::starting_level(amount_fen, parties);
    let sessions_wanted = if ending == Ending::MediationReached { rng.random_range(1..3) } else { 3 };
    let mut sessions = Vec::new();
    let mut at = start;
    for s in 0..sessions_wanted {
        at = cal.add_working_seconds(at, DAY * rng.random_range(1..3));
        let last = s + 1 == sessions_wanted;
        let outcome = if last && ending == Ending::MediationReached { "reached" } else { "failed" };
        let recorder = match level {
            1 => e.officer_id,
            2 => e.station_head,
            _ => center_staff[0],
        };
        let held_on = at.with_timezone(&TIMEZONE).date_naive();
        sessions.push(PastSession {
            level,
            held_on,
            participants: "双方当事人、联络官".to_owned(),
            outcome,
            recorded_by: recorder,
            recorded_at: at,
        });
        if outcome == "failed" {
            level = mediation::level_after(level, mediation::SessionOutcome::Failed);
        }
    }
    let text = if ending == Ending::MediationReached {
        "双方自愿达成调解协议：分期履行，按月支付。".to_owned()
    } else {
        "litigation: 已告知当事人向人民法院提起诉讼".to_owned()
    };
    let people: Vec<(String, String, Option<String>)> = (0..parties)
        .map(|p| {
            let role = if p == 0 { "申请人" } else { "被申请人" };
            (format!("当事人{}", p + 1), role.to_owned(), Some(format!("1391234{:04}", rng.random_range(0..10_000))))
        })
        .collect();
    PastDispute {
        amount_fen,
        level,
        outcome: if ending == Ending::MediationReached { "reached" } else { "not_reached" },
        text,
        parties: people,
        sessions,
    }
}

/// What an item is, decided before its story.
struct Heading<'a> {
    number: String,
    kind: Kind,
    channel: Channel,
    category_id: i64,
    priority: Priority,
    title: &'a str,
    description: &'a str,
    address: String,
    submitted_by: i64,
}

fn finish(
    story: Story<'_>,
    heading: Heading<'_>,
    referrals: Vec<PastReferral>,
    dispute: Option<PastDispute>,
) -> PastItem {
    PastItem {
        number: heading.number,
        kind: heading.kind,
        category_id: heading.category_id,
        priority: heading.priority,
        channel: heading.channel,
        title: heading.title.into(),
        description: heading.description.into(),
        address: heading.address,
        submitted_by: heading.submitted_by,
        timer: story.state.next_timer(Duration::hours(24)),
        state: story.state,
        events: story.events,
        referrals,
        dispute,
    }
}
