//! Package lookups: OSV affected packages by ecosystem and normalised name, asked by
//! version, package URL or commit.
//!
//! Buckets are keyed by ecosystem family (`AlmaLinux`, spelled as `ch-version` spells
//! it when it knows the family), normalised name, then release (`9`, or empty): an
//! exact query (`AlmaLinux:9`) reads one bucket, a bare one (`AlmaLinux`) every release
//! of the name, and nothing else is scanned.
//!
//! A version is affected by an entry when a `SEMVER` / `ECOSYSTEM` range contains it
//! (OSV evaluation, `ch-version`), when it is listed in `versions` as written, or when
//! it equals a listed version in the ecosystem's order (`1.0` = `1.0.0` in PyPI).
//! Ranges, listed and fixed versions are parsed once, at insert; a lookup parses the
//! queried version once per scheme. In an ecosystem `ch-version` cannot order, only
//! listed versions (as written) and `SEMVER` ranges (SemVer whatever the ecosystem, as
//! the OSV schema says) match.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::OnceLock;

use ch_advisory::{Advisory, AffectedPackage, normalise_name};
use ch_purl::Purl;
use ch_version::{AffectedRange, Ecosystem, Event, RangeType, Scheme, Version};

use crate::error::{Error, purl_reason, version_reason};
use crate::hit::{Hit, Hits, Matched};
use crate::index::{Bucket, Index, Rec};

/// family -> normalised name -> release -> postings.
pub(crate) type PackageBuckets = HashMap<String, HashMap<String, BTreeMap<String, Bucket>>>;

/// One affected entry of one record, ready to answer.
#[derive(Clone, Debug)]
pub(crate) struct PackagePosting {
    pub(crate) rec: Arc<Rec>,
    /// Index into `advisory.packages`.
    package: usize,
    /// The `SEMVER` / `ECOSYSTEM` ranges that checked.
    pub(crate) ranges: Vec<AffectedRange>,
    /// The listed `versions`, parsed when a lookup first needs them ([`PackagePosting::listed`]).
    listed: OnceLock<Listed>,
    /// The ecosystem, when its order is known (else every listed version is compared as
    /// written).
    known: Option<Ecosystem>,
    /// `fixed` events of the non-`GIT` ranges.
    fixed: Vec<Fixed>,
}

/// A posting's listed `versions`, as lookups use them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Listed {
    /// Those that parse in the ecosystem, sorted (where its order is total), without
    /// repeats, less those a range already contains (most lists only spell their ranges
    /// out): found by binary search (equality is the ecosystem's order, so `1.0` =
    /// `1.0.0`).
    pub(crate) versions: Vec<Version>,
    /// Those that do not parse (compared as written).
    pub(crate) unparsed: Vec<Box<str>>,
}

#[derive(Clone, Debug)]
struct Fixed {
    raw: String,
    /// In the ecosystem's scheme (SemVer for a `SEMVER` range of an unknown ecosystem).
    parsed: Option<Version>,
}

/// An entry that names commits (`GIT` range events, or `versions` of the `GIT`
/// ecosystem).
#[derive(Clone, Debug)]
pub(crate) struct CommitPosting {
    pub(crate) rec: Arc<Rec>,
    package: usize,
}

/// An OSV ecosystem string, split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EcosystemName<'a> {
    /// The family: `ch-version`'s spelling when it knows it (`pypi` -> `PyPI`).
    pub(crate) family: &'a str,
    /// The release suffix (`9`, `22.04:LTS`), if any.
    pub(crate) release: Option<&'a str>,
    /// The ecosystem `ch-version` orders.
    pub(crate) known: Option<Ecosystem>,
}

pub(crate) fn split_ecosystem(s: &str) -> EcosystemName<'_> {
    let s = s.trim();
    let (family, release) = match s.split_once(':') {
        Some((f, r)) => (f.trim(), Some(r).filter(|r| !r.is_empty())),
        None => (s, None),
    };
    let known = Ecosystem::ALL.iter().copied().find(|e| e.name().eq_ignore_ascii_case(family));
    EcosystemName { family: known.map_or(family, |e| e.name()), release, known }
}

/// A queried version, parsed once per scheme it is needed in.
struct Query<'a> {
    raw: &'a str,
    /// In the queried ecosystem, when `ch-version` knows it.
    parsed: Option<Version>,
    semver: OnceCell<Option<Version>>,
}

impl<'a> Query<'a> {
    fn new(ecosystem: &str, eco: &EcosystemName<'_>, version: &'a str) -> Result<Query<'a>, Error> {
        let raw = version.trim();
        let parsed = match eco.known {
            Some(e) => Some(e.parse_version(raw).map_err(|err| Error::InvalidVersion {
                ecosystem: ecosystem.trim().to_owned(),
                version: version.to_owned(),
                reason: version_reason(&err),
            })?),
            None => None,
        };
        Ok(Query { raw, parsed, semver: OnceCell::new() })
    }

    /// The query in `scheme`: the ecosystem's parse, or a SemVer parse for `SEMVER`
    /// ranges of ecosystems ordered otherwise (`None` if it is not SemVer).
    fn in_scheme(&self, scheme: Scheme) -> Option<&Version> {
        match &self.parsed {
            Some(v) if v.scheme() == scheme => Some(v),
            _ if scheme == Scheme::SemVer => self.semver.get_or_init(|| Scheme::SemVer.parse(self.raw).ok()).as_ref(),
            _ => None,
        }
    }
}

impl PackagePosting {
    fn build(
        rec: &Arc<Rec>,
        package: usize,
        p: &AffectedPackage,
        known: Option<Ecosystem>,
        warnings: &mut Vec<String>,
    ) -> PackagePosting {
        let mut ranges = Vec::new();
        let mut fixed: Vec<Fixed> = Vec::new();
        for (j, r) in p.ranges.iter().enumerate() {
            if r.kind == RangeType::Git {
                continue;
            }
            for e in &r.events {
                if let Event::Fixed(v) = e
                    && !fixed.iter().any(|f| f.raw == *v)
                {
                    let parsed = match (known, r.kind) {
                        (Some(eco), _) => eco.parse_version(v).ok(),
                        (None, RangeType::Semver) => Scheme::SemVer.parse(v).ok(),
                        _ => None,
                    };
                    fixed.push(Fixed { raw: v.clone(), parsed });
                }
            }
            let order = match (known, r.kind) {
                (Some(e), _) => e,
                (None, RangeType::Semver) => Ecosystem::SemVer,
                _ => {
                    warnings.push(format!(
                        "packages[{package}] {}/{}, ranges[{j}]: an ECOSYSTEM range of an ecosystem without a known order; only listed versions match",
                        p.ecosystem, p.name
                    ));
                    continue;
                }
            };
            match AffectedRange::new(&r.to_osv_range(), order) {
                Ok(checked) => ranges.push(checked),
                Err(e) => warnings.push(format!(
                    "packages[{package}] {}/{}, ranges[{j}]: {e}; this range does not match",
                    p.ecosystem, p.name
                )),
            }
        }
        PackagePosting { rec: Arc::clone(rec), package, ranges, listed: OnceLock::new(), known, fixed }
    }

    /// The listed versions, parsed on the first lookup that needs them: an import or a
    /// start-up does not parse the versions of packages nobody asks about (most lists
    /// spell out the ranges, and a range answers for them), and the first lookup of a
    /// package parses its lists once, as it builds the bucket's slot table.
    pub(crate) fn listed(&self) -> &Listed {
        self.listed.get_or_init(|| {
            let mut out = Listed::default();
            let (Some(eco), Some(p)) = (self.known, self.rec.advisory.packages.get(self.package)) else {
                return out;
            };
            for v in &p.versions {
                match eco.parse_version(v) {
                    Ok(parsed) => {
                        if !self
                            .ranges
                            .iter()
                            .any(|r| r.scheme() == parsed.scheme() && r.contains(&parsed).unwrap_or(false))
                        {
                            out.versions.push(parsed);
                        }
                    }
                    Err(_) => out.unparsed.push(v.as_str().into()),
                }
            }
            // Sorted for binary search only where the order is total: a sort may panic on
            // an order that is not (Maven's own order is intransitive on some qualifier
            // mixes, Packagist's `#` equals every number, apk compares malformed
            // versions as strings); there the list is searched one by one.
            if total_order(eco.scheme()) {
                out.versions.sort_unstable();
                out.versions.dedup();
            }
            out
        })
    }

    fn affects(&self, p: &AffectedPackage, q: &Query<'_>) -> bool {
        let in_range =
            self.ranges.iter().any(|r| q.in_scheme(r.scheme()).is_some_and(|v| r.contains(v).unwrap_or(false)));
        if in_range {
            return true;
        }
        if self.known.is_none() {
            return p.versions.iter().any(|v| v == q.raw);
        }
        // A listed version written as queried parses as the query does, so the sorted
        // parsed list answers both "as written" and "in the ecosystem's order".
        let listed = self.listed();
        q.parsed.as_ref().is_some_and(|v| {
            if total_order(v.scheme()) {
                listed.versions.binary_search(v).is_ok()
            } else {
                listed.versions.iter().any(|l| l.cmp(v) == std::cmp::Ordering::Equal)
            }
        }) || listed.unparsed.iter().any(|u| &**u == q.raw)
    }
}

/// Whether `scheme` orders every pair of versions it parses as a total order (sorts and
/// binary searches are safe): not Maven (`4-alpha` < `4` < `4.foo` yet `4-alpha` >
/// `4.foo`, as Maven's own `ComparableVersion` has it), Packagist (`#` equals every
/// number) or apk (malformed versions compare as strings).
pub(crate) fn total_order(scheme: Scheme) -> bool {
    !matches!(scheme, Scheme::Maven | Scheme::Packagist | Scheme::Apk)
}

fn commit_key(c: &str) -> String {
    c.trim().to_ascii_lowercase()
}

/// A record's package postings, worked out away from the index (ranges and listed
/// versions parsed): what [`Index::insert_packages`] stores.
#[derive(Debug, Default)]
pub(crate) struct PreparedPackages {
    postings: Vec<PreparedPosting>,
    /// (commit key, package index).
    commits: Vec<(String, usize)>,
}

#[derive(Debug)]
struct PreparedPosting {
    family: String,
    name: String,
    release: String,
    /// The bucket's ecosystem as written, should the bucket be new.
    ecosystem: String,
    posting: PackagePosting,
}

pub(crate) fn prepare_packages(rec: &Arc<Rec>, warnings: &mut Vec<String>) -> PreparedPackages {
    let mut out = PreparedPackages::default();
    for (i, p) in rec.advisory.packages.iter().enumerate() {
        let eco = split_ecosystem(&p.ecosystem);
        let mut add_commit = |c: &str| {
            let key = commit_key(c);
            if !key.is_empty() && key != "0" && !out.commits.iter().any(|(k, j)| *k == key && *j == i) {
                out.commits.push((key, i));
            }
        };
        for r in p.ranges.iter().filter(|r| r.kind == RangeType::Git) {
            for e in &r.events {
                if let Event::Introduced(c) | Event::LastAffected(c) = e {
                    add_commit(c);
                }
            }
        }
        if eco.known.is_none() && eco.family.eq_ignore_ascii_case("GIT") {
            for v in &p.versions {
                add_commit(v);
            }
        }

        let posting = PackagePosting::build(rec, i, p, eco.known, warnings);
        // The stored name was normalised with the ecosystem as written; a family
        // written in another case is normalised again, as queries are.
        let name = if p.ecosystem.trim_start().starts_with(eco.family) {
            p.normalised_name.clone()
        } else {
            normalise_name(eco.family, &p.name)
        };
        out.postings.push(PreparedPosting {
            family: eco.family.to_owned(),
            name,
            release: eco.release.unwrap_or("").to_owned(),
            ecosystem: match eco.release {
                Some(r) => format!("{}:{r}", eco.family),
                None => eco.family.to_owned(),
            },
            posting,
        });
    }
    out
}

/// Candidate releases of a purl's `distro` qualifier (`almalinux-9.4` -> `9.4`, `9`;
/// `alpine-3.19.1` -> `v3.19`); none for code names (`bookworm`).
fn distro_releases(ecosystem: Ecosystem, distro: &str) -> Vec<String> {
    let value = distro.trim().to_ascii_lowercase();
    let release = value.rsplit_once('-').map_or(value.as_str(), |(_, r)| r);
    if !release.starts_with(|c: char| c.is_ascii_digit()) {
        return Vec::new();
    }
    let mut parts = release.split('.');
    let (major, minor) = (parts.next().unwrap_or(release), parts.next());
    if ecosystem == Ecosystem::Alpine {
        return minor.map(|m| vec![format!("v{major}.{m}")]).unwrap_or_default();
    }
    let mut out = vec![release.to_owned()];
    if major != release {
        out.push(major.to_owned());
    }
    out
}

const DISTROS: [Ecosystem; 8] = [
    Ecosystem::Debian,
    Ecosystem::Ubuntu,
    Ecosystem::Alpine,
    Ecosystem::RedHat,
    Ecosystem::RockyLinux,
    Ecosystem::AlmaLinux,
    Ecosystem::OpenSuse,
    Ecosystem::Suse,
];

impl Index {
    /// Stores prepared package and commit postings of `rec`, noting their places in
    /// `buckets` and `commits` (for removal).
    pub(crate) fn insert_packages(
        &mut self,
        rec: &Arc<Rec>,
        prepared: PreparedPackages,
        buckets: &mut Vec<(String, String, String)>,
        commits: &mut Vec<String>,
    ) {
        for (key, package) in prepared.commits {
            let posts = self.commits.entry(key.clone()).or_default();
            if !posts.iter().any(|x| Arc::ptr_eq(&x.rec, rec) && x.package == package) {
                posts.push(CommitPosting { rec: Arc::clone(rec), package });
            }
            if !commits.contains(&key) {
                commits.push(key);
            }
        }
        for prep in prepared.postings {
            let bucket = self
                .packages
                .entry(prep.family.clone())
                .or_default()
                .entry(prep.name.clone())
                .or_default()
                .entry(prep.release.clone())
                .or_insert_with(|| Bucket::new(prep.ecosystem));
            bucket.push(prep.posting);
            let key = (prep.family, prep.name, prep.release);
            if !buckets.contains(&key) {
                buckets.push(key);
            }
        }
    }

    pub(crate) fn unindex_package(&mut self, family: &str, name: &str, release: &str, rec: &Arc<Rec>) {
        let Some(names) = self.packages.get_mut(family) else { return };
        if let Some(releases) = names.get_mut(name) {
            if let Some(bucket) = releases.get_mut(release) {
                bucket.retain(|p| !Arc::ptr_eq(&p.rec, rec));
                if bucket.postings.is_empty() {
                    releases.remove(release);
                }
            }
            if releases.is_empty() {
                names.remove(name);
            }
        }
        if names.is_empty() {
            self.packages.remove(family);
        }
    }

    /// Records affecting `version` of package `name` in `ecosystem`, one hit per record.
    ///
    /// - The name is normalised as stored names are ([`ch_advisory::normalise_name`]:
    ///   PEP 503 for PyPI, lower case where the purl type says so).
    /// - An ecosystem with a release (`AlmaLinux:9`) matches records of exactly that
    ///   ecosystem; a bare one (`AlmaLinux`) matches records of every release of it and
    ///   of the bare name. Family names are matched without regard to case (`pypi`).
    /// - `version` `None`: every record (not withdrawn) for the package, no remedy.
    /// - A version that does not parse in a known ecosystem is an
    ///   [`Error::InvalidVersion`]; in an ecosystem `ch-version` cannot order, only
    ///   listed versions and `SEMVER` ranges can match.
    /// - [`Hit::remedy`]: the smallest `fixed` version of the matching entries above
    ///   `version`, in the ecosystem's order.
    pub fn query_package(&self, ecosystem: &str, name: &str, version: Option<&str>) -> Result<Vec<Hit>, Error> {
        let eco = split_ecosystem(ecosystem);
        let query = version.map(|v| Query::new(ecosystem, &eco, v)).transpose()?;
        let name = normalise_name(eco.family, name.trim());
        let mut hits = Hits::new();
        if let Some(releases) = self.package_postings(eco.family, &name) {
            match eco.release {
                Some(r) => {
                    if let Some(bucket) = releases.get(r) {
                        scan(bucket, query.as_ref(), &mut hits);
                    }
                }
                None => {
                    for bucket in releases.values() {
                        scan(bucket, query.as_ref(), &mut hits);
                    }
                }
            }
        }
        Ok(hits.finish())
    }

    /// [`Index::query_package`] for a package URL: its type gives the OSV ecosystem
    /// (`ch-purl`), its version the version (none: every record for the package). For
    /// Linux distributions a `distro` qualifier (`distro=almalinux-9.4`) selects the
    /// release (`AlmaLinux:9.4` if records use it, else `AlmaLinux:9`); without one,
    /// every release matches. A purl type without an OSV ecosystem is an
    /// [`Error::UnsupportedPurl`].
    pub fn query_purl(&self, purl: &str) -> Result<Vec<Hit>, Error> {
        self.purl_query(purl, None)
    }

    /// As [`Index::query_purl`], with a version for purls that carry none.
    pub(crate) fn purl_query(&self, purl: &str, fallback_version: Option<&str>) -> Result<Vec<Hit>, Error> {
        let (ecosystem, name, version) = self.purl_target(purl)?;
        self.query_package(&ecosystem, &name, version.as_deref().or(fallback_version))
    }

    /// The records affecting `version` of a package (every record of it for `None`):
    /// the answer of [`Index::query_package`] without fixed versions and remedies, one
    /// entry per record, sorted by id then origin. This is what the OSV API's
    /// `query` and `querybatch` need, and it allocates nothing per record.
    pub fn affected(&self, ecosystem: &str, name: &str, version: Option<&str>) -> Result<Vec<&Arc<Advisory>>, Error> {
        let eco = split_ecosystem(ecosystem);
        let query = version.map(|v| Query::new(ecosystem, &eco, v)).transpose()?;
        let name = normalise_name(eco.family, name.trim());
        let mut recs: Vec<&Arc<Rec>> = Vec::new();
        if let Some(releases) = self.package_postings(eco.family, &name) {
            let buckets: Vec<&Bucket> = match eco.release {
                Some(r) => releases.get(r).into_iter().collect(),
                None => releases.values().collect(),
            };
            for bucket in buckets {
                matching(bucket, query.as_ref(), |post| recs.push(&post.rec));
            }
        }
        recs.sort_by(|a, b| a.key.cmp(&b.key));
        recs.dedup_by(|a, b| Arc::ptr_eq(a, b));
        Ok(recs.into_iter().map(|r| &r.advisory).collect())
    }

    /// [`Index::affected`] for a package URL (as [`Index::query_purl`] reads it).
    pub fn affected_purl(&self, purl: &str) -> Result<Vec<&Arc<Advisory>>, Error> {
        let (ecosystem, name, version) = self.purl_target(purl)?;
        self.affected(&ecosystem, &name, version.as_deref())
    }

    /// The ecosystem (with the release a `distro` qualifier selects), name and version a
    /// package URL asks about.
    fn purl_target(&self, purl: &str) -> Result<(String, String, Option<String>), Error> {
        let trimmed = purl.trim();
        let parsed: Purl =
            trimmed.parse().map_err(|e| Error::InvalidPurl { purl: trimmed.to_owned(), reason: purl_reason(&e) })?;
        let osv = parsed
            .to_osv()
            .map_err(|e| Error::UnsupportedPurl { purl: trimmed.to_owned(), reason: purl_reason(&e) })?;
        let family = osv.ecosystem.name();
        let mut ecosystem = family.to_owned();
        if let Some(distro) = parsed.qualifiers().get("distro").filter(|_| DISTROS.contains(&osv.ecosystem)) {
            let candidates = distro_releases(osv.ecosystem, distro);
            let name = normalise_name(family, &osv.name);
            let releases = self.package_postings(family, &name);
            let known = |c: &str| -> Option<String> {
                let releases = releases?;
                if releases.contains_key(c) {
                    return Some(c.to_owned());
                }
                let prefix = format!("{c}:");
                releases.keys().find(|r| r.starts_with(&prefix)).cloned()
            };
            let chosen = candidates.iter().find_map(|c| known(c)).or_else(|| candidates.first().cloned());
            if let Some(release) = chosen {
                ecosystem = format!("{family}:{release}");
            }
        }
        Ok((ecosystem, osv.name, osv.version))
    }

    /// Records whose `GIT` ranges name `commit` as an `introduced` or `last_affected`
    /// event, or that list it in `versions` of a `GIT`-ecosystem package. Commits
    /// compare as written, without regard to case.
    ///
    /// Without the repository's history this is all that can be known: a commit
    /// between an introduction and a fix is not found, and a commit equal to a `fixed`
    /// or `limit` event is not affected (it is the fix, or past the range). `fixed`
    /// lists the entries' fixed commits; there is no remedy order for commits.
    pub fn query_commit(&self, commit: &str) -> Vec<Hit> {
        let mut hits: Hits<()> = Hits::new();
        for post in self.commits.get(&commit_key(commit)).into_iter().flatten() {
            let Some(p) = post.rec.advisory.packages.get(post.package) else { continue };
            let fixed =
                p.ranges.iter().filter(|r| r.kind == RangeType::Git).flat_map(|r| r.events.iter()).filter_map(|e| {
                    match e {
                        Event::Fixed(c) => Some(c.as_str()),
                        _ => None,
                    }
                });
            hits.hit(&post.rec, Matched::Commit(post.package), fixed);
        }
        hits.finish()
    }
}

/// Calls `f` with each posting of `bucket` that affects the query (every posting for
/// none), in posting order: through the bucket's slot table when it has one.
fn matching<'b>(bucket: &'b Bucket, query: Option<&Query<'_>>, mut f: impl FnMut(&'b PackagePosting)) {
    let present = |post: &&PackagePosting| post.rec.advisory.packages.get(post.package).is_some();
    let Some(q) = query else {
        bucket.postings.iter().filter(present).for_each(f);
        return;
    };
    let check =
        |post: &PackagePosting| post.rec.advisory.packages.get(post.package).is_some_and(|p| post.affects(p, q));
    let Some((table, slot)) = bucket.table().and_then(|t| Some((t, t.slot(q.parsed.as_ref()?)?))) else {
        bucket.postings.iter().filter(|p| check(p)).for_each(f);
        return;
    };
    // The table's postings and those it leaves to a full check, merged in posting order.
    let mut from_table = table.postings(slot).peekable();
    let mut always = table.always.iter().map(|&i| i as usize).peekable();
    loop {
        let (i, checked) = match (from_table.peek().copied(), always.peek().copied()) {
            (None, None) => break,
            (Some(t), Some(a)) if a < t => {
                always.next();
                (a, false)
            }
            (Some(t), _) => {
                from_table.next();
                (t, true)
            }
            (None, Some(a)) => {
                always.next();
                (a, false)
            }
        };
        if let Some(post) = bucket.postings.get(i)
            && present(&post)
            && (checked || check(post))
        {
            f(post);
        }
    }
}

fn scan(bucket: &Bucket, query: Option<&Query<'_>>, hits: &mut Hits<Version>) {
    matching(bucket, query, |post| {
        let fixed = post.fixed.iter().map(|f| f.raw.as_str());
        let slot = hits.hit(&post.rec, Matched::Package(post.package), fixed);
        let Some(q) = query else { return };
        for f in &post.fixed {
            if let Some(fv) = &f.parsed
                && q.in_scheme(fv.scheme()).is_some_and(|qv| fv > qv)
            {
                hits.offer(slot, &f.raw, fv);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{entry, ids, osv, osv_with};

    /// Whether each posting of `name`'s PyPI bucket has parsed its listed versions.
    fn parsed(index: &Index, name: &str) -> Vec<bool> {
        index
            .package_postings("PyPI", name)
            .into_iter()
            .flat_map(|releases| releases.values())
            .flat_map(|bucket| bucket.postings.iter().map(|p| p.listed.get().is_some()))
            .collect()
    }

    #[test]
    fn listed_versions_are_parsed_by_the_first_lookup_that_needs_them() {
        let mut index = Index::new();
        index.upsert(osv(
            "PYSEC-L",
            &[],
            json!([entry(
                "PyPI",
                "pkg",
                "ECOSYSTEM",
                &[("introduced", "2.0"), ("fixed", "2.1")],
                &["1.0", "2.0.5", "1.1.0", "1.1", "x y"]
            )]),
        ));
        index.upsert(osv("PYSEC-O", &[], json!([entry("PyPI", "other", "ECOSYSTEM", &[], &["3.0"])])));
        // Stored, not parsed.
        assert_eq!(parsed(&index, "pkg"), [false]);
        // A version a range holds is answered without the list.
        assert_eq!(ids(&index.query_package("PyPI", "pkg", Some("2.0.1")).unwrap()), ["osv/PYSEC-L"]);
        assert_eq!(parsed(&index, "pkg"), [false]);
        // One outside every range needs it: parsed once, in the ecosystem's order.
        assert_eq!(ids(&index.query_package("PyPI", "pkg", Some("1.0.0")).unwrap()), ["osv/PYSEC-L"]);
        assert_eq!(parsed(&index, "pkg"), [true]);
        let posting = &index.package_postings("PyPI", "pkg").unwrap()[""].postings[0];
        let listed = posting.listed();
        let written: Vec<String> = listed.versions.iter().map(ToString::to_string).collect();
        // 2.0.5 is in the range, 1.1 and 1.1.0 are one version; "x y" does not parse.
        assert_eq!(written, ["1.0", "1.1.0"]);
        assert_eq!(listed.unparsed, ["x y".into()]);
        assert_eq!(ids(&index.query_package("PyPI", "pkg", Some("1.1")).unwrap()), ["osv/PYSEC-L"]);
        assert!(index.query_package("PyPI", "pkg", Some("1.2")).unwrap().is_empty());
        // Another package's list waits for its own lookup.
        assert_eq!(parsed(&index, "other"), [false]);
        assert_eq!(ids(&index.query_package("PyPI", "other", Some("3.0")).unwrap()), ["osv/PYSEC-O"]);
        assert_eq!(parsed(&index, "other"), [true]);
    }

    fn sample() -> Index {
        let mut index = Index::new();
        index.upsert(osv(
            "RUSTSEC-A",
            &[],
            json!([entry(
                "crates.io",
                "tokio",
                "SEMVER",
                &[("introduced", "0.1.14"), ("fixed", "1.8.4"), ("introduced", "1.9.0"), ("fixed", "1.13.1")],
                &[]
            )]),
        ));
        index.upsert(osv(
            "PYSEC-B",
            &["CVE-B"],
            json!([{"package": {"ecosystem": "PyPI", "name": "Jinja2"}, "versions": ["2.10", "2.9.6"],
                "ranges": [{"type": "GIT", "repo": "https://example.invalid/jinja", "events": [{"introduced": "ABC123"}, {"fixed": "def456"}]},
                           {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}]}]),
        ));
        index.upsert(osv(
            "ALSA-C",
            &[],
            json!([entry(
                "AlmaLinux:9",
                "openssl",
                "ECOSYSTEM",
                &[("introduced", "0"), ("fixed", "1:3.0.7-27.el9")],
                &[]
            )]),
        ));
        index.upsert(osv(
            "ALSA-D",
            &[],
            json!([entry(
                "AlmaLinux:8",
                "openssl",
                "ECOSYSTEM",
                &[("introduced", "0"), ("fixed", "1:1.1.1k-12.el8_9")],
                &[]
            )]),
        ));
        index.upsert(osv_with(
            json!({"id": "PYSEC-E", "modified": "2024-01-01T00:00:00Z", "withdrawn": "2024-02-01T00:00:00Z",
            "affected": [entry("PyPI", "jinja2", "ECOSYSTEM", &[("introduced", "0"), ("fixed", "9.0")], &[])]}),
        ));
        index.upsert(osv(
            "GHSA-F",
            &[],
            json!([
                entry("npm", "lodash", "SEMVER", &[("introduced", "0"), ("fixed", "4.17.12")], &[]),
                entry("npm", "lodash", "SEMVER", &[("introduced", "4.17.0"), ("fixed", "4.17.21")], &[])
            ]),
        ));
        index.upsert(osv(
            "CONAN-G",
            &[],
            json!([entry(
                "ConanCenter",
                "zlib",
                "ECOSYSTEM",
                &[("introduced", "1.2.0"), ("fixed", "1.2.12")],
                &["1.2.11"]
            )]),
        ));
        index.upsert(osv(
            "PYSEC-I",
            &[],
            json!([{"package": {"ecosystem": "PyPI", "name": "listed-only"}, "versions": ["1.0", "2.0rc1"]}]),
        ));
        index.upsert(osv(
            "GO-H",
            &[],
            json!([entry(
                "Go",
                "example.com/m",
                "SEMVER",
                &[("introduced", "1.0.0"), ("last_affected", "1.2.0")],
                &[]
            )]),
        ));
        index
    }

    type Want = (&'static [&'static str], Option<&'static str>);

    #[test]
    fn maven_listed_versions_are_found_though_the_order_is_intransitive() {
        // `4-alpha < 4 < 4.foo`, yet `4.foo < 4-alpha` (the POM's order): no sort, no
        // binary search; every listed version is found, and others are not.
        let mut index = Index::new();
        index.upsert(osv(
            "GHSA-m",
            &[],
            json!([entry(
                "Maven",
                "g:a",
                "ECOSYSTEM",
                &[("introduced", "9"), ("fixed", "9.1")],
                &["4-alpha", "4", "4.foo"]
            )]),
        ));
        for v in ["4-alpha", "4", "4.foo", "4.0", "9.0.5"] {
            assert_eq!(ids(&index.query_package("Maven", "g:a", Some(v)).unwrap()), ["osv/GHSA-m"], "{v}");
        }
        for v in ["4-beta", "5", "9.1", "3"] {
            assert!(index.query_package("Maven", "g:a", Some(v)).unwrap().is_empty(), "{v}");
        }
    }

    #[test]
    fn package_queries_table() {
        let index = sample();
        let cases: &[(&str, &str, Option<&str>, Want)] = &[
            ("crates.io", "tokio", Some("1.12.0"), (&["osv/RUSTSEC-A"], Some("1.13.1"))),
            ("crates.io", "tokio", Some("1.8.3"), (&["osv/RUSTSEC-A"], Some("1.8.4"))),
            ("crates.io", "tokio", Some("1.8.4"), (&[], None)),
            ("crates.io", "tokio", Some("0.1.13"), (&[], None)),
            ("crates.io", "tokio", Some("1.13.1"), (&[], None)),
            // PEP 503 names, PEP 440 equality with listed versions; the withdrawn PYSEC-E never.
            ("PyPI", "Jinja2", Some("2.10"), (&["osv/PYSEC-B"], Some("2.10.1"))),
            ("pypi", "JINJA_2", Some("2.10"), (&[], None)),
            ("pypi", "jinja2", Some("2.10.0"), (&["osv/PYSEC-B"], Some("2.10.1"))),
            ("PyPI", "jinja2", Some("2.10.1"), (&[], None)),
            ("PyPI", "jinja2", None, (&["osv/PYSEC-B"], None)),
            // Releases: exact, or every release for a bare family.
            ("AlmaLinux:9", "openssl", Some("1:3.0.7-26.el9"), (&["osv/ALSA-C"], Some("1:3.0.7-27.el9"))),
            ("AlmaLinux:9", "openssl", Some("1:3.0.7-27.el9"), (&[], None)),
            ("AlmaLinux:8", "openssl", Some("1:1.1.1k-11.el8"), (&["osv/ALSA-D"], Some("1:1.1.1k-12.el8_9"))),
            ("AlmaLinux", "openssl", Some("1:1.1.1k-11.el8"), (&["osv/ALSA-C", "osv/ALSA-D"], Some("1:3.0.7-27.el9"))),
            ("AlmaLinux:10", "openssl", Some("1:1.1.1k-11.el8"), (&[], None)),
            // Two entries of one advisory: one hit, the smaller fix above the version.
            ("npm", "lodash", Some("4.17.5"), (&["osv/GHSA-F"], Some("4.17.12"))),
            ("npm", "lodash", Some("4.17.15"), (&["osv/GHSA-F"], Some("4.17.21"))),
            ("npm", "lodash", Some("4.17.21"), (&[], None)),
            // Unknown ecosystem: listed versions only, any version string, no order for a remedy.
            ("ConanCenter", "zlib", Some("1.2.11"), (&["osv/CONAN-G"], None)),
            ("ConanCenter", "zlib", Some("1.2.5"), (&[], None)),
            ("ConanCenter", "zlib", Some("not even a version"), (&[], None)),
            // Listed versions: as written, or equal in the ecosystem's order.
            ("PyPI", "listed_only", Some("1.0.0"), (&["osv/PYSEC-I"], None)),
            ("PyPI", "listed-only", Some("2.0c1"), (&["osv/PYSEC-I"], None)),
            ("PyPI", "listed-only", Some("1.0.1"), (&[], None)),
            // last_affected is inclusive; nothing to upgrade to is known.
            ("Go", "example.com/m", Some("1.2.0"), (&["osv/GO-H"], None)),
            ("Go", "example.com/m", Some("1.2.1"), (&[], None)),
            ("Go", "example.com/other", Some("1.0.0"), (&[], None)),
            ("Maven", "tokio", Some("1.0"), (&[], None)),
        ];
        for (eco, name, version, (want, remedy)) in cases {
            let hits = index.query_package(eco, name, *version).unwrap();
            assert_eq!(ids(&hits), *want, "{eco} {name} {version:?}");
            assert_eq!(hits.first().and_then(|h| h.remedy.as_deref()), *remedy, "{eco} {name} {version:?}");
            // The lean answer names the same records, in the same order.
            let lean: Vec<String> = index
                .affected(eco, name, *version)
                .unwrap()
                .iter()
                .map(|a| crate::RecordKey::of(a).to_string())
                .collect();
            assert_eq!(lean, ids(&hits), "affected {eco} {name} {version:?}");
        }
        let lodash = index.query_package("npm", "lodash", Some("4.17.5")).unwrap();
        assert_eq!(lodash[0].matched, [Matched::Package(0), Matched::Package(1)]);
        assert_eq!(lodash[0].fixed, ["4.17.12", "4.17.21"]);
        assert_eq!(lodash[0].package(), Some(0));
        let warnings: Vec<_> = index.warnings().map(|(k, w)| format!("{k}: {w}")).collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("osv/CONAN-G: packages[0] ConanCenter/zlib, ranges[0]: an ECOSYSTEM range"));
    }

    #[test]
    fn bad_versions_are_errors() {
        let index = sample();
        let cases = [
            ("crates.io", "1.x", "crates.io version \"1.x\" does not parse: byte 2: expected"),
            ("AlmaLinux:9", "", "AlmaLinux:9 version \"\" does not parse: byte 0: expected"),
        ];
        for (eco, version, want) in cases {
            let err = index.query_package(eco, "anything", Some(version)).unwrap_err();
            assert!(matches!(err, Error::InvalidVersion { .. }));
            assert!(err.to_string().starts_with(want), "{err}");
        }
    }

    #[test]
    fn purls_table() {
        let index = sample();
        let cases: &[(&str, &[&str])] = &[
            ("pkg:cargo/tokio@1.12.0", &["osv/RUSTSEC-A"]),
            ("pkg:pypi/Jinja2@2.10", &["osv/PYSEC-B"]),
            ("pkg:pypi/jinja2", &["osv/PYSEC-B"]),
            ("pkg:npm/lodash@4.17.20", &["osv/GHSA-F"]),
            ("pkg:rpm/almalinux/openssl@1:1.1.1k-11.el8", &["osv/ALSA-C", "osv/ALSA-D"]),
            ("pkg:rpm/almalinux/openssl@1:1.1.1k-11.el8?distro=almalinux-8.10", &["osv/ALSA-D"]),
            ("pkg:rpm/almalinux/openssl@1:1.1.1k-11.el8?distro=almalinux-10", &[]),
            ("pkg:golang/example.com/m@1.1.0", &["osv/GO-H"]),
        ];
        for (purl, want) in cases {
            assert_eq!(ids(&index.query_purl(purl).unwrap()), *want, "{purl}");
            let lean: Vec<String> =
                index.affected_purl(purl).unwrap().iter().map(|a| crate::RecordKey::of(a).to_string()).collect();
            assert_eq!(lean, *want, "affected {purl}");
        }
        let errors = [
            ("pkg:generic/openssl@3.0.7", "purl \"pkg:generic/openssl@3.0.7\" has no OSV ecosystem: expected"),
            ("openssl 3.0.7", "purl \"openssl 3.0.7\" does not parse: expected"),
            ("pkg:cargo/tokio@1.x", "crates.io version \"1.x\" does not parse"),
        ];
        for (purl, want) in errors {
            let err = index.query_purl(purl).unwrap_err().to_string();
            assert!(err.starts_with(want), "{err}");
        }
    }

    #[test]
    fn commits_table() {
        let index = sample();
        let cases: &[(&str, &[&str])] =
            &[("abc123", &["osv/PYSEC-B"]), ("ABC123 ", &["osv/PYSEC-B"]), ("def456", &[]), ("0", &[])];
        for (commit, want) in cases {
            assert_eq!(ids(&index.query_commit(commit)), *want, "{commit}");
        }
        let hit = &index.query_commit("abc123")[0];
        assert_eq!(
            (hit.matched.as_slice(), hit.fixed.as_slice(), hit.remedy.as_deref()),
            (&[Matched::Commit(0)][..], &["def456".to_owned()][..], None)
        );
    }

    #[test]
    fn ecosystem_names_table() {
        let cases = [
            ("AlmaLinux:9", "AlmaLinux", Some("9"), Some(Ecosystem::AlmaLinux)),
            ("almalinux", "AlmaLinux", None, Some(Ecosystem::AlmaLinux)),
            (" pypi ", "PyPI", None, Some(Ecosystem::PyPI)),
            ("Ubuntu:22.04:LTS", "Ubuntu", Some("22.04:LTS"), Some(Ecosystem::Ubuntu)),
            ("Debian:", "Debian", None, Some(Ecosystem::Debian)),
            ("GIT", "GIT", None, None),
            ("ConanCenter", "ConanCenter", None, None),
        ];
        for (input, family, release, known) in cases {
            assert_eq!(split_ecosystem(input), EcosystemName { family, release, known }, "{input}");
        }
    }

    #[test]
    fn distro_qualifiers_table() {
        let cases: [(Ecosystem, &str, &[&str]); 5] = [
            (Ecosystem::AlmaLinux, "almalinux-9.4", &["9.4", "9"]),
            (Ecosystem::AlmaLinux, "almalinux-9", &["9"]),
            (Ecosystem::Debian, "debian-12", &["12"]),
            (Ecosystem::Debian, "bookworm", &[]),
            (Ecosystem::Alpine, "alpine-3.19.1", &["v3.19"]),
        ];
        for (eco, distro, want) in cases {
            assert_eq!(distro_releases(eco, distro), want, "{distro}");
        }
    }
}
