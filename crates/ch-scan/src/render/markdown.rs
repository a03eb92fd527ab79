//! GitHub-flavoured Markdown: a heading, the summary, one table in the table's order, then
//! ignored findings, warnings and errors.
//!
//! All text from the report is escaped (it comes from advisories and lockfiles, not from us):
//! Markdown punctuation is backslash-escaped and `<`, `>`, `&` become entities, so nothing in
//! an advisory can inject HTML or break the table. Only `http(s)` URLs become links.

use std::fmt::Write as _;

use super::{Summary, advisory_page, fix_text, groups, ignored, location_text, scanned_line, severity_text};
use crate::model::{Finding, ScanReport};

pub(super) fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    // `write!` to a String cannot fail.
    let _ = writeln!(out, "# Vulnerability scan\n");
    let _ = writeln!(out, "**{}**\n", Summary::of(report));
    let _ = writeln!(
        out,
        "{}\nclearinghouse {}, {}.\n",
        escape(&scanned_line(report)),
        escape(&report.tool_version),
        report.scanned_at
    );
    let groups = groups(report);
    if !groups.is_empty() {
        let _ = writeln!(out, "| Package | Installed | Fix | KEV | Severity | Advisory | Summary |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
        for g in &groups {
            for (i, f) in g.findings.iter().enumerate() {
                let (package, installed) = if i == 0 {
                    (
                        format!("{}<br>{}", escape(&g.package.name), escape(&location_text(&g.package.location))),
                        escape(&g.package.version),
                    )
                } else {
                    (String::new(), String::new())
                };
                let _ = writeln!(
                    out,
                    "| {package} | {installed} | {} | {} | {} | {} | {} |",
                    escape(fix_text(f)),
                    if f.known_exploited.is_some() { "**KEV**" } else { "" },
                    severity_text(f.severity.as_ref()),
                    advisory_cell(f),
                    f.summary.as_deref().map(escape).unwrap_or_default(),
                );
            }
        }
        out.push('\n');
    }
    let ignored = ignored(report);
    if !ignored.is_empty() {
        let _ = writeln!(out, "## Ignored\n");
        let _ = writeln!(out, "| Package | Installed | Advisory | Reason | Until |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for f in ignored {
            let Some(why) = &f.ignored else { continue };
            let _ = writeln!(
                out,
                "| {}<br>{} | {} | {} | {} | {} |",
                escape(&f.package.name),
                escape(&location_text(&f.package.location)),
                escape(&f.package.version),
                advisory_cell(f),
                escape(&why.reason),
                why.until.map(|d| d.to_string()).unwrap_or_default(),
            );
        }
        out.push('\n');
    }
    let warnings: Vec<_> = report.targets.iter().flat_map(|t| t.warnings.iter().map(move |w| (&t.path, w))).collect();
    if !warnings.is_empty() {
        let _ = writeln!(out, "## Warnings\n");
        for (path, w) in warnings {
            let _ = writeln!(out, "- {}: {}", escape(path), escape(w));
        }
        out.push('\n');
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "## Errors\n\nThese files were not scanned:\n");
        for e in &report.errors {
            let _ = writeln!(out, "- {}: {}", escape(&e.path), escape(&e.message));
        }
        out.push('\n');
    }
    // One trailing newline.
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The advisory id (linked when it has an http(s) page) and its first CVE alias.
fn advisory_cell(f: &Finding) -> String {
    let id = match advisory_page(f) {
        Some(url) => format!("[{}]({})", escape(&f.advisory_id), link_target(&url)),
        None => escape(&f.advisory_id),
    };
    match f.first_cve() {
        Some(cve) if cve != f.advisory_id => format!("{id}<br>{}", escape(cve)),
        _ => id,
    }
}

/// A URL safe inside `(...)` of a Markdown link and a table cell.
pub(super) fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            ' ' => out.push_str("%20"),
            '|' => out.push_str("%7C"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text safe inside a GitHub table cell: one line, Markdown punctuation escaped, no HTML.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                    out.push('\\');
                    out.push(c);
                }
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_table() {
        for (s, want) in [
            ("plain text", "plain text"),
            ("a|b", "a\\|b"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("snake_case *bold* `code`", "snake\\_case \\*bold\\* \\`code\\`"),
            ("two\nlines\r\n here", "two lines here"),
            ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ] {
            assert_eq!(escape(s), want, "{s:?}");
        }
        assert_eq!(link_target("https://e.org/a (b)|c"), "https://e.org/a%20%28b%29%7Cc");
    }
}
