//! RustSec, PyPA and AlmaLinux in one index: every `SEMVER` / `ECOSYSTEM` range event
//! asked about, answers checked against `ch-version`'s own evaluation, OSV range
//! semantics and the fix to upgrade to; known answers read from the records.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use ch_advisory::{Advisory, AffectedPackage};
use ch_match::{Index, Matched, Origin, RecordKey};
use ch_version::{AffectedRange, Ecosystem, Event, RangeType, Scheme};

use crate::{hit, keys, osv_set};

/// Withdrawn records in the three sets: 13 RustSec, 10 PyPA.
const WITHDRAWN: usize = 23;

const SETS: [&str; 3] = ["osv/rustsec.jsonl.zst", "osv/pypa.jsonl.zst", "osv/almalinux-osv.jsonl.zst"];

struct Data {
    index: Index,
    /// Records read per set (before de-duplication by key).
    read: Vec<(&'static str, usize)>,
    /// Distinct record keys read.
    distinct: usize,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let mut index = Index::new();
        let mut read = Vec::new();
        let mut distinct = HashSet::new();
        for set in SETS {
            let advisories = osv_set(set);
            read.push((set, advisories.len()));
            distinct.extend(advisories.iter().map(|a| RecordKey::of(a)));
            index.extend(advisories);
        }
        Data { index, read, distinct: distinct.len() }
    })
}

/// Whether `v` is affected by entry `q`, by `ch-version` primitives, parsing everything
/// again on each call (the index parsed once, at insert): a `SEMVER` / `ECOSYSTEM` range
/// contains it, or `versions` lists it (as written, or equal in the ecosystem's order).
/// `skip`: a range left out. Ranges that do not check count as not containing.
fn reference(q: &AffectedPackage, eco: Ecosystem, v: &str, skip: Option<usize>) -> bool {
    let listed = q.versions.iter().any(|l| l == v || eco.compare(l, v) == Ok(Ordering::Equal));
    listed
        || q.ranges.iter().enumerate().any(|(j, r)| {
            Some(j) != skip
                && r.kind != RangeType::Git
                && AffectedRange::new(&r.to_osv_range(), eco).is_ok_and(|c| c.contains_str(v).unwrap_or(false))
        })
}

/// Whether two versions are equal in the order of range `kind` of `eco`.
fn same(eco: Ecosystem, kind: RangeType, a: &str, b: &str) -> bool {
    match kind {
        RangeType::Semver => {
            matches!((Scheme::SemVer.parse(a), Scheme::SemVer.parse(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => eco.compare(a, b) == Ok(Ordering::Equal),
    }
}

#[derive(Default, Debug)]
struct Tally {
    queries: usize,
    hits: usize,
    introduced_asserted: usize,
    introduced_exempt: usize,
    fixed_explained_elsewhere: usize,
    remedies: usize,
    unparsed_versions: usize,
    entries_with_bad_ranges: usize,
    withdrawn: usize,
}

#[test]
fn every_range_event_answers_as_ch_version_evaluates() {
    let data = data();
    let index = &data.index;
    for (set, n) in &data.read {
        eprintln!("{set}: {n} records");
    }
    // AlmaLinux repeats 37 records (43 extra lines, byte-identical): one record per key.
    let read: usize = data.read.iter().map(|(_, n)| n).sum();
    eprintln!("{read} read, {} distinct keys", data.distinct);
    assert_eq!(index.len(), data.distinct);

    let mut t = Tally::default();
    let mut by_set: BTreeMap<String, usize> = BTreeMap::new();
    for (key, a) in index.records() {
        *by_set.entry(a.id.split('-').next().unwrap_or("").to_owned()).or_default() += 1;
        t.withdrawn += usize::from(a.withdrawn.is_some());
        for (pi, p) in a.packages.iter().enumerate() {
            let Some(eco) = p.known_ecosystem else { continue };
            if p.checked().is_err() {
                t.entries_with_bad_ranges += 1;
            }
            for (ri, r) in p.ranges.iter().enumerate().filter(|(_, r)| r.kind != RangeType::Git) {
                for e in &r.events {
                    let v = e.value();
                    if v == "0" {
                        continue;
                    }
                    check_event(index, &mut t, key, a, pi, eco, ri, e, v);
                }
            }
        }
    }
    eprintln!("{by_set:?}");
    eprintln!("{t:#?}");
    let warnings: Vec<String> = index.warnings().map(|(k, w)| format!("{k}: {w}")).collect();
    eprintln!("{} indexing warnings, e.g. {:?}", warnings.len(), warnings.iter().take(3).collect::<Vec<_>>());
    // Every entry whose ranges do not all check left a warning (and nothing else did).
    assert_eq!(warnings.len(), t.entries_with_bad_ranges, "{warnings:?}");
    // Not vacuous: thousands of each kind of check ran (counts of the 2026 data).
    assert!(t.queries > 75_000 && t.hits > 9_000, "{t:?}");
    assert!(t.introduced_asserted > 4_000 && t.remedies > 8_000 && t.withdrawn == WITHDRAWN, "{t:?}");
    // Reported at a `fixed` version of one range because another says so: AlmaLinux
    // module streams (one entry per stream build of the same package, `fixed` each) and
    // a few PyPA entries listing their fixed version in `versions`.
    assert!(t.fixed_explained_elsewhere > 0, "{t:?}");
}

#[allow(clippy::too_many_arguments)]
fn check_event(
    index: &Index,
    t: &mut Tally,
    key: &RecordKey,
    a: &Arc<Advisory>,
    pi: usize,
    eco: Ecosystem,
    ri: usize,
    e: &Event,
    v: &str,
) {
    let Some(p) = a.packages.get(pi) else { return };
    let place = format!("{key} {} {} {v:?} ({e:?})", p.ecosystem, p.name);
    t.queries += 1;
    let got = index.query_package(&p.ecosystem, &p.name, Some(v));
    if eco.parse_version(v).is_err() {
        // A SEMVER event the ecosystem's own grammar refuses: the query is refused too.
        assert!(got.is_err(), "{place}: {got:?}");
        t.unparsed_versions += 1;
        return;
    }
    let hits = got.unwrap_or_else(|err| panic!("{place}: {err}"));
    let found = hit(&hits, &key.to_string());

    // The reference: every entry of this record for the same ecosystem and name.
    let group: Vec<(usize, &AffectedPackage)> = a
        .packages
        .iter()
        .enumerate()
        .filter(|(_, q)| q.ecosystem == p.ecosystem && q.normalised_name == p.normalised_name)
        .collect();
    let affected: Vec<usize> = group.iter().filter(|(_, q)| reference(q, eco, v, None)).map(|(i, _)| *i).collect();
    // ch-version's own entry-level answer agrees with the reference where it answers.
    for (i, q) in &group {
        if let Ok(Ok(answer)) = q.checked().map(|c| c.is_affected(v)) {
            assert_eq!(answer, affected.contains(i), "{place}: entry {i}");
        }
    }
    let expected = a.withdrawn.is_none() && !affected.is_empty();
    assert_eq!(found.is_some(), expected, "{place}: affected entries {affected:?}, hits {:?}", keys(&hits));
    let Some(h) = found else {
        if let Event::Introduced(_) = e {
            t.introduced_exempt += 1;
        }
        return;
    };
    t.hits += 1;

    // One hit per record: every affected entry, their fixed versions merged.
    let matched: Vec<Matched> = affected.iter().map(|i| Matched::Package(*i)).collect();
    assert_eq!(h.matched, matched, "{place}");
    let mut fixed: Vec<&str> = Vec::new();
    for i in &affected {
        for f in a.packages.get(*i).map(AffectedPackage::fixed_versions).unwrap_or_default() {
            if !fixed.contains(&f) {
                fixed.push(f);
            }
        }
    }
    assert_eq!(h.fixed, fixed, "{place}");

    // The remedy: the smallest of those above v, in the ecosystem's order.
    let parsed = eco.parse_version(v).ok();
    let expected_remedy = fixed
        .iter()
        .filter_map(|f| eco.parse_version(f).ok().map(|pv| (pv, *f)))
        .filter(|(pv, _)| parsed.as_ref().is_some_and(|q| pv > q))
        .min_by(|x, y| x.0.cmp(&y.0));
    match (&h.remedy, expected_remedy) {
        (None, None) => {}
        (Some(got), Some((want, raw))) => {
            assert!(eco.parse_version(got).is_ok_and(|g| g == want), "{place}: remedy {got}, expected {raw}");
            t.remedies += 1;
        }
        (got, want) => panic!("{place}: remedy {got:?}, expected {:?}", want.map(|w| w.1)),
    }

    match e {
        Event::Introduced(_) => t.introduced_asserted += 1,
        Event::Fixed(_) => {
            // Not from this range: the hit has another explanation.
            let elsewhere = group.iter().any(|(i, q)| reference(q, eco, v, (*i == pi).then_some(ri)));
            assert!(elsewhere, "{place}: reported at its own fixed version with no other range or listing");
            t.fixed_explained_elsewhere += 1;
        }
        _ => {}
    }
}

/// The OSV semantics, stated without `ch-version`: at an `introduced` version, a record
/// is reported unless the same range also fixes or limits at that version.
#[test]
fn introduced_versions_are_reported() {
    let index = &data().index;
    let (mut asserted, mut exempt) = (0, 0);
    for (key, a) in index.records() {
        if a.withdrawn.is_some() {
            continue;
        }
        for p in &a.packages {
            let Some(eco) = p.known_ecosystem else { continue };
            for r in p.ranges.iter().filter(|r| r.kind != RangeType::Git) {
                if AffectedRange::new(&r.to_osv_range(), eco).is_err() {
                    continue;
                }
                for e in &r.events {
                    let Event::Introduced(v) = e else { continue };
                    if v == "0" || eco.parse_version(v).is_err() {
                        continue;
                    }
                    // Exempt: a `fixed` at the same version, or a `limit` at or below it.
                    let closed = r.events.iter().any(|x| match x {
                        Event::Fixed(f) => same(eco, r.kind, f, v),
                        Event::Limit(l) => {
                            same(eco, r.kind, l, v) || eco.compare(l, v).is_ok_and(|o| o == Ordering::Less)
                        }
                        _ => false,
                    });
                    if closed {
                        exempt += 1;
                        continue;
                    }
                    let hits = index.query_package(&p.ecosystem, &p.name, Some(v)).unwrap();
                    assert!(
                        hit(&hits, &key.to_string()).is_some(),
                        "{key} {} {} at introduced {v}",
                        p.ecosystem,
                        p.name
                    );
                    asserted += 1;
                }
            }
        }
    }
    eprintln!("introduced: {asserted} asserted, {exempt} exempt");
    assert!(asserted > 1_000, "{asserted}");
}

/// Answers read off the records themselves (see the data files).
#[test]
fn known_answers() {
    let index = &data().index;
    let q = |eco: &str, name: &str, v: &str| index.query_package(eco, name, Some(v)).unwrap();
    let remedy = |hits: &[ch_match::Hit], key: &str| hit(hits, key).map(|h| h.remedy.clone());

    // RUSTSEC-2021-0124: tokio >=0.1.14 <1.8.4, >=1.9.0 <1.13.1.
    let tokio = "osv/RUSTSEC-2021-0124";
    assert_eq!(remedy(&q("crates.io", "tokio", "1.12.0"), tokio), Some(Some("1.13.1".into())));
    assert_eq!(remedy(&q("crates.io", "tokio", "1.8.3"), tokio), Some(Some("1.8.4".into())));
    for v in ["0.1.13", "1.8.4", "1.8.5", "1.13.1"] {
        assert!(hit(&q("crates.io", "tokio", v), tokio).is_none(), "tokio {v}");
    }
    // RUSTSEC-2022-0013: regex < 1.5.5 (introduced 0.0.0-0).
    assert_eq!(remedy(&q("crates.io", "regex", "1.5.4"), "osv/RUSTSEC-2022-0013"), Some(Some("1.5.5".into())));
    assert!(hit(&q("crates.io", "regex", "1.5.5"), "osv/RUSTSEC-2022-0013").is_none());
    // The same through a purl.
    let purl = index.query_purl("pkg:cargo/tokio@1.12.0").unwrap();
    assert!(hit(&purl, tokio).is_some());

    // PyPA, Jinja2 2.10: PYSEC-2019-217 (< 2.10.1) and PYSEC-2021-66 (< 2.11.3), not
    // PYSEC-2014-8 (< 2.7.2); name as written on PyPI, PEP 503 applied.
    let jinja = q("PyPI", "Jinja2", "2.10");
    assert_eq!(remedy(&jinja, "osv/PYSEC-2019-217"), Some(Some("2.10.1".into())));
    assert_eq!(remedy(&jinja, "osv/PYSEC-2021-66"), Some(Some("2.11.3".into())));
    assert!(hit(&jinja, "osv/PYSEC-2014-8").is_none());
    assert_eq!(keys(&index.query_purl("pkg:pypi/jinja2@2.10").unwrap()), keys(&jinja));
    let flaw = index.flaw("GHSA-g3rq-g295-4j3m").unwrap();
    assert_eq!(flaw.primary_id, "CVE-2020-28493");
    assert!(flaw.records.contains(&RecordKey::new("PYSEC-2021-66", Origin::Osv)));
    assert_eq!(index.get("CVE-2020-28493")[0].id, "PYSEC-2021-66");

    // AlmaLinux firefox, July 2025: ALSA-2025:10072 (9), :10073 (10), :10074 (8).
    let nine = q("AlmaLinux:9", "firefox", "128.11.0-1.el9_6");
    assert_eq!(remedy(&nine, "osv/ALSA-2025:10072"), Some(Some("128.12.0-1.el9_6.alma.1".into())));
    assert!(hit(&nine, "osv/ALSA-2025:10073").is_none() && hit(&nine, "osv/ALSA-2025:10074").is_none());
    assert!(hit(&q("AlmaLinux:9", "firefox", "128.12.0-1.el9_6.alma.1"), "osv/ALSA-2025:10072").is_none());
    let ten = q("AlmaLinux:10", "firefox", "128.11.0-1.el10_0");
    assert_eq!(remedy(&ten, "osv/ALSA-2025:10073"), Some(Some("128.12.0-1.el10_0".into())));
    let bare = q("AlmaLinux", "firefox", "128.11.0-1.el9_6");
    for k in ["osv/ALSA-2025:10072", "osv/ALSA-2025:10073", "osv/ALSA-2025:10074"] {
        assert!(hit(&bare, k).is_some(), "bare AlmaLinux: {k}");
    }
    assert!(bare.len() > nine.len());

    // Commits: PYSEC-2022-259 python-jwt GIT range introduced f6d14510..., fixed 88ad9e67....
    assert!(hit(&index.query_commit("f6d1451012c6a04c2fb1940f0bbd93bb6cf2b025"), "osv/PYSEC-2022-259").is_some());
    assert!(hit(&index.query_commit("88ad9e67c53aa5f7c43ec4aa52ed34b7930068c9"), "osv/PYSEC-2022-259").is_none());

    // Withdrawn records stay readable.
    let withdrawn: Vec<&Arc<Advisory>> = index.records().map(|(_, a)| a).filter(|a| a.withdrawn.is_some()).collect();
    assert_eq!(withdrawn.len(), WITHDRAWN);
    for a in withdrawn {
        assert_eq!(index.get(&a.id).len(), 1, "{}", a.id);
    }

    // Stats: AlmaLinux firefox posts per release.
    let firefox: BTreeMap<&str, usize> =
        index.package_keys().filter(|(_, n, _)| *n == "firefox").map(|(e, _, c)| (e, c)).collect();
    assert!(
        ["AlmaLinux:8", "AlmaLinux:9", "AlmaLinux:10"].iter().all(|e| firefox.get(e).is_some_and(|c| *c > 0)),
        "{firefox:?}"
    );
}

/// Re-upserting every record changes nothing; removing every record leaves nothing.
#[test]
fn upsert_again_then_remove_everything() {
    let advisories = osv_set("osv/rustsec.jsonl.zst");
    let mut index: Index = advisories.iter().cloned().collect();
    let probe = |index: &Index| -> Vec<Vec<String>> {
        advisories
            .iter()
            .filter_map(|a| a.packages.first())
            .map(|p| keys(&index.query_package(&p.ecosystem, &p.name, None).unwrap()))
            .collect()
    };
    let before = (index.len(), probe(&index));
    let mut stats: Vec<_> = index.package_keys().map(|(e, n, c)| (e.to_owned(), n.to_owned(), c)).collect();
    stats.sort();
    for a in &advisories {
        assert!(index.upsert(Arc::clone(a)).is_some());
    }
    assert_eq!((index.len(), probe(&index)), before);
    let mut again: Vec<_> = index.package_keys().map(|(e, n, c)| (e.to_owned(), n.to_owned(), c)).collect();
    again.sort();
    assert_eq!(again, stats);
    for a in &advisories {
        index.remove(&RecordKey::of(a));
    }
    assert!(index.is_empty());
    assert_eq!(index.package_keys().count(), 0);
    assert!(index.query_commit("anything").is_empty() && index.get("CVE-2021-45710").is_empty());
}

/// Packages with many advisories answer through slot tables (built on the first lookup):
/// every record the index reports for a version, and none it leaves out, agrees with
/// `ch-version` evaluating each entry again, at range events and listed versions and at
/// versions between them (the table's open slots), below the first and above the last.
/// A package's records, by (ecosystem as written, normalised name).
type Groups<'a> = BTreeMap<(String, String), Vec<(&'a RecordKey, &'a Arc<Advisory>)>>;
/// A record's key, whether it is live, and its entries' checked ranges and listed versions.
type Checked<'a> = (String, bool, Vec<(Vec<AffectedRange>, &'a [String])>);

#[test]
fn crowded_packages_answer_between_events_as_at_them() {
    let index = &data().index;
    // (ecosystem as written, normalised name) -> the records' entries for it.
    let mut groups: Groups<'_> = BTreeMap::new();
    for (key, a) in index.records() {
        let mut seen = HashSet::new();
        for p in &a.packages {
            if p.known_ecosystem.is_some() && seen.insert((p.ecosystem.clone(), p.normalised_name.clone())) {
                groups.entry((p.ecosystem.clone(), p.normalised_name.clone())).or_default().push((key, a));
            }
        }
    }
    let (mut packages, mut probes, mut reported) = (0, 0, 0);
    // The sixty most crowded, and every eighth of the rest (AlmaLinux alone has over a
    // thousand per-release packages past the table's threshold).
    let mut crowded: Vec<_> = groups.iter().filter(|(_, r)| r.len() >= 12).collect();
    crowded.sort_by_key(|(k, r)| (std::cmp::Reverse(r.len()), *k));
    let crowded = crowded.iter().enumerate().filter(|(i, _)| *i < 60 || i % 8 == 0).map(|(_, g)| *g);
    for ((ecosystem, name), records) in crowded {
        let Some(eco) = records
            .iter()
            .flat_map(|(_, a)| &a.packages)
            .find(|p| &p.ecosystem == ecosystem)
            .and_then(|p| p.known_ecosystem)
        else {
            continue;
        };
        packages += 1;
        let mut versions: Vec<String> = Vec::new();
        for (_, a) in records {
            for p in a.packages.iter().filter(|p| &p.ecosystem == ecosystem && &p.normalised_name == name) {
                versions.extend(p.ranges.iter().flat_map(|r| r.events.iter()).map(|e| e.value().to_owned()));
                versions.extend(p.versions.iter().cloned());
            }
        }
        versions.sort();
        versions.dedup();
        let mut candidates: Vec<String> = vec!["0.0.0".into(), "99999".into()];
        for v in &versions {
            for suffix in ["", ".1", "-1", "a", ".post1", "-0", ".0.1"] {
                candidates.push(format!("{v}{suffix}"));
            }
        }
        candidates.retain(|c| eco.parse_version(c).is_ok());
        // Each record's entries for the package, checked once (the reference evaluates
        // the checked ranges; `reference` would parse them again on every probe).
        let entries: Vec<Checked<'_>> = records
            .iter()
            .map(|(k, a)| {
                let checked = a
                    .packages
                    .iter()
                    .filter(|p| &p.ecosystem == ecosystem && &p.normalised_name == name)
                    .map(|p| {
                        let ranges = p
                            .ranges
                            .iter()
                            .filter(|r| r.kind != RangeType::Git)
                            .filter_map(|r| AffectedRange::new(&r.to_osv_range(), eco).ok())
                            .collect();
                        (ranges, p.versions.as_slice())
                    })
                    .collect();
                (k.to_string(), a.withdrawn.is_none(), checked)
            })
            .collect();
        let step = candidates.len().div_ceil(40).max(1);
        for v in candidates.iter().step_by(step) {
            probes += 1;
            let got =
                index.query_package(ecosystem, name, Some(v)).unwrap_or_else(|e| panic!("{ecosystem} {name} {v}: {e}"));
            let mut got = keys(&got);
            got.sort();
            let mut want: Vec<String> = entries
                .iter()
                .filter(|(_, live, checked)| {
                    *live
                        && checked.iter().any(|(ranges, listed)| {
                            listed.iter().any(|l| l == v || eco.compare(l, v) == Ok(Ordering::Equal))
                                || ranges.iter().any(|r| r.contains_str(v).unwrap_or(false))
                        })
                })
                .map(|(k, _, _)| k.clone())
                .collect();
            want.sort();
            assert_eq!(got, want, "{ecosystem} {name} {v:?}");
            // The lean lookup the OSV API uses agrees.
            let lean = index.affected(ecosystem, name, Some(v)).unwrap_or_default();
            assert_eq!(lean.len(), want.len(), "{ecosystem} {name} {v:?}: lean lookup");
            reported += want.len();
        }
    }
    eprintln!("{packages} crowded packages, {probes} probes, {reported} records reported");
    // Not vacuous: the three sets hold dozens of crowded packages (tensorflow, the
    // AlmaLinux kernel); many probes fall between events, and most report something.
    assert!(packages > 200 && probes > 5_000 && reported > 50_000, "{packages} {probes} {reported}");
}
