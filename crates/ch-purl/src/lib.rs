//! Package URLs (purl): parsing and building per the purl specification, each type's
//! name normalisation, and the mapping to and from OSV ecosystems and package names.
//!
//! Grammar, percent-encoding and the per-type rules of the purl-spec type definitions
//! (lower-casing, required / prohibited namespaces) are the `packageurl` crate's (0.7,
//! run against the official purl-spec test suite). This crate adds:
//! - PEP 503 name normalisation for `pypi` (`Foo_Bar.baz` -> `foo-bar-baz`);
//! - sorted qualifiers ([`Purl::qualifiers`] is a `BTreeMap`) and a checked [`Purl`]
//!   type with owned fields;
//! - [`Purl::to_osv`] / [`Purl::from_osv`]: purl types to OSV ecosystems and the OSV
//!   package-name conventions: npm `@scope/name`, Maven `group:artifact`, Go module
//!   paths `github.com/owner/repo`, Packagist `vendor/name`, GitHub Actions
//!   `owner/repo`, SwiftURL `github.com/owner/repo`, and Linux distributions by
//!   namespace (`pkg:deb/debian/...` is `Debian`, `pkg:rpm/almalinux/...` is
//!   `AlmaLinux`, `pkg:apk/alpine/...` is `Alpine`).
//!
//! ```
//! use ch_purl::Purl;
//! use ch_version::Ecosystem;
//!
//! let p: Purl = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".parse()?;
//! let osv = p.to_osv()?;
//! assert_eq!((osv.ecosystem, osv.name.as_str()), (Ecosystem::Maven, "org.apache.logging.log4j:log4j-core"));
//!
//! let q = Purl::from_osv("PyPI", "Django_REST.framework", Some("3.9.0"))?;
//! assert_eq!(q.to_string(), "pkg:pypi/django-rest-framework@3.9.0");
//! # Ok::<(), ch_purl::Error>(())
//! ```

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use ch_version::Ecosystem;
use packageurl::PackageUrl;

/// The one error type of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The string is not a valid purl.
    #[error("purl {input:?}: expected {expected}, found {found}")]
    Invalid {
        /// The purl as given.
        input: String,
        /// What was expected.
        expected: &'static str,
        /// What was found (the grammar's complaint).
        found: String,
    },
    /// The purl has no OSV ecosystem, or the OSV ecosystem no purl type.
    #[error("{place}: expected {expected}, found {found}")]
    NoMapping {
        /// The purl or OSV package.
        place: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
}

/// A checked, normalised package URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

/// An OSV `package` (ecosystem and name) with an optional version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsvPackage {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The package name as OSV writes it.
    pub name: String,
    /// The version, if the purl had one.
    pub version: Option<String>,
}

/// PEP 503 normalisation: runs of `-`, `_`, `.` become one `-`, lower case.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

fn invalid(input: &str, expected: &'static str, e: packageurl::Error) -> Error {
    Error::Invalid { input: input.to_owned(), expected, found: e.to_string() }
}

/// Linux distributions: (purl type, namespace, OSV ecosystem).
const DISTROS: [(&str, &str, Ecosystem); 8] = [
    ("deb", "debian", Ecosystem::Debian),
    ("deb", "ubuntu", Ecosystem::Ubuntu),
    ("apk", "alpine", Ecosystem::Alpine),
    ("rpm", "redhat", Ecosystem::RedHat),
    ("rpm", "rocky-linux", Ecosystem::RockyLinux),
    ("rpm", "almalinux", Ecosystem::AlmaLinux),
    ("rpm", "opensuse", Ecosystem::OpenSuse),
    ("rpm", "suse", Ecosystem::Suse),
];

impl Purl {
    /// Builds a purl from parts (checked and normalised like a parsed one).
    pub fn new(ty: &str, namespace: Option<&str>, name: &str, version: Option<&str>) -> Result<Purl, Error> {
        let shown = format!("pkg:{ty}/{}{name}", namespace.map(|n| format!("{n}/")).unwrap_or_default());
        let mut p = PackageUrl::new(ty, name).map_err(|e| invalid(&shown, "a valid type and name", e))?;
        if let Some(ns) = namespace {
            p.with_namespace(ns).map_err(|e| invalid(&shown, "a valid namespace", e))?;
        }
        if let Some(v) = version {
            p.with_version(v).map_err(|e| invalid(&shown, "a valid version", e))?;
        }
        p.validate().map_err(|e| invalid(&shown, "a purl its type's rules accept", e))?;
        Ok(Purl::from_packageurl(&p))
    }

    fn from_packageurl(p: &PackageUrl<'_>) -> Purl {
        let ty = p.ty().to_owned();
        let name = if ty == "pypi" { pep503(p.name()) } else { p.name().to_owned() };
        Purl {
            ty,
            // `pkg:t/./name` reads as an empty namespace: same purl as none (found by fuzzing).
            namespace: p.namespace().filter(|n| !n.is_empty()).map(str::to_owned),
            name,
            version: p.version().map(str::to_owned),
            qualifiers: p.qualifiers().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            subpath: p.subpath().map(str::to_owned),
        }
    }

    /// The type (`npm`, `maven`, ...).
    pub fn ty(&self) -> &str {
        &self.ty
    }
    /// The namespace (`@angular`, `org.apache.commons`, `debian`).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    /// The qualifiers, sorted by key.
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }
    /// The subpath.
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }

    /// A copy with another version (or none).
    pub fn with_version(&self, version: Option<&str>) -> Purl {
        Purl { version: version.map(str::to_owned), ..self.clone() }
    }

    /// The OSV ecosystem and package name.
    pub fn to_osv(&self) -> Result<OsvPackage, Error> {
        let no = |expected: &'static str| Error::NoMapping {
            place: format!("purl {self}"),
            expected,
            found: format!("type {:?}", self.ty),
        };
        let ns = self.namespace.as_deref();
        let joined = |sep: &str| match ns {
            Some(n) => format!("{n}{sep}{}", self.name),
            None => self.name.clone(),
        };
        let (ecosystem, name) = match self.ty.as_str() {
            "pypi" => (Ecosystem::PyPI, self.name.clone()),
            "npm" => (Ecosystem::Npm, joined("/")),
            "cargo" => (Ecosystem::CratesIo, self.name.clone()),
            "golang" => (Ecosystem::Go, joined("/")),
            "maven" => {
                // A group with ':' or '/' would make `group:artifact` ambiguous (fuzz).
                let group = ns
                    .filter(|g| !g.contains([':', '/']))
                    .ok_or_else(|| no("a Maven purl with a group namespace (no ':' or '/')"))?;
                (Ecosystem::Maven, format!("{group}:{}", self.name))
            }
            "nuget" => (Ecosystem::NuGet, self.name.clone()),
            "gem" => (Ecosystem::RubyGems, self.name.clone()),
            "composer" => (Ecosystem::Packagist, joined("/")),
            "hex" => (Ecosystem::Hex, joined("/")),
            "pub" => (Ecosystem::Pub, self.name.clone()),
            "swift" => (Ecosystem::SwiftUrl, joined("/")),
            "github" => (Ecosystem::GitHubActions, joined("/")),
            "cran" => (Ecosystem::Cran, self.name.clone()),
            "bitnami" => (Ecosystem::Bitnami, self.name.clone()),
            "deb" | "apk" | "rpm" => {
                let n = ns.map(str::to_ascii_lowercase);
                let eco = DISTROS
                    .iter()
                    .find(|(t, d, _)| *t == self.ty && Some(*d) == n.as_deref())
                    .map(|(_, _, e)| *e)
                    .ok_or_else(|| Error::NoMapping {
                        place: format!("purl {self}"),
                        expected: "a distribution namespace with an OSV ecosystem (debian, ubuntu, alpine, redhat, rocky-linux, almalinux, opensuse, suse)",
                        found: format!("{:?}", ns.unwrap_or("")),
                    })?;
                (eco, self.name.clone())
            }
            _ => return Err(no("a purl type with an OSV ecosystem")),
        };
        Ok(OsvPackage { ecosystem, name, version: self.version.clone() })
    }

    /// The purl of an OSV package (`ecosystem` may carry a release suffix, which is not
    /// represented in the purl).
    pub fn from_osv(ecosystem: &str, name: &str, version: Option<&str>) -> Result<Purl, Error> {
        let (eco, _) = Ecosystem::parse_with_release(ecosystem).map_err(|e| Error::NoMapping {
            place: format!("OSV package {ecosystem}/{name}"),
            expected: "a known OSV ecosystem",
            found: e.to_string(),
        })?;
        let split_last = |s: &str| -> (Option<String>, String) {
            match s.rsplit_once('/') {
                Some((ns, n)) => (Some(ns.to_owned()), n.to_owned()),
                None => (None, s.to_owned()),
            }
        };
        let (ty, ns, n): (&str, Option<String>, String) = match eco {
            Ecosystem::PyPI => ("pypi", None, pep503(name)),
            Ecosystem::Npm => {
                let (ns, n) = split_last(name);
                ("npm", ns, n)
            }
            Ecosystem::CratesIo => ("cargo", None, name.to_owned()),
            Ecosystem::Go => {
                let (ns, n) = split_last(name);
                ("golang", ns, n)
            }
            Ecosystem::Maven => match name.split_once(':') {
                Some((g, a)) if !g.is_empty() && !a.contains(':') => ("maven", Some(g.to_owned()), a.to_owned()),
                _ => {
                    return Err(Error::NoMapping {
                        place: format!("OSV package {ecosystem}/{name}"),
                        expected: "a Maven name group:artifact",
                        found: format!("{name:?}"),
                    });
                }
            },
            Ecosystem::NuGet => ("nuget", None, name.to_owned()),
            Ecosystem::RubyGems => ("gem", None, name.to_owned()),
            Ecosystem::Packagist => {
                let (ns, n) = split_last(name);
                ("composer", ns, n)
            }
            Ecosystem::Hex => ("hex", None, name.to_owned()),
            Ecosystem::Pub => ("pub", None, name.to_owned()),
            Ecosystem::SwiftUrl => {
                let trimmed = name.trim_start_matches("https://").trim_end_matches(".git");
                let (ns, n) = split_last(trimmed);
                ("swift", ns, n)
            }
            Ecosystem::GitHubActions => {
                let (ns, n) = split_last(name);
                ("github", ns, n)
            }
            Ecosystem::Cran => ("cran", None, name.to_owned()),
            Ecosystem::Bitnami => ("bitnami", None, name.to_owned()),
            other => match DISTROS.iter().find(|(_, _, e)| *e == other) {
                Some((t, d, _)) => (*t, Some((*d).to_owned()), name.to_owned()),
                None => {
                    return Err(Error::NoMapping {
                        place: format!("OSV package {ecosystem}/{name}"),
                        expected: "an OSV ecosystem with a purl type",
                        found: format!("{other}"),
                    });
                }
            },
        };
        Purl::new(ty, ns.as_deref(), &n, version)
    }
}

impl FromStr for Purl {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut p = PackageUrl::from_str(s)
            .map_err(|e| invalid(s, "a purl pkg:type/namespace/name@version?qualifiers#subpath", e))?;
        if p.namespace() == Some("") {
            // `pkg:cpan/./name` reads as an empty namespace, which is none: check the type's
            // rules again without it (found by fuzzing).
            p.without_namespace();
            p.validate().map_err(|e| invalid(s, "a purl its type's rules accept", e))?;
        }
        Ok(Purl::from_packageurl(&p))
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Rebuild through packageurl for its percent-encoding; our fields were checked by it.
        let Ok(mut p) = PackageUrl::new(self.ty.as_str(), self.name.as_str()) else {
            return write!(f, "pkg:{}/{}", self.ty, self.name);
        };
        if let Some(ns) = &self.namespace {
            let _ = p.with_namespace(ns.as_str());
        }
        if let Some(v) = &self.version {
            let _ = p.with_version(v.as_str());
        }
        for (k, v) in &self.qualifiers {
            let _ = p.add_qualifier(k.as_str(), v.as_str());
        }
        if let Some(sp) = &self.subpath {
            let _ = p.with_subpath(sp.as_str());
        }
        write!(f, "{p}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_mapping_table() {
        let cases = [
            ("pkg:npm/%40angular/core@12.0.0", Ecosystem::Npm, "@angular/core"),
            ("pkg:npm/lodash@4.17.20", Ecosystem::Npm, "lodash"),
            ("pkg:pypi/Django_Rest.Framework@3.9.0", Ecosystem::PyPI, "django-rest-framework"),
            ("pkg:golang/github.com/gin-gonic/gin@v1.9.0", Ecosystem::Go, "github.com/gin-gonic/gin"),
            (
                "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8",
                Ecosystem::Maven,
                "com.fasterxml.jackson.core:jackson-databind",
            ),
            ("pkg:composer/guzzlehttp/psr7@1.9.0", Ecosystem::Packagist, "guzzlehttp/psr7"),
            ("pkg:cargo/time@0.1.45", Ecosystem::CratesIo, "time"),
            ("pkg:gem/rails@7.0.0", Ecosystem::RubyGems, "rails"),
            ("pkg:nuget/Newtonsoft.Json@12.0.1", Ecosystem::NuGet, "Newtonsoft.Json"),
            ("pkg:deb/debian/curl@7.74.0-1.3?arch=amd64", Ecosystem::Debian, "curl"),
            ("pkg:rpm/almalinux/openssl@3.0.7-27.el9", Ecosystem::AlmaLinux, "openssl"),
            ("pkg:apk/alpine/musl@1.2.4-r2", Ecosystem::Alpine, "musl"),
            ("pkg:github/actions/checkout@v4", Ecosystem::GitHubActions, "actions/checkout"),
            ("pkg:bitnami/wordpress@6.2.0", Ecosystem::Bitnami, "wordpress"),
        ];
        for (purl, eco, name) in cases {
            let p: Purl = purl.parse().unwrap();
            let o = p.to_osv().unwrap();
            assert_eq!((o.ecosystem, o.name.as_str()), (eco, name), "{purl}");
            let back = Purl::from_osv(eco.name(), name, o.version.as_deref()).unwrap();
            assert_eq!(back.with_version(None), Purl { qualifiers: BTreeMap::new(), ..p.with_version(None) }, "{purl}");
        }
    }

    #[test]
    fn errors_table() {
        let cases = [
            ("npm/lodash", "expected a purl"),
            ("pkg:cargo/serde/serde@1.0.0", "no namespace allowed for type \"cargo\""),
        ];
        for (input, want) in cases {
            let e = input.parse::<Purl>().unwrap_err().to_string();
            assert!(e.contains(want), "{input}: {e}");
        }
        // Regression (fuzz): an empty namespace round-trips as none.
        let p: Purl = "pkg:maen/./pgaacheg9j\u{1e}&1".parse().unwrap();
        assert_eq!(p.to_string().parse::<Purl>().unwrap(), p);
        let e = "pkg:cpan/./name".parse::<Purl>().unwrap_err().to_string();
        assert!(e.contains("namespace required for type \"cpan\""), "{e}");
        let e = "pkg:deb/kali/curl@1".parse::<Purl>().unwrap().to_osv().unwrap_err().to_string();
        assert!(e.contains("expected a distribution namespace"), "{e}");
        let e = "pkg:maven/log4j@1.0".parse::<Purl>().unwrap().to_osv().unwrap_err().to_string();
        assert!(e.contains("expected a Maven purl with a group namespace"), "{e}");
        // Regression (fuzz): a group holding ':' cannot map to `group:artifact`.
        let e = "pkg:maven/:maven/g/cob".parse::<Purl>().unwrap().to_osv().unwrap_err().to_string();
        assert!(e.contains("no ':' or '/'"), "{e}");
        let e = Purl::from_osv("Maven", "log4j", None).unwrap_err().to_string();
        assert!(e.contains("expected a Maven name group:artifact"), "{e}");
    }
}
