//! Every output format of the fixture report, snapshotted; the properties the snapshots
//! should not be trusted to show by eye checked in code.

use ch_scan::{OutputFormat, ScanReport, TargetError, render};
use serde_json::Value;

use crate::{raw_report, report, settings};

fn rendered(report: &ScanReport, format: OutputFormat) -> String {
    render(report, format).unwrap()
}

#[test]
fn table_snapshot() {
    settings().bind(|| insta::assert_snapshot!("table", rendered(&report(), OutputFormat::Table)));
}

#[test]
fn markdown_snapshot() {
    settings().bind(|| insta::assert_snapshot!("markdown", rendered(&report(), OutputFormat::Markdown)));
}

#[test]
fn json_snapshot_and_round_trip() {
    let report = report();
    let json = rendered(&report, OutputFormat::Json);
    settings().bind(|| insta::assert_snapshot!("json", json));
    let back: ScanReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    assert_eq!(rendered(&back, OutputFormat::Json), json, "JSON output is stable");
}

#[test]
fn sarif_snapshot() {
    settings().bind(|| insta::assert_snapshot!("sarif", rendered(&report(), OutputFormat::Sarif)));
}

#[test]
fn cyclonedx_snapshot() {
    settings().bind(|| insta::assert_snapshot!("cyclonedx", rendered(&report(), OutputFormat::CycloneDx)));
}

#[test]
fn empty_report_and_errors() {
    let mut r = raw_report();
    r.findings.clear();
    r.targets.truncate(1);
    r.errors
        .push(TargetError { path: "poetry.lock".into(), message: "line 3, column 7: expected `=`, found `:`".into() });
    settings().bind(|| {
        insta::assert_snapshot!("table_empty_with_error", rendered(&r, OutputFormat::Table));
        insta::assert_snapshot!("markdown_empty_with_error", rendered(&r, OutputFormat::Markdown));
    });
    let sarif: Value = serde_json::from_str(&rendered(&r, OutputFormat::Sarif)).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["toolExecutionNotifications"][0]["level"], "error");
    assert_eq!(sarif["runs"][0]["results"], Value::Array(vec![]));
}

#[test]
fn same_report_same_bytes() {
    for format in OutputFormat::ALL {
        assert_eq!(rendered(&report(), format), rendered(&report(), format), "{format}");
    }
    // The CycloneDX serial number follows the content.
    let a: Value = serde_json::from_str(&rendered(&report(), OutputFormat::CycloneDx)).unwrap();
    let b: Value = serde_json::from_str(&rendered(&raw_report(), OutputFormat::CycloneDx)).unwrap();
    assert_ne!(a["serialNumber"], b["serialNumber"]);
}

/// The order shared by the table, Markdown and SARIF: known exploited first, then severity,
/// packages grouped; ignored findings last (SARIF) or apart (table, Markdown).
#[test]
fn priority_order() {
    let sarif: Value = serde_json::from_str(&rendered(&report(), OutputFormat::Sarif)).unwrap();
    let order: Vec<(String, String, bool)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["properties"]["package"].as_str().unwrap().to_owned(),
                r["ruleId"].as_str().unwrap().to_owned(),
                r.get("suppressions").is_some(),
            )
        })
        .collect();
    let want = [
        ("log4j-core", "GHSA-jfh8-c2jp-5v3q", false),
        ("log4j-core", "GHSA-7rjr-3q55-vv33", false),
        ("jinja2", "PYSEC-2019-217", false),
        ("jinja2", "GHSA-h5c8-rqwp-cp95", false),
        ("lodash", "GHSA-35jh-r3h4-6jhm", false),
        ("lodash", "GHSA-35jh-r3h4-6jhm", false),
        ("time", "RUSTSEC-2020-0071", false),
        ("requests", "PYSEC-2018-28", false),
        ("openssl", "CVE-2019-1563", false),
        ("atty", "RUSTSEC-2021-0145", false),
        ("rsa", "RUSTSEC-2023-0071", true),
        ("urllib3", "GHSA-34jh-p97f-mpxf", true),
    ];
    let want: Vec<(String, String, bool)> = want.iter().map(|(p, a, s)| ((*p).into(), (*a).into(), *s)).collect();
    assert_eq!(order, want);

    let table = rendered(&report(), OutputFormat::Table);
    assert!(table.contains("10 vulnerabilities in 7 packages (2 known exploited); 2 ignored"), "{table}");
    let md = rendered(&report(), OutputFormat::Markdown);
    let pos = |s: &str, needle: &str| s.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
    for text in [&table, &md] {
        assert!(pos(text, "GHSA-jfh8-c2jp-5v3q") < pos(text, "PYSEC-2019-217"));
        assert!(pos(text, "PYSEC-2019-217") < pos(text, "GHSA-h5c8-rqwp-cp95"));
        assert!(pos(text, "CVE-2019-1563") < pos(text, "RUSTSEC-2021-0145"));
        assert!(pos(text, "RUSTSEC-2021-0145") < pos(text, "RUSTSEC-2023-0071"), "ignored findings come last");
    }
}

#[test]
fn markdown_escapes_hostile_text() {
    let mut r = raw_report();
    if let Some(f) = r.findings.first_mut() {
        f.summary = Some("<img src=x onerror=alert(1)> | *bold* [link](javascript:alert(1))".into());
        f.references = vec!["javascript:alert(1)".into()];
    }
    let md = rendered(&r, OutputFormat::Markdown);
    let line = md.lines().find(|l| l.contains("RUSTSEC-2023-0071")).unwrap();
    assert!(
        line.contains("&lt;img src=x onerror=alert(1)&gt; \\| \\*bold\\* \\[link\\](javascript:alert(1))"),
        "{line}"
    );
    // The javascript: reference is not linked; the advisory links to its publisher's page.
    assert!(line.contains("[RUSTSEC-2023-0071](https://rustsec.org/advisories/RUSTSEC-2023-0071.html)"), "{line}");
    assert_eq!(line.matches("](").count() - line.matches("\\](").count(), 1, "one link: {line}");
    // The row still has its seven cells.
    assert_eq!(line.matches(" | ").count(), 6, "{line}");
}
