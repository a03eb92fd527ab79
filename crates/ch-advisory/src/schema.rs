//! Validation against the official OSV JSON Schema.
//!
//! The schema (`schema/osv-schema.json`, ossf/osv-schema 51b8156b, draft 2020-12, 16 KiB)
//! is embedded and compiled once. It has no `$ref` outside itself, so no retriever is
//! configured and nothing is fetched. Formats (`date-time`, `uri`) are checked too: the
//! 2020-12 draft makes them annotations by default, but the OSV spec requires RFC 3339
//! timestamps and URLs.

use std::sync::OnceLock;

use serde_json::Value;

/// The OSV JSON Schema this crate validates against.
pub const OSV_SCHEMA: &str = include_str!("../schema/osv-schema.json");

/// One schema violation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SchemaError {
    /// JSON pointer of the offending value in the record (empty for the record itself).
    pub path: String,
    /// What the schema requires there, in the validator's words.
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() { "the top level" } else { &self.path };
        write!(f, "at {path}: {}", self.message)
    }
}

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(OSV_SCHEMA).ok()?;
            jsonschema::options().should_validate_formats(true).build(&schema).ok()
        })
        .as_ref()
}

/// Validates an OSV record (as JSON) against the OSV schema; every violation is listed.
pub fn validate_osv(record: &Value) -> Result<(), Vec<SchemaError>> {
    let Some(v) = validator() else {
        // The embedded schema is checked by this crate's tests; an unusable schema is
        // reported as a violation rather than a panic.
        return Err(vec![SchemaError {
            path: String::new(),
            message: "the embedded OSV schema did not compile".into(),
        }]);
    };
    // The common case, a valid record, takes the validator's short-circuiting path;
    // only an invalid one is walked again for every violation and its place.
    if v.is_valid(record) {
        return Ok(());
    }
    let errors: Vec<SchemaError> = v
        .iter_errors(record)
        .map(|e| SchemaError { path: e.instance_path().to_string(), message: e.to_string() })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_compiles() {
        assert!(validator().is_some());
    }

    #[test]
    fn violations_table() {
        let ok = serde_json::json!({"id": "PYSEC-2021-1", "modified": "2021-01-01T00:00:00Z"});
        assert_eq!(validate_osv(&ok), Ok(()));
        let cases = [
            (serde_json::json!({"id": "PYSEC-1"}), ""),
            (serde_json::json!({"id": "NOPE-1", "modified": "2021-01-01T00:00:00Z"}), "/id"),
            (serde_json::json!({"id": "CVE-1", "modified": "yesterday"}), "/modified"),
            (
                serde_json::json!({"id": "CVE-1", "modified": "2021-01-01T00:00:00Z",
                    "affected": [{"ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0"}]}]}]}),
                "/affected/0/ranges/0/events",
            ),
            (
                serde_json::json!({"id": "CVE-1", "modified": "2021-01-01T00:00:00Z",
                    "references": [{"type": "WEB", "url": "not a url"}]}),
                "/references/0/url",
            ),
        ];
        for (record, path) in cases {
            let errors = validate_osv(&record).unwrap_err();
            assert!(errors.iter().any(|e| e.path == path), "{record}: {errors:?}");
        }
    }
}
