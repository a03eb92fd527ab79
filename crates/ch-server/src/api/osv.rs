//! The OSV-compatible API (`/v1/query`, `/v1/querybatch`, `/v1/vulns/{id}`), so existing
//! OSV clients (osv-scanner, Renovate, pip-audit, ...) can point at a clearinghouse.
//!
//! Shapes follow the public API at api.osv.dev: requests and responses are the same JSON,
//! an empty answer is `{}`, `querybatch` answers ids and `modified` only with a page token
//! per query, and errors are gRPC-gateway bodies `{"code": 3, "message": "..."}` (3 =
//! INVALID_ARGUMENT with HTTP 400, 5 = NOT_FOUND with HTTP 404). Answers come from the
//! in-memory index: no SQL per request.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ch_advisory::Advisory;
use ch_policy::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::Path;

/// Vulnerabilities per page of `/v1/query`, and per query of `/v1/querybatch`.
pub const PAGE_SIZE: usize = 1_000;
/// Most queries in one batch (as api.osv.dev).
pub const MAX_BATCH: usize = 1_000;

/// An OSV API error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct OsvErrorBody {
    /// gRPC status code: 3 invalid argument, 5 not found, 7 permission denied, 16 unauthenticated.
    pub code: i32,
    /// What was wrong.
    pub message: String,
}

/// An OSV API error.
#[derive(Debug)]
pub struct OsvError {
    status: StatusCode,
    code: i32,
    message: String,
}

impl OsvError {
    fn invalid(message: impl Into<String>) -> Self {
        OsvError { status: StatusCode::BAD_REQUEST, code: 3, message: message.into() }
    }
}

impl IntoResponse for OsvError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(OsvErrorBody { code: self.code, message: self.message })).into_response()
    }
}

impl From<crate::error::ApiError> for OsvError {
    fn from(e: crate::error::ApiError) -> Self {
        let code = match e.status {
            StatusCode::UNAUTHORIZED => 16,
            StatusCode::FORBIDDEN => 7,
            StatusCode::NOT_FOUND => 5,
            StatusCode::BAD_REQUEST => 3,
            _ => 13,
        };
        OsvError { status: e.status, code, message: e.message }
    }
}

/// A package in a query.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OsvPackage {
    /// Package name.
    #[serde(default)]
    pub name: Option<String>,
    /// OSV ecosystem.
    #[serde(default)]
    pub ecosystem: Option<String>,
    /// Package URL (then `name` and `ecosystem` must be absent).
    #[serde(default)]
    pub purl: Option<String>,
}

/// One query.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OsvQuery {
    /// A commit hash (instead of a version).
    #[serde(default)]
    pub commit: Option<String>,
    /// The version.
    #[serde(default)]
    pub version: Option<String>,
    /// The package.
    #[serde(default)]
    pub package: Option<OsvPackage>,
    /// From a previous answer's `next_page_token`.
    #[serde(default)]
    pub page_token: Option<String>,
}

/// A batch of queries.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OsvBatch {
    /// The queries (at most 1,000).
    pub queries: Vec<OsvQuery>,
}

/// `/v1/query` answer: full OSV records. Empty answers are `{}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OsvVulns {
    /// OSV records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub vulns: Vec<serde_json::Value>,
    /// Present when there are more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// An id and `modified`, as `querybatch` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct OsvIdModified {
    /// Advisory id.
    pub id: String,
    /// RFC 3339.
    pub modified: String,
}

/// One query's answer in a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct OsvBatchResult {
    /// Ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vulns: Vec<OsvIdModified>,
    /// Present when there are more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `/v1/querybatch` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct OsvBatchResults {
    /// One per query, in order.
    pub results: Vec<OsvBatchResult>,
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, OsvError> {
    serde_json::from_slice(body).map_err(|e| OsvError::invalid(format!("Invalid JSON body: {e}")))
}

fn check(state: &AppState, caller: &Caller) -> Result<(), OsvError> {
    state.check(caller.actor.as_ref(), Action::Read, &state.knowledge_resource())?;
    Ok(())
}

fn page_start(token: Option<&str>) -> Result<usize, OsvError> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t
            .strip_prefix("o")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| OsvError::invalid("Invalid page token.")),
    }
}

/// Runs one query against the index: the matching advisories, by id. Package and purl
/// queries take the index's lean path (records only, no remedies: the OSV API answers
/// records).
fn run_query(state: &AppState, q: &OsvQuery) -> Result<Vec<Arc<Advisory>>, OsvError> {
    let index = state.knowledge.index();
    let lean = |found: Vec<&Arc<Advisory>>| found.into_iter().cloned().collect::<Vec<Arc<Advisory>>>();
    let mut out: Vec<Arc<Advisory>> = match (&q.commit, &q.package) {
        (Some(_), _) if q.version.is_some() => {
            return Err(OsvError::invalid("Invalid query: commit and version are mutually exclusive."));
        }
        (Some(commit), _) => index.query_commit(commit.trim()).into_iter().map(|h| h.advisory).collect(),
        (None, Some(p)) => match (&p.purl, &p.name, &p.ecosystem) {
            (Some(_), _, Some(_)) => return Err(OsvError::invalid("Ecosystem specified in a purl query")),
            (Some(_), Some(_), None) => return Err(OsvError::invalid("Name specified in a purl query")),
            (Some(purl), None, None) => {
                let purl = match &q.version {
                    Some(v) => {
                        if purl.contains('@') {
                            return Err(OsvError::invalid("Version specified in params and PURL query"));
                        }
                        format!("{purl}@{v}")
                    }
                    None => purl.clone(),
                };
                lean(index.affected_purl(&purl).map_err(|e| OsvError::invalid(format!("Invalid PURL. {e}")))?)
            }
            (None, Some(name), Some(eco)) => lean(
                index
                    .affected(eco, name, q.version.as_deref())
                    .map_err(|e| OsvError::invalid(format!("Invalid query. {e}")))?,
            ),
            (None, _, _) => {
                return Err(OsvError::invalid("Invalid query: a package needs a name and an ecosystem, or a purl."));
            }
        },
        (None, None) => {
            return Err(OsvError::invalid("Invalid query: give a package and version, a purl or a commit."));
        }
    };
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// [`run_query`] for every query of a batch, in query order, split over the cores.
fn run_queries(state: &AppState, queries: &[OsvQuery]) -> Vec<Result<Vec<Arc<Advisory>>, OsvError>> {
    use rayon::prelude::*;
    queries.par_iter().map(|q| run_query(state, q)).collect()
}

fn page<T>(all: Vec<T>, start: usize) -> (Vec<T>, Option<String>) {
    let total = all.len();
    let end = start.saturating_add(PAGE_SIZE).min(total);
    let next = (end < total).then(|| format!("o{end}"));
    (all.into_iter().skip(start).take(PAGE_SIZE).collect(), next)
}

/// Vulnerabilities affecting a package version, a purl, or a commit (as api.osv.dev).
#[utoipa::path(post, path = "/v1/query", tag = "osv", request_body = OsvQuery,
    responses((status = 200, body = OsvVulns), (status = 400, body = OsvErrorBody)))]
pub(super) async fn query(State(state): State<AppState>, caller: Caller, body: Bytes) -> Result<Response, OsvError> {
    check(&state, &caller)?;
    let q: OsvQuery = parse_body(&body)?;
    let start = page_start(q.page_token.as_deref())?;
    let found = run_query(&state, &q)?;
    let (vulns, next_page_token) = page(found, start);
    let vulns = vulns.iter().map(|a| a.osv_json()).collect();
    Ok(axum::Json(OsvVulns { vulns, next_page_token }).into_response())
}

/// Many queries at once; answers ids and `modified` only (as api.osv.dev).
#[utoipa::path(post, path = "/v1/querybatch", tag = "osv", request_body = OsvBatch,
    responses((status = 200, body = OsvBatchResults), (status = 400, body = OsvErrorBody)))]
pub(super) async fn querybatch(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, OsvError> {
    check(&state, &caller)?;
    let batch: OsvBatch = parse_body(&body)?;
    if batch.queries.len() > MAX_BATCH {
        return Err(OsvError::invalid(format!("Too many queries: at most {MAX_BATCH} per batch.")));
    }
    let starts: Vec<usize> =
        batch.queries.iter().map(|q| page_start(q.page_token.as_deref())).collect::<Result<_, _>>()?;
    // The lookups run off the async workers, split over the cores.
    let worker_state = state.clone();
    let queries = batch.queries;
    let answers = tokio::task::spawn_blocking(move || run_queries(&worker_state, &queries))
        .await
        .map_err(|e| OsvError { status: StatusCode::INTERNAL_SERVER_ERROR, code: 13, message: format!("{e}") })?;
    let mut results = Vec::with_capacity(answers.len());
    for (found, start) in answers.into_iter().zip(starts) {
        let (vulns, next_page_token) = page(found?, start);
        let vulns =
            vulns.iter().map(|a| OsvIdModified { id: a.id.clone(), modified: a.osv.modified.clone() }).collect();
        results.push(OsvBatchResult { vulns, next_page_token });
    }
    Ok(axum::Json(OsvBatchResults { results }).into_response())
}

/// One advisory by id, or by any of its aliases.
#[utoipa::path(get, path = "/v1/vulns/{id}", tag = "osv", params(("id" = String, Path, description = "advisory id or alias")),
    responses((status = 200, body = Object), (status = 404, body = OsvErrorBody)))]
pub(super) async fn vuln(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, OsvError> {
    check(&state, &caller)?;
    let index = state.knowledge.index();
    let found = index.get(&id);
    let Some(a) = found.first() else {
        return Err(OsvError { status: StatusCode::NOT_FOUND, code: 5, message: "Bug not found.".into() });
    };
    Ok(axum::Json(a.osv_json()).into_response())
}
