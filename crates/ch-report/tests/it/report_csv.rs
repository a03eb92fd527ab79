//! CSV: read back with the `csv` crate, field by field.

use ch_report::{CSV_HEADERS, FindingRow, Report, to_csv};

use crate::sample::{HOSTILE, finding_with, report};

fn read_back(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let headers = reader.headers().expect("a header row").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.expect("a valid record").iter().map(str::to_owned).collect()).collect();
    (headers, rows)
}

/// What a cell should read as: the value, with an apostrophe before a formula start.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

fn expected(f: &FindingRow) -> Vec<String> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    [
        f.rank.to_string(),
        f.asset.clone(),
        f.criticality.clone(),
        f.component.clone(),
        f.version.clone(),
        f.flaw_id.clone(),
        f.aliases.join("; "),
        f.severity.clone().unwrap_or_default(),
        f.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
        yes_no(f.known_exploited),
        yes_no(f.ransomware),
        if f.state == "not_affected" { "not affected".to_owned() } else { f.state.clone() },
        f.action.clone(),
        f.fixed_version.clone().unwrap_or_default(),
        f.first_seen.clone(),
    ]
    .iter()
    .map(|v| cell(v))
    .collect()
}

#[test]
fn every_field_reads_back() {
    let report = report(25);
    let text = to_csv(&report).unwrap();
    let (headers, rows) = read_back(&text);
    assert_eq!(headers, CSV_HEADERS);
    assert_eq!(rows.len(), report.findings.len());
    for (row, finding) in rows.iter().zip(&report.findings) {
        assert_eq!(*row, expected(finding), "row {}", finding.rank);
    }
}

#[test]
fn lines_end_with_crlf() {
    let text = to_csv(&report(2)).unwrap();
    assert!(text.starts_with(
        "Rank,Asset,Criticality,Component,Version,Vulnerability,Aliases,\
                              Severity,Score,Known exploited,Ransomware,State,Action,Fixed in,\
                              First seen\r\n"
    ));
    assert_eq!(text.matches("\r\n").count(), 3);
    assert!(text.ends_with("\r\n"));
}

#[test]
fn awkward_cells_survive() {
    let cases = [
        "comma, inside",
        "a \"quoted\" word",
        "line one\nline two",
        "crlf\r\ninside",
        "trailing space ",
        " leading space",
        "",
        "Serveur à Zürich – 漏洞 🔥",
        "semi; colon",
        "'already quoted",
    ];
    for text in cases.iter().chain(HOSTILE.iter()) {
        let report = Report { findings: vec![finding_with(text)], ..Report::default() };
        let csv = to_csv(&report).unwrap();
        let (_, rows) = read_back(&csv);
        assert_eq!(rows.len(), 1, "{text:?}");
        assert_eq!(rows[0], expected(&report.findings[0]), "{text:?}");
    }
}

#[test]
fn formulas_are_defused() {
    let cases = [
        ("=1+1", "'=1+1"),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("CVE-2024-1234", "CVE-2024-1234"),
        ("a=b", "a=b"),
    ];
    for (value, want) in cases {
        let report = Report { findings: vec![finding_with(value)], ..Report::default() };
        let (_, rows) = read_back(&to_csv(&report).unwrap());
        for (i, got) in rows[0].iter().enumerate() {
            match CSV_HEADERS[i] {
                // Computed columns: not the input text.
                "Rank" | "Score" | "Known exploited" | "Ransomware" => continue,
                // Two aliases joined: only the start of the cell is guarded.
                "Aliases" => assert!(got.starts_with(want), "{value:?}: {got:?}"),
                _ => assert_eq!(got, want, "{value:?} in {}", CSV_HEADERS[i]),
            }
        }
    }
}

#[test]
fn no_findings_is_a_header() {
    let (headers, rows) = read_back(&to_csv(&report(0)).unwrap());
    assert_eq!(headers, CSV_HEADERS);
    assert!(rows.is_empty());
}
