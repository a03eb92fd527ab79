//! NVD records into OSV and advisories: CVE API 2.0 records (`vulnerabilities[].cve`,
//! alone or in a whole API response) and legacy JSON 1.1 feed items (`CVE_Items[]`,
//! alone or in a whole feed file).
//!
//! The OSV record: `id` the CVE id; `modified` `lastModified` (1.1: `lastModifiedDate`);
//! `published`; a `Rejected` record (2.0 `vulnStatus`; 1.1 a `** REJECT **`
//! description) is withdrawn at its last modification; `details` the English
//! description; `severity` one vector per CVSS version, NVD's `Primary` metric first;
//! `references` typed by NVD's tags. The CPE applicability (`configurations`, read by
//! `ch-cpe` into trees), every vector with its source, CWEs and the KEV fields NVD copies
//! from CISA (`cisaExploitAdd`, `cisaActionDue`, `cisaRequiredAction`,
//! `cisaVulnerabilityName`) go in `database_specific.clearinghouse`.
//!
//! NVD writes times without an offset (`2019-12-27T14:15:12.070`, 1.1
//! `2002-06-25T04:00Z`); they are UTC.

use std::collections::BTreeSet;

use ch_cpe::Applicability;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Format};
use crate::model::{Advisory, Exploited, Extension, ScoreKind, ScoreSource};
use crate::osv::Osv;
use crate::refs::{cwe_ids, english, osv_severity, reference_type, references};
use crate::time::{osv_timestamp, parse_date, parse_timestamp};

/// An NVD CVE API 2.0 `cve` object.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nvd2Cve {
    /// `id`.
    pub id: String,
    /// `sourceIdentifier`.
    #[serde(default)]
    pub source_identifier: Option<String>,
    /// `published`.
    pub published: String,
    /// `lastModified`.
    pub last_modified: String,
    /// `vulnStatus` (`Analyzed`, `Modified`, `Awaiting Analysis`, `Rejected`...).
    #[serde(default)]
    pub vuln_status: Option<String>,
    /// `descriptions`.
    #[serde(default)]
    pub descriptions: Vec<LangValue>,
    /// `metrics`.
    #[serde(default)]
    pub metrics: Metrics,
    /// `weaknesses`.
    #[serde(default)]
    pub weaknesses: Vec<Weakness>,
    /// `configurations` (read by `ch-cpe`).
    #[serde(default)]
    pub configurations: Option<Value>,
    /// `references`.
    #[serde(default)]
    pub references: Vec<Nvd2Reference>,
    /// `cisaExploitAdd`.
    #[serde(default)]
    pub cisa_exploit_add: Option<String>,
    /// `cisaActionDue`.
    #[serde(default)]
    pub cisa_action_due: Option<String>,
    /// `cisaRequiredAction`.
    #[serde(default)]
    pub cisa_required_action: Option<String>,
    /// `cisaVulnerabilityName`.
    #[serde(default)]
    pub cisa_vulnerability_name: Option<String>,
}

/// A `{lang, value}` text.
#[derive(Clone, Debug, Deserialize)]
pub struct LangValue {
    /// `lang`.
    pub lang: String,
    /// `value`.
    pub value: String,
}

/// `metrics`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// `cvssMetricV40`.
    #[serde(default)]
    pub cvss_metric_v40: Vec<Metric>,
    /// `cvssMetricV31`.
    #[serde(default)]
    pub cvss_metric_v31: Vec<Metric>,
    /// `cvssMetricV30`.
    #[serde(default)]
    pub cvss_metric_v30: Vec<Metric>,
    /// `cvssMetricV2`.
    #[serde(default)]
    pub cvss_metric_v2: Vec<Metric>,
}

/// One metric: who scored, `Primary` or `Secondary`, and the vector.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// `source`.
    pub source: String,
    /// `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `cvssData`.
    pub cvss_data: CvssData,
}

/// `cvssData`; only the vector is read.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CvssData {
    /// `vectorString`.
    pub vector_string: String,
}

/// A `weaknesses[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct Weakness {
    /// `description`.
    #[serde(default)]
    pub description: Vec<LangValue>,
}

/// A 2.0 `references[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct Nvd2Reference {
    /// `url`.
    pub url: String,
    /// `tags`.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// An NVD CVE API 2.0 response body.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nvd2Response {
    /// `vulnerabilities`.
    pub vulnerabilities: Vec<Nvd2Item>,
}

/// `vulnerabilities[]`.
#[derive(Clone, Debug, Deserialize)]
pub struct Nvd2Item {
    /// `cve`.
    pub cve: Nvd2Cve,
}

/// An NVD JSON 1.1 feed item.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nvd1Item {
    /// `cve`.
    pub cve: Nvd1Cve,
    /// `configurations` (read by `ch-cpe`).
    #[serde(default)]
    pub configurations: Option<Value>,
    /// `impact`.
    #[serde(default)]
    pub impact: Nvd1Impact,
    /// `publishedDate`.
    pub published_date: String,
    /// `lastModifiedDate`.
    pub last_modified_date: String,
}

/// 1.1 `cve`.
#[derive(Clone, Debug, Deserialize)]
pub struct Nvd1Cve {
    /// `CVE_data_meta`.
    #[serde(rename = "CVE_data_meta")]
    pub meta: Nvd1Meta,
    /// `problemtype`.
    #[serde(default)]
    pub problemtype: Nvd1ProblemTypes,
    /// `references`.
    #[serde(default)]
    pub references: Nvd1References,
    /// `description`.
    #[serde(default)]
    pub description: Nvd1Descriptions,
}

/// `CVE_data_meta`.
#[derive(Clone, Debug, Deserialize)]
pub struct Nvd1Meta {
    /// `ID`.
    #[serde(rename = "ID")]
    pub id: String,
}

/// `problemtype`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Nvd1ProblemTypes {
    /// `problemtype_data`.
    #[serde(default)]
    pub problemtype_data: Vec<Nvd1ProblemType>,
}

/// `problemtype_data[]`.
#[derive(Clone, Debug, Deserialize)]
pub struct Nvd1ProblemType {
    /// `description`.
    #[serde(default)]
    pub description: Vec<LangValue>,
}

/// `references`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Nvd1References {
    /// `reference_data`.
    #[serde(default)]
    pub reference_data: Vec<Nvd1Reference>,
}

/// `reference_data[]`.
#[derive(Clone, Debug, Deserialize)]
pub struct Nvd1Reference {
    /// `url`.
    pub url: String,
    /// `tags`.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `description`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Nvd1Descriptions {
    /// `description_data`.
    #[serde(default)]
    pub description_data: Vec<LangValue>,
}

/// `impact`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nvd1Impact {
    /// `baseMetricV3`.
    #[serde(default)]
    pub base_metric_v3: Option<Nvd1V3>,
    /// `baseMetricV2`.
    #[serde(default)]
    pub base_metric_v2: Option<Nvd1V2>,
}

/// `baseMetricV3`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nvd1V3 {
    /// `cvssV3`.
    pub cvss_v3: CvssData,
}

/// `baseMetricV2`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nvd1V2 {
    /// `cvssV2`.
    pub cvss_v2: CvssData,
}

/// An NVD JSON 1.1 feed file.
#[derive(Clone, Debug, Deserialize)]
pub struct Nvd1Feed {
    /// `CVE_Items`.
    #[serde(rename = "CVE_Items")]
    pub items: Vec<Nvd1Item>,
}

fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    format: Format,
    id: impl Fn(&[u8]) -> Option<String>,
) -> Result<T, Error> {
    crate::error::parse_slice::<T>(bytes, format).map_err(|e| match id(bytes) {
        Some(id) => e.with_record(&id),
        None => e,
    })
}

fn id_at(bytes: &[u8], pointer: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    v.pointer(pointer)?.as_str().map(str::to_owned)
}

struct Parts<'a> {
    id: String,
    modified: String,
    published: String,
    rejected: bool,
    details: Option<String>,
    scores: Vec<ScoreSource>,
    cwes: BTreeSet<String>,
    refs: Vec<(String, crate::osv::ReferenceType)>,
    configurations: Option<&'a Value>,
    exploited: Option<Exploited>,
    format: Format,
}

fn build(p: Parts<'_>) -> Result<(Osv, Vec<String>, Option<Applicability>), Error> {
    let ts = |field: &str, s: &str| {
        parse_timestamp(s)
            .map(osv_timestamp)
            .ok_or_else(|| Error::invalid(p.format, Some(&p.id), field, "a timestamp", format!("{s:?}")))
    };
    let modified = ts("lastModified", &p.modified)?;
    let published = ts("published", &p.published)?;
    let mut warnings = Vec::new();
    let applicability = match p.configurations {
        Some(c) => match Applicability::from_json(c) {
            Ok(a) => Some(a).filter(|a| !a.configurations.is_empty()),
            Err(e) => {
                return Err(Error::invalid(
                    p.format,
                    Some(&p.id),
                    "configurations",
                    "NVD configurations",
                    e.to_string(),
                ));
            }
        },
        None => None,
    };
    let mut osv = Osv {
        schema_version: None,
        id: p.id.clone(),
        withdrawn: p.rejected.then(|| modified.clone()),
        modified,
        published: Some(published),
        aliases: None,
        related: None,
        upstream: None,
        summary: None,
        details: p.details,
        severity: Some(osv_severity(&p.scores)).filter(|s| !s.is_empty()),
        affected: None,
        references: Some(references(p.refs, &mut warnings)).filter(|r| !r.is_empty()),
        credits: None,
        database_specific: None,
    };
    Extension {
        scores: p.scores,
        cwes: p.cwes.into_iter().collect(),
        products: Vec::new(),
        configurations: applicability.as_ref().map(crate::nvd_json::to_json),
        exploited: p.exploited,
        ssvc: None,
    }
    .attach(&mut osv);
    Ok((osv, warnings, applicability))
}

impl Nvd2Cve {
    /// Parses one `cve` object (a line of a JSONL export, or a file).
    pub fn from_json_slice(bytes: &[u8]) -> Result<Nvd2Cve, Error> {
        parse_json(bytes, Format::Nvd2, |b| id_at(b, "/id"))
    }

    /// Reads one `cve` object from a JSON value.
    pub fn from_json_value(v: &Value) -> Result<Nvd2Cve, Error> {
        crate::error::from_value(v, Format::Nvd2, v.get("id").and_then(Value::as_str))
    }

    fn parts(&self) -> Parts<'_> {
        let mut scores = Vec::new();
        let groups = [
            (ScoreKind::CvssV4, &self.metrics.cvss_metric_v40),
            (ScoreKind::CvssV3, &self.metrics.cvss_metric_v31),
            (ScoreKind::CvssV3, &self.metrics.cvss_metric_v30),
            (ScoreKind::CvssV2, &self.metrics.cvss_metric_v2),
        ];
        for (kind, metrics) in groups {
            // NVD's own (Primary) metric first, as OSV `severity` takes the first.
            let mut ms: Vec<&Metric> = metrics.iter().collect();
            ms.sort_by_key(|m| m.kind != "Primary");
            for m in ms {
                scores.push(ScoreSource {
                    origin: format!("{} ({})", m.source, m.kind),
                    kind,
                    score: m.cvss_data.vector_string.clone(),
                });
            }
        }
        let mut cwes = BTreeSet::new();
        for w in &self.weaknesses {
            for d in &w.description {
                cwe_ids(&d.value, &mut cwes);
            }
        }
        let exploited = self.cisa_exploit_add.as_deref().map(|added| Exploited {
            source: "NVD".into(),
            date_added: parse_date(added),
            due_date: self.cisa_action_due.as_deref().and_then(parse_date),
            required_action: self.cisa_required_action.clone(),
            vulnerability_name: self.cisa_vulnerability_name.clone(),
            known_ransomware_campaign_use: None,
            reference: None,
        });
        Parts {
            id: self.id.clone(),
            modified: self.last_modified.clone(),
            published: self.published.clone(),
            rejected: self.vuln_status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Rejected")),
            details: english(self.descriptions.iter().map(|d| (d.lang.as_str(), d.value.as_str()))),
            scores,
            cwes,
            refs: self.references.iter().map(|r| (r.url.clone(), reference_type(&r.tags))).collect(),
            configurations: self.configurations.as_ref(),
            exploited,
            format: Format::Nvd2,
        }
    }

    /// The OSV record.
    pub fn to_osv(&self) -> Result<Osv, Error> {
        build(self.parts()).map(|(o, _, _)| o)
    }

    /// The advisory.
    pub fn to_advisory(&self) -> Result<Advisory, Error> {
        let (osv, warnings, applicability) = build(self.parts())?;
        let mut a = Advisory::from_osv_with(osv, Format::Nvd2, applicability)?;
        a.warnings.extend(warnings);
        Ok(a)
    }
}

impl Nvd2Response {
    /// Parses a whole API response.
    pub fn from_json_slice(bytes: &[u8]) -> Result<Nvd2Response, Error> {
        parse_json(bytes, Format::Nvd2, |_| None)
    }
}

impl Nvd1Item {
    /// Parses one feed item.
    pub fn from_json_slice(bytes: &[u8]) -> Result<Nvd1Item, Error> {
        parse_json(bytes, Format::Nvd1, |b| id_at(b, "/cve/CVE_data_meta/ID"))
    }

    /// Reads one feed item from a JSON value.
    pub fn from_json_value(v: &Value) -> Result<Nvd1Item, Error> {
        crate::error::from_value(v, Format::Nvd1, v.pointer("/cve/CVE_data_meta/ID").and_then(Value::as_str))
    }

    fn parts(&self) -> Parts<'_> {
        let mut scores = Vec::new();
        if let Some(v3) = &self.impact.base_metric_v3 {
            scores.push(ScoreSource {
                origin: "nvd@nist.gov".into(),
                kind: ScoreKind::CvssV3,
                score: v3.cvss_v3.vector_string.clone(),
            });
        }
        if let Some(v2) = &self.impact.base_metric_v2 {
            scores.push(ScoreSource {
                origin: "nvd@nist.gov".into(),
                kind: ScoreKind::CvssV2,
                score: v2.cvss_v2.vector_string.clone(),
            });
        }
        let mut cwes = BTreeSet::new();
        for p in &self.cve.problemtype.problemtype_data {
            for d in &p.description {
                cwe_ids(&d.value, &mut cwes);
            }
        }
        let details =
            english(self.cve.description.description_data.iter().map(|d| (d.lang.as_str(), d.value.as_str())));
        Parts {
            id: self.cve.meta.id.clone(),
            modified: self.last_modified_date.clone(),
            published: self.published_date.clone(),
            rejected: details.as_deref().is_some_and(|d| d.starts_with("** REJECT **")),
            details,
            scores,
            cwes,
            refs: self.cve.references.reference_data.iter().map(|r| (r.url.clone(), reference_type(&r.tags))).collect(),
            configurations: self.configurations.as_ref(),
            exploited: None,
            format: Format::Nvd1,
        }
    }

    /// The OSV record.
    pub fn to_osv(&self) -> Result<Osv, Error> {
        build(self.parts()).map(|(o, _, _)| o)
    }

    /// The advisory.
    pub fn to_advisory(&self) -> Result<Advisory, Error> {
        let (osv, warnings, applicability) = build(self.parts())?;
        let mut a = Advisory::from_osv_with(osv, Format::Nvd1, applicability)?;
        a.warnings.extend(warnings);
        Ok(a)
    }
}

impl Nvd1Feed {
    /// Parses a whole feed file.
    pub fn from_json_slice(bytes: &[u8]) -> Result<Nvd1Feed, Error> {
        parse_json(bytes, Format::Nvd1, |_| None)
    }
}
