//! Writes a sample report to look at: `cargo run -p ch-report --example sample -- DIR`
//! writes DIR/ch-report-sample.pdf, .csv and .svg (DIR defaults to the temp directory).

use ch_report::{FindingRow, Report, SeriesPoint, Summary, chart_svg, to_csv, to_pdf};

/// Asset, criticality, component, version, flaw, severity and score, known exploited,
/// ransomware, action.
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, Option<(&'a str, f64)>, bool, bool, &'a str);

fn finding(rank: u64, row: Row<'_>) -> FindingRow {
    let (asset, criticality, component, version, flaw, severity, exploited, ransomware, action) = row;
    FindingRow {
        rank,
        asset: asset.to_owned(),
        criticality: criticality.to_owned(),
        component: component.to_owned(),
        version: version.to_owned(),
        flaw_id: flaw.to_owned(),
        aliases: Vec::new(),
        severity: severity.map(|(s, _)| s.to_owned()),
        score: severity.map(|(_, s)| s),
        known_exploited: exploited,
        ransomware,
        state: "open".to_owned(),
        action: action.to_owned(),
        fixed_version: None,
        first_seen: format!("2026-11-{:02}", 3 + rank % 25),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os().nth(1).map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let rows: [Row<'_>; 7] = [
        (
            "Main firewall",
            "critical",
            "FortiOS",
            "7.2.4",
            "CVE-2024-21762",
            Some(("critical", 9.8)),
            true,
            true,
            "Known to be exploited by ransomware groups; upgrade FortiOS on the main firewall to 7.2.7.",
        ),
        (
            "Radiology PACS server",
            "critical",
            "Apache Log4j",
            "2.14.1",
            "CVE-2021-44228",
            Some(("critical", 10.0)),
            true,
            true,
            "Known to be exploited by ransomware groups; upgrade Log4j in the PACS application to 2.17.1, or ask the vendor for their patched release.",
        ),
        (
            "Remote access gateway",
            "high",
            "Ivanti Connect Secure",
            "22.4R2",
            "CVE-2023-46805",
            Some(("high", 8.2)),
            true,
            false,
            "Known to be exploited; apply Ivanti's mitigation now and the 22.4R2.3 patch when it is out.",
        ),
        (
            "Pharmacy workstation 3",
            "high",
            "Google Chrome",
            "116.0.5845.96",
            "CVE-2023-4863",
            Some(("high", 8.8)),
            true,
            false,
            "Known to be exploited; update Chrome to 116.0.5845.187 or later and restart it.",
        ),
        (
            "Caf\u{e9} kiosk \u{201c}Z\u{fc}rich\u{201d} \u{2013} lobby",
            "low",
            "OpenSSL",
            "3.0.7",
            "CVE-2023-0286",
            Some(("high", 7.4)),
            false,
            false,
            "Upgrade OpenSSL to 3.0.8 when the kiosk vendor ships it.",
        ),
        (
            "Staff Wi-Fi controller",
            "medium",
            "UniFi Network",
            "7.3.76",
            "CVE-2023-41721",
            None,
            false,
            false,
            "Check with the vendor whether this applies; no severity has been published yet.",
        ),
        (
            "\u{524d}\u{53f0}\u{6253}\u{5370}\u{673a} \u{1f5a8}",
            "low",
            "HP firmware",
            "2405",
            "CVE-2023-1707",
            Some(("medium", 5.9)),
            false,
            false,
            "Update the printer firmware from the HP support site (non-Western text shows as question marks).",
        ),
    ];
    let mut findings: Vec<FindingRow> = rows.into_iter().zip(1..).map(|(row, rank)| finding(rank, row)).collect();
    for rank in 8..=60 {
        let asset = format!("Workstation {rank:02}");
        findings.push(finding(
            rank,
            (
                &asset,
                "medium",
                "7-Zip",
                "22.01",
                "CVE-2024-11477",
                Some(("high", 7.8)),
                false,
                false,
                "Upgrade 7-Zip to 24.07 or later through the software centre.",
            ),
        ));
    }
    if let Some(f) = findings.get_mut(2) {
        f.state = "accepted".to_owned();
    }
    let series = (0..61)
        .map(|d: u64| {
            let day = 20_729 + d as i64;
            SeriesPoint { date: date(day), open: 30 + (d * 7 % 11) + if d < 35 { d / 2 } else { (61 - d) / 2 } }
        })
        .collect();
    let report = Report {
        title: "Vulnerability findings: Riverside Community Hospital".to_owned(),
        organisation: "Riverside Community Hospital".to_owned(),
        generated_at: "2026-12-01 19:30 UTC".to_owned(),
        summary: Summary { do_now: 4, open: 59, accepted: 1, not_affected: 6, fixed_last_30_days: 12, assets: 48 },
        findings,
        series,
    };
    let pdf = dir.join("ch-report-sample.pdf");
    let csv = dir.join("ch-report-sample.csv");
    let svg = dir.join("ch-report-sample.svg");
    std::fs::write(&pdf, to_pdf(&report)?)?;
    std::fs::write(&csv, to_csv(&report)?)?;
    std::fs::write(&svg, chart_svg(&report.series, 900, 400))?;
    println!("wrote {}, {} and {}", pdf.display(), csv.display(), svg.display());
    Ok(())
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
