//! Package URL <-> OSV ecosystem mapping.
//!
//! The OSV ecosystem names follow <https://ossf.github.io/osv-schema/#affectedpackage-field>;
//! purl types follow the purl-spec `PURL-TYPES.rst`. Names are joined the way
//! OSV spells them: Maven `group:artifact`, Packagist and Go `namespace/name`,
//! npm `@scope/name`.

use std::str::FromStr;

use packageurl::PackageUrl;

/// A package identity recovered from a purl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlInfo {
    /// OSV ecosystem, when the purl type has one.
    pub ecosystem: Option<String>,
    /// The package name as the ecosystem spells it.
    pub name: String,
    /// The purl version.
    pub version: Option<String>,
}

/// Read a purl into an OSV ecosystem, name and version; `None` if it is not a purl.
pub fn parse_purl(purl: &str) -> Option<PurlInfo> {
    let p = PackageUrl::from_str(purl.trim()).ok()?;
    let ty = p.ty().to_ascii_lowercase();
    // packageurl lowercases some types' names (golang, github); Go module
    // paths are case-sensitive in OSV, so keep the document's spelling.
    let (raw_ns, raw_name) =
        raw_namespace_name(purl.trim()).unwrap_or_else(|| (p.namespace().map(str::to_owned), p.name().to_owned()));
    let ns = raw_ns.as_deref().filter(|n| !n.is_empty());
    let short = raw_name.as_str();
    let name = match (ty.as_str(), ns) {
        ("maven", Some(ns)) => format!("{ns}:{short}"),
        ("npm", Some(ns)) => format!("{ns}/{short}"),
        ("composer" | "golang" | "github" | "swift" | "bitbucket" | "huggingface", Some(ns)) => {
            format!("{ns}/{short}")
        }
        _ => short.to_owned(),
    };
    let distro = p.qualifiers().get("distro").map(|d| d.to_string());
    let ecosystem = match ty.as_str() {
        "npm" => Some("npm".to_owned()),
        "pypi" => Some("PyPI".to_owned()),
        "maven" => Some("Maven".to_owned()),
        "cargo" => Some("crates.io".to_owned()),
        "gem" => Some("RubyGems".to_owned()),
        "composer" => Some("Packagist".to_owned()),
        "golang" => Some("Go".to_owned()),
        "nuget" => Some("NuGet".to_owned()),
        "pub" => Some("Pub".to_owned()),
        "hex" => Some("Hex".to_owned()),
        "cran" => Some("CRAN".to_owned()),
        "conan" => Some("ConanCenter".to_owned()),
        "swift" => Some("SwiftURL".to_owned()),
        "hackage" => Some("Hackage".to_owned()),
        "deb" => Some(debian_like(ns.unwrap_or("debian"), distro.as_deref())),
        "apk" => Some(alpine(distro.as_deref())),
        "rpm" => None,
        _ => None,
    };
    Some(PurlInfo { ecosystem, name, version: p.version().map(str::to_owned) })
}

/// `pkg:type/ns/.../name@version?q#sub` -> (namespace, name), percent-decoded.
fn raw_namespace_name(purl: &str) -> Option<(Option<String>, String)> {
    let rest = purl.strip_prefix("pkg:")?.trim_start_matches('/');
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = rest.get(..end)?;
    // The version starts at the last '@' after the last '/'.
    let last_slash = rest.rfind('/')?;
    let path = match rest.get(last_slash..)?.rfind('@') {
        Some(at) => rest.get(..last_slash + at)?,
        None => rest,
    };
    let mut segments: Vec<String> = path.split('/').skip(1).filter(|s| !s.is_empty()).map(percent_decode).collect();
    let name = segments.pop()?;
    let ns = (!segments.is_empty()).then(|| segments.join("/"));
    Some((ns, name))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn debian_like(namespace: &str, distro: Option<&str>) -> String {
    let base = if namespace.eq_ignore_ascii_case("ubuntu") { "Ubuntu" } else { "Debian" };
    // distro=debian-12 or distro=bookworm; OSV wants the release number.
    match distro.and_then(|d| d.rsplit('-').next()).filter(|r| r.chars().next().is_some_and(|c| c.is_ascii_digit())) {
        Some(release) => format!("{base}:{release}"),
        None => base.to_owned(),
    }
}

fn alpine(distro: Option<&str>) -> String {
    match distro.and_then(|d| d.rsplit('-').next()) {
        Some(release) if release.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            let mut parts = release.split('.');
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) => format!("Alpine:v{a}.{b}"),
                _ => "Alpine".to_owned(),
            }
        }
        _ => "Alpine".to_owned(),
    }
}

/// Build a purl for a package in an OSV ecosystem; `None` when the ecosystem
/// has no purl type or the name cannot be encoded.
pub fn purl_for(ecosystem: &str, name: &str, version: Option<&str>) -> Option<String> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    let (ty, namespace, short): (&str, Option<&str>, &str) = match base {
        "npm" => match name.rsplit_once('/') {
            Some((scope, n)) if name.starts_with('@') => ("npm", Some(scope), n),
            _ => ("npm", None, name),
        },
        "PyPI" => ("pypi", None, name),
        "Maven" => match name.split_once(':') {
            Some((g, a)) => ("maven", Some(g), a),
            None => ("maven", None, name),
        },
        "crates.io" => ("cargo", None, name),
        "RubyGems" => ("gem", None, name),
        "Packagist" => match name.split_once('/') {
            Some((v, n)) => ("composer", Some(v), n),
            None => ("composer", None, name),
        },
        "Go" => match name.rsplit_once('/') {
            Some((ns, n)) => ("golang", Some(ns), n),
            None => ("golang", None, name),
        },
        "NuGet" => ("nuget", None, name),
        "Pub" => ("pub", None, name),
        "Hex" => ("hex", None, name),
        "CRAN" | "Bioconductor" => ("cran", None, name),
        "ConanCenter" => ("conan", None, name),
        "Debian" => ("deb", Some("debian"), name),
        "Ubuntu" => ("deb", Some("ubuntu"), name),
        "Alpine" => ("apk", Some("alpine"), name),
        _ => return None,
    };
    let name_for_purl = if ty == "pypi" { short.to_ascii_lowercase().replace('_', "-") } else { short.to_owned() };
    let mut purl = PackageUrl::new(ty, name_for_purl).ok()?;
    if let Some(ns) = namespace {
        purl.with_namespace(ns.to_owned()).ok()?;
    }
    if let Some(v) = version {
        purl.with_version(v.to_owned()).ok()?;
    }
    if let Some(release) = ecosystem.split_once(':').map(|(_, r)| r) {
        let distro = match base {
            "Debian" => format!("debian-{release}"),
            "Ubuntu" => format!("ubuntu-{release}"),
            "Alpine" => format!("alpine-{}", release.trim_start_matches('v')),
            _ => String::new(),
        };
        if !distro.is_empty() {
            purl.add_qualifier("distro", distro).ok()?;
        }
    }
    // Never hand out a purl we cannot read back as given (control characters in a name, a
    // `/` in a version: found by the `inventory` fuzz target).
    let text = purl.to_string();
    parse_purl(&text).filter(|back| back.version.as_deref() == version).map(|_| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_names_round_trip_or_are_refused() {
        // Found by the `inventory` fuzz target: a control character in a name.
        for (eco, name, version) in [
            ("Packagist", "\u{FFFD}\u{1f}", "1.0.0"),
            ("npm", "a\u{0}b", "1.0.0"),
            ("npm", "\u{FFFD}?", "\u{FFFD}/\u{FFFD}"),
        ] {
            if let Some(purl) = purl_for(eco, name, Some(version)) {
                let back = parse_purl(&purl).unwrap_or_else(|| panic!("{eco} {name:?} -> {purl} does not parse"));
                assert_eq!(back.version.as_deref(), Some(version), "{purl}");
            }
        }
    }

    #[test]
    fn round_trips() {
        for (eco, name, version, purl) in [
            ("npm", "@babel/core", "7.0.0", "pkg:npm/%40babel/core@7.0.0"),
            ("npm", "lodash", "4.17.21", "pkg:npm/lodash@4.17.21"),
            ("Maven", "org.slf4j:slf4j-api", "1.7.30", "pkg:maven/org.slf4j/slf4j-api@1.7.30"),
            ("Packagist", "guzzlehttp/psr7", "1.9.0", "pkg:composer/guzzlehttp/psr7@1.9.0"),
            ("crates.io", "serde", "1.0.0", "pkg:cargo/serde@1.0.0"),
            ("Go", "github.com/pkg/errors", "v0.9.1", "pkg:golang/github.com/pkg/errors@v0.9.1"),
            ("Debian:12", "bash", "5.2-1", "pkg:deb/debian/bash@5.2-1?distro=debian-12"),
            ("Alpine:v3.19", "musl", "1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.19"),
        ] {
            let built = purl_for(eco, name, Some(version)).expect("purl");
            assert_eq!(built, purl, "{eco} {name}");
            let info = parse_purl(&built).expect("parse");
            assert_eq!(info.name, name, "{purl}");
            assert_eq!(info.ecosystem.as_deref(), Some(eco), "{purl}");
            assert_eq!(info.version.as_deref(), Some(version));
        }
        assert_eq!(parse_purl("not a purl"), None);
        let go = parse_purl("pkg:golang/github.com/BurntSushi/toml@v1.0.0").expect("go");
        assert_eq!(go.name, "github.com/BurntSushi/toml");
        let npm = parse_purl("pkg:npm/%40babel/core@7.0.0#packages/core").expect("npm");
        assert_eq!(npm.name, "@babel/core");
        assert_eq!(purl_for("Bitnami", "x", None), None);
    }
}
