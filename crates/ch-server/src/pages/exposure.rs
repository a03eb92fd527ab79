//! Exposure pages for an operator's one or two IT people: the dashboard (what to do now,
//! the 30-day chart, the ranked findings), assets and their inventories, accepting and
//! reopening findings, VEX statements, notifications and their settings, and the CSV and
//! PDF reports.
//!
//! Invariants, the same as the JSON API's (`api::exposure`): every page asks the policy
//! for `Resource::Exposure(org)` of the data's own organisation (an asset or finding of
//! another organisation is refused, one that does not exist is a 404), every read and
//! write is in the audit log, and every form carries the session's CSRF token (file
//! uploads too, as a multipart field).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use ch_domain::Actor;
use ch_policy::{Action, Resource};
use ch_store::exposure::{self as db, AssetRow, FindingFilter, FindingRow};
use serde::Deserialize;

use super::{Nav, PageError, PageResult, Signed, signed};
use crate::AppState;
use crate::api::exposure::{
    FindingOut, ReportKind, SummaryView, UPLOAD_LIMIT, download, finding_outs, org_of, report_download, states_of,
    summary_of,
};
use crate::auth::Caller;
use crate::error::{ApiError, Form, Path, Query};

/// Findings per dashboard page.
const PAGE: i64 = 50;
const DAY_MS: i64 = 86_400_000;

// ---------------------------------------------------------------- shared

fn not_found() -> PageError {
    PageError::Message(StatusCode::NOT_FOUND, "There is nothing at this address.".into())
}

/// The signed-in person, checked for `action` on their own organisation's exposure data.
fn own(state: &AppState, s: &Signed, action: Action) -> PageResult<Actor> {
    let actor = s.caller.require()?.clone();
    s.check(state, action, &Resource::Exposure(actor.org_id))?;
    Ok(actor)
}

/// Loads an asset and checks `action` on its organisation (404 when missing).
async fn asset_for(state: &AppState, s: &Signed, id: &str, action: Action) -> PageResult<AssetRow> {
    let mut c = state.store.conn().await?;
    let asset = db::get_asset(&mut c, id).await?.ok_or_else(not_found)?;
    drop(c);
    s.check(state, action, &Resource::Exposure(org_of(&asset.org_id)?))?;
    Ok(asset)
}

async fn finding_for(state: &AppState, s: &Signed, id: &str, action: Action) -> PageResult<FindingRow> {
    let mut c = state.store.conn().await?;
    let f = db::get_finding(&mut c, id).await?.ok_or_else(not_found)?;
    drop(c);
    s.check(state, action, &Resource::Exposure(org_of(&f.org_id)?))?;
    Ok(f)
}

async fn audit(
    state: &AppState,
    s: &Signed,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: serde_json::Value,
) -> PageResult<()> {
    Ok(crate::api::exposure::audit(state, &s.caller, action, object_type, object_id, detail).await?)
}

/// A refusal the person can fix becomes a message on the page; anything else fails the page.
fn user_error(e: impl Into<ApiError>) -> PageResult<String> {
    let e = e.into();
    if e.status.is_client_error() { Ok(e.message) } else { Err(e.into()) }
}

/// `2026-07-01 09:30 UTC`.
fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// `2026-07-01`.
fn day(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// `not_affected` reads "not affected"; `vulnerable_code_not_present` reads "vulnerable code not present".
fn plain(s: &str) -> String {
    s.replace('_', " ")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A finding as the pages show it.
struct Item {
    rank: usize,
    id: String,
    asset_id: String,
    asset: String,
    component: String,
    version: String,
    vulnerability: String,
    aliases: Vec<String>,
    summary: Option<String>,
    known_exploited: bool,
    ransomware: bool,
    severity: Option<String>,
    score: Option<String>,
    do_now: bool,
    action: String,
    fixed_version: Option<String>,
    state: String,
    state_label: String,
    state_reason: Option<String>,
    accepted_until: Option<String>,
    vex_note: Option<String>,
    first_seen: String,
}

fn items(outs: Vec<FindingOut>, first_rank: usize) -> Vec<Item> {
    outs.into_iter()
        .enumerate()
        .map(|(i, o)| {
            let f = o.finding;
            Item {
                rank: first_rank + i,
                do_now: f.state == "open" && (f.known_exploited || f.severity.as_deref() == Some("critical")),
                state_label: plain(&f.state),
                score: f.score.map(|n| format!("{n:.1}")),
                id: f.id,
                asset_id: f.asset_id,
                asset: f.asset,
                component: f.component,
                version: f.version,
                vulnerability: f.vulnerability,
                aliases: f.aliases,
                summary: f.summary,
                known_exploited: f.known_exploited,
                ransomware: f.ransomware,
                severity: f.severity,
                action: f.action,
                fixed_version: f.fixed_version,
                state: f.state,
                state_reason: o.state_reason,
                // Stored as the end of the chosen day: shown as that day.
                accepted_until: o
                    .accepted_until
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                    .map(|t| day(t.as_millisecond() - 1)),
                vex_note: o.vex_note,
                first_seen: o.first_seen.get(..10).unwrap_or_default().to_owned(),
            }
        })
        .collect()
}

/// An asset in a list or a select.
struct AssetItem {
    id: String,
    name: String,
    criticality: String,
    owner: Option<String>,
    description: Option<String>,
    open: i64,
    do_now: i64,
    inventory: bool,
    updated_at: String,
}

async fn asset_items(state: &AppState, org: &str) -> PageResult<Vec<AssetItem>> {
    let mut c = state.store.conn().await?;
    let rows = db::list_assets(&mut c, org).await?;
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let counts = db::finding_counts(&mut c, org, Some(&a.id)).await?;
        out.push(AssetItem {
            inventory: a.current_inventory.is_some(),
            updated_at: day(a.updated_at),
            id: a.id,
            name: a.name,
            criticality: a.criticality,
            owner: a.owner,
            description: a.description,
            open: counts.open,
            do_now: counts.do_now,
        });
    }
    Ok(out)
}

const STATE_CHOICES: [(&str, &str); 5] = [
    ("open", "Open"),
    ("accepted", "Accepted"),
    ("not_affected", "Not affected"),
    ("fixed", "Fixed"),
    ("all", "Every state"),
];

// ---------------------------------------------------------------- dashboard

#[derive(Template, WebTemplate)]
#[template(path = "exposure.html")]
struct DashboardPage {
    nav: Nav,
    summary: SummaryView,
    chart: String,
    assets: Vec<AssetItem>,
    any_inventory: bool,
    findings: Vec<Item>,
    state: String,
    asset: String,
    states: [(&'static str, &'static str); 5],
    prev_offset: Option<i64>,
    next_offset: Option<i64>,
    query: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct DashboardQuery {
    state: Option<String>,
    asset: Option<String>,
    offset: Option<i64>,
}

pub(super) async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure").await?;
    let actor = own(&state, &s, Action::List)?;
    let org = actor.org_id.to_string();
    let chosen = q.state.as_deref().map(str::trim).filter(|x| !x.is_empty()).unwrap_or("open").to_owned();
    let states = match states_of(Some(&chosen)) {
        Ok(v) if STATE_CHOICES.iter().any(|(k, _)| *k == chosen) => v,
        _ => {
            s.nav.errors.push(format!("There is no state {chosen:?}; showing open findings."));
            vec!["open".to_owned()]
        }
    };
    let chosen = if states.is_empty() { "all".to_owned() } else { states.join(",") };
    let summary = summary_of(&state, &org).await?;
    let assets = asset_items(&state, &org).await?;
    let mut asset = q.asset.unwrap_or_default();
    if !asset.is_empty() && !assets.iter().any(|a| a.id == asset) {
        s.nav.errors.push("That asset is not one of yours; showing every asset.".into());
        asset.clear();
    }
    let offset = q.offset.unwrap_or(0).max(0);
    let rows = {
        let mut c = state.store.conn().await?;
        let f = FindingFilter {
            asset_id: (!asset.is_empty()).then(|| asset.clone()),
            states: states.clone(),
            limit: PAGE + 1,
            offset,
        };
        db::list_findings(&mut c, &org, &f).await?
    };
    let more = rows.len() as i64 > PAGE;
    let rows: Vec<FindingRow> = rows.into_iter().take(PAGE as usize).collect();
    let findings = items(finding_outs(&state, &rows).await?, offset as usize + 1);
    audit(
        &state,
        &s,
        "exposure.dashboard.read",
        "organisation",
        &org,
        serde_json::json!({"state": chosen, "asset": (!asset.is_empty()).then_some(&asset), "count": findings.len()}),
    )
    .await?;
    let query = [("state", chosen.as_str()), ("asset", asset.as_str())]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    Ok(DashboardPage {
        nav: s.nav,
        chart: ch_report::chart_svg(&summary.series, 880, 220),
        summary,
        any_inventory: assets.iter().any(|a| a.inventory),
        assets,
        findings,
        state: chosen,
        asset,
        states: STATE_CHOICES,
        prev_offset: (offset > 0).then(|| (offset - PAGE).max(0)),
        next_offset: more.then_some(offset + PAGE),
        query,
    }
    .into_response())
}

pub(super) async fn report_csv(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure").await?;
    Ok(report_download(&state, &s.caller, ReportKind::Csv).await?)
}

pub(super) async fn report_pdf(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure").await?;
    Ok(report_download(&state, &s.caller, ReportKind::Pdf).await?)
}

// ---------------------------------------------------------------- assets

const CRITICALITIES: [(&str, &str); 4] = [
    ("critical", "Critical: we cannot work without it"),
    ("high", "High: hurts within hours"),
    ("medium", "Medium: most things"),
    ("low", "Low: a nuisance if it fails"),
];

#[derive(Template, WebTemplate)]
#[template(path = "exposure_assets.html")]
struct AssetsPage {
    nav: Nav,
    assets: Vec<AssetItem>,
    criticalities: [(&'static str, &'static str); 4],
    form: AssetForm,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct AssetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    criticality: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    description: String,
}

async fn assets_page(state: &AppState, s: Signed, form: AssetForm) -> PageResult {
    let actor = own(state, &s, Action::List)?;
    let org = actor.org_id.to_string();
    let assets = asset_items(state, &org).await?;
    audit(state, &s, "exposure.assets.list", "organisation", &org, serde_json::json!({})).await?;
    Ok(AssetsPage { nav: s.nav, assets, criticalities: CRITICALITIES, form }.into_response())
}

pub(super) async fn assets(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure/assets").await?;
    assets_page(&state, s, AssetForm { criticality: "medium".into(), ..AssetForm::default() }).await
}

fn criticality(s: &str) -> Result<ch_exposure::Criticality, String> {
    s.parse().map_err(|e: String| format!("Criticality: {e}"))
}

pub(super) async fn asset_create(
    State(state): State<AppState>,
    caller: Caller,
    Form(f): Form<AssetForm>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure/assets").await?;
    s.csrf(&f.csrf)?;
    let actor = own(&state, &s, Action::Create)?;
    let made = match criticality(&f.criticality) {
        Err(m) => Err(m),
        Ok(crit) => match state
            .exposure
            .create_asset(&actor.org_id.to_string(), &f.name, crit, Some(&f.owner), Some(&f.description))
            .await
        {
            Ok(a) => Ok(a),
            Err(e) => Err(user_error(e)?),
        },
    };
    match made {
        Ok(a) => {
            audit(&state, &s, "exposure.asset.create", "asset", &a.id, serde_json::json!({"name": a.name})).await?;
            Ok(Redirect::to(&format!("/exposure/assets/{}?added=1", a.id)).into_response())
        }
        Err(m) => {
            s.nav.errors.push(m);
            assets_page(&state, s, f).await
        }
    }
}

/// An inventory in the asset's history.
struct InventoryItem {
    file_name: String,
    format: String,
    components: i64,
    warnings: Vec<String>,
    digest: String,
    uploaded_at: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "exposure_asset.html")]
struct AssetPage {
    nav: Nav,
    asset: AssetItem,
    created_at: String,
    accepted: i64,
    criticalities: [(&'static str, &'static str); 4],
    formats: Vec<(&'static str, &'static str)>,
    inventories: Vec<InventoryItem>,
    current: Vec<Item>,
    closed: Vec<Item>,
    until_default: String,
    until_min: String,
}

async fn asset_page(state: &AppState, s: Signed, a: AssetRow) -> PageResult {
    let (invs, counts, rows) = {
        let mut c = state.store.conn().await?;
        let invs = db::list_inventories(&mut c, &a.id).await?;
        let counts = db::finding_counts(&mut c, &a.org_id, Some(&a.id)).await?;
        let f = FindingFilter { asset_id: Some(a.id.clone()), states: Vec::new(), limit: 2000, offset: 0 };
        let rows = db::list_findings(&mut c, &a.org_id, &f).await?;
        (invs, counts, rows)
    };
    let inventories = invs
        .into_iter()
        .map(|i| InventoryItem {
            current: a.current_inventory.as_deref() == Some(i.id.as_str()),
            format: i
                .format
                .parse::<ch_inventory::Format>()
                .map(|f| f.describe().trim_start_matches("a ").trim_start_matches("an ").to_owned())
                .unwrap_or_else(|_| i.format.clone()),
            file_name: i.file_name,
            components: i.components,
            warnings: serde_json::from_str(&i.warnings).unwrap_or_default(),
            digest: i.digest.get(..12).unwrap_or_default().to_owned(),
            uploaded_at: when(i.uploaded_at),
        })
        .collect();
    // Open ones first (most urgent first), then the accepted ones, then the closed ones apart.
    let (mut current_rows, closed_rows): (Vec<FindingRow>, Vec<FindingRow>) =
        rows.into_iter().partition(|f| f.state == "open" || f.state == "accepted");
    current_rows.sort_by_key(|f| f.state != "open");
    let current = items(finding_outs(state, &current_rows).await?, 1);
    let closed = items(finding_outs(state, &closed_rows).await?, 1);
    audit(state, &s, "exposure.asset.read", "asset", &a.id, serde_json::json!({})).await?;
    let now = state.now();
    Ok(AssetPage {
        nav: s.nav,
        created_at: day(a.created_at),
        accepted: counts.accepted,
        asset: AssetItem {
            inventory: a.current_inventory.is_some(),
            updated_at: day(a.updated_at),
            id: a.id,
            name: a.name,
            criticality: a.criticality,
            owner: a.owner,
            description: a.description,
            open: counts.open,
            do_now: counts.do_now,
        },
        criticalities: CRITICALITIES,
        formats: ch_inventory::Format::ALL.iter().map(|f| (f.as_str(), f.describe())).collect(),
        inventories,
        current,
        closed,
        until_default: day(now + 90 * DAY_MS),
        until_min: day(now + DAY_MS),
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct AssetQuery {
    added: Option<String>,
}

pub(super) async fn asset(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<AssetQuery>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", &format!("/exposure/assets/{}", enc(&id))).await?;
    let a = asset_for(&state, &s, &id, Action::Read).await?;
    if q.added.is_some() {
        s.nav.notices.push(format!("Added {}. Next, upload its inventory below.", a.name));
    }
    asset_page(&state, s, a).await
}

pub(super) async fn asset_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<AssetForm>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", &format!("/exposure/assets/{}", enc(&id))).await?;
    s.csrf(&f.csrf)?;
    let a = asset_for(&state, &s, &id, Action::Update).await?;
    let crit = match criticality(&f.criticality) {
        Ok(c) => c,
        Err(m) => {
            s.nav.errors.push(m);
            return asset_page(&state, s, a).await;
        }
    };
    match state.exposure.update_asset(&a, crit, Some(&f.owner), Some(&f.description)).await {
        Ok(updated) => {
            audit(
                &state,
                &s,
                "exposure.asset.update",
                "asset",
                &updated.id,
                serde_json::json!({"criticality": updated.criticality}),
            )
            .await?;
            s.nav.notices.push(format!("Saved. Findings on {} are ranked again.", updated.name));
            asset_page(&state, s, updated).await
        }
        Err(e) => {
            s.nav.errors.push(user_error(e)?);
            asset_page(&state, s, a).await
        }
    }
}

/// The fields of an upload form: the CSRF token, optional choices and one file.
#[derive(Default)]
struct Upload {
    csrf: String,
    format: String,
    file_name: String,
    bytes: Vec<u8>,
}

fn multipart_error(status: StatusCode, text: String) -> PageError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::Message(status, format!("The file is too large: at most {} MiB.", UPLOAD_LIMIT / 1024 / 1024))
    } else {
        PageError::Message(status, format!("The upload could not be read: {text}"))
    }
}

async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> PageResult<Upload> {
    let mut mp = multipart.map_err(|e| multipart_error(e.status(), e.body_text()))?;
    let mut up = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(|e| multipart_error(e.status(), e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" | "format" => {
                let v = field.text().await.map_err(|e| multipart_error(e.status(), e.body_text()))?;
                if name == "csrf" { up.csrf = v } else { up.format = v }
            }
            "file" => {
                // Browsers send the bare name; keep only the last path part, for detection.
                let given = field.file_name().unwrap_or_default();
                let base = given.rsplit(['/', '\\']).next().unwrap_or_default();
                up.file_name = base.chars().take(200).collect();
                up.bytes = field.bytes().await.map_err(|e| multipart_error(e.status(), e.body_text()))?.to_vec();
            }
            _ => {}
        }
    }
    Ok(up)
}

pub(super) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", &format!("/exposure/assets/{}", enc(&id))).await?;
    // Who and what first: the body is read only for someone who may write to this asset.
    let a = asset_for(&state, &s, &id, Action::Create).await?;
    let up = read_upload(multipart).await?;
    s.csrf(&up.csrf)?;
    if up.bytes.is_empty() {
        s.nav.errors.push("Choose a file to upload: the one you chose is empty, or none was chosen.".into());
        return asset_page(&state, s, a).await;
    }
    let format = match up.format.trim() {
        "" => None,
        f => match f.parse::<ch_inventory::Format>() {
            Ok(f) => Some(f),
            Err(e) => {
                s.nav.errors.push(format!("Format: {e}"));
                return asset_page(&state, s, a).await;
            }
        },
    };
    let file_name = if up.file_name.is_empty() { "inventory".to_owned() } else { up.file_name };
    let who = s.caller.actor.as_ref().map(|x| x.user_id.to_string());
    match state.exposure.upload(&a, &file_name, up.bytes, format, who.as_deref()).await {
        Ok(out) => {
            audit(
                &state,
                &s,
                "exposure.inventory.upload",
                "asset",
                &a.id,
                serde_json::json!({"inventory": out.inventory_id, "format": out.format, "components": out.components}),
            )
            .await?;
            let f = &out.findings;
            let mut text = format!(
                "Read {} component{} from {file_name}. {} new finding{}",
                out.components,
                if out.components == 1 { "" } else { "s" },
                f.new,
                if f.new == 1 { "" } else { "s" },
            );
            if f.closed > 0 {
                text.push_str(&format!(", {} closed", f.closed));
            }
            text.push('.');
            s.nav.notices.push(text);
            if !out.skipped.is_empty() {
                s.nav.notices.push(format!(
                    "{} component{} could not be looked up (no package name or product the knowledge base knows).",
                    out.skipped.len(),
                    if out.skipped.len() == 1 { "" } else { "s" }
                ));
            }
            let a = asset_for(&state, &s, &id, Action::Read).await?;
            asset_page(&state, s, a).await
        }
        Err(e) => {
            s.nav.errors.push(user_error(e)?);
            asset_page(&state, s, a).await
        }
    }
}

// ---------------------------------------------------------------- findings

/// A form with only the CSRF token (a missing token is refused like a wrong one).
#[derive(Debug, Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct AcceptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
}

/// The end (UTC) of the day a date input names: accepted "until 2026-10-01" holds all that day.
fn end_of_day(date: &str) -> Result<i64, String> {
    let d: jiff::civil::Date =
        date.trim().parse().map_err(|_| format!("Until: expected a date like 2026-10-01, found {date:?}"))?;
    d.tomorrow()
        .and_then(|t| t.to_zoned(jiff::tz::TimeZone::UTC))
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| format!("Until: {e}"))
}

pub(super) async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<AcceptForm>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure").await?;
    s.csrf(&f.csrf)?;
    let finding = finding_for(&state, &s, &id, Action::Update).await?;
    let until = if f.until.trim().is_empty() { Ok(state.now() + 90 * DAY_MS) } else { end_of_day(&f.until) };
    let done = match until {
        Err(m) => Err(m),
        Ok(until) => match state.exposure.accept(&finding, &f.reason, Some(until)).await {
            Ok(row) => Ok((row, until)),
            Err(e) => Err(user_error(e)?),
        },
    };
    match done {
        Ok((row, until)) => {
            audit(
                &state,
                &s,
                "exposure.finding.accept",
                "finding",
                &row.id,
                serde_json::json!({"reason": f.reason.trim(), "until": crate::api::views::time(until)}),
            )
            .await?;
            s.nav.notices.push(format!(
                "Accepted {} in {} until {}. It opens again then, or when you reopen it.",
                row.flaw_id,
                row.component_name,
                day(until - 1)
            ));
        }
        Err(m) => s.nav.errors.push(m),
    }
    let a = asset_for(&state, &s, &finding.asset_id, Action::Read).await?;
    asset_page(&state, s, a).await
}

pub(super) async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure").await?;
    s.csrf(&f.csrf)?;
    let finding = finding_for(&state, &s, &id, Action::Update).await?;
    match state.exposure.reopen(&finding).await {
        Ok(row) => {
            audit(&state, &s, "exposure.finding.reopen", "finding", &row.id, serde_json::json!({})).await?;
            s.nav.notices.push(format!("Reopened {} in {}.", row.flaw_id, row.component_name));
        }
        Err(e) => s.nav.errors.push(user_error(e)?),
    }
    let a = asset_for(&state, &s, &finding.asset_id, Action::Read).await?;
    asset_page(&state, s, a).await
}

// ---------------------------------------------------------------- VEX

struct VexItem {
    id: String,
    vulnerability: String,
    aliases: Vec<String>,
    products: Vec<String>,
    status: String,
    status_label: String,
    justification: Option<String>,
    notes: Vec<(&'static str, String)>,
    source: String,
    created_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "exposure_vex.html")]
struct VexPage {
    nav: Nav,
    statements: Vec<VexItem>,
    statuses: Vec<(&'static str, String)>,
    justifications: Vec<(&'static str, String)>,
    form: VexForm,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct VexForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    vulnerability: String,
    #[serde(default)]
    products: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    impact_statement: String,
    #[serde(default)]
    action_statement: String,
}

async fn vex_page(state: &AppState, s: Signed, form: VexForm) -> PageResult {
    let actor = own(state, &s, Action::List)?;
    let org = actor.org_id.to_string();
    let rows = state.exposure.list_vex(&org).await.map_err(ApiError::from)?;
    audit(state, &s, "exposure.vex.list", "organisation", &org, serde_json::json!({})).await?;
    // Newest first: the one recorded last wins, so it is the one to read first.
    let statements = rows
        .iter()
        .rev()
        .map(|(r, st)| VexItem {
            id: r.id.clone(),
            vulnerability: st.vulnerability.id.clone(),
            aliases: st.vulnerability.aliases.clone(),
            products: st.products.iter().map(|p| p.id.clone()).collect(),
            status: st.status.as_str().to_owned(),
            status_label: plain(st.status.as_str()),
            justification: st.justification.map(|j| plain(j.as_str())),
            notes: [
                ("Impact", st.impact_statement.clone()),
                ("Action", st.action_statement.clone()),
                ("Notes", st.status_notes.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
            .collect(),
            source: if r.source == "manual" { "recorded here".to_owned() } else { r.source.clone() },
            created_at: when(r.created_at),
        })
        .collect();
    Ok(VexPage {
        nav: s.nav,
        statements,
        statuses: ch_vex::Status::ALL.iter().map(|x| (x.as_str(), plain(x.as_str()))).collect(),
        justifications: ch_vex::Justification::ALL.iter().map(|x| (x.as_str(), plain(x.as_str()))).collect(),
        form,
    }
    .into_response())
}

pub(super) async fn vex(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure/vex").await?;
    vex_page(&state, s, VexForm { status: "not_affected".into(), ..VexForm::default() }).await
}

fn statement_of(f: &VexForm) -> Result<ch_vex::VexStatement, String> {
    let vulnerability = f.vulnerability.trim();
    if vulnerability.is_empty() {
        return Err("Vulnerability: give its id, such as CVE-2023-32681.".into());
    }
    let status: ch_vex::Status = f.status.parse().map_err(|e: String| format!("Status: expected {e}"))?;
    let mut st = ch_vex::VexStatement::new(vulnerability, status);
    st.products = f
        .products
        .split(['\n', '\r', ' ', '\t'])
        .filter(|p| !p.is_empty())
        .map(|p| ch_vex::ProductRef { id: p.to_owned(), subcomponents: Vec::new() })
        .collect();
    if st.products.is_empty() {
        return Err("Products: give at least one package URL or CPE name, such as pkg:pypi/requests.".into());
    }
    st.justification = match f.justification.trim() {
        "" => None,
        j => Some(j.parse().map_err(|e: String| format!("Justification: expected {e}"))?),
    };
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    st.impact_statement = text(&f.impact_statement);
    st.action_statement = text(&f.action_statement);
    Ok(st)
}

pub(super) async fn vex_record(State(state): State<AppState>, caller: Caller, Form(f): Form<VexForm>) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure/vex").await?;
    s.csrf(&f.csrf)?;
    let actor = own(&state, &s, Action::Create)?;
    let org = actor.org_id.to_string();
    let recorded = match statement_of(&f) {
        Err(m) => Err(m),
        Ok(mut st) => {
            st.timestamp = jiff::Timestamp::from_millisecond(state.now()).ok();
            let who = actor.user_id.to_string();
            match state.exposure.record_vex(&org, vec![st], "manual", Some(&who)).await {
                Ok(rows) => Ok(rows),
                Err(e) => Err(user_error(e)?),
            }
        }
    };
    match recorded {
        Ok(rows) => {
            audit(
                &state,
                &s,
                "exposure.vex.record",
                "organisation",
                &org,
                serde_json::json!({"statements": rows.len()}),
            )
            .await?;
            s.nav.notices.push(format!(
                "Recorded: {} is {} in {}. Findings are updated.",
                f.vulnerability.trim(),
                plain(f.status.trim()),
                f.products.split_whitespace().collect::<Vec<_>>().join(", ")
            ));
            vex_page(&state, s, VexForm { status: "not_affected".into(), ..VexForm::default() }).await
        }
        Err(m) => {
            s.nav.errors.push(m);
            vex_page(&state, s, f).await
        }
    }
}

pub(super) async fn vex_import(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure/vex").await?;
    let actor = own(&state, &s, Action::Create)?;
    let up = read_upload(multipart).await?;
    s.csrf(&up.csrf)?;
    let org = actor.org_id.to_string();
    if up.bytes.is_empty() {
        s.nav.errors.push("Choose a VEX document to import: none was chosen, or it is empty.".into());
    } else {
        let who = actor.user_id.to_string();
        match state.exposure.import_vex(&org, &up.bytes, Some(&who)).await {
            Ok(rows) => {
                audit(
                    &state,
                    &s,
                    "exposure.vex.record",
                    "organisation",
                    &org,
                    serde_json::json!({"statements": rows.len(), "file": up.file_name}),
                )
                .await?;
                s.nav.notices.push(format!(
                    "Imported {} statement{} from {}. Findings are updated.",
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" },
                    up.file_name
                ));
            }
            Err(e) => s.nav.errors.push(user_error(e)?),
        }
    }
    vex_page(&state, s, VexForm { status: "not_affected".into(), ..VexForm::default() }).await
}

pub(super) async fn vex_delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure/vex").await?;
    s.csrf(&f.csrf)?;
    let actor = own(&state, &s, Action::Delete)?;
    // The store deletes only the organisation's own statement: another's id is "not found".
    match state.exposure.delete_vex(&actor.org_id.to_string(), &id).await {
        Ok(()) => {
            audit(&state, &s, "exposure.vex.delete", "vex_statement", &id, serde_json::json!({})).await?;
            s.nav.notices.push("Deleted the statement. Findings are updated.".into());
        }
        Err(ch_exposure::Error::NotFound(_)) => return Err(not_found()),
        Err(e) => s.nav.errors.push(user_error(e)?),
    }
    vex_page(&state, s, VexForm { status: "not_affected".into(), ..VexForm::default() }).await
}

#[derive(Debug, Deserialize)]
pub(super) struct ExportQuery {
    format: Option<String>,
}

pub(super) async fn vex_export(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure/vex").await?;
    let actor = own(&state, &s, Action::Read)?;
    let format: ch_exposure::vex::VexFormat =
        q.format.as_deref().unwrap_or("openvex").parse().map_err(ApiError::from)?;
    let org = actor.org_id.to_string();
    let author = {
        let mut c = state.store.conn().await?;
        ch_store::identity::get_org(&mut c, actor.org_id).await.map(|o| o.name).unwrap_or_else(|_| org.clone())
    };
    let doc = state.exposure.export_vex(&org, &author, format).await.map_err(ApiError::from)?;
    audit(&state, &s, "exposure.vex.export", "organisation", &org, serde_json::json!({"format": q.format})).await?;
    let (ct, name) = match format {
        ch_exposure::vex::VexFormat::OpenVex => ("application/json", "vex.openvex.json"),
        ch_exposure::vex::VexFormat::CycloneDx => ("application/vnd.cyclonedx+json", "vex.cdx.json"),
    };
    Ok(download(ct, name, doc.into_bytes()))
}

// ---------------------------------------------------------------- notifications

struct NotificationItem {
    id: String,
    kind: String,
    title: String,
    body: String,
    created_at: String,
    read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "exposure_notifications.html")]
struct NotificationsPage {
    nav: Nav,
    notifications: Vec<NotificationItem>,
    unread: usize,
    settings: ch_exposure::notify::Settings,
    email_to: String,
    new_secret: Option<String>,
}

async fn notifications_page(state: &AppState, s: Signed, new_secret: Option<String>) -> PageResult {
    let actor = own(state, &s, Action::List)?;
    let org = actor.org_id.to_string();
    let rows = {
        let mut c = state.store.conn().await?;
        db::list_notifications(&mut c, &org, 200).await?
    };
    let settings = ch_exposure::notify::settings(&state.exposure, &org).await.map_err(ApiError::from)?;
    audit(state, &s, "exposure.notifications.list", "organisation", &org, serde_json::json!({})).await?;
    let notifications: Vec<NotificationItem> = rows
        .into_iter()
        .map(|n| NotificationItem {
            read: n.read_at.is_some(),
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            created_at: when(n.created_at),
        })
        .collect();
    Ok(NotificationsPage {
        nav: s.nav,
        unread: notifications.iter().filter(|n| !n.read).count(),
        notifications,
        email_to: settings.email_to.join("\n"),
        settings,
        new_secret,
    }
    .into_response())
}

pub(super) async fn notifications(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure/notifications").await?;
    notifications_page(&state, s, None).await
}

pub(super) async fn notification_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure/notifications").await?;
    s.csrf(&f.csrf)?;
    let n = {
        let mut c = state.store.conn().await?;
        db::get_notification(&mut c, &id).await?.ok_or_else(not_found)?
    };
    s.check(&state, Action::Update, &Resource::Exposure(org_of(&n.org_id)?))?;
    if n.read_at.is_none() {
        let mut tx = state.store.begin().await?;
        db::mark_notification_read(&mut tx, &n.org_id, &n.id, state.now()).await?;
        ch_store::audit::record(
            &mut tx,
            &s.caller.who(),
            state.now(),
            "exposure.notification.read",
            "notification",
            &n.id,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Redirect::to("/exposure/notifications").into_response())
}

pub(super) async fn notifications_read_all(
    State(state): State<AppState>,
    caller: Caller,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    let s = signed(&state, caller, "exposure", "/exposure/notifications").await?;
    s.csrf(&f.csrf)?;
    let actor = own(&state, &s, Action::Update)?;
    let org = actor.org_id.to_string();
    let now = state.now();
    let mut tx = state.store.begin().await?;
    let unread: Vec<String> = db::list_notifications(&mut tx, &org, 10_000)
        .await?
        .into_iter()
        .filter(|n| n.read_at.is_none())
        .map(|n| n.id)
        .collect();
    for id in &unread {
        db::mark_notification_read(&mut tx, &org, id, now).await?;
    }
    ch_store::audit::record(
        &mut tx,
        &s.caller.who(),
        now,
        "exposure.notification.read",
        "organisation",
        &org,
        serde_json::json!({"all": true, "count": unread.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/exposure/notifications").into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    webhook_url: String,
    #[serde(default)]
    email_to: String,
    digest: Option<String>,
    rotate_secret: Option<String>,
}

pub(super) async fn settings_save(
    State(state): State<AppState>,
    caller: Caller,
    Form(f): Form<SettingsForm>,
) -> PageResult {
    let mut s = signed(&state, caller, "exposure", "/exposure/notifications").await?;
    s.csrf(&f.csrf)?;
    let actor = own(&state, &s, Action::Update)?;
    let org = actor.org_id.to_string();
    let emails: Vec<String> =
        f.email_to.split(['\n', '\r', ',', ';', ' ', '\t']).filter(|e| !e.is_empty()).map(str::to_owned).collect();
    let url = Some(f.webhook_url.trim()).filter(|u| !u.is_empty());
    match ch_exposure::notify::set_settings(
        &state.exposure,
        &org,
        url,
        &emails,
        f.digest.is_some(),
        f.rotate_secret.is_some(),
    )
    .await
    {
        Ok((saved, secret)) => {
            audit(
                &state,
                &s,
                "exposure.notifications.settings",
                "organisation",
                &org,
                serde_json::json!({"webhook": saved.webhook_url.as_deref().map(ch_knowledge::sync::redact_url),
                    "emails": saved.email_to.len(), "digest": saved.digest, "new_secret": secret.is_some()}),
            )
            .await?;
            s.nav.notices.push("Saved the notification settings.".into());
            notifications_page(&state, s, secret).await
        }
        Err(e) => {
            s.nav.errors.push(user_error(e)?);
            notifications_page(&state, s, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acceptance_holds_through_the_day_it_names() {
        // 2026-10-01 ends at 2026-10-02T00:00:00Z.
        assert_eq!(end_of_day("2026-10-01"), Ok(1_790_899_200_000));
        assert!(end_of_day("next week").is_err());
        assert_eq!(day(1_790_899_200_000 - 1), "2026-10-01");
    }

    #[test]
    fn labels_read_as_words() {
        for (raw, shown) in
            [("not_affected", "not affected"), ("vulnerable_code_not_present", "vulnerable code not present")]
        {
            assert_eq!(plain(raw), shown);
        }
    }
}
