//! Accounts: roles, login-failure windows, sessions with eviction, disabling, TOTP steps, tokens.

use crate::harness::{backends, t0};
use chrono::Duration;
use liaison_core::role::Role;
use liaison_store::sign_in::Source;
use liaison_store::{Ctx, StoreError, fixture};

#[tokio::test]
async fn users_have_roles_and_unique_case_folded_names() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let o1 = db.user_by_username(" O1 ").await.expect("query").expect("found");
        assert_eq!(o1.roles, vec![Role::Officer]);
        assert_eq!(o1.row.unit_id, f.community1);
        assert!(liaison_core::password::verify(fixture::PASSWORD, &o1.row.password_hash));
        assert!(!format!("{o1:?}").contains("argon2"), "Debug leaves the hash out");
        let ctx = Ctx::system(t0());
        let mut dup = liaison_store::users::NewUser {
            username: "O1".into(),
            display_name: "x".into(),
            unit_id: f.community1,
            roles: vec![],
            password_hash: "x".into(),
            status: "active",
            enterprise_id: None,
            police_number: None,
            mobile: None,
            must_change_password: false,
        };
        assert!(matches!(db.create_user(&ctx, &dup).await, Err(StoreError::Duplicate("username"))), "{}", db.kind());
        dup.username = "o3".into();
        let id = db.create_user(&ctx, &dup).await.expect("create");
        db.set_roles(&ctx, id, &[Role::Officer, Role::Leader], true).await.expect("grant");
        let o3 = db.user(id).await.expect("o3");
        assert_eq!(o3.roles, vec![Role::Officer, Role::Leader]);
        assert!(o3.row.pi_reveal);
    }
}

#[tokio::test]
async fn login_failures_count_per_source_and_a_success_clears_only_its_own() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let mut ctx = Ctx::system(t0());
        ctx.ip = "10.0.0.1".into();
        let a = Source { ip: "10.0.0.1", device: None };
        let b = Source { ip: "10.0.0.2", device: None };
        db.remember_device(f.user("o1"), "device-1", t0()).await.expect("device");
        assert_eq!(db.device_owner("device-1").await.expect("q"), Some(f.user("o1")));
        assert_eq!(db.device_owner("device-2").await.expect("q"), None);
        let known = Source { ip: "10.0.0.1", device: Some("device-1") };
        for _ in 0..3 {
            db.record_login_failure(&ctx, "o1", &a, "bad password").await.expect("record");
        }
        db.record_login_failure(&ctx, "O1", &b, "bad password").await.expect("record");
        db.record_login_failure(&ctx, "o1", &known, "bad password").await.expect("record");
        db.record_login_failure(&ctx, "o2", &a, "bad password").await.expect("record");
        let (window, hour) = (t0() - Duration::minutes(15), t0() - Duration::hours(1));
        let counts = |source| {
            let db = db.clone();
            async move { db.login_counts("o1", &source, window, hour).await.expect("counts") }
        };
        let at_a = counts(a.clone()).await;
        assert_eq!((at_a.source, at_a.address, at_a.unknown_hour), (3, 5, 4), "{}", db.kind());
        let at_known = counts(known.clone()).await;
        assert_eq!((at_known.source, at_known.unknown_hour), (1, 4), "a known browser counts apart");
        let later = db.login_counts("o1", &a, t0(), t0()).await.expect("counts");
        assert_eq!((later.source, later.address, later.unknown_hour), (0, 0, 0), "windows exclude");
        let o1 = db.user_by_username("o1").await.expect("q").expect("o1");
        db.record_login_success(&ctx, &o1, &b).await.expect("success");
        assert_eq!(counts(b.clone()).await.source, 0, "the source that signed in is cleared");
        assert_eq!(counts(a.clone()).await.source, 3, "another source is not");
        db.lock_user(&ctx, o1.row.id, t0() + Duration::minutes(15)).await.expect("lock");
        assert!(db.user(o1.row.id).await.expect("o1").row.locked_until.is_some());
        db.unlock_user(&ctx, &o1).await.expect("unlock");
        assert!(db.user(o1.row.id).await.expect("o1").row.locked_until.is_none());
        assert_eq!(counts(a).await.unknown_hour, 0, "the unlock clears every source");
    }
}

/// The database refuses what core refuses: an administrator duty beside any other role (migration 0007).
#[tokio::test]
async fn the_database_keeps_an_administrator_duty_alone() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        for roles in [
            vec![Role::SysAdmin, Role::AuditAdmin],
            vec![Role::SecAdmin, Role::CenterStaff],
            vec![Role::Officer, Role::AuditAdmin],
        ] {
            let refused = db.set_roles(&ctx, f.user("o2"), &roles, false).await;
            assert!(matches!(refused, Err(StoreError::Conflict(_))), "{roles:?} on {}: {refused:?}", db.kind());
            assert_eq!(db.user(f.user("o2")).await.expect("o2").roles, vec![Role::Officer], "nothing changed");
        }
        db.set_roles(&ctx, f.user("o2"), &[Role::AuditAdmin], false).await.expect("one duty alone");
        assert_eq!(db.user(f.user("o2")).await.expect("o2").roles, vec![Role::AuditAdmin]);
    }
}

#[tokio::test]
async fn sessions_are_capped_and_die_with_the_account() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let o1 = f.user("o1");
        for i in 0..4 {
            let ctx = Ctx::system(t0() + Duration::seconds(i));
            db.create_session(&ctx, o1, &format!("s{i}"), false, "test", 3).await.expect("session");
        }
        assert!(db.session("s0").await.expect("q").is_none(), "oldest evicted");
        assert!(db.session("s3").await.expect("q").is_some());
        let ctx = Ctx::system(t0());
        db.set_user_status(&ctx, o1, "disabled").await.expect("disable");
        assert!(db.session("s3").await.expect("q").is_none(), "{}", db.kind());
    }
}

#[tokio::test]
async fn a_totp_step_is_accepted_once_and_recovery_codes_once() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        let o1 = f.user("o1");
        db.set_totp(&ctx, o1, Some("SECRET"), true, &["d1".into(), "d2".into()]).await.expect("enable");
        assert!(db.claim_totp_step(o1, 100).await.expect("claim"));
        assert!(!db.claim_totp_step(o1, 100).await.expect("replay"));
        assert!(!db.claim_totp_step(o1, 99).await.expect("older"));
        assert!(db.claim_totp_step(o1, 101).await.expect("next"));
        assert!(db.use_recovery_code(&ctx, o1, "d1").await.expect("use"));
        assert!(!db.use_recovery_code(&ctx, o1, "d1").await.expect("reuse"));
    }
}

#[tokio::test]
async fn api_tokens_resolve_until_revoked() {
    for db in backends().await {
        let f = fixture::build(&db, t0()).await.expect("fixture");
        let ctx = Ctx::system(t0());
        let id = db.create_api_token(&ctx, f.user("o1"), "script", "digest-1").await.expect("create");
        assert_eq!(db.api_token("digest-1").await.expect("q").map(|t| t.id), Some(id));
        assert!(!db.revoke_api_token(&ctx, f.user("o2"), id).await.expect("not theirs"));
        assert!(db.revoke_api_token(&ctx, f.user("o1"), id).await.expect("revoke"));
        assert!(db.api_token("digest-1").await.expect("q").is_none());
    }
}
