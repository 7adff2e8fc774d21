//! The fixture district of SECURITY.md §3: two stations, their communities and officers, three
//! enterprises and their users, and the three admins — built through the store's own methods.

use crate::users::NewUser;
use crate::{Ctx, Db, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::enterprise::{EnterpriseDetails, EnterpriseInput};
use liaison_core::org::OrgKind;
use liaison_core::role::Role;

/// A need the enterprise submits through the portal (category 1 of the starter catalogue); tests
/// change what they need with struct update syntax.
pub fn need(enterprise_id: i64) -> crate::items::NewItem {
    use liaison_core::item::{Channel, Kind, Priority};
    crate::items::NewItem {
        kind: Kind::Need,
        category_id: 1,
        priority: Priority::Normal,
        channel: Channel::Portal,
        title: "招工难".into(),
        description: "春节后需要招聘三十名操作工".into(),
        address: Some("渝中区解放碑".into()),
        longitude: None,
        latitude: None,
        enterprise_id,
        idempotency_key: None,
        daily_limit: None,
        attributes: Vec::new(),
        api_key: None,
    }
}

/// The password of every fixture account.
pub const PASSWORD: &str = "Fixture-pass-2026";

/// Ids of the fixture's units, users and enterprises.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// City bureau.
    pub city: i64,
    /// District bureau `YZ`.
    pub district: i64,
    /// Station 1 and its community.
    pub station1: i64,
    /// Community of station 1.
    pub community1: i64,
    /// Station 2.
    pub station2: i64,
    /// Community of station 2.
    pub community2: i64,
    /// A partner department.
    pub department: i64,
    /// Enterprise 1 (officer O1) and 2 (officer O2).
    pub e1: i64,
    /// Enterprise 2.
    pub e2: i64,
    /// Users by fixture name: `e1a`, `e1b`, `e2a`, `o1`, `o2`, `sup1`, `center`, `leader`, `dept`, `sys`, `sec`, `aud`.
    pub users: std::collections::BTreeMap<&'static str, i64>,
}

impl Fixture {
    /// The id of fixture user `name`.
    pub fn user(&self, name: &str) -> i64 {
        self.users.get(name).copied().unwrap_or_default()
    }
}

/// Valid details for a fixture enterprise (credit codes from SECURITY.md §4.1).
pub fn details(name: &str, code: &str, mobile: &str) -> EnterpriseDetails {
    let input = EnterpriseInput {
        name: name.into(),
        credit_code: code.into(),
        address: "渝中区测试路1号".into(),
        industry: "I".into(),
        scale: "small".into(),
        key_enterprise: true,
        longitude: Some(106.57),
        latitude: Some(29.55),
        contact_name: "张三".into(),
        contact_mobile: mobile.into(),
    };
    match input.validate() {
        Ok(details) => details,
        Err(errors) => panic!("fixture enterprise is invalid: {errors:?}"),
    }
}

/// Builds the fixture district at `at`. The password is hashed once per process and shared.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn build(db: &Db, at: DateTime<Utc>) -> StoreResult<Fixture> {
    let ctx = Ctx::system(at);
    let city = db.create_unit(&ctx, None, OrgKind::City, "重庆市公安局", None).await?.id;
    let district = db.create_unit(&ctx, Some(city), OrgKind::District, "渝中区分局", Some("YZ")).await?.id;
    let center = db.create_unit(&ctx, Some(district), OrgKind::Center, "助企警务中心", None).await?.id;
    let station1 = db.create_unit(&ctx, Some(district), OrgKind::Station, "解放碑联络站", None).await?.id;
    let community1 = db.create_unit(&ctx, Some(station1), OrgKind::Community, "解放碑社区", None).await?.id;
    let station2 = db.create_unit(&ctx, Some(district), OrgKind::Station, "朝天门联络站", None).await?.id;
    let community2 = db.create_unit(&ctx, Some(station2), OrgKind::Community, "朝天门社区", None).await?.id;
    let department = db.create_unit(&ctx, Some(district), OrgKind::Department, "司法所", None).await?.id;
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH.get_or_init(|| liaison_core::password::hash(PASSWORD)).as_str();
    let mut users = std::collections::BTreeMap::new();
    let staff: [(&'static str, i64, Role); 9] = [
        ("o1", community1, Role::Officer),
        ("o2", community2, Role::Officer),
        ("sup1", station1, Role::StationHead),
        ("center", center, Role::CenterStaff),
        ("leader", district, Role::Leader),
        ("dept", department, Role::DepartmentUser),
        ("sys", city, Role::SysAdmin),
        ("sec", city, Role::SecAdmin),
        ("aud", city, Role::AuditAdmin),
    ];
    for (name, unit_id, role) in staff {
        let id = db.create_user(&ctx, &new_user(name, unit_id, role, hash, None)).await?;
        users.insert(name, id);
    }
    let e1 = db
        .create_enterprise(&ctx, &details("渝中一号科技有限公司", "91350100M000100Y43", "13800138000"), community1)
        .await?;
    let e2 = db
        .create_enterprise(&ctx, &details("朝天门二号贸易有限公司", "914403001922038216", "13912345678"), community2)
        .await?;
    for (name, enterprise, unit) in [("e1a", e1, community1), ("e1b", e1, community1), ("e2a", e2, community2)] {
        let id = db.create_user(&ctx, &new_user(name, unit, Role::EnterpriseUser, hash, Some(enterprise))).await?;
        users.insert(name, id);
    }
    Ok(Fixture { city, district, station1, community1, station2, community2, department, e1, e2, users })
}

fn new_user(name: &str, unit_id: i64, role: Role, hash: &str, enterprise_id: Option<i64>) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: format!("测试{name}"),
        unit_id,
        roles: vec![role],
        password_hash: hash.into(),
        status: "active",
        enterprise_id,
        police_number: role.is_staff().then(|| format!("P{name}")),
        mobile: Some("13700001111".into()),
        must_change_password: false,
    }
}
