//! `liaison`: the one binary — serve the platform, generate the demo, migrate, manage users, issue API
//! keys, verify the audit log, back up and restore.

mod api_key;
mod backup;
mod bootstrap;
mod config;
mod demo;
mod demo_activity;
mod import;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::Config;
use liaison_core::clock::SystemClock;
use liaison_store::Db;
use std::path::PathBuf;
use std::sync::Arc;

/// mimalloc: under load the default allocator's consolidation showed in profiles (docs/ARCHITECTURE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "liaison", version, about = "助企警务联络平台 — police–enterprise liaison platform")]
struct Cli {
    /// Configuration file (TOML); `LIAISON_*` variables override it.
    #[arg(long, global = true, env = "LIAISON_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (default ./data).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console, portal and API (creates and migrates the database on first run).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Generate a fresh demo district in the data directory (default ./data-demo) and serve it.
    Demo {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Generate only; do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bulk import.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// API keys of Open311 clients.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Write a consistent backup (database and uploads, with a manifest of checksums) while the server
    /// keeps running. SQLite only; PostgreSQL uses pg_dump.
    Backup {
        /// The archive to write (must not exist), e.g. liaison-2026-12-08.tar.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into the data directory (which must not hold a database yet), after checking
    /// every checksum, SQLite's integrity and the audit chain.
    Restore {
        /// The archive written by `liaison backup`.
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Issue a key; prints it alone on the last line (it is never shown again).
    Create {
        /// What the client is, e.g. "12345 热线".
        #[arg(long)]
        name: String,
        /// The account the key acts as (default: a new channel account at the first center).
        #[arg(long)]
        user: Option<String>,
        /// Also read the private requests the account may see.
        #[arg(long)]
        private: bool,
        /// Uses per minute (default 600).
        #[arg(long)]
        per_minute: Option<i64>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with roles; prints its one-time password.
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Org unit id (default: the root unit).
        #[arg(long)]
        unit: Option<i64>,
        /// Role codes, e.g. `--role sys_admin`.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Reset a password to a one-time one that must be changed; prints it.
    ResetPassword {
        /// Login name.
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Enterprises from an XLSX or CSV file (all rows or none); lists every rejected row.
    Enterprises {
        /// The .xlsx or .csv file.
        file: PathBuf,
        /// Check every row and report, but import nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; names the first broken link and exits 1 if there is one.
    Verify,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    let demo = matches!(cli.command, Command::Demo { .. });
    match (&cli.data, demo) {
        (Some(dir), _) => config.data_dir = dir.clone(),
        (None, true) => config.data_dir = PathBuf::from("./data-demo"),
        (None, false) => {}
    }
    if let Command::Serve { listen: Some(listen) } | Command::Demo { listen: Some(listen), .. } = &cli.command {
        config.listen = listen.clone();
    }
    if demo {
        config.log_format = "text".into();
    }
    init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli.command, config))
}

/// Logs to stderr. Every use case and store method is a `debug` span (`#[tracing::instrument]`): with
/// `log = "debug"` (or `liaison_store=debug`, …) each one's close is logged with its busy and idle time,
/// so a slow request shows where its time went; at `info` they cost nothing.
fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let timed = config.log.contains("debug") || config.log.contains("trace");
    let spans = if timed {
        tracing_subscriber::fmt::format::FmtSpan::CLOSE
    } else {
        tracing_subscriber::fmt::format::FmtSpan::NONE
    };
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_span_events(spans).with_writer(std::io::stderr);
    if config.log_format == "json" { builder.json().init() } else { builder.init() }
}

async fn open(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("creating {}", config.data_dir.display()))?;
    let url = config.database_url();
    Db::open(&url, config.read_connections).await.with_context(|| format!("opening {}", config::redact(&url)))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { .. } => {
            let db = open(&config).await?;
            bootstrap::first_run(&db).await?;
            serve(db, &config, false).await
        }
        Command::Demo { no_serve, .. } => {
            let db = demo::fresh(&config).await?;
            if no_serve { Ok(()) } else { serve(db, &config, true).await }
        }
        Command::Migrate => {
            open(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User { command } => {
            let db = open(&config).await?;
            match command {
                UserCommand::Create { username, name, unit, roles } => {
                    bootstrap::create_user(&db, &username, &name, unit, &roles).await
                }
                UserCommand::ResetPassword { username } => bootstrap::reset_password(&db, &username).await,
            }
        }
        Command::Import { command: ImportCommand::Enterprises { file, dry_run } } => {
            let db = open(&config).await?;
            import::enterprises(&db, &file, dry_run).await
        }
        Command::ApiKey { command: ApiKeyCommand::Create { name, user, private, per_minute } } => {
            let db = open(&config).await?;
            api_key::create(&db, api_key::Request { name, user, read_private: private, per_minute }).await
        }
        Command::Backup { to } => {
            refuse_postgres(&config)?;
            let db = open(&config).await?;
            let manifest = backup::backup(&db, &config.data_dir, &to).await?;
            db.close().await;
            println!(
                "backup written to {}: {} items, {} audit records (chain verified), {} files",
                to.display(),
                manifest.items,
                manifest.audit_records,
                manifest.files.len()
            );
            Ok(())
        }
        Command::Restore { from } => {
            refuse_postgres(&config)?;
            let manifest = backup::restore(&from, &config.data_dir).await?;
            println!(
                "restored into {}: {} items, {} audit records (chain verified), backup of {}",
                config.data_dir.display(),
                manifest.items,
                manifest.audit_records,
                manifest.created_at
            );
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let db = open(&config).await?;
            match db.verify_audit_chain().await? {
                Ok(count) => {
                    println!("audit chain intact: {count} records");
                    Ok(())
                }
                Err(broken) => {
                    eprintln!("audit chain broken at record {}: {}", broken.id, broken.reason);
                    std::process::exit(1);
                }
            }
        }
    }
}

/// Backup and restore copy the embedded SQLite database; PostgreSQL has its own tools.
fn refuse_postgres(config: &Config) -> anyhow::Result<()> {
    if config.database_url().starts_with("postgres") {
        anyhow::bail!("{}", liaison_store::backup::POSTGRES_ADVICE);
    }
    Ok(())
}

async fn serve(db: Db, config: &Config, demo: bool) -> anyhow::Result<()> {
    let listener =
        tokio::net::TcpListener::bind(&config.listen).await.with_context(|| format!("binding {}", config.listen))?;
    let state = liaison_web::AppState::new(liaison_web::App {
        db: db.clone(),
        clock: Arc::new(SystemClock),
        config: Arc::new(config.web_config(demo)),
        calendar: Arc::new(config.calendar()?),
        uploads: Arc::new(
            liaison_web::uploads::Uploads::new(
                config.data_dir.join("uploads"),
                Box::new(liaison_web::uploads::EicarScanner),
            )
            .with_context(|| format!("creating the upload directory under {}", config.data_dir.display()))?,
        ),
        notifier: Arc::new(
            liaison_web::notify::Notifier::new(config.notify_config(), Box::new(liaison_web::notify::LoggingSms))
                .map_err(|e| anyhow::anyhow!("[notify] settings: {e}"))?,
        ),
        limits: Default::default(),
    });
    let worker = tokio::spawn(liaison_web::jobs::run_forever(state.clone()));
    tracing::info!(listen = %config.listen, database = db.kind(), "liaison serving");
    println!("Liaison 助企警务联络平台: http://{}", listener.local_addr()?);
    liaison_web::serve(listener, state, shutdown_signal()).await?;
    worker.abort();
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
