//! The durable job table: enqueue in the domain transaction, claim with a lease, retry
//! with exponential back-off, dead-letter after `max_attempts`.
//!
//! Claiming is one statement. On PostgreSQL the candidate row is picked with
//! `FOR UPDATE SKIP LOCKED`, so any number of processes claim different jobs without
//! waiting on each other; on SQLite the statement runs under the database write lock.
//! A claim increments `attempts`, and `(id, locked_by, attempts)` is the fencing token:
//! a worker whose lease expired and whose job was re-claimed cannot complete or fail it
//! any more. A job whose worker died is claimed again once `lease_until` has passed.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ch_domain::JobId;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::{Backend, Error, Result, Store, Tx, parse};

/// A clock giving milliseconds since the epoch; time is a parameter everywhere.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The operating system's clock.
pub fn system_clock() -> Clock {
    Arc::new(|| jiff::Timestamp::now().as_millisecond())
}

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker, under a lease.
    Running,
    /// Finished.
    Done,
    /// Failed `max_attempts` times; kept for a person to look at and retry.
    Dead,
    /// Cancelled by a person.
    Cancelled,
}

impl JobState {
    /// Every state.
    pub const ALL: [JobState; 5] =
        [JobState::Queued, JobState::Running, JobState::Done, JobState::Dead, JobState::Cancelled];
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
            JobState::Cancelled => "cancelled",
        }
    }
}

impl std::str::FromStr for JobState {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        JobState::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or(Error::Corrupt { what: "jobs.state", detail: format!("unknown state {s:?}") })
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Id.
    pub id: JobId,
    /// What to run (a handler name such as `maintenance.purge_sessions`).
    pub kind: String,
    /// Input, JSON.
    pub payload: serde_json::Value,
    /// State.
    pub state: JobState,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed before the job is dead.
    pub max_attempts: i64,
    /// Not before (ms).
    pub run_at: i64,
    /// Lease end while running (ms).
    pub lease_until: Option<i64>,
    /// Worker holding it.
    pub locked_by: Option<String>,
    /// Last failure.
    pub last_error: Option<String>,
    /// Progress reported by the handler (JSON), e.g. `{"done": 10, "total": 100}`.
    pub progress: Option<serde_json::Value>,
    /// Enqueued (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
    /// Done, dead or cancelled at (ms).
    pub finished_at: Option<i64>,
}

type Row = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<i64>,
);
const COLS: &str = "id, kind, payload, state, attempts, max_attempts, run_at, lease_until, locked_by, last_error, progress, created_at, updated_at, finished_at";

fn job_from(r: Row) -> Result<Job> {
    let json = |s: &str, what| serde_json::from_str(s).map_err(|e| Error::Corrupt { what, detail: e.to_string() });
    Ok(Job {
        id: parse(&r.0, "jobs.id")?,
        kind: r.1,
        payload: json(&r.2, "jobs.payload")?,
        state: r.3.parse()?,
        attempts: r.4,
        max_attempts: r.5,
        run_at: r.6,
        lease_until: r.7,
        locked_by: r.8,
        last_error: r.9,
        progress: r.10.as_deref().map(|p| json(p, "jobs.progress")).transpose()?,
        created_at: r.11,
        updated_at: r.12,
        finished_at: r.13,
    })
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Handler name.
    pub kind: String,
    /// Input.
    pub payload: serde_json::Value,
    /// Claims allowed (default 5).
    pub max_attempts: i64,
    /// Not before (ms).
    pub run_at: i64,
    /// At most one job with this key exists (e.g. one pending sync per source).
    pub dedupe_key: Option<String>,
}

impl NewJob {
    /// A job of `kind` with `payload`, runnable at `now_ms`, 5 attempts.
    pub fn new(kind: &str, payload: serde_json::Value, now_ms: i64) -> Self {
        NewJob { kind: kind.to_string(), payload, max_attempts: 5, run_at: now_ms, dedupe_key: None }
    }
}

/// Enqueues a job in the caller's transaction (so it exists exactly if the change that
/// asked for it commits). With a `dedupe_key` already present, returns the existing id.
pub async fn enqueue(tx: &mut Tx, job: &NewJob, now_ms: i64) -> Result<JobId> {
    if let Some(key) = &job.dedupe_key {
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT id FROM jobs WHERE dedupe_key = $1").bind(key).fetch_optional(&mut **tx).await?;
        if let Some((id,)) = existing {
            return parse(&id, "jobs.id");
        }
    }
    let id = JobId(uuid::Uuid::now_v7());
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $7)",
    )
    .bind(id.as_string())
    .bind(&job.kind)
    .bind(job.payload.to_string())
    .bind(job.max_attempts.max(1))
    .bind(job.run_at)
    .bind(job.dedupe_key.as_deref())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A job claimed by a worker; `(id, worker, attempt)` fences its updates.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    /// Job id.
    pub id: JobId,
    /// Handler name.
    pub kind: String,
    /// Input.
    pub payload: serde_json::Value,
    /// This claim's attempt number (from 1).
    pub attempt: i64,
    /// Allowed attempts.
    pub max_attempts: i64,
    /// The claiming worker.
    pub worker: String,
}

/// Back-off before attempt `attempt + 1`: 2 s doubling, at most an hour.
pub fn backoff_ms(attempt: i64) -> i64 {
    let exp = attempt.clamp(1, 12) - 1;
    (2_000i64 << exp).min(3_600_000)
}

/// Claims the next runnable job of one of `kinds` for `worker`, with a lease of `lease_ms`.
pub async fn claim(
    store: &Store,
    worker: &str,
    kinds: &[String],
    lease_ms: i64,
    now_ms: i64,
) -> Result<Option<Claimed>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let mut tx = store.begin().await?;
    // A running job whose lease ran out after its last allowed attempt is dead, not retried.
    sqlx::query(
        "UPDATE jobs SET state = 'dead', finished_at = $1, updated_at = $1, \
         last_error = COALESCE(last_error, 'worker lost its lease on the final attempt') \
         WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
    )
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
    let lock = match store.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, locked_by = $2, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs WHERE kind IN ({}) AND \
           ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3)) \
           ORDER BY run_at, id LIMIT 1 {lock}) \
         RETURNING id, kind, payload, attempts, max_attempts",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, String, String, i64, i64)>(sqlx::AssertSqlSafe(sql))
        .bind(now_ms + lease_ms)
        .bind(worker)
        .bind(now_ms);
    for k in kinds {
        q = q.bind(k);
    }
    let row = q.fetch_optional(&mut *tx).await?;
    tx.commit().await?;
    row.map(|(id, kind, payload, attempt, max_attempts)| {
        Ok(Claimed {
            id: parse(&id, "jobs.id")?,
            kind,
            payload: serde_json::from_str(&payload)
                .map_err(|e| Error::Corrupt { what: "jobs.payload", detail: e.to_string() })?,
            attempt,
            max_attempts,
            worker: worker.to_string(),
        })
    })
    .transpose()
}

/// Marks a claimed job done. `false` if the lease was lost (another worker owns it now).
pub async fn complete(store: &Store, c: &Claimed, now_ms: i64) -> Result<bool> {
    let mut tx = store.begin().await?;
    let r = sqlx::query(
        "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = $1, updated_at = $1 \
         WHERE id = $2 AND locked_by = $3 AND attempts = $4 AND state = 'running'",
    )
    .bind(now_ms)
    .bind(c.id.as_string())
    .bind(&c.worker)
    .bind(c.attempt)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(r.rows_affected() == 1)
}

/// Records a failure: back to `queued` after a back-off, or `dead` after the last attempt.
/// Returns the new state, or `None` if the lease was lost.
pub async fn fail(store: &Store, c: &Claimed, error: &str, now_ms: i64) -> Result<Option<JobState>> {
    let dead = c.attempt >= c.max_attempts;
    let (state, run_at, finished) = if dead {
        (JobState::Dead, now_ms, Some(now_ms))
    } else {
        (JobState::Queued, now_ms + backoff_ms(c.attempt), None)
    };
    let error: String = error.chars().take(2000).collect();
    let mut tx = store.begin().await?;
    let r = sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, finished_at = $3, last_error = $4, lease_until = NULL, updated_at = $5 \
         WHERE id = $6 AND locked_by = $7 AND attempts = $8 AND state = 'running'",
    )
    .bind(state.as_str())
    .bind(run_at)
    .bind(finished)
    .bind(error)
    .bind(now_ms)
    .bind(c.id.as_string())
    .bind(&c.worker)
    .bind(c.attempt)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((r.rows_affected() == 1).then_some(state))
}

/// Extends the lease of a claimed job; `false` if it was lost.
pub async fn heartbeat(store: &Store, c: &Claimed, lease_ms: i64, now_ms: i64) -> Result<bool> {
    let mut conn = store.conn().await?;
    let r = sqlx::query(
        "UPDATE jobs SET lease_until = $1, updated_at = $2 WHERE id = $3 AND locked_by = $4 AND attempts = $5 AND state = 'running'",
    )
    .bind(now_ms + lease_ms)
    .bind(now_ms)
    .bind(c.id.as_string())
    .bind(&c.worker)
    .bind(c.attempt)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records progress of a claimed job (shown in the API and CLI).
pub async fn set_progress(store: &Store, c: &Claimed, progress: &serde_json::Value, now_ms: i64) -> Result<()> {
    let mut conn = store.conn().await?;
    sqlx::query("UPDATE jobs SET progress = $1, updated_at = $2 WHERE id = $3 AND locked_by = $4 AND attempts = $5")
        .bind(progress.to_string())
        .bind(now_ms)
        .bind(c.id.as_string())
        .bind(&c.worker)
        .bind(c.attempt)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One job.
pub async fn get(c: &mut AnyConnection, id: JobId) -> Result<Job> {
    let q = sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM jobs WHERE id = $1"));
    let row: Option<Row> = sqlx::query_as(q).bind(id.as_string()).fetch_optional(c).await?;
    job_from(row.ok_or(Error::NotFound("job"))?)
}

/// Jobs, newest first, optionally of one state.
pub async fn list(c: &mut AnyConnection, state: Option<JobState>, limit: i64) -> Result<Vec<Job>> {
    let q = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM jobs WHERE ($1 IS NULL OR state = $1) ORDER BY created_at DESC, id DESC LIMIT $2"
    ));
    let rows: Vec<Row> =
        sqlx::query_as(q).bind(state.map(|s| s.as_str())).bind(limit.clamp(1, 1000)).fetch_all(c).await?;
    rows.into_iter().map(job_from).collect()
}

/// How many jobs are in each state.
pub async fn counts(c: &mut AnyConnection) -> Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetch_all(c).await?;
    let mut m: BTreeMap<String, i64> = JobState::ALL.iter().map(|s| (s.as_str().to_string(), 0)).collect();
    m.extend(rows);
    Ok(m)
}

/// Puts a dead or cancelled job back in the queue with a fresh set of attempts.
pub async fn retry(tx: &mut Tx, id: JobId, now_ms: i64) -> Result<()> {
    let r = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, finished_at = NULL, lease_until = NULL, \
         locked_by = NULL, updated_at = $1 WHERE id = $2 AND state IN ('dead', 'cancelled')",
    )
    .bind(now_ms)
    .bind(id.as_string())
    .execute(&mut **tx)
    .await?;
    crate::expect_one(r, "dead or cancelled job")
}

/// Cancels a queued job.
pub async fn cancel(tx: &mut Tx, id: JobId, now_ms: i64) -> Result<()> {
    let r = sqlx::query(
        "UPDATE jobs SET state = 'cancelled', finished_at = $1, updated_at = $1 WHERE id = $2 AND state = 'queued'",
    )
    .bind(now_ms)
    .bind(id.as_string())
    .execute(&mut **tx)
    .await?;
    crate::expect_one(r, "queued job")
}

/// What a handler gets: the store, the claimed job, and the clock.
#[derive(Clone)]
pub struct JobContext {
    /// The store.
    pub store: Store,
    /// The job.
    pub job: Claimed,
    /// The clock.
    pub clock: Clock,
}

impl JobContext {
    /// Reports progress.
    pub async fn progress(&self, p: serde_json::Value) -> Result<()> {
        set_progress(&self.store, &self.job, &p, (self.clock)()).await
    }
}

/// A handler's future.
pub type HandlerFuture = Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send>>;
/// A job handler: returns `Err(message)` to fail the attempt.
pub type Handler = Arc<dyn Fn(JobContext) -> HandlerFuture + Send + Sync>;

/// Runs jobs of the kinds it has handlers for.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    id: String,
    handlers: BTreeMap<String, Handler>,
    clock: Clock,
    /// Lease length (ms).
    pub lease_ms: i64,
    /// Sleep when the queue is empty (ms).
    pub idle_ms: u64,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker named `id` (unique per process, e.g. host:pid:n).
    pub fn new(store: Store, id: impl Into<String>, clock: Clock) -> Self {
        Worker { store, id: id.into(), handlers: BTreeMap::new(), clock, lease_ms: 60_000, idle_ms: 500 }
    }

    /// Registers a handler for `kind`.
    pub fn handle(mut self, kind: &str, h: Handler) -> Self {
        self.handlers.insert(kind.to_string(), h);
        self
    }

    /// The worker's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims and runs at most one job. Returns what happened, or `None` when idle.
    pub async fn run_once(&self) -> Result<Option<(JobId, JobState)>> {
        let kinds: Vec<String> = self.handlers.keys().cloned().collect();
        let Some(job) = claim(&self.store, &self.id, &kinds, self.lease_ms, (self.clock)()).await? else {
            return Ok(None);
        };
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            let st = fail(&self.store, &job, "no handler for this kind", (self.clock)()).await?;
            return Ok(st.map(|s| (job.id, s)));
        };
        let ctx = JobContext { store: self.store.clone(), job: job.clone(), clock: self.clock.clone() };
        // Keep the lease alive while the handler runs.
        let hb = {
            let (store, job, clock, lease) = (self.store.clone(), job.clone(), self.clock.clone(), self.lease_ms);
            tokio::spawn(async move {
                let every = std::time::Duration::from_millis((lease / 3).max(100) as u64);
                loop {
                    tokio::time::sleep(every).await;
                    if !matches!(heartbeat(&store, &job, lease, clock()).await, Ok(true)) {
                        break;
                    }
                }
            })
        };
        let outcome = tokio::spawn(handler(ctx)).await;
        hb.abort();
        let now = (self.clock)();
        let state = match outcome {
            Ok(Ok(())) => complete(&self.store, &job, now).await?.then_some(JobState::Done),
            Ok(Err(msg)) => fail(&self.store, &job, &msg, now).await?,
            Err(join) => fail(&self.store, &job, &format!("handler panicked: {join}"), now).await?,
        };
        match state {
            Some(s) => {
                tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempt, state = s.as_str(), "job finished");
                Ok(Some((job.id, s)))
            }
            None => {
                tracing::warn!(job = %job.id, kind = %job.kind, "job lease lost; another worker owns it");
                Ok(Some((job.id, JobState::Running)))
            }
        }
    }

    /// Runs until `shutdown` turns true; finishes the job in hand first.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_once().await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "job worker error"),
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(self.idle_ms)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
