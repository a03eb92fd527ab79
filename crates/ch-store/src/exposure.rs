//! Exposure monitoring's tables: assets, their inventories, the reverse index of current
//! components by match key, findings, VEX statements, notifications and deliveries.
//!
//! Invariants:
//! * `asset_components` holds exactly the components of each asset's current inventory
//!   ([`replace_components`] deletes and inserts in the caller's transaction);
//! * one finding per (asset, component reference, flaw id): the unique key makes a second
//!   matcher racing the first fail its insert instead of duplicating the finding;
//! * `exposure_state.matched_seq` moves in the same transaction as the findings it covers
//!   ([`lock_matched_seq`] serialises matchers on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
//!   already does);
//! * a delivery row exists once per (notification, channel); its state says whether it was
//!   sent, so a job run twice does not send twice once it knows.

use sqlx::AnyConnection;

use crate::knowledge::{in_json, insert_many, json_list};
use crate::{Result, Tx, expect_one};

/// An asset: something an operator runs, with the inventory of what is on it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssetRow {
    /// Id (uuid).
    pub id: String,
    /// Owning organisation.
    pub org_id: String,
    /// Name, unique in the organisation ("EHR server").
    pub name: String,
    /// `critical`, `high`, `medium` or `low`.
    pub criticality: String,
    /// Who looks after it.
    pub owner: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The current inventory's id.
    pub current_inventory: Option<String>,
    /// Created, ms.
    pub created_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
}

const ASSET_COLS: &str = "id, org_id, name, criticality, owner, description, current_inventory, created_at, updated_at";

/// Inserts an asset.
pub async fn insert_asset(tx: &mut Tx, a: &AssetRow) -> Result<()> {
    let sql = format!("INSERT INTO assets ({ASSET_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&a.id)
        .bind(&a.org_id)
        .bind(&a.name)
        .bind(&a.criticality)
        .bind(a.owner.as_deref())
        .bind(a.description.as_deref())
        .bind(a.current_inventory.as_deref())
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(&mut **tx)
        .await
        .map_err(|e| match crate::Error::from(e) {
            crate::Error::Conflict(_) => crate::Error::Conflict("an asset of that name"),
            other => other,
        })?;
    Ok(())
}

/// Updates an asset's criticality, owner and description.
pub async fn update_asset(tx: &mut Tx, a: &AssetRow) -> Result<()> {
    let r = sqlx::query(
        "UPDATE assets SET criticality = $1, owner = $2, description = $3, updated_at = $4 WHERE id = $5 AND org_id = $6",
    )
    .bind(&a.criticality)
    .bind(a.owner.as_deref())
    .bind(a.description.as_deref())
    .bind(a.updated_at)
    .bind(&a.id)
    .bind(&a.org_id)
    .execute(&mut **tx)
    .await?;
    expect_one(r, "asset")
}

/// Points an asset at its new current inventory.
pub async fn set_current_inventory(tx: &mut Tx, asset_id: &str, inventory_id: &str, now_ms: i64) -> Result<()> {
    let r = sqlx::query("UPDATE assets SET current_inventory = $1, updated_at = $2 WHERE id = $3")
        .bind(inventory_id)
        .bind(now_ms)
        .bind(asset_id)
        .execute(&mut **tx)
        .await?;
    expect_one(r, "asset")
}

/// One asset.
pub async fn get_asset(c: &mut AnyConnection, id: &str) -> Result<Option<AssetRow>> {
    let sql = format!("SELECT {ASSET_COLS} FROM assets WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await?)
}

/// One asset by organisation and name.
pub async fn asset_by_name(c: &mut AnyConnection, org_id: &str, name: &str) -> Result<Option<AssetRow>> {
    let sql = format!("SELECT {ASSET_COLS} FROM assets WHERE org_id = $1 AND name = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).bind(name).fetch_optional(c).await?)
}

/// An organisation's assets, by name.
pub async fn list_assets(c: &mut AnyConnection, org_id: &str) -> Result<Vec<AssetRow>> {
    let sql = format!("SELECT {ASSET_COLS} FROM assets WHERE org_id = $1 ORDER BY name");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_all(c).await?)
}

/// Assets of several organisations (`None`: every asset), for matching.
pub async fn assets_by_ids(c: &mut AnyConnection, ids: &[&str]) -> Result<Vec<AssetRow>> {
    let sql = format!("SELECT {ASSET_COLS} FROM assets WHERE {}", in_json(c, "id"));
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(json_list(ids)).fetch_all(c).await?)
}

/// An inventory as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InventoryRow {
    /// Id (uuid).
    pub id: String,
    /// The asset.
    pub asset_id: String,
    /// The asset's organisation.
    pub org_id: String,
    /// The format read (`cyclonedx-json`, `product-csv`, ...).
    pub format: String,
    /// The file name given.
    pub file_name: String,
    /// SHA-256 of the bytes, hex.
    pub digest: String,
    /// Components read.
    pub components: i64,
    /// Reader warnings, JSON array of strings.
    pub warnings: String,
    /// The components read, JSON (`ch_inventory::Inventory`).
    pub document: String,
    /// Who uploaded it (user id).
    pub uploaded_by: Option<String>,
    /// When, ms.
    pub uploaded_at: i64,
}

/// Inserts an inventory.
pub async fn insert_inventory(tx: &mut Tx, i: &InventoryRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO inventories (id, asset_id, org_id, format, file_name, digest, components, warnings, document, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&i.id)
    .bind(&i.asset_id)
    .bind(&i.org_id)
    .bind(&i.format)
    .bind(&i.file_name)
    .bind(&i.digest)
    .bind(i.components)
    .bind(&i.warnings)
    .bind(&i.document)
    .bind(i.uploaded_by.as_deref())
    .bind(i.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An asset's inventories, newest first, without their documents (`document` empty).
pub async fn list_inventories(c: &mut AnyConnection, asset_id: &str) -> Result<Vec<InventoryRow>> {
    Ok(sqlx::query_as(
        "SELECT id, asset_id, org_id, format, file_name, digest, components, warnings, '' AS document, uploaded_by, \
         uploaded_at FROM inventories WHERE asset_id = $1 ORDER BY uploaded_at DESC, id DESC",
    )
    .bind(asset_id)
    .fetch_all(c)
    .await?)
}

/// One inventory, with its document.
pub async fn get_inventory(c: &mut AnyConnection, id: &str) -> Result<Option<InventoryRow>> {
    Ok(sqlx::query_as(
        "SELECT id, asset_id, org_id, format, file_name, digest, components, warnings, document, uploaded_by, \
         uploaded_at FROM inventories WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// One component of a current inventory under one match key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ComponentRow {
    /// `p:<family>/<name>` or `r:<product>`.
    pub match_key: String,
    /// The asset.
    pub asset_id: String,
    /// Position in the inventory.
    pub ordinal: i64,
    /// The component, JSON (`ch_inventory::Component`).
    pub component: String,
}

/// Replaces an asset's reverse-index rows.
pub async fn replace_components(tx: &mut Tx, asset_id: &str, rows: &[ComponentRow]) -> Result<()> {
    sqlx::query("DELETE FROM asset_components WHERE asset_id = $1").bind(asset_id).execute(&mut **tx).await?;
    insert_many(tx, "INSERT INTO asset_components (match_key, asset_id, ordinal, component)", 4, rows, |q, r| {
        q.bind(&r.match_key).bind(&r.asset_id).bind(r.ordinal).bind(&r.component)
    })
    .await
}

/// Components of current inventories under any of `keys` (`r:*`: every product row).
pub async fn components_by_keys(c: &mut AnyConnection, keys: &[&str]) -> Result<Vec<ComponentRow>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(crate::knowledge::MAX_BINDS) {
        let sql = format!(
            "SELECT match_key, asset_id, ordinal, component FROM asset_components WHERE {}",
            in_json(c, "match_key")
        );
        out.extend(
            sqlx::query_as::<_, ComponentRow>(sqlx::AssertSqlSafe(sql))
                .bind(json_list(chunk))
                .fetch_all(&mut *c)
                .await?,
        );
    }
    Ok(out)
}

/// Every product-keyed component (for records that apply to any vendor and product).
pub async fn product_components(c: &mut AnyConnection) -> Result<Vec<ComponentRow>> {
    Ok(sqlx::query_as(
        "SELECT match_key, asset_id, ordinal, component FROM asset_components WHERE match_key >= 'r:' AND match_key < 'r;'",
    )
    .fetch_all(c)
    .await?)
}

/// The reverse-index rows of one asset (its current inventory), by ordinal.
pub async fn components_of_asset(c: &mut AnyConnection, asset_id: &str) -> Result<Vec<ComponentRow>> {
    Ok(sqlx::query_as(
        "SELECT match_key, asset_id, ordinal, component FROM asset_components WHERE asset_id = $1 ORDER BY ordinal",
    )
    .bind(asset_id)
    .fetch_all(c)
    .await?)
}

/// How many reverse-index rows there are (for the benchmark and status).
pub async fn component_rows(c: &mut AnyConnection) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM asset_components").fetch_one(c).await?;
    Ok(n)
}

/// Reads `exposure_state.matched_seq`, locking the row on PostgreSQL until the
/// transaction ends (SQLite's write transaction already excludes other matchers).
pub async fn lock_matched_seq(tx: &mut Tx) -> Result<i64> {
    let sql = match tx.backend() {
        crate::Backend::Postgres => "SELECT matched_seq FROM exposure_state WHERE singleton = 1 FOR UPDATE",
        crate::Backend::Sqlite => "SELECT matched_seq FROM exposure_state WHERE singleton = 1",
    };
    let (seq,): (i64,) = sqlx::query_as(sql).fetch_one(&mut **tx).await?;
    Ok(seq)
}

/// The change number findings reflect.
pub async fn matched_seq(c: &mut AnyConnection) -> Result<i64> {
    let (seq,): (i64,) =
        sqlx::query_as("SELECT matched_seq FROM exposure_state WHERE singleton = 1").fetch_one(c).await?;
    Ok(seq)
}

/// Sets the change number findings reflect.
pub async fn set_matched_seq(tx: &mut Tx, seq: i64) -> Result<()> {
    sqlx::query("UPDATE exposure_state SET matched_seq = $1 WHERE singleton = 1").bind(seq).execute(&mut **tx).await?;
    Ok(())
}

/// A finding: a flaw in a component of an asset.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FindingRow {
    /// Id (uuid).
    pub id: String,
    /// The asset's organisation.
    pub org_id: String,
    /// The asset.
    pub asset_id: String,
    /// The component without its version (purl without version, `ecosystem/name`,
    /// `vendor/product`): an upgrade is the same component.
    pub component_ref: String,
    /// The component's name as the inventory writes it.
    pub component_name: String,
    /// Its version when last matched.
    pub component_version: String,
    /// The flaw's id to show (smallest CVE id, else smallest id).
    pub flaw_id: String,
    /// Every id and alias of the flaw, JSON array.
    pub flaw_ids: String,
    /// One line about the flaw.
    pub summary: Option<String>,
    /// `open`, `fixed`, `accepted` or `not_affected`.
    pub state: String,
    /// Why the state is what it is.
    pub state_reason: Option<String>,
    /// For `accepted`: until when (ms).
    pub accepted_until: Option<i64>,
    /// Listed in CISA KEV (or marked exploited by its source).
    pub known_exploited: i64,
    /// KEV says ransomware campaigns use it.
    pub ransomware: i64,
    /// Highest score, tenths.
    pub score_tenths: Option<i64>,
    /// `critical`, `high`, `medium`, `low`.
    pub severity: Option<String>,
    /// Larger first (see `ch-exposure`).
    pub priority: i64,
    /// The smallest version that fixes it.
    pub fixed_version: Option<String>,
    /// The one thing to do, in a sentence.
    pub action: String,
    /// A VEX statement's status that applies.
    pub vex_status: Option<String>,
    /// What the statement says.
    pub vex_note: Option<String>,
    /// First matched, ms.
    pub first_seen: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// Closed (fixed, not affected), ms.
    pub closed_at: Option<i64>,
}

const FINDING_COLS: &str = "id, org_id, asset_id, component_ref, component_name, component_version, flaw_id, \
    flaw_ids, summary, state, state_reason, accepted_until, known_exploited, ransomware, score_tenths, severity, \
    priority, fixed_version, action, vex_status, vex_note, first_seen, updated_at, closed_at";

/// Inserts a finding; `Ok(false)` when one with its (asset, component, flaw) exists.
pub async fn insert_finding(tx: &mut Tx, f: &FindingRow) -> Result<bool> {
    let sql = format!(
        "INSERT INTO findings ({FINDING_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) ON CONFLICT (asset_id, component_ref, flaw_id) DO NOTHING"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&f.id)
        .bind(&f.org_id)
        .bind(&f.asset_id)
        .bind(&f.component_ref)
        .bind(&f.component_name)
        .bind(&f.component_version)
        .bind(&f.flaw_id)
        .bind(&f.flaw_ids)
        .bind(f.summary.as_deref())
        .bind(&f.state)
        .bind(f.state_reason.as_deref())
        .bind(f.accepted_until)
        .bind(f.known_exploited)
        .bind(f.ransomware)
        .bind(f.score_tenths)
        .bind(f.severity.as_deref())
        .bind(f.priority)
        .bind(f.fixed_version.as_deref())
        .bind(&f.action)
        .bind(f.vex_status.as_deref())
        .bind(f.vex_note.as_deref())
        .bind(f.first_seen)
        .bind(f.updated_at)
        .bind(f.closed_at)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Inserts findings, several per statement; returns the ids of those inserted (a
/// finding whose (asset, component, flaw) exists already is skipped, as in
/// [`insert_finding`]).
pub async fn insert_findings(tx: &mut Tx, rows: &[FindingRow]) -> Result<Vec<String>> {
    const COLS: usize = 24;
    let per = match tx.backend() {
        crate::Backend::Sqlite => 40,
        crate::Backend::Postgres => 400,
    };
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(per) {
        let sql = format!(
            "INSERT INTO findings ({FINDING_COLS}) VALUES {} ON CONFLICT (asset_id, component_ref, flaw_id) DO NOTHING \
             RETURNING id",
            crate::knowledge::placeholders(tx.backend(), chunk.len(), COLS)
        );
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        for f in chunk {
            q = q
                .bind(&f.id)
                .bind(&f.org_id)
                .bind(&f.asset_id)
                .bind(&f.component_ref)
                .bind(&f.component_name)
                .bind(&f.component_version)
                .bind(&f.flaw_id)
                .bind(&f.flaw_ids)
                .bind(f.summary.as_deref())
                .bind(&f.state)
                .bind(f.state_reason.as_deref())
                .bind(f.accepted_until)
                .bind(f.known_exploited)
                .bind(f.ransomware)
                .bind(f.score_tenths)
                .bind(f.severity.as_deref())
                .bind(f.priority)
                .bind(f.fixed_version.as_deref())
                .bind(&f.action)
                .bind(f.vex_status.as_deref())
                .bind(f.vex_note.as_deref())
                .bind(f.first_seen)
                .bind(f.updated_at)
                .bind(f.closed_at);
        }
        inserted.extend(q.fetch_all(&mut **tx).await?.into_iter().map(|r| r.0));
    }
    Ok(inserted)
}

/// Rewrites a finding's mutable columns.
pub async fn update_finding(tx: &mut Tx, f: &FindingRow) -> Result<()> {
    let r = sqlx::query(
        "UPDATE findings SET component_name = $1, component_version = $2, flaw_id = $3, flaw_ids = $4, summary = $5, \
         state = $6, state_reason = $7, accepted_until = $8, known_exploited = $9, ransomware = $10, \
         score_tenths = $11, severity = $12, priority = $13, fixed_version = $14, action = $15, vex_status = $16, \
         vex_note = $17, updated_at = $18, closed_at = $19 WHERE id = $20",
    )
    .bind(&f.component_name)
    .bind(&f.component_version)
    .bind(&f.flaw_id)
    .bind(&f.flaw_ids)
    .bind(f.summary.as_deref())
    .bind(&f.state)
    .bind(f.state_reason.as_deref())
    .bind(f.accepted_until)
    .bind(f.known_exploited)
    .bind(f.ransomware)
    .bind(f.score_tenths)
    .bind(f.severity.as_deref())
    .bind(f.priority)
    .bind(f.fixed_version.as_deref())
    .bind(&f.action)
    .bind(f.vex_status.as_deref())
    .bind(f.vex_note.as_deref())
    .bind(f.updated_at)
    .bind(f.closed_at)
    .bind(&f.id)
    .execute(&mut **tx)
    .await?;
    expect_one(r, "finding")
}

/// One finding.
pub async fn get_finding(c: &mut AnyConnection, id: &str) -> Result<Option<FindingRow>> {
    let sql = format!("SELECT {FINDING_COLS} FROM findings WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await?)
}

/// Every finding of the assets given (any state).
pub async fn findings_of_assets(c: &mut AnyConnection, asset_ids: &[&str]) -> Result<Vec<FindingRow>> {
    let mut out = Vec::new();
    for chunk in asset_ids.chunks(crate::knowledge::MAX_BINDS) {
        let sql = format!("SELECT {FINDING_COLS} FROM findings WHERE {}", in_json(c, "asset_id"));
        out.extend(
            sqlx::query_as::<_, FindingRow>(sqlx::AssertSqlSafe(sql)).bind(json_list(chunk)).fetch_all(&mut *c).await?,
        );
    }
    Ok(out)
}

/// Every finding whose flaw id is one of `ids`.
pub async fn findings_by_flaw(c: &mut AnyConnection, ids: &[&str]) -> Result<Vec<FindingRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::knowledge::MAX_BINDS) {
        let sql = format!("SELECT {FINDING_COLS} FROM findings WHERE {}", in_json(c, "flaw_id"));
        out.extend(
            sqlx::query_as::<_, FindingRow>(sqlx::AssertSqlSafe(sql)).bind(json_list(chunk)).fetch_all(&mut *c).await?,
        );
    }
    Ok(out)
}

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// Only this asset.
    pub asset_id: Option<String>,
    /// Only these states (empty: every state).
    pub states: Vec<String>,
    /// At most this many (0: up to 100,000).
    pub limit: i64,
    /// Skip this many.
    pub offset: i64,
}

/// An organisation's findings, highest priority first, then newest.
pub async fn list_findings(c: &mut AnyConnection, org_id: &str, f: &FindingFilter) -> Result<Vec<FindingRow>> {
    let states = json_list(&f.states);
    let state_clause = if f.states.is_empty() { "1 = 1".to_owned() } else { in_json_at(c, "state", 3) };
    let sql = format!(
        "SELECT {FINDING_COLS} FROM findings WHERE org_id = $1 AND ($2 = '' OR asset_id = $2) AND {state_clause} \
         ORDER BY priority DESC, first_seen DESC, id LIMIT {} OFFSET {}",
        if f.limit <= 0 { 100_000 } else { f.limit.min(100_000) },
        f.offset.max(0)
    );
    let mut q = sqlx::query_as::<_, FindingRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(f.asset_id.clone().unwrap_or_default());
    if !f.states.is_empty() {
        q = q.bind(states);
    }
    Ok(q.fetch_all(c).await?)
}

fn in_json_at(c: &AnyConnection, column: &str, n: usize) -> String {
    in_json(c, column).replace("$1", &format!("${n}"))
}

/// Counts of an organisation's findings by state (and open ones that need doing now).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingCounts {
    /// Open.
    pub open: i64,
    /// Open and known exploited or critical.
    pub do_now: i64,
    /// Accepted.
    pub accepted: i64,
    /// Not affected (VEX).
    pub not_affected: i64,
    /// Fixed.
    pub fixed: i64,
}

/// Counts of an organisation's findings (of one asset when given).
pub async fn finding_counts(c: &mut AnyConnection, org_id: &str, asset_id: Option<&str>) -> Result<FindingCounts> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT state, COUNT(*), SUM(CASE WHEN known_exploited = 1 OR severity = 'critical' THEN 1 ELSE 0 END) \
         FROM findings WHERE org_id = $1 AND ($2 = '' OR asset_id = $2) GROUP BY state",
    )
    .bind(org_id)
    .bind(asset_id.unwrap_or(""))
    .fetch_all(c)
    .await?;
    let mut out = FindingCounts::default();
    for (state, n, urgent) in rows {
        match state.as_str() {
            "open" => {
                out.open = n;
                out.do_now = urgent;
            }
            "accepted" => out.accepted = n,
            "not_affected" => out.not_affected = n,
            "fixed" => out.fixed = n,
            _ => {}
        }
    }
    Ok(out)
}

/// `(first_seen, closed_at, state)` of an organisation's findings: the open-findings chart
/// is drawn from these.
pub async fn finding_spans(c: &mut AnyConnection, org_id: &str) -> Result<Vec<(i64, Option<i64>, String)>> {
    Ok(sqlx::query_as("SELECT first_seen, closed_at, state FROM findings WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(c)
        .await?)
}

/// Accepted findings whose acceptance has run out by `now_ms`.
pub async fn expired_acceptances(c: &mut AnyConnection, now_ms: i64) -> Result<Vec<FindingRow>> {
    let sql = format!(
        "SELECT {FINDING_COLS} FROM findings WHERE state = 'accepted' AND accepted_until IS NOT NULL \
         AND accepted_until <= $1"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now_ms).fetch_all(c).await?)
}

/// Whether any accepted finding's acceptance has run out by `now_ms` (the watcher's cheap
/// check, every few seconds, before it enqueues a match run).
pub async fn any_expired_acceptance(c: &mut AnyConnection, now_ms: i64) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM findings WHERE state = 'accepted' AND accepted_until IS NOT NULL AND accepted_until <= $1 \
         LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(c)
    .await?;
    Ok(row.is_some())
}

/// How many findings exist (every organisation; for the benchmark).
pub async fn finding_total(c: &mut AnyConnection) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM findings").fetch_one(c).await?;
    Ok(n)
}

/// A VEX statement as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VexRow {
    /// Id (uuid).
    pub id: String,
    /// The organisation that made or imported it.
    pub org_id: String,
    /// The vulnerability id it is about.
    pub vulnerability: String,
    /// `not_affected`, `affected`, `fixed`, `under_investigation`.
    pub status: String,
    /// The statement, JSON (`ch_vex::VexStatement`).
    pub statement: String,
    /// `manual`, or the imported document's format and id.
    pub source: String,
    /// Who recorded it (user id).
    pub created_by: Option<String>,
    /// When, ms.
    pub created_at: i64,
}

/// Inserts a statement.
pub async fn insert_vex(tx: &mut Tx, v: &VexRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO vex_statements (id, org_id, vulnerability, status, statement, source, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&v.id)
    .bind(&v.org_id)
    .bind(&v.vulnerability)
    .bind(&v.status)
    .bind(&v.statement)
    .bind(&v.source)
    .bind(v.created_by.as_deref())
    .bind(v.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An organisation's statements, oldest first (later statements win).
pub async fn list_vex(c: &mut AnyConnection, org_id: &str) -> Result<Vec<VexRow>> {
    Ok(sqlx::query_as(
        "SELECT id, org_id, vulnerability, status, statement, source, created_by, created_at FROM vex_statements \
         WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

/// Statements of several organisations, oldest first.
pub async fn vex_of_orgs(c: &mut AnyConnection, org_ids: &[&str]) -> Result<Vec<VexRow>> {
    let sql = format!(
        "SELECT id, org_id, vulnerability, status, statement, source, created_by, created_at FROM vex_statements \
         WHERE {} ORDER BY created_at, id",
        in_json(c, "org_id")
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(json_list(org_ids)).fetch_all(c).await?)
}

/// Statements made by vendor organisations (about their own products), oldest first, with
/// the vendor's name: they annotate every organisation's findings.
pub async fn vendor_vex(c: &mut AnyConnection) -> Result<Vec<(String, VexRow)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        vendor: String,
        #[sqlx(flatten)]
        row: VexRow,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT o.name AS vendor, v.id, v.org_id, v.vulnerability, v.status, v.statement, v.source, v.created_by, \
         v.created_at FROM vex_statements v JOIN organisations o ON o.id = v.org_id WHERE o.kind = 'vendor' \
         ORDER BY v.created_at, v.id",
    )
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|r| (r.vendor, r.row)).collect())
}

/// Whether an organisation is a vendor.
pub async fn is_vendor(c: &mut AnyConnection, org_id: &str) -> Result<bool> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT kind FROM organisations WHERE id = $1").bind(org_id).fetch_optional(c).await?;
    Ok(row.is_some_and(|(k,)| k == "vendor"))
}

/// Deletes a statement of an organisation.
pub async fn delete_vex(tx: &mut Tx, org_id: &str, id: &str) -> Result<()> {
    let r = sqlx::query("DELETE FROM vex_statements WHERE id = $1 AND org_id = $2")
        .bind(id)
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    expect_one(r, "VEX statement")
}

/// An organisation's notification settings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationSettingsRow {
    /// The organisation.
    pub org_id: String,
    /// Where webhooks go.
    pub webhook_url: Option<String>,
    /// The sealed blob holding the webhook signing secret.
    pub webhook_secret: Option<String>,
    /// E-mail recipients, JSON array.
    pub email_to: String,
    /// One message a day instead of one per finding.
    pub digest: i64,
    /// Last changed, ms.
    pub updated_at: i64,
}

/// An organisation's settings, if set.
pub async fn get_notification_settings(c: &mut AnyConnection, org_id: &str) -> Result<Option<NotificationSettingsRow>> {
    Ok(sqlx::query_as(
        "SELECT org_id, webhook_url, webhook_secret, email_to, digest, updated_at FROM notification_settings \
         WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(c)
    .await?)
}

/// Every organisation's settings.
pub async fn all_notification_settings(c: &mut AnyConnection) -> Result<Vec<NotificationSettingsRow>> {
    Ok(sqlx::query_as(
        "SELECT org_id, webhook_url, webhook_secret, email_to, digest, updated_at FROM notification_settings",
    )
    .fetch_all(c)
    .await?)
}

/// Sets an organisation's settings.
pub async fn put_notification_settings(tx: &mut Tx, s: &NotificationSettingsRow) -> Result<()> {
    sqlx::query("DELETE FROM notification_settings WHERE org_id = $1").bind(&s.org_id).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO notification_settings (org_id, webhook_url, webhook_secret, email_to, digest, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.org_id)
    .bind(s.webhook_url.as_deref())
    .bind(s.webhook_secret.as_deref())
    .bind(&s.email_to)
    .bind(s.digest)
    .bind(s.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    /// Id (uuid).
    pub id: String,
    /// The organisation told.
    pub org_id: String,
    /// `finding` or `digest`.
    pub kind: String,
    /// The finding it is about.
    pub finding_id: Option<String>,
    /// The finding's priority (for ranking digests).
    pub priority: i64,
    /// One line.
    pub title: String,
    /// Plain text.
    pub body: String,
    /// What webhooks carry besides the text (the findings), JSON object.
    pub payload: String,
    /// Whether a digest has covered it.
    pub digested: i64,
    /// When, ms.
    pub created_at: i64,
    /// When someone read it.
    pub read_at: Option<i64>,
}

const NOTIFICATION_COLS: &str =
    "id, org_id, kind, finding_id, priority, title, body, payload, digested, created_at, read_at";

/// Inserts a notification.
pub async fn insert_notification(tx: &mut Tx, n: &NotificationRow) -> Result<()> {
    let sql = format!(
        "INSERT INTO notifications ({NOTIFICATION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&n.id)
        .bind(&n.org_id)
        .bind(&n.kind)
        .bind(n.finding_id.as_deref())
        .bind(n.priority)
        .bind(&n.title)
        .bind(&n.body)
        .bind(&n.payload)
        .bind(n.digested)
        .bind(n.created_at)
        .bind(n.read_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One notification.
pub async fn get_notification(c: &mut AnyConnection, id: &str) -> Result<Option<NotificationRow>> {
    let sql = format!("SELECT {NOTIFICATION_COLS} FROM notifications WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await?)
}

/// An organisation's notifications, newest first.
pub async fn list_notifications(c: &mut AnyConnection, org_id: &str, limit: i64) -> Result<Vec<NotificationRow>> {
    let sql = format!(
        "SELECT {NOTIFICATION_COLS} FROM notifications WHERE org_id = $1 ORDER BY created_at DESC, id LIMIT {}",
        limit.clamp(0, 10_000)
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_all(c).await?)
}

/// Marks a notification read.
pub async fn mark_notification_read(tx: &mut Tx, org_id: &str, id: &str, now_ms: i64) -> Result<()> {
    let r = sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND org_id = $3 AND read_at IS NULL")
        .bind(now_ms)
        .bind(id)
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    expect_one(r, "unread notification")
}

/// Finding notifications no digest has covered yet, highest priority first.
pub async fn undigested(tx: &mut Tx, org_id: &str) -> Result<Vec<NotificationRow>> {
    let sql = format!(
        "SELECT {NOTIFICATION_COLS} FROM notifications WHERE org_id = $1 AND kind = 'finding' AND digested = 0 \
         ORDER BY priority DESC, created_at"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_all(&mut **tx).await?)
}

/// Marks notifications as covered by a digest.
pub async fn mark_digested(tx: &mut Tx, ids: &[&str]) -> Result<()> {
    for chunk in ids.chunks(crate::knowledge::MAX_BINDS) {
        let sql = format!("UPDATE notifications SET digested = 1 WHERE {}", in_json(tx, "id"));
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(json_list(chunk)).execute(&mut **tx).await?;
    }
    Ok(())
}

/// One notification's delivery over one channel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    /// Id (uuid): the idempotency key receivers see.
    pub id: String,
    /// The notification.
    pub notification_id: String,
    /// Its organisation.
    pub org_id: String,
    /// `webhook` or `email`.
    pub channel: String,
    /// `pending`, `sending` (an attempt started), `sent`, `failed`.
    pub state: String,
    /// Attempts started.
    pub attempts: i64,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// When it was sent, ms.
    pub sent_at: Option<i64>,
    /// Created, ms.
    pub created_at: i64,
}

const DELIVERY_COLS: &str = "id, notification_id, org_id, channel, state, attempts, last_error, sent_at, created_at";

/// Inserts a delivery.
pub async fn insert_delivery(tx: &mut Tx, d: &DeliveryRow) -> Result<()> {
    let sql = format!("INSERT INTO deliveries ({DELIVERY_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&d.id)
        .bind(&d.notification_id)
        .bind(&d.org_id)
        .bind(&d.channel)
        .bind(&d.state)
        .bind(d.attempts)
        .bind(d.last_error.as_deref())
        .bind(d.sent_at)
        .bind(d.created_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One delivery.
pub async fn get_delivery(c: &mut AnyConnection, id: &str) -> Result<Option<DeliveryRow>> {
    let sql = format!("SELECT {DELIVERY_COLS} FROM deliveries WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await?)
}

/// An organisation's deliveries, newest first.
pub async fn list_deliveries(c: &mut AnyConnection, org_id: &str, limit: i64) -> Result<Vec<DeliveryRow>> {
    let sql = format!(
        "SELECT {DELIVERY_COLS} FROM deliveries WHERE org_id = $1 ORDER BY created_at DESC, id LIMIT {}",
        limit.clamp(0, 10_000)
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_all(c).await?)
}

/// Records an attempt's start (`sending`, attempts + 1) unless the delivery is already
/// sent; returns the row as it now is.
pub async fn start_delivery(tx: &mut Tx, id: &str) -> Result<DeliveryRow> {
    sqlx::query("UPDATE deliveries SET state = 'sending', attempts = attempts + 1 WHERE id = $1 AND state <> 'sent'")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let sql = format!("SELECT {DELIVERY_COLS} FROM deliveries WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut **tx).await?)
}

/// Records an attempt's end.
pub async fn finish_delivery(
    tx: &mut Tx,
    id: &str,
    state: &str,
    error: Option<&str>,
    sent_at: Option<i64>,
) -> Result<()> {
    let r = sqlx::query("UPDATE deliveries SET state = $1, last_error = $2, sent_at = $3 WHERE id = $4")
        .bind(state)
        .bind(error)
        .bind(sent_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    expect_one(r, "delivery")
}
