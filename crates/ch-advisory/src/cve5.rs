//! CVE JSON 5 records (5.0, 5.1, 5.2) into OSV and advisories.
//!
//! The model holds what the knowledge base uses and ignores the rest (CVE 5 allows `x_`
//! extension fields anywhere): `cveMetadata`, and per container (the CNA's and each
//! ADP's) the title, descriptions, `affected` products with their versions, metrics
//! (`cvssV2_0`, `cvssV3_0`, `cvssV3_1`, `cvssV4_0` vectors; `other` SSVC and KEV content
//! from CISA's ADP), problem types (CWE), references, `cpeApplicability` and rejection
//! reasons.
//!
//! The OSV record: `id` the CVE id; `modified` `dateUpdated`; `published`
//! `datePublished`; a `REJECTED` record is withdrawn (at `dateRejected`, else
//! `dateUpdated`) with its reasons as details; `summary` the CNA title; `details` the
//! English description; `severity` one vector per CVSS version (the CNA's first, then
//! the ADPs'); `references` from every container, typed by their tags. Products, CPE
//! applicability, every vector with its origin, CWEs, KEV and SSVC go in
//! `database_specific.clearinghouse`. No `affected` packages are guessed from product
//! names.

use std::collections::BTreeSet;

use ch_cpe::Applicability;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Format};
use crate::model::{
    Advisory, AffectedProduct, Exploited, Extension, ProductVersion, ScoreKind, ScoreSource, Ssvc, Status, StatusChange,
};
use crate::osv::Osv;
use crate::refs::{cwe_ids, english, osv_severity, reference_type, references};
use crate::time::{osv_timestamp, parse_date, parse_timestamp};

/// A CVE JSON 5 record.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cve5Record {
    /// `dataType` (`CVE_RECORD`).
    pub data_type: String,
    /// `dataVersion` (`5.0`, `5.1`, `5.1.1`...).
    pub data_version: String,
    /// `cveMetadata`.
    pub cve_metadata: Metadata,
    /// `containers`.
    pub containers: Containers,
}

/// `cveMetadata`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// `cveId`.
    pub cve_id: String,
    /// `assignerOrgId`.
    pub assigner_org_id: String,
    /// `assignerShortName`.
    #[serde(default)]
    pub assigner_short_name: Option<String>,
    /// `state`.
    pub state: State,
    /// `dateReserved`.
    #[serde(default)]
    pub date_reserved: Option<String>,
    /// `datePublished`.
    #[serde(default)]
    pub date_published: Option<String>,
    /// `dateUpdated`.
    #[serde(default)]
    pub date_updated: Option<String>,
    /// `dateRejected`.
    #[serde(default)]
    pub date_rejected: Option<String>,
}

/// `cveMetadata.state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum State {
    /// Published.
    Published,
    /// Rejected: becomes a withdrawn advisory.
    Rejected,
}

/// `containers`.
#[derive(Clone, Debug, Deserialize)]
pub struct Containers {
    /// The CNA's container.
    pub cna: Container,
    /// ADP containers (the CVE Program's, CISA's).
    #[serde(default)]
    pub adp: Vec<Container>,
}

/// A CNA or ADP container.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// `providerMetadata`.
    #[serde(default)]
    pub provider_metadata: ProviderMetadata,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `descriptions`.
    #[serde(default)]
    pub descriptions: Vec<LangValue>,
    /// `rejectedReasons`.
    #[serde(default)]
    pub rejected_reasons: Vec<LangValue>,
    /// `affected`.
    #[serde(default)]
    pub affected: Vec<Product>,
    /// `metrics`.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// `problemTypes`.
    #[serde(default)]
    pub problem_types: Vec<ProblemType>,
    /// `references`.
    #[serde(default)]
    pub references: Vec<RefEntry>,
    /// `cpeApplicability` (CVE 5.1), in the NVD 2.0 configurations shape.
    #[serde(default)]
    pub cpe_applicability: Option<Value>,
}

/// `providerMetadata`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderMetadata {
    /// `orgId`.
    #[serde(default)]
    pub org_id: Option<String>,
    /// `shortName` (`CISA-ADP`, `CVE`).
    #[serde(default)]
    pub short_name: Option<String>,
    /// `dateUpdated`.
    #[serde(default)]
    pub date_updated: Option<String>,
}

/// A `{lang, value}` text.
#[derive(Clone, Debug, Deserialize)]
pub struct LangValue {
    /// `lang`.
    pub lang: String,
    /// `value`.
    pub value: String,
}

/// An `affected[]` product.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// `vendor`.
    #[serde(default)]
    pub vendor: Option<String>,
    /// `product`.
    #[serde(default)]
    pub product: Option<String>,
    /// `collectionURL`.
    #[serde(default, rename = "collectionURL")]
    pub collection_url: Option<String>,
    /// `packageName`.
    #[serde(default)]
    pub package_name: Option<String>,
    /// `repo`.
    #[serde(default)]
    pub repo: Option<String>,
    /// `cpes`.
    #[serde(default)]
    pub cpes: Vec<String>,
    /// `platforms`.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// `defaultStatus`.
    #[serde(default)]
    pub default_status: Option<Status>,
    /// `versions`.
    #[serde(default)]
    pub versions: Vec<VersionEntry>,
}

/// A `versions[]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionEntry {
    /// `version`.
    pub version: String,
    /// `status`.
    pub status: Status,
    /// `versionType`.
    #[serde(default)]
    pub version_type: Option<String>,
    /// `lessThan`.
    #[serde(default)]
    pub less_than: Option<String>,
    /// `lessThanOrEqual`.
    #[serde(default)]
    pub less_than_or_equal: Option<String>,
    /// `changes`.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// A `changes[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct Change {
    /// `at`.
    pub at: String,
    /// `status`.
    pub status: Status,
}

/// A `metrics[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct Metric {
    /// `cvssV2_0`.
    #[serde(default, rename = "cvssV2_0")]
    pub cvss_v2_0: Option<CvssBlock>,
    /// `cvssV3_0`.
    #[serde(default, rename = "cvssV3_0")]
    pub cvss_v3_0: Option<CvssBlock>,
    /// `cvssV3_1`.
    #[serde(default, rename = "cvssV3_1")]
    pub cvss_v3_1: Option<CvssBlock>,
    /// `cvssV4_0`.
    #[serde(default, rename = "cvssV4_0")]
    pub cvss_v4_0: Option<CvssBlock>,
    /// `other`.
    #[serde(default)]
    pub other: Option<OtherMetric>,
}

/// A CVSS object; only the vector is read (scores are computed from it).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CvssBlock {
    /// `vectorString`.
    pub vector_string: String,
}

/// `metrics[].other`.
#[derive(Clone, Debug, Deserialize)]
pub struct OtherMetric {
    /// `type` (`ssvc`, `kev`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// `content`.
    #[serde(default)]
    pub content: Value,
}

/// A `problemTypes[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct ProblemType {
    /// `descriptions`.
    #[serde(default)]
    pub descriptions: Vec<ProblemDescription>,
}

/// A problem type description.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDescription {
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `cweId`.
    #[serde(default)]
    pub cwe_id: Option<String>,
}

/// A `references[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct RefEntry {
    /// `url`.
    pub url: String,
    /// `tags`.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Cve5Record {
    /// Parses one record; errors name the JSON pointer and the CVE id.
    pub fn from_json_slice(bytes: &[u8]) -> Result<Cve5Record, Error> {
        crate::error::parse_slice::<Cve5Record>(bytes, Format::Cve5).map_err(|e| match id_of(bytes) {
            Some(id) => e.with_record(&id),
            None => e,
        })
    }

    /// Parses one record from a JSON value.
    pub fn from_json_value(v: &Value) -> Result<Cve5Record, Error> {
        crate::error::from_value(v, Format::Cve5, v.pointer("/cveMetadata/cveId").and_then(Value::as_str))
    }

    fn containers(&self) -> impl Iterator<Item = (String, &Container)> {
        std::iter::once(("cna".to_owned(), &self.containers.cna)).chain(
            self.containers
                .adp
                .iter()
                .map(|c| (c.provider_metadata.short_name.clone().unwrap_or_else(|| "adp".to_owned()), c)),
        )
    }

    /// The OSV record for this CVE.
    pub fn to_osv(&self) -> Result<Osv, Error> {
        self.convert().map(|(osv, _, _)| osv)
    }

    /// The OSV record and the problems that did not stop it.
    pub(crate) fn convert(&self) -> Result<(Osv, Vec<String>, Option<Applicability>), Error> {
        let meta = &self.cve_metadata;
        let id = meta.cve_id.as_str();
        let ts = |field: &str, v: &Option<String>| -> Result<Option<String>, Error> {
            match v {
                None => Ok(None),
                Some(s) => parse_timestamp(s).map(|t| Some(osv_timestamp(t))).ok_or_else(|| {
                    Error::invalid(
                        Format::Cve5,
                        Some(id),
                        format!("/cveMetadata/{field}"),
                        "a timestamp",
                        format!("{s:?}"),
                    )
                }),
            }
        };
        let updated = ts("dateUpdated", &meta.date_updated)?;
        let published = ts("datePublished", &meta.date_published)?;
        let rejected = ts("dateRejected", &meta.date_rejected)?;
        let modified = updated
            .clone()
            .or_else(|| rejected.clone())
            .or_else(|| published.clone())
            .ok_or_else(|| Error::invalid(Format::Cve5, Some(id), "/cveMetadata", "dateUpdated", "no date"))?;
        let withdrawn = (meta.state == State::Rejected).then(|| rejected.clone().unwrap_or_else(|| modified.clone()));

        let cna = &self.containers.cna;
        let details = if meta.state == State::Rejected {
            english(cna.rejected_reasons.iter().map(|d| (d.lang.as_str(), d.value.as_str())))
        } else {
            english(cna.descriptions.iter().map(|d| (d.lang.as_str(), d.value.as_str())))
        };

        let mut warnings = Vec::new();
        let mut scores = Vec::new();
        let mut cwes = BTreeSet::new();
        let mut refs = Vec::new();
        let mut products = Vec::new();
        let mut applicability = Applicability::default();
        let mut exploited = None;
        let mut ssvc = None;
        for (origin, c) in self.containers() {
            for m in &c.metrics {
                let vectors = [
                    (ScoreKind::CvssV4, &m.cvss_v4_0),
                    (ScoreKind::CvssV3, &m.cvss_v3_1),
                    (ScoreKind::CvssV3, &m.cvss_v3_0),
                    (ScoreKind::CvssV2, &m.cvss_v2_0),
                ];
                for (kind, block) in vectors {
                    if let Some(b) = block {
                        scores.push(ScoreSource { origin: origin.clone(), kind, score: b.vector_string.clone() });
                    }
                }
                if let Some(other) = &m.other {
                    match other.kind.to_ascii_lowercase().as_str() {
                        "kev" => exploited = Some(kev_content(&origin, &other.content)),
                        "ssvc" => ssvc = Some(ssvc_content(&other.content)),
                        _ => {}
                    }
                }
            }
            for p in &c.problem_types {
                for d in &p.descriptions {
                    if let Some(cwe) = &d.cwe_id {
                        cwe_ids(cwe, &mut cwes);
                    } else if let Some(text) = &d.description {
                        cwe_ids(text, &mut cwes);
                    }
                }
            }
            refs.extend(c.references.iter().map(|r| (r.url.clone(), reference_type(&r.tags))));
            products.extend(c.affected.iter().map(|p| product(&origin, p)));
            if let Some(a) = &c.cpe_applicability {
                match Applicability::from_json(a) {
                    Ok(a) => applicability.configurations.extend(a.configurations),
                    Err(e) => warnings.push(format!("{origin} cpeApplicability ignored: {e}")),
                }
            }
        }

        let mut osv = Osv {
            schema_version: None,
            id: id.to_owned(),
            modified,
            published,
            withdrawn,
            aliases: None,
            related: None,
            upstream: None,
            summary: cna.title.clone().filter(|t| !t.trim().is_empty()),
            details,
            severity: Some(osv_severity(&scores)).filter(|s| !s.is_empty()),
            affected: None,
            references: Some(references(refs, &mut warnings)).filter(|r| !r.is_empty()),
            credits: None,
            database_specific: None,
        };
        let applicability = Some(applicability).filter(|a| !a.configurations.is_empty());
        let ext = Extension {
            scores,
            cwes: cwes.into_iter().collect(),
            products,
            configurations: applicability.as_ref().map(crate::nvd_json::to_json),
            exploited,
            ssvc,
        };
        ext.attach(&mut osv);
        Ok((osv, warnings, applicability))
    }
}

fn id_of(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Meta {
        cve_id: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        cve_metadata: Option<Meta>,
    }
    serde_json::from_slice::<Head>(bytes).ok()?.cve_metadata?.cve_id
}

fn product(origin: &str, p: &Product) -> AffectedProduct {
    AffectedProduct {
        origin: origin.to_owned(),
        vendor: p.vendor.clone(),
        product: p.product.clone(),
        collection_url: p.collection_url.clone(),
        package_name: p.package_name.clone(),
        repo: p.repo.clone(),
        cpes: p.cpes.clone(),
        platforms: p.platforms.clone(),
        default_status: p.default_status,
        versions: p
            .versions
            .iter()
            .map(|v| ProductVersion {
                version: v.version.clone(),
                status: v.status,
                version_type: v.version_type.clone(),
                less_than: v.less_than.clone(),
                less_than_or_equal: v.less_than_or_equal.clone(),
                changes: v.changes.iter().map(|c| StatusChange { at: c.at.clone(), status: c.status }).collect(),
            })
            .collect(),
    }
}

fn kev_content(origin: &str, c: &Value) -> Exploited {
    Exploited {
        source: origin.to_owned(),
        date_added: c.get("dateAdded").and_then(Value::as_str).and_then(parse_date),
        due_date: None,
        required_action: None,
        vulnerability_name: None,
        known_ransomware_campaign_use: None,
        reference: c.get("reference").and_then(Value::as_str).map(str::to_owned),
    }
}

fn ssvc_content(c: &Value) -> Ssvc {
    let option = |name: &str| -> Option<String> {
        c.get("options")?.as_array()?.iter().find_map(|o| o.get(name)).and_then(Value::as_str).map(str::to_owned)
    };
    let s = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_owned);
    Ssvc {
        exploitation: option("Exploitation"),
        automatable: option("Automatable"),
        technical_impact: option("Technical Impact"),
        role: s("role"),
        version: s("version"),
        timestamp: s("timestamp"),
    }
}

/// Parses a CVE JSON 5 record into OSV.
pub fn to_osv(bytes: &[u8]) -> Result<Osv, Error> {
    Cve5Record::from_json_slice(bytes)?.to_osv()
}

/// Parses a CVE JSON 5 record into an [`Advisory`].
pub fn parse(bytes: &[u8]) -> Result<Advisory, Error> {
    Cve5Record::from_json_slice(bytes)?.to_advisory()
}

/// Converts a CVE JSON 5 record (as a JSON value) into an [`Advisory`].
pub fn parse_value(v: &Value) -> Result<Advisory, Error> {
    Cve5Record::from_json_value(v)?.to_advisory()
}

impl Cve5Record {
    /// The advisory for this CVE.
    pub fn to_advisory(&self) -> Result<Advisory, Error> {
        let (osv, warnings, applicability) = self.convert()?;
        let mut a = Advisory::from_osv_with(osv, Format::Cve5, applicability)?;
        a.warnings.extend(warnings);
        Ok(a)
    }
}
