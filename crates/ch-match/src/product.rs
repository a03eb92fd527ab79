//! Product lookups: CVE JSON 5 `affected` products and NVD CPE applicability, by
//! (vendor, product), asked by version or by CPE name.
//!
//! Keys are normalised as CPE attribute values are written: trimmed, lower case,
//! whitespace runs as one `_` ("Fortinet" / "FortiOS" -> `fortinet` / `fortios`;
//! "Internet Explorer" -> `internet_explorer`). A CVE 5 product is posted under its
//! vendor and product as written and under each of its `cpes`; an applicability
//! statement under the vendor and product of each `vulnerable: true` criteria (platform
//! CPEs are not posted: asking about the hardware alone finds nothing). Criteria whose
//! vendor or product is ANY or a wildcard go to a short list checked on every lookup.
//!
//! Versions are judged by [`ch_advisory::AffectedProduct::status`] (CVE 5: affected
//! only when the status is `affected`) and by
//! [`ch_cpe::Applicability::affects_assuming_platforms`]: an operator lists "FortiOS
//! 7.2.4", not the FortiGate it runs on, and NVD writes some statements as "FortiOS on
//! a FortiGate 6000" (`AND` with a platform node); the platform is assumed present, the
//! product version must still match a vulnerable criteria.

use std::collections::HashMap;
use std::sync::Arc;

use ch_advisory::{AffectedProduct, Status};
use ch_cpe::{Attribute, Cpe, VendorVersion};

use crate::error::Error;
use crate::hit::{Hit, Hits, Matched};
use crate::index::{Index, Rec};
use crate::suggest;

/// vendor -> product -> postings.
pub(crate) type ProductBuckets = HashMap<String, HashMap<String, Vec<ProductPosting>>>;

#[derive(Clone, Debug)]
pub(crate) struct ProductPosting {
    pub(crate) rec: Arc<Rec>,
    source: Source,
    /// For applicability postings: the version tests of this key's vulnerable
    /// criteria, parsed once. A version none of them admits cannot make the statement
    /// vulnerable for this product, so the tree is evaluated only for versions one
    /// admits (empty: always evaluate).
    versions: Vec<Criterion>,
}

/// The version test of one criteria, as `ch-cpe` applies it, or looser (never
/// stricter: it only decides whether the exact evaluation runs).
#[derive(Clone, Debug)]
enum Criterion {
    /// Criteria version ANY, NA or a wildcard.
    Any,
    /// One version: equal in vendor order, or the same string.
    Exact(VendorVersion, String),
    /// `versionStart*` / `versionEnd*` bounds (`true`: inclusive).
    Range { start: Option<(VendorVersion, bool)>, end: Option<(VendorVersion, bool)> },
}

impl Criterion {
    fn of(m: &ch_cpe::CpeMatch) -> Criterion {
        let bound = |inc: &Option<String>, exc: &Option<String>| match (inc, exc) {
            (Some(b), _) => Some((VendorVersion::new(b), true)),
            (None, Some(b)) => Some((VendorVersion::new(b), false)),
            (None, None) => None,
        };
        let start = bound(&m.version_start_including, &m.version_start_excluding);
        let end = bound(&m.version_end_including, &m.version_end_excluding);
        if start.is_some() || end.is_some() {
            return Criterion::Range { start, end };
        }
        match m.criteria.attribute(3) {
            Some(Attribute::Value(v)) if !v.has_wildcards() => {
                let raw = v.unquoted();
                Criterion::Exact(VendorVersion::new(&raw), raw)
            }
            _ => Criterion::Any,
        }
    }

    fn admits(&self, raw: &str, v: &VendorVersion) -> bool {
        match self {
            Criterion::Any => true,
            Criterion::Exact(c, craw) => c == v || craw.eq_ignore_ascii_case(raw),
            Criterion::Range { start, end } => {
                start.as_ref().is_none_or(|(b, inc)| if *inc { v >= b } else { v > b })
                    && end.as_ref().is_none_or(|(b, inc)| if *inc { v <= b } else { v < b })
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// `advisory.products[i]`.
    Product(usize),
    /// `advisory.applicability`.
    Applicability,
}

/// A vendor or product name as the index keys it: trimmed, lower case, whitespace
/// runs as one `_` (the CPE spelling).
pub fn normalise_product_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push('_');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The normalised vendor and product of a CPE name, when both are plain values.
fn cpe_key(cpe: &Cpe) -> Option<(String, String)> {
    match cpe.attributes() {
        [_, Attribute::Value(v), Attribute::Value(p), ..] if !v.has_wildcards() && !p.has_wildcards() => {
            Some((normalise_product_name(&v.unquoted()), normalise_product_name(&p.unquoted())))
        }
        _ => None,
    }
}

/// [`cpe_key`] for the reverse index.
pub(crate) fn cpe_vendor_product(cpe: &Cpe) -> Option<(String, String)> {
    cpe_key(cpe)
}

/// Vendor or product values CVE records use for "not applicable".
fn placeholder(s: &str) -> bool {
    s.is_empty() || s == "n/a" || s == "-"
}

/// The CPE an operator's "vendor product version" stands for: part ANY, the version as
/// a literal value (whitespace as `_`).
fn product_cpe(vendor: &str, product: &str, version: &str) -> Option<Cpe> {
    let lit = |s: &str| ch_cpe::Value::literal(s).map(Attribute::Value);
    let version = version.split_whitespace().collect::<Vec<_>>().join("_");
    Cpe::from_attributes([
        Attribute::Any,
        lit(vendor)?,
        lit(product)?,
        lit(&version)?,
        Attribute::Any,
        Attribute::Any,
        Attribute::Any,
        Attribute::Any,
        Attribute::Any,
        Attribute::Any,
        Attribute::Any,
    ])
    .ok()
}

/// Versions that fix a CVE 5 product: `lessThan` ends of affected ranges, starts of
/// unaffected entries (fixed branches, `5.15.170` up to `5.15.*`), and unaffected
/// `changes`; never `0`, wildcards or git commits.
fn product_fixes(p: &AffectedProduct) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let usable = |s: &str| !s.is_empty() && s != "0" && !s.contains('*');
    for v in &p.versions {
        if v.version_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("git")) {
            continue;
        }
        let candidate = match v.status {
            Status::Affected => v.less_than.as_deref(),
            Status::Unaffected => Some(v.version.as_str()),
            _ => None,
        };
        let changes = v.changes.iter().filter(|c| c.status == Status::Unaffected).map(|c| c.at.as_str());
        for c in candidate.into_iter().chain(changes) {
            if usable(c) && !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// What a product lookup asks: a version (`None`: every record for the product), its
/// vendor-version order, and the CPE applicability is evaluated against.
struct Ask<'a> {
    version: Option<&'a str>,
    order: VendorVersion,
    target: Option<Cpe>,
    /// The target's version value and its order, for [`Criterion::admits`].
    target_version: Option<(String, VendorVersion)>,
}

impl<'a> Ask<'a> {
    fn any() -> Ask<'a> {
        Ask { version: None, order: VendorVersion::new(""), target: None, target_version: None }
    }

    fn version(version: &'a str, target: Option<Cpe>) -> Ask<'a> {
        let target_version = target.as_ref().and_then(Cpe::version).map(|v| {
            let order = VendorVersion::new(&v);
            (v, order)
        });
        Ask { version: Some(version), order: VendorVersion::new(version), target, target_version }
    }
}

/// A record's product postings, worked out away from the index (CPE names parsed):
/// what [`Index::insert_products`] stores.
#[derive(Debug, Default)]
pub(crate) struct PreparedProducts {
    posts: Vec<(String, String, Source, Vec<Criterion>)>,
    wild: bool,
}

pub(crate) fn prepare_products(rec: &Arc<Rec>) -> PreparedProducts {
    let advisory = &rec.advisory;
    let mut posts: Vec<(String, String, Source)> = Vec::new();
    for (i, p) in advisory.products.iter().enumerate() {
        if let (Some(v), Some(pr)) = (&p.vendor, &p.product) {
            let (v, pr) = (normalise_product_name(v), normalise_product_name(pr));
            if !placeholder(&v) && !placeholder(&pr) {
                posts.push((v, pr, Source::Product(i)));
            }
        }
        for c in &p.cpes {
            if let Some((v, pr)) = c.parse::<Cpe>().ok().as_ref().and_then(cpe_key) {
                posts.push((v, pr, Source::Product(i)));
            }
        }
    }
    let mut wild = false;
    let mut criteria: HashMap<(String, String), Vec<Criterion>> = HashMap::new();
    if let Some(app) = &advisory.applicability {
        for m in app.cpe_matches().into_iter().filter(|m| m.vulnerable) {
            match cpe_key(&m.criteria) {
                Some((v, pr)) => {
                    criteria.entry((v.clone(), pr.clone())).or_default().push(Criterion::of(m));
                    posts.push((v, pr, Source::Applicability));
                }
                None => wild = true,
            }
        }
    }
    posts.sort();
    posts.dedup();
    let posts = posts
        .into_iter()
        .map(|(vendor, product, source)| {
            let versions = match source {
                Source::Applicability => criteria.remove(&(vendor.clone(), product.clone())).unwrap_or_default(),
                Source::Product(_) => Vec::new(),
            };
            (vendor, product, source, versions)
        })
        .collect();
    PreparedProducts { posts, wild }
}

impl Index {
    /// Posts `rec`'s products and applicability; returns whether it went to the wild list.
    /// Stores prepared product postings of `rec`, noting their (vendor, product) places
    /// in `keys`; returns whether it posted to the any-vendor list.
    pub(crate) fn insert_products(
        &mut self,
        rec: &Arc<Rec>,
        prepared: PreparedProducts,
        keys: &mut Vec<(String, String)>,
    ) -> bool {
        for (vendor, product, source, versions) in prepared.posts {
            let key = (vendor, product);
            if !keys.contains(&key) {
                keys.push(key.clone());
            }
            let (vendor, product) = key;
            self.by_product.entry(product.clone()).or_default().insert(vendor.clone());
            self.products.entry(vendor).or_default().entry(product).or_default().push(ProductPosting {
                rec: Arc::clone(rec),
                source,
                versions,
            });
        }
        if prepared.wild {
            self.wild.push(ProductPosting {
                rec: Arc::clone(rec),
                source: Source::Applicability,
                versions: Vec::new(),
            });
        }
        prepared.wild
    }

    pub(crate) fn unindex_product(&mut self, vendor: &str, product: &str, rec: &Arc<Rec>) {
        let Some(products) = self.products.get_mut(vendor) else { return };
        let mut emptied = false;
        if let Some(posts) = products.get_mut(product) {
            posts.retain(|p| !Arc::ptr_eq(&p.rec, rec));
            if posts.is_empty() {
                products.remove(product);
                emptied = true;
            }
        }
        if products.is_empty() {
            self.products.remove(vendor);
        }
        if emptied && let Some(vendors) = self.by_product.get_mut(product) {
            vendors.remove(vendor);
            if vendors.is_empty() {
                self.by_product.remove(product);
            }
        }
    }

    /// Records affecting `version` of a product named by an operator: vendor and
    /// product as free text ("Fortinet", "FortiOS"), matched after
    /// [`normalise_product_name`] against CPE and CVE 5 names. An empty vendor matches
    /// the product under every vendor. An empty or `*` version asks for every record
    /// of the product. [`Hit::remedy`]: the smallest fixing version above `version`
    /// (vendor-version order): CVE 5 `lessThan` ends and unaffected branches, NVD
    /// `versionEndExcluding` bounds of the criteria that matched.
    pub fn query_product(&self, vendor: &str, product: &str, version: &str) -> Vec<Hit> {
        let (vendor, product) = (normalise_product_name(vendor), normalise_product_name(product));
        let version = version.trim();
        let vendors: Vec<&str> = if vendor.is_empty() {
            self.by_product.get(&product).into_iter().flatten().map(String::as_str).collect()
        } else {
            vec![vendor.as_str()]
        };
        let mut hits = Hits::new();
        for v in vendors {
            let ask = if version.is_empty() || version == "*" {
                Ask::any()
            } else {
                Ask::version(version, product_cpe(v, &product, version))
            };
            self.scan_products(v, &product, &ask, &mut hits);
        }
        hits.finish()
    }

    /// Records affecting the product a CPE name describes (formatted string or URI
    /// binding): looked up by its vendor and product, versions judged as in
    /// [`Index::query_product`], applicability evaluated against the whole name (its
    /// update, edition, target platform...). A version of ANY asks for every record
    /// of the product. A name that does not parse, or whose vendor or product is ANY
    /// or a wildcard, is an [`Error::InvalidCpe`].
    pub fn query_cpe(&self, cpe: &str) -> Result<Vec<Hit>, Error> {
        self.cpe_query(cpe, None)
    }

    /// As [`Index::query_cpe`], with a version for names whose version is ANY.
    pub(crate) fn cpe_query(&self, cpe: &str, fallback_version: Option<&str>) -> Result<Vec<Hit>, Error> {
        let shown = cpe.trim();
        let mut parsed: Cpe = shown.parse().map_err(|e: ch_cpe::Error| Error::InvalidCpe {
            cpe: shown.to_owned(),
            reason: match e {
                ch_cpe::Error::InvalidName { place, expected, found, .. } => {
                    format!("{place}: expected {expected}, found {found}")
                }
                other => other.to_string(),
            },
        })?;
        let Some((vendor, product)) = cpe_key(&parsed) else {
            return Err(Error::InvalidCpe {
                cpe: shown.to_owned(),
                reason: "expected a vendor and a product without wildcards, found ANY or a wildcard".to_owned(),
            });
        };
        if let (Some(Attribute::Any), Some(v)) = (parsed.attribute(3), fallback_version)
            && let Some(value) = ch_cpe::Value::literal(v.trim())
        {
            parsed = parsed.with_version(Attribute::Value(value));
        }
        let version = match parsed.attribute(3) {
            Some(Attribute::Value(v)) if v.has_wildcards() => {
                return Err(Error::InvalidCpe {
                    cpe: shown.to_owned(),
                    reason: format!("expected a version without wildcards, found {:?}", v.unquoted()),
                });
            }
            Some(Attribute::Value(v)) => Some(v.unquoted()),
            Some(Attribute::Na) => Some("-".to_owned()),
            _ => None,
        };
        let mut hits = Hits::new();
        let ask = match &version {
            None => Ask::any(),
            Some(v) => Ask::version(v, Some(parsed)),
        };
        self.scan_products(&vendor, &product, &ask, &mut hits);
        Ok(hits.finish())
    }

    fn scan_products(&self, vendor: &str, product: &str, ask: &Ask<'_>, hits: &mut Hits<VendorVersion>) {
        let posts = self.products.get(vendor).and_then(|p| p.get(product)).into_iter().flatten();
        // Any-vendor criteria can only be judged against a version.
        let wild = ask.version.is_some().then_some(self.wild.iter()).into_iter().flatten();
        for post in posts.chain(wild) {
            let advisory = &post.rec.advisory;
            match (post.source, ask.version) {
                (Source::Product(i), None) => {
                    let fixes = advisory.products.get(i).map(product_fixes).unwrap_or_default();
                    hits.hit(&post.rec, Matched::Product(i), fixes);
                }
                (Source::Product(i), Some(version)) => {
                    let Some(p) = advisory.products.get(i) else { continue };
                    if p.status(version) != Status::Affected {
                        continue;
                    }
                    let fixes = product_fixes(p);
                    let slot = hits.hit(&post.rec, Matched::Product(i), fixes.iter().copied());
                    offer_above(hits, slot, &ask.order, fixes);
                }
                (Source::Applicability, None) => {
                    hits.hit(&post.rec, Matched::Applicability, []);
                }
                (Source::Applicability, Some(_)) => {
                    let (Some(app), Some(target)) = (&advisory.applicability, &ask.target) else { continue };
                    if let Some((raw, order)) = &ask.target_version
                        && !post.versions.is_empty()
                        && !post.versions.iter().any(|c| c.admits(raw, order))
                    {
                        continue;
                    }
                    let eval = app.affects_assuming_platforms(std::slice::from_ref(target));
                    if !eval.vulnerable {
                        continue;
                    }
                    let fixes: Vec<&str> =
                        eval.matched.iter().filter_map(|(m, _)| m.version_end_excluding.as_deref()).collect();
                    let slot = hits.hit(&post.rec, Matched::Applicability, fixes.iter().copied());
                    offer_above(hits, slot, &ask.order, fixes);
                    for last in eval.matched.iter().filter_map(|(m, _)| m.version_end_including.as_deref()) {
                        let lv = VendorVersion::new(last);
                        if lv >= ask.order {
                            hits.offer_after(slot, last, &lv);
                        }
                    }
                }
            }
        }
    }

    /// Every (vendor, product) key with postings, sorted, for listing and suggestions.
    pub fn known_products(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> =
            self.products.iter().flat_map(|(v, ps)| ps.keys().map(move |p| (v.as_str(), p.as_str()))).collect();
        out.sort_unstable();
        out
    }

    /// Known (vendor, product) keys close to what an operator typed, best first (at
    /// most ten): for "did you mean" when [`Index::query_product`] finds nothing because
    /// the name is spelled otherwise ("Forti OS", "Microsoft Exchange"). Ranked by
    /// trigram and edit-distance similarity of the normalised names, product weighing
    /// more than vendor.
    pub fn suggest(&self, vendor: &str, product: &str) -> Vec<(String, String)> {
        suggest::rank(&normalise_product_name(vendor), &normalise_product_name(product), self.known_products())
    }

    /// Every (vendor, product) key with postings and how many records post there; in
    /// no particular order.
    pub fn product_keys(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.products.iter().flat_map(|(v, ps)| {
            ps.iter().map(move |(p, posts)| {
                let mut recs: Vec<usize> = posts.iter().map(|x| Arc::as_ptr(&x.rec) as usize).collect();
                recs.sort_unstable();
                recs.dedup();
                (v.as_str(), p.as_str(), recs.len())
            })
        })
    }
}

fn offer_above(hits: &mut Hits<VendorVersion>, slot: usize, order: &VendorVersion, fixes: Vec<&str>) {
    for f in fixes {
        let fv = VendorVersion::new(f);
        if fv > *order {
            hits.offer(slot, f, &fv);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::key::{Origin, RecordKey};
    use crate::testing::{cve5, ids, nvd};

    fn m(criteria: &str, vulnerable: bool, bounds: Value) -> Value {
        let mut v = json!({"vulnerable": vulnerable, "criteria": criteria});
        if let (Some(o), Value::Object(b)) = (v.as_object_mut(), bounds) {
            o.extend(b);
        }
        v
    }

    const FORTIOS: &str = "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*";

    /// Shapes of the shared data's records (NVD 2.0 and CVE 5), cut down.
    fn sample() -> Index {
        let mut index = Index::new();
        index.upsert(nvd(
            "CVE-2023-27997",
            json!([
                {"nodes": [{"operator": "OR", "negate": false, "cpeMatch": [
                    m("cpe:2.3:a:fortinet:fortiproxy:*:*:*:*:*:*:*:*", true, json!({"versionStartIncluding": "7.2.0", "versionEndIncluding": "7.2.3"})),
                    m(FORTIOS, true, json!({"versionStartIncluding": "7.2.0", "versionEndIncluding": "7.2.4"}))]}]},
                {"operator": "AND", "nodes": [
                    {"operator": "OR", "negate": false, "cpeMatch": [m("cpe:2.3:o:fortinet:fortios:7.0.10:*:*:*:*:*:*:*", true, json!({}))]},
                    {"operator": "OR", "negate": false, "cpeMatch": [m("cpe:2.3:h:fortinet:fortigate_6000:-:*:*:*:*:*:*:*", false, json!({}))]}]}
            ]),
        ));
        index.upsert(nvd(
            "CVE-2022-41328",
            json!([{"nodes": [{"operator": "OR", "negate": false, "cpeMatch": [
                m(FORTIOS, true, json!({"versionStartIncluding": "7.2.0", "versionEndExcluding": "7.2.4"})),
                m(FORTIOS, true, json!({"versionStartIncluding": "7.0.0", "versionEndExcluding": "7.0.10"}))]}]}]),
        ));
        index.upsert(nvd(
            "CVE-2019-19781",
            json!([{"operator": "AND", "nodes": [
                {"operator": "OR", "negate": false, "cpeMatch": [
                    m("cpe:2.3:o:citrix:application_delivery_controller_firmware:13.0:*:*:*:*:*:*:*", true, json!({}))]},
                {"operator": "OR", "negate": false, "cpeMatch": [
                    m("cpe:2.3:h:citrix:application_delivery_controller:-:*:*:*:*:*:*:*", false, json!({}))]}]}]),
        ));
        index.upsert(cve5(
            "CVE-2024-21762",
            json!([{"vendor": "Fortinet", "product": "FortiOS", "defaultStatus": "unaffected", "versions": [
                {"version": "7.4.0", "versionType": "semver", "lessThanOrEqual": "7.4.2", "status": "affected"},
                {"version": "7.2.0", "versionType": "semver", "lessThan": "7.2.7", "status": "affected"}]}]),
        ));
        index.upsert(cve5(
            "CVE-2024-1",
            json!([{"vendor": "n/a", "product": "n/a", "versions": [{"version": "n/a", "status": "affected"}]}]),
        ));
        index
    }

    #[test]
    fn product_queries_table() {
        let index = sample();
        type Case = (&'static str, &'static str, &'static str, &'static [(&'static str, Option<&'static str>)]);
        let cases: &[Case] = &[
            ("Fortinet", "FortiOS", "7.2.4", &[("cve5/CVE-2024-21762", Some("7.2.7")), ("nvd/CVE-2023-27997", None)]),
            (
                "fortinet",
                "fortios",
                "7.2.2",
                &[
                    ("nvd/CVE-2022-41328", Some("7.2.4")),
                    ("nvd/CVE-2023-27997", None),
                    ("cve5/CVE-2024-21762", Some("7.2.7")),
                ],
            ),
            ("Fortinet", "FortiOS", "7.2.7", &[]),
            ("Fortinet", "FortiOS", "7.4.1", &[("cve5/CVE-2024-21762", None)]),
            // The fortigate_6000 statement: the platform is assumed, the version must match.
            ("Fortinet", "FortiOS", "7.0.10", &[("nvd/CVE-2023-27997", None)]),
            ("Fortinet", "FortiOS", "7.0.9", &[("nvd/CVE-2022-41328", Some("7.0.10"))]),
            // No vendor: every vendor with that product.
            ("", "FortiOS", "7.2.4", &[("cve5/CVE-2024-21762", Some("7.2.7")), ("nvd/CVE-2023-27997", None)]),
            ("Citrix", "Application Delivery Controller Firmware", "13.0", &[("nvd/CVE-2019-19781", None)]),
            ("Citrix", "Application Delivery Controller Firmware", "13.1", &[]),
            // Platforms (vulnerable: false) are not posted.
            ("citrix", "application_delivery_controller", "13.0", &[]),
            ("Fortinet", "FortiProxy", "7.2.3", &[("nvd/CVE-2023-27997", None)]),
            ("n/a", "n/a", "n/a", &[]),
            ("Acme", "FortiOS", "7.2.4", &[]),
        ];
        for (vendor, product, version, want) in cases {
            let hits = index.query_product(vendor, product, version);
            let mut got: Vec<(String, Option<&str>)> =
                hits.iter().map(|h| (h.key.to_string(), h.remedy.as_deref())).collect();
            let mut want: Vec<(String, Option<&str>)> = want.iter().map(|(k, r)| ((*k).to_owned(), *r)).collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{vendor} {product} {version}");
        }
        // No fixed version, but the last affected one is known: "later than" it.
        let after = |version: &str| -> Vec<(String, Option<String>, Option<String>)> {
            index
                .query_product("Fortinet", "FortiOS", version)
                .into_iter()
                .filter(|h| h.key.origin == Origin::Nvd)
                .map(|h| (h.key.to_string(), h.remedy, h.fixed_after))
                .collect()
        };
        assert_eq!(after("7.2.4"), [("nvd/CVE-2023-27997".to_owned(), None, Some("7.2.4".to_owned()))]);
        assert_eq!(
            after("7.2.2"),
            [
                ("nvd/CVE-2022-41328".to_owned(), Some("7.2.4".to_owned()), None),
                ("nvd/CVE-2023-27997".to_owned(), None, Some("7.2.4".to_owned()))
            ]
        );
        // Every record of a product, without a version.
        let all = ids(&index.query_product("Fortinet", "FortiOS", ""));
        assert_eq!(all, ["nvd/CVE-2022-41328", "nvd/CVE-2023-27997", "cve5/CVE-2024-21762"]);
        let hits = index.query_product("Fortinet", "FortiOS", "7.2.4");
        let cve5 = hits.iter().find(|h| h.key.origin == Origin::Cve5).unwrap();
        assert_eq!(
            (cve5.matched.as_slice(), cve5.fixed.as_slice()),
            (&[Matched::Product(0)][..], &["7.2.7".to_owned()][..])
        );
    }

    #[test]
    fn cpe_queries_table() {
        let index = sample();
        let cases: &[(&str, &[&str])] = &[
            (
                "cpe:2.3:o:fortinet:fortios:7.2.2:*:*:*:*:*:*:*",
                &["nvd/CVE-2022-41328", "nvd/CVE-2023-27997", "cve5/CVE-2024-21762"],
            ),
            ("cpe:/o:fortinet:fortios:7.2.4", &["nvd/CVE-2023-27997", "cve5/CVE-2024-21762"]),
            ("cpe:2.3:o:Fortinet:FortiOS:7.2.4:*:*:*:*:*:*:*", &["nvd/CVE-2023-27997", "cve5/CVE-2024-21762"]),
            // A name for an application part does not match operating-system criteria.
            ("cpe:2.3:a:fortinet:fortios:7.2.2:*:*:*:*:*:*:*", &["cve5/CVE-2024-21762"]),
            ("cpe:2.3:h:fortinet:fortigate_6000:-:*:*:*:*:*:*:*", &[]),
            (
                "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
                &["nvd/CVE-2022-41328", "nvd/CVE-2023-27997", "cve5/CVE-2024-21762"],
            ),
        ];
        for (cpe, want) in cases {
            assert_eq!(ids(&index.query_cpe(cpe).unwrap()), *want, "{cpe}");
        }
        let errors = [
            (
                "cpe:2.3:o:*:fortios:7.2.4:*:*:*:*:*:*:*",
                "CPE \"cpe:2.3:o:*:fortios:7.2.4:*:*:*:*:*:*:*\": expected a vendor and a product",
            ),
            (
                "cpe:2.3:o:fortinet:fortios:7.2.*:*:*:*:*:*:*:*",
                "CPE \"cpe:2.3:o:fortinet:fortios:7.2.*:*:*:*:*:*:*:*\": expected a version without wildcards",
            ),
            ("fortios 7.2.4", "CPE \"fortios 7.2.4\": prefix: expected"),
        ];
        for (cpe, want) in errors {
            let err = index.query_cpe(cpe).unwrap_err().to_string();
            assert!(err.starts_with(want), "{err}");
        }
    }

    #[test]
    fn known_products_suggestions_and_removal() {
        let mut index = sample();
        assert_eq!(
            index.known_products(),
            [
                ("citrix", "application_delivery_controller_firmware"),
                ("fortinet", "fortios"),
                ("fortinet", "fortiproxy")
            ]
        );
        let mut keys: Vec<_> = index.product_keys().collect();
        keys.sort();
        assert_eq!(keys[1], ("fortinet", "fortios", 3));
        assert_eq!(
            index.suggest("Fortinet", "Forti OS").first().map(|(v, p)| (v.as_str(), p.as_str())),
            Some(("fortinet", "fortios"))
        );
        assert_eq!(
            index.suggest("", "Citrix ADC firmware").first().map(|(_, p)| p.as_str()),
            Some("application_delivery_controller_firmware")
        );
        for id in ["CVE-2023-27997", "CVE-2022-41328", "CVE-2019-19781"] {
            index.remove(&RecordKey::new(id, Origin::Nvd));
        }
        index.remove(&RecordKey::new("CVE-2024-21762", Origin::Cve5));
        assert!(index.known_products().is_empty());
        assert!(index.by_product.is_empty() && index.products.is_empty() && index.wild.is_empty());
    }

    #[test]
    fn product_names_normalise_table() {
        let cases = [
            ("Fortinet", "fortinet"),
            (" FortiOS ", "fortios"),
            ("Internet  Explorer", "internet_explorer"),
            ("Exchange\tServer 2019", "exchange_server_2019"),
            ("node.js", "node.js"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalise_product_name(input), want, "{input:?}");
        }
    }

    #[test]
    fn cpe_keys_table() {
        let cases = [
            ("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*", Some(("fortinet", "fortios"))),
            ("cpe:/a:Microsoft:Internet_Explorer:11", Some(("microsoft", "internet_explorer"))),
            ("cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*", Some(("nodejs", "node.js"))),
            ("cpe:2.3:a:*:fortios:*:*:*:*:*:*:*:*", None),
            ("cpe:2.3:a:fortinet:forti*:*:*:*:*:*:*:*:*", None),
        ];
        for (cpe, want) in cases {
            let got = cpe_key(&cpe.parse().unwrap());
            assert_eq!(got.as_ref().map(|(v, p)| (v.as_str(), p.as_str())), want, "{cpe}");
        }
    }

    #[test]
    fn product_fixes_table() {
        use ch_advisory::ProductVersion;
        let pv = |v: &str, status, vt: Option<&str>, lt: Option<&str>, le: Option<&str>| ProductVersion {
            version: v.into(),
            status,
            version_type: vt.map(Into::into),
            less_than: lt.map(Into::into),
            less_than_or_equal: le.map(Into::into),
            changes: Vec::new(),
        };
        let product = AffectedProduct {
            origin: "cna".into(),
            vendor: Some("Linux".into()),
            product: Some("Linux".into()),
            collection_url: None,
            package_name: None,
            repo: None,
            cpes: Vec::new(),
            platforms: Vec::new(),
            default_status: Some(Status::Affected),
            versions: vec![
                pv("5.4", Status::Affected, Some("semver"), None, None),
                pv("0", Status::Unaffected, Some("semver"), Some("5.4"), None),
                pv("5.15.170", Status::Unaffected, Some("semver"), None, Some("5.15.*")),
                pv("6.1.115", Status::Unaffected, Some("semver"), None, Some("6.1.*")),
                pv("abc123", Status::Unaffected, Some("git"), None, None),
                pv("13.1", Status::Affected, Some("custom"), Some("13.1-49.15"), None),
                pv("7.0", Status::Affected, Some("custom"), Some("*"), None),
            ],
        };
        assert_eq!(product_fixes(&product), ["5.15.170", "6.1.115", "13.1-49.15"]);
    }

    #[test]
    fn product_cpes_are_literal() {
        let c = product_cpe("fortinet", "fortios", "7.2.4").unwrap();
        assert_eq!(c.to_formatted(), "cpe:2.3:*:fortinet:fortios:7.2.4:*:*:*:*:*:*:*");
        let c = product_cpe("microsoft", "exchange_server", "2019 CU12").unwrap();
        assert_eq!(c.version().as_deref(), Some("2019_CU12"));
        assert!(product_cpe("a", "b", "").is_none());
    }
}
