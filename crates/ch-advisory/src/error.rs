//! The one error type of this crate.

use std::fmt;

/// A record format this crate reads (named in errors and kept as an advisory's source).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum Format {
    /// OSV JSON.
    OsvJson,
    /// OSV YAML.
    OsvYaml,
    /// RustSec native advisory (TOML front matter and Markdown).
    RustSec,
    /// CVE JSON 5.x record.
    Cve5,
    /// NVD CVE API 2.0 record (`vulnerabilities[].cve`).
    Nvd2,
    /// Legacy NVD JSON 1.1 feed item (`CVE_Items[]`).
    Nvd1,
    /// CISA Known Exploited Vulnerabilities catalogue.
    Kev,
    /// Node.js Security WG advisory (`vuln/{npm,core,deps}/*.json`).
    NodejsSecurityWg,
    /// FriendsOfPHP security-advisories record.
    FriendsOfPhp,
    /// Victims CVE DB record.
    Victims,
}

impl Format {
    /// A short name for messages and stored records.
    pub fn name(self) -> &'static str {
        match self {
            Format::OsvJson => "OSV JSON",
            Format::OsvYaml => "OSV YAML",
            Format::RustSec => "RustSec advisory",
            Format::Cve5 => "CVE JSON 5",
            Format::Nvd2 => "NVD CVE API 2.0",
            Format::Nvd1 => "NVD JSON 1.1",
            Format::Kev => "CISA KEV",
            Format::NodejsSecurityWg => "Node.js Security WG",
            Format::FriendsOfPhp => "FriendsOfPHP",
            Format::Victims => "Victims CVE DB",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong turning input into advisories.
///
/// Each variant names the format, the record (its id, when one was read) and the place
/// (a JSON pointer, a line and column), and says what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed JSON, YAML or TOML.
    #[error("{format}{}: line {line}, column {column}: {reason}", record_suffix(.record))]
    Syntax {
        /// The format being read.
        format: Format,
        /// The record id, when known.
        record: Option<String>,
        /// 1-based line (0 when the parser gave none).
        line: usize,
        /// 1-based column (0 when the parser gave none).
        column: usize,
        /// The parser's message.
        reason: String,
    },
    /// Well-formed input whose structure or values are not what the format allows.
    #[error("{format}{}, at {}: expected {expected}, found {found}", record_suffix(.record), shown_path(.path))]
    Invalid {
        /// The format being read.
        format: Format,
        /// The record id, when known.
        record: Option<String>,
        /// JSON pointer (or field path) of the problem; empty for the whole record.
        path: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A well-formed record this crate deliberately does not turn into an advisory.
    #[error("{format}{}: not imported: {reason}", record_suffix(.record))]
    Unsupported {
        /// The format being read.
        format: Format,
        /// The record id, when known.
        record: Option<String>,
        /// Why.
        reason: String,
    },
}

fn record_suffix(record: &Option<String>) -> String {
    match record {
        Some(r) => format!(" record {r}"),
        None => String::new(),
    }
}

fn shown_path(path: &str) -> &str {
    if path.is_empty() { "the top level" } else { path }
}

impl Error {
    /// The record id, when the error happened after the id was read.
    pub fn record(&self) -> Option<&str> {
        match self {
            Error::Syntax { record, .. } | Error::Invalid { record, .. } | Error::Unsupported { record, .. } => {
                record.as_deref()
            }
        }
    }

    /// The format being read.
    pub fn format(&self) -> Format {
        match self {
            Error::Syntax { format, .. } | Error::Invalid { format, .. } | Error::Unsupported { format, .. } => *format,
        }
    }

    pub(crate) fn invalid(
        format: Format,
        record: Option<&str>,
        path: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Error {
        Error::Invalid {
            format,
            record: record.map(str::to_owned),
            path: path.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn with_record(mut self, id: &str) -> Error {
        match &mut self {
            Error::Syntax { record, .. } | Error::Invalid { record, .. } | Error::Unsupported { record, .. } => {
                if record.is_none() {
                    *record = Some(id.to_owned());
                }
            }
        }
        self
    }
}

/// Turns a serde_json error, wrapped with its path, into an [`Error`].
pub(crate) fn from_json(format: Format, e: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = json_pointer(&e.path().to_string());
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return Error::Syntax {
            format,
            record: None,
            line: inner.line(),
            column: inner.column(),
            reason: strip_position(&inner.to_string()),
        };
    }
    let (expected, found) = split_serde_message(&strip_position(&inner.to_string()));
    Error::Invalid { format, record: None, path, expected, found }
}

/// A serde_json syntax error (no path: the input is not JSON).
pub(crate) fn syntax(format: Format, e: &serde_json::Error) -> Error {
    Error::Syntax { format, record: None, line: e.line(), column: e.column(), reason: strip_position(&e.to_string()) }
}

/// Parses `T` from JSON bytes. The fast path is plain serde_json; only a failure is
/// parsed again with path tracking, so that the error names the JSON pointer.
pub(crate) fn parse_slice<T: serde::de::DeserializeOwned>(bytes: &[u8], format: Format) -> Result<T, Error> {
    if let Ok(v) = serde_json::from_slice::<T>(bytes) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| from_json(format, e))?;
    de.end().map_err(|e| syntax(format, &e))?;
    Ok(v)
}

/// Deserialises `T` from a JSON value; errors name the pointer and `record`.
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    v: &serde_json::Value,
    format: Format,
    record: Option<&str>,
) -> Result<T, Error> {
    if let Ok(t) = T::deserialize(v) {
        return Ok(t);
    }
    serde_path_to_error::deserialize::<_, T>(v).map_err(|e| {
        let path = json_pointer(&e.path().to_string());
        let (expected, found) = split_serde_message(&e.into_inner().to_string());
        Error::invalid(format, record, path, expected, found)
    })
}

/// serde_path_to_error writes `a.b[0].c`; we name places by JSON pointer `/a/b/0/c`.
pub(crate) fn json_pointer(dotted: &str) -> String {
    if dotted == "." || dotted.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(dotted.len() + 1);
    for part in dotted.split('.') {
        // `b[0][1]` -> b, 0, 1
        let mut rest = part;
        let head_end = rest.find('[').unwrap_or(rest.len());
        let (head, tail) = rest.split_at(head_end);
        if !head.is_empty() {
            out.push('/');
            out.push_str(&head.replace('~', "~0").replace('/', "~1"));
        }
        rest = tail;
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']').unwrap_or(inner.len());
            out.push('/');
            out.push_str(inner.get(..close).unwrap_or_default());
            rest = inner.get(close + 1..).unwrap_or_default();
        }
    }
    out
}

/// serde_json appends " at line L column C"; our messages carry the place separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

/// Reshapes serde's "invalid type: null, expected a string" into (expected, found).
pub(crate) fn split_serde_message(msg: &str) -> (String, String) {
    if let Some(field) = msg.strip_prefix("missing field ") {
        return (format!("field {field}"), "no such field".to_owned());
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        if let Some((field, expected)) = rest.split_once(", expected ") {
            return (format!("a known field ({expected})"), format!("field {field}"));
        }
        if let Some((field, _)) = rest.split_once(", there are no fields") {
            return ("no fields".to_owned(), format!("field {field}"));
        }
    }
    if let Some((variant, expected)) = msg.strip_prefix("unknown variant ").and_then(|r| r.split_once(", expected ")) {
        return (expected.to_owned(), variant.to_owned());
    }
    if let Some((found, expected)) = msg.split_once(", expected ") {
        let found = found
            .trim_start_matches("invalid type: ")
            .trim_start_matches("invalid value: ")
            .trim_start_matches("invalid length ")
            .to_owned();
        return (expected.to_owned(), found);
    }
    ("a value this format allows".to_owned(), msg.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_table() {
        let cases = [
            (".", ""),
            ("affected[0].ranges[1].events[2]", "/affected/0/ranges/1/events/2"),
            ("severity[0].type", "/severity/0/type"),
            ("a/b", "/a~1b"),
            ("m[0][1]", "/m/0/1"),
        ];
        for (dotted, want) in cases {
            assert_eq!(json_pointer(dotted), want, "{dotted}");
        }
    }

    #[test]
    fn messages_table() {
        let cases = [
            ("invalid type: null, expected a string", ("a string", "null")),
            ("missing field `id`", ("field `id`", "no such field")),
            (
                "unknown variant `CVSS_V9`, expected one of `CVSS_V2`, `CVSS_V3`",
                ("one of `CVSS_V2`, `CVSS_V3`", "`CVSS_V9`"),
            ),
        ];
        for (msg, (e, f)) in cases {
            assert_eq!(split_serde_message(msg), (e.to_owned(), f.to_owned()), "{msg}");
        }
    }
}
