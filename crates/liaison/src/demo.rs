//! The demo district (DESIGN §7): a fictional 渝中-shaped bureau — 3 centers, 13 liaison stations,
//! 79 communities with one officer each, partner departments, ~1,900 enterprises with valid credit
//! codes, and an account for every role. Deterministic: the same seed gives the same district.

use crate::config::Config;
use crate::demo_activity::{DemoEnterprise, DemoPeople};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use liaison_core::enterprise::{EnterpriseDetails, EnterpriseInput, INDUSTRIES, Scale};
use liaison_core::org::{OrgKind, OrgPath};
use liaison_core::role::Role;
use liaison_core::validate::CreditCode;
use liaison_store::users::NewUser;
use liaison_store::{Ctx, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The password of every demo account (printed at start; the demo is not for real data).
pub const PASSWORD: &str = "liaison-demo";
/// Enterprises in the demo district.
pub const ENTERPRISES: usize = 1_900;

const STATIONS: [&str; 13] = [
    "解放碑",
    "朝天门",
    "七星岗",
    "大溪沟",
    "上清寺",
    "两路口",
    "菜园坝",
    "石油路",
    "大坪",
    "化龙桥",
    "南纪门",
    "望龙门",
    "较场口",
];
const CENTERS: [&str; 3] = ["助企警务中心", "法律服务中心", "利企服务中心"];
const DEPARTMENTS: [&str; 6] = [
    "解放碑街道办事处",
    "渝中区司法局",
    "渝中区市场监督管理局",
    "渝中区人力资源和社会保障局",
    "国家税务总局重庆市渝中区税务局",
    "渝中区消防救援支队",
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高",
    "林",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚",
    "桂英",
];
const WORDS: [&str; 24] = [
    "渝中", "山城", "嘉陵", "长江", "解放", "朝天", "鹅岭", "佛图", "洪崖", "大坪", "化龙", "两江", "巴渝", "重庆",
    "渝州", "宏达", "恒信", "博远", "锦程", "同创", "华耀", "信诚", "鼎盛", "安和",
];
const TRADES: [(&str, &str); 10] = [
    ("I", "网络科技"),
    ("F", "商贸"),
    ("H", "餐饮管理"),
    ("J", "金融服务"),
    ("K", "置业"),
    ("L", "商务咨询"),
    ("M", "技术研究"),
    ("R", "文化传媒"),
    ("C", "制造"),
    ("G", "物流"),
];
/// 渝中区's administrative division code.
const DIVISION: &str = "500103";

/// Deletes the demo database in the data directory, generates the district and returns the open database.
pub async fn fresh(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir)?;
    if config.database_url.is_empty() {
        for suffix in ["", "-wal", "-shm"] {
            let file = config.data_dir.join(format!("liaison.db{suffix}"));
            if file.exists() {
                std::fs::remove_file(&file).with_context(|| format!("removing {}", file.display()))?;
            }
        }
    }
    let db = Db::open(&config.database_url(), config.read_connections).await?;
    anyhow::ensure!(db.root_unit().await?.is_none(), "the demo needs an empty database");
    generate(&db).await?;
    println!(
        "Demo accounts (password {PASSWORD}): admin, sec, audit, leader, center-1…3, station-01…13, officer-001…079, dept-1…6, ent-0001…ent-{ENTERPRISES:04}"
    );
    Ok(db)
}

fn person(rng: &mut StdRng) -> String {
    format!("{}{}", SURNAMES[rng.random_range(0..SURNAMES.len())], GIVEN[rng.random_range(0..GIVEN.len())])
}

/// Generates the district into an empty database.
pub async fn generate(db: &Db) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(20_231_120);
    let ctx = Ctx::system(chrono::Utc::now());
    let hash = liaison_core::password::hash(PASSWORD);
    let city = db.create_unit(&ctx, None, OrgKind::City, "重庆市公安局（演示）", None).await?;
    let district = db.create_unit(&ctx, Some(city.id), OrgKind::District, "渝中区分局（演示）", Some("YZ")).await?;
    let mut users: Vec<NewUser> = vec![
        account("admin".into(), "系统管理员".into(), city.id, Role::SysAdmin, &hash),
        account("sec".into(), "安全管理员".into(), city.id, Role::SecAdmin, &hash),
        account("audit".into(), "审计管理员".into(), city.id, Role::AuditAdmin, &hash),
        account("leader".into(), "分局领导".into(), district.id, Role::Leader, &hash),
    ];
    for (i, name) in CENTERS.iter().enumerate() {
        let unit = db.create_unit(&ctx, Some(district.id), OrgKind::Center, name, None).await?;
        users.push(account(
            format!("center-{}", i + 1),
            format!("{}工作人员", name),
            unit.id,
            Role::CenterStaff,
            &hash,
        ));
    }
    let mut departments = Vec::new();
    for (i, name) in DEPARTMENTS.iter().enumerate() {
        let unit = db.create_unit(&ctx, Some(district.id), OrgKind::Department, name, None).await?;
        departments.push((unit.id, unit.path.clone(), format!("dept-{}", i + 1)));
        users.push(account(format!("dept-{}", i + 1), format!("{}联络员", name), unit.id, Role::DepartmentUser, &hash));
    }
    let mut communities = Vec::new();
    let mut station_head_of = std::collections::HashMap::new();
    for (s, station) in STATIONS.iter().enumerate() {
        let unit = db
            .create_unit(&ctx, Some(district.id), OrgKind::Station, &format!("{station}派出所助企警务联络站"), None)
            .await?;
        users.push(account(
            format!("station-{:02}", s + 1),
            format!("{station}联络站站长{}", person(&mut rng)),
            unit.id,
            Role::StationHead,
            &hash,
        ));
        // 79 communities over 13 stations: six each, and one more at the first station.
        let count = if s == 0 { 7 } else { 6 };
        for c in 0..count {
            let community = db
                .create_unit(&ctx, Some(unit.id), OrgKind::Community, &format!("{station}第{}社区", c + 1), None)
                .await?;
            communities.push(community.id);
            station_head_of.insert(community.id, format!("station-{:02}", s + 1));
        }
    }
    for (o, community) in communities.iter().enumerate() {
        let name = format!("联络官{}", person(&mut rng));
        users.push(NewUser {
            police_number: Some(format!("{:06}", 500_100 + o)),
            ..account(format!("officer-{:03}", o + 1), name, *community, Role::Officer, &hash)
        });
    }
    let bar = progress(users.len() as u64, "accounts");
    let mut ids = std::collections::HashMap::new();
    for user in &users {
        ids.insert(user.username.clone(), db.create_user(&ctx, user).await?);
        bar.inc(1);
    }
    bar.finish();
    let mut rows: Vec<(EnterpriseDetails, i64)> = Vec::with_capacity(ENTERPRISES);
    let mut codes = std::collections::HashSet::new();
    for n in 0..ENTERPRISES {
        let community = communities[n % communities.len()];
        let (industry, trade) = TRADES[rng.random_range(0..TRADES.len())];
        let name = format!(
            "重庆{}{}{}有限公司",
            WORDS[rng.random_range(0..WORDS.len())],
            WORDS[rng.random_range(0..WORDS.len())],
            trade
        );
        let input = EnterpriseInput {
            name: format!("{name}（{:04}）", n + 1),
            credit_code: CreditCode::synthetic(DIVISION, rng.random_range(0..31_u64.pow(8)))
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            address: format!("重庆市渝中区{}路{}号", WORDS[rng.random_range(0..WORDS.len())], rng.random_range(1..400)),
            industry: industry.into(),
            scale: Scale::ALL[rng.random_range(0..Scale::ALL.len())].code().into(),
            // Four key enterprises per community: every officer has at least three (DESIGN §3).
            key_enterprise: n < communities.len() * 4,
            longitude: Some(106.53 + rng.random_range(0.0..0.06)),
            latitude: Some(29.54 + rng.random_range(0.0..0.03)),
            contact_name: person(&mut rng),
            contact_mobile: format!("1380013{:04}", rng.random_range(0..10_000)),
        };
        debug_assert!(INDUSTRIES.iter().any(|(code, _)| *code == industry));
        match input.validate() {
            Ok(details) if codes.insert(details.credit_code.as_str().to_owned()) => rows.push((details, community)),
            Ok(_) => continue,
            Err(errors) => anyhow::bail!("demo enterprise {n} is invalid: {errors:?}"),
        }
    }
    let bar = progress(rows.len() as u64, "enterprises");
    db.import_enterprises(&ctx, &rows, &|n| bar.set_position(n as u64)).await?;
    bar.finish();
    let bar = progress(rows.len() as u64, "enterprise users");
    let mut enterprises = Vec::with_capacity(rows.len());
    for (n, (details, _)) in rows.iter().enumerate() {
        let enterprise = db.enterprise_by_code(details.credit_code.as_str()).await?.context("imported enterprise")?;
        let user = NewUser {
            enterprise_id: Some(enterprise.id),
            mobile: Some(details.contact_mobile.as_str().to_owned()),
            ..account(
                format!("ent-{:04}", n + 1),
                details.contact_name.clone(),
                enterprise.community_id,
                Role::EnterpriseUser,
                &hash,
            )
        };
        let user_id = db.create_user(&ctx, &user).await?;
        let head = station_head_of.get(&enterprise.community_id).and_then(|name| ids.get(name)).copied();
        enterprises.push(DemoEnterprise {
            id: enterprise.id,
            user_id,
            officer_id: enterprise.officer_id.context("every demo enterprise has an officer")?,
            path: enterprise.org_path(),
            address: enterprise.address.clone(),
            station_head: head.context("every community has a station head")?,
        });
        bar.inc(1);
    }
    bar.finish();
    let id_of = |name: &str| ids.get(name).copied().with_context(|| format!("demo account {name}"));
    let people = DemoPeople {
        enterprises,
        center_staff: (1..=CENTERS.len()).map(|c| id_of(&format!("center-{c}"))).collect::<anyhow::Result<_>>()?,
        district: OrgPath::parse(&district.path).context("district path")?,
        departments: departments
            .iter()
            .map(|(id, path, user)| Ok((*id, OrgPath::parse(path).context("path")?, id_of(user)?)))
            .collect::<anyhow::Result<_>>()?,
    };
    let spinner = ProgressBar::new_spinner().with_message("a year of closed-loop activity");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let items = crate::demo_activity::generate(db, &people, chrono::Utc::now()).await?;
    spinner.finish_with_message(format!("{items} items of last year's activity"));
    Ok(())
}

fn account(username: String, display_name: String, unit_id: i64, role: Role, hash: &str) -> NewUser {
    NewUser {
        username,
        display_name,
        unit_id,
        roles: vec![role],
        password_hash: hash.to_owned(),
        status: "active",
        enterprise_id: None,
        police_number: None,
        mobile: None,
        must_change_password: false,
    }
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_owned());
    bar
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, TimeZone, Utc};
    use liaison_core::TIMEZONE;
    use liaison_core::org::OrgPath;
    use liaison_store::figures::LoopFigures;

    /// The demo's year reproduces the article's figures, counted as `docs/METRICS.md` says.
    #[tokio::test]
    async fn last_years_activity_reproduces_the_articles_figures() {
        let dir = std::env::temp_dir().join(format!("liaison-demo-test-{}", liaison_core::token::random_hex(6)));
        std::fs::create_dir_all(&dir).expect("dir");
        let db =
            liaison_store::Db::open(&format!("sqlite://{}", dir.join("liaison.db").display()), 2).await.expect("db");
        super::generate(&db).await.expect("demo");
        let now = Utc::now();
        let year = now.with_timezone(&TIMEZONE).year() - 1;
        let start =
            |y: i32| TIMEZONE.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single().expect("new year").with_timezone(&Utc);
        let root = db.root_unit().await.expect("root").expect("a root");
        let root = OrgPath::parse(&root.path).expect("path");
        let figures = db.loop_figures(&root, start(year), start(year + 1), now).await.expect("figures");
        let LoopFigures {
            needs_suggestions_collected,
            needs_suggestions_solved,
            portal_disputes_reported,
            portal_suggestions_answered,
            portal_needs_solved,
            disputes_resolved,
            consultations_answered,
            ..
        } = figures.clone();
        assert_eq!(
            [
                needs_suggestions_collected,
                needs_suggestions_solved,
                portal_disputes_reported,
                portal_suggestions_answered,
                portal_needs_solved,
                disputes_resolved,
                consultations_answered
            ],
            [720, 640, 270, 243, 137, 230, 520]
        );
        assert!(
            figures.resolved_in_time < figures.resolved && figures.resolved_in_time * 10 > figures.resolved * 8,
            "{figures:?}"
        );
        assert!(figures.responded_in_time < figures.due_for_response, "some responses were late: {figures:?}");
        assert!(figures.with_feedback > 0 && figures.no_feedback > 0 && figures.reopened > 0, "{figures:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
