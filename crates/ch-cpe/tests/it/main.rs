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
