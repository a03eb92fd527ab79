//! Round trips on generated purls, and every purl in the shared OSV data maps to its
//! record's ecosystem.

use std::io::BufRead;
use std::path::PathBuf;

use ch_purl::Purl;
use ch_version::Ecosystem;
use proptest::prelude::*;

fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

#[test]
fn osv_purls_map_to_their_ecosystem() {
    let mut checked = 0;
    for file in [
        "pypa.jsonl.zst",
        "rustsec.jsonl.zst",
        "bitnami-vulndb.jsonl.zst",
        "almalinux-osv.jsonl.zst",
        "ghsa-sbom-sample.jsonl.zst",
    ] {
        let f = std::fs::File::open(shared_data().join("osv").join(file)).unwrap();
        for line in std::io::BufReader::new(zstd::Decoder::new(f).unwrap()).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            for a in v["affected"].as_array().into_iter().flatten() {
                let (Some(purl), Some(eco), Some(name)) =
                    (a["package"]["purl"].as_str(), a["package"]["ecosystem"].as_str(), a["package"]["name"].as_str())
                else {
                    continue;
                };
                let p: Purl = purl.parse().unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
                let o = p.to_osv().unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
                let want: Ecosystem = eco.parse().unwrap();
                assert_eq!(o.ecosystem, want, "{purl}");
                let expected_name = if want == Ecosystem::PyPI { ch_purl::pep503(name) } else { name.to_owned() };
                assert_eq!(o.name, expected_name, "{} {purl}", v["id"]);
                // And back.
                let back = Purl::from_osv(eco, name, None).unwrap();
                assert_eq!(back.to_osv().unwrap().name, expected_name);
                checked += 1;
            }
        }
    }
    eprintln!("{checked} purls");
    assert!(checked > 10_000, "{checked}");
}

fn segment() -> impl Strategy<Value = String> {
    r"[a-zA-Z0-9][a-zA-Z0-9._+~ -]{0,8}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn purl_round_trips(
        ty in prop_oneof![Just("npm"), Just("maven"), Just("pypi"), Just("golang"), Just("generic"), Just("deb"), Just("composer")],
        ns in proptest::option::of(segment()),
        name in segment(),
        version in proptest::option::of(r"[0-9a-zA-Z.+:~@ -]{1,10}"),
        quals in proptest::collection::btree_map("[a-z][a-z0-9_]{0,5}", r"[a-zA-Z0-9 %&=/.:-]{1,8}", 0..3),
    ) {
        let ns = if matches!(ty, "maven" | "composer") { Some(ns.unwrap_or_else(|| "g".to_owned())) } else if ty == "pypi" { None } else { ns };
        let Ok(p) = Purl::new(ty, ns.as_deref(), &name, version.as_deref()) else { return Ok(()) };
        let mut s = p.to_string();
        if !quals.is_empty() {
            let q: Vec<String> = quals.iter().map(|(k, v)| format!("{k}={}", v.replace('%', "%25").replace('&', "%26").replace(' ', "%20"))).collect();
            s = format!("{s}?{}", q.join("&"));
        }
        let parsed: Purl = s.parse().map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
        prop_assert_eq!(parsed.to_string().parse::<Purl>().unwrap(), parsed.clone(), "{}", s);
        prop_assert_eq!(parsed.name(), p.name());
        prop_assert_eq!(parsed.version(), p.version());
    }
}
