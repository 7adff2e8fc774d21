//! First run (a root unit and the three separate admins, each with a one-time password printed once)
//! and the `user` commands.

use anyhow::Context;
use liaison_core::org::OrgKind;
use liaison_core::password;
use liaison_core::role::Role;
use liaison_store::users::NewUser;
use liaison_store::{Ctx, Db};

/// A staff account with a one-time password that must be changed at first sign-in.
fn staff_account(username: &str, name: &str, unit_id: i64, roles: Vec<Role>, secret: &str) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: name.into(),
        unit_id,
        roles,
        password_hash: password::hash(secret),
        status: "active",
        enterprise_id: None,
        police_number: None,
        mobile: None,
        must_change_password: true,
    }
}

/// On an empty database: creates the root unit and `admin` (system), `security` (security) and
/// `auditor` (audit) — no default passwords; each must be changed at first sign-in.
pub async fn first_run(db: &Db) -> anyhow::Result<()> {
    if db.user_by_username("admin").await?.is_some() || db.root_unit().await?.is_some() {
        return Ok(());
    }
    let ctx = Ctx::system(chrono::Utc::now());
    let root = db.create_unit(&ctx, None, OrgKind::City, "市公安局", None).await?;
    println!(
        "First run: created the root unit and the three administrators. Each password works once and must be changed:"
    );
    for (username, name, role) in [
        ("admin", "系统管理员", Role::SysAdmin),
        ("security", "安全管理员", Role::SecAdmin),
        ("auditor", "审计管理员", Role::AuditAdmin),
    ] {
        let secret = password::one_time();
        let user = staff_account(username, name, root.id, vec![role], &secret);
        db.create_user(&ctx, &user).await?;
        println!("  {username:<9} {secret}");
    }
    Ok(())
}

/// `liaison user create`.
pub async fn create_user(
    db: &Db,
    username: &str,
    name: &str,
    unit: Option<i64>,
    roles: &[String],
) -> anyhow::Result<()> {
    let roles: Vec<Role> =
        roles.iter().map(|r| Role::parse(r).with_context(|| format!("unknown role {r}"))).collect::<Result<_, _>>()?;
    let unit_id = match unit {
        Some(id) => id,
        None => db.root_unit().await?.context("no org unit yet: run `liaison serve` once first")?.id,
    };
    let secret = password::one_time();
    let user = staff_account(username, name, unit_id, roles, &secret);
    let id = db.create_user(&Ctx::system(chrono::Utc::now()), &user).await?;
    println!("created user {username} (id {id}); one-time password:\n{secret}");
    Ok(())
}

/// `liaison user reset-password`.
pub async fn reset_password(db: &Db, username: &str) -> anyhow::Result<()> {
    let user = db.user_by_username(username).await?.with_context(|| format!("no user {username}"))?;
    let secret = password::one_time();
    db.set_password(&Ctx::system(chrono::Utc::now()), user.row.id, &password::hash(&secret), true, None).await?;
    println!("password of {username} reset; one-time password (all sessions ended):\n{secret}");
    Ok(())
}
