//! Test support, for dev-dependencies only.
//!
//! [`each_backend`] runs a test body once on a fresh SQLite file and, when
//! `CLEARINGHOUSE_TEST_POSTGRES_URL` is set (`.ci/run` always sets it), once more on a
//! fresh PostgreSQL database made for that test and dropped after it. A failure names the
//! backend. [`World`] makes two operator organisations and an administrator, the cast of
//! cross-organisation tests.

pub mod smtp;
pub mod webhook;

use std::future::Future;
use std::path::PathBuf;

use ch_domain::{OrgId, OrgKind, Role, Scopes, Sector, UserId};
use ch_identity::Identity;
use ch_store::Store;
use ch_store::audit::Who;
use sqlx::Connection;

/// The variable naming a PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "CLEARINGHOUSE_TEST_POSTGRES_URL";

/// A fresh database for one test.
#[derive(Debug)]
pub struct TestDb {
    /// The store, migrated.
    pub store: Store,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The URL (for tests that open a second pool, like a second process would).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite database in a temporary directory.
    pub async fn sqlite() -> anyhow::Result<TestDb> {
        let dir = tempfile::tempdir()?;
        let path: PathBuf = dir.path().join("test.db");
        let url = format!("sqlite://{}", path.display());
        let store = Store::connect(&url).await?;
        Ok(TestDb { store, backend: "sqlite", url, _dir: Some(dir), pg: None })
    }

    /// A fresh PostgreSQL database on the server named by `CLEARINGHOUSE_TEST_POSTGRES_URL`.
    pub async fn postgres(server_url: &str) -> anyhow::Result<TestDb> {
        sqlx::any::install_default_drivers();
        let name = format!("ch_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::AnyConnection::connect(server_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
        admin.close().await?;
        let url = with_database(server_url, &name);
        let store = Store::connect(&url).await?;
        Ok(TestDb { store, backend: "postgres", url, _dir: None, pg: Some((server_url.to_string(), name)) })
    }

    /// Closes the pool and drops a PostgreSQL test database.
    pub async fn finish(self) -> anyhow::Result<()> {
        self.store.close().await;
        if let Some((server, name)) = &self.pg {
            let mut admin = sqlx::AnyConnection::connect(server).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await?;
            admin.close().await?;
        }
        Ok(())
    }
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// The PostgreSQL server for tests, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR).ok().filter(|s| !s.is_empty())
}

/// Runs `body` on SQLite, then on PostgreSQL when configured. Panics (failing the test)
/// with the backend's name on the first failure.
pub async fn each_backend<F, Fut>(body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = anyhow::Result<TestDb>>,
{
    let mut dbs: Vec<&'static str> = vec!["sqlite"];
    if postgres_url().is_some() {
        dbs.push("postgres");
    }
    for backend in dbs {
        let db = match backend {
            "sqlite" => TestDb::sqlite().await,
            _ => TestDb::postgres(&postgres_url().unwrap_or_default()).await,
        };
        let db = match db {
            Ok(db) => db,
            Err(e) => panic!("[{backend}] cannot make a test database: {e:#}"),
        };
        match body(db).await {
            Ok(db) => {
                if let Err(e) = db.finish().await {
                    panic!("[{backend}] cleanup failed: {e:#}");
                }
            }
            Err(e) => panic!("[{backend}] {e:#}"),
        }
    }
}

/// A fixed clock for deterministic tests.
pub fn fixed_clock(ms: i64) -> ch_store::jobs::Clock {
    std::sync::Arc::new(move || ms)
}

/// A settable clock: returns the clock and a handle to move time.
pub fn manual_clock(start: i64) -> (ch_store::jobs::Clock, std::sync::Arc<std::sync::atomic::AtomicI64>) {
    let t = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(start));
    let t2 = t.clone();
    (std::sync::Arc::new(move || t2.load(std::sync::atomic::Ordering::SeqCst)), t)
}

/// A keyring with one fresh master key.
pub fn keyring() -> anyhow::Result<ch_seal::Keyring> {
    Ok(ch_seal::Keyring::new(vec![ch_seal::MasterKey::generate()?]))
}

/// One person of the world, with a password and an API token secret.
#[derive(Debug, Clone)]
pub struct Person {
    /// Id.
    pub id: UserId,
    /// Organisation.
    pub org: OrgId,
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// Token secret with read+write (admins: +admin).
    pub token: String,
}

/// Two operator organisations (hospital A, bank B) with one operator each, and the
/// clearinghouse with an administrator and an analyst.
#[derive(Debug, Clone)]
pub struct World {
    /// Hospital (operator, healthcare).
    pub org_a: OrgId,
    /// Bank (operator, finance).
    pub org_b: OrgId,
    /// Clearinghouse.
    pub org_ch: OrgId,
    /// Operator of A.
    pub alice: Person,
    /// Operator of B.
    pub bob: Person,
    /// Administrator.
    pub admin: Person,
    /// Analyst.
    pub analyst: Person,
}

/// The start time of [`World`] (2026-07-01).
pub const T0: i64 = 1_782_864_000_000;

impl World {
    /// Creates the world in `store`.
    pub async fn create(store: &Store) -> anyhow::Result<World> {
        let id = Identity::new(store.clone())?;
        let who = Who::cli();
        let a = id.create_org(&who, T0, "Prairie County Hospital", OrgKind::Operator, Some(Sector::Healthcare)).await?;
        let b = id.create_org(&who, T0, "First Community Bank", OrgKind::Operator, Some(Sector::Finance)).await?;
        let ch = id.create_org(&who, T0, "Clearinghouse", OrgKind::Clearinghouse, None).await?;
        let person = |org: OrgId, email: &'static str, role: Role| {
            let id = id.clone();
            let who = who.clone();
            async move {
                let password = "correct horse battery staple".to_string();
                let u = id.create_user(&who, T0, org, email, email, role, Some(&password)).await?;
                let scopes = if role == Role::Admin { Scopes::all() } else { "read write".parse()? };
                let t = id.create_token(&who, T0, u.id, "test", scopes, None).await?;
                anyhow::Ok(Person { id: u.id, org, email: email.into(), password, token: t.secret })
            }
        };
        Ok(World {
            org_a: a.id,
            org_b: b.id,
            org_ch: ch.id,
            alice: person(a.id, "alice@hospital.example", Role::Operator).await?,
            bob: person(b.id, "bob@bank.example", Role::Operator).await?,
            admin: person(ch.id, "admin@clearinghouse.example", Role::Admin).await?,
            analyst: person(ch.id, "analyst@clearinghouse.example", Role::Analyst).await?,
        })
    }
}

/// A path in the shared public data (`CLEARINGHOUSE_SHARED_DATA`, else `../shared/data`
/// beside the workspace). Tests that read it fail when it is missing; they never skip.
pub fn shared_data(rel: &str) -> PathBuf {
    let base = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    base.join(rel)
}

/// A validator for the JSON schema at `path`, whose `$ref`s to other files are resolved
/// in the same directory only (nothing is fetched), with format checks on.
pub fn json_schema(path: &std::path::Path) -> anyhow::Result<jsonschema::Validator> {
    struct Local(PathBuf);
    impl jsonschema::Retrieve for Local {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
            let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_owned();
            let text = std::fs::read_to_string(self.0.join(&name))?;
            Ok(serde_json::from_str(&text)?)
        }
    }
    let dir = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    Ok(jsonschema::options().should_validate_formats(true).with_retriever(Local(dir)).build(&schema)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_replaced() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/postgres?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
