//! Real-data conformance on the shared CVE data: every CPE name parses and round-trips,
//! every configuration block reads, and known KEV outcomes hold.

use std::io::BufRead;
use std::path::PathBuf;

use ch_cpe::{Applicability, Cpe};
use serde_json::Value;

fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

fn records(file: &str) -> Vec<Value> {
    let path = shared_data().join("cve").join(file);
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::io::BufReader::new(zstd::Decoder::new(f).unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

fn id(v: &Value) -> String {
    v.pointer("/cve/CVE_data_meta/ID").or_else(|| v.get("id")).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn collect_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("cpe23Uri" | "criteria", Value::String(s)) => out.push(s.clone()),
                    _ => collect_names(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_names(x, out)),
        _ => {}
    }
}

#[test]
fn every_name_and_configuration_reads() {
    let mut names = 0;
    let mut configs = 0;
    for file in ["nvd-1.1-kev.jsonl.zst", "nvd-2.0-kev.jsonl.zst"] {
        for rec in records(file) {
            let a = Applicability::from_json(&rec).unwrap_or_else(|e| panic!("{}: {e}", id(&rec)));
            configs += a.configurations.len();
            let mut found = Vec::new();
            collect_names(&rec, &mut found);
            assert_eq!(a.cpe_matches().len(), found.len(), "{}", id(&rec));
            for n in found {
                let c = Cpe::parse_formatted(&n).unwrap_or_else(|e| panic!("{}: {e}", id(&rec)));
                // The formatted string round-trips, and so does the URI binding.
                assert_eq!(Cpe::parse_formatted(&c.to_formatted()).unwrap(), c, "{n}");
                assert_eq!(Cpe::parse_uri(&c.to_uri()).unwrap(), c, "{n} via {}", c.to_uri());
                names += 1;
            }
        }
    }
    eprintln!("{names} CPE names, {configs} configurations");
    assert!(names > 10_000, "{names}");
}

fn statement(file: &str, cve: &str) -> Applicability {
    let rec = records(file).into_iter().find(|r| id(r) == cve).unwrap_or_else(|| panic!("{cve} not in {file}"));
    Applicability::from_json(&rec).unwrap()
}

#[test]
fn known_kev_outcomes() {
    // (file, CVE, inventory, strict outcome, outcome assuming platforms)
    let cases: &[(&str, &str, &[&str], bool, bool)] = &[
        // FortiOS SSL-VPN heap overflow: <= 7.2.4 in the 7.2 line.
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-27997", &["fortinet:fortios:7.2.4"], true, true),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-27997", &["fortinet:fortios:7.2.5"], false, false),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-27997", &["cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*"], true, true),
        // FortiOS out-of-bounds write: 7.2.0 <= v < 7.2.7.
        ("nvd-2.0-kev.jsonl.zst", "CVE-2024-21762", &["fortinet:fortios:7.2.5"], true, true),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2024-21762", &["fortinet:fortios:7.2.7"], false, false),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2024-21762", &["fortinet:fortiproxy:7.4.2"], true, true),
        // Awaiting analysis: no configurations, nothing applies.
        ("nvd-2.0-kev.jsonl.zst", "CVE-2025-24472", &["fortinet:fortios:7.0.16"], false, false),
        // Citrix NetScaler: release-build versions.
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-3519", &["citrix:netscaler_gateway:13.1-48.47"], true, true),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-3519", &["citrix:netscaler_gateway:13.1-49.13"], false, false),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-3519", &["citrix:netscaler_gateway:13.0-91.12"], true, true),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-3519", &["citrix:netscaler_gateway:12.1-65.25"], false, false),
        // Exchange: cumulative updates in the update attribute.
        (
            "nvd-2.0-kev.jsonl.zst",
            "CVE-2022-41082",
            &["cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_12:*:*:*:*:*:*"],
            true,
            true,
        ),
        (
            "nvd-2.0-kev.jsonl.zst",
            "CVE-2022-41082",
            &["cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_13:*:*:*:*:*:*"],
            false,
            false,
        ),
        // MOVEit Transfer: year versions.
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-34362", &["progress:moveit_transfer:2023.0.1"], true, true),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-34362", &["progress:moveit_transfer:2023.0.2"], false, false),
        ("nvd-2.0-kev.jsonl.zst", "CVE-2023-34362", &["progress:moveit_transfer:2020.1.6"], true, true),
        // NVD 1.1 shape: FortiOS path traversal, Heartbleed.
        ("nvd-1.1-kev.jsonl.zst", "CVE-2018-13379", &["fortinet:fortios:6.0.4"], true, true),
        ("nvd-1.1-kev.jsonl.zst", "CVE-2018-13379", &["fortinet:fortios:6.0.5"], false, false),
        ("nvd-1.1-kev.jsonl.zst", "CVE-2014-0160", &["openssl:openssl:1.0.1f"], true, true),
        ("nvd-1.1-kev.jsonl.zst", "CVE-2014-0160", &["openssl:openssl:1.0.1g"], false, false),
        ("nvd-1.1-kev.jsonl.zst", "CVE-2014-0160", &["openssl:openssl:1.0.0"], false, false),
        // Firmware on its hardware (AND with a vulnerable: false platform).
        (
            "nvd-1.1-kev.jsonl.zst",
            "CVE-2014-0160",
            &["siemens:application_processing_engine_firmware:2.0"],
            false,
            true,
        ),
        (
            "nvd-1.1-kev.jsonl.zst",
            "CVE-2014-0160",
            &[
                "siemens:application_processing_engine_firmware:2.0",
                "cpe:2.3:h:siemens:application_processing_engine:-:*:*:*:*:*:*:*",
            ],
            true,
            true,
        ),
    ];
    for (file, cve, items, strict, lenient) in cases {
        let a = statement(file, cve);
        let inventory: Vec<Cpe> = items
            .iter()
            .map(|s| if s.starts_with("cpe:") { s.parse().unwrap() } else { Cpe::from_product(s).unwrap() })
            .collect();
        let got = (a.affects(&inventory).vulnerable, a.affects_assuming_platforms(&inventory).vulnerable);
        assert_eq!(got, (*strict, *lenient), "{cve} {items:?}");
    }
}

mod laws {
    use ch_cpe::Cpe;
    use proptest::prelude::*;

    fn component() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("*".to_owned()),
            Just("-".to_owned()),
            r"\*?[a-z0-9_]{1,4}([.!~$()@-][a-z0-9_]{1,4}){0,2}\*?",
            r"\?{0,2}[a-z0-9]{1,3}\?{0,2}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn bindings_round_trip(part in "[aoh*]", rest in proptest::collection::vec(component(), 10)) {
            let fs = format!("cpe:2.3:{part}:{}", rest.join(":"));
            // Values made only of wildcards are rejected; everything else must parse.
            let Ok(c) = Cpe::parse_formatted(&fs) else {
                prop_assert!(rest.iter().any(|r| r.chars().all(|ch| ch == '?' || ch == '*') && r != "*"), "{}", fs);
                return Ok(());
            };
            prop_assert_eq!(&Cpe::parse_formatted(&c.to_formatted()).unwrap(), &c, "{}", fs);
            prop_assert_eq!(&Cpe::parse_uri(&c.to_uri()).unwrap(), &c, "{} {}", fs, c.to_uri());
            prop_assert!(c.matches(&c) || c.attributes().iter().any(|a| matches!(a, ch_cpe::Attribute::Value(v) if v.has_wildcards())));
        }
    }
}

/// `v` with its last run of digits moved by `delta` (`7.2.4` +1 -> `7.2.5`, `13.1-49.15`
/// -1 -> `13.1-49.14`): the neighbour of a bound in the vendor's own numbering. `None` when
/// there are no digits or the run would go below zero.
fn neighbour(v: &str, delta: i64) -> Option<String> {
    let end = v.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = v[..end].rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    let n: i64 = v[start..end].parse().ok()?;
    let m = n.checked_add(delta).filter(|m| *m >= 0)?;
    // Keep zero padding (`020` -> `019`) so the width, which NVD data relies on, stays.
    let width = end - start;
    Some(format!("{}{:0width$}{}", &v[..start], m, &v[end..]))
}

/// The criterion's name with `version` in the version attribute.
fn with_version(criteria: &Cpe, version: &str) -> Option<Cpe> {
    let fs = criteria.to_formatted();
    // Split on unescaped colons.
    let mut parts = Vec::new();
    let (mut cur, mut escaped) = (String::new(), false);
    for ch in fs.chars() {
        if ch == ':' && !escaped {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
        escaped = ch == '\\' && !escaped;
    }
    parts.push(cur);
    let quoted: String = version
        .chars()
        .flat_map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { vec![c] } else { vec!['\\', c] })
        .collect();
    *parts.get_mut(5)? = quoted;
    Cpe::parse_formatted(&parts.join(":")).ok()
}

/// For every version-bounded criterion in the NVD data, the versions at each bound and
/// just outside (or inside) it get the answer the bound says, both for the criterion alone
/// and, where it sits in a plain top-level OR node, for the whole statement.
#[test]
fn every_version_bound_is_exact() {
    let (mut checked, mut criteria, mut skipped) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for file in ["nvd-2.0-kev.jsonl.zst", "nvd-1.1-kev.jsonl.zst"] {
        for rec in records(file) {
            let Ok(a) = Applicability::from_json(&rec) else { continue };
            let cve = id(&rec);
            for node in &a.configurations {
                let plain_or =
                    matches!(node.operator, ch_cpe::Operator::Or) && !node.negate && node.children.is_empty();
                for m in &node.matches {
                    if !m.vulnerable {
                        continue;
                    }
                    let (si, se, ei, ee) = (
                        m.version_start_including.as_deref(),
                        m.version_start_excluding.as_deref(),
                        m.version_end_including.as_deref(),
                        m.version_end_excluding.as_deref(),
                    );
                    if si.is_none() && se.is_none() && ei.is_none() && ee.is_none() {
                        continue;
                    }
                    criteria += 1;
                    // (version, expected) pairs implied by each bound on its own.
                    let mut cases: Vec<(String, bool, &str)> = Vec::new();
                    if let Some(b) = ei {
                        cases.push((b.to_owned(), true, "at versionEndIncluding"));
                        cases.extend(neighbour(b, 1).map(|v| (v, false, "just above versionEndIncluding")));
                    }
                    if let Some(b) = ee {
                        cases.push((b.to_owned(), false, "at versionEndExcluding"));
                        cases.extend(neighbour(b, -1).map(|v| (v, true, "just below versionEndExcluding")));
                    }
                    if let Some(b) = si {
                        cases.push((b.to_owned(), true, "at versionStartIncluding"));
                        cases.extend(neighbour(b, -1).map(|v| (v, false, "just below versionStartIncluding")));
                    }
                    if let Some(b) = se {
                        cases.push((b.to_owned(), false, "at versionStartExcluding"));
                        cases.extend(neighbour(b, 1).map(|v| (v, true, "just above versionStartExcluding")));
                    }
                    for (v, expect, what) in cases {
                        let Some(target) = with_version(&m.criteria, &v) else {
                            skipped += 1;
                            continue;
                        };
                        // An inside probe must also fall inside the other bound (a one-version
                        // range says nothing about this bound).
                        let inside_other = |t: &Cpe| {
                            let mut only_other = m.clone();
                            match what {
                                w if w.contains("End") => {
                                    only_other.version_end_including = None;
                                    only_other.version_end_excluding = None;
                                }
                                _ => {
                                    only_other.version_start_including = None;
                                    only_other.version_start_excluding = None;
                                }
                            }
                            let any_bound = only_other.version_start_including.is_some()
                                || only_other.version_start_excluding.is_some()
                                || only_other.version_end_including.is_some()
                                || only_other.version_end_excluding.is_some();
                            !any_bound || only_other.matches(t)
                        };
                        if expect && !inside_other(&target) {
                            skipped += 1;
                            continue;
                        }
                        checked += 1;
                        if m.matches(&target) != expect {
                            failures
                                .push(format!("{cve}: {} {what} {v}: expected {expect}", m.criteria.to_formatted()));
                            continue;
                        }
                        if plain_or && expect && !a.affects(std::slice::from_ref(&target)).vulnerable {
                            failures.push(format!("{cve}: statement does not follow its criterion at {v} ({what})"));
                        }
                    }
                }
            }
        }
    }
    eprintln!("{criteria} bounded criteria, {checked} boundary probes checked, {skipped} skipped");
    assert!(criteria > 500 && checked > 1000, "too little data: {criteria} criteria, {checked} probes");
    assert!(failures.is_empty(), "{} wrong answers:\n{}", failures.len(), failures.join("\n"));
}
