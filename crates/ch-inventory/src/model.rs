//! Records: [`Inventory`], [`Component`], [`Warning`], [`Format`].
//!
//! Everything here is `Serialize` with stable field order; the server stores
//! an inventory as JSON.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of document an inventory was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Format {
    /// CycloneDX 1.2-1.6, JSON.
    #[serde(rename = "cyclonedx-json")]
    CycloneDxJson,
    /// CycloneDX 1.1-1.6, XML.
    #[serde(rename = "cyclonedx-xml")]
    CycloneDxXml,
    /// SPDX 2.2/2.3, JSON.
    SpdxJson,
    /// SPDX 2.2/2.3, tag-value.
    SpdxTagValue,
    /// `Cargo.lock`.
    CargoLock,
    /// `package-lock.json` or `npm-shrinkwrap.json`, lockfile v1-v3.
    NpmLock,
    /// `yarn.lock`, classic v1 and berry.
    YarnLock,
    /// `pnpm-lock.yaml`, v5-v9.
    PnpmLock,
    /// `bun.lock` (text, JSONC).
    BunLock,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `pdm.lock`.
    PdmLock,
    /// `requirements.txt`.
    Requirements,
    /// `go.mod`.
    GoMod,
    /// `Gemfile.lock`.
    GemfileLock,
    /// `composer.lock`.
    ComposerLock,
    /// `pom.xml` (declared versions).
    MavenPom,
    /// `gradle.lockfile`.
    GradleLockfile,
    /// `gradle/verification-metadata.xml`.
    GradleVerificationMetadata,
    /// NuGet `packages.lock.json`.
    NugetLock,
    /// `pubspec.lock`.
    PubspecLock,
    /// `mix.lock`.
    MixLock,
    /// `renv.lock`.
    RenvLock,
    /// `conan.lock`.
    ConanLock,
    /// Debian/Ubuntu `/var/lib/dpkg/status`.
    DpkgStatus,
    /// Alpine `/lib/apk/db/installed`.
    ApkInstalled,
    /// A product list kept as CSV: vendor, product, version or a CPE 2.3 name.
    ProductCsv,
    /// A product list kept as JSON: an array of rows.
    ProductJson,
}

impl Format {
    /// Every format, in declaration order.
    pub const ALL: [Format; 29] = [
        Format::CycloneDxJson,
        Format::CycloneDxXml,
        Format::SpdxJson,
        Format::SpdxTagValue,
        Format::CargoLock,
        Format::NpmLock,
        Format::YarnLock,
        Format::PnpmLock,
        Format::BunLock,
        Format::PoetryLock,
        Format::UvLock,
        Format::PipfileLock,
        Format::PdmLock,
        Format::Requirements,
        Format::GoMod,
        Format::GemfileLock,
        Format::ComposerLock,
        Format::MavenPom,
        Format::GradleLockfile,
        Format::GradleVerificationMetadata,
        Format::NugetLock,
        Format::PubspecLock,
        Format::MixLock,
        Format::RenvLock,
        Format::ConanLock,
        Format::DpkgStatus,
        Format::ApkInstalled,
        Format::ProductCsv,
        Format::ProductJson,
    ];

    /// The stable kebab-case name (`"cyclonedx-json"`, `"npm-lock"`), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CycloneDxJson => "cyclonedx-json",
            Format::CycloneDxXml => "cyclonedx-xml",
            Format::SpdxJson => "spdx-json",
            Format::SpdxTagValue => "spdx-tag-value",
            Format::CargoLock => "cargo-lock",
            Format::NpmLock => "npm-lock",
            Format::YarnLock => "yarn-lock",
            Format::PnpmLock => "pnpm-lock",
            Format::BunLock => "bun-lock",
            Format::PoetryLock => "poetry-lock",
            Format::UvLock => "uv-lock",
            Format::PipfileLock => "pipfile-lock",
            Format::PdmLock => "pdm-lock",
            Format::Requirements => "requirements",
            Format::GoMod => "go-mod",
            Format::GemfileLock => "gemfile-lock",
            Format::ComposerLock => "composer-lock",
            Format::MavenPom => "maven-pom",
            Format::GradleLockfile => "gradle-lockfile",
            Format::GradleVerificationMetadata => "gradle-verification-metadata",
            Format::NugetLock => "nuget-lock",
            Format::PubspecLock => "pubspec-lock",
            Format::MixLock => "mix-lock",
            Format::RenvLock => "renv-lock",
            Format::ConanLock => "conan-lock",
            Format::DpkgStatus => "dpkg-status",
            Format::ApkInstalled => "apk-installed",
            Format::ProductCsv => "product-csv",
            Format::ProductJson => "product-json",
        }
    }

    /// A human name for error messages ("a CycloneDX JSON document").
    pub fn describe(self) -> &'static str {
        match self {
            Format::CycloneDxJson => "a CycloneDX JSON document",
            Format::CycloneDxXml => "a CycloneDX XML document",
            Format::SpdxJson => "an SPDX JSON document",
            Format::SpdxTagValue => "an SPDX tag-value document",
            Format::CargoLock => "a Cargo.lock",
            Format::NpmLock => "a package-lock.json",
            Format::YarnLock => "a yarn.lock",
            Format::PnpmLock => "a pnpm-lock.yaml",
            Format::BunLock => "a bun.lock",
            Format::PoetryLock => "a poetry.lock",
            Format::UvLock => "a uv.lock",
            Format::PipfileLock => "a Pipfile.lock",
            Format::PdmLock => "a pdm.lock",
            Format::Requirements => "a requirements.txt",
            Format::GoMod => "a go.mod",
            Format::GemfileLock => "a Gemfile.lock",
            Format::ComposerLock => "a composer.lock",
            Format::MavenPom => "a Maven pom.xml",
            Format::GradleLockfile => "a gradle.lockfile",
            Format::GradleVerificationMetadata => "a Gradle verification-metadata.xml",
            Format::NugetLock => "a NuGet packages.lock.json",
            Format::PubspecLock => "a pubspec.lock",
            Format::MixLock => "a mix.lock",
            Format::RenvLock => "a renv.lock",
            Format::ConanLock => "a conan.lock",
            Format::DpkgStatus => "a dpkg status database",
            Format::ApkInstalled => "an apk installed database",
            Format::ProductCsv => "a CSV product list",
            Format::ProductJson => "a JSON product list",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let alias = match wanted.as_str() {
            "cyclonedx" | "cdx-json" => Some(Format::CycloneDxJson),
            "cdx-xml" => Some(Format::CycloneDxXml),
            "spdx" => Some(Format::SpdxJson),
            "csv" => Some(Format::ProductCsv),
            _ => None,
        };
        alias
            .or_else(|| Format::ALL.into_iter().find(|f| f.as_str() == wanted))
            .ok_or_else(|| crate::Error::UnknownFormatName { found: s.to_owned() })
    }
}

/// How a component is reached from the thing the inventory describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Dependency {
    /// Declared by the project (or its root component) itself.
    Direct,
    /// Pulled in by another component.
    Transitive,
    /// The document does not say.
    #[default]
    Unknown,
}

/// Where in the source document a component or warning came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Origin {
    /// The file name (the hint given to the reader, or an included file).
    pub file: String,
    /// 1-based line, for text formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// JSON pointer (RFC 6901) or, for XML and YAML, a path in the same shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl Origin {
    /// An origin at a line of `file`.
    pub fn line(file: &str, line: usize) -> Self {
        Origin { file: file.to_owned(), line: Some(line), pointer: None }
    }

    /// An origin at a JSON pointer in `file`.
    pub fn pointer(file: &str, pointer: impl Into<String>) -> Self {
        Origin { file: file.to_owned(), line: None, pointer: Some(pointer.into()) }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(pointer) = &self.pointer {
            write!(f, "#{pointer}")?;
        }
        Ok(())
    }
}

/// One piece of software in an inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Component {
    /// Package name as the ecosystem spells it (`@babel/core`, `org.slf4j:slf4j-api`).
    pub name: String,
    /// Version as written; `None` when the document gives none.
    pub version: Option<String>,
    /// OSV ecosystem name (`"npm"`, `"PyPI"`, `"Debian:12"`), when known.
    pub ecosystem: Option<String>,
    /// Package URL, when given or derivable.
    pub purl: Option<String>,
    /// CPE 2.3 formatted string, when given.
    pub cpe: Option<String>,
    /// Vendor (publisher, supplier or group) for commercial rows and SBOM entries.
    pub vendor: Option<String>,
    /// Product name for commercial rows; for a distribution package named by
    /// its source package, the binary package. `None` otherwise.
    pub product: Option<String>,
    /// Where the component was read.
    pub origin: Origin,
    /// Direct or transitive, when the document says.
    pub dependency: Dependency,
    /// Scope as the document names it (`"dev"`, `"optional"`, `"test"`, `"required"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Only needed to develop or test the project, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<bool>,
}

impl Component {
    /// A component with a name, version and ecosystem; other fields empty.
    pub fn new(name: impl Into<String>, version: Option<String>, ecosystem: Option<&str>, origin: Origin) -> Self {
        Component {
            name: name.into(),
            version,
            ecosystem: ecosystem.map(str::to_owned),
            origin,
            ..Component::default()
        }
    }
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningKind {
    /// A requirement without an exact version (`flask>=2`).
    Unpinned,
    /// A Maven `${property}` with no value in the document.
    UnresolvedProperty,
    /// An entry that was skipped (local path, git source without version, bad row).
    Skipped,
    /// A reference to another file that a pure reader does not follow (`-r other.txt`).
    NotFollowed,
    /// The document declares no components.
    NoComponents,
    /// Anything else worth telling the operator.
    Other,
}

/// Something the reader could not fully honour; the inventory is still usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Category.
    pub kind: WarningKind,
    /// Human text naming the entry.
    pub message: String,
    /// Where, when known.
    pub origin: Option<Origin>,
}

impl Warning {
    /// A warning.
    pub fn new(kind: WarningKind, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Warning { kind, message: message.into(), origin }
    }
}

/// The components read from one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The format the document was read as.
    pub format: Format,
    /// The file name hint the caller gave.
    pub source_name: String,
    /// Components in document order.
    pub components: Vec<Component>,
    /// Things the reader could not fully honour.
    pub warnings: Vec<Warning>,
}

impl Inventory {
    /// An empty inventory of `format` read from `source_name`.
    pub fn new(format: Format, source_name: &str) -> Self {
        Inventory { format, source_name: source_name.to_owned(), components: Vec::new(), warnings: Vec::new() }
    }

    /// Add a warning.
    pub fn warn(&mut self, kind: WarningKind, message: impl Into<String>, origin: Option<Origin>) {
        self.warnings.push(Warning::new(kind, message, origin));
    }

    /// Close the inventory: adds a [`WarningKind::NoComponents`] warning when
    /// there are no components, so that an empty result is never silent.
    pub fn finish(mut self) -> Self {
        if self.components.is_empty() && !self.warnings.iter().any(|w| w.kind == WarningKind::NoComponents) {
            let message = format!(
                "{} declares no components",
                self.format.describe().trim_start_matches("a ").trim_start_matches("an ")
            );
            self.warn(WarningKind::NoComponents, message, None);
        }
        self
    }
}
