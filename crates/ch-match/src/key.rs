//! Record keys: an advisory id and the family of source it came from.
//!
//! The same CVE id arrives from the NVD and from the CVE List (JSON 5) with different
//! content, so both are kept, as two records; an id from an OSV database (GHSA, PYSEC,
//! RUSTSEC, ALSA, converted pre-OSV records) is unique within OSV. The two NVD shapes
//! (feed 1.1 and API 2.0) are one origin: a newer NVD record replaces an older one.

use std::fmt;
use std::str::FromStr;

use ch_advisory::{Advisory, Format};

use crate::error::Error;

/// The family of source a record came from. Declared (and ordered) by preference:
/// OSV databases first, then the CVE List, then the NVD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// An OSV database, or a source converted into OSV (RustSec, Node.js WG, ...).
    Osv,
    /// The CVE List (CVE JSON 5).
    Cve5,
    /// The NVD (JSON 1.1 feeds or the CVE API 2.0).
    Nvd,
}

impl Origin {
    /// Every origin, in preference order.
    pub const ALL: [Origin; 3] = [Origin::Osv, Origin::Cve5, Origin::Nvd];

    /// The origin of a record read in `format`: NVD 1.1 and 2.0 are `Nvd`, CVE JSON 5 is
    /// `Cve5`, everything else `Osv`.
    pub fn of(format: Format) -> Origin {
        match format {
            Format::Nvd1 | Format::Nvd2 => Origin::Nvd,
            Format::Cve5 => Origin::Cve5,
            _ => Origin::Osv,
        }
    }

    /// The stored name: `osv`, `cve5`, `nvd`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Osv => "osv",
            Origin::Cve5 => "cve5",
            Origin::Nvd => "nvd",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Origin {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Origin::ALL.into_iter().find(|o| o.as_str() == s).ok_or_else(|| Error::UnknownOrigin { found: s.to_owned() })
    }
}

/// The key of one record in the index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordKey {
    /// The advisory id.
    pub id: String,
    /// Where it came from.
    pub origin: Origin,
}

impl RecordKey {
    /// A key.
    pub fn new(id: impl Into<String>, origin: Origin) -> RecordKey {
        RecordKey { id: id.into(), origin }
    }

    /// The key an advisory is stored under.
    pub fn of(advisory: &Advisory) -> RecordKey {
        RecordKey { id: advisory.id.clone(), origin: Origin::of(advisory.source) }
    }
}

impl fmt::Display for RecordKey {
    /// `nvd/CVE-2023-27997`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.origin, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_table() {
        let cases = [
            (Format::OsvJson, Origin::Osv),
            (Format::OsvYaml, Origin::Osv),
            (Format::RustSec, Origin::Osv),
            (Format::NodejsSecurityWg, Origin::Osv),
            (Format::Victims, Origin::Osv),
            (Format::Cve5, Origin::Cve5),
            (Format::Nvd1, Origin::Nvd),
            (Format::Nvd2, Origin::Nvd),
        ];
        for (format, want) in cases {
            let got = Origin::of(format);
            assert_eq!(got, want, "{format}");
            assert_eq!(got.as_str().parse::<Origin>(), Ok(want));
        }
        assert_eq!("NVD".parse::<Origin>(), Err(Error::UnknownOrigin { found: "NVD".into() }));
        assert!(Origin::Osv < Origin::Cve5 && Origin::Cve5 < Origin::Nvd, "preference order");
        assert_eq!(RecordKey::new("CVE-2023-27997", Origin::Nvd).to_string(), "nvd/CVE-2023-27997");
    }
}
