//! Configuration: defaults in code → optional TOML file → `LIAISON_*` environment (`__` nests, e.g.
//! `LIAISON_WEB__SECURE_COOKIES=true`). Secrets never reach logs: `Debug` redacts the database URL.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use liaison_web::WebConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything `liaison` reads at start.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Data directory (the SQLite file lives here).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means `sqlite://<data_dir>/liaison.db`.
    pub database_url: String,
    /// Read connections (SQLite) or half the pool (PostgreSQL).
    pub read_connections: u32,
    /// `tracing` filter, e.g. `info,liaison_web=debug`.
    pub log: String,
    /// `json` (one JSON object per line) or `text`.
    pub log_format: String,
    /// Web settings.
    pub web: WebSettings,
    /// Security settings.
    pub security: SecuritySettings,
    /// Service-level settings.
    pub sla: SlaSettings,
    /// Email, webhook and SMS channels.
    pub notify: liaison_web::notify::NotifyConfig,
}

/// The `[sla]` table.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaSettings {
    /// A holiday calendar file replacing the shipped one (`YYYY-MM-DD holiday|workday name` lines).
    pub calendar_file: Option<PathBuf>,
    /// Hours an overdue item waits before it escalates one level.
    pub escalate_after_hours: i64,
    /// Items one enterprise may submit per day.
    pub daily_items_per_enterprise: i64,
}

impl Default for SlaSettings {
    fn default() -> Self {
        let web = WebConfig::default();
        Self {
            calendar_file: None,
            escalate_after_hours: web.escalate_after_hours,
            daily_items_per_enterprise: web.daily_items_per_enterprise,
        }
    }
}

/// The `[web]` table.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WebSettings {
    /// Public origin for the CSRF check, e.g. `https://liaison.example.gov.cn`.
    pub public_origin: String,
    /// Open311 reads without an API key one client address may make per minute.
    pub open311_reads_per_minute: i64,
    /// The listener's timeouts and connection caps (`header_timeout_seconds`, `request_timeout_seconds`,
    /// `max_connections`, `max_connections_per_ip`).
    #[serde(flatten)]
    pub limits: liaison_web::listener::Limits,
}

impl Default for WebSettings {
    fn default() -> Self {
        let web = WebConfig::default();
        Self {
            public_origin: String::new(),
            open311_reads_per_minute: web.open311_reads_per_minute,
            limits: web.limits,
        }
    }
}

/// The `[security]` table.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SecuritySettings {
    /// Secure cookies (behind TLS).
    pub secure_cookies: bool,
    /// Staff must use TOTP.
    pub require_staff_mfa: bool,
    /// Idle timeout in minutes.
    pub idle_timeout_minutes: i64,
    /// Absolute session lifetime in hours.
    pub absolute_timeout_hours: i64,
    /// Proxies whose `X-Forwarded-For` is trusted.
    pub trusted_proxies: Vec<String>,
    /// Networks (CIDR) besides loopback that may reach `/metrics` and the Swagger UI.
    pub operator_networks: Vec<String>,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        let web = WebConfig::default();
        Self {
            secure_cookies: web.secure_cookies,
            require_staff_mfa: web.require_staff_mfa,
            idle_timeout_minutes: web.idle_timeout_minutes,
            absolute_timeout_hours: web.absolute_timeout_hours,
            trusted_proxies: Vec::new(),
            operator_networks: Vec::new(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            read_connections: 8,
            log: "info".into(),
            log_format: "json".into(),
            web: WebSettings::default(),
            security: SecuritySettings::default(),
            sla: SlaSettings::default(),
            notify: liaison_web::notify::NotifyConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact(&self.database_url))
            .field("read_connections", &self.read_connections)
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Config {
    /// Loads defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            anyhow::ensure!(file.exists(), "configuration file {} does not exist", file.display());
            figment = figment.merge(Toml::file(file));
        }
        Ok(figment.merge(Env::prefixed("LIAISON_").split("__")).extract()?)
    }

    /// The database URL, defaulting to the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("liaison.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The working-day calendar: the file named by `sla.calendar_file`, else the shipped one.
    pub fn calendar(&self) -> anyhow::Result<liaison_core::calendar::Calendar> {
        match &self.sla.calendar_file {
            None => Ok(liaison_core::calendar::Calendar::official()),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("reading calendar file {}: {e}", path.display()))?;
                Ok(liaison_core::calendar::Calendar::parse(&text)?)
            }
        }
    }

    /// The notification channels, with the public origin for links.
    pub fn notify_config(&self) -> liaison_web::notify::NotifyConfig {
        let public_origin = self.web_config(false).public_origin;
        liaison_web::notify::NotifyConfig { public_origin, ..self.notify.clone() }
    }

    /// The web layer's settings.
    pub fn web_config(&self, demo: bool) -> WebConfig {
        let origin = if self.web.public_origin.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.web.public_origin.clone()
        };
        let security = &self.security;
        WebConfig {
            public_origin: origin,
            secure_cookies: security.secure_cookies,
            require_staff_mfa: security.require_staff_mfa && !demo,
            idle_timeout_minutes: security.idle_timeout_minutes,
            absolute_timeout_hours: security.absolute_timeout_hours,
            trusted_proxies: security.trusted_proxies.clone(),
            escalate_after_hours: self.sla.escalate_after_hours,
            daily_items_per_enterprise: self.sla.daily_items_per_enterprise,
            open311_reads_per_minute: self.web.open311_reads_per_minute,
            limits: self.web.limits,
            operator_networks: security.operator_networks.clone(),
            demo,
            ..WebConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact("postgres://liaison:s3cret@db:5432/liaison"), "postgres://liaison:***@db:5432/liaison");
        assert_eq!(redact("sqlite://./data/liaison.db"), "sqlite://./data/liaison.db");
        let config = Config { database_url: "postgres://u:topsecret@h/d".into(), ..Config::default() };
        assert!(!format!("{config:?}").contains("topsecret"));
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment's Jail closure must return figment::Error")]
    fn the_environment_overrides_the_file_and_the_defaults() {
        let dir = std::env::temp_dir().join(format!("liaison-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("liaison.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nread_connections = 3\n[security]\nsecure_cookies = true\n")
            .expect("write");
        figment::Jail::expect_with(|jail| {
            jail.set_env("LIAISON_READ_CONNECTIONS", "5");
            let config = Config::load(Some(&file)).expect("load");
            assert_eq!(config.listen, "0.0.0.0:9000");
            assert_eq!(config.read_connections, 5);
            assert!(config.security.secure_cookies);
            jail.set_env("LIAISON_SECURITY__REQUIRE_STAFF_MFA", "false");
            assert!(!Config::load(Some(&file)).expect("load").security.require_staff_mfa);
            assert_eq!(config.database_url(), "sqlite://./data/liaison.db");
            Ok(())
        });
    }
}
