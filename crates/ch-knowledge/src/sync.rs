//! Sync: configured sources fetched with conditional requests and imported when changed.
//!
//! Each source is a URL (an OSV `all.zip` export, a CVE record feed, the KEV JSON). A sync
//! sends the `ETag` and `Last-Modified` of the last body it imported as `If-None-Match`
//! and `If-Modified-Since` (RFC 9110 §13.1); a `304 Not Modified` costs one round trip and
//! imports nothing. A new body is streamed to a temporary file named after the URL's last
//! path segment (so `ch-feed` detects `.zip`, `.jsonl.zst`, `.json` by name and content),
//! imported, and only then are the new validators stored: a failed import is retried
//! whole next time.

use std::io::Write;
use std::path::PathBuf;

use ch_store::Store;
use ch_store::jobs::Clock;
use ch_store::knowledge::{self as kstore, AdvisorySource};

use crate::import::{ImportEvent, ImportOptions, ImportSummary, run};
use crate::{Error, Knowledge, Result};

/// What a sync of one source did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SyncOutcome {
    /// A new body was imported.
    Imported {
        /// The import.
        summary: ImportSummary,
        /// Bytes downloaded.
        bytes: u64,
    },
    /// The server said nothing changed.
    NotModified,
    /// The fetch or the import failed.
    Failed {
        /// Why.
        reason: String,
    },
}

/// A source's outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Source name.
    pub source: String,
    /// What happened.
    pub outcome: SyncOutcome,
}

/// An HTTP client for syncs (timeouts set; TLS with the Web PKI roots).
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("clearinghouse/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(20))
        .timeout(std::time::Duration::from_secs(1800))
        .build()
        .map_err(|e| Error::Io(format!("HTTP client: {e}")))
}

fn file_name_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or("");
    let clean: String = last.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    if clean.is_empty() || clean.starts_with('.') { "source.json".into() } else { clean }
}

/// A source URL fit for logs, audit entries and answers: without user information and
/// with the values of query parameters that look like credentials (`token`, `key`,
/// `secret`, `password`, `sig`) masked. A URL that does not parse is shown as its scheme
/// and host part only.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = reqwest::Url::parse(url) else {
        let cut = url.find(['?', '#', '@']).unwrap_or(url.len());
        return format!("{}…", url.get(..cut).unwrap_or_default());
    };
    let _ = u.set_username("");
    let _ = u.set_password(None);
    let secret = |k: &str| {
        let k = k.to_ascii_lowercase();
        ["token", "key", "secret", "password", "sig"].iter().any(|s| k.contains(s))
    };
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret(&k) { "***".to_owned() } else { v.into_owned() };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// Syncs every configured source, in name order.
pub async fn sync_all(
    store: &Store,
    kb: Option<&Knowledge>,
    client: &reqwest::Client,
    clock: &Clock,
    events: &mut (dyn FnMut(ImportEvent) + Send),
) -> Result<Vec<SyncReport>> {
    let sources = {
        let mut c = store.conn().await?;
        kstore::list_sources(&mut c).await?
    };
    let mut out = Vec::with_capacity(sources.len());
    for s in sources {
        let outcome = sync_one(store, kb, client, &s, clock, events).await?;
        out.push(SyncReport { source: s.name.clone(), outcome });
    }
    Ok(out)
}

/// Syncs one source and records the outcome on it.
pub async fn sync_one(
    store: &Store,
    kb: Option<&Knowledge>,
    client: &reqwest::Client,
    source: &AdvisorySource,
    clock: &Clock,
    events: &mut (dyn FnMut(ImportEvent) + Send),
) -> Result<SyncOutcome> {
    let fetched = fetch(client, source).await;
    let (outcome, validators, detail) = match fetched {
        Err(reason) => (SyncOutcome::Failed { reason: reason.clone() }, None, reason),
        Ok(None) => (SyncOutcome::NotModified, None, "not modified".to_string()),
        Ok(Some(body)) => {
            let options = ImportOptions { label: Some(format!("sync {}", source.name)), ..ImportOptions::default() };
            match run(store, kb, std::slice::from_ref(&body.path), &options, clock, events).await {
                Ok(summary) => {
                    let detail = format!(
                        "{} records: {} new, {} updated, {} unchanged, {} KEV, {} errors",
                        summary.progress.records,
                        summary.progress.inserted,
                        summary.progress.updated,
                        summary.progress.unchanged,
                        summary.progress.kev,
                        summary.progress.errors
                    );
                    (
                        SyncOutcome::Imported { summary, bytes: body.bytes },
                        Some((body.etag.clone(), body.last_modified.clone())),
                        detail,
                    )
                }
                Err(e) => (SyncOutcome::Failed { reason: e.to_string() }, None, e.to_string()),
            }
        }
    };
    let status = match &outcome {
        SyncOutcome::Imported { .. } => "imported",
        SyncOutcome::NotModified => "not_modified",
        SyncOutcome::Failed { .. } => "failed",
    };
    let mut tx = store.begin().await?;
    kstore::record_sync(
        &mut tx,
        &source.name,
        validators.as_ref().map(|(e, l)| (e.as_deref(), l.as_deref())),
        status,
        &detail,
        clock(),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

struct Body {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bytes: u64,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// `Ok(None)`: not modified.
async fn fetch(client: &reqwest::Client, source: &AdvisorySource) -> std::result::Result<Option<Body>, String> {
    let mut req = client.get(&source.url);
    if let Some(etag) = &source.etag {
        req = req.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    if let Some(lm) = &source.last_modified {
        req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
    }
    let shown = redact_url(&source.url);
    // reqwest's errors carry the URL: say what happened without it.
    let mut resp = req.send().await.map_err(|e| format!("GET {shown}: {}", e.without_url()))?;
    if resp.status() == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    if !resp.status().is_success() {
        return Err(format!("GET {shown}: HTTP {}", resp.status()));
    }
    let header =
        |name: reqwest::header::HeaderName| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let etag = header(reqwest::header::ETAG);
    let last_modified = header(reqwest::header::LAST_MODIFIED);
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let path = dir.path().join(file_name_of(&source.url));
    let mut file = fs_err::File::create(&path).map_err(|e| e.to_string())?;
    let mut bytes = 0u64;
    while let Some(chunk) = resp.chunk().await.map_err(|e| format!("GET {shown}: body: {}", e.without_url()))? {
        bytes += chunk.len() as u64;
        file.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())?;
    Ok(Some(Body { _dir: dir, path, bytes, etag, last_modified }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_from_urls() {
        let cases = [
            ("https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip", "all.zip"),
            ("http://127.0.0.1:9/kev/known_exploited_vulnerabilities.json?x=1", "known_exploited_vulnerabilities.json"),
            ("http://127.0.0.1:9/", "source.json"),
            ("http://h/../..", "source.json"),
        ];
        for (url, want) in cases {
            assert_eq!(file_name_of(url), want, "{url}");
        }
    }

    #[test]
    fn credentials_never_leave_a_source_url() {
        let cases = [
            ("https://user:hunter2@feeds.example/all.zip", "https://feeds.example/all.zip"),
            (
                "https://feeds.example/kev.json?api_key=abc&format=json",
                "https://feeds.example/kev.json?api_key=***&format=json",
            ),
            ("https://feeds.example/a.zip?X-Amz-Signature=zz", "https://feeds.example/a.zip?X-Amz-Signature=***"),
            ("not a url?token=abc", "not a url…"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }
}
