//! Appending to and reading the audit chain.
//!
//! [`append`] runs inside the caller's transaction, so an entry exists exactly when the
//! change it records was committed. It first takes the chain lock (on PostgreSQL a
//! transaction-scoped advisory lock; on SQLite the write lock taken by `BEGIN IMMEDIATE`),
//! then reads the head and writes the next entry: with any number of processes the chain
//! stays one line with no gaps.

use ch_audit::{Entry, GENESIS, Verifier};

use crate::{Backend, Result, Tx};

/// Advisory lock key of the audit chain on PostgreSQL.
const AUDIT_LOCK: i64 = 727_201;

/// What to record; [`append`] fills in sequence and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// When (ms).
    pub at_ms: i64,
    /// Who (`user:<id>`, `token:<id>`, `cli`, `system`, `anonymous`).
    pub actor: String,
    /// The actor's organisation.
    pub org: Option<String>,
    /// Dotted verb, e.g. `user.create`.
    pub action: String,
    /// Kind of object.
    pub object_type: String,
    /// Id of object.
    pub object_id: String,
    /// Client address or `cli`.
    pub source: String,
    /// JSON detail (no secrets, no embargoed text).
    pub detail: serde_json::Value,
}

type Row = (i64, i64, String, Option<String>, String, String, String, String, String, String, String);
const COLS: &str = "seq, at_ms, actor, org, action, object_type, object_id, source, detail, prev_hash, hash";

fn entry_from(r: Row) -> Entry {
    Entry {
        seq: r.0,
        at_ms: r.1,
        actor: r.2,
        org: r.3,
        action: r.4,
        object_type: r.5,
        object_id: r.6,
        source: r.7,
        detail: r.8,
        prev_hash: r.9,
        hash: r.10,
    }
}

/// Who acts, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// Actor label.
    pub actor: String,
    /// The actor's organisation.
    pub org: Option<String>,
    /// Client address, or `cli`.
    pub source: String,
}

impl Who {
    /// A signed-in person (or their token).
    pub fn of(actor: &ch_domain::Actor, source: &str) -> Self {
        Who { actor: actor.audit_label(), org: Some(actor.org_id.as_string()), source: source.to_string() }
    }
    /// The local command line.
    pub fn cli() -> Self {
        Who { actor: "cli".into(), org: None, source: "cli".into() }
    }
    /// The server itself (jobs, start-up).
    pub fn system() -> Self {
        Who { actor: "system".into(), org: None, source: "system".into() }
    }
    /// Nobody signed in (failed logins).
    pub fn anonymous(source: &str) -> Self {
        Who { actor: "anonymous".into(), org: None, source: source.to_string() }
    }
}

/// Records `action` on `object_type`/`object_id` by `who` in the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    who: &Who,
    now_ms: i64,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: serde_json::Value,
) -> Result<Entry> {
    append(
        tx,
        NewEntry {
            at_ms: now_ms,
            actor: who.actor.clone(),
            org: who.org.clone(),
            action: action.into(),
            object_type: object_type.into(),
            object_id: object_id.into(),
            source: who.source.clone(),
            detail,
        },
    )
    .await
}

/// Appends an entry in the caller's transaction and returns it.
pub async fn append(tx: &mut Tx, e: NewEntry) -> Result<Entry> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_LOCK).execute(&mut **tx).await?;
    }
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    let (seq, prev_hash) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = Entry {
        seq,
        at_ms: e.at_ms,
        actor: e.actor,
        org: e.org,
        action: e.action,
        object_type: e.object_type,
        object_id: e.object_id,
        source: e.source,
        detail: e.detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    let q = sqlx::AssertSqlSafe(format!(
        "INSERT INTO audit_log ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ));
    sqlx::query(q)
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(&entry.actor)
        .bind(entry.org.as_deref())
        .bind(&entry.action)
        .bind(&entry.object_type)
        .bind(&entry.object_id)
        .bind(&entry.source)
        .bind(&entry.detail)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(&mut **tx)
        .await?;
    Ok(entry)
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only entries with seq below this (paging backwards).
    pub before_seq: Option<i64>,
    /// Only this action prefix (e.g. `user.`).
    pub action_prefix: Option<String>,
    /// Only this actor.
    pub actor: Option<String>,
    /// At most this many (capped at 500).
    pub limit: i64,
}

/// Newest entries first.
pub async fn list(c: &mut sqlx::AnyConnection, f: &Filter) -> Result<Vec<Entry>> {
    let q = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM audit_log WHERE ($1 IS NULL OR seq < $1) AND ($2 IS NULL OR action LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR actor = $3) ORDER BY seq DESC LIMIT $4"
    ));
    let rows: Vec<Row> = sqlx::query_as(q)
        .bind(f.before_seq)
        .bind(f.action_prefix.as_ref().map(|p| format!("{}%", p.replace('%', "").replace('_', "\\_"))))
        .bind(f.actor.as_deref())
        .bind(f.limit.clamp(1, 500))
        .fetch_all(c)
        .await?;
    Ok(rows.into_iter().map(entry_from).collect())
}

/// Verifies the whole stored chain in pages; returns the count and the head hash.
/// The error names the first broken entry.
pub async fn verify(c: &mut sqlx::AnyConnection) -> Result<(u64, String)> {
    let mut v = Verifier::default();
    let mut after = 0i64;
    loop {
        let q = sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"));
        let rows: Vec<Row> = sqlx::query_as(q).bind(after).fetch_all(&mut *c).await?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            let e = entry_from(r);
            after = e.seq;
            v.push(&e)?;
        }
    }
    Ok((v.count(), v.head().to_string()))
}
