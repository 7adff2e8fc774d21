//! Enterprises: scoped lists, duplicate codes, officer history, all-or-nothing import, coverage.

use crate::harness::{backends, t0};
use chrono::Duration;
use liaison_core::org::OrgPath;
use liaison_core::permission::Visibility;
use liaison_store::enterprises::EnterpriseFilter;
use liaison_store::self_reports::NewSelfReport;
use liaison_store::{Ctx, Paging, StoreError, fixture};

#[tokio::test]
async fn lists_follow_the_viewers_scope_and_filters() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let all = Paging::new(None, None);
        let none = EnterpriseFilter::default();
        let district = OrgPath::parse(&db.unit(f.district).await.expect("d").path).expect("path");
        let ids = |page: liaison_store::Page<liaison_store::enterprises::EnterpriseRow>| {
            page.items.iter().map(|e| e.id).collect::<Vec<_>>()
        };
        assert_eq!(
            ids(db.enterprises(&Visibility::Subtree(district), &none, all).await.expect("list")),
            vec![f.e2, f.e1]
        );
        assert_eq!(
            ids(db.enterprises(&Visibility::Officer(f.user("o1")), &none, all).await.expect("list")),
            vec![f.e1]
        );
        assert_eq!(ids(db.enterprises(&Visibility::Enterprise(f.e2), &none, all).await.expect("list")), vec![f.e2]);
        assert_eq!(db.enterprises(&Visibility::Nothing, &none, all).await.expect("list").total, 0);
        let by_name = EnterpriseFilter { query: "朝天门".into(), ..EnterpriseFilter::default() };
        let district = OrgPath::parse(&db.unit(f.district).await.expect("d").path).expect("path");
        assert_eq!(
            ids(db.enterprises(&Visibility::Subtree(district.clone()), &by_name, all).await.expect("list")),
            vec![f.e2]
        );
        let by_code = EnterpriseFilter { query: "91350100m000100y43".into(), ..EnterpriseFilter::default() };
        assert_eq!(
            ids(db.enterprises(&Visibility::Subtree(district.clone()), &by_code, all).await.expect("list")),
            vec![f.e1]
        );
        let wildcard = EnterpriseFilter { query: "%".into(), ..EnterpriseFilter::default() };
        assert_eq!(
            db.enterprises(&Visibility::Subtree(district.clone()), &wildcard, all).await.expect("list").total,
            0,
            "% is literal"
        );
        let injection = EnterpriseFilter { query: "' OR 1=1--".into(), ..EnterpriseFilter::default() };
        assert_eq!(db.enterprises(&Visibility::Subtree(district), &injection, all).await.expect("list").total, 0);
        let e1 = db.enterprise(f.e1).await.expect("e1");
        assert_eq!(e1.officer_id, Some(f.user("o1")), "the community's officer is responsible");
        assert_eq!(e1.contact_mobile, "13800138000");
    }
}

#[tokio::test]
async fn a_credit_code_is_registered_once() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        let again = fixture::details("重复公司", "91350100M000100Y43", "13800138000");
        let result = db.create_enterprise(&ctx, &again, f.community2).await;
        assert!(matches!(result, Err(StoreError::Duplicate("credit_code"))), "{}: {result:?}", db.kind());
        let into_station = db
            .create_enterprise(&ctx, &fixture::details("站点公司", "91330100716105852F", "13800138000"), f.station1)
            .await;
        assert!(matches!(into_station, Err(StoreError::Conflict(_))));
    }
}

#[tokio::test]
async fn reassignment_keeps_history() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx { actor_id: Some(f.user("sup1")), ..Ctx::system(t0() + Duration::days(1)) };
        db.assign_officer(&ctx, f.e1, f.user("o2"), "调整辖区").await.expect("assign");
        let history = db.officer_history(f.e1).await.expect("history");
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].officer_id, Some(f.user("o2")));
        assert!(history[0].to_at.is_none());
        assert_eq!(history[1].officer_id, Some(f.user("o1")));
        assert_eq!(history[1].to_at, Some(ctx.at));
        let not_an_officer = db.assign_officer(&ctx, f.e1, f.user("leader"), "x").await;
        assert!(matches!(not_an_officer, Err(StoreError::Conflict(_))));
    }
}

#[tokio::test]
async fn an_import_with_one_bad_row_changes_nothing() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        let rows = vec![
            (fixture::details("新一公司", "91330100716105852F", "13800138000"), f.community1),
            (fixture::details("新二公司", "91350100M000100Y43", "13800138000"), f.community2),
        ];
        let result = db.import_enterprises(&ctx, &rows, &|_| ()).await;
        assert!(matches!(result, Err(StoreError::Duplicate("credit_code"))), "{}", db.kind());
        assert!(db.enterprise_by_code("91330100716105852F").await.expect("q").is_none(), "rolled back");
        let good = vec![(fixture::details("新一公司", "91330100716105852F", "13800138000"), f.community1)];
        assert_eq!(db.import_enterprises(&ctx, &good, &|_| ()).await.expect("import"), 1);
        let district = OrgPath::parse(&db.unit(f.district).await.expect("d").path).expect("path");
        let coverage = db.coverage_by_station(&district).await.expect("coverage");
        let station1 = coverage.iter().find(|s| s.station_id == f.station1).expect("station1");
        assert_eq!((station1.enterprises, station1.covered, station1.key_enterprises, station1.officers), (2, 2, 2, 1));
    }
}

#[tokio::test]
async fn self_reports_are_versioned_and_reviewed_once() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx { actor_id: Some(f.user("e1a")), ..Ctx::system(t0()) };
        let report = NewSelfReport {
            employees: 120,
            security_staff: 4,
            cameras: 36,
            fire_equipment: "灭火器 40 具".into(),
            key_positions: "机房、财务室".into(),
            risks: "电信诈骗风险".into(),
        };
        let first = db.submit_self_report(&ctx, f.e1, &report).await.expect("v1");
        db.submit_self_report(&ctx, f.e1, &report).await.expect("v2");
        let versions = db.self_reports(f.e1).await.expect("list");
        assert_eq!(versions.iter().map(|r| r.version).collect::<Vec<_>>(), vec![2, 1]);
        let officer = Ctx { actor_id: Some(f.user("o1")), ..ctx.clone() };
        db.review_self_report(&officer, f.e1, first, true, "核实无误").await.expect("approve");
        assert!(matches!(db.review_self_report(&officer, f.e1, first, false, "").await, Err(StoreError::Conflict(_))));
        assert!(matches!(
            db.review_self_report(&officer, f.e2, versions[0].id, true, "").await,
            Err(StoreError::Conflict(_))
        ));
    }
}

#[tokio::test]
async fn an_import_plan_resolves_communities_and_refuses_registered_codes() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let csv = format!(
            "企业名称,统一社会信用代码,地址,行业门类,规模,联系人,联系电话,所属社区\n\
             新甲,91330100716105852F,渝中1号,I,小型,张三,13800138000,解放碑社区\n\
             新乙,91350100M000100Y43,渝中2号,I,小型,李四,13800138000,{}\n\
             新丙,9144030071526726XG,渝中3号,I,小型,王五,13800138000,不存在社区\n",
            f.community2
        );
        let table = liaison_core::import::read_table(csv.as_bytes(), "x.csv").expect("table");
        let (parsed, errors) = liaison_core::import::parse_enterprises(&table).expect("parse");
        let station1 = OrgPath::parse(&db.unit(f.station1).await.expect("s1").path).expect("path");
        let plan = db.plan_enterprise_import(&station1, parsed, errors).await.expect("plan");
        assert_eq!(plan.rows.len(), 1, "{}", db.kind());
        assert_eq!(plan.rows[0].1, f.community1);
        let problems: Vec<(usize, &str)> = plan.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            problems,
            vec![(3, "community"), (3, "credit_code"), (4, "community")],
            "station 1 cannot import into community 2"
        );
    }
}

#[tokio::test]
async fn list_totals_from_the_maintained_counts_match_a_full_count() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        let extra = fixture::details("新增一号", "91330100716105852F", "13800138000");
        db.create_enterprise(&ctx, &extra, f.community1).await.expect("create");
        let mut not_key = fixture::details("渝中一号科技有限公司", "91350100M000100Y43", "13800138000");
        not_key.key_enterprise = false;
        db.update_enterprise(&ctx, f.e1, &not_key).await.expect("update");
        db.set_enterprise_status(&ctx, f.e2, true).await.expect("retire");
        db.move_unit(&ctx, f.community1, f.station2).await.expect("move");
        let district = OrgPath::parse(&db.unit(f.district).await.expect("d").path).expect("path");
        let station2 = OrgPath::parse(&db.unit(f.station2).await.expect("s2").path).expect("path");
        for root in [district, station2] {
            for (key_only, retired) in [(false, false), (true, false), (false, true), (true, true)] {
                let plain = EnterpriseFilter { query: String::new(), key_only, retired, officer_id: None };
                let counted = db
                    .enterprises(&Visibility::Subtree(root.clone()), &plain, Paging::new(None, None))
                    .await
                    .expect("list");
                assert_eq!(
                    counted.total,
                    counted.items.len() as i64,
                    "{} {root} key={key_only} retired={retired}",
                    db.kind()
                );
            }
        }
    }
}
