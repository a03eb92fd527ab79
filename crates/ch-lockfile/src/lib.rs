//! Lockfile, manifest, package-database and product-list readers into the
//! [`ch_inventory::Inventory`] model, and [`read`], the one entry point for
//! every format (SBOMs are handed to `ch-sbom`).
//!
//! Pure: callers hand in bytes, a file name hint and optionally the format
//! and an `/etc/os-release` text; nothing here touches the file system, the
//! network or the clock. Errors are [`ch_inventory::Error`] (re-exported as
//! [`Error`]) and name the place: `line:column` for text formats, a JSON
//! pointer for JSON, YAML and TOML documents.
//!
//! ```
//! use ch_lockfile::{read, Format};
//!
//! let lock = b"version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
//! let inventory = read(lock, "Cargo.lock", None)?;
//! assert_eq!(inventory.format, Format::CargoLock);
//! let serde = &inventory.components[0];
//! assert_eq!((serde.name.as_str(), serde.version.as_deref()), ("serde", Some("1.0.200")));
//! assert_eq!(serde.purl.as_deref(), Some("pkg:cargo/serde@1.0.200"));
//! assert_eq!(serde.dependency, ch_inventory::Dependency::Direct);
//! # Ok::<(), ch_lockfile::Error>(())
//! ```

#![warn(missing_docs)]

pub mod cargo;
pub mod conan;
pub mod dart;
pub mod dotnet;
pub mod elixir;
pub mod go;
pub mod jvm;
pub mod npm;
pub mod os;
pub mod php;
pub mod products;
pub mod python;
pub mod r;
pub mod ruby;
mod util;

pub use ch_inventory::{Error, Format, Inventory};

/// Read any supported document. With `format` `None` the format is detected
/// from the file name, then the content ([`ch_inventory::detect`]).
pub fn read(bytes: &[u8], file_name: &str, format: Option<Format>) -> Result<Inventory, Error> {
    read_with_os_release(bytes, file_name, format, None)
}

/// [`read`], with the text of `/etc/os-release` for package databases
/// (dpkg `status`, apk `installed`), which do not name their release.
pub fn read_with_os_release(
    bytes: &[u8],
    file_name: &str,
    format: Option<Format>,
    os_release: Option<&str>,
) -> Result<Inventory, Error> {
    let format = match format.or_else(|| ch_inventory::detect(bytes, file_name)) {
        Some(f) => f,
        None => {
            return Err(Error::Undetected {
                file: file_name.to_owned(),
                found: ch_inventory::error::describe_start(bytes),
            });
        }
    };
    match format {
        Format::CycloneDxJson | Format::CycloneDxXml | Format::SpdxJson | Format::SpdxTagValue => {
            ch_sbom::read(bytes, file_name, Some(format))
        }
        Format::CargoLock => cargo::read_cargo_lock(bytes, file_name),
        Format::NpmLock => npm::read_package_lock(bytes, file_name),
        Format::YarnLock => npm::read_yarn_lock(bytes, file_name),
        Format::PnpmLock => npm::read_pnpm_lock(bytes, file_name),
        Format::BunLock => npm::read_bun_lock(bytes, file_name),
        Format::PoetryLock => python::read_poetry_lock(bytes, file_name),
        Format::UvLock => python::read_uv_lock(bytes, file_name),
        Format::PipfileLock => python::read_pipfile_lock(bytes, file_name),
        Format::PdmLock => python::read_pdm_lock(bytes, file_name),
        Format::Requirements => python::read_requirements(bytes, file_name),
        Format::GoMod => go::read_go_mod(bytes, file_name),
        Format::GemfileLock => ruby::read_gemfile_lock(bytes, file_name),
        Format::ComposerLock => php::read_composer_lock(bytes, file_name),
        Format::MavenPom => jvm::read_pom(bytes, file_name),
        Format::GradleLockfile => jvm::read_gradle_lockfile(bytes, file_name),
        Format::GradleVerificationMetadata => jvm::read_gradle_verification(bytes, file_name),
        Format::NugetLock => dotnet::read_nuget_lock(bytes, file_name),
        Format::PubspecLock => dart::read_pubspec_lock(bytes, file_name),
        Format::MixLock => elixir::read_mix_lock(bytes, file_name),
        Format::RenvLock => r::read_renv_lock(bytes, file_name),
        Format::ConanLock => conan::read_conan_lock(bytes, file_name),
        Format::DpkgStatus => os::read_dpkg_status(bytes, file_name, os_release),
        Format::ApkInstalled => os::read_apk_installed(bytes, file_name, os_release),
        Format::ProductCsv => products::read_product_csv(bytes, file_name),
        Format::ProductJson => products::read_product_json(bytes, file_name),
        other => Err(Error::Unsupported {
            file: file_name.to_owned(),
            format: other,
            expected: "a supported format".to_owned(),
            found: other.describe().to_owned(),
        }),
    }
}
