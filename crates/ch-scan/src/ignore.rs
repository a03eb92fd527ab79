//! The ignore file: findings a project has looked at and accepts, each with a reason and an
//! optional expiry date.
//!
//! ```toml
//! [[ignore]]
//! id = "RUSTSEC-2023-0071"          # advisory id or any alias
//! package = "rsa"                   # optional: only for this package name
//! reason = "not reachable: we never decrypt"   # required
//! until = "2027-03-01"              # optional: last day the entry holds
//! ```
//!
//! Invariants: every entry has a non-empty `id` and `reason`; unknown keys are refused (a
//! misspelt `until` must not silently make an entry permanent). `until` is the last day the
//! entry holds: on the next day it no longer ignores anything and [`IgnoreFile::apply`] says
//! so. Ids match the advisory id or any alias, ASCII case-insensitively; `package` matches the
//! package name exactly. The first entry that matches a finding gives its reason.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::Error;
use crate::model::{Finding, Ignored, ScanReport};

const KEYS: &str = "one of `id`, `package`, `reason`, `until`";

/// A parsed ignore file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreFile {
    /// The file name the caller gave (used in warnings).
    pub file: String,
    /// The `[[ignore]]` entries, in file order.
    pub entries: Vec<IgnoreEntry>,
}

/// One `[[ignore]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// Advisory id or alias to ignore.
    pub id: String,
    /// Only findings for this package name, when set.
    pub package: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day the entry holds, when it expires.
    pub until: Option<jiff::civil::Date>,
    /// 1-based line of the entry in the file.
    pub line: usize,
}

impl IgnoreEntry {
    /// Whether the entry has expired on `today` (`until` is the last day it holds).
    pub fn is_expired(&self, today: jiff::civil::Date) -> bool {
        self.until.is_some_and(|until| today > until)
    }

    /// Whether the entry names this finding (ignoring expiry).
    pub fn matches(&self, finding: &Finding) -> bool {
        finding.has_id(&self.id) && self.package.as_deref().is_none_or(|p| p == finding.package.name)
    }

    fn describe(&self) -> String {
        match &self.package {
            Some(p) => format!("{} (package {p})", self.id),
            None => self.id.clone(),
        }
    }
}

impl IgnoreFile {
    /// Marks the findings the unexpired entries name as ignored, and returns warnings: entries
    /// that have expired (they ignore nothing) and entries that matched no finding.
    ///
    /// A finding that is already ignored keeps its reason.
    pub fn apply(&self, report: &mut ScanReport, today: jiff::civil::Date) -> Vec<String> {
        let mut warnings = Vec::new();
        for (n, entry) in self.entries.iter().enumerate() {
            let place = format!("{}:{}: ignore entry {}", self.file, entry.line, n + 1);
            if let (true, Some(until)) = (entry.is_expired(today), entry.until) {
                let hits = report.findings.iter().filter(|f| entry.matches(f)).count();
                warnings.push(format!(
                    "{place} for {} expired on {until}; it no longer ignores anything ({hits} matching {})",
                    entry.describe(),
                    if hits == 1 { "finding" } else { "findings" },
                ));
                continue;
            }
            let mut hits = 0usize;
            for finding in report.findings.iter_mut().filter(|f| entry.matches(f)) {
                hits += 1;
                if finding.ignored.is_none() {
                    finding.ignored = Some(Ignored { reason: entry.reason.clone(), until: entry.until });
                }
            }
            if hits == 0 {
                warnings.push(format!("{place} for {} matched no finding", entry.describe()));
            }
        }
        warnings
    }
}

/// Parses an ignore file. `file` names it in errors.
///
/// Errors name the file, the entry (1-based) and the line, and say what was expected and what
/// was found.
pub fn parse_ignore_file(text: &str, file: &str) -> Result<IgnoreFile, Error> {
    let root = DeTable::parse(text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
        Error::IgnoreSyntax { file: file.to_owned(), line, column, reason: e.message().trim().to_owned() }
    })?;
    let cx = Cx { text, file };
    let mut keys: Vec<_> = root.get_ref().iter().collect();
    keys.sort_by_key(|(k, _)| k.span().start);
    let mut entries = Vec::new();
    for (key, value) in keys {
        if key.get_ref().as_ref() != "ignore" {
            return Err(cx.invalid(
                None,
                key.span().start,
                "only `[[ignore]]` entries",
                format!("key `{}`", key.get_ref()),
            ));
        }
        let DeValue::Array(items) = value.get_ref() else {
            return Err(cx.invalid(
                None,
                value.span().start,
                "an array of `[[ignore]]` tables",
                value.get_ref().type_str().to_owned(),
            ));
        };
        for (i, item) in items.iter().enumerate() {
            entries.push(cx.entry(i + 1, item)?);
        }
    }
    Ok(IgnoreFile { file: file.to_owned(), entries })
}

struct Cx<'a> {
    text: &'a str,
    file: &'a str,
}

impl Cx<'_> {
    fn invalid(&self, entry: Option<usize>, offset: usize, expected: &str, found: String) -> Error {
        Error::IgnoreInvalid {
            file: self.file.to_owned(),
            entry,
            line: Some(line_col(self.text, offset).0),
            expected: expected.to_owned(),
            found,
        }
    }

    fn entry(&self, n: usize, item: &Spanned<DeValue<'_>>) -> Result<IgnoreEntry, Error> {
        let start = item.span().start;
        let DeValue::Table(table) = item.get_ref() else {
            return Err(self.invalid(Some(n), start, "a table", item.get_ref().type_str().to_owned()));
        };
        let mut fields: Vec<_> = table.iter().collect();
        fields.sort_by_key(|(k, _)| k.span().start);
        let (mut id, mut package, mut reason, mut until) = (None, None, None, None);
        for (key, value) in fields {
            let slot = match key.get_ref().as_ref() {
                "id" => &mut id,
                "package" => &mut package,
                "reason" => &mut reason,
                "until" => &mut until,
                other => return Err(self.invalid(Some(n), key.span().start, KEYS, format!("`{other}`"))),
            };
            *slot = Some(value);
        }
        let id = self.required_text(n, start, "id", "an advisory id or alias", id)?;
        let reason = self.required_text(n, start, "reason", "a non-empty `reason`", reason)?;
        let package = match package {
            Some(v) => Some(self.text_value(n, v, "a package name")?),
            None => None,
        };
        let until = match until {
            Some(v) => Some(self.date(n, v)?),
            None => None,
        };
        Ok(IgnoreEntry { id, package, reason, until, line: line_col(self.text, start).0 })
    }

    fn required_text(
        &self,
        n: usize,
        entry_start: usize,
        key: &str,
        expected: &str,
        value: Option<&Spanned<DeValue<'_>>>,
    ) -> Result<String, Error> {
        match value {
            Some(v) => self.text_value(n, v, expected),
            None => Err(self.invalid(Some(n), entry_start, &format!("`{key}` ({expected})"), "none".into())),
        }
    }

    fn text_value(&self, n: usize, value: &Spanned<DeValue<'_>>, expected: &str) -> Result<String, Error> {
        let at = value.span().start;
        match value.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            DeValue::String(_) => Err(self.invalid(Some(n), at, expected, "an empty string".into())),
            other => Err(self.invalid(Some(n), at, &format!("{expected} (a string)"), other.type_str().to_owned())),
        }
    }

    fn date(&self, n: usize, value: &Spanned<DeValue<'_>>) -> Result<jiff::civil::Date, Error> {
        const EXPECTED: &str = "a date like \"2027-03-01\" for `until`";
        let at = value.span().start;
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            // An unquoted TOML local date (`until = 2027-03-01`) is a datetime value without
            // time or offset (TOML 1.0, "Local Date").
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            DeValue::Datetime(dt) => return Err(self.invalid(Some(n), at, EXPECTED, format!("datetime {dt}"))),
            other => return Err(self.invalid(Some(n), at, EXPECTED, other.type_str().to_owned())),
        };
        let trimmed = text.trim();
        let well_formed = trimmed.len() == 10 && trimmed.bytes().filter(|b| *b == b'-').count() == 2;
        match trimmed.parse::<jiff::civil::Date>() {
            Ok(d) if well_formed => Ok(d),
            _ => Err(self.invalid(Some(n), at, EXPECTED, format!("{text:?}"))),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DatabaseInfo, Location, Package};

    fn date(s: &str) -> jiff::civil::Date {
        s.parse().unwrap()
    }

    #[test]
    fn parses_entries_with_lines() {
        let text = "# accepted risks\n\n[[ignore]]\nid = \"RUSTSEC-2023-0071\"\npackage = \"rsa\"\nreason = \"not reachable: we never decrypt\"\nuntil = \"2027-03-01\"\n\n[[ignore]]\nid = \"CVE-2019-10906\"\nreason = \"  sandbox unused  \"\nuntil = 2026-01-31\n";
        let f = parse_ignore_file(text, "ignore.toml").unwrap();
        assert_eq!(
            f.entries,
            vec![
                IgnoreEntry {
                    id: "RUSTSEC-2023-0071".into(),
                    package: Some("rsa".into()),
                    reason: "not reachable: we never decrypt".into(),
                    until: Some(date("2027-03-01")),
                    line: 3,
                },
                IgnoreEntry {
                    id: "CVE-2019-10906".into(),
                    package: None,
                    reason: "sandbox unused".into(),
                    until: Some(date("2026-01-31")),
                    line: 9,
                },
            ]
        );
        assert_eq!(parse_ignore_file("", "e").unwrap().entries, vec![]);
        assert_eq!(parse_ignore_file("ignore = []", "e").unwrap().entries, vec![]);
        let inline = parse_ignore_file("ignore = [{ id = \"X-1\", reason = \"r\" }]", "e").unwrap();
        assert_eq!(inline.entries.len(), 1);
    }

    #[test]
    fn errors_name_file_entry_and_line() {
        let ok = "[[ignore]]\nid = \"A-1\"\nreason = \"r\"\n";
        let cases = [
            (
                format!("{ok}\n[[ignore]]\nid = \"B-2\"\n"),
                "f.toml, ignore entry 2 (line 5): expected `reason` (a non-empty `reason`), found none",
            ),
            (
                format!("{ok}\n[[ignore]]\nid = \"B-2\"\nreason = \"r\"\nreasn = \"typo\"\n"),
                "f.toml, ignore entry 2 (line 8): expected one of `id`, `package`, `reason`, `until`, found `reasn`",
            ),
            (
                "[[ignore]]\nid = \"A-1\"\nreason = \"r\"\nuntil = \"2027-02-30\"\n".into(),
                "f.toml, ignore entry 1 (line 4): expected a date like \"2027-03-01\" for `until`, found \"2027-02-30\"",
            ),
            (
                "[[ignore]]\nid = \"A-1\"\nreason = \"r\"\nuntil = \"next year\"\n".into(),
                "f.toml, ignore entry 1 (line 4): expected a date like \"2027-03-01\" for `until`, found \"next year\"",
            ),
            (
                "[[ignore]]\nid = \"A-1\"\nreason = \"r\"\nuntil = 2027-03-01T10:00:00Z\n".into(),
                "f.toml, ignore entry 1 (line 4): expected a date like \"2027-03-01\" for `until`, found datetime 2027-03-01T10:00:00Z",
            ),
            (
                "[[ignore]]\nid = \"A-1\"\nreason = \"r\"\nuntil = 20270301\n".into(),
                "f.toml, ignore entry 1 (line 4): expected a date like \"2027-03-01\" for `until`, found integer",
            ),
            (
                "[[ignore]]\nid = \"A-1\"\nreason = \"   \"\n".into(),
                "f.toml, ignore entry 1 (line 3): expected a non-empty `reason`, found an empty string",
            ),
            (
                "[[ignore]]\nid = 7\nreason = \"r\"\n".into(),
                "f.toml, ignore entry 1 (line 2): expected an advisory id or alias (a string), found integer",
            ),
            (
                "[[ignore]]\nreason = \"r\"\n".into(),
                "f.toml, ignore entry 1 (line 1): expected `id` (an advisory id or alias), found none",
            ),
            (
                "[[ignore]]\nid = \"A\"\nreason = \"r\"\npackage = \"\"\n".into(),
                "f.toml, ignore entry 1 (line 4): expected a package name, found an empty string",
            ),
            (
                "[ignore]\nid = \"A-1\"\nreason = \"r\"\n".into(),
                "f.toml (line 1): expected an array of `[[ignore]]` tables, found table",
            ),
            ("ignore = [1]".into(), "f.toml, ignore entry 1 (line 1): expected a table, found integer"),
            (
                format!("{ok}[[ignores]]\nid = \"A\"\n"),
                "f.toml (line 4): expected only `[[ignore]]` entries, found key `ignores`",
            ),
        ];
        for (text, want) in cases {
            let got = parse_ignore_file(&text, "f.toml").unwrap_err().to_string();
            assert_eq!(got, want, "{text}");
        }
        let syntax = parse_ignore_file("[[ignore]]\nid = \"A-1\nreason = 1\n", "f.toml").unwrap_err();
        assert!(
            matches!(&syntax, Error::IgnoreSyntax { file, line: 2, .. } if file == "f.toml"),
            "{syntax:?}: {syntax}"
        );
    }

    fn finding(name: &str, id: &str, aliases: &[&str]) -> Finding {
        Finding {
            package: Package {
                name: name.into(),
                version: "1.0.0".into(),
                ecosystem: None,
                purl: None,
                cpe: None,
                vendor: None,
                product: None,
                location: Location { path: "Cargo.lock".into(), line: None, pointer: None },
                direct: None,
            },
            advisory_id: id.into(),
            aliases: aliases.iter().map(|a| (*a).into()).collect(),
            summary: None,
            severity: None,
            known_exploited: None,
            fixed_versions: vec![],
            remedy: None,
            references: vec![],
            cwes: vec![],
            ignored: None,
        }
    }

    #[test]
    fn apply_ignores_warns_and_expires() {
        let mut report = ScanReport {
            tool_version: "0.1.0".into(),
            scanned_at: jiff::Timestamp::UNIX_EPOCH,
            database: DatabaseInfo { advisories: 1, last_modified: None, source: "local db".into() },
            targets: vec![],
            errors: vec![],
            findings: vec![
                finding("rsa", "RUSTSEC-2023-0071", &["CVE-2023-49092"]),
                finding("rsa-fork", "RUSTSEC-2023-0071", &["CVE-2023-49092"]),
                finding("time", "RUSTSEC-2020-0071", &["CVE-2020-26235"]),
                finding("jinja2", "PYSEC-2019-217", &["CVE-2019-10906"]),
            ],
        };
        let text = r#"
[[ignore]]
id = "cve-2023-49092"
package = "rsa"
reason = "never decrypt"
until = "2027-03-01"

[[ignore]]
id = "RUSTSEC-2020-0071"
reason = "old"
until = "2026-01-31"

[[ignore]]
id = "GHSA-nope"
reason = "stale"

[[ignore]]
id = "RUSTSEC-2023-0071"
reason = "second entry for rsa: first wins"
"#;
        let file = parse_ignore_file(text, "ignore.toml").unwrap();
        let warnings = file.apply(&mut report, date("2026-02-01"));
        assert_eq!(
            warnings,
            vec![
                "ignore.toml:8: ignore entry 2 for RUSTSEC-2020-0071 expired on 2026-01-31; it no longer ignores anything (1 matching finding)",
                "ignore.toml:13: ignore entry 3 for GHSA-nope matched no finding",
            ]
        );
        let ignored: Vec<Option<&str>> =
            report.findings.iter().map(|f| f.ignored.as_ref().map(|i| i.reason.as_str())).collect();
        assert_eq!(ignored, vec![Some("never decrypt"), Some("second entry for rsa: first wins"), None, None]);
        assert_eq!(report.findings[0].ignored.as_ref().unwrap().until, Some(date("2027-03-01")));

        // The last day still holds.
        let mut again = report.clone();
        again.findings.iter_mut().for_each(|f| f.ignored = None);
        file.apply(&mut again, date("2026-01-31"));
        assert!(again.findings[2].ignored.is_some());
    }

    #[test]
    fn line_col_table() {
        for (text, offset, want) in
            [("abc", 0, (1, 1)), ("abc", 2, (1, 3)), ("a\nbc", 2, (2, 1)), ("a\nbé\nc", 6, (3, 1)), ("ab", 99, (1, 3))]
        {
            assert_eq!(line_col(text, offset), want, "{text:?} {offset}");
        }
    }
}
