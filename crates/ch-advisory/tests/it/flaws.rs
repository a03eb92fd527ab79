//! Alias merging over every shared advisory set at once.

use std::collections::{HashMap, HashSet};

use ch_advisory::cve5::Cve5Record;
use ch_advisory::nvd::{Nvd1Item, Nvd2Cve};
use ch_advisory::{Advisory, Format, KevCatalogue, Osv, convert, merge};
use serde_json::Value;

use crate::{lines, shared_data};

fn all_advisories() -> Vec<Advisory> {
    let mut out = Vec::new();
    for file in ["pypa", "rustsec", "bitnami-vulndb", "almalinux-osv", "ghsa-sbom-sample"] {
        for l in lines(&format!("osv/{file}.jsonl.zst")) {
            out.push(Advisory::from_osv(Osv::from_json_slice(l.as_bytes()).unwrap(), Format::OsvJson).unwrap());
        }
    }
    let t = "2026-08-21T00:00:00Z".parse().unwrap();
    for (file, format) in [
        ("nodejs-security-wg", Format::NodejsSecurityWg),
        ("friendsofphp-security-advisories", Format::FriendsOfPhp),
        ("victims-cve-db", Format::Victims),
    ] {
        for l in lines(&format!("osv/{file}.jsonl.zst")) {
            let v: Value = serde_json::from_str(&l).unwrap();
            if let Ok(a) = convert::parse(format, &v, None, Some(t)) {
                out.push(a);
            }
        }
    }
    for file in ["cve5-kev-vulnrichment", "cve5-kev-cvelistv5"] {
        for l in lines(&format!("cve/{file}.jsonl.zst")) {
            out.push(Cve5Record::from_json_slice(l.as_bytes()).unwrap().to_advisory().unwrap());
        }
    }
    for l in lines("cve/nvd-1.1-kev.jsonl.zst") {
        out.push(Nvd1Item::from_json_slice(l.as_bytes()).unwrap().to_advisory().unwrap());
    }
    for l in lines("cve/nvd-2.0-kev.jsonl.zst") {
        out.push(Nvd2Cve::from_json_slice(l.as_bytes()).unwrap().to_advisory().unwrap());
    }
    out
}

#[test]
fn merged_flaws_partition_the_ids() {
    let advisories = all_advisories();
    let kev = KevCatalogue::from_json_slice(
        &std::fs::read(shared_data().join("kev/known_exploited_vulnerabilities.json")).unwrap(),
    )
    .unwrap()
    .vulnerabilities;
    let flaws = merge(&advisories, &kev);

    // Every advisory in exactly one flaw (the same id twice, e.g. RustSec, counts twice).
    let placed: usize = flaws.iter().map(|f| f.advisories.len()).sum();
    assert_eq!(placed, advisories.len());
    // No id in two flaws; every advisory's ids inside its flaw.
    let mut flaw_of: HashMap<&str, usize> = HashMap::new();
    for (i, f) in flaws.iter().enumerate() {
        for id in &f.ids {
            assert!(flaw_of.insert(id, i).is_none(), "{id} in two flaws");
        }
    }
    for a in &advisories {
        let i = flaw_of[a.id.as_str()];
        for id in a.ids() {
            assert_eq!(flaw_of[id], i, "{} alias {id}", a.id);
        }
    }
    // Each flaw is connected: its advisories reach one another through shared ids.
    let by_id: HashMap<&str, Vec<&Advisory>> = advisories.iter().fold(HashMap::new(), |mut m, a| {
        for id in a.ids() {
            m.entry(id).or_default().push(a);
        }
        m
    });
    for f in flaws.iter().filter(|f| f.advisories.len() > 1) {
        let start = f.advisories[0].as_str();
        let mut seen: HashSet<&str> = HashSet::from([start]);
        let mut queue = vec![start];
        while let Some(id) = queue.pop() {
            for a in by_id.get(id).into_iter().flatten() {
                for other in a.ids() {
                    if seen.insert(other) {
                        queue.push(other);
                    }
                }
            }
        }
        for a in &f.advisories {
            assert!(seen.contains(a.as_str()), "{}: {a} not reachable", f.primary_id);
        }
    }
    // Every KEV CVE's flaw carries the catalogue's marking.
    for k in &kev {
        let f = &flaws[flaw_of[k.cve_id.as_str()]];
        assert_eq!(f.exploited.as_ref().map(|e| e.source.as_str()), Some("CISA KEV"), "{}", k.cve_id);
    }
    let multi = flaws.iter().filter(|f| f.advisories.len() > 1).count();
    let both = flaws
        .iter()
        .filter(|f| !f.packages.is_empty() && (!f.products.is_empty() || !f.applicability.is_empty()))
        .count();
    let largest = flaws.iter().max_by_key(|f| f.ids.len()).unwrap();
    let kev_with_packages = flaws.iter().filter(|f| f.exploited.is_some() && !f.packages.is_empty()).count();
    eprintln!(
        "{} advisories -> {} flaws; {multi} merge several records; {both} have packages and products; \
         {kev_with_packages} known-exploited flaws with packages; largest {} ({} ids)",
        advisories.len(),
        flaws.len(),
        largest.primary_id,
        largest.ids.len()
    );
    assert!(multi > 1000, "{multi}");
}
