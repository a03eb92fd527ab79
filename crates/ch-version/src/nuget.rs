//! NuGet versions (NuGet.Versioning `NuGetVersion` and `VersionComparer.Default`).
//!
//! `major[.minor[.patch[.revision]]][-prerelease][+metadata]`: missing numeric parts are
//! zero (`1.0` = `1.0.0.0`), leading zeros are ignored, pre-release labels compare like
//! SemVer 2.0 but case-insensitively, metadata is ignored. Lenient as OSV data needs:
//! more than four numeric parts and numbers past `u64` are accepted.

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::{Num, trim_zeros};

const NAME: &str = "NuGet";

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Label {
    Num(Num),
    Alpha(Box<str>),
}

/// A parsed NuGet version.
#[derive(Clone, Debug)]
pub(crate) struct NuGet {
    release: Vec<Num>,
    pre: Vec<Label>,
}

impl Ord for NuGet {
    fn cmp(&self, other: &Self) -> Ordering {
        self.release.cmp(&other.release).then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.pre.cmp(&other.pre),
        })
    }
}

impl NuGet {
    /// Whether this has pre-release labels.
    pub(crate) fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    pub(crate) fn parse(s: &str) -> Result<NuGet, Error> {
        let (main, _metadata) = match s.split_once('+') {
            Some((m, meta)) => {
                if meta.is_empty()
                    || meta
                        .split('.')
                        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
                {
                    return Err(invalid(NAME, s, m.len() + 1, "build metadata of [0-9A-Za-z-.]"));
                }
                (m, meta)
            }
            None => (s, ""),
        };
        let (numbers, pre) = match main.split_once('-') {
            Some((n, p)) => (n, Some(p)),
            None => (main, None),
        };
        let mut release = Vec::new();
        let mut offset = 0;
        for part in numbers.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                let bad = part.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(0);
                return Err(invalid(NAME, s, offset + bad, "a number"));
            }
            release.push(Num::from_digits(part));
            offset += part.len() + 1;
        }
        let mut labels = Vec::new();
        if let Some(pre) = pre {
            let mut offset = numbers.len() + 1;
            for label in pre.split('.') {
                if label.is_empty() || !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(invalid(NAME, s, offset, "a pre-release label of [0-9A-Za-z-]"));
                }
                labels.push(if label.bytes().all(|b| b.is_ascii_digit()) {
                    Label::Num(Num::from_digits(label))
                } else {
                    Label::Alpha(label.to_ascii_lowercase().into())
                });
                offset += label.len() + 1;
            }
        }
        Ok(NuGet { release: trim_zeros(release), pre: labels })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("1.0", "1.0.0.0", Ordering::Equal),
            ("1.0.0-Beta", "1.0.0-beta", Ordering::Equal),
            ("1.0.0-beta.2", "1.0.0-beta.10", Ordering::Less),
            ("1.0.0.1-alpha", "1.0.0", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(NuGet::parse(a).unwrap().cmp(&NuGet::parse(b).unwrap()), want, "{a} {b}");
        }
        for bad in ["", "1..0", "1.0-", "1.0+", "a.b"] {
            assert!(NuGet::parse(bad).is_err(), "{bad}");
        }
    }
}
