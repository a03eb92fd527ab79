//! The one error type of this crate.
//!
//! Variants carry strings, never another crate's error: each names what was asked (the
//! ecosystem and version, the purl, the CPE name) and says what was expected and found.

/// Everything a lookup can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The queried version does not parse in the queried ecosystem.
    #[error("{ecosystem} version {version:?} does not parse: {reason}")]
    InvalidVersion {
        /// The ecosystem as queried (`PyPI`, `AlmaLinux:9`).
        ecosystem: String,
        /// The version as queried.
        version: String,
        /// Where and why (`byte 0: expected a digit, found 'x'`).
        reason: String,
    },
    /// The package URL does not parse.
    #[error("purl {purl:?} does not parse: {reason}")]
    InvalidPurl {
        /// The purl as given.
        purl: String,
        /// What was expected and found.
        reason: String,
    },
    /// The package URL parses but names no OSV ecosystem (`pkg:generic/...`).
    #[error("purl {purl:?} has no OSV ecosystem: {reason}")]
    UnsupportedPurl {
        /// The purl as given.
        purl: String,
        /// What was expected and found.
        reason: String,
    },
    /// The CPE name does not parse, or names no vendor and product to look up.
    #[error("CPE {cpe:?}: {reason}")]
    InvalidCpe {
        /// The CPE name as given.
        cpe: String,
        /// What was expected and found.
        reason: String,
    },
    /// A record origin name that is not one of `osv`, `nvd`, `cve5`.
    #[error("record origin {found:?}: expected one of osv, nvd, cve5")]
    UnknownOrigin {
        /// The name as given.
        found: String,
    },
}

/// The reason part of a `ch-version` error (its own message names the ecosystem and
/// version again, which [`Error::InvalidVersion`] already does).
pub(crate) fn version_reason(e: &ch_version::Error) -> String {
    match e {
        ch_version::Error::InvalidVersion { position, expected, found, .. } => {
            format!("byte {position}: expected {expected}, found {found}")
        }
        other => other.to_string(),
    }
}

/// The reason part of a `ch-purl` error.
pub(crate) fn purl_reason(e: &ch_purl::Error) -> String {
    match e {
        ch_purl::Error::Invalid { expected, found, .. } | ch_purl::Error::NoMapping { expected, found, .. } => {
            format!("expected {expected}, found {found}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_input() {
        let cases = [
            (
                Error::InvalidVersion { ecosystem: "PyPI".into(), version: "x!".into(), reason: "byte 0: ...".into() },
                "PyPI version \"x!\" does not parse: byte 0: ...",
            ),
            (
                Error::UnsupportedPurl { purl: "pkg:generic/a@1".into(), reason: "expected X, found Y".into() },
                "purl \"pkg:generic/a@1\" has no OSV ecosystem: expected X, found Y",
            ),
            (Error::UnknownOrigin { found: "ghsa".into() }, "record origin \"ghsa\": expected one of osv, nvd, cve5"),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}
