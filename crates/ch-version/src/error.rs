//! The one error type of this crate.

/// Everything that can go wrong while parsing versions, ecosystems and ranges.
///
/// Each variant names the place (ecosystem or syntax, the input, a byte offset) and says
/// what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ecosystem name is not one this crate orders.
    #[error("unknown ecosystem {name:?}: expected one of {expected}")]
    UnknownEcosystem {
        /// The name as given.
        name: String,
        /// The names this crate accepts.
        expected: &'static str,
    },
    /// A version string does not follow its ecosystem's grammar.
    #[error("{ecosystem} version {version:?}, byte {position}: expected {expected}, found {found}")]
    InvalidVersion {
        /// The ordering scheme (or ecosystem) whose grammar was applied.
        ecosystem: &'static str,
        /// The version as given.
        version: String,
        /// Byte offset of the problem in `version`.
        position: usize,
        /// What the grammar expected there.
        expected: &'static str,
        /// What was there instead.
        found: String,
    },
    /// An OSV range is malformed (wrong event, missing `introduced`, GIT without repo...).
    #[error("{place}: expected {expected}, found {found}")]
    InvalidRange {
        /// Where: range type and event index.
        place: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A foreign range syntax (npm, Composer, Maven, RubyGems, PEP 440) does not parse, or
    /// cannot be expressed exactly as OSV events.
    #[error("{syntax} constraint {input:?}, byte {position}: expected {expected}, found {found}")]
    InvalidConstraint {
        /// Which syntax was parsed.
        syntax: &'static str,
        /// The constraint as given.
        input: String,
        /// Byte offset of the problem.
        position: usize,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A GIT range was asked about a version; it can only be evaluated on commits.
    #[error("GIT range of {repo}: expected a commit and its ancestry, found a version {version:?}")]
    GitRangeNeedsCommit {
        /// The repository of the range.
        repo: String,
        /// The version that was asked about.
        version: String,
    },
}

/// Describes the character at `pos` of `s` for "found ..." messages.
pub(crate) fn found_at(s: &str, pos: usize) -> String {
    match s.get(pos..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("{c:?}"),
        None => "end of input".to_owned(),
    }
}

/// Shorthand for an [`Error::InvalidVersion`].
pub(crate) fn invalid(ecosystem: &'static str, version: &str, position: usize, expected: &'static str) -> Error {
    Error::InvalidVersion {
        ecosystem,
        version: version.to_owned(),
        position,
        expected,
        found: found_at(version, position),
    }
}
