//! Storage for Clearinghouse: SQLite (embedded default) and PostgreSQL (many server
//! processes), one code base.
//!
//! All SQL of the project lives in this crate. Queries go through sqlx's `Any` driver with
//! `$n` placeholders, which both backends accept, and portable column types (text ids,
//! `BIGINT` milliseconds, `0/1` flags, blobs), so a repository function is written once.
//! Where the backends must differ (claiming a job with `FOR UPDATE SKIP LOCKED`, taking the
//! audit-chain lock, backups) the function branches on [`Backend`]. Migrations are mirrored
//! by name in `migrations/sqlite` and `migrations/postgres` and applied at start-up.
//!
//! Invariants kept here:
//! * every write runs in a [`Tx`]; on SQLite a write transaction starts with
//!   `BEGIN IMMEDIATE`, so two writers never deadlock on a lock upgrade;
//! * the audit chain is appended under one lock per database (`pg_advisory_xact_lock` on
//!   PostgreSQL, the write lock on SQLite), in the same transaction as the change it
//!   records, so several processes keep one chain and nothing is recorded that did not
//!   happen;
//! * time is a parameter (`now_ms`), never read here.
//!
//! ```no_run
//! # async fn f() -> Result<(), ch_store::Error> {
//! let store = ch_store::Store::connect("sqlite:///tmp/ch.db").await?;
//! let mut tx = store.begin().await?;
//! let orgs = ch_store::identity::list_orgs(&mut tx).await?;
//! tx.commit().await?;
//! # let _ = orgs; Ok(()) }
//! ```

pub mod audit;
pub mod backup;
pub mod exposure;
pub mod identity;
pub mod jobs;
pub mod knowledge;
pub mod sealed;

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection};

pub use sqlx::AnyConnection as Conn;

/// Which database is behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Storage errors. Database messages are kept as text; they never contain bound values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL is not one we support.
    #[error("unsupported database URL: expected sqlite:// or postgres://, found {0}")]
    Url(String),
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(String),
    /// A uniqueness rule was broken (for example a second organisation of the same name).
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The object does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A stored value could not be read back as its type.
    #[error("corrupt stored value in {what}: {detail}")]
    Corrupt {
        /// Table and column.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(String),
    /// Sealing or opening failed.
    #[error(transparent)]
    Seal(#[from] ch_seal::Error),
    /// The audit chain is broken.
    #[error(transparent)]
    Audit(#[from] ch_audit::Error),
    /// A file operation (backups) failed.
    #[error("{0}")]
    Io(String),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Error::NotFound("row"),
            sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict("a record with that key"),
            _ => Error::Database(e.to_string()),
        }
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A connection pool to one database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url_redacted: String,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

fn redact(url: &str) -> String {
    // Drop a password from postgres://user:pass@host/db.
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Every SQLite connection's page cache: 32 MiB (the default is 2 MiB), filled only as used.
const CACHE_SIZE: &str = "PRAGMA cache_size = -32768";

impl Store {
    /// Connects and applies migrations. `url` is `sqlite://PATH` (created if missing) or
    /// `postgres://...`.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_with(url, None).await
    }

    /// Like [`Store::connect`], with a pool size.
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::Url(redact(url)));
        };
        let url_full = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let opts = AnyConnectOptions::from_str(&url_full).map_err(|e| Error::Database(e.to_string()))?;
        let mut pool = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        pool = match backend {
            Backend::Sqlite => pool.max_connections(max_connections.unwrap_or(8)).after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the one writer; the busy timeout makes a
                    // second writer wait instead of failing; foreign keys are off by
                    // default in SQLite.
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    // A 32 MiB page cache (the default is 2 MiB), filled only as used: a
                    // write transaction's B-tree pages stay in memory until its commit
                    // instead of being spilled to the WAL and written again. An import's
                    // batches take more (`Store::begin_bulk`).
                    sqlx::query(CACHE_SIZE).execute(&mut *conn).await?;
                    // Statement journals (kept while a multi-row insert runs inside a
                    // transaction) and temporary B-trees stay in memory, not in files.
                    sqlx::query("PRAGMA temp_store = MEMORY").execute(&mut *conn).await?;
                    // Checkpoints (the WAL copied into the database, both synced) every 64 MiB
                    // of WAL instead of every 4 MiB: an import's commits do not each stop
                    // for one, and a page written by several commits is copied once. The
                    // WAL file is cut back to the same size after a checkpoint.
                    sqlx::query("PRAGMA wal_autocheckpoint = 16384").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA journal_size_limit = 67108864").execute(&mut *conn).await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool.max_connections(max_connections.unwrap_or(16)),
        };
        let pool = pool.connect_with(opts).await?;
        let store = Store { pool, backend, url_redacted: redact(url) };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let m = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            // Several processes may start at once: one migrates, the others wait.
            sqlx::query("SELECT pg_advisory_lock(727200)").execute(&mut *conn).await?;
        }
        let r = m.run(&mut *conn).await.map_err(|e| Error::Migrate(e.to_string()));
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock(727200)").execute(&mut *conn).await?;
        }
        r
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password removed, for logs.
    pub fn url_redacted(&self) -> &str {
        &self.url_redacted
    }

    /// Names of the migrations applied, in order.
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT description FROM _sqlx_migrations WHERE success = TRUE ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`).
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { tx, backend: self.backend, bulk: false })
    }

    /// Starts a transaction for a bulk write (an import's batch). On SQLite its connection's
    /// page cache may grow to 256 MiB while it is open (filled only as used): the batch's
    /// dirty pages of every B-tree it writes stay in memory until the commit instead of
    /// spilling to the WAL and being written again. The commit (or rollback) sets the
    /// connection back to its usual 32 MiB, so a pooled connection does not keep a
    /// quarter of a gigabyte of pages after an import.
    pub async fn begin_bulk(&self) -> Result<Tx> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -262144").execute(&mut *tx).await?;
            tx.bulk = true;
        }
        Ok(tx)
    }

    /// A pooled connection for reads outside a transaction.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Checks the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.pool.acquire().await?;
        c.ping().await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The underlying pool (for tests that tamper with rows on purpose).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    /// A bulk transaction on SQLite: its connection's page cache goes back to the usual
    /// size as it ends ([`Store::begin_bulk`]).
    bulk: bool,
}

impl Tx {
    /// Commits.
    pub async fn commit(mut self) -> Result<()> {
        self.end_bulk().await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls back.
    pub async fn rollback(mut self) -> Result<()> {
        self.end_bulk().await?;
        self.tx.rollback().await?;
        Ok(())
    }

    /// Sets a bulk transaction's connection back to the usual page cache. Set just before
    /// the commit: the batch's dirty pages stay until the commit writes them, and SQLite
    /// then frees the pages above the limit as it releases them.
    async fn end_bulk(&mut self) -> Result<()> {
        if self.bulk {
            sqlx::query(CACHE_SIZE).execute(&mut *self.tx).await?;
            self.bulk = false;
        }
        Ok(())
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// Maps "no rows changed" to [`Error::NotFound`].
pub(crate) fn expect_one(r: sqlx::any::AnyQueryResult, what: &'static str) -> Result<()> {
    if r.rows_affected() == 0 { Err(Error::NotFound(what)) } else { Ok(()) }
}

pub(crate) fn parse<T: FromStr>(s: &str, what: &'static str) -> Result<T> {
    s.parse().map_err(|_| Error::Corrupt { what, detail: format!("cannot parse {s:?}") })
}
