//! Our own knowledge-base API: advisory search and detail (one flaw, all its ids, KEV,
//! scores, affected packages with fixed versions, products), the knowledge base's status,
//! and sync. Reads come from the in-memory index; writes (sources, sync) are analysts'.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::State;
use ch_advisory::{Advisory, Exploited};
use ch_policy::{Action, Resource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::time;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};

/// Search filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryQuery {
    /// An id or alias (exact), or words to find in ids and summaries.
    pub q: Option<String>,
    /// OSV ecosystem (`PyPI`, `crates.io`, `AlmaLinux:9`; a bare name covers its releases).
    pub ecosystem: Option<String>,
    /// Package name (with `ecosystem`, exact after normalisation; alone, a substring).
    pub package: Option<String>,
    /// Product vendor (CPE vendor or as written).
    pub vendor: Option<String>,
    /// Product name.
    pub product: Option<String>,
    /// Lowest severity: `low`, `medium`, `high`, `critical`.
    pub severity: Option<String>,
    /// Only known-exploited flaws (`true`), or only others (`false`).
    pub known_exploited: Option<bool>,
    /// Only records modified at or after this RFC 3339 time.
    pub modified_since: Option<String>,
    /// Include withdrawn records (default false).
    pub withdrawn: Option<bool>,
    /// Page size (default 50, at most 500).
    pub limit: Option<usize>,
    /// Records to skip.
    pub offset: Option<usize>,
}

/// The KEV marking of a flaw.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KevView {
    /// `CISA KEV` or the record's own source.
    pub source: String,
    /// Date added to the catalogue.
    pub date_added: Option<String>,
    /// Due date for federal agencies.
    pub due_date: Option<String>,
    /// What to do.
    pub required_action: Option<String>,
    /// Known use in ransomware campaigns.
    pub known_ransomware_campaign_use: Option<bool>,
    /// CISA's name of the flaw.
    pub vulnerability_name: Option<String>,
}

impl From<&Exploited> for KevView {
    fn from(e: &Exploited) -> Self {
        KevView {
            source: e.source.clone(),
            date_added: e.date_added.map(|d| d.to_string()),
            due_date: e.due_date.map(|d| d.to_string()),
            required_action: e.required_action.clone(),
            known_ransomware_campaign_use: e.known_ransomware_campaign_use,
            vulnerability_name: e.vulnerability_name.clone(),
        }
    }
}

/// A score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreView {
    /// `CVSS_V3`, `CVSS_V4`, ... or `text`.
    pub kind: String,
    /// Vector or word.
    pub vector: String,
    /// Base score.
    pub score: Option<f64>,
    /// `low` .. `critical`.
    pub severity: Option<String>,
    /// Where it came from.
    pub origin: String,
}

/// One advisory in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdvisorySummaryView {
    /// Advisory id.
    pub id: String,
    /// `osv`, `nvd` or `cve5`.
    pub origin: String,
    /// Every id of the flaw (aliases merged across records), sorted.
    pub ids: Vec<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Highest severity of the flaw.
    pub severity: Option<String>,
    /// Its score.
    pub score: Option<f64>,
    /// Known exploited (CISA KEV, or the source says so).
    pub known_exploited: bool,
    /// The KEV marking.
    pub kev: Option<KevView>,
    /// `ecosystem/name` of affected packages.
    pub packages: Vec<String>,
    /// `vendor product` of affected products.
    pub products: Vec<String>,
    /// Versions that fix it.
    pub fixed: Vec<String>,
    /// RFC 3339.
    pub modified: String,
    /// RFC 3339.
    pub published: Option<String>,
    /// RFC 3339, when withdrawn.
    pub withdrawn: Option<String>,
}

/// A page of advisories.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryPage {
    /// Matches in all.
    pub total: usize,
    /// This page.
    pub advisories: Vec<AdvisorySummaryView>,
}

/// An affected package.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AffectedPackageView {
    /// Ecosystem.
    pub ecosystem: String,
    /// Name as written.
    pub name: String,
    /// purl.
    pub purl: Option<String>,
    /// Ranges in words (`>= 1.0, < 1.2.3`).
    pub ranges: Vec<String>,
    /// Listed versions (first 50).
    pub versions: Vec<String>,
    /// Versions that fix it.
    pub fixed: Vec<String>,
}

/// An affected product and which of its versions are vulnerable.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AffectedProductView {
    /// `vendor product`.
    pub name: String,
    /// Vulnerable versions in words (`>= 7.2.0, < 7.2.7`; `7.0.1`; `all versions`).
    pub versions: Vec<String>,
}

/// One flaw with everything known about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryDetailView {
    /// The record asked for.
    pub advisory: AdvisorySummaryView,
    /// Details (Markdown as the source wrote it).
    pub details: Option<String>,
    /// Every score of the record.
    pub scores: Vec<ScoreView>,
    /// CWE ids.
    pub cwes: Vec<String>,
    /// Affected packages.
    pub affected: Vec<AffectedPackageView>,
    /// Affected products with their vulnerable versions in words.
    pub products: Vec<AffectedProductView>,
    /// Reference URLs.
    pub references: Vec<String>,
    /// The other records of the same flaw (`id (origin)`).
    pub related_records: Vec<String>,
    /// The OSV record.
    #[schema(value_type = Object)]
    pub osv: serde_json::Value,
}

/// The knowledge base's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct KnowledgeStatusView {
    /// Advisory records stored.
    pub advisories: i64,
    /// Withdrawn records.
    pub withdrawn: i64,
    /// KEV entries.
    pub kev: i64,
    /// Newest `modified`.
    pub last_modified: Option<String>,
    /// Change number stored.
    pub seq: i64,
    /// Change number this process's index reflects.
    pub index_seq: i64,
    /// Records in this process's index.
    pub indexed: usize,
    /// Configured sources.
    #[schema(value_type = Vec<Object>)]
    pub sources: Vec<ch_store::knowledge::AdvisorySource>,
    /// Latest import runs.
    #[schema(value_type = Vec<Object>)]
    pub imports: Vec<ch_store::knowledge::ImportRun>,
}

/// Adds or changes a source.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutSource {
    /// Unique name.
    pub name: String,
    /// `http://` or `https://` URL of an OSV export, CVE feed or the KEV JSON.
    pub url: String,
}

/// A queued job.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedView {
    /// Job id: follow it at `/api/v1/jobs/{id}` (progress included).
    pub job_id: String,
}

fn severity_rank(word: &str) -> Option<u8> {
    match word.to_ascii_lowercase().as_str() {
        "none" => Some(0),
        "low" => Some(1),
        "medium" | "moderate" => Some(2),
        "high" => Some(3),
        "critical" => Some(4),
        _ => None,
    }
}

/// Builds the list view of a record (with its flaw's merged ids, severity and KEV).
pub fn summary_view(index: &ch_match::Index, a: &Advisory) -> AdvisorySummaryView {
    let flaw = index.flaw(&a.id);
    let ids = flaw.as_ref().map(|f| f.ids.clone()).unwrap_or_else(|| a.ids().map(str::to_owned).collect());
    let top = flaw.as_ref().and_then(|f| f.max_severity.clone()).or_else(|| a.max_severity().cloned());
    let exploited = flaw.as_ref().and_then(|f| f.exploited.clone()).or_else(|| a.exploited.clone());
    let mut packages: BTreeSet<String> = BTreeSet::new();
    let mut fixed: BTreeSet<String> = BTreeSet::new();
    for p in &a.packages {
        packages.insert(format!("{}/{}", p.ecosystem, p.name));
        fixed.extend(p.fixed_versions().into_iter().map(str::to_owned));
    }
    // A product's fix is where its vulnerable range ends (NVD `versionEndExcluding`,
    // CVE 5 `lessThan`).
    if let Some(app) = &a.applicability {
        fixed.extend(
            app.cpe_matches().into_iter().filter(|m| m.vulnerable).filter_map(|m| m.version_end_excluding.clone()),
        );
    }
    for p in &a.products {
        fixed.extend(p.versions.iter().filter_map(|v| v.less_than.clone()).filter(|v| v != "*"));
    }
    let products = product_names(a);
    AdvisorySummaryView {
        id: a.id.clone(),
        origin: ch_match::Origin::of(a.source).as_str().to_owned(),
        ids,
        summary: a
            .summary
            .clone()
            .or_else(|| a.details.as_ref().map(|d| d.lines().next().unwrap_or_default().chars().take(200).collect())),
        severity: top.as_ref().and_then(|s| s.severity).map(|s| s.as_str().to_ascii_lowercase()),
        score: top.as_ref().and_then(|s| s.value),
        known_exploited: exploited.is_some(),
        kev: exploited.as_ref().map(KevView::from),
        packages: packages.into_iter().take(50).collect(),
        products: products.into_iter().take(50).collect(),
        fixed: fixed.into_iter().take(50).collect(),
        modified: a.modified.to_string(),
        published: a.published.map(|t| t.to_string()),
        withdrawn: a.withdrawn.map(|t| t.to_string()),
    }
}

/// `vendor product` of every product a record affects (CVE 5 products, vulnerable CPE
/// criteria).
fn product_names(a: &Advisory) -> BTreeSet<String> {
    let mut products: BTreeSet<String> = BTreeSet::new();
    for p in &a.products {
        if let (Some(v), Some(pr)) = (&p.vendor, &p.product) {
            products.insert(format!("{v} {pr}"));
        }
    }
    if let Some(app) = &a.applicability {
        for m in app.cpe_matches().into_iter().filter(|m| m.vulnerable) {
            if let Some((v, p)) = m.criteria.vendor_product() {
                products.insert(format!("{v} {p}"));
            }
        }
    }
    products
}

/// Filters the knowledge base (shared by the API and the pages). Filters run over the
/// ranked listing (`Knowledge::ranked`, built once per change); only the page returned
/// is turned into views, the one step that walks each record's flaw.
pub fn search(kb: &ch_knowledge::Knowledge, q: &AdvisoryQuery) -> Result<(usize, Vec<AdvisorySummaryView>), ApiError> {
    let min_rank = match q.severity.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(severity_rank(s).ok_or_else(|| {
            ApiError::invalid(format!("severity: expected low, medium, high or critical, found {s:?}"))
        })?),
        None => None,
    };
    let since =
        match q.modified_since.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(s.parse::<jiff::Timestamp>().map_err(|e| {
                ApiError::invalid(format!("modified_since: expected an RFC 3339 time, found {s:?}: {e}"))
            })?),
            None => None,
        };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let offset = q.offset.unwrap_or(0);
    let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let ranked = kb.ranked();

    // An exact id or alias, or a package lookup (names normalised as stored), narrows
    // the candidates to a set of records.
    let narrowed: Option<std::collections::HashSet<*const Advisory>> = {
        let index = kb.index();
        if let Some(t) = text.filter(|t| !t.contains(' ')) {
            let exact: std::collections::HashSet<*const Advisory> = index.get(t).into_iter().map(Arc::as_ptr).collect();
            (!exact.is_empty()).then_some(exact)
        } else if let (Some(eco), Some(pkg)) =
            (q.ecosystem.as_deref().filter(|e| !e.is_empty()), q.package.as_deref().filter(|p| !p.is_empty()))
        {
            let hits = index.query_package(eco, pkg, None).map_err(|e| ApiError::invalid(e.to_string()))?;
            Some(hits.iter().map(|h| Arc::as_ptr(&h.advisory)).collect())
        } else {
            None
        }
    };
    let exact_text = narrowed.is_some() && text.is_some();
    let needle = text.map(str::to_lowercase);
    let vendor = q.vendor.as_deref().filter(|v| !v.is_empty()).map(str::to_lowercase);
    let product = q.product.as_deref().filter(|v| !v.is_empty()).map(|p| p.to_lowercase().replace(' ', "_"));
    let mut matched: Vec<&ch_knowledge::Ranked> = Vec::new();
    for r in ranked.iter() {
        let a = &r.advisory;
        if narrowed.as_ref().is_some_and(|set| !set.contains(&Arc::as_ptr(a))) {
            continue;
        }
        if a.withdrawn.is_some() && !q.withdrawn.unwrap_or(false) {
            continue;
        }
        if since.is_some_and(|s| a.modified < s) {
            continue;
        }
        if q.known_exploited.is_some_and(|k| r.known_exploited != k) {
            continue;
        }
        if let Some(min) = min_rank
            && r.severity.as_deref().and_then(severity_rank).is_none_or(|x| x < min)
        {
            continue;
        }
        if let Some(eco) = q.ecosystem.as_deref().filter(|e| !e.is_empty()) {
            let base = |e: &str| e.split(':').next().unwrap_or(e).to_owned();
            let hit =
                a.packages.iter().any(|p| p.ecosystem == eco || (!eco.contains(':') && base(&p.ecosystem) == eco));
            if !hit {
                continue;
            }
        }
        if narrowed.is_none()
            && let Some(pkg) = q.package.as_deref().filter(|p| !p.is_empty())
        {
            let pkg = pkg.to_lowercase();
            if !a.packages.iter().any(|p| p.name.to_lowercase().contains(&pkg)) {
                continue;
            }
        }
        if !exact_text
            && let Some(n) = &needle
            && !n.split_whitespace().all(|word| r.haystack.contains(word))
        {
            continue;
        }
        if vendor.is_some() || product.is_some() {
            let names = product_names(a);
            if vendor.as_ref().is_some_and(|v| !names.iter().any(|p| p.to_lowercase().starts_with(v.as_str()))) {
                continue;
            }
            if product
                .as_ref()
                .is_some_and(|pr| !names.iter().any(|p| p.to_lowercase().replace(' ', "_").contains(pr.as_str())))
            {
                continue;
            }
        }
        matched.push(r);
    }
    let total = matched.len();
    let index = kb.index();
    let page = matched.into_iter().skip(offset).take(limit).map(|r| summary_view(&index, &r.advisory)).collect();
    Ok((total, page))
}

/// Everything about one record and its flaw.
pub fn detail(index: &ch_match::Index, id: &str) -> Option<AdvisoryDetailView> {
    let found = index.get(id);
    let a = found.first()?;
    let view = summary_view(index, a);
    let related_records = index
        .flaw(&a.id)
        .map(|f| {
            f.ids
                .iter()
                .flat_map(|i| index.get(i).into_iter().filter(|r| r.id == *i).cloned().collect::<Vec<_>>())
                .filter(|r| !(r.id == a.id && r.source == a.source))
                .map(|r| format!("{} ({})", r.id, ch_match::Origin::of(r.source).as_str()))
                .collect()
        })
        .unwrap_or_default();
    let affected = a
        .packages
        .iter()
        .map(|p| AffectedPackageView {
            ecosystem: p.ecosystem.clone(),
            name: p.name.clone(),
            purl: p.purl.clone(),
            ranges: p.ranges.iter().map(range_words).collect(),
            versions: p.versions.iter().take(50).cloned().collect(),
            fixed: p.fixed_versions().into_iter().map(str::to_owned).collect(),
        })
        .collect();
    Some(AdvisoryDetailView {
        products: product_versions(a),
        advisory: view,
        details: a.details.clone(),
        scores: a
            .severities
            .iter()
            .map(|s| ScoreView {
                kind: format!("{:?}", s.kind),
                vector: s.vector.clone(),
                score: s.value,
                severity: s.severity.map(|x| x.as_str().to_ascii_lowercase()),
                origin: s.origin.clone(),
            })
            .collect(),
        cwes: a.cwes.clone(),
        affected,
        references: a.references.iter().map(|r| r.url.clone()).collect(),
        related_records,
        osv: a.osv_json(),
    })
}

/// Products with their vulnerable versions, from the NVD criteria (bounds, or the
/// criterion's own version) and CVE 5 `affected` entries.
fn product_versions(a: &Advisory) -> Vec<AffectedProductView> {
    let mut by: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    if let Some(app) = &a.applicability {
        for m in app.cpe_matches().into_iter().filter(|m| m.vulnerable) {
            let Some((v, p)) = m.criteria.vendor_product() else { continue };
            let mut parts: Vec<String> = Vec::new();
            if let Some(x) = &m.version_start_including {
                parts.push(format!(">= {x}"));
            }
            if let Some(x) = &m.version_start_excluding {
                parts.push(format!("> {x}"));
            }
            if let Some(x) = &m.version_end_excluding {
                parts.push(format!("< {x}"));
            }
            if let Some(x) = &m.version_end_including {
                parts.push(format!("<= {x}"));
            }
            let words = if parts.is_empty() {
                match m.criteria.version().filter(|x| x != "*" && x != "-") {
                    Some(x) => x,
                    None => "all versions".to_owned(),
                }
            } else {
                parts.join(", ")
            };
            let list = by.entry(format!("{v} {p}")).or_default();
            if !list.contains(&words) {
                list.push(words);
            }
        }
    }
    for p in &a.products {
        let (Some(v), Some(pr)) = (&p.vendor, &p.product) else { continue };
        let list = by.entry(format!("{v} {pr}")).or_default();
        for ver in p.versions.iter().filter(|x| x.status == ch_advisory::Status::Affected) {
            let words = match (&ver.less_than, &ver.less_than_or_equal) {
                (Some(lt), _) if lt != "*" => format!(">= {}, < {lt}", ver.version),
                (_, Some(le)) => format!(">= {}, <= {le}", ver.version),
                _ => ver.version.clone(),
            };
            if !list.contains(&words) {
                list.push(words);
            }
        }
    }
    by.into_iter()
        .map(|(name, mut versions)| {
            let more = versions.len().saturating_sub(20);
            versions.truncate(20);
            if more > 0 {
                versions.push(format!("and {more} more"));
            }
            AffectedProductView { name, versions }
        })
        .collect()
}

/// A range in words: `introduced 0, fixed 1.2.3` as `< 1.2.3`.
pub fn range_words(r: &ch_advisory::osv::Range) -> String {
    use ch_version::Event;
    let mut parts: Vec<String> = Vec::new();
    let mut open: Option<String> = None;
    for e in &r.events {
        match e {
            Event::Introduced(v) => open = Some(if v == "0" { String::new() } else { format!(">= {v}") }),
            Event::Fixed(v) => {
                parts.push(join(open.take(), format!("< {v}")));
            }
            Event::LastAffected(v) => parts.push(join(open.take(), format!("<= {v}"))),
            Event::Limit(v) => parts.push(join(open.take(), format!("< {v} (limit)"))),
            other => parts.push(other.value().to_owned()),
        }
    }
    if let Some(o) = open {
        parts.push(if o.is_empty() { "all versions".into() } else { o });
    }
    parts.join("; ")
}

fn join(open: Option<String>, close: String) -> String {
    match open {
        Some(o) if !o.is_empty() => format!("{o}, {close}"),
        _ => close,
    }
}

/// Searches advisories: ids and aliases, packages, products, severity, known exploited.
#[utoipa::path(get, path = "/api/v1/advisories", tag = "knowledge", params(AdvisoryQuery),
    responses((status = 200, body = AdvisoryPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security((), ("bearer" = []), ("session" = [])))]
pub(super) async fn list_advisories(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AdvisoryQuery>,
) -> Result<Json<AdvisoryPage>, ApiError> {
    state.check(caller.actor.as_ref(), Action::List, &state.knowledge_resource())?;
    let (total, advisories) = search(&state.knowledge, &q)?;
    Ok(Json(AdvisoryPage { total, advisories }))
}

/// One advisory (by id or alias) with its flaw: all ids, KEV, scores, fixed versions.
#[utoipa::path(get, path = "/api/v1/advisories/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "advisory id or alias")),
    responses((status = 200, body = AdvisoryDetailView), (status = 404, body = ErrorBody)),
    security((), ("bearer" = []), ("session" = [])))]
pub(super) async fn get_advisory(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AdvisoryDetailView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Read, &state.knowledge_resource())?;
    let index = state.knowledge.index();
    detail(&index, &id).map(Json).ok_or_else(|| ApiError::not_found("advisory"))
}

/// The knowledge base: counts, sources and their last sync, latest imports (analysts).
#[utoipa::path(get, path = "/api/v1/knowledge", tag = "knowledge",
    responses((status = 200, body = KnowledgeStatusView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn knowledge_status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<KnowledgeStatusView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Read, &Resource::KnowledgeSources)?;
    let mut c = state.store.conn().await?;
    let counts = ch_store::knowledge::counts(&mut c).await?;
    let mut sources = ch_store::knowledge::list_sources(&mut c).await?;
    for s in &mut sources {
        s.url = ch_knowledge::sync::redact_url(&s.url);
    }
    let imports = ch_store::knowledge::list_import_runs(&mut c, 20).await?;
    drop(c);
    Ok(Json(KnowledgeStatusView {
        advisories: counts.advisories,
        withdrawn: counts.withdrawn,
        kev: counts.kev,
        last_modified: counts.last_modified.map(time),
        seq: counts.seq,
        index_seq: state.knowledge.seen_seq(),
        indexed: state.knowledge.index().len(),
        sources,
        imports,
    }))
}

/// Adds or changes an advisory source (analysts).
#[utoipa::path(post, path = "/api/v1/knowledge/sources", tag = "knowledge", request_body = PutSource,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn put_source(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PutSource>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Create, &Resource::KnowledgeSources)?;
    let name = body.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ApiError::invalid("name: expected 1 to 100 characters"));
    }
    if !(body.url.starts_with("http://") || body.url.starts_with("https://")) {
        return Err(ApiError::invalid(format!("url: expected http:// or https://, found {:?}", body.url)));
    }
    let now = state.now();
    let mut tx = state.store.begin().await?;
    ch_store::knowledge::put_source(&mut tx, name, &body.url, now).await?;
    ch_store::audit::record(
        &mut tx,
        &caller.who(),
        now,
        "knowledge.source.put",
        "advisory_source",
        name,
        serde_json::json!({"url": ch_knowledge::sync::redact_url(&body.url)}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({"name": name, "url": ch_knowledge::sync::redact_url(&body.url)})))
}

/// Syncs every source now, as a background job (analysts).
#[utoipa::path(post, path = "/api/v1/knowledge/sync", tag = "knowledge",
    responses((status = 202, body = QueuedView), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn sync_now(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(axum::http::StatusCode, Json<QueuedView>), ApiError> {
    state.check(caller.actor.as_ref(), Action::Create, &Resource::KnowledgeSources)?;
    let now = state.now();
    let mut tx = state.store.begin().await?;
    let id = ch_store::jobs::enqueue(
        &mut tx,
        &ch_store::jobs::NewJob::new(crate::SYNC_JOB, serde_json::json!({}), now),
        now,
    )
    .await?;
    ch_store::audit::record(
        &mut tx,
        &caller.who(),
        now,
        "knowledge.sync",
        "job",
        &id.as_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(QueuedView { job_id: id.as_string() })))
}
