//! Open311's store on both backends: services and attributes from the catalogue, service requests by
//! readers (public services or an account's scope), window, categories, statuses and numbers, item
//! attributes written with the intake, and API keys (issue, digest lookup, rotate, revoke, uses).

use crate::harness::{backends, t0};
use chrono::Duration;
use liaison_core::calendar::Calendar;
use liaison_core::item::{Channel, Kind, Priority};
use liaison_core::open311::{AttributeDef, Datatype, ValueOption};
use liaison_core::org::OrgPath;
use liaison_core::sla::default_policy;
use liaison_store::api_keys::NewApiKey;
use liaison_store::item_list::ItemScope;
use liaison_store::items::NewItem;
use liaison_store::open311::{Readers, RequestQuery, ServiceDefinition};
use liaison_store::{Ctx, Db, fixture};

async fn submit(db: &Db, user: i64, item: &NewItem, minutes: i64) -> i64 {
    let at = t0() + Duration::minutes(minutes);
    let due = default_policy(item.kind, Priority::Normal).deadlines(&Calendar::official(), at);
    let ctx = Ctx { actor_id: Some(user), actor_role: "test".into(), ..Ctx::system(at) };
    db.create_item(&ctx, item, &due, false).await.expect("create").id
}

fn item(kind: Kind, category_id: i64, enterprise_id: i64) -> NewItem {
    NewItem { kind, category_id, channel: Channel::Open311, ..fixture::need(enterprise_id) }
}

#[tokio::test]
async fn services_requests_and_attributes_on_both_backends() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let public = db.services(false).await.expect("services");
        assert!(public.iter().all(|s| s.public_service) && public.iter().any(|s| s.id == 1 && s.attribute_count == 2));
        assert!(!public.iter().any(|s| s.kind == "dispute" || s.kind == "report"));
        assert!(db.services(true).await.expect("all").iter().any(|s| s.kind == "dispute"));
        assert_eq!(db.service(1, false).await.expect("one").map(|s| s.attribute_count), Some(2));
        assert!(db.service(6, false).await.expect("one").is_none(), "a dispute category is not public");
        assert!(db.service(6, true).await.expect("one").is_some_and(|s| !s.public_service));
        let attributes = db.category_attributes(1).await.expect("attributes");
        assert_eq!(
            attributes.iter().map(|a| (a.code.as_str(), a.order)).collect::<Vec<_>>(),
            [("headcount", 1), ("positions", 2)]
        );
        assert_eq!(attributes[1].values.len(), 3);

        let with_attributes = NewItem {
            attributes: vec![("headcount".into(), 0, "3".into()), ("positions".into(), 0, "operator".into())],
            ..item(Kind::Need, 1, f.e1)
        };
        let need = submit(&db, f.user("e1a"), &with_attributes, 0).await;
        let dispute = submit(&db, f.user("e1a"), &item(Kind::Dispute, 6, f.e1), 1).await;
        let other = submit(&db, f.user("e2a"), &item(Kind::Consultation, 12, f.e2), 2).await;
        let stored = db.item_attributes(need).await.expect("attributes");
        assert_eq!(
            stored.iter().map(|a| (a.code.as_str(), a.value.as_str())).collect::<Vec<_>>(),
            [("headcount", "3"), ("positions", "operator")]
        );
        let row = db.item(need).await.expect("item");
        assert_eq!(db.item_by_number(&row.number).await.expect("by number").id, need);

        let window = RequestQuery {
            from: Some(t0() - Duration::days(1)),
            to: Some(t0() + Duration::days(1)),
            limit: 1000,
            ..RequestQuery::default()
        };
        let ids = |rows: Vec<liaison_store::open311::RequestRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(db.service_requests(&Readers::Public, &window).await.expect("public")), [other, need]);
        let e1 = Readers::Account(ItemScope::Enterprise(f.e1));
        assert_eq!(ids(db.service_requests(&e1, &window).await.expect("own")), [dispute, need]);
        let officer = Readers::Account(ItemScope::Officer(f.user("o1")));
        assert_eq!(ids(db.service_requests(&officer, &window).await.expect("officer")), [dispute, need]);
        let district = OrgPath::parse(&db.unit(f.district).await.expect("d").path).expect("path");
        let subtree = Readers::Account(ItemScope::Subtree(district));
        assert_eq!(ids(db.service_requests(&subtree, &window).await.expect("subtree")), [other, dispute, need]);

        let narrow = |q: RequestQuery| q;
        let only_twelve = narrow(RequestQuery { category_ids: vec![12], ..window.clone() });
        assert_eq!(ids(db.service_requests(&Readers::Public, &only_twelve).await.expect("category")), [other]);
        let closed = RequestQuery { statuses: vec!["closed".into(), "resolved".into()], ..window.clone() };
        assert!(db.service_requests(&Readers::Public, &closed).await.expect("status").is_empty());
        let later = RequestQuery { from: Some(t0() + Duration::seconds(90)), ..window.clone() };
        assert_eq!(ids(db.service_requests(&Readers::Public, &later).await.expect("window")), [other]);
        let by_number =
            RequestQuery { numbers: vec![row.number.clone()], ..RequestQuery { limit: 10, ..RequestQuery::default() } };
        assert_eq!(ids(db.service_requests(&Readers::Public, &by_number).await.expect("number")), [need]);
        let first = db.service_requests(&Readers::Public, &by_number).await.expect("number").remove(0);
        assert_eq!((first.agency.as_deref(), first.updated_at()), (Some("解放碑社区"), first.submitted_at));
        let limited = RequestQuery { limit: 1, ..window };
        assert_eq!(ids(db.service_requests(&Readers::Public, &limited).await.expect("limit")), [other]);
    }
}

#[tokio::test]
async fn a_service_definition_replaces_the_attributes_on_both_backends() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx { actor_id: Some(f.user("sys")), ..Ctx::system(t0()) };
        let choice = |key: &str| ValueOption { key: key.into(), name: key.to_uppercase() };
        let service = ServiceDefinition {
            public_service: false,
            description: "用工".into(),
            keywords: "招工".into(),
            attributes: vec![AttributeDef {
                code: "shift".into(),
                datatype: Datatype::SingleValueList,
                required: true,
                description: "班次".into(),
                order: 1,
                values: vec![choice("day"), choice("night")],
            }],
        };
        db.set_category_service(&ctx, 1, &service).await.expect("set");
        assert!(!db.services(false).await.expect("public").iter().any(|s| s.id == 1), "no longer public");
        let row =
            db.services(true).await.expect("all").into_iter().find(|s| s.id == 1).expect("listed to private keys");
        assert_eq!((row.description.as_str(), row.keywords.as_str(), row.attribute_count), ("用工", "招工", 1));
        assert_eq!(db.category_attributes(1).await.expect("attributes"), service.attributes);
        assert!(matches!(db.set_category_service(&ctx, 999, &service).await, Err(liaison_store::StoreError::NotFound)));
        let trail = db.audit_page("category.service", liaison_store::Paging::new(None, Some(5))).await.expect("audit");
        assert_eq!(trail.items.len(), 1);
    }
}

#[tokio::test]
async fn api_keys_are_found_by_digest_until_rotated_or_revoked() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx { actor_id: Some(f.user("sec")), ..Ctx::system(t0()) };
        let new = NewApiKey { name: "ERP".into(), user_id: f.user("e1a"), read_private: true, per_minute: 60 };
        let id = db.create_api_key(&ctx, &new, "lk_1234567", "digest-1", false).await.expect("create");
        let found = db.api_key_by_digest("digest-1").await.expect("lookup").expect("found");
        assert_eq!((found.id, found.username.as_str(), found.read_private, found.per_minute), (id, "e1a", true, 60));
        assert_eq!(found.consented_at, None, "issued by the security admin, it waits for the holder");
        assert!(db.consent_api_key(&ctx, id, f.user("e1b")).await.is_err(), "only the account's holder consents");
        let holder = Ctx { actor_id: Some(f.user("e1a")), ..Ctx::system(t0()) };
        db.consent_api_key(&holder, id, f.user("e1a")).await.expect("consent");
        assert_eq!(db.api_keys_of(f.user("e1a")).await.expect("mine")[0].consented_at, Some(t0()));
        db.record_api_key_use(&ctx, id, true, "GET services").await.expect("use");
        assert_eq!(db.api_key(id).await.expect("key").last_used_at, Some(t0()));

        db.rotate_api_key(&ctx, id, "lk_7654321", "digest-2", false).await.expect("rotate");
        assert!(db.api_key_by_digest("digest-1").await.expect("lookup").is_none());
        assert_eq!(db.api_key(id).await.expect("key").consented_at, None, "a new secret asks for consent again");
        assert_eq!(
            db.api_key_by_digest("digest-2").await.expect("lookup").map(|k| k.prefix),
            Some("lk_7654321".into())
        );

        let through_key = NewItem { api_key: Some(id), ..item(Kind::Need, 2, f.e1) };
        let created = submit(&db, f.user("e1a"), &through_key, 5).await;
        assert_eq!(db.api_key(id).await.expect("key").last_used_at, Some(t0() + Duration::minutes(5)));
        let uses = db.audit_page("api_key.use", liaison_store::Paging::new(None, Some(10))).await.expect("audit").items;
        let number = db.item(created).await.expect("item").number;
        assert!(uses.iter().any(|u| u.detail.contains(&number)), "the submission's use is audited with the item");

        db.revoke_api_key(&ctx, id).await.expect("revoke");
        assert!(db.api_key_by_digest("digest-2").await.expect("lookup").is_none());
        assert!(db.revoke_api_key(&ctx, id).await.is_err(), "a revoked key stays revoked");
        assert!(db.rotate_api_key(&ctx, id, "x", "digest-3", true).await.is_err());
        assert_eq!(db.api_keys().await.expect("list").len(), 1);
        let trail = db.audit_page("api_key.", liaison_store::Paging::new(None, Some(20))).await.expect("audit").items;
        assert_eq!(trail.len(), 6, "create, consent, a read, rotate, the submission's use, revoke");
    }
}
