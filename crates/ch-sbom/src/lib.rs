//! SBOM readers: CycloneDX 1.2-1.6 (JSON and XML) and SPDX 2.2/2.3 (JSON and
//! tag-value) into the [`ch_inventory::Inventory`] model.
//!
//! Pure: callers hand in bytes and a file name hint (used in origins and
//! error messages). The CycloneDX reader is our own lenient model checked
//! against the rules of the official schemas (see [`cyclonedx`]); the SPDX
//! reader is our own too (see [`spdx`]). Errors are [`ch_inventory::Error`],
//! re-exported here as [`Error`], and always name the place.
//!
//! ```
//! use ch_sbom::{read, Format};
//!
//! let bom = br#"{
//!   "bomFormat": "CycloneDX", "specVersion": "1.6",
//!   "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
//!   "components": [
//!     {"type": "library", "name": "lodash", "version": "4.17.21",
//!      "purl": "pkg:npm/lodash@4.17.21", "bom-ref": "lodash"}
//!   ],
//!   "dependencies": [{"ref": "app", "dependsOn": ["lodash"]}]
//! }"#;
//! let inventory = read(bom, "bom.json", Some(Format::CycloneDxJson))?;
//! let c = &inventory.components[0];
//! assert_eq!((c.name.as_str(), c.version.as_deref()), ("lodash", Some("4.17.21")));
//! assert_eq!(c.ecosystem.as_deref(), Some("npm"));
//! assert_eq!(c.dependency, ch_inventory::Dependency::Direct);
//! # Ok::<(), ch_sbom::Error>(())
//! ```

#![warn(missing_docs)]

pub mod cyclonedx;
pub mod spdx;
pub mod xml;

pub use ch_inventory::{Error, Format, Inventory};

/// Read an SBOM. With `format` `None`, the format is detected from the name
/// and content; a non-SBOM format is refused with [`Error::Unsupported`].
pub fn read(bytes: &[u8], file_name: &str, format: Option<Format>) -> Result<Inventory, Error> {
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
        Format::CycloneDxJson => cyclonedx::read_json(bytes, file_name),
        Format::CycloneDxXml => cyclonedx::read_xml(bytes, file_name),
        Format::SpdxJson => spdx::read_json(bytes, file_name),
        Format::SpdxTagValue => spdx::read_tag_value(bytes, file_name),
        other => Err(Error::Unsupported {
            file: file_name.to_owned(),
            format: other,
            expected: "a CycloneDX or SPDX document".to_owned(),
            found: other.describe().to_owned(),
        }),
    }
}
