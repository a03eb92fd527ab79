//! Configuration: flags > `CLEARINGHOUSE_*` environment > TOML file > defaults, merged once
//! into a [`Config`] that is passed down.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::env_vars;

/// Every setting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Config {
    /// Address to listen on.
    pub(crate) listen: String,
    /// Data directory.
    pub(crate) data_dir: PathBuf,
    /// Database URL; default SQLite in the data directory.
    pub(crate) database_url: Option<String>,
    /// `text` or `json`.
    pub(crate) log_format: String,
    /// Log filter.
    pub(crate) log: String,
    /// Mark cookies Secure.
    pub(crate) secure_cookies: bool,
    /// Largest request body in bytes.
    pub(crate) body_limit: usize,
    /// Request timeout in seconds.
    pub(crate) request_timeout_secs: u64,
    /// Sign-in attempts per address per minute.
    pub(crate) login_per_minute: u32,
    /// Requests per API token per second.
    pub(crate) token_per_second: u32,
    /// Job workers in this process.
    pub(crate) workers: usize,
    /// Database pool size.
    pub(crate) max_connections: Option<u32>,
    /// Anyone may read the knowledge base and use the OSV API (as api.osv.dev).
    pub(crate) public_knowledge: bool,
    /// Seconds between scheduled syncs of the advisory sources (0: only by hand).
    pub(crate) sync_interval_secs: u64,
    /// Seconds between checks for knowledge-base changes made by other server processes.
    pub(crate) follow_interval_secs: u64,
    /// The server's public URL, for links in notifications (default: `http://` + `listen`).
    pub(crate) base_url: Option<String>,
    /// Webhooks may go to loopback and private addresses.
    pub(crate) allow_private_webhooks: bool,
    /// The SMTP relay notifications are sent through (none: no e-mail).
    pub(crate) smtp_host: Option<String>,
    /// Its port.
    pub(crate) smtp_port: u16,
    /// `starttls` (default), `tls` or `none` (a relay on this host or network only).
    pub(crate) smtp_security: String,
    /// User name at the relay.
    pub(crate) smtp_username: Option<String>,
    /// Password at the relay.
    pub(crate) smtp_password: Option<String>,
    /// The sender address.
    pub(crate) smtp_from: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./clearinghouse-data"),
            database_url: None,
            log_format: "text".into(),
            log: "info".into(),
            secure_cookies: true,
            body_limit: 1024 * 1024,
            request_timeout_secs: 30,
            login_per_minute: 10,
            token_per_second: 200,
            workers: 2,
            max_connections: None,
            public_knowledge: true,
            sync_interval_secs: 0,
            follow_interval_secs: 2,
            base_url: None,
            allow_private_webhooks: false,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_from: "Clearinghouse <clearinghouse@localhost>".into(),
        }
    }
}

/// Values given on the command line (or through clap's env fallbacks).
#[derive(Debug, Default, Serialize)]
pub(crate) struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) log_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) log: Option<String>,
}

impl Config {
    /// Merges defaults, the TOML file, the environment and the flags.
    pub(crate) fn load(config_file: Option<&Path>, over: &Overrides) -> anyhow::Result<Config> {
        let data_dir = over.data_dir.clone().unwrap_or_else(|| Config::default().data_dir);
        let file = match config_file {
            Some(p) => {
                anyhow::ensure!(p.exists(), "configuration file {} does not exist", p.display());
                Some(p.to_path_buf())
            }
            None => Some(data_dir.join("clearinghouse.toml")).filter(|p| p.exists()),
        };
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = &file {
            fig = fig.merge(Toml::file(f));
        }
        let fig = fig
            .merge(Env::prefixed(env_vars::PREFIX).ignore(&["master_key", "test_postgres_url", "config"]))
            .merge(Serialized::defaults(over));
        let c: Config = fig.extract().context("reading the configuration")?;
        anyhow::ensure!(
            ["starttls", "tls", "none"].contains(&c.smtp_security.trim().to_ascii_lowercase().as_str()),
            "smtp_security: expected `starttls`, `tls` or `none`, found {:?}",
            c.smtp_security
        );
        anyhow::ensure!(
            c.log_format == "text" || c.log_format == "json",
            "log_format: expected `text` or `json`, found {:?}",
            c.log_format
        );
        Ok(c)
    }

    /// The database URL in force.
    pub(crate) fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.data_dir.join("clearinghouse.db").display()),
        }
    }

    /// Whether the store is the embedded SQLite file.
    pub(crate) fn sqlite_path(&self) -> Option<PathBuf> {
        let url = self.database_url();
        url.strip_prefix("sqlite://").map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
    }

    /// The server's settings.
    pub(crate) fn server(&self) -> ch_server::ServerConfig {
        ch_server::ServerConfig {
            secure_cookies: self.secure_cookies,
            body_limit: self.body_limit,
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            login_per_minute: self.login_per_minute,
            token_per_second: self.token_per_second,
            workers: self.workers,
            public_knowledge: self.public_knowledge,
            sync_interval_secs: self.sync_interval_secs,
            follow_interval: std::time::Duration::from_secs(self.follow_interval_secs.max(1)),
            smtp: self.smtp_host.as_ref().filter(|h| !h.trim().is_empty()).map(|host| ch_notify::mail::SmtpConfig {
                host: host.clone(),
                port: self.smtp_port,
                security: match self.smtp_security.trim().to_ascii_lowercase().as_str() {
                    "none" => ch_notify::mail::Security::None,
                    "tls" => ch_notify::mail::Security::Tls,
                    _ => ch_notify::mail::Security::StartTls,
                },
                username: self.smtp_username.clone(),
                password: self.smtp_password.clone(),
                from: self.smtp_from.clone(),
                hello_name: None,
                timeout_secs: None,
            }),
            base_url: self.base_url.clone().unwrap_or_else(|| format!("http://{}", self.listen)),
            allow_private_webhooks: self.allow_private_webhooks,
        }
    }
}
