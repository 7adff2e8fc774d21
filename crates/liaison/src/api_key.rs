//! `liaison api-key create`: issues an Open311 API key from the command line — bound to an existing
//! account (`--user`), or to a new channel account (a public channel's own account at the first
//! center, which cannot sign in) — and prints the key alone on the last line.

use anyhow::Context;
use liaison_core::org::{OrgKind, OrgPath};
use liaison_core::{password, role::Role, token};
use liaison_store::users::NewUser;
use liaison_store::{Ctx, Db};
use liaison_web::AppError;
use liaison_web::actions::api_keys::{KeyFields, check, new_secret};

/// What the command was given.
pub struct Request {
    /// What the client is.
    pub name: String,
    /// An existing account to act as.
    pub user: Option<String>,
    /// Reads private requests too.
    pub read_private: bool,
    /// Uses per minute.
    pub per_minute: Option<i64>,
}

/// Issues the key and prints it.
pub async fn create(db: &Db, request: Request) -> anyhow::Result<()> {
    let ctx = Ctx::system(chrono::Utc::now());
    let username = match request.user {
        Some(username) => username,
        None => channel_account(db, &ctx, &request.name).await?,
    };
    let fields =
        KeyFields { name: request.name, username, read_private: request.read_private, per_minute: request.per_minute };
    let key = check(db, &fields).await.map_err(|error| match error {
        AppError::Validation(fields) => {
            let reasons: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
            anyhow::anyhow!("{}", reasons.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    })?;
    let (secret, prefix, digest) = new_secret();
    let id = db.create_api_key(&ctx, &key, &prefix, &digest).await?;
    println!("API key {id} \"{}\" acts as {}; keep it secret, it is shown once:", fields.name, fields.username);
    println!("{secret}");
    Ok(())
}

/// A new center-staff account for a public channel, with a password nobody knows; returns its name.
async fn channel_account(db: &Db, ctx: &Ctx, name: &str) -> anyhow::Result<String> {
    let root = db.root_unit().await?.context("no org unit yet: run `liaison serve` or `liaison demo` first")?;
    let root = OrgPath::parse(&root.path).context("the root unit's path")?;
    let center = db
        .units_within(&root)
        .await?
        .into_iter()
        .find(|unit| unit.kind == OrgKind::Center.code() && unit.retired_at.is_none())
        .context("no center unit to host a channel account: pass --user USERNAME")?;
    let username = format!("channel-{}", token::random_hex(4));
    let account = NewUser {
        username: username.clone(),
        display_name: format!("{name}（开放接口）"),
        unit_id: center.id,
        roles: vec![Role::CenterStaff],
        password_hash: password::hash(&token::random_hex(32)),
        status: "active",
        enterprise_id: None,
        police_number: None,
        mobile: None,
        must_change_password: true,
    };
    db.create_user(ctx, &account).await?;
    println!("created the channel account {username} at {}", center.name);
    Ok(username)
}
