//! Prometheus metrics: request counts and latencies by route and status, rendered at
//! `/metrics` for scrapers on the same host (loopback) or an administrator's token.

use std::sync::OnceLock;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let h = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|_| h)
        })
        .as_ref()
}

/// Middleware recording `http_requests_total` and `http_request_duration_seconds`.
pub async fn track(req: Request, next: Next) -> Response {
    let _ = handle();
    let start = Instant::now();
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

async fn render(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let loopback = caller.source.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        state.check(caller.actor.as_ref(), ch_policy::Action::Read, &ch_policy::Resource::Jobs)?;
    }
    if let Ok(mut c) = state.store.conn().await
        && let Ok(counts) = ch_store::jobs::counts(&mut c).await
    {
        for (s, n) in counts {
            metrics::gauge!("clearinghouse_jobs", "state" => s).set(n as f64);
        }
    }
    let body = handle().map(|h| h.render()).unwrap_or_default();
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}

/// `/metrics`.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", axum::routing::get(render))
}
