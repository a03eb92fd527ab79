//! Reports to render: a realistic one of any size, and hostile ones.

use ch_report::{FindingRow, Report, SeriesPoint, Summary};

const ASSETS: [(&str, &str); 5] = [
    ("Main firewall", "critical"),
    ("Pharmacy workstation 3", "high"),
    ("Radiology PACS server", "critical"),
    ("Front desk printer", "low"),
    ("Staff Wi-Fi controller", "medium"),
];

const FLAWS: [(&str, &str, &str, &str, f64, bool, bool); 4] = [
    ("FortiOS", "7.2.4", "CVE-2024-21762", "critical", 9.8, true, true),
    ("OpenSSL", "3.0.7", "CVE-2023-0286", "high", 7.4, false, false),
    ("Apache Log4j", "2.14.1", "CVE-2021-44228", "critical", 10.0, true, true),
    ("libwebp", "1.3.1", "CVE-2023-4863", "high", 8.8, true, false),
];

/// A plausible report with `rows` findings and 60 days of history.
pub(crate) fn report(rows: usize) -> Report {
    let findings = (0..rows)
        .map(|i| {
            let (asset, criticality) = ASSETS[i % ASSETS.len()];
            let (component, version, flaw, severity, score, kev, ransomware) = FLAWS[i % FLAWS.len()];
            let flaw_id = format!("{flaw}-{i}");
            FindingRow {
                rank: i as u64 + 1,
                asset: asset.to_owned(),
                criticality: criticality.to_owned(),
                component: component.to_owned(),
                version: version.to_owned(),
                flaw_id,
                aliases: vec![format!("GHSA-xxxx-{i:04}"), format!("OSV-{i}")],
                severity: Some(severity.to_owned()),
                score: Some(score),
                known_exploited: kev,
                ransomware,
                state: ["open", "open", "accepted", "not_affected"][i % 4].to_owned(),
                action: format!(
                    "{}upgrade {component} on the {} to the fixed version as soon as you can.",
                    if ransomware { "Known to be exploited by ransomware groups; " } else { "" },
                    asset.to_lowercase()
                ),
                fixed_version: Some("9.9.9".to_owned()),
                first_seen: format!("2026-11-{:02}", 1 + i % 28),
            }
        })
        .collect();
    Report {
        title: "Vulnerability findings: Riverside Community Hospital".to_owned(),
        organisation: "Riverside Community Hospital".to_owned(),
        generated_at: "2026-12-01 19:30 UTC".to_owned(),
        summary: Summary { do_now: 3, open: 12, accepted: 2, not_affected: 5, fixed_last_30_days: 7, assets: 48 },
        findings,
        series: series(60),
    }
}

/// `days` points from 2026-10-03 on, going up then down.
pub(crate) fn series(days: usize) -> Vec<SeriesPoint> {
    (0..days)
        .map(|d| {
            let day = 20_729 + d as i64; // 2026-10-03
            SeriesPoint {
                date: date(day),
                open: (8 + (d * 11 % 17) + if d < days / 2 { d / 3 } else { (days - d) / 3 }) as u64,
            }
        })
        .collect()
}

/// `YYYY-MM-DD` for days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A finding whose every text field holds `text`.
pub(crate) fn finding_with(text: &str) -> FindingRow {
    FindingRow {
        rank: 1,
        asset: text.to_owned(),
        criticality: text.to_owned(),
        component: text.to_owned(),
        version: text.to_owned(),
        flaw_id: text.to_owned(),
        aliases: vec![text.to_owned(), text.to_owned()],
        severity: Some(text.to_owned()),
        score: None,
        known_exploited: false,
        ransomware: false,
        state: text.to_owned(),
        action: text.to_owned(),
        fixed_version: Some(text.to_owned()),
        first_seen: text.to_owned(),
    }
}

/// Text that trips up renderers: other scripts, emoji, markup, controls, formulas.
pub(crate) const HOSTILE: [&str; 10] = [
    "\u{6f0f}\u{6d1e}\u{30b5}\u{30fc}\u{30d0}\u{30fc}",
    "\u{1f525}\u{1f4a5} \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} emoji",
    "<script>alert('x')</script>",
    "]]><!-- --> &amp; \"quoted\"",
    "tab\tnew\nline\rcarriage\u{0}nul\u{7}bell",
    "=cmd|' /C calc'!A0",
    "(unbalanced \\ parens",
    "\u{202e}right-to-left override\u{202c}",
    "\u{fffe}\u{ffff}\u{d7ff}\u{e000}",
    "Ça coûte 5 € – “quoted” … Zürich",
];

#[test]
fn dates_are_right() {
    assert_eq!(date(0), "1970-01-01");
    assert_eq!(date(20_788), "2026-12-01");
    assert_eq!(series(2)[0].date, "2026-10-03");
}
