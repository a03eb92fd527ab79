//! VEX statements: what an operator or vendor says about whether a vulnerability affects
//! a product, in one model, read from and written to OpenVEX and CycloneDX VEX.
//!
//! - [`VexStatement`] (a [`VulnRef`], [`ProductRef`]s, a [`Status`], a [`Justification`]
//!   and free text) and [`VexDocument`]: the one model; [`VexDocument::check`] holds the
//!   OpenVEX rules (`not_affected` needs a justification or impact statement, `affected`
//!   an action statement).
//! - [`openvex`]: OpenVEX JSON, read (0.2.0 and the older 0.0.x shapes) and written (0.2.0,
//!   valid against the OpenVEX JSON schema).
//! - [`cyclonedx`]: CycloneDX 1.4-1.6 `vulnerabilities[].analysis` read, CycloneDX 1.6 VEX
//!   written; the state and justification mapping is tabled there.
//! - [`VexStatement::applies_to`]: does a statement speak about these vulnerability ids
//!   and this purl or CPE (purl qualifiers in any order; no version means all versions).
//!
//! Pure: no IO, no clock. Every error names the JSON pointer and says what was expected.
//!
//! ```
//! use ch_vex::{Status, openvex};
//!
//! let doc = openvex::parse(br#"{
//!   "@context": "https://openvex.dev/ns/v0.2.0",
//!   "@id": "https://example.com/vex/1",
//!   "author": "Acme PSIRT",
//!   "timestamp": "2023-01-08T18:02:03Z",
//!   "version": 1,
//!   "statements": [{
//!     "vulnerability": {"name": "CVE-2023-12345", "aliases": ["GHSA-xxxx-yyyy-zzzz"]},
//!     "products": [{"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"}],
//!     "status": "not_affected",
//!     "justification": "vulnerable_code_not_in_execute_path"
//!   }]
//! }"#)?;
//! let s = &doc.statements[0];
//! assert_eq!(s.status, Status::NotAffected);
//! assert!(s.applies_to(&["GHSA-xxxx-yyyy-zzzz"], "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"));
//! assert!(!s.applies_to(&["CVE-2023-12345"], "pkg:apk/wolfi/git@2.40.0-r0?arch=x86_64"));
//!
//! // Out again, as OpenVEX 0.2.0 and as CycloneDX 1.6.
//! assert_eq!(openvex::parse(openvex::emit(&doc)?.as_bytes())?, doc);
//! let bom = ch_vex::cyclonedx::emit(&doc)?;
//! assert_eq!(ch_vex::cyclonedx::parse(bom.as_bytes())?.statements, doc.statements);
//! # Ok::<(), ch_vex::Error>(())
//! ```

#![warn(missing_docs)]

pub mod cyclonedx;
mod error;
mod json;
mod matching;
mod model;
pub mod openvex;

pub use error::{Error, Format};
pub use model::{Justification, ProductRef, Status, VexDocument, VexStatement, VulnRef};
