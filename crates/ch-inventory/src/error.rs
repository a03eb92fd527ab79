//! The one error type of the readers, and helpers that turn parser errors
//! (serde_json, line-oriented text) into it.
//!
//! Every error names the file, the place (line:column and/or a JSON pointer)
//! and says "expected X, found Y".

use std::fmt;

use serde::de::DeserializeOwned;

use crate::Format;

/// A place in a document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// 1-based line (u32 keeps [`Error`] small; files past 4G lines saturate).
    pub line: Option<u32>,
    /// 1-based column (in characters).
    pub column: Option<u32>,
    /// JSON pointer (or a path of the same shape for XML, YAML, TOML).
    pub pointer: Option<String>,
}

impl Location {
    /// Line and column.
    pub fn at(line: usize, column: usize) -> Self {
        Location { line: Some(saturate(line)), column: Some(saturate(column)), pointer: None }
    }

    /// A line only.
    pub fn line(line: usize) -> Self {
        Location { line: Some(saturate(line)), column: None, pointer: None }
    }

    /// The line as a `usize`, for [`crate::Origin`].
    pub fn line_number(&self) -> Option<usize> {
        self.line.and_then(|l| usize::try_from(l).ok())
    }

    /// A pointer only.
    pub fn pointer(pointer: impl Into<String>) -> Self {
        Location { line: None, column: None, pointer: Some(pointer.into()) }
    }

    /// Line and column of a byte offset in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        Location::at(line, column)
    }
}

/// Line starts of a text, for many offset -> line:column lookups
/// (`Location::of_offset` scans from the start each time).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Line and column of a byte offset in the indexed `text`.
    pub fn location(&self, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        Location::at(line, column)
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Rendered right after the file name: `f.json:3:7 at /a/0`.
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, ":{l}:{c}")?,
            (Some(l), None) => write!(f, ":{l}")?,
            _ => {}
        }
        if let Some(pointer) = &self.pointer {
            let shown = if pointer.is_empty() { "/" } else { pointer };
            write!(f, " at {shown}")?;
        }
        Ok(())
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not well formed, or not the shape of its format.
    #[error("{file}{location}: expected {expected}, found {found}")]
    Syntax {
        /// File name hint.
        file: String,
        /// Format being read.
        format: Format,
        /// Where.
        location: Location,
        /// What the reader wanted.
        expected: String,
        /// What it saw.
        found: String,
    },
    /// The document has no content at all.
    #[error("{file}: expected {}, found an empty file", .format.describe())]
    Empty {
        /// File name hint.
        file: String,
        /// Format being read.
        format: Format,
    },
    /// Neither the file name nor the content says which format this is.
    #[error(
        "{file}: expected a known SBOM, lockfile, package database or product list, \
         found {found}; name the format explicitly"
    )]
    Undetected {
        /// File name hint.
        file: String,
        /// A short description of the start of the content.
        found: String,
    },
    /// A format name that is not one of [`Format::as_str`].
    #[error("expected a format name such as `cyclonedx-json` or `npm-lock`, found `{found}`")]
    UnknownFormatName {
        /// The name given.
        found: String,
    },
    /// A recognised document in a version or variant the readers do not handle.
    #[error("{file}: expected {expected}, found {found} (not supported)")]
    Unsupported {
        /// File name hint.
        file: String,
        /// Format being read.
        format: Format,
        /// What is supported.
        expected: String,
        /// What was found.
        found: String,
    },
}

impl Error {
    /// A syntax error.
    pub fn syntax(
        file: &str,
        format: Format,
        location: Location,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Error::Syntax { file: file.to_owned(), format, location, expected: expected.into(), found: found.into() }
    }

    /// The location, when the error has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Syntax { location, .. } => Some(location),
            _ => None,
        }
    }
}

/// Describe what is at byte `offset` of `text` for a "found ..." clause.
pub fn found_at(text: &str, offset: usize) -> String {
    let rest = text.get(offset.min(text.len())..).unwrap_or("");
    let token: String = rest.lines().next().unwrap_or("").chars().take(40).collect();
    if rest.is_empty() {
        "end of input".to_owned()
    } else if token.trim().is_empty() {
        "a blank line".to_owned()
    } else {
        format!("`{}`", token.trim_end())
    }
}

/// Describe the start of a document (for [`Error::Undetected`]).
pub fn describe_start(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(64)).unwrap_or(bytes));
    let first = text.trim_start().lines().next().unwrap_or("").trim();
    if bytes.is_empty() {
        "an empty file".to_owned()
    } else if first.is_empty() {
        "only blank lines".to_owned()
    } else {
        let short: String = first.chars().take(32).collect();
        format!("content starting `{short}`")
    }
}

/// Decode UTF-8 (dropping a byte order mark), or say where it is not UTF-8.
pub fn utf8<'a>(bytes: &'a [u8], file: &str, format: Format) -> Result<&'a str, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes.get(..e.valid_up_to()).unwrap_or(&[]);
        let text = std::str::from_utf8(valid).unwrap_or("");
        Error::syntax(
            file,
            format,
            Location::of_offset(text, text.len()),
            "UTF-8 text",
            format!("byte 0x{:02x}", bytes.get(e.valid_up_to()).copied().unwrap_or(0)),
        )
    })
}

/// Fail with [`Error::Empty`] when `text` is only whitespace.
pub fn non_empty(text: &str, file: &str, format: Format) -> Result<(), Error> {
    if text.trim().is_empty() { Err(Error::Empty { file: file.to_owned(), format }) } else { Ok(()) }
}

/// Deserialize JSON into `T`, reporting errors with line:column, the JSON
/// pointer of the failing value and "expected X, found Y".
pub fn from_json<T: DeserializeOwned>(text: &str, file: &str, format: Format) -> Result<T, Error> {
    non_empty(text, file, format)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|e| {
        let pointer = path_to_pointer(&e.path().to_string());
        json_error(text, file, format, e.inner(), Some(pointer))
    })?;
    de.end().map_err(|e| json_error(text, file, format, &e, None))?;
    Ok(value)
}

fn path_to_pointer(path: &str) -> String {
    if path == "." || path.is_empty() {
        return String::new();
    }
    // serde_path_to_error renders `a.b[0].c`; keys containing `.` are
    // ambiguous but rare in the formats we read.
    let mut out = String::new();
    for seg in path.split('.') {
        let mut rest = seg;
        let key_end = rest.find('[').unwrap_or(rest.len());
        let key = rest.get(..key_end).unwrap_or("");
        if !key.is_empty() {
            out.push('/');
            out.push_str(&key.replace('~', "~0").replace('/', "~1"));
        }
        rest = rest.get(key_end..).unwrap_or("");
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']').unwrap_or(stripped.len());
            out.push('/');
            out.push_str(stripped.get(..end).unwrap_or(""));
            rest = stripped.get(end + 1..).unwrap_or("");
        }
    }
    out
}

/// Convert a serde_json error to [`Error::Syntax`].
pub fn json_error(text: &str, file: &str, format: Format, e: &serde_json::Error, pointer: Option<String>) -> Error {
    let mut location = Location::at(e.line(), e.column());
    if e.line() == 0 {
        location.line = None;
        location.column = None;
    }
    location.pointer = pointer.filter(|_| !e.is_syntax() && !e.is_eof());
    let full = e.to_string();
    let message = full.rfind(" at line ").and_then(|i| full.get(..i)).unwrap_or(&full).to_owned();
    let (expected, found) = split_serde_message(&message).unwrap_or_else(|| {
        if e.is_eof() {
            (format!("the rest of {}", format.describe()), "end of input".to_owned())
        } else if e.is_syntax() {
            let mut offset = offset_of(text, e.line(), e.column().saturating_sub(1));
            // serde_json reports the column after the first bad character of
            // a bare word (`this` -> column 2): point at the word's start.
            while offset > 0
                && text.get(..offset).and_then(|s| s.chars().next_back()).is_some_and(|c| c.is_alphanumeric())
            {
                offset -= 1;
            }
            location = Location { pointer: None, ..Location::of_offset(text, offset) };
            let expected = message.strip_prefix("expected ").unwrap_or(&message).to_owned();
            let expected = if expected == "value" || expected == "ident" {
                format!("a JSON value ({})", format.describe())
            } else {
                expected
            };
            (expected, found_at(text, offset))
        } else {
            (format.describe().to_owned(), message.clone())
        }
    });
    Error::syntax(file, format, location, expected, found)
}

/// Split serde's "invalid type: X, expected Y" / "missing field `f`" messages.
pub fn split_serde_message(message: &str) -> Option<(String, String)> {
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (found, expected) = rest.split_once(", expected ")?;
            return Some((expected.to_owned(), found.to_owned()));
        }
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return Some((format!("field {field}"), "an object without it".to_owned()));
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (found, expected) = rest.split_once(", expected ")?;
        return Some((expected.to_owned(), found.to_owned()));
    }
    None
}

/// Byte offset of a 1-based line and 0-based character column.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + l.char_indices().nth(column).map_or(l.len(), |(byte, _)| byte);
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers() {
        for (path, pointer) in [
            (".", ""),
            ("packages", "/packages"),
            ("packages[3].name", "/packages/3/name"),
            ("a/b.c", "/a~1b/c"),
            ("x[0][1]", "/x/0/1"),
        ] {
            assert_eq!(path_to_pointer(path), pointer, "{path}");
        }
    }

    #[test]
    fn json_errors_name_the_place() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: Vec<String>,
        }
        let e = from_json::<T>("{\n \"a\": [\"x\", 3]\n}", "f.json", Format::NpmLock).expect_err("bad type");
        assert_eq!(e.to_string(), "f.json:2:13 at /a/1: expected a string, found integer `3`");
        let e = from_json::<T>("this is not json", "f.json", Format::NpmLock).expect_err("bad");
        assert_eq!(e.to_string(), "f.json:1:1: expected a JSON value (a package-lock.json), found `this is not json`");
        let e = from_json::<T>("  \n", "f.json", Format::NpmLock).expect_err("empty");
        assert_eq!(e.to_string(), "f.json: expected a package-lock.json, found an empty file");
    }

    #[test]
    fn offsets() {
        assert_eq!(Location::of_offset("ab\ncd", 4), Location::at(2, 2));
        let text = "ab\ncd\n\nef";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            assert_eq!(index.location(text, offset), Location::of_offset(text, offset), "{offset}");
        }
        assert_eq!(offset_of("ab\ncd", 2, 1), 4);
    }
}
