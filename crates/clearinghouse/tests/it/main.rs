//! End-to-end tests of the `clearinghouse` binary: real server processes, real databases
//! (SQLite always, PostgreSQL when `CLEARINGHOUSE_TEST_POSTGRES_URL` is set) and, for the
//! pages, a real headless Chromium.

mod browser;
mod cli;
mod exposure;
mod scan;
mod scan_vs_cargo_audit;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ch_testkit::TestDb;

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// One installation: a data directory and, on PostgreSQL, a fresh database.
pub(crate) struct Install {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) db: TestDb,
}

impl Install {
    /// A fresh installation on the test database `db` (the binary and the test share it, so
    /// the test can look at and tamper with what the binary wrote).
    pub(crate) fn new(db: TestDb) -> anyhow::Result<Install> {
        Ok(Install { dir: tempfile::tempdir()?, db })
    }

    pub(crate) fn backend(&self) -> &'static str {
        self.db.backend
    }

    pub(crate) fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The binary with this installation's data directory and database.
    pub(crate) fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_clearinghouse"));
        for (k, _) in std::env::vars() {
            if k.starts_with("CLEARINGHOUSE_") {
                c.env_remove(k);
            }
        }
        c.env("CLEARINGHOUSE_LOG", "warn").env("NO_COLOR", "1").arg("--data-dir").arg(self.dir.path());
        c.arg("--database-url").arg(&self.db.url);
        c
    }

    /// Runs a command to completion, feeding `stdin`.
    pub(crate) fn run(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<Output> {
        let mut c = self.command();
        c.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().context("spawning clearinghouse")?;
        if let Some(s) = stdin {
            child.stdin.take().context("stdin")?.write_all(s.as_bytes())?;
        }
        drop(child.stdin.take());
        Ok(child.wait_with_output()?)
    }

    /// Runs a command that must succeed; returns its standard output.
    pub(crate) fn ok(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
        let out = self.run(args, stdin)?;
        if !out.status.success() {
            bail!(
                "clearinghouse {} exited with {}:\n{}\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// The first administrator and an operator organisation.
    pub(crate) fn bootstrap(&self) -> anyhow::Result<()> {
        self.ok(&["admin", "bootstrap", "--email", "admin@clearinghouse.test", "--password-stdin"], Some(PASSWORD))?;
        self.ok(
            &[
                "admin",
                "org",
                "create",
                "--name",
                "Prairie County Hospital",
                "--kind",
                "operator",
                "--sector",
                "healthcare",
            ],
            None,
        )?;
        Ok(())
    }

    /// An administrator's API token (printed once by `admin token create`).
    pub(crate) fn admin_token(&self) -> anyhow::Result<String> {
        let out = self.ok(
            &[
                "admin",
                "token",
                "create",
                "--user",
                "admin@clearinghouse.test",
                "--name",
                "tests",
                "--scopes",
                "read,write,admin",
            ],
            None,
        )?;
        out.split_whitespace()
            .find(|w| w.starts_with("chk_"))
            .map(str::to_owned)
            .with_context(|| format!("no token in {out:?}"))
    }
}

/// A free loopback port.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running `clearinghouse serve`, killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    log: PathBuf,
}

impl Server {
    pub(crate) async fn start(install: &Install, env: &[(&str, &str)]) -> anyhow::Result<Server> {
        Server::start_with(install, env, &[]).await
    }

    /// [`Server::start`] with more arguments to `serve` (`--demo`).
    pub(crate) async fn start_with(install: &Install, env: &[(&str, &str)], args: &[&str]) -> anyhow::Result<Server> {
        let port = free_port()?;
        let log = install.data_dir().join(format!("serve-{port}.log"));
        let mut c = install.command();
        c.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?);
        let child = c.spawn().context("spawning clearinghouse serve")?;
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}"), log };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("server exited with {status}:\n{}", self.log_text());
            }
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("server not ready after 60 s:\n{}", self.log_text());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the server with SIGTERM-like politeness where possible (kill on drop otherwise).
    pub(crate) fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where tests keep what a person should look at (screenshots).
pub(crate) fn artifacts_dir() -> anyhow::Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    std::fs::create_dir_all(&dir)?;
    Ok(dir.canonicalize()?)
}
