//! CPE 2.3 names, name matching, and NVD applicability statements.
//!
//! - [`Cpe`]: a well-formed CPE name (WFN, NISTIR 7695 §5) parsed from and emitted to
//!   the formatted-string binding (`cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*`,
//!   §6.2) and the URI binding (`cpe:/o:fortinet:fortios:7.2.4`, §6.1, with the packed
//!   edition `~...~...`), escaping, `*` (ANY), `-` (NA) and the `?`/`*` wildcards.
//! - [`Cpe::compare`]: CPE Name Matching (NISTIR 7696 §6-7): attribute relations and the
//!   name-level superset / subset / equal / disjoint results.
//! - [`VendorVersion`]: the order NVD version bounds need for vendor version strings
//!   (`13.1-49.15`, `7.2.4`, `2023.0.1`, `15.02.1118.020`, `002.009(001.000)`).
//! - [`Applicability`]: NVD configurations in both shapes (NVD 1.1 feeds: `nodes`,
//!   `children`, `cpe_match`, `cpe23Uri`; NVD API 2.0: `configurations[].nodes[].cpeMatch[]`
//!   with `criteria`), `AND`/`OR`, `negate`, `vulnerable`, and `versionStart*`/`versionEnd*`
//!   bounds, evaluated against an inventory of products.
//!
//! The `cpe` crate was not used: it rejects `cpe:2.3:` strings.
//!
//! ```
//! use ch_cpe::{Applicability, Cpe};
//!
//! let name: Cpe = "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*".parse()?;
//! assert_eq!(name.to_uri(), "cpe:/o:fortinet:fortios:7.2.4");
//!
//! let nvd = serde_json::json!([{"nodes": [{"operator": "OR", "negate": false, "cpeMatch": [{
//!     "vulnerable": true,
//!     "criteria": "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
//!     "versionStartIncluding": "7.2.0", "versionEndExcluding": "7.2.7"
//! }]}]}]);
//! let applicability = Applicability::from_json(&nvd)?;
//! assert!(applicability.affects(&[name]).vulnerable);
//! assert!(!applicability.affects(&[Cpe::from_product("fortinet:fortios:7.2.7")?]).vulnerable);
//! # Ok::<(), ch_cpe::Error>(())
//! ```

#![warn(missing_docs)]

mod applicability;
mod matching;
mod name;
mod version;

pub use applicability::{Applicability, CpeMatch, Evaluation, Node, Operator};
pub use matching::{NameRelation, Relation};
pub use name::{ATTRIBUTE_NAMES, Attribute, Cpe, Part, Value};
pub use version::VendorVersion;

/// The one error type of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A CPE name does not follow its binding's grammar.
    #[error("CPE {input:?}, {place}: expected {expected}, found {found}")]
    InvalidName {
        /// The name as given.
        input: String,
        /// Where: the attribute (`version`) or the prefix.
        place: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// An NVD applicability document does not have either known shape.
    #[error("NVD configurations at {pointer}: expected {expected}, found {found}")]
    InvalidApplicability {
        /// JSON pointer of the problem.
        pointer: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
}
