//! CVE JSON 5 and NVD records: every record converts or is refused with a reason, every
//! emitted OSV record validates, the advisory reads back from it, and product data
//! survives (CPE trees, CVE 5 `affected`, KEV and SSVC marks).

use ch_advisory::cve5::Cve5Record;
use ch_advisory::nvd::{Nvd1Item, Nvd2Cve, Nvd2Response};
use ch_advisory::{Advisory, Format, validate_osv};
use serde_json::Value;

use crate::{Tally, lines, reason, shared_data};

/// Checks one converted advisory: schema-valid OSV, exact read-back, CPE trees kept.
fn check(a: &Advisory, source: &Value) {
    let osv = a.osv_json();
    if let Err(errors) = validate_osv(&osv) {
        panic!("{}: emitted OSV outside the schema: {errors:?}", a.id);
    }
    let back = Advisory::from_osv(a.osv.clone(), a.source).unwrap();
    let mut a2 = a.clone();
    a2.warnings.clear();
    let mut back2 = back;
    back2.warnings.retain(|w| a.warnings.contains(w));
    assert_eq!(back2, a2, "{}", a.id);
    // Every CPE match of the source is in the advisory's applicability tree.
    let expected = ch_cpe::Applicability::from_json(source).map(|x| x.cpe_matches().len()).unwrap_or(0);
    if source.get("configurations").is_some() {
        let got = a.applicability.as_ref().map_or(0, |x| x.cpe_matches().len());
        assert_eq!(got, expected, "{}", a.id);
    }
}

#[derive(Default)]
struct Marks {
    withdrawn: usize,
    products: usize,
    applicability: usize,
    exploited: usize,
    ssvc: usize,
    scored: usize,
}

impl Marks {
    fn add(&mut self, a: &Advisory) {
        self.withdrawn += usize::from(a.withdrawn.is_some());
        self.products += usize::from(!a.products.is_empty());
        self.applicability += usize::from(a.applicability.is_some());
        self.exploited += usize::from(a.exploited.is_some());
        self.ssvc += usize::from(a.ssvc.is_some());
        self.scored += usize::from(a.severities.iter().any(|s| s.value.is_some()));
    }

    fn print(&self, name: &str) {
        eprintln!(
            "  {name}: {} withdrawn, {} with products, {} with CPE trees, {} marked exploited, {} with SSVC, {} scored",
            self.withdrawn, self.products, self.applicability, self.exploited, self.ssvc, self.scored
        );
    }
}

fn cve5_set(rel: &str) -> (Tally, Marks) {
    let mut t = Tally::default();
    let mut m = Marks::default();
    for line in lines(rel) {
        let source: Value = serde_json::from_str(&line).unwrap();
        match Cve5Record::from_json_slice(line.as_bytes()).and_then(|r| r.to_advisory()) {
            Ok(a) => {
                check(&a, &Value::Null);
                m.add(&a);
                t.ok += 1;
                let state = source.pointer("/cveMetadata/state").and_then(Value::as_str);
                assert_eq!(a.withdrawn.is_some(), state == Some("REJECTED"), "{}", a.id);
            }
            Err(e) => t.refuse(reason(&e), e.to_string()),
        }
    }
    (t, m)
}

#[test]
fn cve5_sets() {
    for (rel, count) in [
        ("cve/cve5-kev-vulnrichment.jsonl.zst", 375),
        ("cve/cve5-kev-cvelistv5.jsonl.zst", 4),
        ("cve/cve5-vulnrichment-all.jsonl.zst", 62862),
    ] {
        let (t, m) = cve5_set(rel);
        t.print(rel);
        m.print(rel);
        assert_eq!(t.ok + t.refused_count(), count, "{rel}");
        assert_eq!(t.refused_count(), 0, "{rel}: {:#?}", t.refused);
        if rel.ends_with("all.jsonl.zst") {
            // The README: 145 REJECTED records, 20,230 with CISA-ADP `affected` entries.
            assert_eq!(m.withdrawn, 145);
            assert!(m.products >= 20230, "{}", m.products);
        }
        if rel.contains("kev-vulnrichment") {
            // Every KEV CVE in Vulnrichment carries CISA's SSVC decision.
            assert_eq!(m.ssvc, t.ok);
        }
    }
}

#[test]
fn cve5_samples() {
    let dir = shared_data().join("cve/cve5-samples");
    let mut t = Tally::default();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        match ch_advisory::cve5::parse(&bytes) {
            Ok(a) => {
                check(&a, &Value::Null);
                t.ok += 1;
            }
            Err(e) => t.refuse(reason(&e), format!("{}: {e}", path.display())),
        }
    }
    t.print("cve5-samples");
    assert_eq!(t.ok + t.refused_count(), 23);
    assert_eq!(t.refused_count(), 0, "{:#?}", t.refused);
}

#[test]
fn cve5_version_entries_cover_their_bounds() {
    // Every `versions[]` entry covers its own start, covers a `lessThanOrEqual` end and
    // not a `lessThan` end: checked on every entry of the Vulnrichment KEV records.
    let mut checked = 0;
    let mut unordered = Vec::new();
    for line in lines("cve/cve5-kev-vulnrichment.jsonl.zst") {
        let a = ch_advisory::cve5::parse(line.as_bytes()).unwrap();
        for p in &a.products {
            for e in &p.versions {
                let end = e.less_than.as_deref().or(e.less_than_or_equal.as_deref());
                if e.version_type.as_deref() == Some("git") || end.is_some_and(|x| x.contains('*')) {
                    continue;
                }
                let covers_start = e.status_of(&e.version).is_some();
                let end_ok = match (&e.less_than, &e.less_than_or_equal) {
                    (Some(lt), _) => e.status_of(lt).is_none(),
                    (None, Some(le)) => e.status_of(le).is_some(),
                    (None, None) => true,
                };
                if !(covers_start && end_ok) {
                    // Only an entry whose end sorts below its start may fail (`0` .. `n/a`).
                    unordered.push(format!("{}: {} .. {:?}", a.id, e.version, end));
                }
                checked += 1;
            }
        }
    }
    eprintln!(
        "{checked} entries checked; start above end: {} {:?}",
        unordered.len(),
        unordered.iter().take(5).collect::<Vec<_>>()
    );
    assert!(checked > 1000, "{checked}");
    for u in &unordered {
        let (start, end) = u.split_once(": ").unwrap().1.split_once(" .. ").unwrap();
        let end = end.trim_start_matches("Some(\"").trim_end_matches("\")");
        assert!(ch_cpe::VendorVersion::new(start) >= ch_cpe::VendorVersion::new(end), "{u}");
    }
}

#[test]
fn citrix_bleed_products_answer_versions() {
    // CVE-2023-4966 (Citrix Bleed): the CNA lists affected NetScaler ADC branches.
    let line = lines("cve/cve5-kev-cvelistv5.jsonl.zst").into_iter().find(|l| l.contains("CVE-2023-4966")).unwrap();
    let source: Value = serde_json::from_str(&line).unwrap();
    let a = ch_advisory::cve5::parse(line.as_bytes()).unwrap();
    let raw = source.pointer("/containers/cna/affected").unwrap().as_array().unwrap();
    let products: Vec<_> = a.products.iter().filter(|p| p.origin == "cna").collect();
    assert_eq!(products.len(), raw.len());
    for (p, r) in products.iter().zip(raw) {
        for v in r["versions"].as_array().unwrap() {
            let start = v["version"].as_str().unwrap();
            assert_eq!(p.status(start).to_string(), v["status"].as_str().unwrap(), "{:?} {start}", p.product);
        }
    }
}

fn nvd2(t: &mut Tally, m: &mut Marks, source: &Value, bytes: &[u8]) {
    match Nvd2Cve::from_json_slice(bytes).and_then(|c| c.to_advisory()) {
        Ok(a) => {
            check(&a, source);
            m.add(&a);
            t.ok += 1;
        }
        Err(e) => t.refuse(reason(&e), e.to_string()),
    }
}

#[test]
fn nvd_2_0_records_and_responses() {
    let mut t = Tally::default();
    let mut m = Marks::default();
    for line in lines("cve/nvd-2.0-kev.jsonl.zst") {
        let source: Value = serde_json::from_str(&line).unwrap();
        nvd2(&mut t, &mut m, &source, line.as_bytes());
    }
    t.print("nvd-2.0-kev");
    m.print("nvd-2.0-kev");
    assert_eq!((t.ok, t.refused_count()), (12, 0), "{:#?}", t.refused);
    // 11 of the 12 carry cisaExploitAdd (the README's field counts).
    assert_eq!(m.exploited, 11);

    let mut t = Tally::default();
    let mut m = Marks::default();
    let dir = shared_data().join("cve/nvd-2.0-api-responses");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let response = Nvd2Response::from_json_slice(&bytes).unwrap();
        let raw: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(response.vulnerabilities.len(), raw["vulnerabilities"].as_array().unwrap().len());
        for item in raw["vulnerabilities"].as_array().unwrap() {
            let cve = serde_json::to_vec(&item["cve"]).unwrap();
            nvd2(&mut t, &mut m, &item["cve"], &cve);
        }
        files += 1;
    }
    t.print("nvd-2.0-api-responses");
    m.print("nvd-2.0-api-responses");
    assert_eq!(files, 24);
    assert_eq!(t.ok + t.refused_count(), 23 + 13);
    assert_eq!(t.refused_count(), 0, "{:#?}", t.refused);
}

#[test]
fn nvd_1_1_items() {
    let mut t = Tally::default();
    let mut m = Marks::default();
    for line in lines("cve/nvd-1.1-kev.jsonl.zst") {
        let source: Value = serde_json::from_str(&line).unwrap();
        match Nvd1Item::from_json_slice(line.as_bytes()).and_then(|c| c.to_advisory()) {
            Ok(a) => {
                check(&a, &source);
                assert_eq!(a.source, Format::Nvd1);
                m.add(&a);
                t.ok += 1;
            }
            Err(e) => t.refuse(reason(&e), e.to_string()),
        }
    }
    t.print("nvd-1.1-kev");
    m.print("nvd-1.1-kev");
    assert_eq!(t.ok + t.refused_count(), 728);
    assert_eq!(t.refused_count(), 0, "{:#?}", t.refused);
    // The README: 721 of the 728 carry CPE configurations.
    assert_eq!(m.applicability, 721);
}
