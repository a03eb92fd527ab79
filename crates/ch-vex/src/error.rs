//! The one error type of this crate. Every variant names the format and the place (a
//! JSON pointer into the document read or written) and says what was expected.

use std::fmt;

/// A document format this crate reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Format {
    /// OpenVEX JSON (0.2.0, and the older 0.0.x shapes when reading).
    OpenVex,
    /// A CycloneDX 1.4-1.6 JSON BOM with `vulnerabilities[].analysis`.
    CycloneDx,
}

impl Format {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::OpenVex => "OpenVEX",
            Format::CycloneDx => "CycloneDX VEX",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong reading, checking or writing VEX documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed JSON.
    #[error("{format}: line {line}, column {column}: {reason}")]
    Syntax {
        /// The format being read.
        format: Format,
        /// 1-based line (0 when the parser gave none).
        line: usize,
        /// 1-based column (0 when the parser gave none).
        column: usize,
        /// The parser's message.
        reason: String,
    },
    /// Well-formed JSON whose structure or values the format or the OpenVEX rules do not
    /// allow; also a statement that cannot be written (its place is then in the
    /// document that would have been written, `/statements/N/...`).
    #[error("{format}, at {}: expected {expected}, found {found}", shown(.place))]
    Invalid {
        /// The format being read or written.
        format: Format,
        /// JSON pointer of the problem; empty for the whole document.
        place: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// Valid input this crate deliberately does not turn into statements, because the
    /// statement model cannot say it (for example CycloneDX version ranges).
    #[error("{format}, at {}: not supported: {reason}", shown(.place))]
    Unsupported {
        /// The format being read.
        format: Format,
        /// JSON pointer of the construct.
        place: String,
        /// Why.
        reason: String,
    },
}

fn shown(place: &str) -> &str {
    if place.is_empty() { "the top level" } else { place }
}

impl Error {
    /// The format being read or written.
    pub fn format(&self) -> Format {
        match self {
            Error::Syntax { format, .. } | Error::Invalid { format, .. } | Error::Unsupported { format, .. } => *format,
        }
    }

    /// The JSON pointer of the problem (empty for syntax errors and the whole document).
    pub fn place(&self) -> &str {
        match self {
            Error::Syntax { .. } => "",
            Error::Invalid { place, .. } | Error::Unsupported { place, .. } => place,
        }
    }

    pub(crate) fn invalid(
        format: Format,
        place: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Error {
        Error::Invalid { format, place: place.into(), expected: expected.into(), found: found.into() }
    }

    pub(crate) fn syntax(format: Format, e: &serde_json::Error) -> Error {
        let msg = e.to_string();
        let reason = match msg.rfind(" at line ") {
            Some(i) => msg.get(..i).unwrap_or(&msg).to_owned(),
            None => msg,
        };
        Error::Syntax { format, line: e.line(), column: e.column(), reason }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place() {
        let cases = [
            (
                Error::invalid(Format::OpenVex, "/statements/0/status", "one of a, b", "\"c\""),
                "OpenVEX, at /statements/0/status: expected one of a, b, found \"c\"",
            ),
            (
                Error::invalid(Format::CycloneDx, "", "an object", "an array"),
                "CycloneDX VEX, at the top level: expected an object, found an array",
            ),
            (
                Error::Unsupported { format: Format::CycloneDx, place: "/x".into(), reason: "why".into() },
                "CycloneDX VEX, at /x: not supported: why",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let e = serde_json::from_str::<serde_json::Value>("{\n  \"a\": ]").unwrap_err();
        let e = Error::syntax(Format::OpenVex, &e);
        assert!(matches!(e, Error::Syntax { line: 2, .. }), "{e:?}");
        assert!(!e.to_string().contains(" at line "), "{e}");
    }
}
