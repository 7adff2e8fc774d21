//! The org tree: paths, kinds, moves that carry the subtree and its enterprises, retirement.

use crate::harness::{backends, t0};
use liaison_core::org::{OrgKind, OrgPath};
use liaison_core::permission::Visibility;
use liaison_store::enterprises::EnterpriseFilter;
use liaison_store::{Ctx, Paging, StoreError, fixture};

#[tokio::test]
async fn units_nest_by_kind_and_paths_follow_the_tree() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let district = db.unit(f.district).await.expect("district");
        assert_eq!(district.path, format!("/{}/{}/", f.city, f.district));
        assert_eq!(district.code.as_deref(), Some("YZ"));
        let within = db.units_within(&district.org_path()).await.expect("subtree");
        assert_eq!(within.len(), 7, "{}: district, center, 2 stations, 2 communities, department", db.kind());
        let stations = db.units_of_kind(&district.org_path(), OrgKind::Station).await.expect("stations");
        assert_eq!(stations.len(), 2);
        let ctx = Ctx::system(t0());
        let refused = db.create_unit(&ctx, Some(f.district), OrgKind::Community, "错位社区", None).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{}", db.kind());
    }
}

#[tokio::test]
async fn moving_a_community_carries_its_enterprises() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        db.move_unit(&ctx, f.community1, f.station2).await.expect("move");
        let moved = db.unit(f.community1).await.expect("community");
        assert_eq!(moved.parent_id, Some(f.station2));
        let station2 = db.unit(f.station2).await.expect("station");
        assert!(moved.org_path().is_within(&station2.org_path()));
        let e1 = db.enterprise(f.e1).await.expect("e1");
        assert_eq!(e1.path, moved.path, "{}", db.kind());
        let in_station2 = db
            .enterprises(
                &Visibility::Subtree(station2.org_path()),
                &EnterpriseFilter::default(),
                Paging::new(None, None),
            )
            .await
            .expect("list");
        assert_eq!(in_station2.total, 2);
        let station1 = OrgPath::parse(&db.unit(f.station1).await.expect("s1").path).expect("path");
        let in_station1 = db
            .enterprises(&Visibility::Subtree(station1), &EnterpriseFilter::default(), Paging::new(None, None))
            .await
            .expect("list");
        assert_eq!(in_station1.total, 0);
        let under_itself = db.move_unit(&ctx, f.station2, f.community1).await;
        assert!(matches!(under_itself, Err(StoreError::Conflict(_))));
    }
}

#[tokio::test]
async fn retiring_keeps_the_unit_and_needs_empty_children() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        assert!(matches!(db.retire_unit(&ctx, f.station1).await, Err(StoreError::Conflict(_))));
        db.retire_unit(&ctx, f.department).await.expect("retire");
        let retired = db.unit(f.department).await.expect("still there");
        assert!(retired.retired_at.is_some());
        assert!(matches!(db.retire_unit(&ctx, f.department).await, Err(StoreError::NotFound)));
        db.rename_unit(&ctx, f.station1, "解放碑派出所联络站").await.expect("rename");
        assert_eq!(db.unit(f.station1).await.expect("s1").name, "解放碑派出所联络站");
    }
}
