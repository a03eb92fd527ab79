//! Ignore files: no panic on any text; errors display; what parses has an id and a reason
//! per entry, and applied to a report without findings warns once per entry (expired or
//! unmatched).
#![no_main]

use ch_scan::{ScanReport, parse_ignore_file};
use libfuzzer_sys::fuzz_target;

const EMPTY_REPORT: &str = r#"{"tool_version":"0","scanned_at":"2026-01-01T00:00:00Z",
  "database":{"advisories":0,"last_modified":null,"source":"local fuzz"},
  "targets":[],"errors":[],"findings":[]}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = match parse_ignore_file(text, "fuzz.toml") {
        Ok(file) => file,
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz.toml"));
            return;
        }
    };
    for e in &file.entries {
        assert!(!e.id.trim().is_empty() && !e.reason.trim().is_empty());
        assert!(e.line >= 1);
    }
    let mut report: ScanReport = serde_json::from_str(EMPTY_REPORT).expect("report");
    let warnings = file.apply(&mut report, "2026-01-01".parse().expect("date"));
    assert_eq!(warnings.len(), file.entries.len());
});
