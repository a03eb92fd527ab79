//! The index: records by key, ids and aliases, postings by package, commit and product,
//! and the KEV catalogue.
//!
//! Invariants:
//! - every record is stored under its [`RecordKey`]; an upsert with the same key first
//!   removes the old record and every posting it made;
//! - a withdrawn record is stored and found by id and alias, and makes no postings: it
//!   never matches;
//! - postings hold the record (`Arc`) and its ranges and fixed versions already parsed;
//!   an entry's listed versions are parsed once, by the first lookup that needs them
//!   (`PackagePosting::listed`); otherwise a lookup parses only the query;
//! - no map keeps an empty bucket after a removal (stats count live entries only).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use ch_advisory::{Advisory, Exploited, KevEntry, Score, max_score};

use crate::key::{Origin, RecordKey};
use crate::package::{CommitPosting, PackageBuckets, PackagePosting, PreparedPackages, prepare_packages};
use crate::product::{PreparedProducts, ProductBuckets, ProductPosting, prepare_products};
use crate::table::Table;

/// A stored record: its key and the advisory. Postings point here.
#[derive(Debug)]
pub(crate) struct Rec {
    pub(crate) key: RecordKey,
    pub(crate) advisory: Arc<Advisory>,
}

/// Where a record's postings are, so that removal touches only those buckets.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    rec: Arc<Rec>,
    /// (ecosystem family, normalised name, release) buckets.
    pub(crate) packages: Vec<(String, String, String)>,
    commits: Vec<String>,
    /// (vendor, product) buckets.
    pub(crate) products: Vec<(String, String)>,
    /// Whether it has a posting in the any-vendor/product list.
    pub(crate) wild: bool,
    warnings: Vec<String>,
}

/// The in-memory advisory index.
///
/// Build it with [`Index::upsert`] (and [`Index::upsert_kev`]), then ask
/// [`Index::query_package`], [`Index::query_purl`], [`Index::query_commit`],
/// [`Index::query_product`], [`Index::query_cpe`] or [`Index::match_components`]; read
/// records with [`Index::get`] and their alias groups with [`Index::flaw`].
#[derive(Clone, Default)]
pub struct Index {
    records: BTreeMap<RecordKey, Entry>,
    by_id: HashMap<String, Vec<Arc<Rec>>>,
    by_alias: HashMap<String, Vec<Arc<Rec>>>,
    pub(crate) packages: PackageBuckets,
    pub(crate) commits: HashMap<String, Vec<CommitPosting>>,
    pub(crate) products: ProductBuckets,
    /// Product name -> vendors with a bucket for it (vendor-less lookups).
    pub(crate) by_product: HashMap<String, BTreeSet<String>>,
    /// Applicability postings whose vendor or product is ANY or a wildcard: checked on
    /// every product lookup.
    pub(crate) wild: Vec<ProductPosting>,
    kev: HashMap<String, KevEntry>,
}

/// An alias-connected group of records: one flaw, as far as the index knows.
#[derive(Clone, Debug, PartialEq)]
pub struct FlawView {
    /// The id to show: the smallest CVE id, else the smallest id.
    pub primary_id: String,
    /// Every id and alias of the group, sorted.
    pub ids: Vec<String>,
    /// The records of the group, in [`Index::get`] order (origin preference, then id).
    pub records: Vec<RecordKey>,
    /// The withdrawn ones among them (they link ids, but add no score or marking).
    pub withdrawn: Vec<RecordKey>,
    /// The highest score of the records that are not withdrawn
    /// ([`ch_advisory::max_score`]).
    pub max_severity: Option<Score>,
    /// The known-exploited marking: the KEV entry of a CVE id of the group, else a
    /// record's own marking.
    pub exploited: Option<Exploited>,
}

fn drop_rec(map: &mut HashMap<String, Vec<Arc<Rec>>>, key: &str, rec: &Arc<Rec>) {
    if let Some(v) = map.get_mut(key) {
        v.retain(|r| !Arc::ptr_eq(r, rec));
        if v.is_empty() {
            map.remove(key);
        }
    }
}

fn get_order(a: &Arc<Rec>, b: &Arc<Rec>) -> std::cmp::Ordering {
    a.key.origin.cmp(&b.key.origin).then_with(|| a.key.id.cmp(&b.key.id))
}

/// A record with its postings worked out ([`Index::prepare`]), ready for
/// [`Index::insert`].
#[derive(Debug)]
pub struct Prepared {
    rec: Arc<Rec>,
    packages: PreparedPackages,
    products: PreparedProducts,
    warnings: Vec<String>,
}

impl Prepared {
    /// The record.
    pub fn advisory(&self) -> &Arc<Advisory> {
        &self.rec.advisory
    }
}

impl Index {
    /// An empty index.
    pub fn new() -> Index {
        Index::default()
    }

    /// Stores `advisory` under its [`RecordKey`], replacing (and un-indexing) the record
    /// with the same key; returns the replaced one.
    pub fn upsert(&mut self, advisory: Arc<Advisory>) -> Option<Arc<Advisory>> {
        self.insert(Index::prepare(advisory))
    }

    /// Works out a record's postings without the index (its ranges, fixed versions and
    /// CPE names parsed; listed versions wait for a lookup): the costly half of
    /// [`Index::upsert`], for a thread of its own. [`Index::insert`] then stores it under
    /// the lock in a fraction of the time.
    pub fn prepare(advisory: Arc<Advisory>) -> Prepared {
        let key = RecordKey::of(&advisory);
        let rec = Arc::new(Rec { key, advisory });
        let mut warnings = Vec::new();
        let (packages, products) = if rec.advisory.withdrawn.is_none() {
            (prepare_packages(&rec, &mut warnings), prepare_products(&rec))
        } else {
            Default::default()
        };
        Prepared { rec, packages, products, warnings }
    }

    /// Stores a [`Prepared`] record, as [`Index::upsert`] does.
    pub fn insert(&mut self, prepared: Prepared) -> Option<Arc<Advisory>> {
        let Prepared { rec, packages, products, warnings } = prepared;
        let old = self.remove(&rec.key);
        let advisory = &rec.advisory;
        self.by_id.entry(advisory.id.clone()).or_default().push(Arc::clone(&rec));
        for alias in &advisory.aliases {
            self.by_alias.entry(alias.clone()).or_default().push(Arc::clone(&rec));
        }
        let mut entry = Entry {
            rec: Arc::clone(&rec),
            packages: Vec::new(),
            commits: Vec::new(),
            products: Vec::new(),
            wild: false,
            warnings,
        };
        self.insert_packages(&rec, packages, &mut entry.packages, &mut entry.commits);
        entry.wild = self.insert_products(&rec, products, &mut entry.products);
        self.records.insert(rec.key.clone(), entry);
        old
    }

    /// Removes the record stored under `key` and its postings; returns it.
    pub fn remove(&mut self, key: &RecordKey) -> Option<Arc<Advisory>> {
        let entry = self.records.remove(key)?;
        let rec = &entry.rec;
        drop_rec(&mut self.by_id, &rec.advisory.id, rec);
        for alias in &rec.advisory.aliases {
            drop_rec(&mut self.by_alias, alias, rec);
        }
        for (family, name, release) in &entry.packages {
            self.unindex_package(family, name, release, rec);
        }
        for commit in &entry.commits {
            if let Some(v) = self.commits.get_mut(commit) {
                v.retain(|p| !Arc::ptr_eq(&p.rec, rec));
                if v.is_empty() {
                    self.commits.remove(commit);
                }
            }
        }
        for (vendor, product) in &entry.products {
            self.unindex_product(vendor, product, rec);
        }
        if entry.wild {
            self.wild.retain(|p| !Arc::ptr_eq(&p.rec, rec));
        }
        Some(Arc::clone(&rec.advisory))
    }

    /// Stores a KEV catalogue entry under its CVE id (replacing an earlier one); returns
    /// the replaced entry.
    pub fn upsert_kev(&mut self, entry: KevEntry) -> Option<KevEntry> {
        self.kev.insert(entry.cve_id.clone(), entry)
    }

    /// The KEV entry of a CVE id.
    pub fn kev(&self, cve_id: &str) -> Option<&KevEntry> {
        self.kev.get(cve_id)
    }

    /// How many records are stored (withdrawn ones included).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record is stored.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// How many KEV entries are stored.
    pub fn kev_len(&self) -> usize {
        self.kev.len()
    }

    /// Every record, by key.
    pub fn records(&self) -> impl Iterator<Item = (&RecordKey, &Arc<Advisory>)> {
        self.records.iter().map(|(k, e)| (k, &e.rec.advisory))
    }

    /// The record stored under `key`.
    pub fn record(&self, key: &RecordKey) -> Option<&Arc<Advisory>> {
        self.records.get(key).map(|e| &e.rec.advisory)
    }

    /// Problems met while indexing, by record: ranges that did not check (they do not
    /// match; the record's other ranges still do), ranges of ecosystems without a known
    /// order.
    pub fn warnings(&self) -> impl Iterator<Item = (&RecordKey, &str)> {
        self.records.iter().flat_map(|(k, e)| e.warnings.iter().map(move |w| (k, w.as_str())))
    }

    /// Every record whose id is `id_or_alias`, else every record that lists it as an
    /// alias; withdrawn ones included. Ordered by origin (OSV, CVE 5, NVD), then id.
    pub fn get(&self, id_or_alias: &str) -> Vec<&Arc<Advisory>> {
        let id = id_or_alias.trim();
        let recs = match self.by_id.get(id) {
            Some(v) if !v.is_empty() => v,
            _ => match self.by_alias.get(id) {
                Some(v) => v,
                None => return Vec::new(),
            },
        };
        let mut recs: Vec<&Arc<Rec>> = recs.iter().collect();
        recs.sort_by(|a, b| get_order(a, b));
        recs.into_iter().map(|r| &r.advisory).collect()
    }

    /// The flaw `id` belongs to: every record connected to it through ids and aliases
    /// (`related` does not link), computed from the alias graph at call time, so it is
    /// right after any upsert or removal. `None` when neither a record nor the KEV
    /// catalogue knows the id.
    pub fn flaw(&self, id: &str) -> Option<FlawView> {
        let id = id.trim();
        if !self.by_id.contains_key(id) && !self.by_alias.contains_key(id) && !self.kev.contains_key(id) {
            return None;
        }
        let mut ids: BTreeSet<&str> = BTreeSet::from([id]);
        let mut queue: Vec<&str> = vec![id];
        let mut recs: BTreeMap<(Origin, &str), &Arc<Rec>> = BTreeMap::new();
        while let Some(x) = queue.pop() {
            let linked = self.by_id.get(x).into_iter().flatten().chain(self.by_alias.get(x).into_iter().flatten());
            for r in linked {
                if recs.insert((r.key.origin, r.key.id.as_str()), r).is_none() {
                    for y in r.advisory.ids() {
                        if ids.insert(y) {
                            queue.push(y);
                        }
                    }
                }
            }
        }
        let live: Vec<&Arc<Rec>> = recs.values().copied().filter(|r| r.advisory.withdrawn.is_none()).collect();
        let exploited = ids
            .iter()
            .find_map(|i| self.kev.get(*i))
            .map(KevEntry::exploited)
            .or_else(|| live.iter().find_map(|r| r.advisory.exploited.clone()));
        let max_severity = max_score(live.iter().flat_map(|r| r.advisory.severities.iter())).cloned();
        let primary_id =
            ids.iter().find(|i| i.starts_with("CVE-")).or_else(|| ids.iter().next()).copied().unwrap_or(id).to_owned();
        Some(FlawView {
            primary_id,
            ids: ids.into_iter().map(str::to_owned).collect(),
            records: recs.values().map(|r| r.key.clone()).collect(),
            withdrawn: recs.values().filter(|r| r.advisory.withdrawn.is_some()).map(|r| r.key.clone()).collect(),
            max_severity,
            exploited,
        })
    }

    /// Every (ecosystem, normalised package name) with postings, and how many records
    /// (not withdrawn) post there; the ecosystem as written, release included
    /// (`AlmaLinux:9`). In no particular order.
    pub fn package_keys(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.packages.values().flat_map(|names| {
            names.iter().flat_map(|(name, releases)| {
                releases.values().map(move |bucket| (bucket.ecosystem.as_str(), name.as_str(), bucket.records()))
            })
        })
    }

    /// A record's entry, for the reverse-index keys.
    pub(crate) fn entry(&self, key: &RecordKey) -> Option<&Entry> {
        self.records.get(key)
    }

    /// Posting access for the package module.
    pub(crate) fn package_postings(&self, family: &str, name: &str) -> Option<&BTreeMap<String, Bucket>> {
        self.packages.get(family).and_then(|n| n.get(name))
    }
}

/// The postings of one (ecosystem with release, name).
#[derive(Clone, Debug)]
pub(crate) struct Bucket {
    /// The ecosystem as written (family canonical, release as written).
    pub(crate) ecosystem: String,
    pub(crate) postings: Vec<PackagePosting>,
    /// The slot table, built on the first lookup after a change ([`crate::table`]).
    table: std::sync::OnceLock<Option<Box<Table>>>,
}

impl Bucket {
    pub(crate) fn new(ecosystem: String) -> Bucket {
        Bucket { ecosystem, postings: Vec::new(), table: std::sync::OnceLock::new() }
    }

    pub(crate) fn push(&mut self, posting: PackagePosting) {
        self.postings.push(posting);
        self.table = std::sync::OnceLock::new();
    }

    pub(crate) fn retain(&mut self, keep: impl FnMut(&PackagePosting) -> bool) {
        self.postings.retain(keep);
        self.table = std::sync::OnceLock::new();
    }

    /// The bucket's slot table, when one is worth having and can be built.
    pub(crate) fn table(&self) -> Option<&Table> {
        self.table
            .get_or_init(|| {
                let scheme = crate::package::split_ecosystem(&self.ecosystem).known?.scheme();
                Table::build(scheme, &self.postings).map(Box::new)
            })
            .as_deref()
    }

    /// How many distinct records post here.
    pub(crate) fn records(&self) -> usize {
        let mut seen: Vec<usize> = self.postings.iter().map(|p| Arc::as_ptr(&p.rec) as usize).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("records", &self.records.len())
            .field("package_families", &self.packages.len())
            .field("commits", &self.commits.len())
            .field("product_vendors", &self.products.len())
            .field("kev", &self.kev.len())
            .finish()
    }
}

impl Extend<Arc<Advisory>> for Index {
    fn extend<T: IntoIterator<Item = Arc<Advisory>>>(&mut self, iter: T) {
        for a in iter {
            self.upsert(a);
        }
    }
}

impl FromIterator<Arc<Advisory>> for Index {
    fn from_iter<T: IntoIterator<Item = Arc<Advisory>>>(iter: T) -> Self {
        let mut index = Index::new();
        index.extend(iter);
        index
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{cve5, entry, ids, nvd, osv, osv_with};

    fn pypi(id: &str, aliases: &[&str], fixed: &str) -> Arc<Advisory> {
        osv(id, aliases, json!([entry("PyPI", "pkg", "ECOSYSTEM", &[("introduced", "0"), ("fixed", fixed)], &[])]))
    }

    fn kev(cve: &str) -> KevEntry {
        KevEntry::from_json_value(&json!({"cveID": cve, "vendorProject": "V", "product": "P",
            "vulnerabilityName": "N", "dateAdded": "2024-03-01", "shortDescription": "d", "requiredAction": "a",
            "dueDate": "2024-03-22", "knownRansomwareCampaignUse": "Unknown"}))
        .unwrap()
    }

    #[test]
    fn shareable_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Index>();
        send_sync::<crate::Hit>();
        send_sync::<FlawView>();
    }

    #[test]
    fn upsert_replaces_and_remove_cleans_up() {
        let mut index = Index::new();
        assert!(index.upsert(pypi("PYSEC-1", &["CVE-1"], "2.0")).is_none());
        assert_eq!(ids(&index.query_package("PyPI", "pkg", Some("1.5")).unwrap()), ["osv/PYSEC-1"]);

        // Same key: the new record replaces the old one, and its postings and aliases go.
        let old = index.upsert(pypi("PYSEC-1", &["CVE-2"], "1.0")).unwrap();
        assert_eq!(old.aliases, ["CVE-1"]);
        assert_eq!(index.len(), 1);
        assert!(index.query_package("PyPI", "pkg", Some("1.5")).unwrap().is_empty());
        assert_eq!(ids(&index.query_package("PyPI", "pkg", Some("0.5")).unwrap()), ["osv/PYSEC-1"]);
        assert!(index.get("CVE-1").is_empty());
        assert_eq!(index.get("CVE-2").len(), 1);
        assert_eq!(index.package_keys().collect::<Vec<_>>(), [("PyPI", "pkg", 1)]);

        let removed = index.remove(&RecordKey::new("PYSEC-1", Origin::Osv)).unwrap();
        assert_eq!(removed.id, "PYSEC-1");
        assert!(index.remove(&RecordKey::new("PYSEC-1", Origin::Osv)).is_none());
        assert!(index.is_empty());
        assert_eq!(index.package_keys().count(), 0);
        assert!(index.packages.is_empty() && index.by_id.is_empty() && index.by_alias.is_empty());
        assert!(index.get("PYSEC-1").is_empty() && index.flaw("CVE-2").is_none());
    }

    #[test]
    fn withdrawn_records_are_found_but_never_match() {
        let mut index = Index::new();
        index.upsert(osv_with(json!({"id": "PYSEC-9", "modified": "2024-01-01T00:00:00Z",
            "withdrawn": "2024-02-01T00:00:00Z", "aliases": ["CVE-9"],
            "affected": [entry("PyPI", "pkg", "ECOSYSTEM", &[("introduced", "0")], &["1.0"])]})));
        assert_eq!(index.get("CVE-9").len(), 1);
        assert!(index.query_package("PyPI", "pkg", Some("1.0")).unwrap().is_empty());
        assert!(index.query_package("PyPI", "pkg", None).unwrap().is_empty());
        assert_eq!(index.package_keys().count(), 0);
        let flaw = index.flaw("CVE-9").unwrap();
        assert_eq!(flaw.withdrawn, [RecordKey::new("PYSEC-9", Origin::Osv)]);
    }

    #[test]
    fn get_orders_by_origin_then_id() {
        let mut index = Index::new();
        index.upsert(nvd("CVE-1", json!([])));
        index.upsert(cve5(
            "CVE-1",
            json!([{"vendor": "V", "product": "P", "versions": [{"version": "1", "status": "affected"}]}]),
        ));
        index.upsert(pypi("PYSEC-1", &["CVE-1"], "1.0"));
        index.upsert(pypi("GHSA-1", &["CVE-1"], "1.0"));
        let got = |index: &Index, id: &str| -> Vec<String> {
            index.get(id).iter().map(|a| RecordKey::of(a).to_string()).collect()
        };
        // An id match wins over aliases; the CVE List before the NVD.
        assert_eq!(got(&index, "CVE-1"), ["cve5/CVE-1", "nvd/CVE-1"]);
        assert_eq!(got(&index, " GHSA-1 "), ["osv/GHSA-1"]);
        index.remove(&RecordKey::new("CVE-1", Origin::Nvd));
        index.remove(&RecordKey::new("CVE-1", Origin::Cve5));
        assert_eq!(got(&index, "CVE-1"), ["osv/GHSA-1", "osv/PYSEC-1"]);
        assert!(got(&index, "CVE-404").is_empty());
        assert_eq!(index.records().map(|(k, _)| k.to_string()).collect::<Vec<_>>(), ["osv/GHSA-1", "osv/PYSEC-1"]);
    }

    type FlawSummary = (String, Vec<String>, Vec<String>, Option<String>, Option<String>);

    fn summary(index: &Index, id: &str) -> Option<FlawSummary> {
        index.flaw(id).map(|f| {
            (
                f.primary_id,
                f.ids,
                f.records.iter().map(ToString::to_string).collect(),
                f.max_severity.map(|s| s.vector),
                f.exploited.map(|e| e.source),
            )
        })
    }

    #[test]
    fn flaws_table() {
        const HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
        const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        let scored = |id: &str, aliases: &[&str], vector: &str, withdrawn: bool| {
            let mut v = json!({"id": id, "modified": "2024-01-01T00:00:00Z", "aliases": aliases,
                "severity": [{"type": "CVSS_V3", "score": vector}]});
            if withdrawn {
                v["withdrawn"] = "2024-02-01T00:00:00Z".into();
            }
            osv_with(v)
        };
        let mut index = Index::new();
        index.upsert(scored("GHSA-1", &["CVE-1"], HIGH, false));
        index.upsert(scored("PYSEC-1", &["CVE-1", "GHSA-1"], CRITICAL, false));
        // A chain never written in one record: GO-1 -> GHSA-9 <- CVE-7.
        index.upsert(pypi("GO-1", &["GHSA-9"], "1.0"));
        index.upsert(nvd("CVE-7", json!([])));
        index.upsert(pypi("OSV-7", &["CVE-7", "GHSA-9"], "1.0"));
        // A withdrawn record links ids but adds no score.
        index.upsert(scored("OSV-3", &["CVE-3"], CRITICAL, true));
        index.upsert(scored("GHSA-3", &["CVE-3"], HIGH, false));
        index.upsert_kev(kev("CVE-1"));
        index.upsert_kev(kev("CVE-99"));
        let s = |x: &[&str]| x.iter().map(|y| (*y).to_owned()).collect::<Vec<_>>();
        let cases: Vec<(&str, Option<FlawSummary>)> = vec![
            (
                "GHSA-1",
                Some((
                    "CVE-1".into(),
                    s(&["CVE-1", "GHSA-1", "PYSEC-1"]),
                    s(&["osv/GHSA-1", "osv/PYSEC-1"]),
                    Some(CRITICAL.into()),
                    Some("CISA KEV".into()),
                )),
            ),
            (
                "GO-1",
                Some((
                    "CVE-7".into(),
                    s(&["CVE-7", "GHSA-9", "GO-1", "OSV-7"]),
                    s(&["osv/GO-1", "osv/OSV-7", "nvd/CVE-7"]),
                    None,
                    None,
                )),
            ),
            (
                "CVE-3",
                Some((
                    "CVE-3".into(),
                    s(&["CVE-3", "GHSA-3", "OSV-3"]),
                    s(&["osv/GHSA-3", "osv/OSV-3"]),
                    Some(HIGH.into()),
                    None,
                )),
            ),
            ("CVE-99", Some(("CVE-99".into(), s(&["CVE-99"]), s(&[]), None, Some("CISA KEV".into())))),
            ("CVE-404", None),
        ];
        for (id, want) in &cases {
            assert_eq!(summary(&index, id), *want, "{id}");
        }
        // The groups follow removals: without OSV-7 the chain breaks.
        index.remove(&RecordKey::new("OSV-7", Origin::Osv));
        assert_eq!(summary(&index, "GO-1").map(|f| f.1), Some(s(&["GHSA-9", "GO-1"])));
        assert_eq!(summary(&index, "CVE-7").map(|f| f.1), Some(s(&["CVE-7"])));
        assert_eq!(index.kev_len(), 2);
    }
}
