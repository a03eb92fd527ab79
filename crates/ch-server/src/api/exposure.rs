//! Exposure monitoring's API: assets and their inventories, findings (ranked, with the one
//! action each needs; accept and reopen), the dashboard summary and exports (CSV, PDF),
//! VEX statements (record, import, export), notifications and their settings.
//!
//! Everything here is one organisation's need-to-know data: every handler asks the policy
//! for `Resource::Exposure(org)` of the object's own organisation (so another
//! organisation's id is refused, and an id that does not exist is a 404), and every read
//! and write is in the audit log.

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ch_domain::{Actor, OrgId};
use ch_exposure::notify::FindingView;
use ch_exposure::{Criticality, Error as ExError};
use ch_policy::{Action, Resource};
use ch_store::exposure::{self as db, AssetRow, FindingFilter, FindingRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::time;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};

/// Largest inventory upload, bytes (SBOMs of big images run to tens of megabytes).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

impl From<ExError> for ApiError {
    fn from(e: ExError) -> Self {
        match e {
            ExError::Store(s) => s.into(),
            ExError::Inventory(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_inventory", m),
            ExError::Vex(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_vex", m),
            ExError::Invalid(m) => ApiError::invalid(m),
            ExError::NotFound(what) => ApiError::not_found(what),
            other => ApiError::internal(&other),
        }
    }
}

pub(crate) fn org_of(s: &str) -> Result<OrgId, ApiError> {
    s.parse().map_err(|_| ApiError::internal(&"stored organisation id is not a uuid"))
}

/// The caller's organisation, checked for `action` on its exposure data.
fn own(state: &AppState, caller: &Caller, action: Action) -> Result<Actor, ApiError> {
    let actor = caller.require()?.clone();
    state.check(Some(&actor), action, &Resource::Exposure(actor.org_id))?;
    Ok(actor)
}

pub(crate) async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    let mut tx = state.store.begin().await?;
    ch_store::audit::record(&mut tx, &caller.who(), state.now(), action, object_type, object_id, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Loads an asset and checks `action` on its organisation (404 when missing).
async fn asset_for(state: &AppState, caller: &Caller, id: &str, action: Action) -> Result<AssetRow, ApiError> {
    caller.require()?;
    let mut c = state.store.conn().await?;
    let asset = db::get_asset(&mut c, id).await?.ok_or_else(|| ApiError::not_found("asset"))?;
    state.check(caller.actor.as_ref(), action, &Resource::Exposure(org_of(&asset.org_id)?))?;
    Ok(asset)
}

async fn finding_for(state: &AppState, caller: &Caller, id: &str, action: Action) -> Result<FindingRow, ApiError> {
    caller.require()?;
    let mut c = state.store.conn().await?;
    let f = db::get_finding(&mut c, id).await?.ok_or_else(|| ApiError::not_found("finding"))?;
    state.check(caller.actor.as_ref(), action, &Resource::Exposure(org_of(&f.org_id)?))?;
    Ok(f)
}

/// An asset with its open-findings figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `critical`, `high`, `medium`, `low`.
    pub criticality: String,
    /// Who looks after it.
    pub owner: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The current inventory.
    pub current_inventory: Option<String>,
    /// Open findings.
    pub open: i64,
    /// Open findings to do now (known exploited or critical).
    pub do_now: i64,
    /// Created.
    pub created_at: String,
    /// Last changed.
    pub updated_at: String,
}

async fn asset_view(state: &AppState, a: AssetRow) -> Result<AssetView, ApiError> {
    let mut c = state.store.conn().await?;
    let counts = db::finding_counts(&mut c, &a.org_id, Some(&a.id)).await?;
    Ok(AssetView {
        id: a.id,
        name: a.name,
        criticality: a.criticality,
        owner: a.owner,
        description: a.description,
        current_inventory: a.current_inventory,
        open: counts.open,
        do_now: counts.do_now,
        created_at: time(a.created_at),
        updated_at: time(a.updated_at),
    })
}

/// A new asset, or changes to one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// Name, unique in the organisation (ignored when changing).
    #[serde(default)]
    pub name: Option<String>,
    /// `critical`, `high`, `medium` (default) or `low`.
    #[serde(default)]
    pub criticality: Option<String>,
    /// Who looks after it.
    #[serde(default)]
    pub owner: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

fn criticality(s: Option<&str>, default: Criticality) -> Result<Criticality, ApiError> {
    match s {
        None => Ok(default),
        Some(s) => s.parse().map_err(|e: String| ApiError::invalid(format!("criticality: {e}"))),
    }
}

/// The organisation's assets, by name.
#[utoipa::path(get, path = "/api/v1/assets", tag = "exposure",
    responses((status = 200, body = [AssetView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_assets(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AssetView>>, ApiError> {
    let actor = own(&state, &caller, Action::List)?;
    let rows = {
        let mut c = state.store.conn().await?;
        db::list_assets(&mut c, &actor.org_id.to_string()).await?
    };
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        out.push(asset_view(&state, a).await?);
    }
    audit(&state, &caller, "exposure.assets.list", "organisation", &actor.org_id.to_string(), serde_json::json!({}))
        .await?;
    Ok(Json(out))
}

/// Registers an asset.
#[utoipa::path(post, path = "/api/v1/assets", tag = "exposure", request_body = AssetInput,
    responses((status = 201, body = AssetView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn create_asset(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<AssetInput>,
) -> Result<(StatusCode, Json<AssetView>), ApiError> {
    let actor = own(&state, &caller, Action::Create)?;
    let name = body.name.as_deref().ok_or_else(|| ApiError::invalid("name: required"))?;
    let a = state
        .exposure
        .create_asset(
            &actor.org_id.to_string(),
            name,
            criticality(body.criticality.as_deref(), Criticality::Medium)?,
            body.owner.as_deref(),
            body.description.as_deref(),
        )
        .await?;
    audit(&state, &caller, "exposure.asset.create", "asset", &a.id, serde_json::json!({"name": a.name})).await?;
    Ok((StatusCode::CREATED, Json(asset_view(&state, a).await?)))
}

/// An inventory as listed (without its components).
#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryView {
    /// Id.
    pub id: String,
    /// The format read.
    pub format: String,
    /// The file name given.
    pub file_name: String,
    /// SHA-256 of the upload.
    pub digest: String,
    /// Components read.
    pub components: i64,
    /// Reader warnings.
    pub warnings: Vec<String>,
    /// When.
    pub uploaded_at: String,
    /// Whether it is the asset's current inventory.
    pub current: bool,
}

/// One asset, with its inventory history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetDetail {
    /// The asset.
    #[serde(flatten)]
    pub asset: AssetView,
    /// Inventories, newest first.
    pub inventories: Vec<InventoryView>,
}

/// One asset and its inventory history.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "exposure", params(("id" = String, Path)),
    responses((status = 200, body = AssetDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn get_asset(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AssetDetail>, ApiError> {
    let a = asset_for(&state, &caller, &id, Action::Read).await?;
    let invs = {
        let mut c = state.store.conn().await?;
        db::list_inventories(&mut c, &a.id).await?
    };
    let current = a.current_inventory.clone();
    let inventories = invs
        .into_iter()
        .map(|i| InventoryView {
            current: current.as_deref() == Some(i.id.as_str()),
            id: i.id,
            format: i.format,
            file_name: i.file_name,
            digest: i.digest,
            components: i.components,
            warnings: serde_json::from_str(&i.warnings).unwrap_or_default(),
            uploaded_at: time(i.uploaded_at),
        })
        .collect();
    audit(&state, &caller, "exposure.asset.read", "asset", &a.id, serde_json::json!({})).await?;
    Ok(Json(AssetDetail { asset: asset_view(&state, a).await?, inventories }))
}

/// Changes an asset's criticality, owner or description (findings are re-ranked).
#[utoipa::path(patch, path = "/api/v1/assets/{id}", tag = "exposure", params(("id" = String, Path)),
    request_body = AssetInput,
    responses((status = 200, body = AssetView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn update_asset(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<AssetInput>,
) -> Result<Json<AssetView>, ApiError> {
    let a = asset_for(&state, &caller, &id, Action::Update).await?;
    let current: Criticality = a.criticality.parse().unwrap_or(Criticality::Medium);
    let crit = criticality(body.criticality.as_deref(), current)?;
    let owner = body.owner.as_deref().or(a.owner.as_deref()).map(str::to_owned);
    let description = body.description.as_deref().or(a.description.as_deref()).map(str::to_owned);
    let a = state.exposure.update_asset(&a, crit, owner.as_deref(), description.as_deref()).await?;
    audit(&state, &caller, "exposure.asset.update", "asset", &a.id, serde_json::json!({"criticality": a.criticality}))
        .await?;
    Ok(Json(asset_view(&state, a).await?))
}

/// Upload options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name (helps detection: `Cargo.lock`, `bom.json`, `products.csv`).
    pub file_name: Option<String>,
    /// The format, when detection should not decide (`cyclonedx-json`, `product-csv`, ...).
    pub format: Option<String>,
}

/// Uploads an inventory (the body: any format the readers take) as the asset's current
/// inventory; it is matched at once and the answer says what changed.
#[utoipa::path(post, path = "/api/v1/assets/{id}/inventories", tag = "exposure", params(("id" = String, Path), UploadQuery),
    request_body(content = String, content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn upload_inventory(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let a = asset_for(&state, &caller, &id, Action::Create).await?;
    let bytes = axum::body::to_bytes(body, UPLOAD_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("an inventory may be at most {} MiB", UPLOAD_LIMIT / 1024 / 1024),
        )
    })?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("the request body is empty: send the inventory file as the body"));
    }
    let format = match q.format.as_deref() {
        Some(f) => Some(f.parse::<ch_inventory::Format>().map_err(|e| ApiError::invalid(format!("format: {e}")))?),
        None => None,
    };
    let file_name = q.file_name.unwrap_or_else(|| "inventory".into());
    let who = caller.actor.as_ref().map(|a| a.user_id.to_string());
    let out = state.exposure.upload(&a, &file_name, bytes.to_vec(), format, who.as_deref()).await?;
    audit(
        &state,
        &caller,
        "exposure.inventory.upload",
        "asset",
        &a.id,
        serde_json::json!({"inventory": out.inventory_id, "format": out.format, "components": out.components}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&out).unwrap_or_default())))
}

/// Finding filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    /// Only this asset.
    pub asset: Option<String>,
    /// Only these states, comma separated (`open,accepted`); default `open`; `all` for every state.
    pub state: Option<String>,
    /// Page size (default 100, at most 1,000).
    pub limit: Option<i64>,
    /// Findings to skip.
    pub offset: Option<i64>,
}

const STATES: [&str; 4] = ["open", "accepted", "not_affected", "fixed"];

pub(crate) fn states_of(s: Option<&str>) -> Result<Vec<String>, ApiError> {
    match s.map(str::trim) {
        None | Some("") => Ok(vec!["open".into()]),
        Some("all") => Ok(Vec::new()),
        Some(list) => list
            .split(',')
            .map(|x| {
                let x = x.trim();
                if STATES.contains(&x) {
                    Ok(x.to_owned())
                } else {
                    Err(ApiError::invalid(format!(
                        "state: expected open, accepted, not_affected, fixed or all, found {x:?}"
                    )))
                }
            })
            .collect(),
    }
}

/// A finding as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    /// The finding.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub finding: FindingView,
    /// Why the state is what it is.
    pub state_reason: Option<String>,
    /// For accepted findings: until when.
    pub accepted_until: Option<String>,
    /// A VEX statement's status that applies.
    pub vex_status: Option<String>,
    /// What it says.
    pub vex_note: Option<String>,
    /// First matched.
    pub first_seen: String,
    /// Closed.
    pub closed_at: Option<String>,
}

pub(crate) async fn finding_outs(state: &AppState, rows: &[FindingRow]) -> Result<Vec<FindingOut>, ApiError> {
    let mut names: std::collections::HashMap<String, String> = Default::default();
    let mut c = state.store.conn().await?;
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        if !names.contains_key(&f.asset_id) {
            let n = db::get_asset(&mut c, &f.asset_id).await?.map(|a| a.name).unwrap_or_default();
            names.insert(f.asset_id.clone(), n);
        }
        let asset = names.get(&f.asset_id).cloned().unwrap_or_default();
        out.push(FindingOut {
            finding: FindingView::of(f, &asset),
            state_reason: f.state_reason.clone(),
            accepted_until: f.accepted_until.map(time),
            vex_status: f.vex_status.clone(),
            vex_note: f.vex_note.clone(),
            first_seen: time(f.first_seen),
            closed_at: f.closed_at.map(time),
        });
    }
    Ok(out)
}

/// The organisation's findings, most urgent first.
#[utoipa::path(get, path = "/api/v1/findings", tag = "exposure", params(FindingQuery),
    responses((status = 200, body = [FindingOut]), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_findings(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FindingQuery>,
) -> Result<Json<Vec<FindingOut>>, ApiError> {
    let actor = own(&state, &caller, Action::List)?;
    let filter = FindingFilter {
        asset_id: q.asset.clone(),
        states: states_of(q.state.as_deref())?,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let rows = {
        let mut c = state.store.conn().await?;
        db::list_findings(&mut c, &actor.org_id.to_string(), &filter).await?
    };
    let out = finding_outs(&state, &rows).await?;
    audit(
        &state,
        &caller,
        "exposure.findings.list",
        "organisation",
        &actor.org_id.to_string(),
        serde_json::json!({"count": out.len()}),
    )
    .await?;
    Ok(Json(out))
}

/// One finding.
#[utoipa::path(get, path = "/api/v1/findings/{id}", tag = "exposure", params(("id" = String, Path)),
    responses((status = 200, body = FindingOut), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn get_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<FindingOut>, ApiError> {
    let f = finding_for(&state, &caller, &id, Action::Read).await?;
    audit(&state, &caller, "exposure.finding.read", "finding", &f.id, serde_json::json!({})).await?;
    let mut out = finding_outs(&state, std::slice::from_ref(&f)).await?;
    out.pop().map(Json).ok_or_else(|| ApiError::not_found("finding"))
}

/// Accepting a finding's risk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInput {
    /// Why (kept with the finding and in the audit log).
    pub reason: String,
    /// Until when (RFC 3339); the finding opens again then. Default: 90 days.
    #[serde(default)]
    pub until: Option<String>,
}

/// Accepts an open finding's risk, with a reason and an expiry.
#[utoipa::path(post, path = "/api/v1/findings/{id}/accept", tag = "exposure", params(("id" = String, Path)),
    request_body = AcceptInput,
    responses((status = 200, body = FindingOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn accept_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<AcceptInput>,
) -> Result<Json<FindingOut>, ApiError> {
    let f = finding_for(&state, &caller, &id, Action::Update).await?;
    let until = match body.until.as_deref() {
        Some(u) => u
            .parse::<jiff::Timestamp>()
            .map(|t| t.as_millisecond())
            .map_err(|e| ApiError::invalid(format!("until: expected an RFC 3339 time, found {u:?}: {e}")))?,
        None => state.now() + 90 * 86_400_000,
    };
    let f = state.exposure.accept(&f, &body.reason, Some(until)).await?;
    audit(
        &state,
        &caller,
        "exposure.finding.accept",
        "finding",
        &f.id,
        serde_json::json!({"reason": body.reason, "until": time(until)}),
    )
    .await?;
    let mut out = finding_outs(&state, std::slice::from_ref(&f)).await?;
    out.pop().map(Json).ok_or_else(|| ApiError::not_found("finding"))
}

/// Reopens an accepted finding.
#[utoipa::path(post, path = "/api/v1/findings/{id}/reopen", tag = "exposure", params(("id" = String, Path)),
    responses((status = 200, body = FindingOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn reopen_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<FindingOut>, ApiError> {
    let f = finding_for(&state, &caller, &id, Action::Update).await?;
    let f = state.exposure.reopen(&f).await?;
    audit(&state, &caller, "exposure.finding.reopen", "finding", &f.id, serde_json::json!({})).await?;
    let mut out = finding_outs(&state, std::slice::from_ref(&f)).await?;
    out.pop().map(Json).ok_or_else(|| ApiError::not_found("finding"))
}

/// The dashboard's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// Open findings that need doing now (known exploited or critical).
    pub do_now: i64,
    /// Open findings.
    pub open: i64,
    /// Accepted.
    pub accepted: i64,
    /// Not affected (VEX).
    pub not_affected: i64,
    /// Fixed.
    pub fixed: i64,
    /// Assets.
    pub assets: usize,
    /// Open findings at the end of each of the last 30 days, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub series: Vec<ch_report::SeriesPoint>,
}

pub(crate) async fn summary_of(state: &AppState, org: &str) -> Result<SummaryView, ApiError> {
    let mut c = state.store.conn().await?;
    let counts = db::finding_counts(&mut c, org, None).await?;
    let spans = db::finding_spans(&mut c, org).await?;
    let assets = db::list_assets(&mut c, org).await?.len();
    Ok(SummaryView {
        do_now: counts.do_now,
        open: counts.open,
        accepted: counts.accepted,
        not_affected: counts.not_affected,
        fixed: counts.fixed,
        assets,
        series: series(&spans, state.now(), 30),
    })
}

/// Open findings at the end of each of the last `days` days (UTC), oldest first: a
/// finding counts from its first day until the day it closed.
pub(crate) fn series(spans: &[(i64, Option<i64>, String)], now: i64, days: i64) -> Vec<ch_report::SeriesPoint> {
    const DAY: i64 = 86_400_000;
    let today = now.div_euclid(DAY);
    (0..days)
        .rev()
        .map(|back| {
            let day = today - back;
            let end = (day + 1) * DAY;
            let open = spans
                .iter()
                .filter(|(first, closed, state)| *first < end && closed.is_none_or(|c| c >= end) && state != "accepted")
                .count() as u64;
            let date = jiff::Timestamp::from_millisecond(day * DAY)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default();
            ch_report::SeriesPoint { date, open }
        })
        .collect()
}

/// The dashboard's figures and the open-findings series.
#[utoipa::path(get, path = "/api/v1/exposure/summary", tag = "exposure",
    responses((status = 200, body = SummaryView), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn summary(State(state): State<AppState>, caller: Caller) -> Result<Json<SummaryView>, ApiError> {
    let actor = own(&state, &caller, Action::Read)?;
    let s = summary_of(&state, &actor.org_id.to_string()).await?;
    audit(&state, &caller, "exposure.summary.read", "organisation", &actor.org_id.to_string(), serde_json::json!({}))
        .await?;
    Ok(Json(s))
}

/// The report (every open and accepted finding, ranked) for the board or the auditor.
pub(crate) async fn report_of(state: &AppState, actor: &Actor) -> Result<ch_report::Report, ApiError> {
    let org = actor.org_id.to_string();
    let summary = summary_of(state, &org).await?;
    let rows = {
        let mut c = state.store.conn().await?;
        let f =
            FindingFilter { asset_id: None, states: vec!["open".into(), "accepted".into()], limit: 100_000, offset: 0 };
        db::list_findings(&mut c, &org, &f).await?
    };
    let (org_name, crit) = {
        let mut c = state.store.conn().await?;
        let name = ch_store::identity::get_org(&mut c, actor.org_id).await.map(|o| o.name).unwrap_or_default();
        let crit: std::collections::HashMap<String, (String, String)> =
            db::list_assets(&mut c, &org).await?.into_iter().map(|a| (a.id.clone(), (a.name, a.criticality))).collect();
        (name, crit)
    };
    let spans_30 = {
        let mut c = state.store.conn().await?;
        db::finding_spans(&mut c, &org).await?
    };
    let fixed_30 = spans_30
        .iter()
        .filter(|(_, closed, s)| s == "fixed" && closed.is_some_and(|c| c >= state.now() - 30 * 86_400_000))
        .count() as u64;
    let findings = rows
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (asset, criticality) = crit.get(&f.asset_id).cloned().unwrap_or_default();
            ch_report::FindingRow {
                rank: i as u64 + 1,
                asset,
                criticality,
                component: f.component_name.clone(),
                version: f.component_version.clone(),
                flaw_id: f.flaw_id.clone(),
                aliases: serde_json::from_str::<Vec<String>>(&f.flaw_ids)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|a| *a != f.flaw_id)
                    .collect(),
                severity: f.severity.clone(),
                score: f.score_tenths.map(|t| t as f64 / 10.0),
                known_exploited: f.known_exploited != 0,
                ransomware: f.ransomware != 0,
                state: f.state.clone(),
                action: f.action.clone(),
                fixed_version: f.fixed_version.clone(),
                first_seen: time(f.first_seen).get(..10).unwrap_or_default().to_owned(),
            }
        })
        .collect();
    let generated = jiff::Timestamp::from_millisecond(state.now())
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    Ok(ch_report::Report {
        title: format!("Vulnerability findings: {org_name}"),
        organisation: org_name,
        generated_at: generated,
        summary: ch_report::Summary {
            do_now: summary.do_now.max(0) as u64,
            open: summary.open.max(0) as u64,
            accepted: summary.accepted.max(0) as u64,
            not_affected: summary.not_affected.max(0) as u64,
            fixed_last_30_days: fixed_30,
            assets: summary.assets as u64,
        },
        findings,
        series: summary.series,
    })
}

pub(crate) fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The report's two downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportKind {
    /// One row per open or accepted finding.
    Csv,
    /// Figures, chart and table.
    Pdf,
}

/// The caller's organisation's report as a download, audited (the API and the pages).
pub(crate) async fn report_download(state: &AppState, caller: &Caller, kind: ReportKind) -> Result<Response, ApiError> {
    let actor = own(state, caller, Action::Read)?;
    let report = report_of(state, &actor).await?;
    let rows = report.findings.len();
    let (action, content_type, name, body) = match kind {
        ReportKind::Csv => {
            let csv = ch_report::to_csv(&report).map_err(|e| ApiError::internal(&e))?;
            ("exposure.report.csv", "text/csv; charset=utf-8", "findings.csv", csv.into_bytes())
        }
        ReportKind::Pdf => {
            let pdf = tokio::task::spawn_blocking(move || ch_report::to_pdf(&report))
                .await
                .map_err(|e| ApiError::internal(&e))?
                .map_err(|e| ApiError::internal(&e))?;
            ("exposure.report.pdf", "application/pdf", "findings.pdf", pdf)
        }
    };
    audit(state, caller, action, "organisation", &actor.org_id.to_string(), serde_json::json!({"rows": rows})).await?;
    Ok(download(content_type, name, body))
}

/// The findings report as CSV (one row per open or accepted finding, ranked).
#[utoipa::path(get, path = "/api/v1/exposure/report.csv", tag = "exposure",
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn report_csv(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    report_download(&state, &caller, ReportKind::Csv).await
}

/// The findings report as PDF: the figures, the chart and the ranked table.
#[utoipa::path(get, path = "/api/v1/exposure/report.pdf", tag = "exposure",
    responses((status = 200, content_type = "application/pdf", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn report_pdf(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    report_download(&state, &caller, ReportKind::Pdf).await
}

/// A recorded VEX statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct VexView {
    /// Id.
    pub id: String,
    /// `manual` or the imported document.
    pub source: String,
    /// When recorded.
    pub created_at: String,
    /// The statement (OpenVEX field names).
    #[schema(value_type = Object)]
    pub statement: serde_json::Value,
}

fn vex_view(r: &db::VexRow, s: &ch_vex::VexStatement) -> VexView {
    let statement = serde_json::json!({
        "vulnerability": {"name": s.vulnerability.id, "aliases": s.vulnerability.aliases},
        "products": s.products.iter().map(|p| serde_json::json!({"@id": p.id, "subcomponents": p.subcomponents})).collect::<Vec<_>>(),
        "status": s.status.as_str(),
        "justification": s.justification.map(|j| j.as_str()),
        "impact_statement": s.impact_statement,
        "action_statement": s.action_statement,
        "status_notes": s.status_notes,
    });
    VexView { id: r.id.clone(), source: r.source.clone(), created_at: time(r.created_at), statement }
}

/// The organisation's VEX statements, oldest first (later ones win).
#[utoipa::path(get, path = "/api/v1/vex", tag = "exposure",
    responses((status = 200, body = [VexView]), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_vex(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<VexView>>, ApiError> {
    let actor = own(&state, &caller, Action::List)?;
    let rows = state.exposure.list_vex(&actor.org_id.to_string()).await?;
    audit(&state, &caller, "exposure.vex.list", "organisation", &actor.org_id.to_string(), serde_json::json!({}))
        .await?;
    Ok(Json(rows.iter().map(|(r, s)| vex_view(r, s)).collect()))
}

/// Records VEX statements: a whole OpenVEX or CycloneDX VEX document, or
/// `{"statements": [...]}` with OpenVEX statements. Findings are reconciled at once.
#[utoipa::path(post, path = "/api/v1/vex", tag = "exposure",
    request_body(content = Object, description = "An OpenVEX document, a CycloneDX VEX BOM, or {\"statements\": [OpenVEX statements]}"),
    responses((status = 201, body = [VexView]), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn record_vex(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Vec<VexView>>), ApiError> {
    let actor = own(&state, &caller, Action::Create)?;
    let org = actor.org_id.to_string();
    let who = actor.user_id.to_string();
    let rows = if let Some(statements) = body.get("statements").filter(|_| body.get("@context").is_none()) {
        // Bare statements: wrap them in an OpenVEX document so the reader checks them.
        let doc = serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": format!("https://clearinghouse.invalid/vex/{org}/manual"),
            "author": caller.actor.as_ref().map(|a| a.user_id.to_string()).unwrap_or_default(),
            "timestamp": jiff::Timestamp::from_millisecond(state.now()).map(|t| t.to_string()).unwrap_or_default(),
            "version": 1,
            "statements": statements,
        });
        let parsed = ch_vex::openvex::parse(doc.to_string().as_bytes())
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_vex", e.to_string()))?;
        state.exposure.record_vex(&org, parsed.statements, "manual", Some(&who)).await?
    } else {
        state.exposure.import_vex(&org, body.to_string().as_bytes(), Some(&who)).await?
    };
    audit(&state, &caller, "exposure.vex.record", "organisation", &org, serde_json::json!({"statements": rows.len()}))
        .await?;
    let views = rows
        .iter()
        .filter_map(|r| serde_json::from_str::<ch_vex::VexStatement>(&r.statement).ok().map(|s| vex_view(r, &s)))
        .collect();
    Ok((StatusCode::CREATED, Json(views)))
}

/// Deletes a VEX statement (findings are reconciled at once).
#[utoipa::path(delete, path = "/api/v1/vex/{id}", tag = "exposure", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn delete_vex(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = own(&state, &caller, Action::Delete)?;
    state.exposure.delete_vex(&actor.org_id.to_string(), &id).await?;
    audit(&state, &caller, "exposure.vex.delete", "vex_statement", &id, serde_json::json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Export options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VexExportQuery {
    /// `openvex` (default) or `cyclonedx`.
    pub format: Option<String>,
}

/// The organisation's statements as one OpenVEX 0.2.0 or CycloneDX 1.6 VEX document.
#[utoipa::path(get, path = "/api/v1/vex/export", tag = "exposure", params(VexExportQuery),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn export_vex(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<VexExportQuery>,
) -> Result<Response, ApiError> {
    let actor = own(&state, &caller, Action::Read)?;
    let format: ch_exposure::vex::VexFormat = q.format.as_deref().unwrap_or("openvex").parse()?;
    let org = actor.org_id.to_string();
    let author = {
        let mut c = state.store.conn().await?;
        ch_store::identity::get_org(&mut c, actor.org_id).await.map(|o| o.name).unwrap_or_else(|_| org.clone())
    };
    let doc = state.exposure.export_vex(&org, &author, format).await?;
    audit(&state, &caller, "exposure.vex.export", "organisation", &org, serde_json::json!({"format": q.format}))
        .await?;
    let (ct, name) = match format {
        ch_exposure::vex::VexFormat::OpenVex => ("application/json", "vex.openvex.json"),
        ch_exposure::vex::VexFormat::CycloneDx => ("application/vnd.cyclonedx+json", "vex.cdx.json"),
    };
    Ok(download(ct, name, doc.into_bytes()))
}

/// Notification settings to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// Where signed webhooks go (none: no webhooks).
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// E-mail recipients.
    #[serde(default)]
    pub email_to: Vec<String>,
    /// One message a day instead of one per change.
    #[serde(default)]
    pub digest: bool,
    /// Make a new webhook signing secret (the old one stops working).
    #[serde(default)]
    pub rotate_secret: bool,
}

/// The organisation's notification settings.
#[utoipa::path(get, path = "/api/v1/notifications/settings", tag = "exposure",
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = own(&state, &caller, Action::Read)?;
    let org = actor.org_id.to_string();
    let s = ch_exposure::notify::settings(&state.exposure, &org).await?;
    audit(&state, &caller, "exposure.notifications.settings.read", "organisation", &org, serde_json::json!({})).await?;
    Ok(Json(serde_json::to_value(s).unwrap_or_default()))
}

/// Sets the organisation's notification settings. The answer carries a new webhook
/// signing secret once, when one was made.
#[utoipa::path(put, path = "/api/v1/notifications/settings", tag = "exposure", request_body = SettingsInput,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<SettingsInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = own(&state, &caller, Action::Update)?;
    let org = actor.org_id.to_string();
    let (s, secret) = ch_exposure::notify::set_settings(
        &state.exposure,
        &org,
        body.webhook_url.as_deref(),
        &body.email_to,
        body.digest,
        body.rotate_secret,
    )
    .await?;
    audit(
        &state,
        &caller,
        "exposure.notifications.settings",
        "organisation",
        &org,
        serde_json::json!({"webhook": s.webhook_url.as_deref().map(ch_knowledge::sync::redact_url), "emails": s.email_to.len(), "digest": s.digest, "new_secret": secret.is_some()}),
    )
    .await?;
    let mut v = serde_json::to_value(&s).unwrap_or_default();
    if let (Some(secret), Some(o)) = (secret, v.as_object_mut()) {
        o.insert("webhook_secret".into(), serde_json::Value::String(secret));
    }
    Ok(Json(v))
}

/// An in-app notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    /// Id.
    pub id: String,
    /// `finding` or `digest`.
    pub kind: String,
    /// One line.
    pub title: String,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: String,
    /// When read.
    pub read_at: Option<String>,
}

/// The organisation's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "exposure",
    responses((status = 200, body = [NotificationView]), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<NotificationView>>, ApiError> {
    let actor = own(&state, &caller, Action::List)?;
    let rows = {
        let mut c = state.store.conn().await?;
        db::list_notifications(&mut c, &actor.org_id.to_string(), 200).await?
    };
    audit(
        &state,
        &caller,
        "exposure.notifications.list",
        "organisation",
        &actor.org_id.to_string(),
        serde_json::json!({}),
    )
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|n| NotificationView {
                id: n.id,
                kind: n.kind,
                title: n.title,
                body: n.body,
                created_at: time(n.created_at),
                read_at: n.read_at.map(time),
            })
            .collect(),
    ))
}

/// Marks a notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "exposure", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn read_notification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require()?;
    let n = {
        let mut c = state.store.conn().await?;
        db::get_notification(&mut c, &id).await?.ok_or_else(|| ApiError::not_found("notification"))?
    };
    state.check(caller.actor.as_ref(), Action::Update, &Resource::Exposure(org_of(&n.org_id)?))?;
    let mut tx = state.store.begin().await?;
    // Reading twice is not an error; anything else is.
    match db::mark_notification_read(&mut tx, &n.org_id, &n.id, state.now()).await {
        Ok(()) | Err(ch_store::Error::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    ch_store::audit::record(
        &mut tx,
        &caller.who(),
        state.now(),
        "exposure.notification.read",
        "notification",
        &n.id,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deliveries of the organisation's notifications (webhook and e-mail), newest first.
#[utoipa::path(get, path = "/api/v1/notifications/deliveries", tag = "exposure",
    responses((status = 200, body = [Object]), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let actor = own(&state, &caller, Action::List)?;
    let rows = {
        let mut c = state.store.conn().await?;
        db::list_deliveries(&mut c, &actor.org_id.to_string(), 200).await?
    };
    audit(
        &state,
        &caller,
        "exposure.deliveries.list",
        "organisation",
        &actor.org_id.to_string(),
        serde_json::json!({}),
    )
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|d| {
                serde_json::json!({"id": d.id, "notification": d.notification_id, "channel": d.channel, "state": d.state,
                    "attempts": d.attempts, "last_error": d.last_error, "sent_at": d.sent_at.map(time), "created_at": time(d.created_at)})
            })
            .collect(),
    ))
}
