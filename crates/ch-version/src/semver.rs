//! OSV-lenient Semantic Versioning 2.0.0 (npm, crates.io, Go, Hex, Pub, SwiftURL,
//! GitHub Actions, Bitnami and OSV `SEMVER` ranges).
//!
//! Follows semver.org §11 precedence, relaxed the way OSV data needs it: an optional
//! leading `v`, any number of numeric release components (`1.2` = `1.2.0`,
//! `1.2.3.4` > `1.2.3`, missing components are zero), numbers past `u64`, and leading
//! zeros. Build metadata (`+...`) is ignored for ordering (§10).

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::{Num, trim_zeros};

const NAME: &str = "SemVer";

/// A pre-release identifier (§9): numeric identifiers sort below alphanumeric ones.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Ident {
    Num(Num),
    Alpha(Box<str>),
}

/// A parsed lenient SemVer version.
#[derive(Clone, Debug)]
pub(crate) struct SemVer {
    /// Release numbers with trailing zeros removed.
    release: Vec<Num>,
    /// Pre-release identifiers; empty for a release.
    pre: Vec<Ident>,
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.release.cmp(&other.release).then_with(|| {
            // §11.3: a pre-release sorts below its release; §11.4: then identifier-wise.
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            }
        })
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// Parses dot-separated identifiers from `start`; returns them and the end offset.
fn identifiers(s: &str, start: usize, stop: Option<u8>) -> Result<(Vec<&str>, usize), Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    loop {
        let begin = i;
        while bytes.get(i).copied().is_some_and(is_ident_byte) {
            i += 1;
        }
        if i == begin {
            return Err(invalid(NAME, s, i, "an identifier of [0-9A-Za-z-]"));
        }
        out.push(s.get(begin..i).unwrap_or_default());
        match bytes.get(i) {
            Some(b'.') => i += 1,
            None => return Ok((out, i)),
            Some(b) if Some(*b) == stop => return Ok((out, i)),
            Some(_) => return Err(invalid(NAME, s, i, "'.', '+' or end of version")),
        }
    }
}

impl SemVer {
    /// Whether this has pre-release identifiers.
    pub(crate) fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    pub(crate) fn parse(s: &str) -> Result<SemVer, Error> {
        let bytes = s.as_bytes();
        let mut i = usize::from(matches!(bytes.first(), Some(b'v' | b'V')));
        let mut release = Vec::new();
        loop {
            let begin = i;
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == begin {
                return Err(invalid(NAME, s, i, "a digit"));
            }
            release.push(Num::from_digits(s.get(begin..i).unwrap_or_default()));
            match bytes.get(i) {
                Some(b'.') => i += 1,
                _ => break,
            }
        }
        let mut pre = Vec::new();
        if bytes.get(i) == Some(&b'-') {
            let (ids, end) = identifiers(s, i + 1, Some(b'+'))?;
            pre = ids
                .into_iter()
                .map(|id| {
                    if id.bytes().all(|b| b.is_ascii_digit()) {
                        Ident::Num(Num::from_digits(id))
                    } else {
                        Ident::Alpha(id.into())
                    }
                })
                .collect();
            i = end;
        }
        if bytes.get(i) == Some(&b'+') {
            let (_, end) = identifiers(s, i + 1, None)?;
            i = end;
        }
        if i != bytes.len() {
            return Err(invalid(NAME, s, i, "'.', '-', '+' or end of version"));
        }
        Ok(SemVer { release: trim_zeros(release), pre })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_table() {
        let cases = [
            ("", 0, "a digit"),
            ("v", 1, "a digit"),
            ("1..2", 2, "a digit"),
            ("1.2.3-", 6, "an identifier of [0-9A-Za-z-]"),
            ("1.2.3a", 5, "'.', '-', '+' or end of version"),
            ("1.2.3+b..c", 8, "an identifier of [0-9A-Za-z-]"),
            ("nightly.2026-03-10.0", 0, "a digit"),
        ];
        for (input, pos, expected) in cases {
            match SemVer::parse(input) {
                Err(Error::InvalidVersion { position, expected: e, .. }) => {
                    assert_eq!((position, e), (pos, expected), "{input}");
                }
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    #[test]
    fn order_table() {
        let cases = [
            ("1.2", "1.2.0", Ordering::Equal),
            ("1.2.3.4", "1.2.3", Ordering::Greater),
            ("1.0.0-alpha", "1.0.0-alpha.1", Ordering::Less),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta", Ordering::Less),
            ("1.0.0-rc.1", "1.0.0", Ordering::Less),
            ("v1.2.3+build", "1.2.3", Ordering::Equal),
            ("0.0.0-20250806193240-9b0b5d4f345f", "0.0.0", Ordering::Less),
        ];
        for (a, b, want) in cases {
            let (x, y) = (SemVer::parse(a).unwrap(), SemVer::parse(b).unwrap());
            assert_eq!(x.cmp(&y), want, "{a} vs {b}");
        }
    }
}
