//! RustSec native advisories (TOML front matter in a fenced block, then Markdown) into
//! OSV, as RustSec's own OSV export (`rustsec` crate, `osv` module) writes them.
//!
//! The export's rules, followed here and checked against its output record by record:
//! - `published` (and `withdrawn`) is the advisory date at 12:00:00Z; `modified` is the
//!   file's last commit time, which only the caller can know (a tar member's mtime); the
//!   published time stands in when the caller has none;
//! - `summary` is the first `# ` heading of the Markdown, `details` the rest, trimmed;
//! - `severity` holds the `cvss` vector (`CVSS_V3` or `CVSS_V4`), or is empty;
//! - one `affected` entry for the crate (`crates.io`, `pkg:cargo/NAME`), with
//!   `ecosystem_specific.affects` (`arch`, `os`, the affected function paths, sorted),
//!   `database_specific` (`categories`, `cvss`, `informational`), and one `SEMVER` range
//!   that is the complement of `patched` and `unaffected` (Cargo requirements): between
//!   consecutive unaffected ranges the affected gap, an exclusive bound becoming its
//!   SemVer successor (`1.2.3` -> `1.2.4-0`, `1.0.0-rc` -> `1.0.0-rc.0`), an open start
//!   `0.0.0-0`;
//! - `references`: the crate page (`PACKAGE`), the RustSec page (`ADVISORY`), `url`, then
//!   `references`, each typed by the export's URL rules;
//! - `database_specific.license`: the advisory's, by default `CC0-1.0`.
//!
//! Advisories of RustSec's `rust` collection (the toolchain: `std`, `cargo`, `rustdoc`,
//! ids `CVE-...`) have no OSV ecosystem and the export skips them; here they become
//! advisories with an affected product (`rust-lang`, `rust` or `cargo`) instead.

use std::collections::BTreeMap;
use std::fmt;

use ch_version::{Event, RangeType, Scheme};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Error, Format};
use crate::model::{Advisory, AffectedProduct, Extension, ProductVersion, Status};
use crate::osv::{Affected, Osv, Package, Range, Reference, ReferenceType, Severity, SeverityType};
use crate::time::{date_at, osv_timestamp, parse_date};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    advisory: Meta,
    #[serde(default)]
    affected: Option<AffectedSection>,
    versions: Versions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    id: String,
    package: String,
    date: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    keywords: Vec<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default, rename = "expect-deleted")]
    #[allow(dead_code)]
    expect_deleted: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AffectedSection {
    #[serde(default)]
    arch: Vec<String>,
    #[serde(default)]
    os: Vec<String>,
    #[serde(default)]
    functions: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Splits the file into the TOML front matter and the Markdown body.
fn split(text: &str) -> Result<(&str, &str), Error> {
    let bad = |found: &str| Error::invalid(Format::RustSec, None, "", "a ```toml front matter block", found);
    let rest = text.trim_start().strip_prefix("```toml").ok_or_else(|| bad("no ```toml opening fence"))?;
    let rest =
        rest.strip_prefix('\n').or_else(|| rest.strip_prefix("\r\n")).ok_or_else(|| bad("text after ```toml"))?;
    let end = rest.find("\n```").ok_or_else(|| bad("no closing ``` fence"))?;
    let toml = rest.get(..=end).unwrap_or_default();
    let body = rest.get(end + 4..).unwrap_or_default();
    Ok((toml, body))
}

fn title_and_details(body: &str, id: &str) -> Result<(String, String), Error> {
    let body = body.trim_start_matches(['\n', '\r', ' ']);
    let Some(rest) = body.strip_prefix("# ") else {
        let first: String = body.lines().next().unwrap_or_default().chars().take(40).collect();
        return Err(Error::invalid(Format::RustSec, Some(id), "Markdown", "a `# title` line", format!("{first:?}")));
    };
    let (title, details) = rest.split_once('\n').unwrap_or((rest, ""));
    // As the export: the text after "# ", trailing space trimmed (a second space stays).
    Ok((title.trim_end().to_owned(), details.trim().to_owned()))
}

/// The export's reference typing (`guess_url_kind`).
fn reference(url: &str) -> Reference {
    let kind = if (url.contains("://github.com/") || url.contains("://gitlab.")) && url.contains("/issues/") {
        ReferenceType::Report
    } else if url.contains("/advisories/") || url.contains("://cve.mitre.org/") {
        ReferenceType::Advisory
    } else if url.contains("://crates.io/crates/") {
        ReferenceType::Package
    } else {
        ReferenceType::Web
    };
    Reference { kind, url: normalise_url(url) }
}

/// The export stores URLs as `url::Url`, which writes an empty path as `/`.
fn normalise_url(url: &str) -> String {
    let url = url.trim();
    match url.split_once("://") {
        Some((_, rest)) if !rest.contains(['/', '?', '#']) => format!("{url}/"),
        _ => url.to_owned(),
    }
}

// ------------------------------------------------------------------ Cargo requirements

/// A SemVer version as the `semver` crate holds it (build metadata dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
struct SemVer {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl fmt::Display for SemVer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

impl SemVer {
    fn new(major: u64, minor: u64, patch: u64, pre: &str) -> SemVer {
        SemVer { major, minor, patch, pre: pre.to_owned() }
    }

    fn cmp(&self, other: &SemVer) -> std::cmp::Ordering {
        match (Scheme::SemVer.parse(&self.to_string()), Scheme::SemVer.parse(&other.to_string())) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            _ => self.to_string().cmp(&other.to_string()),
        }
    }

    /// The least version above this one (the export's `increment`).
    fn successor(&self) -> SemVer {
        if self.pre.is_empty() {
            SemVer::new(self.major, self.minor, self.patch + 1, "0")
        } else {
            SemVer { pre: format!("{}.0", self.pre), ..self.clone() }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Bound {
    Unbounded,
    Exclusive(SemVer),
    Inclusive(SemVer),
}

impl Bound {
    fn version(&self) -> Option<&SemVer> {
        match self {
            Bound::Unbounded => None,
            Bound::Exclusive(v) | Bound::Inclusive(v) => Some(v),
        }
    }

    /// `self` as a start bound is at or below `end` as an end bound.
    fn start_le_end(&self, end: &Bound) -> bool {
        match (self.version(), end.version()) {
            (None, _) | (_, None) => true,
            (Some(a), Some(b)) => match a.cmp(b) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Equal => matches!((self, end), (Bound::Inclusive(_), Bound::Inclusive(_))),
                std::cmp::Ordering::Greater => false,
            },
        }
    }
}

#[derive(Clone, Debug)]
struct Unaffected {
    start: Bound,
    end: Bound,
    text: String,
}

struct Comparator {
    op: &'static str,
    major: u64,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: String,
}

fn req_error(id: &str, field: &str, req: &str, reason: impl Into<String>) -> Error {
    Error::invalid(Format::RustSec, Some(id), format!("versions.{field}"), "a Cargo version requirement", {
        format!("{req:?}: {}", reason.into())
    })
}

fn comparator(s: &str) -> Result<Comparator, String> {
    let s = s.trim();
    let (op, rest) = [">=", "<=", ">", "<", "=", "^", "~"]
        .iter()
        .find_map(|op| s.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("^", s));
    let rest = rest.trim();
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, p.split('+').next().unwrap_or_default()),
        None => (rest.split('+').next().unwrap_or_default(), ""),
    };
    let mut parts = core.split('.');
    let num = |p: Option<&str>| -> Result<Option<u64>, String> {
        match p {
            None => Ok(None),
            Some("*" | "x" | "X") => Err("wildcards are not supported".into()),
            Some(n) => n.parse::<u64>().map(Some).map_err(|_| format!("{n:?} is not a number")),
        }
    };
    let major = num(parts.next())?.ok_or("no major version")?;
    let minor = num(parts.next())?;
    let patch = num(parts.next())?;
    if parts.next().is_some() {
        return Err("more than three numbers".into());
    }
    if patch.is_some() && minor.is_none() {
        return Err("a patch version without a minor".into());
    }
    Ok(Comparator { op, major, minor, patch, pre: pre.to_owned() })
}

fn unaffected_range(req: &str) -> Result<Unaffected, String> {
    let comparators: Vec<Comparator> = req.split(',').map(comparator).collect::<Result<_, _>>()?;
    if comparators.len() > 2 {
        return Err("too many comparators".into());
    }
    let mut start = Bound::Unbounded;
    let mut end = Bound::Unbounded;
    for c in &comparators {
        let v = SemVer::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0), &c.pre);
        let both = || -> Result<(), String> {
            if comparators.len() != 1 { Err(format!("'{}' must be alone in its requirement", c.op)) } else { Ok(()) }
        };
        match c.op {
            ">" | ">=" => {
                if start != Bound::Unbounded {
                    return Err("more than one lower bound".into());
                }
                start = if c.op == ">" { Bound::Exclusive(v) } else { Bound::Inclusive(v) };
            }
            "<" | "<=" => {
                if end != Bound::Unbounded {
                    return Err("more than one upper bound".into());
                }
                end = if c.op == "<" { Bound::Exclusive(v) } else { Bound::Inclusive(v) };
            }
            "=" => {
                both()?;
                start = Bound::Inclusive(v.clone());
                end = Bound::Inclusive(v);
            }
            "^" => {
                both()?;
                let upper = if c.major == 0 {
                    match (c.minor, c.patch) {
                        (Some(0), Some(p)) => SemVer::new(0, 0, p + 1, "0"),
                        (Some(m), _) => SemVer::new(0, m + 1, 0, "0"),
                        (None, _) => SemVer::new(1, 0, 0, "0"),
                    }
                } else {
                    SemVer::new(c.major + 1, 0, 0, "0")
                };
                start = Bound::Inclusive(v);
                end = Bound::Exclusive(upper);
            }
            _ => {
                both()?;
                let upper = match c.minor {
                    None => SemVer::new(c.major + 1, 0, 0, "0"),
                    Some(m) => SemVer::new(c.major, m + 1, 0, "0"),
                };
                start = Bound::Inclusive(v);
                end = Bound::Exclusive(upper);
            }
        }
    }
    if !start.start_le_end(&end) {
        return Err("the start is above the end".into());
    }
    Ok(Unaffected { start, end, text: req.to_owned() })
}

/// An affected interval: `introduced` (None: from the start), `fixed` (None: open).
type Interval = (Option<SemVer>, Option<SemVer>);

/// The affected intervals.
fn affected_intervals(id: &str, patched: &[String], unaffected: &[String]) -> Result<Vec<Interval>, Error> {
    let mut ranges = Vec::new();
    for (field, reqs) in [("unaffected", unaffected), ("patched", patched)] {
        for r in reqs {
            ranges.push(unaffected_range(r).map_err(|e| req_error(id, field, r, e))?);
        }
    }
    if ranges.is_empty() {
        return Ok(vec![(None, None)]);
    }
    for (i, a) in ranges.iter().enumerate() {
        for b in ranges.iter().skip(i + 1) {
            if a.start.start_le_end(&b.end) && b.start.start_le_end(&a.end) {
                return Err(req_error(id, "patched", &b.text, format!("overlaps {:?}", a.text)));
            }
        }
    }
    ranges.sort_by(|a, b| match (a.start.version(), b.start.version()) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, _) => std::cmp::Ordering::Less,
        (_, None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y),
    });
    let mut out = Vec::new();
    if let Some(first) = ranges.first() {
        match &first.start {
            Bound::Unbounded => {}
            Bound::Exclusive(v) => out.push((None, Some(v.successor()))),
            Bound::Inclusive(v) => out.push((None, Some(v.clone()))),
        }
    }
    for w in ranges.windows(2) {
        let (Some(a), Some(b)) = (w.first(), w.get(1)) else { continue };
        let start = match &a.end {
            Bound::Unbounded => None,
            Bound::Exclusive(v) => Some(v.clone()),
            Bound::Inclusive(v) => Some(v.successor()),
        };
        let end = match &b.start {
            Bound::Unbounded => None,
            Bound::Exclusive(v) => Some(v.successor()),
            Bound::Inclusive(v) => Some(v.clone()),
        };
        out.push((start, end));
    }
    if let Some(last) = ranges.last() {
        match &last.end {
            Bound::Unbounded => {}
            Bound::Exclusive(v) => out.push((Some(v.clone()), None)),
            Bound::Inclusive(v) => out.push((Some(v.successor()), None)),
        }
    }
    Ok(out)
}

/// Converts one RustSec advisory file into OSV. `modified` is the file's last change
/// (e.g. its archive member's mtime); without it the advisory date stands in.
pub fn to_osv(text: &str, modified: Option<Timestamp>) -> Result<Osv, Error> {
    let (front, body) = split(text)?;
    let file: File = toml::from_str(front).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_col(front, s.start));
        // The front matter starts on the file's second line.
        Error::Syntax { format: Format::RustSec, record: None, line: line + 1, column, reason: e.message().to_owned() }
    })?;
    let meta = &file.advisory;
    let id = meta.id.as_str();
    let (summary, details) = title_and_details(body, id)?;
    let date = |field: &str, s: &str| {
        parse_date(s).and_then(|d| date_at(d, 12)).ok_or_else(|| {
            Error::invalid(
                Format::RustSec,
                Some(id),
                format!("advisory.{field}"),
                "a YYYY-MM-DD date",
                format!("{s:?}"),
            )
        })
    };
    let published = date("date", &meta.date)?;
    let withdrawn = meta.withdrawn.as_deref().map(|w| date("withdrawn", w)).transpose()?;
    let intervals = affected_intervals(id, &file.versions.patched, &file.versions.unaffected)?;

    let mut severity = Vec::new();
    if let Some(v) = &meta.cvss {
        let kind = if v.starts_with("CVSS:4.") { SeverityType::CvssV4 } else { SeverityType::CvssV3 };
        severity.push(Severity { kind, score: v.clone() });
    }
    let mut references = Vec::new();
    let toolchain = !id.starts_with("RUSTSEC-");
    if !toolchain {
        references.push(reference(&format!("https://crates.io/crates/{}", meta.package)));
        references.push(reference(&format!("https://rustsec.org/advisories/{id}.html")));
    }
    references.extend(meta.url.iter().chain(&meta.references).map(|u| reference(u)));

    let mut osv = Osv {
        schema_version: None,
        id: id.to_owned(),
        modified: osv_timestamp(modified.unwrap_or(published)),
        published: Some(osv_timestamp(published)),
        withdrawn: withdrawn.map(osv_timestamp),
        aliases: Some(meta.aliases.clone()),
        related: Some(meta.related.clone()),
        upstream: None,
        summary: Some(summary),
        details: Some(details),
        severity: Some(severity),
        affected: Some(Vec::new()),
        references: Some(references),
        credits: None,
        database_specific: Some(
            [("license".to_owned(), json!(meta.license.as_deref().unwrap_or("CC0-1.0")))].into_iter().collect(),
        ),
    };

    if toolchain {
        let product = match meta.package.as_str() {
            "cargo" => "cargo",
            _ => "rust",
        };
        let versions = intervals
            .iter()
            .map(|(lo, hi)| ProductVersion {
                version: lo.as_ref().map_or_else(|| "0".to_owned(), ToString::to_string),
                status: Status::Affected,
                version_type: Some("semver".into()),
                less_than: Some(hi.as_ref().map_or_else(|| "*".to_owned(), ToString::to_string)),
                less_than_or_equal: None,
                changes: Vec::new(),
            })
            .collect();
        let ext = Extension {
            products: vec![AffectedProduct {
                origin: "rustsec".into(),
                vendor: Some("rust-lang".into()),
                product: Some(product.into()),
                collection_url: None,
                package_name: Some(meta.package.clone()),
                repo: Some(format!("https://github.com/rust-lang/{product}")),
                cpes: vec![format!("cpe:2.3:a:rust-lang:{product}:*:*:*:*:*:*:*:*")],
                platforms: Vec::new(),
                default_status: Some(Status::Unaffected),
                versions,
            }],
            ..Extension::default()
        };
        ext.attach(&mut osv);
        return Ok(osv);
    }

    let mut events = Vec::new();
    for (lo, hi) in &intervals {
        events.push(Event::Introduced(lo.as_ref().map_or_else(|| "0.0.0-0".to_owned(), ToString::to_string)));
        if let Some(hi) = hi {
            events.push(Event::Fixed(hi.to_string()));
        }
    }
    let section = file.affected.unwrap_or_default();
    let ecosystem_specific = json!({
        "affects": {"arch": section.arch, "os": section.os, "functions": section.functions.keys().collect::<Vec<_>>()},
        "affected_functions": Value::Null,
    });
    let database_specific = json!({
        "categories": meta.categories,
        "cvss": meta.cvss,
        "informational": meta.informational,
    });
    let affected = Affected {
        package: Some(Package {
            ecosystem: "crates.io".into(),
            name: meta.package.clone(),
            purl: Some(format!("pkg:cargo/{}", meta.package)),
        }),
        severity: None,
        ranges: Some(vec![Range { kind: RangeType::Semver, repo: None, events, database_specific: None }]),
        versions: Some(Vec::new()),
        ecosystem_specific: ecosystem_specific.as_object().cloned(),
        database_specific: database_specific.as_object().cloned(),
    };
    osv.affected = Some(vec![affected]);
    Ok(osv)
}

/// Converts one RustSec advisory file into an [`Advisory`].
pub fn parse(text: &str, modified: Option<Timestamp>) -> Result<Advisory, Error> {
    Advisory::from_osv(to_osv(text, modified)?, Format::RustSec)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(patched: &[&str], unaffected: &[&str]) -> String {
        let p: Vec<String> = patched.iter().map(|s| (*s).to_owned()).collect();
        let u: Vec<String> = unaffected.iter().map(|s| (*s).to_owned()).collect();
        match affected_intervals("T", &p, &u) {
            Ok(iv) => iv
                .iter()
                .map(|(a, b)| {
                    format!(
                        "[{},{})",
                        a.as_ref().map_or("0".into(), ToString::to_string),
                        b.as_ref().map_or("inf".into(), ToString::to_string)
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn complement_table() {
        // Cases from the export's own unit tests and the Cargo requirement spec.
        let cases: &[(&[&str], &[&str], &str)] = &[
            (&[">= 0.9.0"], &[], "[0,0.9.0)"),
            (&[], &[], "[0,inf)"),
            (&[">= 1.2.3", "^0.9.5"], &["< 0.2"], "[0.2.0,0.9.5) [0.10.0-0,1.2.3)"),
            (&["> 1.2.3"], &[], "[0,1.2.4-0)"),
            (&["<= 1.0.0"], &[], "[1.0.1-0,inf)"),
            (&["~1.2"], &[], "[0,1.2.0) [1.3.0-0,inf)"),
            (&["^0.0.3"], &[], "[0,0.0.3) [0.0.4-0,inf)"),
            (&["=1.0.0-rc"], &[], "[0,1.0.0-rc) [1.0.0-rc.0,inf)"),
            (&[">= 1.0", "^0.9"], &[], "[0,0.9.0) [0.10.0-0,1.0.0)"),
        ];
        for (p, u, want) in cases {
            assert_eq!(show(p, u), *want, "{p:?} {u:?}");
        }
        let errors: &[(&[&str], &str)] = &[
            (&[">= 1.0", ">= 2.0"], "overlaps"),
            (&["1.*"], "wildcards are not supported"),
            (&[">= 1.0, >= 2.0"], "more than one lower bound"),
            (&["^1, <2"], "must be alone"),
        ];
        for (p, want) in errors {
            let got = show(p, &[]);
            assert!(got.contains(want), "{p:?}: {got}");
        }
    }

    #[test]
    fn errors_name_the_place() {
        let cases = [
            ("no fence", "expected a ```toml front matter block, found no ```toml opening fence"),
            ("```toml\n[advisory]\nid = 1\n```\n# t\n", "RustSec advisory: line 3, column"),
            (
                "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\ndate = \"2099-13-01\"\n[versions]\npatched = []\n```\n# t\n",
                "RustSec advisory record RUSTSEC-2099-0001, at advisory.date: expected a YYYY-MM-DD date",
            ),
            (
                "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\ndate = \"2099-01-01\"\n[versions]\npatched = []\n```\nno title\n",
                "at Markdown: expected a `# title` line",
            ),
        ];
        for (text, want) in cases {
            let err = to_osv(text, None).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}\n got: {err}");
        }
    }
}
