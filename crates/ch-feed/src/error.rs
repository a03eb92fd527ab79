//! Where a record came from, and what went wrong there.

use std::fmt;
use std::path::PathBuf;

/// The place of a record: the file, the archive member, the line (JSONL) or the element
/// index (a JSON array, an API response's `vulnerabilities`, the KEV catalogue).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Source {
    /// The file given (or found in a given directory).
    pub path: PathBuf,
    /// The member inside an archive (`.zip`, `.tar*`).
    pub member: Option<String>,
    /// The 1-based line of a JSONL stream.
    pub line: Option<u64>,
    /// The 0-based element of a JSON array of records.
    pub index: Option<u32>,
}

impl fmt::Display for Source {
    /// `path`, then `!member`, then `:line` or `[index]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(m) = &self.member {
            write!(f, "!{m}")?;
        }
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        Ok(())
    }
}

impl Source {
    pub(crate) fn with_line(&self, line: u64) -> Source {
        Source { line: Some(line), ..self.clone() }
    }

    pub(crate) fn with_index(&self, index: usize) -> Source {
        Source { index: u32::try_from(index).ok(), ..self.clone() }
    }

    /// A member of this source: nested archives join names with `!` (`a.zip!b.tar!c.json`).
    pub(crate) fn with_member(&self, member: String) -> Source {
        let member = match &self.member {
            Some(outer) => format!("{outer}!{member}"),
            None => member,
        };
        Source { member: Some(member), line: None, index: None, ..self.clone() }
    }
}

/// Why a record was not read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// Reading or decompressing failed (a missing file, a truncated or corrupt archive).
    /// Nothing more is read from that file or archive.
    #[error("reading failed: {0}")]
    Io(String),
    /// The content's format is not one this crate reads.
    #[error("format not recognised: expected {expected}, found {found}")]
    Unrecognised {
        /// What would have been recognised.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// The record does not parse or convert.
    #[error(transparent)]
    Record(Box<ch_advisory::Error>),
    /// The OSV record (as read, or as converted) is outside the OSV schema.
    #[error("{id}: outside the OSV schema: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Schema {
        /// The record's id.
        id: String,
        /// Every violation.
        errors: Vec<ch_advisory::SchemaError>,
    },
}

impl From<ch_advisory::Error> for Reason {
    fn from(e: ch_advisory::Error) -> Reason {
        Reason::Record(Box::new(e))
    }
}

/// A record that was not read, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedError {
    /// Where.
    pub source: Source,
    /// Why.
    pub reason: Reason,
}

impl fmt::Display for FeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.reason)
    }
}

impl std::error::Error for FeedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}

impl FeedError {
    pub(crate) fn new(source: &Source, reason: impl Into<Reason>) -> FeedError {
        FeedError { source: source.clone(), reason: reason.into() }
    }

    pub(crate) fn io(source: &Source, e: &std::io::Error) -> FeedError {
        FeedError { source: source.clone(), reason: Reason::Io(e.to_string()) }
    }

    /// Whether reading stopped here: nothing more comes from this file (or, inside a zip,
    /// from this member; a tar stream ends altogether).
    pub fn is_fatal(&self) -> bool {
        matches!(self.reason, Reason::Io(_))
    }
}
