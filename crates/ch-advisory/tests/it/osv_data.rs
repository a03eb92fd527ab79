//! OSV sets: strict parse, exact round trip, schema validation, advisory round trip.

use ch_advisory::{Advisory, Format, Osv, validate_osv};
use serde_json::Value;

use crate::{Tally, lines, reason, shared_data};

/// Whether every schema violation of `record` is a `GIT` range event that is not a full
/// commit hash (the schema's "GIT ranges must use full-length commit hashes").
fn only_short_commits(record: &Value, errors: &[ch_advisory::SchemaError]) -> bool {
    errors.iter().all(|e| {
        let parts: Vec<&str> = e.path.split('/').collect();
        let (Some(&"affected"), Some(&"ranges"), Some(&"events")) = (parts.get(1), parts.get(3), parts.get(5)) else {
            return false;
        };
        let range = record.pointer(&parts[..5].join("/")).unwrap();
        let event = record.pointer(&e.path).and_then(Value::as_object).and_then(|o| o.values().next());
        let value = event.and_then(Value::as_str).unwrap_or_default();
        let full = (value.len() == 40 || value.len() == 64) && value.bytes().all(|b| b.is_ascii_hexdigit());
        range["type"] == "GIT" && !full
    })
}

/// Runs one OSV set; returns the tally and the ids of records the schema refuses.
fn run(file: &str) -> (Tally, Vec<String>) {
    let mut t = Tally::default();
    let mut invalid = Vec::new();
    for line in lines(&format!("osv/{file}")) {
        let original: Value = serde_json::from_str(&line).unwrap();
        let osv = match Osv::from_json_slice(line.as_bytes()) {
            Ok(o) => o,
            Err(e) => {
                t.refuse(reason(&e), e.to_string());
                continue;
            }
        };
        // Exact round trip: the typed record writes back the very JSON it read.
        assert_eq!(osv.to_json_value(), original, "{}", osv.id);
        if let Err(errors) = validate_osv(&original) {
            // Upstream records outside the schema: only ever abbreviated commits.
            assert!(only_short_commits(&original, &errors), "{}: {errors:?}", osv.id);
            invalid.push(format!("{}: {}", osv.id, errors[0]));
        }
        let id = osv.id.clone();
        let a = Advisory::from_osv(osv, Format::OsvJson).unwrap_or_else(|e| panic!("{id}: {e}"));
        // The advisory reads back from its own OSV record unchanged.
        let back = Advisory::from_osv(a.osv.clone(), Format::OsvJson).unwrap();
        assert_eq!(back, a, "{id}");
        assert!(!a.aliases.contains(&a.id), "{id}");
        for p in &a.packages {
            assert!(p.known_ecosystem.is_some() || p.ecosystem == "GIT", "{id}: {}", p.ecosystem);
        }
        t.ok += 1;
    }
    (t, invalid)
}

#[test]
fn every_osv_set_reads_round_trips_and_validates() {
    // (file, records the README counts)
    let sets = [
        ("pypa.jsonl.zst", 2661),
        ("rustsec.jsonl.zst", 1206),
        ("bitnami-vulndb.jsonl.zst", 7444),
        ("almalinux-osv.jsonl.zst", 5680),
        ("ghsa-sbom-sample.jsonl.zst", 10),
    ];
    for (file, count) in sets {
        let (t, invalid) = run(file);
        t.print(file);
        eprintln!(
            "  {} of them outside the OSV schema: {:?}",
            invalid.len(),
            invalid.iter().take(5).collect::<Vec<_>>()
        );
        assert_eq!(t.ok + t.refused_count(), count, "{file}");
        assert_eq!(t.refused_count(), 0, "{file}: {:#?}", t.refused);
        // PyPA alone carries abbreviated commit hashes in GIT ranges (7 records when
        // this was written); every other set validates in full.
        assert!(invalid.is_empty() || file == "pypa.jsonl.zst", "{file}: {invalid:#?}");
    }
}

#[test]
fn pypa_withdrawn_and_scores() {
    let mut withdrawn = 0;
    for line in lines("osv/pypa.jsonl.zst") {
        let a = Advisory::from_osv(Osv::from_json_slice(line.as_bytes()).unwrap(), Format::OsvJson).unwrap();
        withdrawn += usize::from(a.withdrawn.is_some());
        for p in &a.packages {
            // Every PyPA range evaluates under ch-version.
            p.checked().unwrap_or_else(|e| panic!("{}: {e}", a.id));
        }
    }
    // The README counts 10 withdrawn PYSEC records.
    assert_eq!(withdrawn, 10);
}

#[test]
fn linter_records_against_the_schema() {
    let dir = shared_data().join("osv-schema/linter-testdata");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        let result = validate_osv(&value);
        if name.starts_with("nointroduced-") {
            // A range without `introduced` breaks the schema's `contains`.
            let errors = result.unwrap_err();
            assert!(errors.iter().any(|e| e.path.ends_with("/events")), "{name}: {errors:?}");
        } else if !name.starts_with("nondistinct-") && !name.starts_with("nopackage-") {
            // Real records (the other two broken kinds are linter rules, not schema rules).
            assert_eq!(result, Ok(()), "{name}");
            let osv = Osv::from_json_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(osv.to_json_value(), value, "{name}");
        }
        checked += 1;
    }
    assert_eq!(checked, 12);
}

#[test]
fn ghsa_conversion_outputs_validate() {
    let dir = shared_data().join("osv-schema/ghsa-conversion");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".osv.json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let osv = Osv::from_json_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(osv.to_json_value(), value);
        assert_eq!(validate_osv(&value), Ok(()), "{}", path.display());
        n += 1;
    }
    assert_eq!(n, 11);
}

#[test]
fn pypa_records_read_back_from_yaml() {
    // PyPA publishes YAML; each record written as YAML reads into the same OSV record.
    let mut n = 0;
    for line in lines("osv/pypa.jsonl.zst") {
        let original: Value = serde_json::from_str(&line).unwrap();
        let yaml = serde_saphyr::to_string(&original).unwrap();
        let osv = Osv::from_yaml_str(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert_eq!(osv.to_json_value(), original);
        n += 1;
    }
    assert_eq!(n, 2661);
}
