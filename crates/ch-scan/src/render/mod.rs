//! Rendering a [`ScanReport`] in one of five formats.
//!
//! Every renderer is a pure function of the report: the same report gives the same bytes
//! (no clock, no randomness, no terminal detection), so outputs can be snapshot-tested and
//! diffed. The human formats (table, Markdown) and SARIF share one order: packages with the
//! most urgent finding first, and inside a package known-exploited findings first, then by
//! severity ([`crate::severity_rank`]).

mod cyclonedx;
mod markdown;
mod sarif;
mod table;

use std::fmt;
use std::str::FromStr;

use crate::Error;
use crate::model::{Finding, Location, Package, ScanReport, Severity};

/// An output format of the scanner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutputFormat {
    /// A plain-text table for terminals (no colour).
    Table,
    /// The [`ScanReport`] as pretty JSON.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// GitHub-flavoured Markdown, for pull request comments and job summaries.
    Markdown,
    /// A CycloneDX 1.6 JSON vulnerability disclosure report (VDR) with VEX analysis.
    CycloneDx,
}

impl OutputFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [OutputFormat; 5] =
        [OutputFormat::Table, OutputFormat::Json, OutputFormat::Sarif, OutputFormat::Markdown, OutputFormat::CycloneDx];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Markdown => "markdown",
            OutputFormat::CycloneDx => "cyclonedx",
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OutputFormat {
    type Err = Error;

    /// One of `table`, `json`, `sarif`, `markdown`, `cyclonedx` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, Error> {
        OutputFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::UnknownFormat { found: s.to_owned() })
    }
}

/// Renders a report. Text formats end with a newline.
pub fn render(report: &ScanReport, format: OutputFormat) -> Result<String, Error> {
    match format {
        OutputFormat::Table => Ok(table::render(report)),
        OutputFormat::Markdown => Ok(markdown::render(report)),
        OutputFormat::Json => to_json(report, format),
        OutputFormat::Sarif => to_json(&sarif::render(report), format),
        OutputFormat::CycloneDx => to_json(&cyclonedx::render(report)?, format),
    }
}

fn to_json<T: serde::Serialize>(value: &T, format: OutputFormat) -> Result<String, Error> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::Render { format: format.name(), reason: e.to_string() })
}

/// The findings of one package occurrence, most urgent first.
pub(crate) struct Group<'a> {
    pub(crate) package: &'a Package,
    pub(crate) findings: Vec<&'a Finding>,
}

/// Findings that are not ignored (each once), grouped by package occurrence (name, version, path) and
/// ordered: groups by their most urgent finding, findings by [`Finding::cmp_priority`].
pub(crate) fn groups(report: &ScanReport) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for f in report.findings.iter().filter(|f| f.ignored.is_none()) {
        let key = |p: &Package| (p.name.clone(), p.version.clone(), p.location.path.clone());
        let k = key(&f.package);
        match groups.iter_mut().find(|g| key(g.package) == k) {
            // A finding listed twice is shown once.
            Some(g) if g.findings.contains(&f) => {}
            Some(g) => g.findings.push(f),
            None => groups.push(Group { package: &f.package, findings: vec![f] }),
        }
    }
    for g in &mut groups {
        g.findings.sort_by(|a, b| a.cmp_priority(b));
    }
    groups.sort_by(|a, b| {
        match (a.findings.first(), b.findings.first()) {
            (Some(x), Some(y)) => x.cmp_priority(y),
            _ => std::cmp::Ordering::Equal,
        }
        .then_with(|| a.package.name.cmp(&b.package.name))
        .then_with(|| a.package.version.cmp(&b.package.version))
        .then_with(|| a.package.location.cmp(&b.package.location))
    });
    groups
}

/// Ignored findings (each once), by package name, version, path, then advisory id.
pub(crate) fn ignored(report: &ScanReport) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = Vec::new();
    for f in report.findings.iter().filter(|f| f.ignored.is_some()) {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out.sort_by(|a, b| {
        (&a.package.name, &a.package.version, &a.package.location.path, &a.advisory_id).cmp(&(
            &b.package.name,
            &b.package.version,
            &b.package.location.path,
            &b.advisory_id,
        ))
    });
    out
}

/// Counts for the one-line summary.
pub(crate) struct Summary {
    pub(crate) vulnerabilities: usize,
    pub(crate) packages: usize,
    pub(crate) known_exploited: usize,
    pub(crate) ignored: usize,
}

impl Summary {
    pub(crate) fn of(report: &ScanReport) -> Summary {
        let groups = groups(report);
        // A package counts once however many files list it.
        let packages: std::collections::BTreeSet<(&str, &str, Option<&str>)> = groups
            .iter()
            .map(|g| (g.package.name.as_str(), g.package.version.as_str(), g.package.ecosystem.as_deref()))
            .collect();
        Summary {
            vulnerabilities: groups.iter().map(|g| g.findings.len()).sum(),
            packages: packages.len(),
            known_exploited: groups.iter().flat_map(|g| &g.findings).filter(|f| f.known_exploited.is_some()).count(),
            ignored: report.findings.iter().filter(|f| f.ignored.is_some()).count(),
        }
    }
}

impl fmt::Display for Summary {
    /// `N vulnerabilities in M packages (K known exploited); X ignored`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} in {} {} ({} known exploited); {} ignored",
            self.vulnerabilities,
            plural(self.vulnerabilities, "vulnerability", "vulnerabilities"),
            self.packages,
            plural(self.packages, "package", "packages"),
            self.known_exploited,
            self.ignored,
        )
    }
}

pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `Scanned N files (C components) against A advisories (SOURCE, updated T).`
pub(crate) fn scanned_line(report: &ScanReport) -> String {
    let files = report.targets.len();
    let components: usize = report.targets.iter().map(|t| t.components).sum();
    let updated = report.database.last_modified.map(|t| format!(", updated {t}")).unwrap_or_default();
    format!(
        "Scanned {files} {} ({components} {}) against {} {} ({}{updated}).",
        plural(files, "file", "files"),
        plural(components, "component", "components"),
        report.database.advisories,
        plural(usize::try_from(report.database.advisories).unwrap_or(usize::MAX), "advisory", "advisories"),
        report.database.source,
    )
}

/// Who publishes an advisory id, and its page there, by id prefix.
pub(crate) fn id_source(id: &str) -> Option<(&'static str, String)> {
    let prefix = id.split(['-', ':']).next().unwrap_or(id);
    Some(match prefix {
        "CVE" => ("NVD", format!("https://nvd.nist.gov/vuln/detail/{id}")),
        "GHSA" => ("GitHub Advisories", format!("https://github.com/advisories/{id}")),
        "RUSTSEC" => ("RustSec", format!("https://rustsec.org/advisories/{id}.html")),
        "GO" => ("Go Vulnerability Database", format!("https://pkg.go.dev/vuln/{id}")),
        "PYSEC" => ("PyPA Advisory Database", format!("https://osv.dev/vulnerability/{id}")),
        "ALSA" | "ALBA" | "ALEA" => ("AlmaLinux", format!("https://osv.dev/vulnerability/{id}")),
        "BIT" => ("Bitnami Vulnerability Database", format!("https://osv.dev/vulnerability/{id}")),
        _ => return None,
    })
}

/// A web page about the advisory: an http(s) reference naming its id, else its publisher's
/// page for it ([`id_source`]), else its first http(s) reference. Spaces are encoded.
pub(crate) fn advisory_page(f: &Finding) -> Option<String> {
    let web = |r: &&String| r.starts_with("https://") || r.starts_with("http://");
    f.references
        .iter()
        .filter(web)
        .find(|r| r.contains(&f.advisory_id))
        .cloned()
        .or_else(|| id_source(&f.advisory_id).map(|(_, url)| url))
        .or_else(|| f.references.iter().find(web).cloned())
        .map(|u| u.replace(' ', "%20"))
}

/// `critical 9.8`, `high`, or `unknown`.
pub(crate) fn severity_text(s: Option<&Severity>) -> String {
    match s {
        Some(s) => match s.valid_score() {
            Some(score) => format!("{} {score:.1}", s.word),
            None => s.word.to_string(),
        },
        None => "unknown".to_owned(),
    }
}

/// The fix column: the remedy, else `no fix`.
pub(crate) fn fix_text(f: &Finding) -> &str {
    f.remedy.as_deref().unwrap_or("no fix")
}

/// `path:line`, `path#pointer` or `path`.
pub(crate) fn location_text(l: &Location) -> String {
    match (l.line, &l.pointer) {
        (Some(line), _) => format!("{}:{line}", l.path),
        (None, Some(p)) => format!("{}#{p}", l.path),
        (None, None) => l.path.clone(),
    }
}

/// At most `max` characters, with `…` when cut; whitespace runs become one space.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in OutputFormat::ALL {
            assert_eq!(f.name().parse::<OutputFormat>().unwrap(), f);
        }
        assert_eq!("SARIF".parse::<OutputFormat>().unwrap(), OutputFormat::Sarif);
        let e = "xml".parse::<OutputFormat>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown output format: expected one of table, json, sarif, markdown, cyclonedx, found \"xml\""
        );
    }

    #[test]
    fn truncate_table() {
        for (s, max, want) in [
            ("short", 10, "short"),
            ("exactly10!", 10, "exactly10!"),
            ("a  b\n c", 10, "a b c"),
            ("Marvin Attack: potential key recovery", 15, "Marvin Attack:…"),
            ("ééééé", 3, "éé…"),
        ] {
            assert_eq!(truncate(s, max), want, "{s:?}");
        }
    }

    #[test]
    fn severity_and_location_text() {
        use crate::model::SeverityWord;
        let s = |word, score| Severity { word, score, vector: None };
        assert_eq!(severity_text(Some(&s(SeverityWord::Critical, Some(10.0)))), "critical 10.0");
        assert_eq!(severity_text(Some(&s(SeverityWord::High, None))), "high");
        assert_eq!(severity_text(Some(&s(SeverityWord::High, Some(f64::NAN)))), "high");
        assert_eq!(severity_text(None), "unknown");
        let l = |line, pointer: Option<&str>| Location { path: "a/b".into(), line, pointer: pointer.map(Into::into) };
        assert_eq!(location_text(&l(Some(3), Some("/x"))), "a/b:3");
        assert_eq!(location_text(&l(None, Some("/components/2"))), "a/b#/components/2");
        assert_eq!(location_text(&l(None, None)), "a/b");
    }
}
