//! [`WebhookSink`]: an HTTP server on `127.0.0.1` that records every request, for tests
//! that send webhooks.
//!
//! Every request, any method and path, is recorded with its headers and raw body and
//! answered `204 No Content`, unless [`WebhookSink::fail_next`] or
//! [`WebhookSink::respond_next`] queued other answers (a `503` or `429` comes with
//! `Retry-After: 1`).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One request the sink received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// `POST`, `GET`, …
    pub method: String,
    /// Path and query, e.g. `/hook?x=1`.
    pub path: String,
    /// Headers in arrival order, names lowercase.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The status the sink answered.
    pub status: u16,
}

impl ReceivedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        Ok(serde_json::from_slice(&self.body)?)
    }
}

#[derive(Default)]
struct Inner {
    requests: Vec<ReceivedRequest>,
    answers: VecDeque<u16>,
}

struct Shared {
    inner: Mutex<Inner>,
    count: watch::Sender<usize>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An HTTP server on `127.0.0.1` and an ephemeral port, recording each request.
/// Stops when dropped.
pub struct WebhookSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for WebhookSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut inner = shared.lock();
    let status = inner.answers.pop_front().unwrap_or(204);
    inner.requests.push(ReceivedRequest {
        method: method.to_string(),
        path: uri.path_and_query().map(ToString::to_string).unwrap_or_else(|| uri.path().to_owned()),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
        status,
    });
    let n = inner.requests.len();
    drop(inner);
    shared.count.send_modify(|c| *c = n);
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if matches!(status, 429 | 503) {
        (code, [(header::RETRY_AFTER, "1")]).into_response()
    } else {
        code.into_response()
    }
}

impl WebhookSink {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start() -> anyhow::Result<WebhookSink> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared { inner: Mutex::new(Inner::default()), count: watch::Sender::new(0) });
        let app = axum::Router::new().fallback(record).with_state(shared.clone());
        let task = tokio::spawn(async move {
            // Ends only with the test's runtime or when the sink is dropped.
            let _ = axum::serve(listener, app).await;
        });
        Ok(WebhookSink { addr, shared, task })
    }

    /// `http://127.0.0.1:<port>/hook`.
    pub fn url(&self) -> String {
        self.url_for("/hook")
    }

    /// `http://127.0.0.1:<port><path>`; `path` starts with `/` and may carry a query.
    pub fn url_for(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The port it listens on (host `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The requests received so far, in order (including those answered with an error).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Waits until at least `n` requests arrived and returns them all; an error naming
    /// how many arrived when `timeout` passes first.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> anyhow::Result<Vec<ReceivedRequest>> {
        let mut rx = self.shared.count.subscribe();
        match tokio::time::timeout(timeout, rx.wait_for(|c| *c >= n)).await {
            Ok(Ok(_)) => Ok(self.requests()),
            _ => anyhow::bail!("WebhookSink: waited {timeout:?} for {n} requests, {} arrived", self.requests().len()),
        }
    }

    /// The next `n` requests are answered `503 Service Unavailable` with `Retry-After: 1`.
    pub fn fail_next(&self, n: usize) {
        self.respond_next(n, 503);
    }

    /// The next `n` requests are answered with `status` (a valid HTTP status code).
    pub fn respond_next(&self, n: usize, status: u16) {
        self.shared.lock().answers.extend(std::iter::repeat_n(status, n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// One raw HTTP/1.1 request; returns the status line.
    async fn post(sink: &WebhookSink, body: &str) -> anyhow::Result<String> {
        let mut s = tokio::net::TcpStream::connect(sink.addr).await?;
        let req = format!(
            "POST /hook?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: yes\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await?;
        let mut out = String::new();
        s.read_to_string(&mut out).await?;
        Ok(out.lines().next().unwrap_or_default().to_owned())
    }

    #[tokio::test]
    async fn records_and_answers() -> anyhow::Result<()> {
        let sink = WebhookSink::start().await?;
        sink.fail_next(1);
        sink.respond_next(1, 400);
        let cases = [("HTTP/1.1 503", 503), ("HTTP/1.1 400", 400), ("HTTP/1.1 204", 204)];
        for (i, (line, status)) in cases.into_iter().enumerate() {
            let got = post(&sink, &format!("{{\"n\":{i}}}")).await?;
            assert!(got.starts_with(line), "{got}");
            let reqs = sink.wait_for(i + 1, Duration::from_secs(5)).await?;
            let r = &reqs[i];
            assert_eq!(r.status, status);
            assert_eq!(r.method, "POST");
            assert_eq!(r.path, "/hook?x=1");
            assert_eq!(r.header("x-test"), Some("yes"));
            assert_eq!(r.json()?["n"], i);
        }
        assert!(sink.wait_for(4, Duration::from_millis(50)).await.is_err());
        assert!(sink.url().starts_with("http://127.0.0.1:"));
        Ok(())
    }
}
