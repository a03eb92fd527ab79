//! Advisory pages: search and read advisories with the KEV flag, severity and fixed
//! versions in plain sight. Open to anyone when the knowledge base is public, otherwise to
//! signed-in people (the same policy decision as the API).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use ch_policy::Action;

use super::{Nav, PageError, PageResult, signed};
use crate::AppState;
use crate::api::advisories::{AdvisoryDetailView, AdvisoryQuery, AdvisorySummaryView, detail, search};
use crate::auth::Caller;
use crate::error::{Path, Query};

/// The layout for a page anyone may see when the policy allows: signed in, or not.
async fn open_nav(state: &AppState, caller: Caller, action: Action, path: &str) -> PageResult<Nav> {
    if caller.session.is_some() {
        let s = signed(state, caller, "advisories", path).await?;
        s.check(state, action, &state.knowledge_resource())?;
        return Ok(s.nav);
    }
    match state.check(None, action, &state.knowledge_resource()) {
        Ok(()) => Ok(Nav { section: "advisories", ..Nav::default() }),
        Err(_) => Err(PageError::Login(path.to_string())),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "advisories.html")]
struct AdvisoriesPage {
    nav: Nav,
    q: String,
    ecosystem: String,
    severity: String,
    kev_only: bool,
    total: usize,
    indexed: usize,
    advisories: Vec<AdvisorySummaryView>,
    next_offset: Option<usize>,
    prev_offset: Option<usize>,
    query_string: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "advisory.html")]
struct AdvisoryPage {
    nav: Nav,
    d: AdvisoryDetailView,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) async fn list(State(state): State<AppState>, caller: Caller, Query(q): Query<AdvisoryQuery>) -> PageResult {
    let nav = open_nav(&state, caller, Action::List, "/advisories").await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let offset = q.offset.unwrap_or(0);
    let (total, advisories) =
        search(&state.knowledge, &AdvisoryQuery { limit: Some(limit), offset: Some(offset), ..clone_query(&q) })?;
    let indexed = state.knowledge.index().len();
    let query_string = [
        ("q", q.q.clone()),
        ("ecosystem", q.ecosystem.clone()),
        ("severity", q.severity.clone()),
        ("known_exploited", q.known_exploited.map(|b| b.to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| format!("{k}={}", enc(&v))))
    .collect::<Vec<_>>()
    .join("&");
    Ok(AdvisoriesPage {
        nav,
        q: q.q.clone().unwrap_or_default(),
        ecosystem: q.ecosystem.clone().unwrap_or_default(),
        severity: q.severity.clone().unwrap_or_default(),
        kev_only: q.known_exploited == Some(true),
        total,
        indexed,
        advisories,
        next_offset: (offset + limit < total).then_some(offset + limit),
        prev_offset: (offset > 0).then(|| offset.saturating_sub(limit)),
        query_string,
    }
    .into_response())
}

fn clone_query(q: &AdvisoryQuery) -> AdvisoryQuery {
    AdvisoryQuery {
        q: q.q.clone(),
        ecosystem: q.ecosystem.clone(),
        package: q.package.clone(),
        vendor: q.vendor.clone(),
        product: q.product.clone(),
        severity: q.severity.clone(),
        known_exploited: q.known_exploited,
        modified_since: q.modified_since.clone(),
        withdrawn: q.withdrawn,
        limit: q.limit,
        offset: q.offset,
    }
}

pub(super) async fn one(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> PageResult {
    let nav = open_nav(&state, caller, Action::Read, &format!("/advisories/{}", enc(&id))).await?;
    let index = state.knowledge.index();
    let Some(d) = detail(&index, &id) else {
        return Err(PageError::Message(StatusCode::NOT_FOUND, format!("No advisory has the id or alias {id}.")));
    };
    drop(index);
    Ok(AdvisoryPage { nav, d }.into_response())
}
