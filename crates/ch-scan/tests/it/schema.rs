//! The emitted documents against their official schemas (from the shared data, never
//! fetched), and SARIF against GitHub code scanning's ingestion rules (sarif-sdk GH1xxx).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ch_scan::{OutputFormat, ScanReport, render};
use jsonschema::{Retrieve, Uri};
use serde_json::Value;

use crate::{raw_report, report, shared_data};

/// Serves `$ref`s from one directory by file name; anything else is an error (no network).
struct LocalDir(PathBuf);

impl Retrieve for LocalDir {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_owned();
        let path = self.0.join(&name);
        if name.is_empty() || !path.is_file() {
            return Err(format!("not in {}: {uri}", self.0.display()).into());
        }
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

fn validator(schema: &Path) -> jsonschema::Validator {
    let dir = schema.parent().unwrap().to_owned();
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    jsonschema::options().should_validate_formats(true).with_retriever(LocalDir(dir)).build(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).take(20).collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

fn reports() -> Vec<(&'static str, ScanReport)> {
    let mut empty = raw_report();
    empty.findings.clear();
    let mut broken = raw_report();
    broken.errors.push(ch_scan::TargetError { path: "/abs/poetry.lock".into(), message: "unreadable".into() });
    if let Some(f) = broken.findings.first_mut() {
        f.severity = Some(ch_scan::Severity { word: ch_scan::SeverityWord::High, score: Some(f64::NAN), vector: None });
        f.package.location.path = "dir with space/Cargo.lock".into();
        f.cwes = vec!["NVD-CWE-noinfo".into()];
    }
    // The matcher should not list a finding twice; if it does, the documents stay valid.
    if let Some(f) = broken.findings.last().cloned() {
        broken.findings.push(f);
    }
    vec![("with ignores", report()), ("raw", raw_report()), ("empty", empty), ("odd values", broken)]
}

fn doc(report: &ScanReport, format: OutputFormat) -> Value {
    serde_json::from_str(&render(report, format).unwrap()).unwrap()
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let v = validator(&shared_data().join("sarif/schema/sarif-schema-2.1.0.json"));
    // The validator is real: every tutorial sample passes and a broken log fails.
    let mut samples = 0;
    for entry in std::fs::read_dir(shared_data().join("sarif/tutorial-samples")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".sarif") || name.ends_with(".sarif.json") {
            let sample: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_valid(&v, &sample, &name);
            samples += 1;
        }
    }
    assert!(samples >= 30, "{samples} tutorial samples");
    assert!(!v.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]})));
    for (what, report) in reports() {
        assert_valid(&v, &doc(&report, OutputFormat::Sarif), what);
    }
    // ... and it looks deep into ours: a bad level or a zero start line is caught.
    let mut bad = doc(&report(), OutputFormat::Sarif);
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!v.is_valid(&bad));
    let mut bad = doc(&report(), OutputFormat::Sarif);
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!v.is_valid(&bad));
}

#[test]
fn sarif_meets_github_ingestion_rules() {
    for (what, report) in reports() {
        let sarif = doc(&report, OutputFormat::Sarif);
        let runs = sarif["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "{what}: one run");
        let run = &runs[0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "clearinghouse");
        assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
        let rules = driver["rules"].as_array().unwrap();
        let ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), rules.len(), "{what}: one rule per advisory");
        for rule in rules {
            for key in ["shortDescription", "fullDescription", "help"] {
                assert!(rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()), "{what}: {key} {rule}");
            }
            assert!(rule["help"]["markdown"].is_string());
            assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
            let tags = rule["properties"]["tags"].as_array().unwrap();
            assert!(tags.contains(&Value::from("security")) && tags.len() <= 10, "{what}: {tags:?}");
            if let Some(s) = rule["properties"].get("security-severity") {
                let score: f64 = s.as_str().unwrap().parse().unwrap();
                assert!((0.0..=10.0).contains(&score), "{what}: {s}");
            }
            assert!(["error", "warning", "note"].contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
        }
        let mut fingerprints = BTreeSet::new();
        for result in run["results"].as_array().unwrap() {
            let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(rules[index]["id"], result["ruleId"], "{what}: ruleIndex points at its rule");
            // GH1007: fully formatted message text.
            assert!(result["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
            let locations = result["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            let physical = &locations[0]["physicalLocation"];
            // GH1001: an artifact URI; GH1005: a relative path or a file URI.
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.is_empty() && (!uri.contains(':') || uri.starts_with("file:///")), "{what}: {uri}");
            assert!(!uri.contains(' ') && !uri.contains('\\'), "{what}: {uri}");
            if !uri.starts_with("file:") {
                assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            }
            // GH1003: region.startLine >= 1.
            assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
            let fp = result["partialFingerprints"]["clearinghouseFinding/v1"].as_str().unwrap();
            assert_eq!(fp.len(), 64);
            assert!(fingerprints.insert(fp.to_owned()), "{what}: fingerprints are unique");
        }
    }
}

#[test]
fn sarif_fingerprints_follow_the_package_not_the_line() {
    let fps = |r: &ScanReport| -> Vec<Value> {
        doc(r, OutputFormat::Sarif)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    let a = fps(&raw_report());
    let mut moved = raw_report();
    for f in &mut moved.findings {
        f.package.location.line = f.package.location.line.map(|l| l + 10);
        f.package.location.pointer = f.package.location.pointer.as_ref().map(|p| format!("{p}/0"));
    }
    assert_eq!(fps(&moved), a, "lines and pointers move");
    let mut upgraded = raw_report();
    for f in &mut upgraded.findings {
        f.package.version.push_str("-patched");
    }
    let b = fps(&upgraded);
    assert!(a.iter().all(|fp| !b.contains(fp)), "another version is another alert");
}

#[test]
fn cyclonedx_validates_against_the_1_6_schema() {
    let v = validator(&shared_data().join("sbom/cyclonedx/schema/bom-1.6.schema.json"));
    // The validator is real: a spec conformance test passes and a broken document fails.
    let valid: Value = serde_json::from_str(
        &std::fs::read_to_string(shared_data().join("sbom/cyclonedx/spec-tests/1.6/valid-vulnerability-1.6.json"))
            .unwrap(),
    )
    .unwrap();
    assert_valid(&v, &valid, "spec test");
    assert!(!v.is_valid(&serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "x"})));
    for (what, report) in reports() {
        assert_valid(&v, &doc(&report, OutputFormat::CycloneDx), what);
    }
    // ... and it looks deep into ours: a bad rating method or analysis state is caught.
    let mut bad = doc(&report(), OutputFormat::CycloneDx);
    bad["vulnerabilities"][0]["ratings"][0]["method"] = "CVSSv5".into();
    assert!(!v.is_valid(&bad));
    let mut bad = doc(&report(), OutputFormat::CycloneDx);
    bad["vulnerabilities"][0]["analysis"]["state"] = "ignored".into();
    assert!(!v.is_valid(&bad));
    let mut bad = doc(&report(), OutputFormat::CycloneDx);
    bad["metadata"]["timestamp"] = "yesterday".into();
    assert!(!v.is_valid(&bad), "formats are checked");
}

#[test]
fn cyclonedx_vex_analysis_and_refs() {
    let bom = doc(&report(), OutputFormat::CycloneDx);
    let refs: Vec<&str> =
        bom["components"].as_array().unwrap().iter().map(|c| c["bom-ref"].as_str().unwrap()).collect();
    let unique: BTreeSet<&&str> = refs.iter().collect();
    assert_eq!(unique.len(), refs.len(), "bom-refs are unique: {refs:?}");
    assert!(refs.contains(&"pkg:npm/lodash@4.17.20#web/admin/package-lock.json"), "{refs:?}");
    let mut states = Vec::new();
    for v in bom["vulnerabilities"].as_array().unwrap() {
        for a in v["affects"].as_array().unwrap() {
            assert!(refs.contains(&a["ref"].as_str().unwrap()), "affects points at a component: {a}");
        }
        states.push((
            v["id"].as_str().unwrap(),
            v["analysis"]["state"].as_str().unwrap(),
            v["analysis"].get("justification").and_then(Value::as_str),
        ));
    }
    assert!(states.contains(&("RUSTSEC-2023-0071", "not_affected", Some("code_not_reachable"))), "{states:?}");
    assert!(states.contains(&("GHSA-34jh-p97f-mpxf", "in_triage", None)), "{states:?}");
    assert!(states.contains(&("GHSA-jfh8-c2jp-5v3q", "exploitable", None)), "{states:?}");
}
