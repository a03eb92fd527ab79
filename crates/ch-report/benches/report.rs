//! Rendering cost of a large report: CSV and PDF of 5,000 findings.
//!
//! `cargo bench -p ch-report`. Prints the output sizes and page count first, then the
//! criterion timings.

use std::hint::black_box;

use ch_report::{FindingRow, Report, SeriesPoint, Summary, chart_svg, to_csv, to_pdf};
use criterion::{Criterion, criterion_group, criterion_main};

const ROWS: usize = 5_000;

fn report(rows: usize) -> Report {
    let findings = (0..rows)
        .map(|i| FindingRow {
            rank: i as u64 + 1,
            asset: format!("Workstation {:03} in the pharmacy", i % 300),
            criticality: ["critical", "high", "medium", "low"][i % 4].to_owned(),
            component: "OpenSSL".to_owned(),
            version: "3.0.7".to_owned(),
            flaw_id: format!("CVE-2024-{:05}", i),
            aliases: vec![format!("GHSA-{i:04}-abcd-efgh")],
            severity: Some(["critical", "high", "medium", "low"][i % 4].to_owned()),
            score: Some(4.0 + (i % 60) as f64 / 10.0),
            known_exploited: i % 7 == 0,
            ransomware: i % 21 == 0,
            state: "open".to_owned(),
            action: format!(
                "Upgrade OpenSSL on workstation {:03} to 3.0.8 or later, then restart the \
                 services that use it.",
                i % 300
            ),
            fixed_version: Some("3.0.8".to_owned()),
            first_seen: "2026-11-14".to_owned(),
        })
        .collect();
    Report {
        title: "Vulnerability findings: Riverside Community Hospital".to_owned(),
        organisation: "Riverside Community Hospital".to_owned(),
        generated_at: "2026-12-01 19:30 UTC".to_owned(),
        summary: Summary { do_now: 714, open: rows as u64, assets: 300, ..Summary::default() },
        findings,
        series: (1..=30).map(|d| SeriesPoint { date: format!("2026-11-{d:02}"), open: 4_000 + d * 33 }).collect(),
    }
}

fn bench(c: &mut Criterion) {
    let report = report(ROWS);
    let csv = to_csv(&report).expect("csv");
    let pdf = to_pdf(&report).expect("pdf");
    let pages = pdf.windows(b"/Type /Page\n".len()).filter(|w| *w == b"/Type /Page\n").count();
    println!(
        "{ROWS} findings: CSV {} KiB; PDF {} KiB in {pages} pages; SVG of 30 days {} bytes",
        csv.len() / 1024,
        pdf.len() / 1024,
        chart_svg(&report.series, 640, 240).len()
    );

    let mut group = c.benchmark_group("report_5000_rows");
    group.sample_size(10);
    group.bench_function("csv", |b| b.iter(|| to_csv(black_box(&report))));
    group.bench_function("pdf", |b| b.iter(|| to_pdf(black_box(&report))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
