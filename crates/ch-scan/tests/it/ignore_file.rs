//! The ignore file fixture applied to the report fixture; exit codes before and after.

use ch_scan::{SeverityWord, TargetError, exit_code, fails, parse_ignore_file};

use crate::{fixture, raw_report, report_with_warnings, today};

#[test]
fn fixture_ignore_file_applies() {
    let (report, warnings) = report_with_warnings();
    insta::assert_snapshot!(warnings.join("\n"), @r"
    .clearinghouse-ignore.toml:9: ignore entry 2 for CVE-2020-26235 expired on 2026-01-31; it no longer ignores anything (1 matching finding)
    .clearinghouse-ignore.toml:19: ignore entry 4 for RUSTSEC-2022-0040 matched no finding
    ");
    let ignored: Vec<(&str, &str)> = report
        .findings
        .iter()
        .filter_map(|f| f.ignored.as_ref().map(|i| (f.advisory_id.as_str(), i.reason.as_str())))
        .collect();
    assert_eq!(
        ignored,
        vec![
            ("RUSTSEC-2023-0071", "not reachable: we never decrypt with RSA, only verify signatures"),
            ("GHSA-34jh-p97f-mpxf", "no proxies in production; upgrade scheduled for the next release"),
        ]
    );
    let rsa = report.findings.iter().find(|f| f.package.name == "rsa").unwrap();
    assert_eq!(rsa.ignored.as_ref().unwrap().until, Some(jiff::civil::date(2027, 3, 1)));
}

#[test]
fn ignore_file_entries_keep_their_lines() {
    let file = parse_ignore_file(&fixture("ignore/project.toml"), "x.toml").unwrap();
    let lines: Vec<(usize, &str)> = file.entries.iter().map(|e| (e.line, e.id.as_str())).collect();
    assert_eq!(
        lines,
        vec![(3, "RUSTSEC-2023-0071"), (9, "CVE-2020-26235"), (14, "GHSA-34jh-p97f-mpxf"), (19, "RUSTSEC-2022-0040")]
    );
}

#[test]
fn exit_codes_on_the_fixture() {
    let raw = raw_report();
    let (ignored, _) = report_with_warnings();
    let cases = [
        (None, 1, 1),
        (Some(SeverityWord::Low), 1, 1),
        (Some(SeverityWord::High), 1, 1),
        (Some(SeverityWord::Critical), 1, 1),
    ];
    for (fail_on, raw_want, ignored_want) in cases {
        assert_eq!(exit_code(&raw, fail_on), raw_want, "{fail_on:?}");
        assert_eq!(exit_code(&ignored, fail_on), ignored_want, "{fail_on:?}");
    }
    // Only the log4j findings are critical; the unrated atty finding fails only without a
    // threshold.
    let critical: Vec<&str> = ignored
        .findings
        .iter()
        .filter(|f| fails(f, Some(SeverityWord::Critical)))
        .map(|f| f.advisory_id.as_str())
        .collect();
    assert_eq!(critical, vec!["GHSA-7rjr-3q55-vv33", "GHSA-jfh8-c2jp-5v3q"]);
    let atty = ignored.findings.iter().find(|f| f.package.name == "atty").unwrap();
    assert!(fails(atty, None));
    assert!(!fails(atty, Some(SeverityWord::None)));

    let mut only_ignored = ignored.clone();
    only_ignored.findings.retain(|f| f.ignored.is_some());
    assert_eq!(exit_code(&only_ignored, None), 0);

    let mut broken = only_ignored;
    broken.errors.push(TargetError { path: "poetry.lock".into(), message: "line 3: expected `=`".into() });
    assert_eq!(exit_code(&broken, None), 2);
}

#[test]
fn expiry_is_judged_on_the_given_day() {
    let file = parse_ignore_file(&fixture("ignore/project.toml"), "x.toml").unwrap();
    let mut before = raw_report();
    let warnings = file.apply(&mut before, jiff::civil::date(2026, 1, 31));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(before.findings.iter().filter(|f| f.ignored.is_some()).count(), 3);
    let mut after = raw_report();
    file.apply(&mut after, jiff::civil::date(2027, 3, 2));
    assert_eq!(after.findings.iter().filter(|f| f.ignored.is_some()).count(), 1);
    assert!(today() > jiff::civil::date(2026, 1, 31));
}

/// Every prefix of the fixture, and the fixture with each line dropped, either parses or is
/// refused with an error naming the file (a cheap stand-in for the fuzz target).
#[test]
fn damaged_ignore_files_are_refused_not_panicked_on() {
    let text = fixture("ignore/project.toml");
    let mut refused = 0;
    let mut check = |t: &str| match parse_ignore_file(t, "x.toml") {
        Ok(f) => assert!(f.entries.iter().all(|e| !e.id.is_empty() && !e.reason.is_empty())),
        Err(e) => {
            refused += 1;
            assert!(e.to_string().starts_with("x.toml"), "{e}");
        }
    };
    for (i, _) in text.char_indices() {
        check(&text[..i]);
    }
    let lines: Vec<&str> = text.lines().collect();
    for skip in 0..lines.len() {
        let t: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| *l).collect();
        check(&t.join("\n"));
    }
    assert!(refused > 100, "{refused}");
}
