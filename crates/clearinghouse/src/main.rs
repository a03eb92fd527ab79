//! `clearinghouse`: the server and the command line of the AI cybersecurity clearinghouse.
//!
//! Exit codes: 0 clean, 1 findings (a broken audit chain, for example), 2 errors.

mod commands;
mod config;
mod env_vars;
mod keys;

/// mimalloc: the import and scan paths allocate many small objects on several threads,
/// where glibc's allocator spends a fifth of the time (measured with perf). Built without
/// transparent huge pages (`no_thp`): with them, every page mimalloc purged and used again
/// came back as a fresh 2 MiB page for the kernel to zero, a quarter of an import's CPU
/// (`bench kb` at 10x: 30 µs per record instead of 46).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use ch_domain::{OrgId, OrgKind, Role, Scopes, Sector, TokenId};
use ch_identity::Identity;
use ch_store::Store;
use ch_store::audit::Who;
use ch_store::identity as repo;
use clap::{Args, Parser, Subcommand};
use comfy_table::Table;

use crate::config::{Config, Overrides};

/// Clearinghouse: coordinate finding and fixing software vulnerabilities.
#[derive(Debug, Parser)]
#[command(name = "clearinghouse", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Global {
    /// Data directory (SQLite database, master key file).
    #[arg(long, global = true, env = env_vars::DATA_DIR)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data directory).
    #[arg(long, global = true, env = env_vars::DATABASE_URL)]
    database_url: Option<String>,
    /// Configuration file (TOML).
    #[arg(long, global = true, env = env_vars::CONFIG)]
    config: Option<PathBuf>,
    /// Log format on stderr: text or json.
    #[arg(long, global = true, env = env_vars::LOG_FORMAT)]
    log_format: Option<String>,
    /// Log filter, e.g. `info` or `ch_server=debug,info`.
    #[arg(long, global = true, env = env_vars::LOG)]
    log: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (API, pages, background jobs).
    Serve(ServeArgs),
    /// Manage organisations, people and API tokens.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Inspect and verify the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Master key management.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write a consistent copy of the database (SQLite online; PostgreSQL via pg_dump).
    Backup(BackupArgs),
    /// Restore a backup made by `backup` (stop the server first).
    Restore(RestoreArgs),
    /// Background jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Compare package versions by an ecosystem's rules.
    #[command(subcommand)]
    Version(commands::version::VersionCommand),
    /// Parse and score CVSS vectors (v2, v3.0, v3.1, v4.0).
    Cvss(commands::cvss::CvssArgs),
    /// Parse CPE names and match them against NVD applicability.
    #[command(subcommand)]
    Cpe(commands::cpe::CpeCommand),
    /// The knowledge base: import advisories, sync sources, status.
    #[command(subcommand)]
    Db(commands::db::DbCommand),
    /// Scan lockfiles, SBOMs, package databases and product lists against the local
    /// knowledge base. Exit 0 clean, 1 vulnerabilities found, 2 errors.
    Scan(commands::scan::ScanArgs),
    /// Benchmarks that print each figure beside its limit, measured in the same run.
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Seed the demo world and print its sign-in details.
    #[arg(long)]
    demo: bool,
    /// Address to listen on.
    #[arg(long, env = env_vars::LISTEN)]
    listen: Option<String>,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create the first administrator on an empty database (password generated, or read from stdin).
    Bootstrap {
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// People.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Create {
        /// Name.
        #[arg(long)]
        name: String,
        /// operator, vendor, ai_developer, agency or clearinghouse.
        #[arg(long)]
        kind: String,
        /// Sector (operators): healthcare, finance, energy, water, communications, ...
        #[arg(long)]
        sector: Option<String>,
    },
    /// List organisations.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a person (password generated and printed once, or read from stdin).
    Create {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role: operator, vendor, finder, analyst, ai_developer, reviewer, admin.
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List people.
    List {
        /// Only this organisation (name or id).
        #[arg(long)]
        org: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Refuse a person's sign-in and end their sessions.
    Disable {
        /// E-mail address.
        email: String,
    },
    /// Allow a disabled person again.
    Enable {
        /// E-mail address.
        email: String,
    },
    /// Set a new password (generated and printed, or read from stdin).
    Password {
        /// E-mail address.
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Make an API token for a person; the secret is printed once.
    Create {
        /// Owner's e-mail address.
        #[arg(long)]
        user: String,
        /// What it is for.
        #[arg(long)]
        name: String,
        /// Scopes, comma-separated: read, write, admin.
        #[arg(long, default_value = "read")]
        scopes: String,
        /// Lifetime in days (0 = no expiry).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List a person's tokens.
    List {
        /// Owner's e-mail address.
        #[arg(long)]
        user: String,
    },
    /// Revoke a token.
    Revoke {
        /// Token id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain; names the first broken entry (exit 1 when broken).
    Verify,
    /// Show the newest entries.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// JSON lines output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Make a new master key and re-wrap every data key with it, while the server runs.
    Rotate,
    /// Show the active master key id and data keys per master key.
    Status,
}

#[derive(Debug, Args)]
struct BackupArgs {
    /// Output file (default: DATA_DIR/backups/clearinghouse-<time>.db or .dump).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RestoreArgs {
    /// The backup file.
    from: PathBuf,
    /// Replace an existing database.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// List jobs with counts per state.
    List {
        /// Only this state: queued, running, done, dead, cancelled.
        #[arg(long)]
        state: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Put a dead or cancelled job back in the queue.
    Retry {
        /// Job id.
        id: String,
    },
    /// Cancel a queued job.
    Cancel {
        /// Job id.
        id: String,
    },
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn init_logging(cfg: &Config) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if cfg.log_format == "json" {
        b.json().init();
    } else {
        b.init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The commands over the pure crates need no configuration, database or runtime.
    match cli.command {
        Command::Version(cmd) => with_stdio(|out, input| commands::version::run(cmd, out, input)),
        Command::Cvss(args) => with_stdio(|out, input| commands::cvss::run(args, out, input)),
        Command::Cpe(cmd) => with_stdio(|out, input| commands::cpe::run(cmd, out, input)),
        command => run_main(Cli { global: cli.global, command }),
    }
}

fn with_stdio(f: impl FnOnce(&mut dyn Write, &mut dyn BufRead) -> anyhow::Result<i32>) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let code = match f(&mut out, &mut input) {
        Ok(code) => u8::try_from(code).unwrap_or(2),
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    };
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(code)
}

fn run_main(cli: Cli) -> ExitCode {
    let over = Overrides {
        listen: match &cli.command {
            Command::Serve(s) => s.listen.clone(),
            _ => None,
        },
        data_dir: cli.global.data_dir.clone(),
        database_url: cli.global.database_url.clone(),
        log_format: cli.global.log_format.clone(),
        log: cli.global.log.clone(),
    };
    let cfg = match Config::load(cli.global.config.as_deref(), &over) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(&cfg);
    // The scanner starts no runtime unless it must rebuild its index: it is run per CI job.
    let command = match cli.command {
        Command::Scan(args) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            return match commands::scan::run(args, &cfg.data_dir, &mut out) {
                Ok(code) => ExitCode::from(code),
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
        other => other,
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(command, cfg)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn open(cfg: &Config) -> anyhow::Result<Store> {
    if cfg.database_url.is_none() {
        create_private_dir(&cfg.data_dir)?;
    }
    Store::connect_with(&cfg.database_url(), cfg.max_connections)
        .await
        .with_context(|| format!("opening the database {}", redact(&cfg.database_url())))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        _ => url.to_string(),
    }
}

fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    if !dir.exists() {
        fs_err::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs_err::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    anyhow::ensure!(!pw.is_empty(), "no password on standard input");
    Ok(pw)
}

async fn find_org(c: &mut ch_store::Conn, key: &str) -> anyhow::Result<repo::Organisation> {
    if let Ok(id) = key.parse::<OrgId>() {
        return Ok(repo::get_org(c, id).await?);
    }
    repo::find_org_by_name(c, key).await?.with_context(|| format!("no organisation named {key:?}"))
}

async fn find_user(c: &mut ch_store::Conn, email: &str) -> anyhow::Result<repo::User> {
    repo::find_user_by_email(c, email).await?.with_context(|| format!("no user with e-mail {email:?}"))
}

fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string()).unwrap_or_default()
}

async fn run(cmd: Command, cfg: Config) -> anyhow::Result<u8> {
    let out = &mut std::io::stdout().lock();
    match cmd {
        Command::Serve(args) => serve(cfg, args.demo).await,
        Command::Admin(a) => admin(cfg, a, out).await,
        Command::Audit(AuditCommand::Verify) => {
            let store = open(&cfg).await?;
            let mut c = store.conn().await?;
            match ch_store::audit::verify(&mut c).await {
                Ok((n, head)) => {
                    writeln!(out, "audit chain intact: {n} entries, head {head}")?;
                    Ok(0)
                }
                Err(ch_store::Error::Audit(e)) => {
                    writeln!(out, "audit chain BROKEN: {e}")?;
                    Ok(1)
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Audit(AuditCommand::List { limit, json }) => {
            let store = open(&cfg).await?;
            let mut c = store.conn().await?;
            let f = ch_store::audit::Filter { limit, ..Default::default() };
            let entries = ch_store::audit::list(&mut c, &f).await?;
            if json {
                for e in &entries {
                    writeln!(out, "{}", serde_json::to_string(e)?)?;
                }
            } else {
                let mut t = Table::new();
                t.set_header(["#", "when (UTC)", "who", "action", "object", "from"]);
                for e in &entries {
                    t.add_row([
                        e.seq.to_string(),
                        time(e.at_ms),
                        e.actor.clone(),
                        e.action.clone(),
                        format!("{} {}", e.object_type, e.object_id),
                        e.source.clone(),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
            Ok(0)
        }
        Command::Keys(k) => keys_cmd(cfg, k, out).await,
        Command::Backup(b) => backup(cfg, b, out).await,
        Command::Restore(r) => restore(cfg, r, out).await,
        Command::Jobs(j) => jobs_cmd(cfg, j, out).await,
        Command::Db(d) => {
            let store = open(&cfg).await?;
            let index_dir = cfg.sqlite_path().and_then(|p| p.parent().map(std::path::Path::to_path_buf));
            let code = commands::db::run(&store, d, out, index_dir.as_deref()).await;
            store.close().await;
            code
        }
        Command::Bench(b) => commands::bench::run(b, out).await,
        Command::Scan(_) => anyhow::bail!("scan runs without the async runtime"),
        Command::Version(_) | Command::Cvss(_) | Command::Cpe(_) => {
            bail!("internal: a pure command reached the database runner")
        }
    }
}

async fn serve(cfg: Config, demo: bool) -> anyhow::Result<u8> {
    let store = open(&cfg).await?;
    let (ring, source) = keys::load(&cfg.data_dir)?;
    let sealer = ch_store::sealed::Sealer::new(ring, keys::reload_hook(&source));
    let clock = ch_store::jobs::system_clock();
    let started = std::time::Instant::now();
    let knowledge = ch_knowledge::Knowledge::load(store.clone(), clock.clone()).await?;
    tracing::info!(
        records = knowledge.index().len(),
        ms = started.elapsed().as_millis() as u64,
        "knowledge index built"
    );
    let state = ch_server::AppState::new(store.clone(), sealer, clock, cfg.server(), knowledge)?;
    let mut c = store.conn().await?;
    let users = repo::count_users(&mut c).await?;
    drop(c);
    if demo {
        let accounts = ch_server::demo::seed(&state.identity, now_ms()).await?;
        let mut t = Table::new();
        t.set_header(["organisation", "role", "e-mail", "password (this run)"]);
        for a in &accounts {
            t.add_row([a.org.clone(), a.role.to_string(), a.email.clone(), a.password.clone()]);
        }
        eprintln!("Demo world ready. Sign in at http://{}/login with one of:\n{t}", cfg.listen);
        let data = commands::bench::shared_data(None).ok();
        match ch_server::demo::seed_exposure(&state.identity, &state.exposure, data.as_deref()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(assets = n, "demo: operators' assets registered"),
            Err(e) => tracing::warn!(error = %e, "demo: assets not registered"),
        }
        spawn_demo_knowledge(&state.knowledge, &cfg);
    } else if users == 0 {
        eprintln!(
            "The database has no users yet. Create the first administrator with:\n  clearinghouse admin bootstrap --email you@example.org"
        );
    }
    let listener =
        tokio::net::TcpListener::bind(&cfg.listen).await.with_context(|| format!("listening on {}", cfg.listen))?;
    tracing::info!(addr = %listener.local_addr()?, database = %store.url_redacted(), "clearinghouse listening");
    let (tx, rx) = tokio::sync::watch::channel(false);
    let workers = ch_server::spawn_workers(&state, rx);
    ch_server::serve(state, listener, shutdown_signal()).await?;
    tracing::info!("shutting down: finishing jobs in hand");
    let _ = tx.send(true);
    for w in workers {
        let _ = w.await;
    }
    store.close().await;
    Ok(0)
}

/// The demo's knowledge base: when it is empty and the shared public data is at hand
/// (`CLEARINGHOUSE_SHARED_DATA` or `../shared/data`), real advisories are imported in the
/// background while the server already answers; pages and the OSV API fill as batches commit.
fn spawn_demo_knowledge(kb: &ch_knowledge::Knowledge, cfg: &Config) {
    let Ok(data) = commands::bench::shared_data(None) else {
        eprintln!("Demo knowledge base: no shared data found; import advisories with `clearinghouse db import`.");
        return;
    };
    let kb = kb.clone();
    let index_dir = cfg.sqlite_path().and_then(|p| p.parent().map(std::path::Path::to_path_buf));
    tokio::spawn(async move {
        if !kb.index().is_empty() {
            return;
        }
        let sets = [
            "osv/pypa.jsonl.zst",
            "osv/rustsec.jsonl.zst",
            "osv/ghsa-sbom-sample.jsonl.zst",
            "osv/nodejs-security-wg.jsonl.zst",
            "osv/friendsofphp-security-advisories.jsonl.zst",
            "osv/victims-cve-db.jsonl.zst",
            "osv/bitnami-vulndb.jsonl.zst",
            "kev/known_exploited_vulnerabilities.json",
            "cve/nvd-1.1-kev.jsonl.zst",
            "cve/nvd-2.0-kev.jsonl.zst",
            "cve/cve5-kev-cvelistv5.jsonl.zst",
        ];
        let paths: Vec<PathBuf> = sets.iter().map(|s| data.join(s)).filter(|p| p.exists()).collect();
        tracing::info!(files = paths.len(), "demo: importing public advisories in the background");
        match kb.import(&paths, &ch_knowledge::ImportOptions::default(), &mut |_| {}).await {
            Ok(s) => {
                tracing::info!(advisories = s.progress.inserted, kev = s.progress.kev, "demo: knowledge base ready");
                if let Some(dir) = index_dir
                    && let Err(e) = ch_knowledge::scan_index::build(kb.store(), &dir).await
                {
                    tracing::warn!(error = %e, "demo: scan index not written");
                }
            }
            Err(e) => tracing::warn!(error = %e, "demo: advisory import failed"),
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn admin(cfg: Config, cmd: AdminCommand, out: &mut dyn Write) -> anyhow::Result<u8> {
    let store = open(&cfg).await?;
    let id = Identity::new(store.clone())?;
    let who = Who::cli();
    let now = now_ms();
    match cmd {
        AdminCommand::Bootstrap { email, name, password_stdin } => {
            let (pw, shown) = if password_stdin {
                (read_password_stdin()?, false)
            } else {
                (ch_identity::generate_password()?, true)
            };
            let u = id.bootstrap_admin(now, &email, &name, &pw).await?;
            writeln!(out, "created administrator {} ({})", u.email, u.id)?;
            if shown {
                writeln!(out, "password: {pw}\n(shown once; sign in and keep it safe)")?;
            }
        }
        AdminCommand::Org(OrgCommand::Create { name, kind, sector }) => {
            let kind: OrgKind = kind.parse()?;
            let sector: Option<Sector> = sector.as_deref().map(str::parse).transpose()?;
            let o = id.create_org(&who, now, &name, kind, sector).await?;
            writeln!(out, "{}", o.id)?;
        }
        AdminCommand::Org(OrgCommand::List { json }) => {
            let mut c = store.conn().await?;
            let orgs = repo::list_orgs(&mut c).await?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&orgs)?)?;
            } else {
                let mut t = Table::new();
                t.set_header(["id", "name", "kind", "sector"]);
                for o in orgs {
                    t.add_row([
                        o.id.to_string(),
                        o.name,
                        o.kind.to_string(),
                        o.sector.map(|s| s.to_string()).unwrap_or_default(),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
        AdminCommand::User(UserCommand::Create { org, email, name, role, password_stdin }) => {
            let mut c = store.conn().await?;
            let org = find_org(&mut c, &org).await?;
            drop(c);
            let role: Role = role.parse()?;
            let (pw, shown) = if password_stdin {
                (read_password_stdin()?, false)
            } else {
                (ch_identity::generate_password()?, true)
            };
            let u = id.create_user(&who, now, org.id, &email, &name, role, Some(&pw)).await?;
            writeln!(out, "created {} ({}) in {}", u.email, u.id, org.name)?;
            if shown {
                writeln!(out, "password: {pw}\n(shown once; give it to them privately)")?;
            }
        }
        AdminCommand::User(UserCommand::List { org, json }) => {
            let mut c = store.conn().await?;
            let org_id = match org {
                Some(o) => Some(find_org(&mut c, &o).await?.id),
                None => None,
            };
            let users = repo::list_users(&mut c, org_id).await?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&users)?)?;
            } else {
                let mut t = Table::new();
                t.set_header(["id", "e-mail", "name", "role", "status"]);
                for u in users {
                    t.add_row([
                        u.id.to_string(),
                        u.email,
                        u.display_name,
                        u.role.to_string(),
                        if u.disabled { "disabled".into() } else { "active".to_string() },
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
        AdminCommand::User(UserCommand::Disable { email }) => {
            let mut c = store.conn().await?;
            let u = find_user(&mut c, &email).await?;
            drop(c);
            id.set_disabled(&who, now, u.id, true).await?;
            writeln!(out, "disabled {}", u.email)?;
        }
        AdminCommand::User(UserCommand::Enable { email }) => {
            let mut c = store.conn().await?;
            let u = find_user(&mut c, &email).await?;
            drop(c);
            id.set_disabled(&who, now, u.id, false).await?;
            writeln!(out, "enabled {}", u.email)?;
        }
        AdminCommand::User(UserCommand::Password { email, password_stdin }) => {
            let mut c = store.conn().await?;
            let u = find_user(&mut c, &email).await?;
            drop(c);
            let (pw, shown) = if password_stdin {
                (read_password_stdin()?, false)
            } else {
                (ch_identity::generate_password()?, true)
            };
            id.set_password(&who, now, u.id, &pw).await?;
            writeln!(out, "password set for {}", u.email)?;
            if shown {
                writeln!(out, "password: {pw}")?;
            }
        }
        AdminCommand::Token(TokenCommand::Create { user, name, scopes, days }) => {
            let mut c = store.conn().await?;
            let u = find_user(&mut c, &user).await?;
            drop(c);
            let scopes: Scopes = scopes.parse()?;
            let exp = (days > 0).then(|| now + days * 86_400_000);
            let t = id.create_token(&who, now, u.id, &name, scopes, exp).await?;
            writeln!(out, "{}", t.secret)?;
            eprintln!("token {} for {} (shown once)", t.token.id, u.email);
        }
        AdminCommand::Token(TokenCommand::List { user }) => {
            let mut c = store.conn().await?;
            let u = find_user(&mut c, &user).await?;
            let mut t = Table::new();
            t.set_header(["id", "name", "prefix", "scopes", "expires", "status"]);
            for k in repo::list_tokens(&mut c, u.id).await? {
                t.add_row([
                    k.id.to_string(),
                    k.name,
                    k.prefix,
                    k.scopes.to_db(),
                    k.expires_at.map(time).unwrap_or_else(|| "never".into()),
                    if k.revoked_at.is_some() { "revoked".into() } else { "active".to_string() },
                ]);
            }
            writeln!(out, "{t}")?;
        }
        AdminCommand::Token(TokenCommand::Revoke { id: tid }) => {
            let tid: TokenId = tid.parse()?;
            id.revoke_token(&who, now, tid).await?;
            writeln!(out, "revoked {tid}")?;
        }
    }
    Ok(0)
}

async fn keys_cmd(cfg: Config, cmd: KeysCommand, out: &mut dyn Write) -> anyhow::Result<u8> {
    let store = open(&cfg).await?;
    let (ring, source) = keys::load(&cfg.data_dir)?;
    let sealer = ch_store::sealed::Sealer::new(ring.clone(), keys::reload_hook(&source));
    match cmd {
        KeysCommand::Status => {
            writeln!(out, "active master key: {}", sealer.active_master_key_id()?)?;
            let mut c = store.conn().await?;
            for (mk, n) in sealer.key_status(&mut c).await? {
                writeln!(out, "  {n} data keys wrapped by {mk}")?;
            }
        }
        KeysCommand::Rotate => {
            let new_key = ch_seal::MasterKey::generate()?;
            let mut both = ring.clone();
            both.push(new_key.clone());
            match &source {
                keys::KeySource::File(path) => {
                    // 1. Old and new keys in the file: a running server can open everything.
                    keys::write_file(path, &both)?;
                    // 2. Re-wrap every data key under the new key.
                    let report = sealer.rotate(&store, both.clone()).await?;
                    // 3. Only the new key remains.
                    let mut only = both;
                    only.retire_all_but_active();
                    keys::write_file(path, &only)?;
                    record_rotation(&store, &report).await?;
                    writeln!(
                        out,
                        "re-wrapped {} data keys; active master key is now {}",
                        report.rewrapped, report.active
                    )?;
                    writeln!(out, "the key file {} now holds only the new key: back it up", path.display())?;
                }
                keys::KeySource::Env => {
                    let report = sealer.rotate(&store, both).await?;
                    record_rotation(&store, &report).await?;
                    writeln!(
                        out,
                        "re-wrapped {} data keys; active master key is now {}",
                        report.rewrapped, report.active
                    )?;
                    writeln!(
                        out,
                        "set {} to this new key everywhere (it replaces the old one):",
                        env_vars::MASTER_KEY
                    )?;
                    writeln!(out, "{}", new_key.to_text().as_str())?;
                }
            }
        }
    }
    Ok(0)
}

async fn record_rotation(store: &Store, report: &ch_store::sealed::RotateReport) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    ch_store::audit::record(
        &mut tx,
        &Who::cli(),
        now_ms(),
        "keys.rotate",
        "master_key",
        &report.active,
        serde_json::json!({"rewrapped": report.rewrapped}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn backup(cfg: Config, b: BackupArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
    match cfg.sqlite_path() {
        Some(_) => {
            let store = open(&cfg).await?;
            let dest = match b.out {
                Some(p) => p,
                None => {
                    let dir = cfg.data_dir.join("backups");
                    create_private_dir(&dir)?;
                    dir.join(format!("clearinghouse-{stamp}.db"))
                }
            };
            ch_store::backup::sqlite_backup(&store, &dest).await?;
            writeln!(out, "{}", dest.display())?;
            eprintln!(
                "backup written. Sealed data also needs the master key ({}), which is NOT in the backup: keep a copy of it apart.",
                keys::key_file(&cfg.data_dir).display()
            );
        }
        None => {
            let dest = b.out.unwrap_or_else(|| PathBuf::from(format!("clearinghouse-{stamp}.dump")));
            let status = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&dest)
                .arg(cfg.database_url())
                .status()
                .context("running pg_dump (install the PostgreSQL client tools)")?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
            writeln!(out, "{}", dest.display())?;
        }
    }
    Ok(0)
}

async fn restore(cfg: Config, r: RestoreArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    anyhow::ensure!(r.from.exists(), "backup file {} does not exist", r.from.display());
    match cfg.sqlite_path() {
        Some(db) => {
            // Check the backup first: it must open, migrate and have an intact audit chain.
            let probe = Store::connect(&format!("sqlite://{}?mode=ro", r.from.display()))
                .await
                .or(Store::connect(&format!("sqlite://{}", r.from.display())).await)
                .with_context(|| format!("{} is not a Clearinghouse SQLite backup", r.from.display()))?;
            let mut c = probe.conn().await?;
            let (n, _) = ch_store::audit::verify(&mut c).await.context("the backup's audit chain does not verify")?;
            drop(c);
            probe.close().await;
            if db.exists() && !r.force {
                bail!("{} exists; stop the server and pass --force to replace it", db.display());
            }
            create_private_dir(&cfg.data_dir)?;
            for suffix in ["-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", db.display()));
                if p.exists() {
                    fs_err::remove_file(&p)?;
                }
            }
            let tmp = db.with_extension("db.restoring");
            fs_err::copy(&r.from, &tmp)?;
            fs_err::rename(&tmp, &db)?;
            writeln!(out, "restored {} ({n} audit entries verified)", db.display())?;
        }
        None => {
            let status = std::process::Command::new("pg_restore")
                .args(["--clean", "--if-exists", "--no-owner", "--dbname"])
                .arg(cfg.database_url())
                .arg(&r.from)
                .status()
                .context("running pg_restore (install the PostgreSQL client tools)")?;
            if !status.success() {
                bail!("pg_restore failed ({status})");
            }
            writeln!(out, "restored into {}", redact(&cfg.database_url()))?;
        }
    }
    Ok(0)
}

async fn jobs_cmd(cfg: Config, cmd: JobsCommand, out: &mut dyn Write) -> anyhow::Result<u8> {
    let store = open(&cfg).await?;
    let now = now_ms();
    match cmd {
        JobsCommand::List { state, limit, json } => {
            let st = match state.as_deref() {
                Some(s) => Some(s.parse::<ch_store::jobs::JobState>().map_err(|_| {
                    anyhow::anyhow!("--state: expected queued, running, done, dead or cancelled, found {s:?}")
                })?),
                None => None,
            };
            let mut c = store.conn().await?;
            let counts = ch_store::jobs::counts(&mut c).await?;
            let jobs = ch_store::jobs::list(&mut c, st, limit).await?;
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({"counts": counts, "jobs": jobs}))?
                )?;
            } else {
                writeln!(out, "{}", counts.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("  "))?;
                let mut t = Table::new();
                t.set_header(["id", "kind", "state", "attempts", "run at", "progress", "last error"]);
                for j in jobs {
                    t.add_row([
                        j.id.to_string(),
                        j.kind,
                        j.state.as_str().to_string(),
                        format!("{}/{}", j.attempts, j.max_attempts),
                        time(j.run_at),
                        j.progress.map(|p| p.to_string()).unwrap_or_default(),
                        j.last_error.unwrap_or_default(),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
        JobsCommand::Retry { id } => {
            let jid: ch_domain::JobId = id.parse()?;
            let mut tx = store.begin().await?;
            ch_store::jobs::retry(&mut tx, jid, now).await?;
            ch_store::audit::record(&mut tx, &Who::cli(), now, "job.retry", "job", &id, serde_json::json!({})).await?;
            tx.commit().await?;
            writeln!(out, "queued {id} again")?;
        }
        JobsCommand::Cancel { id } => {
            let jid: ch_domain::JobId = id.parse()?;
            let mut tx = store.begin().await?;
            ch_store::jobs::cancel(&mut tx, jid, now).await?;
            ch_store::audit::record(&mut tx, &Who::cli(), now, "job.cancel", "job", &id, serde_json::json!({})).await?;
            tx.commit().await?;
            writeln!(out, "cancelled {id}")?;
        }
    }
    Ok(0)
}
