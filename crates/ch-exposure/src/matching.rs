//! Assets, uploads and matching: inventories in, findings reconciled.
//!
//! Reconciling a set of an asset's components (all of them after an upload; those a
//! knowledge change can be about otherwise) pairs each current match (component, flaw)
//! with the existing finding of the same component whose flaw shares an id or alias;
//! unpaired matches become new findings, unpaired findings in scope are closed as fixed
//! with the reason. The index is read once, synchronously, before any SQL (its lock is
//! never held across an await).

use std::collections::{BTreeMap, HashMap, HashSet};

use ch_inventory::Component;
use ch_match::{Index, Origin, RecordKey};
use ch_store::Tx;
use ch_store::exposure::{self as db, AssetRow, ComponentRow, FindingRow, InventoryRow};
use ch_vex::VexStatement;
use serde::Serialize;
use sha2::Digest;

use crate::notify::NewFinding;
use crate::priority::{Criticality, Urgency, action, priority};
use crate::{Error, Exposure, Result};

/// The component without its version: an upgrade is the same component. A purl loses its
/// `@version`; a CPE its version part; otherwise `ecosystem/name` or `vendor/product`.
pub fn component_ref(c: &Component) -> String {
    let given = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(purl) = given(&c.purl) {
        let (body, rest) = match purl.find(['?', '#']) {
            Some(i) => purl.split_at(i),
            None => (purl.as_str(), ""),
        };
        let slash = body.rfind('/').unwrap_or(0);
        let body = match body[slash..].rfind('@') {
            Some(at) => &body[..slash + at],
            None => body,
        };
        return format!("{body}{rest}");
    }
    if let Some(eco) = given(&c.ecosystem) {
        return format!("{eco}/{}", c.name.trim());
    }
    if let Some(cpe) = given(&c.cpe) {
        let mut parts: Vec<&str> = cpe.split(':').collect();
        if parts.len() > 5 {
            parts[5] = "*";
        }
        return parts.join(":").to_lowercase();
    }
    let vendor = given(&c.vendor).unwrap_or_default();
    let product = given(&c.product).unwrap_or_else(|| c.name.trim().to_owned());
    format!("{}/{}", vendor.to_lowercase(), product.to_lowercase())
}

/// How a component is shown in sentences: "FortiOS", "requests".
fn component_label(c: &Component) -> String {
    c.product.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(c.name.trim()).to_owned()
}

/// Identifiers a VEX statement's product may name this component by.
fn vex_targets(c: &Component) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = c.purl.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push(p.trim().to_owned());
    }
    if let Some(cpe) = c.cpe.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push(cpe.trim().to_owned());
    }
    if let (Some(v), Some(p), Some(ver)) = (c.vendor.as_deref(), c.product.as_deref(), c.version.as_deref()) {
        let f = |s: &str| ch_match::normalise_product_name(s).replace(':', "\\:");
        out.push(format!("cpe:2.3:a:{}:{}:{}:*:*:*:*:*:*:*", f(v), f(p), f(ver)));
        out.push(format!("cpe:2.3:o:{}:{}:{}:*:*:*:*:*:*:*", f(v), f(p), f(ver)));
        out.push(format!("cpe:2.3:h:{}:{}:{}:*:*:*:*:*:*:*", f(v), f(p), f(ver)));
    }
    out.push(component_ref(c));
    out
}

/// One (component, flaw) match, read from the index.
#[derive(Clone, Debug)]
pub(crate) struct Current {
    component_ref: String,
    name: String,
    label: String,
    version: String,
    flaw_id: String,
    flaw_ids: Vec<String>,
    summary: Option<String>,
    urgency: Urgency,
    fixed: Option<String>,
    /// No fixed version known, but every version after this one is fixed.
    fixed_after: Option<String>,
    vex_targets: Vec<String>,
}

/// What the index says about one flaw for one component identity.
#[derive(Clone, Debug)]
struct FlawMatch {
    flaw_id: String,
    flaw_ids: Vec<String>,
    summary: Option<String>,
    urgency: Urgency,
    fixed: Option<String>,
    fixed_after: Option<String>,
}

/// Index answers per component identity (purl, ecosystem, name, version, CPE, vendor,
/// product) within one matching run: a fleet holds the same few versions of a package on
/// many assets, and each is asked once.
#[derive(Default)]
pub(crate) struct MatchCache {
    /// The flaws of an identity, and why it could not be looked up (if so).
    by_identity: HashMap<String, (Vec<FlawMatch>, Option<String>)>,
}

fn identity(c: &Component) -> String {
    let f = |s: &Option<String>| s.as_deref().unwrap_or_default().to_owned();
    [f(&c.purl), f(&c.ecosystem), c.name.clone(), f(&c.version), f(&c.cpe), f(&c.vendor), f(&c.product)].join("\u{1f}")
}

fn flaw_matches(index: &Index, c: &Component) -> (Vec<FlawMatch>, Option<String>) {
    let found = index.match_components(std::slice::from_ref(c));
    let skipped = found.skipped.first().map(|s| s.reason.clone());
    let mut by_flaw: BTreeMap<String, FlawMatch> = BTreeMap::new();
    for m in &found.matches {
        // OSV records first: their remedies are per package, the NVD's per product line.
        let mut hits: Vec<&ch_match::Hit> = m.hits.iter().collect();
        hits.sort_by_key(|h| h.key.origin != Origin::Osv);
        for hit in hits {
            let Some(flaw) = index.flaw(&hit.key.id) else { continue };
            let entry = by_flaw.entry(flaw.primary_id.clone()).or_insert_with(|| {
                let exploited = flaw.exploited.as_ref();
                let top = flaw.max_severity.as_ref();
                FlawMatch {
                    flaw_id: flaw.primary_id.clone(),
                    flaw_ids: flaw.ids.clone(),
                    summary: None,
                    urgency: Urgency {
                        known_exploited: exploited.is_some(),
                        ransomware: exploited.and_then(|e| e.known_ransomware_campaign_use).unwrap_or(false),
                        required_action: exploited.and_then(|e| e.required_action.clone()),
                        score: top.and_then(|s| s.value),
                        severity: top.and_then(|s| s.severity).map(|s| s.as_str().to_ascii_lowercase()),
                    },
                    fixed: None,
                    fixed_after: None,
                }
            });
            if entry.fixed.is_none() {
                entry.fixed = hit.remedy.clone();
            }
            if entry.fixed_after.is_none() {
                entry.fixed_after = hit.fixed_after.clone();
            }
            if entry.summary.is_none() {
                entry.summary = hit.advisory.summary.clone().filter(|s| !s.trim().is_empty());
            }
        }
    }
    (by_flaw.into_values().collect(), skipped)
}

/// Every (component, flaw) match of `components`, and why components could not be looked
/// up (no version, a purl without an OSV ecosystem, ...).
pub(crate) fn current_matches(
    index: &Index,
    components: &[Component],
    cache: &mut MatchCache,
) -> (Vec<Current>, Vec<String>) {
    let mut out: Vec<Current> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for c in components {
        let (flaws, why) = cache.by_identity.entry(identity(c)).or_insert_with(|| flaw_matches(index, c));
        if let Some(why) = why {
            skipped.push(why.clone());
        }
        if flaws.is_empty() {
            continue;
        }
        let (component_ref, label, targets) = (component_ref(c), component_label(c), vex_targets(c));
        out.extend(flaws.iter().map(|f| Current {
            component_ref: component_ref.clone(),
            name: c.name.clone(),
            label: label.clone(),
            version: c.version.clone().unwrap_or_default(),
            flaw_id: f.flaw_id.clone(),
            flaw_ids: f.flaw_ids.clone(),
            summary: f.summary.clone(),
            urgency: f.urgency.clone(),
            fixed: f.fixed.clone(),
            fixed_after: f.fixed_after.clone(),
            vex_targets: targets.clone(),
        }));
    }
    (out, skipped)
}

/// The statements that bear on an organisation's findings: its own (they decide a
/// finding's state) and vendors' statements about their products (they annotate it: a
/// vendor's word does not close another organisation's finding, its IT person does).
#[derive(Clone, Debug, Default)]
pub(crate) struct Statements {
    pub(crate) own: Vec<VexStatement>,
    pub(crate) vendors: Vec<(String, VexStatement)>,
}

/// The last statement that speaks about the flaw in the component.
fn vex_for<'a, T>(statements: &'a [T], get: impl Fn(&T) -> &VexStatement, c: &Current) -> Option<&'a T> {
    let ids: Vec<&str> = c.flaw_ids.iter().map(String::as_str).collect();
    statements.iter().rev().find(|s| c.vex_targets.iter().any(|t| get(s).applies_to(&ids, t)))
}

/// What reconciling one asset did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Reconciled {
    /// New findings (any state).
    pub new: u64,
    /// Findings that were open again (or for the first time) and are news.
    pub news: u64,
    /// Findings closed.
    pub closed: u64,
    /// Findings rewritten (version, priority, sentence, flaw ids).
    pub updated: u64,
}

impl Reconciled {
    fn add(&mut self, o: &Reconciled) {
        self.new += o.new;
        self.news += o.news;
        self.closed += o.closed;
        self.updated += o.updated;
    }
}

pub(crate) struct Scope<'a> {
    /// Component refs in scope (`None`: every finding of the asset).
    pub(crate) refs: Option<&'a HashSet<String>>,
    /// Why a finding in scope with no match any more is closed.
    pub(crate) gone: &'a (dyn Fn(&FindingRow) -> String + Send + Sync),
}

/// Applies `current` to the asset's `existing` findings, in `tx`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply(
    tx: &mut Tx,
    asset: &AssetRow,
    current: Vec<Current>,
    existing: Vec<FindingRow>,
    statements: &Statements,
    scope: Scope<'_>,
    now: i64,
    news: &mut Vec<NewFinding>,
) -> Result<Reconciled> {
    let criticality: Criticality = asset.criticality.parse().unwrap_or(Criticality::Medium);
    let mut out = Reconciled::default();
    let mut paired: HashSet<String> = HashSet::new();
    let mut fresh: Vec<(FindingRow, bool)> = Vec::new();
    let mut by_ref: HashMap<&str, Vec<&FindingRow>> = HashMap::new();
    for f in &existing {
        by_ref.entry(f.component_ref.as_str()).or_default().push(f);
    }
    let parse_ids = |f: &FindingRow| -> Vec<String> { serde_json::from_str(&f.flaw_ids).unwrap_or_default() };
    for c in current {
        let prior = by_ref.get(c.component_ref.as_str()).and_then(|fs| {
            fs.iter()
                .find(|f| {
                    !paired.contains(&f.id)
                        && (c.flaw_ids.contains(&f.flaw_id) || parse_ids(f).iter().any(|i| c.flaw_ids.contains(i)))
                })
                .copied()
        });
        let vex = vex_for(&statements.own, |s| s, &c);
        let vendor = if vex.is_none() { vex_for(&statements.vendors, |(_, s)| s, &c) } else { None };
        let mut row = FindingRow {
            id: prior.map_or_else(|| uuid::Uuid::now_v7().to_string(), |p| p.id.clone()),
            org_id: asset.org_id.clone(),
            asset_id: asset.id.clone(),
            component_ref: c.component_ref.clone(),
            component_name: c.name.clone(),
            component_version: c.version.clone(),
            flaw_id: c.flaw_id.clone(),
            flaw_ids: serde_json::to_string(&c.flaw_ids).unwrap_or_else(|_| "[]".into()),
            summary: c.summary.clone(),
            state: "open".into(),
            state_reason: None,
            accepted_until: None,
            known_exploited: i64::from(c.urgency.known_exploited),
            ransomware: i64::from(c.urgency.ransomware),
            // Only a real score is shown as one; a severity word ranks as its band (priority).
            score_tenths: c.urgency.score.filter(|s| s.is_finite()).map(|s| (s * 10.0).round() as i64),
            severity: c.urgency.severity.clone(),
            priority: priority(&c.urgency, criticality),
            fixed_version: c.fixed.clone(),
            action: action(&c.urgency, &c.label, &asset.name, c.fixed.as_deref(), c.fixed_after.as_deref()),
            vex_status: vex.or(vendor.map(|(_, s)| s)).map(|s| s.status.as_str().to_owned()),
            vex_note: match (vex, vendor) {
                (Some(s), _) => vex_note(s),
                (None, Some((name, s))) => Some(match vex_note(s) {
                    Some(n) => format!("{name} says {}: {n}", s.status.as_str().replace('_', " ")),
                    None => format!("{name} says {}", s.status.as_str().replace('_', " ")),
                }),
                (None, None) => None,
            },
            first_seen: prior.map_or(now, |p| p.first_seen),
            updated_at: now,
            closed_at: None,
        };
        match vex.map(|s| s.status) {
            Some(ch_vex::Status::NotAffected) => {
                row.state = "not_affected".into();
                row.state_reason = Some(format!("VEX statement: {}", row.vex_note.clone().unwrap_or_default()));
            }
            Some(ch_vex::Status::Fixed) => {
                row.state = "fixed".into();
                row.state_reason = Some("VEX statement: fixed in this version".into());
            }
            _ => {
                if let Some(p) = prior
                    && p.state == "accepted"
                {
                    if p.accepted_until.is_none_or(|u| u > now) {
                        row.state = "accepted".into();
                        row.state_reason = p.state_reason.clone();
                        row.accepted_until = p.accepted_until;
                    } else {
                        row.state_reason = Some("the acceptance expired".into());
                    }
                } else if let Some(p) = prior
                    && p.state == "open"
                {
                    row.state_reason = p.state_reason.clone();
                }
            }
        }
        if row.state == "fixed" || row.state == "not_affected" {
            row.closed_at = Some(prior.and_then(|p| p.closed_at).unwrap_or(now));
        }
        let is_news = row.state == "open" && prior.is_none_or(|p| p.state != "open");
        match prior {
            Some(p) => {
                paired.insert(p.id.clone());
                if changed(p, &row) {
                    db::update_finding(tx, &row).await?;
                    out.updated += 1;
                    if row.closed_at.is_some() && p.closed_at.is_none() {
                        out.closed += 1;
                    }
                }
            }
            None => {
                // Written together below.
                fresh.push((row, is_news));
                continue;
            }
        }
        if is_news {
            out.news += 1;
            news.push(NewFinding { row, asset_name: asset.name.clone() });
        }
    }
    let rows: Vec<FindingRow> = fresh.iter().map(|(r, _)| r.clone()).collect();
    // Another matcher may have recorded some first (same asset, component, flaw): only
    // those inserted here are new, and news.
    let inserted: HashSet<String> = db::insert_findings(tx, &rows).await?.into_iter().collect();
    for (row, is_news) in fresh {
        if !inserted.contains(&row.id) {
            continue;
        }
        out.new += 1;
        if is_news {
            out.news += 1;
            news.push(NewFinding { row, asset_name: asset.name.clone() });
        }
    }
    for f in &existing {
        if paired.contains(&f.id) || f.state == "fixed" {
            continue;
        }
        if let Some(refs) = scope.refs
            && !refs.contains(&f.component_ref)
        {
            continue;
        }
        let mut row = f.clone();
        row.state = "fixed".into();
        row.state_reason = Some((scope.gone)(f));
        row.closed_at = Some(now);
        row.updated_at = now;
        db::update_finding(tx, &row).await?;
        out.closed += 1;
    }
    Ok(out)
}

fn changed(a: &FindingRow, b: &FindingRow) -> bool {
    let mut a = a.clone();
    a.updated_at = b.updated_at;
    a != *b
}

fn vex_note(s: &VexStatement) -> Option<String> {
    let parts: Vec<String> = [
        s.justification.map(|j| j.as_str().replace('_', " ")),
        s.impact_statement.clone(),
        s.action_statement.clone(),
        s.status_notes.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.trim().is_empty())
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// What an upload did.
#[derive(Clone, Debug, Serialize)]
pub struct UploadOutcome {
    /// The inventory stored (without its document).
    pub inventory_id: String,
    /// The format read.
    pub format: String,
    /// Components read.
    pub components: usize,
    /// Components that could not be looked up, with the reason.
    pub skipped: Vec<String>,
    /// Reader warnings.
    pub warnings: Vec<String>,
    /// What happened to findings.
    pub findings: Reconciled,
}

/// What one run of [`Exposure::match_changes`] did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MatchRun {
    /// The change number findings reflected before.
    pub from_seq: i64,
    /// The change number they reflect now.
    pub to_seq: i64,
    /// Records changed in between.
    pub records: usize,
    /// KEV entries changed in between.
    pub kev: usize,
    /// Components the reverse index returned.
    pub components: usize,
    /// Assets reconciled.
    pub assets: usize,
    /// What happened to findings.
    pub findings: Reconciled,
}

pub(crate) fn statements_of(rows: &[db::VexRow], vendors: &[(String, VexStatement)], org: &str) -> Statements {
    Statements {
        own: rows.iter().filter(|r| r.org_id == org).filter_map(|r| serde_json::from_str(&r.statement).ok()).collect(),
        vendors: vendors.to_vec(),
    }
}

/// Every vendor's statements, parsed.
pub(crate) async fn vendor_statements(c: &mut Tx) -> Result<Vec<(String, VexStatement)>> {
    Ok(db::vendor_vex(c)
        .await?
        .into_iter()
        .filter_map(|(name, r)| serde_json::from_str(&r.statement).ok().map(|s| (name, s)))
        .collect())
}

impl Exposure {
    /// Creates an asset in `org_id`.
    pub async fn create_asset(
        &self,
        org_id: &str,
        name: &str,
        criticality: Criticality,
        owner: Option<&str>,
        description: Option<&str>,
    ) -> Result<AssetRow> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Error::Invalid("an asset needs a name of 1 to 200 characters".into()));
        }
        let now = self.now();
        let row = AssetRow {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: org_id.to_owned(),
            name: name.to_owned(),
            criticality: criticality.as_str().to_owned(),
            owner: owner.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
            description: description.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
            current_inventory: None,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        db::insert_asset(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Changes an asset's criticality, owner and description; findings are re-ranked.
    pub async fn update_asset(
        &self,
        asset: &AssetRow,
        criticality: Criticality,
        owner: Option<&str>,
        description: Option<&str>,
    ) -> Result<AssetRow> {
        let mut row = asset.clone();
        row.criticality = criticality.as_str().to_owned();
        row.owner = owner.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        row.description = description.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        row.updated_at = self.now();
        let mut tx = self.store.begin().await?;
        db::update_asset(&mut tx, &row).await?;
        self.rematch_asset(&mut tx, &row, &mut Vec::new()).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Reads `bytes` as an inventory (format detected from content and `file_name`
    /// unless given), stores it as the asset's current inventory and reconciles the
    /// asset's findings against the knowledge base, all in one transaction.
    pub async fn upload(
        &self,
        asset: &AssetRow,
        file_name: &str,
        bytes: Vec<u8>,
        format: Option<ch_inventory::Format>,
        uploaded_by: Option<&str>,
    ) -> Result<UploadOutcome> {
        let name = file_name.to_owned();
        let digest = hex::encode(sha2::Sha256::digest(&bytes));
        let inventory = tokio::task::spawn_blocking(move || ch_lockfile::read(&bytes, &name, format))
            .await
            .map_err(|e| Error::Inventory(format!("inventory reader failed: {e}")))?
            .map_err(|e| Error::Inventory(e.to_string()))?;
        let document = serde_json::to_string(&inventory).map_err(|e| Error::Inventory(e.to_string()))?;
        let components = inventory.components;
        let warnings: Vec<String> = inventory
            .warnings
            .iter()
            .map(|w| match &w.origin {
                Some(o) => format!("{o}: {}", w.message),
                None => w.message.clone(),
            })
            .collect();
        let rows = component_rows(&asset.id, &components);
        let now = self.now();
        let inv = InventoryRow {
            id: uuid::Uuid::now_v7().to_string(),
            asset_id: asset.id.clone(),
            org_id: asset.org_id.clone(),
            format: inventory.format.as_str().to_owned(),
            file_name: file_name.to_owned(),
            digest,
            components: components.len() as i64,
            warnings: serde_json::to_string(&warnings).unwrap_or_else(|_| "[]".into()),
            document,
            uploaded_by: uploaded_by.map(str::to_owned),
            uploaded_at: now,
        };
        self.kb.refresh().await?;
        let mut tx = self.store.begin().await?;
        let matched = db::lock_matched_seq(&mut tx).await?;
        if self.kb.seen_seq() < matched {
            // Another process matched changes this one has not read yet.
            self.kb.refresh().await?;
        }
        db::insert_inventory(&mut tx, &inv).await?;
        db::set_current_inventory(&mut tx, &asset.id, &inv.id, now).await?;
        db::replace_components(&mut tx, &asset.id, &rows).await?;
        let (current, skipped) = {
            let index = self.kb.index();
            current_matches(&index, &components, &mut MatchCache::default())
        };
        let existing = db::findings_of_assets(&mut tx, &[&asset.id]).await?;
        let vendors = vendor_statements(&mut tx).await?;
        let statements = statements_of(&db::list_vex(&mut tx, &asset.org_id).await?, &vendors, &asset.org_id);
        let versions: HashMap<String, String> =
            components.iter().map(|c| (component_ref(c), c.version.clone().unwrap_or_default())).collect();
        let gone = |f: &FindingRow| match versions.get(&f.component_ref) {
            Some(v) if !v.is_empty() => format!("fixed by a newer inventory: {} is now {v}", f.component_name),
            _ => format!("fixed by a newer inventory: {} is no longer listed", f.component_name),
        };
        let mut news = Vec::new();
        let mut asset_now = asset.clone();
        asset_now.current_inventory = Some(inv.id.clone());
        let findings = apply(
            &mut tx,
            &asset_now,
            current,
            existing,
            &statements,
            Scope { refs: None, gone: &gone },
            now,
            &mut news,
        )
        .await?;
        crate::notify::announce(self, &mut tx, &asset.org_id, news, now).await?;
        tx.commit().await?;
        Ok(UploadOutcome {
            inventory_id: inv.id,
            format: inv.format,
            components: components.len(),
            skipped,
            warnings,
            findings,
        })
    }

    /// Re-reconciles every finding of one asset against its current inventory (after a
    /// criticality change or new VEX statements).
    pub(crate) async fn rematch_asset(
        &self,
        tx: &mut Tx,
        asset: &AssetRow,
        news: &mut Vec<NewFinding>,
    ) -> Result<Reconciled> {
        let rows = db::components_of_asset(tx, &asset.id).await?;
        let components = components_from_rows(&rows);
        let current = {
            let index = self.kb.index();
            current_matches(&index, &components, &mut MatchCache::default()).0
        };
        let existing = db::findings_of_assets(tx, &[&asset.id]).await?;
        let vendors = vendor_statements(tx).await?;
        let statements = statements_of(&db::list_vex(tx, &asset.org_id).await?, &vendors, &asset.org_id);
        let gone = |_: &FindingRow| "no longer affected".to_owned();
        apply(tx, asset, current, existing, &statements, Scope { refs: None, gone: &gone }, self.now(), news).await
    }

    /// Matches every knowledge-base change not yet matched against the current
    /// inventories that can be affected (the reverse index), in one transaction that
    /// also moves `exposure_state.matched_seq`. Safe to run in several processes at once:
    /// they take turns, and the later one finds nothing left to do.
    pub async fn match_changes(&self) -> Result<MatchRun> {
        self.kb.refresh().await?;
        let target = self.kb.seen_seq();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let from = db::lock_matched_seq(&mut tx).await?;
        let mut run = MatchRun { from_seq: from, to_seq: from.max(target), ..MatchRun::default() };
        let mut news = Vec::new();
        if target > from {
            let records = ch_store::knowledge::changed_record_keys(&mut tx, from, target).await?;
            let kev = ch_store::knowledge::changed_kev_ids(&mut tx, from, target).await?;
            run.records = records.len();
            run.kev = kev.len();
            // Keys to look up and flaw ids whose findings may change, from the index.
            let (keys, wild, flaw_ids) = {
                let index = self.kb.index();
                let mut keys: Vec<String> = Vec::new();
                let mut wild = false;
                let mut ids: HashSet<String> = kev.iter().cloned().collect();
                for (id, origin) in &records {
                    ids.insert(id.clone());
                    let Ok(origin) = origin.parse::<Origin>() else { continue };
                    let key = RecordKey::new(id.clone(), origin);
                    if let Some(k) = index.match_keys(&key) {
                        keys.extend(k.keys);
                        wild |= k.wild;
                    }
                    if let Some(a) = index.record(&key) {
                        ids.extend(a.aliases.iter().cloned());
                    }
                    if let Some(f) = index.flaw(id) {
                        ids.extend(f.ids);
                    }
                }
                keys.sort();
                keys.dedup();
                (keys, wild, ids.into_iter().collect::<Vec<String>>())
            };
            let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let mut rows = db::components_by_keys(&mut tx, &key_refs).await?;
            if wild {
                rows.extend(db::product_components(&mut tx).await?);
            }
            let id_refs: Vec<&str> = flaw_ids.iter().map(String::as_str).collect();
            let stale = db::findings_by_flaw(&mut tx, &id_refs).await?;
            run.components = rows.len();
            let findings = self.reconcile_rows(&mut tx, rows, stale, now, &mut news).await?;
            run.assets = findings.0;
            run.findings = findings.1;
        }
        self.expire_acceptances(&mut tx, now, &mut news).await?;
        db::set_matched_seq(&mut tx, run.to_seq).await?;
        let mut by_org: BTreeMap<String, Vec<NewFinding>> = BTreeMap::new();
        for n in news {
            by_org.entry(n.row.org_id.clone()).or_default().push(n);
        }
        for (org, news) in by_org {
            crate::notify::announce(self, &mut tx, &org, news, now).await?;
        }
        tx.commit().await?;
        Ok(run)
    }

    /// Reconciles the components in `rows` (and those of the `stale` findings), asset by
    /// asset; returns (assets, what happened).
    async fn reconcile_rows(
        &self,
        tx: &mut Tx,
        rows: Vec<ComponentRow>,
        stale: Vec<FindingRow>,
        now: i64,
        news: &mut Vec<NewFinding>,
    ) -> Result<(usize, Reconciled)> {
        let mut per_asset: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
        for r in rows {
            per_asset.entry(r.asset_id).or_default().insert(r.ordinal, r.component);
        }
        let mut stale_refs: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        for f in &stale {
            stale_refs.entry(f.asset_id.clone()).or_default().insert(f.component_ref.clone());
        }
        // Components of stale findings that no key brought in (the advisory no longer
        // names their package): read from the asset's current inventory.
        for (asset_id, refs) in &stale_refs {
            let have: HashSet<String> = per_asset
                .get(asset_id)
                .map(|m| {
                    m.values()
                        .filter_map(|j| serde_json::from_str::<Component>(j).ok())
                        .map(|c| component_ref(&c))
                        .collect()
                })
                .unwrap_or_default();
            if refs.iter().all(|r| have.contains(r)) {
                continue;
            }
            for r in db::components_of_asset(tx, asset_id).await? {
                let c: Option<Component> = serde_json::from_str(&r.component).ok();
                if c.is_some_and(|c| refs.contains(&component_ref(&c))) {
                    per_asset.entry(asset_id.clone()).or_default().insert(r.ordinal, r.component);
                }
            }
        }
        let mut ids: Vec<String> = per_asset.keys().cloned().collect();
        ids.extend(stale_refs.keys().cloned());
        ids.sort();
        ids.dedup();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let assets = db::assets_by_ids(tx, &id_refs).await?;
        let mut orgs: Vec<&str> = assets.iter().map(|a| a.org_id.as_str()).collect();
        orgs.sort_unstable();
        orgs.dedup();
        let vex_rows = db::vex_of_orgs(tx, &orgs).await?;
        let vendors = vendor_statements(tx).await?;
        let existing_all = db::findings_of_assets(tx, &id_refs).await?;
        let mut existing_by_asset: HashMap<String, Vec<FindingRow>> = HashMap::new();
        for f in existing_all {
            existing_by_asset.entry(f.asset_id.clone()).or_default().push(f);
        }
        // Read the index once for every asset.
        let mut plans: Vec<(AssetRow, Vec<Current>, HashSet<String>)> = Vec::new();
        {
            let index = self.kb.index();
            let mut cache = MatchCache::default();
            for asset in assets {
                let components: Vec<Component> = per_asset
                    .get(&asset.id)
                    .map(|m| m.values().filter_map(|j| serde_json::from_str(j).ok()).collect())
                    .unwrap_or_default();
                let mut refs: HashSet<String> = components.iter().map(component_ref).collect();
                if let Some(s) = stale_refs.get(&asset.id) {
                    refs.extend(s.iter().cloned());
                }
                let (current, _) = current_matches(&index, &components, &mut cache);
                plans.push((asset, current, refs));
            }
        }
        let mut total = Reconciled::default();
        let n = plans.len();
        let gone = |f: &FindingRow| {
            format!(
                "no longer affected: the advisories about {} no longer include version {}",
                f.flaw_id, f.component_version
            )
        };
        for (asset, current, refs) in plans {
            let existing = existing_by_asset.remove(&asset.id).unwrap_or_default();
            let statements = statements_of(&vex_rows, &vendors, &asset.org_id);
            let r =
                apply(tx, &asset, current, existing, &statements, Scope { refs: Some(&refs), gone: &gone }, now, news)
                    .await?;
            total.add(&r);
        }
        Ok((n, total))
    }

    async fn expire_acceptances(&self, tx: &mut Tx, now: i64, news: &mut Vec<NewFinding>) -> Result<()> {
        for mut f in db::expired_acceptances(tx, now).await? {
            f.state = "open".into();
            f.state_reason = Some("the acceptance expired".into());
            f.accepted_until = None;
            f.updated_at = now;
            db::update_finding(tx, &f).await?;
            let asset_name = db::get_asset(tx, &f.asset_id).await?.map(|a| a.name).unwrap_or_default();
            news.push(NewFinding { row: f, asset_name });
        }
        Ok(())
    }

    /// Accepts an open finding's risk until `until` (ms; `None`: until someone reopens
    /// it), with the reason.
    pub async fn accept(&self, finding: &FindingRow, reason: &str, until: Option<i64>) -> Result<FindingRow> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("accepting a finding needs a reason".into()));
        }
        let now = self.now();
        if until.is_some_and(|u| u <= now) {
            return Err(Error::Invalid("the acceptance must end in the future".into()));
        }
        if finding.state != "open" && finding.state != "accepted" {
            return Err(Error::Invalid(format!("only open findings can be accepted; this one is {}", finding.state)));
        }
        let mut row = finding.clone();
        row.state = "accepted".into();
        row.state_reason = Some(reason.to_owned());
        row.accepted_until = until;
        row.updated_at = now;
        let mut tx = self.store.begin().await?;
        db::update_finding(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Reopens an accepted finding.
    pub async fn reopen(&self, finding: &FindingRow) -> Result<FindingRow> {
        if finding.state != "accepted" {
            return Err(Error::Invalid(format!(
                "only accepted findings can be reopened; this one is {}",
                finding.state
            )));
        }
        let mut row = finding.clone();
        row.state = "open".into();
        row.state_reason = Some("reopened".into());
        row.accepted_until = None;
        row.updated_at = self.now();
        let mut tx = self.store.begin().await?;
        db::update_finding(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(row)
    }
}

/// Reverse-index rows of an inventory's components.
pub(crate) fn component_rows(asset_id: &str, components: &[Component]) -> Vec<ComponentRow> {
    let mut rows = Vec::with_capacity(components.len());
    for (i, c) in components.iter().enumerate() {
        let keys = ch_match::component_keys(c);
        if keys.is_empty() {
            continue;
        }
        let mut slim = c.clone();
        slim.origin = ch_inventory::Origin::default();
        let json = serde_json::to_string(&slim).unwrap_or_default();
        for k in keys {
            rows.push(ComponentRow {
                match_key: k,
                asset_id: asset_id.to_owned(),
                ordinal: i as i64,
                component: json.clone(),
            });
        }
    }
    rows
}

/// Components of reverse-index rows, one per ordinal.
pub(crate) fn components_from_rows(rows: &[ComponentRow]) -> Vec<Component> {
    let mut by_ordinal: BTreeMap<i64, &str> = BTreeMap::new();
    for r in rows {
        by_ordinal.entry(r.ordinal).or_insert(&r.component);
    }
    by_ordinal.values().filter_map(|j| serde_json::from_str(j).ok()).collect()
}

#[cfg(test)]
mod tests {
    use ch_inventory::Origin as Place;

    use super::*;

    type Setter = Box<dyn Fn(&mut Component)>;

    #[test]
    fn component_refs_table() {
        let mk = |f: &dyn Fn(&mut Component)| {
            let mut c = Component::new("requests", Some("2.0".into()), None, Place::line("f", 1));
            f(&mut c);
            component_ref(&c)
        };
        let cases: Vec<(Setter, &str)> = vec![
            (Box::new(|c| c.purl = Some("pkg:pypi/requests@2.0".into())), "pkg:pypi/requests"),
            (
                Box::new(|c| c.purl = Some("pkg:npm/%40babel/core@7.0.0?x=1#sub".into())),
                "pkg:npm/%40babel/core?x=1#sub",
            ),
            (Box::new(|c| c.purl = Some("pkg:npm/@babel/core@7.0.0".into())), "pkg:npm/@babel/core"),
            (Box::new(|c| c.purl = Some("pkg:deb/debian/openssl".into())), "pkg:deb/debian/openssl"),
            (Box::new(|c| c.ecosystem = Some("PyPI".into())), "PyPI/requests"),
            (
                Box::new(|c| c.cpe = Some("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*".into())),
                "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
            ),
            (
                Box::new(|c| {
                    c.vendor = Some("Fortinet".into());
                    c.product = Some("FortiOS".into());
                }),
                "fortinet/fortios",
            ),
        ];
        for (f, want) in cases {
            assert_eq!(mk(&*f), want);
        }
    }
}
