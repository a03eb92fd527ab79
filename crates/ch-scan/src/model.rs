//! The data model of a scan result: what was scanned, against which database, and what was
//! found.
//!
//! Invariants the renderers rely on: nothing here is computed; the matcher fills every field
//! (`remedy` included) and this crate only orders, counts and writes. Maps, if ever added, are
//! `BTreeMap`s so the JSON output stays stable.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// One run of the scanner: its targets, the database it used and its findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// The scanner's version (`clearinghouse --version`).
    pub tool_version: String,
    /// When the scan ran (the caller's clock).
    pub scanned_at: jiff::Timestamp,
    /// The advisory database the scan matched against.
    pub database: DatabaseInfo,
    /// Every file that was read, in the order given.
    pub targets: Vec<Target>,
    /// Files that could not be read or parsed; any makes the exit code 2.
    pub errors: Vec<TargetError>,
    /// One finding per (package occurrence, advisory).
    pub findings: Vec<Finding>,
}

/// The advisory database behind a scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// How many advisories it held.
    pub advisories: u64,
    /// The newest modification time among them, when known.
    pub last_modified: Option<jiff::Timestamp>,
    /// Where it came from: `local DIR` or `server URL`.
    pub source: String,
}

/// A file that was scanned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The path as given (relative to the scan root when the caller made it so).
    pub path: String,
    /// The format it was read as, e.g. `Cargo.lock`.
    pub format: String,
    /// How many components it listed.
    pub components: usize,
    /// What the reader noticed but could live with.
    pub warnings: Vec<String>,
}

/// A file that could not be scanned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetError {
    /// The path as given.
    pub path: String,
    /// Why it could not be read.
    pub message: String,
}

/// One advisory affecting one package occurrence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The affected package and where it was found.
    pub package: Package,
    /// The advisory's id (`RUSTSEC-2023-0071`, `GHSA-...`, `CVE-...`).
    pub advisory_id: String,
    /// The advisory's other ids.
    pub aliases: Vec<String>,
    /// The advisory's one-line summary.
    pub summary: Option<String>,
    /// The advisory's severity, when it has one.
    pub severity: Option<Severity>,
    /// CISA KEV entry for one of the advisory's CVEs, when listed.
    pub known_exploited: Option<KnownExploited>,
    /// Every version the advisory names as fixing.
    pub fixed_versions: Vec<String>,
    /// The smallest fixing version above the installed one.
    pub remedy: Option<String>,
    /// The advisory's reference URLs.
    pub references: Vec<String>,
    /// CWE ids, `CWE-79` style.
    pub cwes: Vec<String>,
    /// Set when an ignore file entry (or the caller) accepted this finding.
    pub ignored: Option<Ignored>,
}

/// An installed package, as the inventory reader saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Package name as the ecosystem spells it.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// OSV ecosystem name (`crates.io`, `PyPI`, ...), when known.
    pub ecosystem: Option<String>,
    /// Package URL, when known.
    pub purl: Option<String>,
    /// CPE 2.3 name, when known.
    pub cpe: Option<String>,
    /// Vendor (for products matched by CPE).
    pub vendor: Option<String>,
    /// Product (for products matched by CPE).
    pub product: Option<String>,
    /// Where the package was listed.
    pub location: Location,
    /// Whether the project depends on it directly, when the format says.
    pub direct: Option<bool>,
}

/// A place in a scanned file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    /// The file.
    pub path: String,
    /// 1-based line, when the reader knows it.
    pub line: Option<usize>,
    /// JSON pointer inside the file (SBOMs), when the reader knows it.
    pub pointer: Option<String>,
}

/// A severity: a word, and the score and vector it came from when there was one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// The qualitative rating.
    pub word: SeverityWord,
    /// CVSS base score, 0.0 to 10.0.
    pub score: Option<f64>,
    /// The CVSS vector the score was computed from (`CVSS:3.1/AV:N/...`).
    pub vector: Option<String>,
}

impl Severity {
    /// Orders by word, then by score (no score below any score).
    pub fn cmp_rank(&self, other: &Severity) -> Ordering {
        self.word.cmp(&other.word).then_with(|| match (self.score, other.score) {
            (Some(a), Some(b)) => a.total_cmp(&b),
            (a, b) => a.is_some().cmp(&b.is_some()),
        })
    }

    /// The score when it is a finite number in 0.0..=10.0 (anything else is not written).
    pub fn valid_score(&self) -> Option<f64> {
        self.score.filter(|s| s.is_finite() && (0.0..=10.0).contains(s))
    }
}

/// The CVSS qualitative severity rating scale (CVSS v3.1 spec, section 5), ordered
/// `None < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityWord {
    /// 0.0.
    None,
    /// 0.1 - 3.9.
    Low,
    /// 4.0 - 6.9.
    Medium,
    /// 7.0 - 8.9.
    High,
    /// 9.0 - 10.0.
    Critical,
}

impl SeverityWord {
    /// Every word, lowest first.
    pub const ALL: [SeverityWord; 5] =
        [SeverityWord::None, SeverityWord::Low, SeverityWord::Medium, SeverityWord::High, SeverityWord::Critical];

    /// The lowercase name (`critical`), as serialised and as `--fail-on` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityWord::None => "none",
            SeverityWord::Low => "low",
            SeverityWord::Medium => "medium",
            SeverityWord::High => "high",
            SeverityWord::Critical => "critical",
        }
    }
}

impl fmt::Display for SeverityWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SeverityWord {
    type Err = Error;

    /// Case-insensitive; `moderate` (GitHub's word) reads as `medium`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "none" => Ok(SeverityWord::None),
            "low" => Ok(SeverityWord::Low),
            "medium" | "moderate" => Ok(SeverityWord::Medium),
            "high" => Ok(SeverityWord::High),
            "critical" => Ok(SeverityWord::Critical),
            _ => Err(Error::UnknownSeverity { found: s.to_owned() }),
        }
    }
}

/// The CISA Known Exploited Vulnerabilities entry behind a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownExploited {
    /// `dateAdded`, as the catalogue writes it (`2021-12-10`).
    pub date_added: Option<String>,
    /// `dueDate` for US federal agencies.
    pub due_date: Option<String>,
    /// `knownRansomwareCampaignUse` is `Known`.
    pub ransomware: Option<bool>,
    /// `requiredAction`.
    pub required_action: Option<String>,
}

/// Why a finding is accepted, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ignored {
    /// The reason the ignore entry gave.
    pub reason: String,
    /// The last day the acceptance holds, when it expires.
    pub until: Option<jiff::civil::Date>,
}

impl Finding {
    /// The first `CVE-` id among the advisory id and its aliases.
    pub fn first_cve(&self) -> Option<&str> {
        std::iter::once(&self.advisory_id).chain(&self.aliases).map(String::as_str).find(|id| id.starts_with("CVE-"))
    }

    /// Whether `id` names this finding's advisory (its id or an alias, ASCII case-insensitive).
    pub fn has_id(&self, id: &str) -> bool {
        std::iter::once(&self.advisory_id).chain(&self.aliases).any(|a| a.eq_ignore_ascii_case(id))
    }

    /// Priority order, most urgent first: known exploited, then severity ([`severity_rank`]),
    /// then advisory id for a stable order.
    pub fn cmp_priority(&self, other: &Finding) -> Ordering {
        other
            .known_exploited
            .is_some()
            .cmp(&self.known_exploited.is_some())
            .then_with(|| severity_rank(other.severity.as_ref(), self.severity.as_ref()))
            .then_with(|| self.advisory_id.cmp(&other.advisory_id))
    }
}

/// Orders two optional severities: `Critical > High > Medium > Low > unknown > None`.
///
/// An advisory without a severity was never rated and may be serious; one rated `none` was
/// judged harmless, so it sorts last.
pub fn severity_rank(a: Option<&Severity>, b: Option<&Severity>) -> Ordering {
    fn key(s: Option<&Severity>) -> u8 {
        match s.map(|s| s.word) {
            Some(SeverityWord::None) => 0,
            None => 1,
            Some(SeverityWord::Low) => 2,
            Some(SeverityWord::Medium) => 3,
            Some(SeverityWord::High) => 4,
            Some(SeverityWord::Critical) => 5,
        }
    }
    key(a).cmp(&key(b)).then_with(|| match (a, b) {
        (Some(a), Some(b)) => a.cmp_rank(b),
        _ => Ordering::Equal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(word: SeverityWord, score: Option<f64>) -> Severity {
        Severity { word, score, vector: None }
    }

    #[test]
    fn severity_words_parse_and_order() {
        let cases = [
            ("none", SeverityWord::None),
            ("LOW", SeverityWord::Low),
            ("moderate", SeverityWord::Medium),
            ("Medium", SeverityWord::Medium),
            (" high ", SeverityWord::High),
            ("critical", SeverityWord::Critical),
        ];
        for (text, word) in cases {
            assert_eq!(text.parse::<SeverityWord>().unwrap(), word, "{text}");
        }
        assert!("severe".parse::<SeverityWord>().is_err());
        assert!(SeverityWord::ALL.windows(2).all(|w| w[0] < w[1]));
        for w in SeverityWord::ALL {
            assert_eq!(w.as_str().parse::<SeverityWord>().unwrap(), w);
            assert_eq!(serde_json::to_string(&w).unwrap(), format!("\"{w}\""));
        }
    }

    #[test]
    fn severity_rank_table() {
        let crit = sev(SeverityWord::Critical, Some(9.8));
        let crit_lower = sev(SeverityWord::Critical, Some(9.1));
        let crit_unscored = sev(SeverityWord::Critical, None);
        let low = sev(SeverityWord::Low, Some(2.0));
        let none = sev(SeverityWord::None, Some(0.0));
        let cases = [
            (Some(&crit), Some(&crit_lower), Ordering::Greater),
            (Some(&crit_lower), Some(&crit_unscored), Ordering::Greater),
            (Some(&crit), Some(&crit), Ordering::Equal),
            (Some(&low), None, Ordering::Greater),
            (None, Some(&none), Ordering::Greater),
            (None, None, Ordering::Equal),
        ];
        for (a, b, want) in cases {
            assert_eq!(severity_rank(a, b), want, "{a:?} vs {b:?}");
            assert_eq!(severity_rank(b, a), want.reverse(), "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn valid_score_drops_nonsense() {
        for (score, want) in [(Some(9.8), Some(9.8)), (Some(f64::NAN), None), (Some(11.0), None), (None, None)] {
            assert_eq!(sev(SeverityWord::High, score).valid_score(), want);
        }
    }
}
