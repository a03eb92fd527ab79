//! Package versions per ecosystem: parsing, total ordering and OSV range evaluation.
//!
//! This crate owns the answer to "is version V of package P inside this range?" for the
//! OSV ecosystems the clearinghouse serves. It does no IO.
//!
//! - [`Ecosystem`]: an OSV ecosystem name (`Debian:12` resolves to [`Ecosystem::Debian`]),
//!   and the [`Scheme`] (ordering rules) it uses.
//! - [`Version`]: a version parsed under one scheme; `Ord` is that scheme's total order.
//! - [`AffectedRange`] / [`Affected`]: OSV `SEMVER`, `ECOSYSTEM` and `GIT` ranges with
//!   `introduced` / `fixed` / `last_affected` / `limit` events, and `versions` lists.
//! - [`foreign`]: npm, Composer, Maven, RubyGems and PEP 440 range syntaxes turned into
//!   OSV events.
//!
//! Every scheme is written here, after the rule it follows (cited in each module):
//! dpkg `verrevcmp`, rpm `rpmvercmp`, Maven's version order specification, NuGet,
//! RubyGems `Gem::Version`, apk's grammar, PHP `version_compare` behind Composer's
//! normalisation, PEP 440 with the legacy fallback, R's `numeric_version`, and an
//! OSV-lenient SemVer (numbers past `u64`, any number of components). The kept crates
//! were run on the shared version fixtures first (November 2026):
//! - `pep440_rs` 0.7: right on all 26 PEP 440 lines, but rejects the 11 legacy lines
//!   (which need a second code path anyway) and numbers past `u64`;
//! - `rpm-version` 0.5: 151 of 153 lines; it equates a missing release with an empty
//!   one (`1` = `1-`, rpm says `<`);
//! - `debversion` 0.5: all 30 lines, but it brings chrono, regex and num-bigint and
//!   caps epochs at `u32`, for what is a 40-line port of dpkg's `verrevcmp`.
//!
//! Unparseable input is an [`Error`] naming the ecosystem, the input and what was
//! expected; nothing is guessed.
//!
//! ```
//! use ch_version::{Ecosystem, Event, OsvRange, RangeType, AffectedRange};
//! use std::cmp::Ordering;
//!
//! let eco: Ecosystem = "Debian:12".parse()?;
//! assert_eq!(eco, Ecosystem::Debian);
//! assert_eq!(eco.compare("1.2.3-1~deb12u1", "1.2.3-1")?, Ordering::Less);
//!
//! let range = OsvRange {
//!     kind: RangeType::Ecosystem,
//!     repo: None,
//!     events: vec![Event::Introduced("0".into()), Event::Fixed("2.31.0".into())],
//! };
//! let range = AffectedRange::new(&range, Ecosystem::PyPI)?;
//! assert!(range.contains_str("2.30.1")?);
//! assert!(!range.contains_str("2.31.0")?);
//! # Ok::<(), ch_version::Error>(())
//! ```

#![warn(missing_docs)]

mod apk;
mod cran;
mod dpkg;
mod error;
pub mod foreign;
mod maven;
mod nuget;
mod num;
mod packagist;
mod pep440;
mod range;
mod rpm;
mod rubygems;
mod semver;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub use error::Error;
pub use range::{Affected, AffectedRange, Event, OsvRange, RangeType};

/// Implements `PartialEq`/`Eq`/`PartialOrd` from `Ord`, so equality means "same version".
macro_rules! eq_from_ord {
    ($($t:ty),*) => {$(
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }
        impl Eq for $t {}
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
    )*};
}
eq_from_ord!(
    apk::Apk,
    cran::Cran,
    dpkg::Dpkg,
    maven::Maven,
    nuget::NuGet,
    packagist::Packagist,
    rpm::Rpm,
    rubygems::RubyGems,
    semver::SemVer,
    Version
);

/// An ordering scheme: the rules one or more ecosystems share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// OSV-lenient SemVer 2.0 (npm, crates.io, Go, Hex, Pub, SwiftURL, GitHub Actions,
    /// Bitnami, OSV `SEMVER` ranges).
    SemVer,
    /// PEP 440 with the legacy fallback (PyPI).
    Pep440,
    /// Maven's ComparableVersion order.
    Maven,
    /// NuGet versions.
    NuGet,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// Composer / PHP `version_compare` (Packagist).
    Packagist,
    /// dpkg (Debian, Ubuntu).
    Dpkg,
    /// apk (Alpine).
    Apk,
    /// rpm (Red Hat, Rocky Linux, AlmaLinux, openSUSE, SUSE).
    Rpm,
    /// R `numeric_version` (CRAN).
    Cran,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 10] = [
        Scheme::SemVer,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::NuGet,
        Scheme::RubyGems,
        Scheme::Packagist,
        Scheme::Dpkg,
        Scheme::Apk,
        Scheme::Rpm,
        Scheme::Cran,
    ];

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::SemVer => "SemVer",
            Scheme::Pep440 => "PEP 440",
            Scheme::Maven => "Maven",
            Scheme::NuGet => "NuGet",
            Scheme::RubyGems => "RubyGems",
            Scheme::Packagist => "Packagist",
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Cran => "CRAN",
        }
    }

    /// Parses `s` under this scheme.
    pub fn parse(self, s: &str) -> Result<Version, Error> {
        let parsed = match self {
            Scheme::SemVer => Parsed::SemVer(semver::SemVer::parse(s)?),
            Scheme::Pep440 => Parsed::Pep440(pep440::Pep440::parse(s)?),
            Scheme::Maven => Parsed::Maven(maven::Maven::parse(s)?),
            Scheme::NuGet => Parsed::NuGet(nuget::NuGet::parse(s)?),
            Scheme::RubyGems => Parsed::RubyGems(rubygems::RubyGems::parse(s)?),
            Scheme::Packagist => Parsed::Packagist(packagist::Packagist::parse(s)?),
            Scheme::Dpkg => Parsed::Dpkg(dpkg::Dpkg::parse(s)?),
            Scheme::Apk => Parsed::Apk(apk::Apk::parse(s)?),
            Scheme::Rpm => Parsed::Rpm(rpm::Rpm::parse(s)?),
            Scheme::Cran => Parsed::Cran(cran::Cran::parse(s)?),
        };
        Ok(Version { original: s.into(), parsed })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! ecosystems {
    ($($variant:ident => $name:literal, $scheme:ident, $doc:literal;)*) => {
        /// An OSV ecosystem this crate orders (release suffixes such as `:12` stripped).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Ecosystem {
            $(#[doc = $doc] $variant,)*
        }

        impl Ecosystem {
            /// Every ecosystem.
            pub const ALL: &'static [Ecosystem] = &[$(Ecosystem::$variant,)*];

            /// The OSV name, e.g. `crates.io`, `Red Hat`.
            pub fn name(self) -> &'static str {
                match self { $(Ecosystem::$variant => $name,)* }
            }

            /// The ordering rules this ecosystem uses.
            pub fn scheme(self) -> Scheme {
                match self { $(Ecosystem::$variant => Scheme::$scheme,)* }
            }

            fn from_family(family: &str) -> Option<Ecosystem> {
                match family { $($name => Some(Ecosystem::$variant),)* _ => None }
            }
        }

        const EXPECTED_ECOSYSTEMS: &str = concat!($($name, ", ",)* "optionally with a ':release' suffix");
    };
}

ecosystems! {
    PyPI => "PyPI", Pep440, "Python packages (PEP 440).";
    Npm => "npm", SemVer, "npm packages.";
    CratesIo => "crates.io", SemVer, "Rust crates.";
    Go => "Go", SemVer, "Go modules.";
    Maven => "Maven", Maven, "Maven artifacts.";
    NuGet => "NuGet", NuGet, "NuGet packages.";
    RubyGems => "RubyGems", RubyGems, "Ruby gems.";
    Packagist => "Packagist", Packagist, "Composer packages.";
    Hex => "Hex", SemVer, "Erlang/Elixir Hex packages.";
    Pub => "Pub", SemVer, "Dart/Flutter packages.";
    SwiftUrl => "SwiftURL", SemVer, "Swift packages by URL.";
    GitHubActions => "GitHub Actions", SemVer, "GitHub Actions.";
    Cran => "CRAN", Cran, "R packages.";
    Debian => "Debian", Dpkg, "Debian source packages.";
    Ubuntu => "Ubuntu", Dpkg, "Ubuntu source packages.";
    Alpine => "Alpine", Apk, "Alpine packages.";
    RedHat => "Red Hat", Rpm, "Red Hat packages.";
    RockyLinux => "Rocky Linux", Rpm, "Rocky Linux packages.";
    AlmaLinux => "AlmaLinux", Rpm, "AlmaLinux packages.";
    OpenSuse => "openSUSE", Rpm, "openSUSE packages.";
    Suse => "SUSE", Rpm, "SUSE packages.";
    Wolfi => "Wolfi", Apk, "Wolfi packages (apk versions).";
    Chainguard => "Chainguard", Apk, "Chainguard packages (apk versions).";
    Mageia => "Mageia", Rpm, "Mageia packages.";
    OpenEuler => "openEuler", Rpm, "openEuler packages.";
    AzureLinux => "Azure Linux", Rpm, "Azure Linux packages.";
    PhotonOs => "Photon OS", Rpm, "Photon OS packages.";
    Bioconductor => "Bioconductor", Cran, "Bioconductor R packages.";
    Bitnami => "Bitnami", SemVer, "Bitnami-packaged products.";
    SemVer => "SemVer", SemVer, "Plain SemVer (not an OSV ecosystem; OSV `SEMVER` ranges).";
}

impl Ecosystem {
    /// Splits an OSV ecosystem string into the family and its release suffix:
    /// `Ubuntu:22.04:LTS` gives `(Ubuntu, Some("22.04:LTS"))`.
    pub fn parse_with_release(name: &str) -> Result<(Ecosystem, Option<&str>), Error> {
        let (family, release) = match name.split_once(':') {
            Some((f, r)) => (f, Some(r)),
            None => (name, None),
        };
        Ecosystem::from_family(family)
            .map(|e| (e, release))
            .ok_or_else(|| Error::UnknownEcosystem { name: name.to_owned(), expected: EXPECTED_ECOSYSTEMS })
    }

    /// Parses a version of this ecosystem; errors name this ecosystem.
    pub fn parse_version(self, s: &str) -> Result<Version, Error> {
        self.scheme().parse(s).map_err(|e| match e {
            Error::InvalidVersion { version, position, expected, found, .. } => {
                Error::InvalidVersion { ecosystem: self.name(), version, position, expected, found }
            }
            other => other,
        })
    }

    /// Compares two versions of this ecosystem.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, Error> {
        Ok(self.parse_version(a)?.cmp(&self.parse_version(b)?))
    }
}

impl FromStr for Ecosystem {
    type Err = Error;

    /// Accepts OSV names with or without a release suffix (`Alpine:v3.19`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ecosystem::parse_with_release(s).map(|(e, _)| e)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug)]
enum Parsed {
    SemVer(semver::SemVer),
    Pep440(pep440::Pep440),
    Maven(maven::Maven),
    NuGet(nuget::NuGet),
    RubyGems(rubygems::RubyGems),
    Packagist(packagist::Packagist),
    Dpkg(dpkg::Dpkg),
    Apk(apk::Apk),
    Rpm(rpm::Rpm),
    Cran(cran::Cran),
}

/// A version parsed under one [`Scheme`].
///
/// `Ord` is the scheme's order; versions of different schemes order by scheme first
/// (a total order, though such comparisons carry no meaning). Equality is "compares
/// equal" (`1.0` = `1.0.0` in PyPI), not string equality; [`Version::as_str`] keeps the
/// input.
#[derive(Clone, Debug)]
pub struct Version {
    original: Box<str>,
    parsed: Parsed,
}

impl Version {
    /// The string this was parsed from.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The scheme this was parsed under.
    pub fn scheme(&self) -> Scheme {
        match self.parsed {
            Parsed::SemVer(_) => Scheme::SemVer,
            Parsed::Pep440(_) => Scheme::Pep440,
            Parsed::Maven(_) => Scheme::Maven,
            Parsed::NuGet(_) => Scheme::NuGet,
            Parsed::RubyGems(_) => Scheme::RubyGems,
            Parsed::Packagist(_) => Scheme::Packagist,
            Parsed::Dpkg(_) => Scheme::Dpkg,
            Parsed::Apk(_) => Scheme::Apk,
            Parsed::Rpm(_) => Scheme::Rpm,
            Parsed::Cran(_) => Scheme::Cran,
        }
    }

    /// Whether this is a pre-release under its scheme's own definition (SemVer/NuGet
    /// pre-release labels, PEP 440 pre and dev releases, RubyGems letters). Other schemes
    /// answer `false`.
    pub fn is_prerelease(&self) -> bool {
        match &self.parsed {
            Parsed::SemVer(v) => v.is_prerelease(),
            Parsed::Pep440(v) => v.is_prerelease(),
            Parsed::NuGet(v) => v.is_prerelease(),
            Parsed::RubyGems(v) => v.is_prerelease(),
            _ => false,
        }
    }

    pub(crate) fn rubygems(&self) -> Option<&rubygems::RubyGems> {
        match &self.parsed {
            Parsed::RubyGems(v) => Some(v),
            _ => None,
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.parsed, &other.parsed) {
            (Parsed::SemVer(a), Parsed::SemVer(b)) => a.cmp(b),
            (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
            (Parsed::Maven(a), Parsed::Maven(b)) => a.cmp(b),
            (Parsed::NuGet(a), Parsed::NuGet(b)) => a.cmp(b),
            (Parsed::RubyGems(a), Parsed::RubyGems(b)) => a.cmp(b),
            (Parsed::Packagist(a), Parsed::Packagist(b)) => a.cmp(b),
            (Parsed::Dpkg(a), Parsed::Dpkg(b)) => a.cmp(b),
            (Parsed::Apk(a), Parsed::Apk(b)) => a.cmp(b),
            (Parsed::Rpm(a), Parsed::Rpm(b)) => a.cmp(b),
            (Parsed::Cran(a), Parsed::Cran(b)) => a.cmp(b),
            _ => self.scheme().cmp(&other.scheme()),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_names_table() {
        let cases = [
            ("Debian:12", Ecosystem::Debian, Some("12")),
            ("Alpine:v3.19", Ecosystem::Alpine, Some("v3.19")),
            ("AlmaLinux:9", Ecosystem::AlmaLinux, Some("9")),
            ("Ubuntu:22.04:LTS", Ecosystem::Ubuntu, Some("22.04:LTS")),
            ("Red Hat:enterprise_linux:8::appstream", Ecosystem::RedHat, Some("enterprise_linux:8::appstream")),
            ("crates.io", Ecosystem::CratesIo, None),
            ("GitHub Actions", Ecosystem::GitHubActions, None),
        ];
        for (name, eco, release) in cases {
            assert_eq!(Ecosystem::parse_with_release(name).unwrap(), (eco, release), "{name}");
        }
        for eco in Ecosystem::ALL {
            assert_eq!(eco.name().parse::<Ecosystem>().unwrap(), *eco);
        }
        let err = "pypi".parse::<Ecosystem>().unwrap_err().to_string();
        assert!(err.contains("unknown ecosystem \"pypi\": expected one of PyPI, npm"), "{err}");
    }

    #[test]
    fn errors_name_the_ecosystem() {
        let err = Ecosystem::Ubuntu.parse_version("1.0-").unwrap_err().to_string();
        assert_eq!(err, "Ubuntu version \"1.0-\", byte 4: expected a revision after '-', found end of input");
        let err = Ecosystem::Npm.parse_version("1.x").unwrap_err().to_string();
        assert_eq!(err, "npm version \"1.x\", byte 2: expected a digit, found 'x'");
    }
}
