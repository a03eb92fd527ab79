//! Format detection: by file name first (real lockfile names are
//! unambiguous), then by content. An explicit format from the caller always
//! wins; this module is only asked when there is none.

use crate::Format;

/// Detect the format from the file name, then from the content.
pub fn detect(bytes: &[u8], file_name: &str) -> Option<Format> {
    match detect_by_name(file_name) {
        // A `.json` or `.xml` SBOM name is a hint, the content decides.
        Some(Format::CycloneDxJson | Format::SpdxJson | Format::ProductJson) | None => {
            detect_by_content(bytes).or_else(|| detect_by_name(file_name))
        }
        Some(found) => Some(found),
    }
}

/// Detect the format from the file name alone (the last path segment).
pub fn detect_by_name(file_name: &str) -> Option<Format> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).to_ascii_lowercase();
    let exact = match base.as_str() {
        "cargo.lock" => Some(Format::CargoLock),
        "package-lock.json" | "npm-shrinkwrap.json" => Some(Format::NpmLock),
        "yarn.lock" => Some(Format::YarnLock),
        "pnpm-lock.yaml" | "pnpm-lock.yml" => Some(Format::PnpmLock),
        "bun.lock" => Some(Format::BunLock),
        "poetry.lock" => Some(Format::PoetryLock),
        "uv.lock" => Some(Format::UvLock),
        "pipfile.lock" => Some(Format::PipfileLock),
        "pdm.lock" => Some(Format::PdmLock),
        "go.mod" => Some(Format::GoMod),
        "gemfile.lock" | "gems.locked" => Some(Format::GemfileLock),
        "composer.lock" => Some(Format::ComposerLock),
        "pom.xml" => Some(Format::MavenPom),
        "gradle.lockfile" | "buildscript-gradle.lockfile" => Some(Format::GradleLockfile),
        "verification-metadata.xml" => Some(Format::GradleVerificationMetadata),
        "packages.lock.json" => Some(Format::NugetLock),
        "pubspec.lock" => Some(Format::PubspecLock),
        "mix.lock" => Some(Format::MixLock),
        "renv.lock" => Some(Format::RenvLock),
        "conan.lock" => Some(Format::ConanLock),
        "status" => Some(Format::DpkgStatus),
        "installed" => Some(Format::ApkInstalled),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    if base.ends_with(".pom") {
        Some(Format::MavenPom)
    } else if base.ends_with(".cdx.json") || base.ends_with(".cdx") || base == "bom.json" {
        Some(Format::CycloneDxJson)
    } else if base.ends_with(".cdx.xml") || base == "bom.xml" {
        Some(Format::CycloneDxXml)
    } else if base.ends_with(".spdx.json") {
        Some(Format::SpdxJson)
    } else if base.ends_with(".spdx") {
        Some(Format::SpdxTagValue)
    } else if base.ends_with(".txt") && base.contains("requirements")
        || base.ends_with(".in") && base.contains("requirements")
    {
        Some(Format::Requirements)
    } else if base.ends_with(".csv") || base.ends_with(".tsv") {
        Some(Format::ProductCsv)
    } else {
        None
    }
}

/// Detect the format from the content alone.
pub fn detect_by_content(bytes: &[u8]) -> Option<Format> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(64 * 1024)).unwrap_or(bytes));
    let text = head.trim_start();
    if text.starts_with('{') || text.starts_with('[') {
        return detect_json(text);
    }
    if text.starts_with('<') {
        return detect_xml(text);
    }
    let has_line = |prefix: &str| text.lines().any(|l| l.starts_with(prefix));
    if text.contains("SPDXVersion:") {
        Some(Format::SpdxTagValue)
    } else if text.contains("# yarn lockfile v1") || has_line("__metadata:") {
        Some(Format::YarnLock)
    } else if has_line("lockfileVersion:") {
        Some(Format::PnpmLock)
    } else if has_line("packages:") && has_line("sdks:") {
        Some(Format::PubspecLock)
    } else if text.starts_with("%{") {
        Some(Format::MixLock)
    } else if has_line("GEM") || has_line("PLATFORMS") && has_line("DEPENDENCIES") {
        Some(Format::GemfileLock)
    } else if has_line("module ") && (has_line("go ") || has_line("require")) {
        Some(Format::GoMod)
    } else if has_line("Package: ") && (has_line("Status: ") || has_line("Version: ")) {
        Some(Format::DpkgStatus)
    } else if has_line("P:") && has_line("V:") {
        Some(Format::ApkInstalled)
    } else if text.contains("[[package]]") || text.contains("package = [") {
        detect_toml_lock(text)
    } else if text.contains("# This is a Gradle generated file")
        || text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .all(|l| l.contains('=') && (l.starts_with("empty=") || l.matches(':').count() >= 2))
            && has_line("empty=")
    {
        Some(Format::GradleLockfile)
    } else if text.contains("==") && !text.contains(',') {
        Some(Format::Requirements)
    } else if text.lines().next().is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("vendor") || l.contains("product") || l.starts_with("cpe")
    }) {
        Some(Format::ProductCsv)
    } else {
        None
    }
}

fn detect_toml_lock(text: &str) -> Option<Format> {
    if text.contains("@generated by Cargo") || text.contains("crates.io-index") {
        Some(Format::CargoLock)
    } else if text.contains("@generated by Poetry") || text.contains("python-versions") {
        Some(Format::PoetryLock)
    } else if text.contains("@generated by PDM") || text.contains("lock_version") {
        Some(Format::PdmLock)
    } else if text.contains("requires-python") || text.contains("pypi.org/simple") {
        Some(Format::UvLock)
    } else {
        // A bare `[[package]]` list with `version = N` at the top is Cargo's.
        Some(Format::CargoLock)
    }
}

fn detect_json(text: &str) -> Option<Format> {
    let has = |key: &str| text.contains(&format!("\"{key}\""));
    if text.contains("\"bomFormat\"") && text.contains("CycloneDX") {
        Some(Format::CycloneDxJson)
    } else if has("spdxVersion") || has("SPDXID") {
        Some(Format::SpdxJson)
    } else if has("lockfileVersion") && has("workspaces") {
        Some(Format::BunLock)
    } else if has("lockfileVersion") {
        Some(Format::NpmLock)
    } else if has("_readme") || has("content-hash") && has("packages") {
        Some(Format::ComposerLock)
    } else if has("_meta") && (has("default") || has("develop")) {
        Some(Format::PipfileLock)
    } else if has("Packages") && (has("R") || has("Repositories")) {
        Some(Format::RenvLock)
    } else if has("graph_lock") || has("requires") && has("build_requires") {
        Some(Format::ConanLock)
    } else if has("dependencies") && has("version") && text.contains("\"resolved\"") {
        Some(Format::NugetLock)
    } else if text.starts_with('[') || has("products") || has("vendor") || has("cpe") {
        Some(Format::ProductJson)
    } else {
        None
    }
}

fn detect_xml(text: &str) -> Option<Format> {
    if text.contains("cyclonedx.org/schema/bom") || text.contains("<bom ") && text.contains("cyclonedx") {
        Some(Format::CycloneDxXml)
    } else if text.contains("<verification-metadata") {
        Some(Format::GradleVerificationMetadata)
    } else if text.contains("<project") {
        Some(Format::MavenPom)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_name() {
        for (name, format) in [
            ("Cargo.lock", Some(Format::CargoLock)),
            ("a/b/package-lock.json", Some(Format::NpmLock)),
            ("npm-shrinkwrap.json", Some(Format::NpmLock)),
            ("requirements-dev.txt", Some(Format::Requirements)),
            ("C:\\x\\pom.xml", Some(Format::MavenPom)),
            ("var/lib/dpkg/status", Some(Format::DpkgStatus)),
            ("app.cdx.json", Some(Format::CycloneDxJson)),
            ("x.spdx", Some(Format::SpdxTagValue)),
            ("software.csv", Some(Format::ProductCsv)),
            ("notes.md", None),
        ] {
            assert_eq!(detect_by_name(name), format, "{name}");
        }
    }

    #[test]
    fn by_content() {
        for (text, format) in [
            (&b"{\"bomFormat\": \"CycloneDX\"}"[..], Some(Format::CycloneDxJson)),
            (b"{\"spdxVersion\": \"SPDX-2.3\"}", Some(Format::SpdxJson)),
            (b"{\"lockfileVersion\": 3, \"packages\": {}}", Some(Format::NpmLock)),
            (b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">", Some(Format::CycloneDxXml)),
            (b"<project><modelVersion>", Some(Format::MavenPom)),
            (b"SPDXVersion: SPDX-2.2\n", Some(Format::SpdxTagValue)),
            (b"# yarn lockfile v1\n", Some(Format::YarnLock)),
            (b"lockfileVersion: '9.0'\n", Some(Format::PnpmLock)),
            (b"module example.com/x\n\ngo 1.22\n", Some(Format::GoMod)),
            (b"Package: bash\nStatus: install ok installed\n", Some(Format::DpkgStatus)),
            (b"P:musl\nV:1.2\n", Some(Format::ApkInstalled)),
            (b"flask==2.0.1\n", Some(Format::Requirements)),
            (b"Vendor,Product,Version\n", Some(Format::ProductCsv)),
            (b"hello", None),
        ] {
            assert_eq!(detect_by_content(text), format, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn name_hint_yields_to_content_for_json() {
        assert_eq!(detect(br#"{"spdxVersion":"SPDX-2.3"}"#, "bom.json"), Some(Format::SpdxJson));
    }
}
