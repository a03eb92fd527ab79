//! The normalised advisory: what the store persists and the index reads.
//!
//! Every source becomes an OSV record first ([`crate::Osv`], schema-valid), and the
//! [`Advisory`] is read from that record by [`Advisory::from_osv`]. What OSV has no field
//! for (CVE product ranges, CPE applicability trees, every CVSS vector with its origin,
//! CWEs, the KEV marking, CISA's SSVC decision points) travels in the record's
//! `database_specific.clearinghouse` object ([`Extension`]), so that
//! `Advisory::from_osv(&advisory.osv)` gives the advisory back and the store needs to keep
//! only the OSV JSON.
//!
//! Invariants:
//! - `aliases` are sorted, unique and never contain `id`;
//! - `modified`, `published`, `withdrawn` are instants (UTC), read from the record;
//! - each score keeps its origin and its vector or word as written; `score` and
//!   `severity` are computed by `ch-cvss` (a vector it refuses is kept, unscored, with a
//!   warning);
//! - a package's `normalised_name` is the name after the purl round trip of its
//!   ecosystem (`ch-purl`: PEP 503 for PyPI, lower case where the purl type says so), or
//!   the name as written where no purl type exists.

use std::collections::BTreeSet;
use std::fmt;

use ch_cpe::{Applicability, VendorVersion};
use ch_cvss::{Cvss, Severity};
use ch_version::{Ecosystem, Event, RangeType, Scheme};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Format};
use crate::osv::{Osv, Range, Reference, SeverityType};
use crate::time::parse_timestamp;

/// The key of this crate's object in an OSV record's `database_specific`.
pub const EXTENSION_KEY: &str = "clearinghouse";

/// A normalised advisory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Advisory {
    /// The record's id (`GHSA-...`, `CVE-...`, `RUSTSEC-...`).
    pub id: String,
    /// Other ids of the same flaw, sorted, without `id`.
    pub aliases: Vec<String>,
    /// Ids of related but different flaws.
    pub related: Vec<String>,
    /// Ids of upstream advisories this one derives from.
    pub upstream: Vec<String>,
    /// Last modification.
    pub modified: Timestamp,
    /// First publication.
    pub published: Option<Timestamp>,
    /// Withdrawal: a withdrawn advisory stays readable but no longer matches.
    pub withdrawn: Option<Timestamp>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Details (CommonMark).
    pub details: Option<String>,
    /// Every score the source gave, with its origin.
    pub severities: Vec<Score>,
    /// Affected packages (OSV ecosystems, and `GIT` for commit ranges).
    pub packages: Vec<AffectedPackage>,
    /// Affected products by vendor and product name (CVE 5 `affected`, Node.js runtime).
    pub products: Vec<AffectedProduct>,
    /// CPE applicability (NVD configurations, CVE 5 `cpeApplicability`).
    #[serde(serialize_with = "ser_applicability")]
    pub applicability: Option<Applicability>,
    /// References.
    pub references: Vec<Reference>,
    /// CWE ids (`CWE-79`).
    pub cwes: Vec<String>,
    /// Known exploitation marked by the record itself (NVD `cisaExploitAdd`, CISA-ADP).
    pub exploited: Option<Exploited>,
    /// CISA's SSVC decision points (Vulnrichment).
    pub ssvc: Option<Ssvc>,
    /// The format the advisory was read from.
    pub source: Format,
    /// Problems that did not stop the record (a vector `ch-cvss` refuses, ...).
    pub warnings: Vec<String>,
    /// The OSV record, schema-valid for converted sources, as served at `/v1/vulns/{id}`.
    #[serde(skip)]
    pub osv: Osv,
}

fn ser_applicability<S: serde::Serializer>(a: &Option<Applicability>, s: S) -> Result<S::Ok, S::Error> {
    match a {
        Some(a) => crate::nvd_json::to_json(a).serialize(s),
        None => s.serialize_none(),
    }
}

/// How a score is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ScoreKind {
    /// A CVSS v2 vector.
    #[serde(rename = "CVSS_V2")]
    CvssV2,
    /// A CVSS v3.x vector.
    #[serde(rename = "CVSS_V3")]
    CvssV3,
    /// A CVSS v4.0 vector.
    #[serde(rename = "CVSS_V4")]
    CvssV4,
    /// An Ubuntu priority word.
    #[serde(rename = "Ubuntu")]
    Ubuntu,
    /// The source's own severity word (`HIGH`, `Moderate`, `Important`).
    #[serde(rename = "TEXT")]
    Text,
}

/// One score of an advisory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// Where it came from: `osv`, `affected[2]`, `nvd@nist.gov (Primary)`, `cna`, `CISA-ADP`...
    pub origin: String,
    /// How it is written.
    #[serde(rename = "type")]
    pub kind: ScoreKind,
    /// The vector or word as written.
    #[serde(rename = "score")]
    pub vector: String,
    /// The numeric score (`ch-cvss`), for vectors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The severity band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

impl Score {
    /// Builds a score and computes its value and band; a vector `ch-cvss` refuses gives the
    /// error text as the second value.
    pub fn new(origin: impl Into<String>, kind: ScoreKind, vector: impl Into<String>) -> (Score, Option<String>) {
        let vector = vector.into();
        let mut s = Score { origin: origin.into(), kind, vector, value: None, severity: None };
        let problem = s.compute();
        (s, problem)
    }

    fn compute(&mut self) -> Option<String> {
        match self.kind {
            ScoreKind::CvssV2 | ScoreKind::CvssV3 | ScoreKind::CvssV4 => match Cvss::parse(&self.vector) {
                Ok(c) => {
                    self.value = Some(c.score());
                    self.severity = Some(c.severity());
                    None
                }
                Err(e) => Some(format!("score from {}: {e}", self.origin)),
            },
            ScoreKind::Ubuntu | ScoreKind::Text => {
                self.severity = severity_word(&self.vector);
                match self.severity {
                    Some(_) => None,
                    None => Some(format!("score from {}: unknown severity word {:?}", self.origin, self.vector)),
                }
            }
        }
    }

    /// Whether this score comes from a vector.
    pub fn is_cvss(&self) -> bool {
        matches!(self.kind, ScoreKind::CvssV2 | ScoreKind::CvssV3 | ScoreKind::CvssV4)
    }
}

/// Severity words as sources write them: GHSA `MODERATE`, Bitnami `Critical`, Red Hat
/// `Important`, Ubuntu `negligible`, Node.js `high`.
pub fn severity_word(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" | "important" => Some(Severity::High),
        "medium" | "moderate" => Some(Severity::Medium),
        "low" | "negligible" => Some(Severity::Low),
        "none" => Some(Severity::None),
        _ => None,
    }
}

/// An affected package: ecosystem, name, ranges as OSV events, listed versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AffectedPackage {
    /// The OSV ecosystem as written, with any release suffix (`Debian:12`), or `GIT`.
    pub ecosystem: String,
    /// The ecosystem `ch-version` orders, when it is one.
    #[serde(skip)]
    pub known_ecosystem: Option<Ecosystem>,
    /// The name as written.
    pub name: String,
    /// The name the index keys on (see the module docs).
    pub normalised_name: String,
    /// The purl, when the record gave one.
    pub purl: Option<String>,
    /// Ranges, as written.
    pub ranges: Vec<Range>,
    /// Explicitly listed versions.
    pub versions: Vec<String>,
}

impl AffectedPackage {
    /// An affected package, with its name normalised.
    pub fn new(ecosystem: &str, name: &str, purl: Option<String>, ranges: Vec<Range>, versions: Vec<String>) -> Self {
        let known_ecosystem = Ecosystem::parse_with_release(ecosystem).ok().map(|(e, _)| e);
        AffectedPackage {
            ecosystem: ecosystem.to_owned(),
            known_ecosystem,
            name: name.to_owned(),
            normalised_name: normalise_name(ecosystem, name),
            purl,
            ranges,
            versions,
        }
    }

    /// The ranges and versions checked by `ch-version`, ready to answer "is V affected?".
    pub fn checked(&self) -> Result<ch_version::Affected, ch_version::Error> {
        let ranges: Vec<_> = self.ranges.iter().map(Range::to_osv_range).collect();
        ch_version::Affected::new(&self.ecosystem, &ranges, self.versions.clone())
    }

    /// Every `fixed` version of the package's `SEMVER` and `ECOSYSTEM` ranges.
    pub fn fixed_versions(&self) -> Vec<&str> {
        self.ranges
            .iter()
            .filter(|r| r.kind != RangeType::Git)
            .flat_map(|r| r.events.iter())
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The index key for a package name: the purl round trip where the ecosystem has a purl
/// type (`ch-purl`), else the name as written.
pub fn normalise_name(ecosystem: &str, name: &str) -> String {
    ch_purl::Purl::from_osv(ecosystem, name, None)
        .and_then(|p| p.to_osv())
        .map(|o| o.name)
        .unwrap_or_else(|_| name.to_owned())
}

/// A product version's status (CVE JSON 5 `status`, `defaultStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Status {
    /// Affected.
    Affected,
    /// Not affected.
    Unaffected,
    /// Not known.
    Unknown,
}

/// A status change inside a version range (CVE JSON 5 `changes[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// From this version on...
    pub at: String,
    /// ...the status is this.
    pub status: Status,
}

/// One `versions[]` entry of a CVE JSON 5 `affected` product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductVersion {
    /// A single version, or the start of a range.
    pub version: String,
    /// Its status (or the status of the range).
    pub status: Status,
    /// The version scheme (`semver`, `custom`, `git`, `maven`, `python`, `rpm`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_type: Option<String>,
    /// Exclusive end of the range (`*`: no end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than: Option<String>,
    /// Inclusive end of the range (`5.15.*`: the end of the 5.15 series).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than_or_equal: Option<String>,
    /// Status changes inside the range.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<StatusChange>,
}

/// A product affected by a CVE: CVE JSON 5 `affected[]`, one per vendor and product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AffectedProduct {
    /// Which container said so: `cna`, or the ADP's short name (`CISA-ADP`).
    pub origin: String,
    /// `vendor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `product`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// `collectionURL` (a package registry).
    #[serde(default, rename = "collectionURL", skip_serializing_if = "Option::is_none")]
    pub collection_url: Option<String>,
    /// `packageName` in that registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_name: Option<String>,
    /// `repo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// `cpes`, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    /// `platforms`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// `defaultStatus`: the status of versions no entry names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_status: Option<Status>,
    /// `versions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<ProductVersion>,
}

impl AffectedProduct {
    /// The status of `version` of this product, by the CVE JSON 5 rules: an entry
    /// without an end names one version; `version`..`lessThan` (exclusive) or
    /// `lessThanOrEqual` (inclusive) a range, whose status `changes` refine. When entries
    /// disagree, `unaffected` wins over `affected`, which wins over `unknown` (the Linux
    /// kernel CNA writes a wide `affected` range and narrower `unaffected` fixed
    /// branches). No entry: `defaultStatus`, else unknown.
    ///
    /// Versions are compared by `versionType`: `semver` by SemVer, `maven`, `python`,
    /// `rpm` by those schemes, `git` by equality only; anything else, a version the
    /// scheme refuses, or an entry whose bounds the scheme puts out of order (`5.1.1` ..
    /// `5.1.1-71` typed `semver`), by `ch-cpe`'s vendor-version order.
    pub fn status(&self, version: &str) -> Status {
        let mut best: Option<Status> = None;
        for v in &self.versions {
            if let Some(s) = v.status_of(version) {
                best = Some(match (best, s) {
                    (Some(Status::Unaffected), _) | (_, Status::Unaffected) => Status::Unaffected,
                    (Some(Status::Affected), _) | (_, Status::Affected) => Status::Affected,
                    _ => Status::Unknown,
                });
            }
        }
        best.or(self.default_status).unwrap_or(Status::Unknown)
    }
}

/// How an entry orders versions.
#[derive(Clone, Copy)]
enum Order {
    /// Commits: equality only.
    Git,
    /// The `versionType`'s scheme, falling back to vendor order for a version it refuses.
    Scheme(Scheme),
    /// `ch-cpe`'s vendor-version order.
    Vendor,
}

impl Order {
    fn of(entry: &ProductVersion) -> Order {
        let scheme = match entry.version_type.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("git") => return Order::Git,
            Some("semver") => Scheme::SemVer,
            Some("maven") => Scheme::Maven,
            Some("python") => Scheme::Pep440,
            Some("rpm") => Scheme::Rpm,
            _ => return Order::Vendor,
        };
        // An entry whose bounds are out of order under its declared scheme (`5.1.1` ..
        // `5.1.1-71` typed `semver`, where `-71` is a pre-release) would cover nothing;
        // its writer meant vendor build numbers, so vendor order decides.
        let end = entry.less_than.as_deref().or(entry.less_than_or_equal.as_deref()).filter(|e| !e.contains('*'));
        if let Some((Ok(s), Ok(e))) = end.map(|end| (scheme.parse(&entry.version), scheme.parse(end)))
            && s > e
        {
            return Order::Vendor;
        }
        Order::Scheme(scheme)
    }

    fn cmp(self, a: &str, b: &str) -> Option<std::cmp::Ordering> {
        match self {
            Order::Git => (a == b).then_some(std::cmp::Ordering::Equal),
            Order::Scheme(scheme) => match (scheme.parse(a), scheme.parse(b)) {
                (Ok(x), Ok(y)) => Some(x.cmp(&y)),
                _ => Some(VendorVersion::new(a).cmp(&VendorVersion::new(b))),
            },
            Order::Vendor => Some(VendorVersion::new(a).cmp(&VendorVersion::new(b))),
        }
    }
}

impl ProductVersion {
    /// The status this entry gives `version`, or `None` when the entry does not cover it.
    pub fn status_of(&self, version: &str) -> Option<Status> {
        let order = Order::of(self);
        let cmp = |a: &str, b: &str| order.cmp(a, b);
        let at_or_above_start = matches!(self.version.as_str(), "0" | "*" | "") && !matches!(order, Order::Git)
            || matches!(cmp(version, &self.version), Some(o) if o.is_ge());
        let below_end = match (&self.less_than, &self.less_than_or_equal) {
            (None, None) => {
                // A single version.
                return (version == self.version || cmp(version, &self.version) == Some(std::cmp::Ordering::Equal))
                    .then_some(self.status);
            }
            (Some(lt), _) if lt == "*" => true,
            (Some(lt), _) => matches!(cmp(version, lt), Some(o) if o.is_lt()),
            (None, Some(le)) if le == "*" => true,
            (None, Some(le)) => match le.strip_suffix(".*") {
                // `5.15.*`: the 5.15 series and everything below it.
                Some(prefix) => {
                    version == prefix
                        || version.strip_prefix(prefix).is_some_and(|r| r.starts_with('.'))
                        || matches!(cmp(version, prefix), Some(o) if o.is_lt())
                }
                None => matches!(cmp(version, le), Some(o) if o.is_le()),
            },
        };
        if !(at_or_above_start && below_end) {
            return None;
        }
        let mut status = self.status;
        let mut changes: Vec<&StatusChange> = self.changes.iter().collect();
        changes.sort_by(|a, b| cmp(&a.at, &b.at).unwrap_or(std::cmp::Ordering::Equal));
        for c in changes {
            if matches!(cmp(version, &c.at), Some(o) if o.is_ge()) {
                status = c.status;
            }
        }
        Some(status)
    }
}

/// A known-exploited marking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exploited {
    /// Who said so: `CISA KEV`, `NVD`, `CISA-ADP`.
    pub source: String,
    /// Date added to the KEV catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<Date>,
    /// Due date of the required action (US federal agencies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// The required action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_action: Option<String>,
    /// CISA's name for the vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability_name: Option<String>,
    /// Known use in ransomware campaigns (`None`: not stated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_ransomware_campaign_use: Option<bool>,
    /// A reference URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// CISA's SSVC decision points for a CVE (Vulnrichment ADP).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ssvc {
    /// `Exploitation`: `none`, `poc`, `active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation: Option<String>,
    /// `Automatable`: `yes`, `no`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatable: Option<String>,
    /// `Technical Impact`: `partial`, `total`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_impact: Option<String>,
    /// The SSVC role (`CISA Coordinator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// SSVC version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When CISA decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// A score as written, with its origin (in [`Extension::scores`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSource {
    /// Where it came from.
    pub origin: String,
    /// How it is written.
    #[serde(rename = "type")]
    pub kind: ScoreKind,
    /// The vector or word.
    pub score: String,
}

impl From<&Score> for ScoreSource {
    fn from(s: &Score) -> Self {
        ScoreSource { origin: s.origin.clone(), kind: s.kind, score: s.vector.clone() }
    }
}

/// This crate's object in `database_specific.clearinghouse` of the OSV records it emits.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    /// Every score, with its origin (OSV `severity` holds one per CVSS version).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<ScoreSource>,
    /// CWE ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    /// Affected products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<AffectedProduct>,
    /// CPE applicability, as `crate::nvd_json::to_json` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configurations: Option<Value>,
    /// Known-exploited marking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploited: Option<Exploited>,
    /// SSVC decision points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssvc: Option<Ssvc>,
}

impl Extension {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Extension::default()
    }

    /// Stores this object in `osv.database_specific`, replacing any earlier one.
    pub(crate) fn attach(self, osv: &mut Osv) {
        if self.is_empty() {
            return;
        }
        // The configurations tree moves in as it is; the rest is small.
        let mut this = self;
        let configurations = this.configurations.take();
        if let Ok(Value::Object(mut o)) = serde_json::to_value(&this) {
            if let Some(c) = configurations {
                o.insert("configurations".into(), c);
            }
            osv.database_specific.get_or_insert_with(Default::default).insert(EXTENSION_KEY.into(), Value::Object(o));
        }
    }
}

fn timestamp(osv: &Osv, format: Format, field: &str, value: &str) -> Result<Timestamp, Error> {
    parse_timestamp(value).ok_or_else(|| {
        Error::invalid(format, Some(&osv.id), format!("/{field}"), "an RFC 3339 timestamp", format!("{value:?}"))
    })
}

fn osv_score_kind(k: SeverityType) -> ScoreKind {
    match k {
        SeverityType::CvssV2 => ScoreKind::CvssV2,
        SeverityType::CvssV3 => ScoreKind::CvssV3,
        SeverityType::CvssV4 => ScoreKind::CvssV4,
        _ => ScoreKind::Ubuntu,
    }
}

impl Advisory {
    /// Reads the normalised advisory out of an OSV record.
    ///
    /// Errors only where the record cannot be an advisory: a timestamp that is not one,
    /// or a malformed `database_specific.clearinghouse` object. Vectors `ch-cvss` refuses
    /// are kept unscored, with a warning.
    pub fn from_osv(osv: Osv, source: Format) -> Result<Advisory, Error> {
        Advisory::read(osv, source, None)
    }

    /// As [`Advisory::from_osv`], with the applicability a converter already parsed (the
    /// one its `configurations` JSON was written from), so it is not parsed twice.
    pub(crate) fn from_osv_with(
        osv: Osv,
        source: Format,
        applicability: Option<Applicability>,
    ) -> Result<Advisory, Error> {
        Advisory::read(osv, source, Some(applicability))
    }

    fn read(osv: Osv, source: Format, parsed: Option<Option<Applicability>>) -> Result<Advisory, Error> {
        // An id is a key everywhere it goes (the store, the index, URLs); a control
        // character in one (PostgreSQL's text cannot hold NUL at all) is refused here.
        if osv.id.chars().any(char::is_control) {
            return Err(Error::invalid(
                source,
                None,
                "/id",
                "an id without control characters",
                format!("{:?}", osv.id),
            ));
        }
        let modified = timestamp(&osv, source, "modified", &osv.modified)?;
        let published = osv.published.as_deref().map(|p| timestamp(&osv, source, "published", p)).transpose()?;
        let withdrawn = osv.withdrawn.as_deref().map(|w| timestamp(&osv, source, "withdrawn", w)).transpose()?;

        let ext: Option<Extension> = match osv.database_specific.as_ref().and_then(|d| d.get(EXTENSION_KEY)) {
            Some(v) => Some(Extension::deserialize(v).map_err(|e| {
                let (expected, found) = crate::error::split_serde_message(&e.to_string());
                Error::invalid(source, Some(&osv.id), format!("/database_specific/{EXTENSION_KEY}"), expected, found)
            })?),
            None => None,
        };

        let mut warnings = Vec::new();
        let mut severities = Vec::new();
        let mut push = |s: (Score, Option<String>)| {
            if let Some(w) = s.1 {
                warnings.push(w);
            }
            severities.push(s.0);
        };
        match &ext {
            Some(ext) if !ext.scores.is_empty() => {
                for s in &ext.scores {
                    push(Score::new(s.origin.clone(), s.kind, s.score.clone()));
                }
            }
            _ => {
                for s in osv.severity.iter().flatten() {
                    push(Score::new("osv", osv_score_kind(s.kind), s.score.clone()));
                }
                for (i, a) in osv.affected.iter().flatten().enumerate() {
                    for s in a.severity.iter().flatten() {
                        push(Score::new(format!("affected[{i}]"), osv_score_kind(s.kind), s.score.clone()));
                    }
                }
                // The source's own word, where it gives one (GHSA, Bitnami).
                if let Some(Value::String(word)) = osv.database_specific.as_ref().and_then(|d| d.get("severity")) {
                    push(Score::new("database_specific", ScoreKind::Text, word.clone()));
                }
            }
        }

        let mut packages = Vec::new();
        for a in osv.affected.iter().flatten() {
            let ranges = a.ranges.clone().unwrap_or_default();
            let versions = a.versions.clone().unwrap_or_default();
            match &a.package {
                Some(p) => packages.push(AffectedPackage::new(&p.ecosystem, &p.name, p.purl.clone(), ranges, versions)),
                None => {
                    // Commit ranges without a package: keyed by repository, as OSV's
                    // `GIT` ecosystem does.
                    for r in ranges.into_iter().filter(|r| r.kind == RangeType::Git) {
                        let repo = r.repo.clone().unwrap_or_default();
                        packages.push(AffectedPackage::new("GIT", &repo, None, vec![r], versions.clone()));
                    }
                }
            }
        }

        let mut cwes: BTreeSet<String> = BTreeSet::new();
        if let Some(Value::Array(ids)) = osv.database_specific.as_ref().and_then(|d| d.get("cwe_ids")) {
            cwes.extend(ids.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        let (products, applicability, exploited, ssvc) = match ext {
            Some(ext) => {
                cwes.extend(ext.cwes);
                let applicability = match (&ext.configurations, parsed) {
                    (_, Some(known)) => known,
                    (Some(c), None) => Some(Applicability::from_json(c).map_err(|e| {
                        Error::invalid(
                            source,
                            Some(&osv.id),
                            format!("/database_specific/{EXTENSION_KEY}/configurations"),
                            "CPE applicability",
                            e.to_string(),
                        )
                    })?),
                    (None, None) => None,
                };
                (ext.products, applicability, ext.exploited, ext.ssvc)
            }
            None => (Vec::new(), None, None, None),
        };

        let mut aliases: Vec<String> = osv.aliases.clone().unwrap_or_default();
        aliases.sort();
        aliases.dedup();
        aliases.retain(|a| *a != osv.id);

        Ok(Advisory {
            id: osv.id.clone(),
            aliases,
            related: osv.related.clone().unwrap_or_default(),
            upstream: osv.upstream.clone().unwrap_or_default(),
            modified,
            published,
            withdrawn,
            summary: osv.summary.clone(),
            details: osv.details.clone(),
            severities,
            packages,
            products,
            applicability,
            references: osv.references.clone().unwrap_or_default(),
            cwes: cwes.into_iter().collect(),
            exploited,
            ssvc,
            source,
            warnings,
            osv,
        })
    }

    /// The highest severity: from vectors where the advisory has any, else from the
    /// source's own words. Ties in band go to the higher score.
    pub fn max_severity(&self) -> Option<&Score> {
        max_score(self.severities.iter())
    }

    /// Every id of the flaw this advisory describes: its id and aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The OSV record as JSON, for `/v1/vulns/{id}`.
    pub fn osv_json(&self) -> Value {
        self.osv.to_json_value()
    }
}

/// The highest of `scores` (see [`Advisory::max_severity`]).
pub fn max_score<'a>(scores: impl Iterator<Item = &'a Score>) -> Option<&'a Score> {
    let scores: Vec<&Score> = scores.filter(|s| s.severity.is_some()).collect();
    let any_cvss = scores.iter().any(|s| s.is_cvss());
    scores
        .into_iter()
        .filter(|s| s.is_cvss() == any_cvss)
        .max_by(|a, b| a.severity.cmp(&b.severity).then(a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0))))
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Affected => "affected",
            Status::Unaffected => "unaffected",
            Status::Unknown => "unknown",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pv(version: &str, status: Status, vt: Option<&str>, lt: Option<&str>, le: Option<&str>) -> ProductVersion {
        ProductVersion {
            version: version.into(),
            status,
            version_type: vt.map(Into::into),
            less_than: lt.map(Into::into),
            less_than_or_equal: le.map(Into::into),
            changes: Vec::new(),
        }
    }

    fn product(versions: Vec<ProductVersion>, default: Option<Status>) -> AffectedProduct {
        AffectedProduct {
            origin: "cna".into(),
            vendor: Some("v".into()),
            product: Some("p".into()),
            collection_url: None,
            package_name: None,
            repo: None,
            cpes: Vec::new(),
            platforms: Vec::new(),
            default_status: default,
            versions,
        }
    }

    #[test]
    fn an_id_with_a_control_character_is_refused_with_its_place() {
        let osv = crate::osv::Osv::from_json_slice(br#"{"id":"x_A\u0000B","modified":"2024-01-01T00:00:00Z"}"#)
            .expect("the JSON reads");
        match Advisory::from_osv(osv, Format::OsvJson) {
            Err(Error::Invalid { path, found, .. }) => {
                assert_eq!(path, "/id");
                assert_eq!(found, r#""x_A\0B""#);
            }
            other => panic!("read as {other:?}"),
        }
        let fine =
            crate::osv::Osv::from_json_slice(br#"{"id":"x_A-B","modified":"2024-01-01T00:00:00Z"}"#).expect("reads");
        assert!(Advisory::from_osv(fine, Format::OsvJson).is_ok());
    }

    #[test]
    fn product_status_table() {
        use Status::*;
        // Linux kernel CNA pattern: affected from 5.4, fixed in 5.15.170 and 6.1.115.
        let kernel = product(
            vec![
                pv("5.4", Affected, Some("semver"), None, None),
                pv("0", Unaffected, Some("semver"), Some("5.4"), None),
                pv("5.15.170", Unaffected, Some("semver"), None, Some("5.15.*")),
                pv("6.1.115", Unaffected, Some("semver"), None, Some("6.1.*")),
                pv("6.12", Unaffected, Some("original_commit_for_fix"), None, Some("*")),
            ],
            Some(Affected),
        );
        // Citrix style: custom versions, ranges with lessThan.
        let citrix = product(
            vec![
                pv("13.1", Affected, Some("custom"), Some("13.1-49.15"), None),
                pv("14.1", Affected, Some("custom"), Some("14.1-8.50"), None),
            ],
            Some(Unaffected),
        );
        let mut changed = pv("1.0", Affected, Some("semver"), Some("2.0"), None);
        changed.changes = vec![StatusChange { at: "1.4.2".into(), status: Unaffected }];
        let changes = product(vec![changed], None);
        let cases: &[(&AffectedProduct, &str, Status)] = &[
            (&kernel, "5.3", Unaffected),
            (&kernel, "5.10.1", Affected),
            (&kernel, "5.15.169", Affected),
            (&kernel, "5.15.170", Unaffected),
            (&kernel, "5.15.200", Unaffected),
            (&kernel, "6.1.114", Affected),
            (&kernel, "6.13", Unaffected),
            (&citrix, "13.1-49.14", Affected),
            (&citrix, "13.1-49.15", Unaffected),
            (&citrix, "14.1-4.42", Affected),
            (&citrix, "12.1-55.0", Unaffected),
            (&changes, "1.4.1", Affected),
            (&changes, "1.4.2", Unaffected),
            (&changes, "2.0", Unknown),
        ];
        for (p, v, want) in cases {
            assert_eq!(p.status(v), *want, "{v} in {:?}", p.versions);
        }
    }

    #[test]
    fn severity_words_and_max() {
        let (a, _) = Score::new("osv", ScoreKind::CvssV3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        let (b, _) = Score::new("database_specific", ScoreKind::Text, "MODERATE");
        let (c, w) = Score::new("osv", ScoreKind::CvssV3, "CVSS:3.1/AV:X");
        assert!(w.is_some() && c.severity.is_none());
        assert_eq!(b.severity, Some(Severity::Medium));
        let all = [b.clone(), a.clone(), c];
        assert_eq!(max_score(all.iter()), Some(&a), "vectors beat words");
        assert_eq!(max_score([b.clone()].iter()), Some(&b), "words when there is no vector");
    }

    #[test]
    fn names_normalise_through_purls() {
        let cases = [
            ("PyPI", "Django_REST.framework", "django-rest-framework"),
            ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
            ("Maven", "org.Apache:Log4J", "org.Apache:Log4J"),
            ("AlmaLinux:9", "firefox", "firefox"),
            ("Bitnami", "wordpress", "wordpress"),
            ("GIT", "https://github.com/a/b", "https://github.com/a/b"),
        ];
        for (eco, name, want) in cases {
            assert_eq!(normalise_name(eco, name), want, "{eco} {name}");
        }
    }
}
