//! The CISA Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`,
//! schema `known_exploited_vulnerabilities_schema.json`).
//!
//! Required fields are required here; dates are `YYYY-MM-DD` dates; `cwes` and `notes`
//! are optional, as in the schema. `knownRansomwareCampaignUse` is `Known` or `Unknown`.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Format, from_json};
use crate::model::Exploited;

/// The whole catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KevCatalogue {
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `catalogVersion` (`2025.08.25`).
    pub catalog_version: String,
    /// `dateReleased`.
    pub date_released: String,
    /// `count`.
    pub count: u64,
    /// `vulnerabilities`.
    pub vulnerabilities: Vec<KevEntry>,
}

/// Whether a KEV entry is known to be used in ransomware campaigns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RansomwareUse {
    /// `Known`.
    Known,
    /// `Unknown` (CISA lacks confirmation).
    Unknown,
}

/// One catalogue entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KevEntry {
    /// `cveID`.
    #[serde(rename = "cveID")]
    pub cve_id: String,
    /// `vendorProject`.
    pub vendor_project: String,
    /// `product`.
    pub product: String,
    /// `vulnerabilityName`.
    pub vulnerability_name: String,
    /// `dateAdded`.
    pub date_added: Date,
    /// `shortDescription`.
    pub short_description: String,
    /// `requiredAction`.
    pub required_action: String,
    /// `dueDate`.
    pub due_date: Date,
    /// `knownRansomwareCampaignUse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_ransomware_campaign_use: Option<RansomwareUse>,
    /// `notes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// `cwes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
}

impl KevEntry {
    /// Reads one entry (a JSONL line of the catalogue's `vulnerabilities`).
    pub fn from_json_slice(bytes: &[u8]) -> Result<KevEntry, Error> {
        crate::error::parse_slice(bytes, Format::Kev)
    }

    /// Reads one entry from a JSON value.
    pub fn from_json_value(v: &serde_json::Value) -> Result<KevEntry, Error> {
        crate::error::from_value(v, Format::Kev, v.get("cveID").and_then(serde_json::Value::as_str))
    }

    /// The marking this entry puts on its flaw.
    pub fn exploited(&self) -> Exploited {
        Exploited {
            source: "CISA KEV".into(),
            date_added: Some(self.date_added),
            due_date: Some(self.due_date),
            required_action: Some(self.required_action.clone()),
            vulnerability_name: Some(self.vulnerability_name.clone()),
            known_ransomware_campaign_use: self.known_ransomware_campaign_use.map(|r| r == RansomwareUse::Known),
            reference: None,
        }
    }
}

impl KevCatalogue {
    /// Reads the catalogue; errors name the JSON pointer (`/vulnerabilities/12/dueDate`)
    /// and the entry's CVE id.
    pub fn from_json_slice(bytes: &[u8]) -> Result<KevCatalogue, Error> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        match serde_path_to_error::deserialize::<_, KevCatalogue>(&mut de) {
            Ok(c) => {
                de.end().map_err(|e| crate::error::syntax(Format::Kev, &e))?;
                Ok(c)
            }
            Err(e) => {
                let err = from_json(Format::Kev, e);
                // Name the entry by its CVE id when the pointer is inside one.
                let id = match &err {
                    Error::Invalid { path, .. } => entry_id(bytes, path),
                    _ => None,
                };
                Err(match id {
                    Some(id) => err.with_record(&id),
                    None => err,
                })
            }
        }
    }
}

fn entry_id(bytes: &[u8], path: &str) -> Option<String> {
    let index: usize = path.strip_prefix("/vulnerabilities/")?.split('/').next()?.parse().ok()?;
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    v.pointer(&format!("/vulnerabilities/{index}/cveID"))?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_and_errors() {
        let good = r#"{"cveID":"CVE-2025-1","vendorProject":"V","product":"P","vulnerabilityName":"N",
            "dateAdded":"2025-08-25","shortDescription":"d","requiredAction":"a","dueDate":"2025-09-15",
            "knownRansomwareCampaignUse":"Known","notes":"","cwes":["CWE-59"]}"#;
        let e = KevEntry::from_json_slice(good.as_bytes()).unwrap();
        assert_eq!(e.exploited().known_ransomware_campaign_use, Some(true));
        let cat = format!(
            r#"{{"catalogVersion":"1","dateReleased":"x","count":2,"vulnerabilities":[{good},{}]}}"#,
            good.replace("CVE-2025-1", "CVE-2025-2").replace("2025-09-15", "soon")
        );
        let err = KevCatalogue::from_json_slice(cat.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with("CISA KEV record CVE-2025-2, at /vulnerabilities/1/dueDate: expected"), "{err}");
    }
}
