//! `liaison api-key create`: issues an Open311 API key from the command line — bound to an existing
//! account (`--user`), or to a new channel account (a public channel's own account at the first
//! center, which cannot sign in) — and prints the key alone on the last line.

use anyhow::Context;
use liaison_core::org::{OrgKind, OrgPath};
use liaison_core::{password, role::Role, token};
use liaison_store::api_keys::ApiKey;
use liaison_store::users::NewUser;
use liaison_store::{Ctx, Db};
use liaison_web::AppError;
use liaison_web::actions::api_keys::{KeyFields, check, check_name, new_secret};

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

/// Issues the key and prints it, alone on the last line.
pub async fn create(db: &Db, request: Request) -> anyhow::Result<()> {
    let (key, secret) = issue(db, request).await?;
    println!("API key {} \"{}\" acts as {}; keep it secret, it is shown once:", key.id, key.name, key.username);
    println!("{secret}");
    Ok(())
}

/// Issues the key (creating the channel account first when no `--user` is given); returns it with
/// its secret. Nothing is created when the name or the account is refused.
async fn issue(db: &Db, request: Request) -> anyhow::Result<(ApiKey, String)> {
    let ctx = Ctx::system(chrono::Utc::now());
    check_name(&request.name).map_err(|e| anyhow::anyhow!("name: {e}"))?;
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
    // Consented at issue: whoever runs this on the server holds the database the account lives in.
    let id = db.create_api_key(&ctx, &key, &prefix, &digest, true).await?;
    Ok((db.api_key(id).await?, secret))
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

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_core::token::digest;

    async fn fixture_db() -> Db {
        let dir = std::env::temp_dir().join(format!("liaison-cli-test-{}", token::random_hex(8)));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = Db::open(&format!("sqlite://{}", dir.join("liaison.db").display()), 2).await.expect("open");
        liaison_store::fixture::build(&db, chrono::Utc::now()).await.expect("fixture");
        db
    }

    fn request(user: Option<&str>) -> Request {
        Request { name: "12345 热线".into(), user: user.map(str::to_owned), read_private: false, per_minute: None }
    }

    #[tokio::test]
    async fn without_a_user_the_key_acts_as_a_new_channel_account_at_the_first_center() {
        let db = fixture_db().await;
        let (key, secret) = issue(&db, request(None)).await.expect("issued");
        assert_eq!(db.api_key_by_digest(&digest(&secret)).await.expect("lookup").map(|k| k.id), Some(key.id));
        let account = db.user(key.user_id).await.expect("account");
        assert!(account.row.username.starts_with("channel-"), "{}", account.row.username);
        assert_eq!(
            (account.roles.as_slice(), account.row.unit_name.as_str()),
            (&[Role::CenterStaff][..], "助企警务中心")
        );
        assert_eq!(key.per_minute, liaison_web::actions::api_keys::DEFAULT_PER_MINUTE);
    }

    #[tokio::test]
    async fn a_refused_key_creates_nothing() {
        let db = fixture_db().await;
        let users_before = db.user_by_username("e1a").await.expect("user").map(|u| u.row.id);
        assert!(issue(&db, request(Some("sys"))).await.is_err_and(|e| e.to_string().contains("username")));
        let nameless = Request { name: " ".into(), ..request(None) };
        assert!(issue(&db, nameless).await.is_err_and(|e| e.to_string().contains("name")));
        assert!(db.api_keys().await.expect("keys").is_empty());
        let root = OrgPath::parse(&db.root_unit().await.expect("root").expect("root").path).expect("path");
        let channels =
            db.users_within(&root, "channel-", liaison_store::Paging::new(None, Some(10))).await.expect("users");
        assert!(channels.items.is_empty(), "no channel account was left behind");
        let (key, _) = issue(&db, request(Some("e1a"))).await.expect("issued");
        assert_eq!(Some(key.user_id), users_before);
    }
}
