//! The inventory model shared by every reader: what an operator runs.
//!
//! This crate owns the [`Component`] and [`Inventory`] records that the SBOM
//! readers (`ch-sbom`) and lockfile readers (`ch-lockfile`) produce, the
//! [`Format`] enum with detection from a file name and content
//! ([`detect`]), and the one [`Error`] type those readers return. It does
//! no IO: callers hand in bytes and a file name hint.
//!
//! Invariants:
//! - a component always has a non-empty `name`;
//! - `ecosystem` is an OSV ecosystem name (`"npm"`, `"PyPI"`, `"Debian:12"`);
//! - an [`Inventory`] with zero components always carries a warning, so an
//!   empty result is never silent.
//!
//! ```
//! use ch_inventory::{detect, Format};
//!
//! assert_eq!(detect(b"# yarn lockfile v1\n", "yarn.lock"), Some(Format::YarnLock));
//! assert_eq!(
//!     detect(br#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#, "upload.json"),
//!     Some(Format::CycloneDxJson)
//! );
//! assert_eq!("pom.xml".parse::<Format>().ok(), None); // names, not files
//! assert_eq!("maven-pom".parse::<Format>().ok(), Some(Format::MavenPom));
//! ```

#![warn(missing_docs)]

mod detect;
pub mod error;
mod model;
pub mod purl;

pub use detect::{detect, detect_by_content, detect_by_name};
pub use error::{Error, Location};
pub use model::{Component, Dependency, Format, Inventory, Origin, Warning, WarningKind};
pub use purl::{PurlInfo, parse_purl, purl_for};
