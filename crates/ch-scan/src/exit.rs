//! The scanner's exit code: 0 clean, 1 findings, 2 error (ripgrep's convention).

use crate::model::{Finding, ScanReport, SeverityWord};

/// The exit code for a report.
///
/// - `2` when any target could not be scanned (`report.errors` is not empty): a partial scan
///   must not pass.
/// - `1` when any finding that is not ignored fails the threshold:
///   - `fail_on` `None`: every finding fails, with or without a severity;
///   - `fail_on` `Some(word)`: a finding fails when its severity is `word` or higher. A finding
///     without a severity does not fail a threshold: nothing says it reaches it (use no
///     threshold to fail on those too).
/// - `0` otherwise.
pub fn exit_code(report: &ScanReport, fail_on: Option<SeverityWord>) -> u8 {
    if !report.errors.is_empty() {
        2
    } else if report.findings.iter().any(|f| fails(f, fail_on)) {
        1
    } else {
        0
    }
}

/// Whether one finding fails the `fail_on` threshold (see [`exit_code`]).
pub fn fails(finding: &Finding, fail_on: Option<SeverityWord>) -> bool {
    if finding.ignored.is_some() {
        return false;
    }
    match (fail_on, &finding.severity) {
        (None, _) => true,
        (Some(threshold), Some(s)) => s.word >= threshold,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DatabaseInfo, Ignored, Location, Package, Severity, TargetError};

    fn finding(word: Option<SeverityWord>, ignored: bool) -> Finding {
        Finding {
            package: Package {
                name: "p".into(),
                version: "1".into(),
                ecosystem: None,
                purl: None,
                cpe: None,
                vendor: None,
                product: None,
                location: Location { path: "Cargo.lock".into(), line: None, pointer: None },
                direct: None,
            },
            advisory_id: "X-1".into(),
            aliases: vec![],
            summary: None,
            severity: word.map(|word| Severity { word, score: None, vector: None }),
            known_exploited: None,
            fixed_versions: vec![],
            remedy: None,
            references: vec![],
            cwes: vec![],
            ignored: ignored.then(|| Ignored { reason: "r".into(), until: None }),
        }
    }

    fn report(findings: Vec<Finding>, errors: usize) -> ScanReport {
        ScanReport {
            tool_version: "0".into(),
            scanned_at: jiff::Timestamp::UNIX_EPOCH,
            database: DatabaseInfo { advisories: 0, last_modified: None, source: "local d".into() },
            targets: vec![],
            errors: (0..errors).map(|_| TargetError { path: "x".into(), message: "unreadable".into() }).collect(),
            findings,
        }
    }

    #[test]
    fn exit_code_table() {
        use SeverityWord::{Critical, High, Low, Medium};
        let cases: [(Vec<Finding>, usize, Option<SeverityWord>, u8); 14] = [
            (vec![], 0, None, 0),
            (vec![], 1, None, 2),
            (vec![finding(Some(Low), false)], 1, Some(Critical), 2),
            (vec![finding(Some(Low), false)], 0, None, 1),
            (vec![finding(None, false)], 0, None, 1),
            (vec![finding(None, false)], 0, Some(SeverityWord::None), 0),
            (vec![finding(None, false)], 0, Some(Low), 0),
            (vec![finding(Some(SeverityWord::None), false)], 0, Some(SeverityWord::None), 1),
            (vec![finding(Some(Medium), false)], 0, Some(High), 0),
            (vec![finding(Some(High), false)], 0, Some(High), 1),
            (vec![finding(Some(Critical), false)], 0, Some(High), 1),
            (vec![finding(Some(Critical), true)], 0, None, 0),
            (vec![finding(Some(Critical), true), finding(Some(Low), false)], 0, Some(Medium), 0),
            (vec![finding(Some(Critical), true), finding(Some(Low), false)], 0, Some(Low), 1),
        ];
        for (findings, errors, fail_on, want) in cases {
            let r = report(findings, errors);
            assert_eq!(exit_code(&r, fail_on), want, "{fail_on:?} {:?} errors {errors}", r.findings);
        }
    }
}
