//! The OSV record, field for field (OSV schema 1.7, `schema/osv-schema.json`).
//!
//! Invariants:
//! - every field of the schema is here, in the schema's order, and nothing else: an
//!   unknown field is an error naming it (the schema's `additionalProperties: false`, and
//!   the spec's "fields not defined here must not be added" for nested objects);
//! - `ecosystem_specific` and `database_specific` are kept as JSON objects, unread;
//! - timestamps are kept as written (the schema's pattern is checked by
//!   [`crate::validate_osv`], the instant is read by [`crate::Advisory::from_osv`]);
//! - a field absent on input is absent on output, an empty list stays an empty list. A
//!   field the schema allows to be `null` (`aliases`, `severity`, `affected`,
//!   `references`) reads as absent, so `null` is the one thing a round trip does not keep.
//!
//! Ranges and events reuse `ch-version`'s [`RangeType`] and [`Event`], so a parsed range
//! goes straight to [`ch_version::AffectedRange`] for evaluation.

use ch_version::{Event, OsvRange, RangeType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Format};

/// A JSON object kept unread (`ecosystem_specific`, `database_specific`).
pub type Object = Map<String, Value>;

/// An OSV record.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Osv {
    /// `schema_version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    /// `id`.
    pub id: String,
    /// `modified` (RFC 3339, as written).
    pub modified: String,
    /// `published`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// `withdrawn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// `aliases`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// `related`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<String>>,
    /// `upstream`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<Vec<String>>,
    /// `summary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// `details` (CommonMark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// `severity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Vec<Severity>>,
    /// `affected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<Vec<Affected>>,
    /// `references`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<Reference>>,
    /// `credits`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Vec<Credit>>,
    /// `database_specific`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Object>,
}

/// A `severity[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: SeverityType,
    /// `score`: a vector, or for `Ubuntu` a priority word.
    pub score: String,
}

/// `severity[].type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SeverityType {
    /// A CVSS v2 vector.
    #[serde(rename = "CVSS_V2")]
    CvssV2,
    /// A CVSS v3.0 or v3.1 vector.
    #[serde(rename = "CVSS_V3")]
    CvssV3,
    /// A CVSS v4.0 vector.
    #[serde(rename = "CVSS_V4")]
    CvssV4,
    /// An Ubuntu priority (`negligible` .. `critical`).
    Ubuntu,
}

/// An `affected[]` entry.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Affected {
    /// `package`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// `severity` (only when the record has no top-level `severity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Vec<Severity>>,
    /// `ranges`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<Vec<Range>>,
    /// `versions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<String>>,
    /// `ecosystem_specific`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Object>,
    /// `database_specific`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Object>,
}

/// `affected[].package`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// `ecosystem`, with any `:release` suffix.
    pub ecosystem: String,
    /// `name`.
    pub name: String,
    /// `purl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// `affected[].ranges[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// `repo` (GIT ranges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// `events`.
    pub events: Vec<Event>,
    /// `database_specific`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Object>,
}

impl Range {
    /// The range in `ch-version`'s shape, for [`ch_version::AffectedRange::new`].
    pub fn to_osv_range(&self) -> OsvRange {
        OsvRange { kind: self.kind, repo: self.repo.clone(), events: self.events.clone() }
    }

    /// A range from `ch-version`'s shape.
    pub fn from_osv_range(r: OsvRange) -> Range {
        Range { kind: r.kind, repo: r.repo, events: r.events, database_specific: None }
    }
}

/// A `references[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: ReferenceType,
    /// `url`.
    pub url: String,
}

/// `references[].type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ReferenceType {
    Advisory,
    Article,
    Detection,
    Discussion,
    Report,
    Fix,
    Introduced,
    Git,
    Package,
    Evidence,
    Web,
}

/// A `credits[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    /// `name`.
    pub name: String,
    /// `contact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Vec<String>>,
    /// `type`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CreditType>,
}

/// `credits[].type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum CreditType {
    Finder,
    Reporter,
    Analyst,
    Coordinator,
    RemediationDeveloper,
    RemediationReviewer,
    RemediationVerifier,
    Tool,
    Sponsor,
    Other,
}

/// Reads `id` alone, to name the record in an error about the rest of it.
#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<Value>,
}

impl Osv {
    /// Parses one OSV record from JSON; errors name the JSON pointer of the problem.
    pub fn from_json_slice(bytes: &[u8]) -> Result<Osv, Error> {
        crate::error::parse_slice::<Osv>(bytes, Format::OsvJson).map_err(|err| match serde_json::from_slice::<IdOnly>(
            bytes,
        )
        .ok()
        .and_then(|i| i.id)
        {
            Some(Value::String(id)) => err.with_record(&id),
            _ => err,
        })
    }

    /// Parses one OSV record from a JSON value.
    pub fn from_json_value(value: &Value) -> Result<Osv, Error> {
        crate::error::from_value(value, Format::OsvJson, value.get("id").and_then(Value::as_str))
    }

    /// Parses one OSV record from YAML (the PyPA and Go databases' source form).
    pub fn from_yaml_str(text: &str) -> Result<Osv, Error> {
        crate::yaml::from_yaml(text, Format::OsvYaml)
    }

    /// The record as a JSON value.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The record as compact JSON.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"schema_version":"1.6.0","id":"GHSA-xxxx-yyyy-zzzz","modified":"2023-01-01T00:00:00Z",
        "aliases":[],"summary":"s","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}],
        "versions":[],"database_specific":{"k":[1,null]}}],
        "references":[{"type":"WEB","url":"https://example.invalid/"}],"credits":[{"name":"n","type":"FINDER"}]}"#;

    #[test]
    fn round_trip_keeps_everything() {
        let osv = Osv::from_json_slice(RECORD.as_bytes()).unwrap();
        let original: Value = serde_json::from_str(RECORD).unwrap();
        assert_eq!(osv.to_json_value(), original);
    }

    #[test]
    fn errors_name_the_place_table() {
        let cases = [
            (
                r#"{"id":"X-1","modified":"m","affected":[{"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixd":"1"}]}]}]}"#,
                "OSV JSON record X-1, at /affected/0/ranges/0/events/1: expected one of `introduced`, `fixed`, `last_affected`, `limit`, found `fixd`",
            ),
            (
                r#"{"id":"X-2","modified":"m","severity":[{"type":"CVSS_V9","score":"s"}]}"#,
                "OSV JSON record X-2, at /severity/0/type: expected one of `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, found `CVSS_V9`",
            ),
            (
                r#"{"id":"X-3","modified":"m","extra":1}"#,
                "OSV JSON record X-3, at /extra: expected a known field (one of `schema_version`",
            ),
            (r#"{"modified":"m"}"#, "OSV JSON, at the top level: expected field `id`, found no such field"),
            (r#"{"id":"X-4","#, "OSV JSON: line 1, column 12: EOF while parsing a value"),
        ];
        for (input, want) in cases {
            let err = Osv::from_json_slice(input.as_bytes()).unwrap_err().to_string();
            assert!(err.starts_with(want), "{input}\n got: {err}\nwant: {want}");
        }
    }

    #[test]
    fn yaml_keeps_scalars_as_written() {
        let yaml = "id: PYSEC-2021-1\nmodified: 2021-10-05T16:15:00Z\naffected:\n- package:\n    ecosystem: PyPI\n    name: x\n  versions:\n  - 1.10\n  - 2.0\n";
        let osv = Osv::from_yaml_str(yaml).unwrap();
        assert_eq!(osv.modified, "2021-10-05T16:15:00Z");
        let versions = osv.affected.unwrap()[0].versions.clone().unwrap();
        assert_eq!(versions, ["1.10", "2.0"]);
        let err = Osv::from_yaml_str("id: [\n").unwrap_err();
        assert!(matches!(err, Error::Syntax { format: Format::OsvYaml, .. }), "{err}");
    }
}
