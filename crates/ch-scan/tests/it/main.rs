//! The report side of the scanner end to end: a realistic report fixture, the ignore file
//! applied to it, every output format snapshotted, SARIF validated against the OASIS schema
//! and GitHub's ingestion rules, CycloneDX against the official 1.6 schema.
//!
//! Shared data: `CLEARINGHOUSE_SHARED_DATA`, else `../../../shared/data`; missing data fails.

mod ignore_file;
mod render;
mod schema;

use std::path::PathBuf;

use ch_scan::{ScanReport, parse_ignore_file};

pub(crate) fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

pub(crate) fn fixture(rel: &str) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The day the fixtures are judged on.
pub(crate) fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 22)
}

/// The realistic report as the matcher would hand it over: nothing ignored yet.
pub(crate) fn raw_report() -> ScanReport {
    serde_json::from_str(&fixture("report/mixed.json")).unwrap()
}

/// The realistic report with `ignore/project.toml` applied, and the warnings that gave.
pub(crate) fn report_with_warnings() -> (ScanReport, Vec<String>) {
    let mut report = raw_report();
    let ignore = parse_ignore_file(&fixture("ignore/project.toml"), ".clearinghouse-ignore.toml").unwrap();
    let warnings = ignore.apply(&mut report, today());
    (report, warnings)
}

pub(crate) fn report() -> ScanReport {
    report_with_warnings().0
}

/// insta settings for emitted documents: times and serial numbers filtered.
pub(crate) fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", "[TIME]");
    s.add_filter(r"urn:uuid:[0-9a-f-]{36}", "urn:uuid:[UUID]");
    s
}
