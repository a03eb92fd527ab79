//! Advisories: the OSV model, every conversion into it, the normalised [`Advisory`], and
//! alias merging into [`Flaw`]s.
//!
//! This crate does no IO (no files, no clock, no network): callers hand in bytes or
//! strings, and times come from the records (or from the caller, for RustSec files).
//!
//! What it owns:
//! - [`Osv`]: the OSV record, every schema field, strict (unknown fields are errors),
//!   round-tripping; [`validate_osv`] against the embedded official schema.
//! - Readers that turn each source into OSV and then into an [`Advisory`]:
//!   OSV JSON and YAML ([`osv`]), RustSec's native Markdown ([`rustsec`]), CVE JSON 5
//!   ([`cve5`]), the NVD CVE API 2.0 and the legacy NVD 1.1 feeds ([`nvd`]), and the
//!   pre-OSV databases ([`convert`]: Node.js Security WG, FriendsOfPHP, Victims).
//! - [`kev`]: the CISA KEV catalogue.
//! - [`Advisory`]: what the store persists: ids, times, scores (`ch-cvss`), affected
//!   packages (ranges as OSV events, names normalised by `ch-purl`), affected products
//!   (CVE 5 ranges, `ch-cpe` applicability trees), references, CWEs, KEV and SSVC, and the
//!   OSV record itself for `/v1/vulns/{id}`.
//! - [`merge`]: advisories grouped by alias connectivity into [`Flaw`]s.
//!
//! Hand-written parts, and why:
//! - The OSV, CVE 5, NVD and KEV models are serde structs written from the schemas, not
//!   the `osv` (0.3) or `cve` (0.5) crates' types: these records must refuse unknown OSV
//!   fields with the JSON pointer of the problem, write back exactly what they read
//!   (absent stays absent, an empty list stays empty), share `ch-version`'s range and
//!   event types with the matcher, and read the CVE 5.1 fields the shared data carries
//!   (`cpeApplicability`, `cvssV4_0`, CISA's ADP containers).
//! - The RustSec conversion re-implements RustSec's OSV export (the `rustsec` crate's
//!   `osv` module needs git2 for file times); its output is checked field by field
//!   against the export's own records for all 1,205 crate advisories.
//! - The pre-OSV converters are ours: osv.dev has none for these three databases. Range
//!   syntaxes go through `ch-version`'s `foreign` parsers; the Victims series rule is
//!   here ([`convert::victims`]).

//! ```
//! use ch_advisory::{Advisory, Format, Osv, validate_osv};
//!
//! let json = br#"{"id":"PYSEC-2021-1","modified":"2021-10-05T16:15:00Z","aliases":["CVE-2021-1"],
//!   "affected":[{"package":{"ecosystem":"PyPI","name":"Django_REST"},
//!   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}]}]}"#;
//! let osv = Osv::from_json_slice(json)?;
//! assert!(validate_osv(&osv.to_json_value()).is_ok());
//! let advisory = Advisory::from_osv(osv, Format::OsvJson)?;
//! assert_eq!(advisory.packages[0].normalised_name, "django-rest");
//! assert!(advisory.packages[0].checked().unwrap().is_affected("1.1").unwrap());
//! # Ok::<(), ch_advisory::Error>(())
//! ```

#![warn(missing_docs)]

pub mod convert;
pub mod cve5;
mod error;
mod flaw;
pub mod kev;
mod model;
pub mod nvd;
mod nvd_json;
pub mod osv;
mod refs;
pub mod rustsec;
mod schema;
pub mod time;
pub mod yaml;

pub use error::{Error, Format};
pub use flaw::{Flaw, merge};
pub use kev::{KevCatalogue, KevEntry};
pub use model::{
    Advisory, AffectedPackage, AffectedProduct, EXTENSION_KEY, Exploited, Extension, ProductVersion, Score, ScoreKind,
    ScoreSource, Ssvc, Status, StatusChange, max_score, normalise_name, severity_word,
};
pub use nvd_json::to_json as applicability_to_json;
pub use osv::Osv;
pub use schema::{OSV_SCHEMA, SchemaError, validate_osv};
