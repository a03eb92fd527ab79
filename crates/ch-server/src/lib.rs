//! The HTTP server: the JSON API under `/api/v1` (documented at `/api/openapi.json`), the
//! server-rendered pages, health and metrics endpoints, and the background workers.
//!
//! Layers, outermost first: request id (set and propagated as `x-request-id`), tracing
//! span with that id, metrics, timeout, body-size limit. Handlers are thin: they extract
//! the [`auth::Caller`], ask the policy module through [`AppState::check`], call a
//! service, and map errors through [`error::ApiError`]. No SQL and no access rule lives
//! here.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod api;
pub mod assets;
pub mod auth;
pub mod demo;
pub mod error;
pub mod metrics;
pub mod pages;
pub mod ratelimit;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use ch_domain::Actor;
use ch_identity::Identity;
use ch_policy::{Action, Resource, authorize};
use ch_store::Store;
use ch_store::jobs::Clock;
use ch_store::sealed::Sealer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Settings the server needs (merged by the binary from flags, environment and file).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (leave on unless serving plain HTTP beyond localhost on purpose).
    pub secure_cookies: bool,
    /// Largest request body, bytes.
    pub body_limit: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Sign-in attempts per client address per minute.
    pub login_per_minute: u32,
    /// Requests per API token per second.
    pub token_per_second: u32,
    /// Background job workers in this process.
    pub workers: usize,
    /// Anyone may read the knowledge base (advisories, the OSV API), as api.osv.dev;
    /// otherwise only signed-in people.
    pub public_knowledge: bool,
    /// How often sources are synced (seconds; 0: never on a schedule).
    pub sync_interval_secs: u64,
    /// How often this process looks for knowledge-base changes other processes made (and
    /// for changes not yet matched against inventories).
    pub follow_interval: Duration,
    /// The SMTP relay notifications go through (none: no e-mail).
    pub smtp: Option<ch_notify::mail::SmtpConfig>,
    /// The server's public base URL, for links in notifications.
    pub base_url: String,
    /// Webhooks may go to loopback and private addresses (tests, single-site installs).
    pub allow_private_webhooks: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            secure_cookies: true,
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            login_per_minute: 10,
            token_per_second: 200,
            workers: 2,
            public_knowledge: true,
            sync_interval_secs: 0,
            follow_interval: Duration::from_secs(2),
            smtp: None,
            base_url: "http://127.0.0.1:8080".into(),
            allow_private_webhooks: false,
        }
    }
}

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// Identity service.
    pub identity: Identity,
    /// Sealed secrets.
    pub sealer: Sealer,
    /// Time.
    pub clock: Clock,
    /// Settings.
    pub config: Arc<ServerConfig>,
    /// Rate limiters.
    pub limits: Arc<ratelimit::Limits>,
    /// The OpenAPI document, built once.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// The knowledge base and its in-memory index.
    pub knowledge: ch_knowledge::Knowledge,
    /// Exposure monitoring.
    pub exposure: ch_exposure::Exposure,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// State over a store.
    pub fn new(
        store: Store,
        sealer: Sealer,
        clock: Clock,
        config: ServerConfig,
        knowledge: ch_knowledge::Knowledge,
    ) -> Result<Self, ch_identity::Error> {
        let identity = Identity::new(store.clone())?;
        let limits = Arc::new(ratelimit::Limits::new(&config));
        let (_, openapi) = api::router().split_for_parts();
        let exposure = ch_exposure::Exposure::new(
            store.clone(),
            knowledge.clone(),
            clock.clone(),
            sealer.clone(),
            ch_exposure::Outbound {
                smtp: config.smtp.clone(),
                base_url: config.base_url.clone(),
                allow_private_webhooks: config.allow_private_webhooks,
            },
        );
        Ok(AppState {
            exposure,
            store,
            identity,
            sealer,
            clock,
            config: Arc::new(config),
            limits,
            openapi: Arc::new(openapi),
            knowledge,
        })
    }

    /// The knowledge base as a policy resource (open or not, by configuration).
    pub fn knowledge_resource(&self) -> Resource {
        Resource::KnowledgeBase { open: self.config.public_knowledge }
    }

    /// Now, ms since the epoch.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Asks the policy module; the only way handlers decide access.
    pub fn check(&self, actor: Option<&Actor>, action: Action, resource: &Resource) -> Result<(), error::ApiError> {
        error::decided(authorize(actor, action, resource))
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(assets::router())
        .merge(metrics::router())
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, state.config.request_timeout))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

async fn fallback(uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", format!("no such route: {}", uri.path()))
}

/// A job worker named `id` with a handler for every job kind the server knows.
pub fn worker(state: &AppState, id: String) -> ch_store::jobs::Worker {
    ch_store::jobs::Worker::new(state.store.clone(), id, state.clock.clone())
        .handle("maintenance.purge_sessions", purge_sessions_handler())
        .handle(SYNC_JOB, sync_handler(state.knowledge.clone()))
        .handle(ch_exposure::MATCH_JOB, match_handler(state.exposure.clone()))
        .handle(ch_exposure::DELIVER_JOB, deliver_handler(state.exposure.clone()))
        .handle(ch_exposure::DIGEST_JOB, digest_handler(state.exposure.clone()))
}

/// Spawns the job workers and the maintenance scheduler; returns their handles.
pub fn spawn_workers(
    state: &AppState,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = Vec::new();
    let host = std::process::id();
    for n in 0..state.config.workers {
        let w = worker(state, format!("pid{host}-w{n}"));
        handles.push(tokio::spawn(w.run(shutdown.clone())));
    }
    // This process's index follows what other processes import.
    handles.push(state.knowledge.spawn_follower(state.config.follow_interval, shutdown.clone()));
    if state.config.sync_interval_secs > 0 {
        let every = state.config.sync_interval_secs.max(60);
        handles.push(spawn_schedule(state, SYNC_JOB, every, serde_json::json!({"scheduled": true}), shutdown.clone()));
    }
    // Knowledge changes not yet matched against inventories become a match job.
    handles.push(spawn_match_watch(state, shutdown.clone()));
    // Daily digests.
    handles.push(spawn_schedule(state, ch_exposure::DIGEST_JOB, 86_400, serde_json::json!({}), shutdown.clone()));
    // Hourly maintenance.
    handles.push(spawn_schedule(state, "maintenance.purge_sessions", 3_600, serde_json::json!({}), shutdown));
    handles
}

/// The job kind that syncs every advisory source.
pub const SYNC_JOB: &str = "knowledge.sync";

/// Enqueues a `kind` job once per period of `every_secs`, once across all processes (the
/// dedupe key names the period), looking at most every ten minutes.
fn spawn_schedule(
    state: &AppState,
    kind: &'static str,
    every_secs: u64,
    payload: serde_json::Value,
    mut sd: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let (store, clock) = (state.store.clone(), state.clock.clone());
    let period_ms = (every_secs.max(1) as i64).saturating_mul(1000);
    tokio::spawn(async move {
        loop {
            let now = clock();
            let mut job = ch_store::jobs::NewJob::new(kind, payload.clone(), now);
            job.dedupe_key = Some(format!("{kind}:{}", now / period_ms));
            let r = async {
                let mut tx = store.begin().await?;
                ch_store::jobs::enqueue(&mut tx, &job, now).await?;
                tx.commit().await
            }
            .await;
            if let Err(e) = r {
                tracing::warn!(error = %e, kind, "could not schedule a job");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(every_secs.clamp(1, 600))) => {}
                _ = sd.changed() => break,
            }
        }
    })
}

fn sync_handler(kb: ch_knowledge::Knowledge) -> ch_store::jobs::Handler {
    Arc::new(move |ctx: ch_store::jobs::JobContext| {
        let kb = kb.clone();
        Box::pin(async move {
            let client = ch_knowledge::sync::client().map_err(|e| e.to_string())?;
            // Progress lands in the job row (read at /api/v1/jobs/{id}); writes are
            // throttled to one per committed batch by the importer.
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
            let progress_ctx = ctx.clone();
            let pump = tokio::spawn(async move {
                while let Some(p) = rx.recv().await {
                    let _ = progress_ctx.progress(p).await;
                }
            });
            let mut events = |e: ch_knowledge::ImportEvent| {
                if let ch_knowledge::ImportEvent::Progress(p) = e {
                    let _ = tx.send(serde_json::to_value(p).unwrap_or_default());
                }
            };
            let reports = ch_knowledge::sync::sync_all(kb.store(), Some(&kb), &client, &ctx.clock, &mut events)
                .await
                .map_err(|e| e.to_string())?;
            drop(tx);
            let _ = pump.await;
            ctx.progress(serde_json::to_value(&reports).unwrap_or_default()).await.map_err(|e| e.to_string())?;
            let failed: Vec<&str> = reports
                .iter()
                .filter(|r| matches!(r.outcome, ch_knowledge::sync::SyncOutcome::Failed { .. }))
                .map(|r| r.source.as_str())
                .collect();
            if failed.is_empty() { Ok(()) } else { Err(format!("sources failed: {}", failed.join(", "))) }
        })
    })
}

/// Every `follow_interval`, enqueues one match job per knowledge change number not yet
/// matched (the dedupe key names the change number, so processes watching together
/// enqueue it once).
fn spawn_match_watch(state: &AppState, mut sd: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let (store, clock, every) = (state.store.clone(), state.clock.clone(), state.config.follow_interval);
    tokio::spawn(async move {
        loop {
            let r = async {
                let mut c = store.conn().await?;
                let kb = ch_store::knowledge::current_seq(&mut c).await?;
                let matched = ch_store::exposure::matched_seq(&mut c).await?;
                let expiring = ch_store::exposure::any_expired_acceptance(&mut c, clock()).await?;
                drop(c);
                if kb > matched || expiring {
                    let now = clock();
                    let mut job =
                        ch_store::jobs::NewJob::new(ch_exposure::MATCH_JOB, serde_json::json!({"seq": kb}), now);
                    job.dedupe_key =
                        Some(format!("{}:{kb}:{}", ch_exposure::MATCH_JOB, if expiring { now / 3_600_000 } else { 0 }));
                    let mut tx = store.begin().await?;
                    ch_store::jobs::enqueue(&mut tx, &job, now).await?;
                    tx.commit().await?;
                }
                Ok::<(), ch_store::Error>(())
            }
            .await;
            if let Err(e) = r {
                tracing::warn!(error = %e, "could not look for unmatched knowledge changes");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = sd.changed() => break,
            }
        }
    })
}

fn match_handler(x: ch_exposure::Exposure) -> ch_store::jobs::Handler {
    Arc::new(move |ctx: ch_store::jobs::JobContext| {
        let x = x.clone();
        Box::pin(async move {
            let run = x.match_changes().await.map_err(|e| e.to_string())?;
            if run.findings.new + run.findings.closed > 0 {
                tracing::info!(
                    from = run.from_seq,
                    to = run.to_seq,
                    assets = run.assets,
                    new = run.findings.new,
                    closed = run.findings.closed,
                    "matched knowledge changes against inventories"
                );
            }
            ctx.progress(serde_json::to_value(&run).unwrap_or_default()).await.map_err(|e| e.to_string())?;
            Ok(())
        })
    })
}

fn deliver_handler(x: ch_exposure::Exposure) -> ch_store::jobs::Handler {
    Arc::new(move |ctx: ch_store::jobs::JobContext| {
        let x = x.clone();
        Box::pin(async move {
            let id = ctx.job.payload.get("delivery").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let out = ch_exposure::notify::deliver(&x, &id).await.map_err(|e| e.to_string())?;
            ctx.progress(serde_json::json!({"delivery": id, "outcome": out})).await.map_err(|e| e.to_string())?;
            Ok(())
        })
    })
}

fn digest_handler(x: ch_exposure::Exposure) -> ch_store::jobs::Handler {
    Arc::new(move |ctx: ch_store::jobs::JobContext| {
        let x = x.clone();
        Box::pin(async move {
            let n = ch_exposure::notify::send_digests(&x).await.map_err(|e| e.to_string())?;
            ctx.progress(serde_json::json!({"digests": n})).await.map_err(|e| e.to_string())?;
            Ok(())
        })
    })
}

fn purge_sessions_handler() -> ch_store::jobs::Handler {
    Arc::new(|ctx: ch_store::jobs::JobContext| {
        Box::pin(async move {
            let mut tx = ctx.store.begin().await.map_err(|e| e.to_string())?;
            let n = ch_store::identity::purge_sessions(&mut tx, (ctx.clock)()).await.map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            ctx.progress(serde_json::json!({"purged": n})).await.map_err(|e| e.to_string())?;
            Ok(())
        })
    })
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
