//! The terminal table: plain text, no colour, no terminal-width detection (the caller's
//! terminal is not ours to ask; long summaries are truncated instead).

use std::fmt::Write as _;

use comfy_table::{ContentArrangement, Table};

use super::{Summary, fix_text, groups, ignored, location_text, scanned_line, severity_text, truncate};
use crate::model::{Finding, Location, ScanReport};

/// Summary column width, in characters.
const SUMMARY_WIDTH: usize = 50;

pub(super) fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    // `write!` to a String cannot fail.
    let _ = writeln!(out, "{}", scanned_line(report));
    let groups = groups(report);
    if !groups.is_empty() {
        let mut table = Table::new();
        table.force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(["package", "installed", "fix", "KEV", "severity", "advisory", "summary"]);
        for g in &groups {
            for (i, f) in g.findings.iter().enumerate() {
                let (package, installed) = if i == 0 {
                    (format!("{}\n{}", g.package.name, short_location(&g.package.location)), g.package.version.clone())
                } else {
                    (String::new(), String::new())
                };
                table.add_row([
                    package,
                    installed,
                    fix_text(f).to_owned(),
                    if f.known_exploited.is_some() { "KEV" } else { "" }.to_owned(),
                    severity_text(f.severity.as_ref()),
                    advisory_text(f),
                    f.summary.as_deref().map(|s| truncate(s, SUMMARY_WIDTH)).unwrap_or_default(),
                ]);
            }
        }
        let _ = writeln!(out, "\n{table}");
    }
    let _ = writeln!(out, "\n{}", Summary::of(report));
    let ignored = ignored(report);
    if !ignored.is_empty() {
        let _ = writeln!(out, "\nIgnored:");
        for f in ignored {
            let Some(why) = &f.ignored else { continue };
            let until = why.until.map(|d| format!(" (until {d})")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {} ({}): {}: {}{until}",
                f.package.name,
                f.package.version,
                location_text(&f.package.location),
                match f.first_cve() {
                    Some(cve) if cve != f.advisory_id => format!("{} ({cve})", f.advisory_id),
                    _ => f.advisory_id.clone(),
                },
                why.reason,
            );
        }
    }
    let warnings: Vec<_> = report.targets.iter().flat_map(|t| t.warnings.iter().map(move |w| (&t.path, w))).collect();
    if !warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings:");
        for (path, w) in warnings {
            let _ = writeln!(out, "  {path}: {w}");
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "\nErrors (these files were not scanned):");
        for e in &report.errors {
            let _ = writeln!(out, "  {}: {}", e.path, e.message);
        }
    }
    out
}

/// The advisory id, and under it the first CVE alias when the id is not itself one.
fn advisory_text(f: &Finding) -> String {
    match f.first_cve() {
        Some(cve) if cve != f.advisory_id => format!("{}\n{cve}", f.advisory_id),
        _ => f.advisory_id.clone(),
    }
}

/// `path:line` or `path`: JSON pointers make the column too wide for a terminal (the other
/// formats keep them).
fn short_location(l: &Location) -> String {
    match l.line {
        Some(line) => format!("{}:{line}", l.path),
        None => l.path.clone(),
    }
}
