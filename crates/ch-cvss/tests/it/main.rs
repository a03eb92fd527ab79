//! Real-data conformance: every CVSS vector in the shared CVE and OSV data parses, and
//! scores what the record states.

mod reference;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use ch_cvss::Cvss;
use serde_json::Value;

pub(crate) fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

fn each_json(path: &Path, f: &mut dyn FnMut(&str, Value)) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    if name.ends_with(".jsonl.zst") {
        let file = std::fs::File::open(path).unwrap();
        for line in std::io::BufReader::new(zstd::Decoder::new(file).unwrap()).lines() {
            f(&name, serde_json::from_str(&line.unwrap()).unwrap());
        }
    } else if name.ends_with(".json") {
        f(&name, serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap());
    }
}

#[derive(Default, Debug)]
struct Tally {
    /// (file, version) -> (vectors checked, mismatches)
    checked: BTreeMap<(String, String), (usize, usize)>,
    parse_errors: Vec<String>,
    mismatches: Vec<String>,
    /// vector -> (computed score, stated score -> count), CVE 5 records only.
    stated: BTreeMap<String, (String, BTreeMap<String, usize>)>,
}

fn walk(file: &str, v: &Value, t: &mut Tally) {
    match v {
        Value::Object(map) => {
            if let (Some(Value::String(vector)), Some(stated)) =
                (map.get("vectorString"), map.get("baseScore").and_then(Value::as_f64))
            {
                match Cvss::parse(vector) {
                    Ok(c) => {
                        let entry = t.checked.entry((file.to_owned(), c.version().to_string())).or_default();
                        entry.0 += 1;
                        let sev_ok = map
                            .get("baseSeverity")
                            .and_then(Value::as_str)
                            .is_none_or(|s| s.eq_ignore_ascii_case(c.severity().as_str()));
                        if file.starts_with("cve5") || file.starts_with("CVE-") {
                            let e = t
                                .stated
                                .entry(vector.clone())
                                .or_insert_with(|| (c.score().to_string(), BTreeMap::new()));
                            *e.1.entry(stated.to_string()).or_default() += 1;
                        }
                        if (c.score() - stated).abs() > 1e-9 || !sev_ok {
                            entry.1 += 1;
                            t.mismatches.push(format!(
                                "{file}: {vector}: stated {stated} {:?}, computed {} {}",
                                map.get("baseSeverity"),
                                c.score(),
                                c.severity()
                            ));
                        }
                    }
                    Err(e) => t.parse_errors.push(format!("{file}: {e}")),
                }
            }
            // OSV `severity[]`: {"type": "CVSS_V3", "score": "CVSS:3.1/..."}
            if let (Some(Value::String(kind)), Some(Value::String(vector))) = (map.get("type"), map.get("score"))
                && kind.starts_with("CVSS_")
            {
                {
                    match Cvss::parse(vector) {
                        Ok(c) => t.checked.entry((file.to_owned(), c.version().to_string())).or_default().0 += 1,
                        Err(e) => t.parse_errors.push(format!("{file}: {e}")),
                    }
                }
            }
            for child in map.values() {
                walk(file, child, t);
            }
        }
        Value::Array(items) => {
            for child in items {
                walk(file, child, t);
            }
        }
        _ => {}
    }
}

fn tally(dirs: &[&str]) -> Tally {
    let mut t = Tally::default();
    for dir in dirs {
        let mut paths: Vec<PathBuf> =
            std::fs::read_dir(shared_data().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                let mut inner: Vec<PathBuf> = std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()).collect();
                inner.sort();
                for q in inner {
                    each_json(&q, &mut |name, v| walk(name, &v, &mut t));
                }
            } else {
                each_json(&p, &mut |name, v| walk(name, &v, &mut t));
            }
        }
    }
    for ((file, version), (n, bad)) in &t.checked {
        eprintln!("{file} CVSS {version}: {n} vectors, {bad} mismatches");
    }
    t
}

#[test]
fn osv_vectors_parse() {
    let t = tally(&["osv"]);
    assert_eq!(t.parse_errors, Vec::<String>::new());
    let total: usize = t.checked.values().map(|(n, _)| n).sum();
    assert!(total > 1000, "{total}");
}

#[test]
fn cve_scores_match() {
    let t = tally(&["cve"]);
    // NVD computes its own scores: every NVD-stated score must match exactly.
    let nvd: Vec<&String> = t.mismatches.iter().filter(|m| !m.starts_with("cve5") && !m.starts_with("CVE-")).collect();
    assert_eq!(nvd, Vec::<&String>::new());
    let nvd_checked: usize = t
        .checked
        .iter()
        .filter(|((f, _), _)| f.starts_with("nvd") || f.starts_with("multi"))
        .map(|(_, (n, _))| n)
        .sum();
    assert!(nvd_checked >= 1295, "{nvd_checked}");
    // CVE 5 scores are stated by CNAs, some by hand: 742 of about 61,000 differ from the
    // specification (typos such as 4.2 for 4.3, temporal scores written as base scores,
    // scores copied from another vector). For every base vector stated at least 5 times
    // the score computed here is the one most CNAs state.
    assert_eq!(t.mismatches.len(), 742, "{:#?}", t.mismatches.iter().take(20).collect::<Vec<_>>());
    for (vector, (computed, stated)) in &t.stated {
        let total: usize = stated.values().sum();
        let best = stated.iter().max_by_key(|(_, n)| **n).map(|(s, _)| s.clone()).unwrap_or_default();
        // v3 vectors with temporal metrics: many CNAs state the temporal score instead.
        let temporal = vector.starts_with("CVSS:3") && ["/E:", "/RL:", "/RC:"].iter().any(|m| vector.contains(m));
        if total >= 5 && !temporal {
            assert_eq!(&best, computed, "{vector}: stated {stated:?}");
        }
    }
    // One CNA record writes v3 metrics without the `CVSS:3.x/` prefix: rejected, naming PR.
    assert_eq!(t.parse_errors.len(), 1, "{:?}", t.parse_errors);
    assert!(t.parse_errors[0].contains("metric PR: expected one of AV, AC, Au"), "{:?}", t.parse_errors);
}
