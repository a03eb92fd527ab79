//! The one error type of this crate.

/// Everything that can go wrong reading an ignore file, naming a format or rendering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ignore file is not well-formed TOML.
    #[error("{file}: line {line}, column {column}: {reason}")]
    IgnoreSyntax {
        /// The ignore file, as the caller named it.
        file: String,
        /// 1-based line (0 when the parser gave none).
        line: usize,
        /// 1-based column (0 when the parser gave none).
        column: usize,
        /// The TOML parser's message.
        reason: String,
    },
    /// Well-formed TOML that is not a valid ignore file.
    #[error("{file}{}{}: expected {expected}, found {found}", entry_part(*.entry), line_part(*.line))]
    IgnoreInvalid {
        /// The ignore file, as the caller named it.
        file: String,
        /// 1-based index of the `[[ignore]]` entry, when the problem is inside one.
        entry: Option<usize>,
        /// 1-based line, when known.
        line: Option<usize>,
        /// What the file should have had there.
        expected: String,
        /// What it had.
        found: String,
    },
    /// An output format name that is not one of ours.
    #[error("unknown output format: expected one of table, json, sarif, markdown, cyclonedx, found {found:?}")]
    UnknownFormat {
        /// The name given.
        found: String,
    },
    /// A severity word that is not one of ours.
    #[error("unknown severity: expected one of none, low, medium, high, critical, found {found:?}")]
    UnknownSeverity {
        /// The word given.
        found: String,
    },
    /// Rendering failed (serialisation; not expected in practice).
    #[error("could not render {format}: {reason}")]
    Render {
        /// The output format.
        format: &'static str,
        /// What went wrong.
        reason: String,
    },
}

fn entry_part(entry: Option<usize>) -> String {
    entry.map(|e| format!(", ignore entry {e}")).unwrap_or_default()
}

fn line_part(line: Option<usize>) -> String {
    line.map(|l| format!(" (line {l})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place() {
        let cases = [
            (
                Error::IgnoreInvalid {
                    file: ".chignore.toml".into(),
                    entry: Some(2),
                    line: Some(7),
                    expected: "a `reason`".into(),
                    found: "none".into(),
                },
                ".chignore.toml, ignore entry 2 (line 7): expected a `reason`, found none",
            ),
            (
                Error::IgnoreInvalid {
                    file: "f".into(),
                    entry: None,
                    line: None,
                    expected: "x".into(),
                    found: "y".into(),
                },
                "f: expected x, found y",
            ),
            (
                Error::IgnoreSyntax { file: "f".into(), line: 3, column: 4, reason: "invalid string".into() },
                "f: line 3, column 4: invalid string",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}
