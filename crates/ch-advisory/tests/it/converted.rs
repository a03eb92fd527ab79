//! The pre-OSV databases: every record converts or is refused with a reason; emitted OSV
//! validates; ranges evaluate; conversions agree with GitHub's reviewed advisories (the
//! GHSA sample) for the same CVE and package.

use std::collections::HashMap;

use ch_advisory::convert;
use ch_advisory::{Advisory, Format, Osv, validate_osv};
use ch_version::Event;
use jiff::Timestamp;
use serde_json::Value;

use crate::{Tally, lines, reason};

/// A fixed "file time" for records without dates (the tests pass time in).
fn file_time() -> Timestamp {
    "2026-08-21T00:00:00Z".parse().unwrap()
}

fn run(rel: &str, format: Format) -> (Tally, Vec<Advisory>) {
    let mut t = Tally::default();
    let mut out = Vec::new();
    for line in lines(rel) {
        let v: Value = serde_json::from_str(&line).unwrap();
        let file = v["_file"].as_str().unwrap_or_default().to_owned();
        match convert::parse(format, &v, None, Some(file_time())) {
            Ok(a) => {
                let osv = a.osv_json();
                if let Err(errors) = validate_osv(&osv) {
                    panic!("{file}: emitted OSV outside the schema: {errors:?}\n{osv}");
                }
                // The emitted JSON reads back strictly, and into the same advisory.
                let again = Osv::from_json_slice(a.osv.to_json_string().as_bytes()).unwrap();
                let mut back = Advisory::from_osv(again, format).unwrap();
                back.warnings = a.warnings.clone();
                assert_eq!(back, a, "{file}");
                for p in &a.packages {
                    p.checked().unwrap_or_else(|e| panic!("{file}: {e}"));
                }
                assert!(a.id.starts_with("x_"), "{}", a.id);
                t.ok += 1;
                out.push(a);
            }
            Err(e) => t.refuse(reason(&e), format!("{file}: {e}")),
        }
    }
    (t, out)
}

#[test]
fn nodejs_security_wg() {
    let (t, advisories) = run("osv/nodejs-security-wg.jsonl.zst", Format::NodejsSecurityWg);
    t.print("nodejs-security-wg");
    // 467 npm + 171 core advisories convert; the 6 `vuln/deps` assessments are refused.
    assert_eq!(t.ok, 467 + 171);
    assert_eq!(t.refused_count(), 6, "{:#?}", t.refused);
    assert!(t.refused.keys().all(|k| k.contains("not affected")), "{:#?}", t.refused);
    // Node.js runtime advisories are products, npm ones packages.
    let core = advisories.iter().filter(|a| a.id.starts_with("x_NSWG-CORE-")).count();
    assert_eq!(core, 171);
    assert!(
        advisories
            .iter()
            .filter(|a| a.id.starts_with("x_NSWG-CORE-"))
            .all(|a| a.products.len() == 1 && a.packages.is_empty())
    );

    // Each npm advisory's `patched_versions` lower bounds are not affected under the
    // translated `vulnerable_versions` (the two fields agree), where a bound is given.
    let mut agree = 0;
    let mut disagree = Vec::new();
    for a in advisories.iter().filter(|a| a.id.starts_with("x_NSWG-ECO-")) {
        let p = &a.packages[0];
        let Some(patched) = a.osv.affected.as_ref().unwrap()[0]
            .database_specific
            .as_ref()
            .unwrap()
            .get("patched_versions")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let Ok(r) = ch_version::foreign::to_osv_range(ch_version::foreign::Syntax::Npm, patched) else { continue };
        let checked = p.checked().unwrap();
        for e in &r.events {
            if let Event::Introduced(v) = e {
                if v == "0" {
                    continue;
                }
                if checked.is_affected(v).unwrap() {
                    disagree.push(format!("{} {}: patched {patched:?} but {v} affected", a.id, p.name));
                } else {
                    agree += 1;
                }
            }
        }
    }
    eprintln!("npm patched bounds: {agree} unaffected as they should be; disagreements: {disagree:#?}");
    assert!(agree > 250, "{agree}");
    // The few records whose two fields disagree carry a warning saying so, and no other.
    let mut flagged: Vec<String> = advisories
        .iter()
        .filter(|a| a.warnings.iter().any(|w| w.starts_with("patched_versions")))
        .map(|a| a.id.clone())
        .collect();
    let mut disagreeing: Vec<String> = disagree.iter().map(|d| d.split(' ').next().unwrap().to_owned()).collect();
    flagged.sort();
    disagreeing.sort();
    disagreeing.dedup();
    assert_eq!(flagged, disagreeing);
    assert!(disagreeing.len() * 50 <= agree, "{disagree:#?}");
}

#[test]
fn friendsofphp() {
    let (t, advisories) = run("osv/friendsofphp-security-advisories.jsonl.zst", Format::FriendsOfPhp);
    t.print("friendsofphp");
    assert_eq!(t.ok + t.refused_count(), 1592);
    // Refusals are only constraints OSV cannot express (exclusive lower bounds).
    assert!(t.refused.keys().all(|k| k.contains("Composer constraints OSV can express")), "{:#?}", t.refused);
    assert!(t.refused_count() <= 8, "{:#?}", t.refused);
    // Every branch's own bounds answer as the branch says.
    let mut probes = 0;
    for a in &advisories {
        let checked = a.packages[0].checked().unwrap();
        let branches = a.osv.database_specific.as_ref().unwrap()["branches"].as_object().unwrap();
        for b in branches.values() {
            for c in b["versions"].as_array().unwrap().iter().filter_map(Value::as_str) {
                let c = c.trim();
                if let Some(v) = c.strip_prefix(">=") {
                    assert!(checked.is_affected(v.trim()).unwrap(), "{}: {c}", a.id);
                    probes += 1;
                } else if let Some(v) = c.strip_prefix("<=") {
                    assert!(checked.is_affected(v.trim()).unwrap(), "{}: {c}", a.id);
                    probes += 1;
                }
            }
        }
    }
    eprintln!("FriendsOfPHP: {probes} inclusive bounds probed");
    assert!(probes > 1000);
}

#[test]
fn victims() {
    let (t, advisories) = run("osv/victims-cve-db.jsonl.zst", Format::Victims);
    t.print("victims");
    assert_eq!(t.ok + t.refused_count(), 218);
    assert!(t.ok >= 200, "{:#?}", t.refused);
    // Each `<=V,S` entry covers V and the series start, and not the series' end.
    let mut probes = 0;
    for a in &advisories {
        for p in &a.packages {
            let checked = p.checked().unwrap();
            for r in &p.ranges {
                for e in &r.events {
                    match e {
                        Event::LastAffected(v) => assert!(checked.is_affected(v).unwrap(), "{} {v}", a.id),
                        Event::Fixed(v) | Event::Limit(v) => {
                            // Another range may cover it; only count the clean cases.
                            if p.ranges.len() == 1 {
                                assert!(!checked.is_affected(v).unwrap(), "{} {v}", a.id);
                            }
                        }
                        _ => continue,
                    }
                    probes += 1;
                }
            }
        }
    }
    eprintln!("victims: {probes} bounds probed");
    assert!(probes > 200);
}

#[test]
fn agree_with_github_reviewed_advisories() {
    // GHSA records (converted by GitHub from the same upstream reports) for the same
    // CVE and package: at each GHSA event version, both say the same.
    let ghsa: Vec<Advisory> = lines("osv/ghsa-sbom-sample.jsonl.zst")
        .iter()
        .map(|l| Advisory::from_osv(Osv::from_json_slice(l.as_bytes()).unwrap(), Format::OsvJson).unwrap())
        .collect();
    let mut ours: HashMap<String, Vec<Advisory>> = HashMap::new();
    for (rel, format) in [
        ("osv/nodejs-security-wg.jsonl.zst", Format::NodejsSecurityWg),
        ("osv/friendsofphp-security-advisories.jsonl.zst", Format::FriendsOfPhp),
        ("osv/victims-cve-db.jsonl.zst", Format::Victims),
    ] {
        for a in run(rel, format).1 {
            for alias in &a.aliases {
                ours.entry(alias.clone()).or_default().push(a.clone());
            }
        }
    }
    let mut compared = Vec::new();
    let mut disagreements = Vec::new();
    for g in &ghsa {
        for cve in g.aliases.iter().filter(|x| x.starts_with("CVE-")) {
            for o in ours.get(cve).into_iter().flatten() {
                for gp in &g.packages {
                    let Some(op) = o
                        .packages
                        .iter()
                        .find(|p| p.ecosystem == gp.ecosystem && p.normalised_name == gp.normalised_name)
                    else {
                        continue;
                    };
                    let (gc, oc) = (gp.checked().unwrap(), op.checked().unwrap());
                    for v in gp.ranges.iter().flat_map(|r| r.events.iter()).map(Event::value).filter(|v| *v != "0") {
                        let (x, y) = (gc.is_affected(v).unwrap(), oc.is_affected(v).unwrap());
                        let line = format!("{cve} {} {v}: GHSA {x}, {} {y}", gp.name, o.id);
                        if x == y { compared.push(line) } else { disagreements.push(line) }
                    }
                }
            }
        }
    }
    eprintln!("agreements with GHSA: {compared:#?}\ndisagreements: {disagreements:#?}");
    assert!(compared.len() >= 3, "{compared:?}");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
