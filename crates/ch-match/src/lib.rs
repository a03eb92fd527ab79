//! The in-memory advisory index: "is version V of package P affected, by what, and
//! which version fixes it", and the same for a product version or a CPE name.
//!
//! This crate does no IO (no files, no clock, no network, no SQL): callers hand in
//! [`ch_advisory::Advisory`] values (read by `ch-advisory` from OSV, CVE JSON 5, NVD...)
//! and KEV catalogue entries, and ask.
//!
//! What it owns:
//! - [`Index`]: records by [`RecordKey`] (id and [`Origin`]: the same CVE from the NVD
//!   and from the CVE List are two records), found by id or alias ([`Index::get`]);
//!   alias-connected groups as [`FlawView`]s, with the highest score and the
//!   known-exploited marking ([`Index::flaw`]).
//! - Package lookups ([`Index::query_package`], [`Index::query_purl`],
//!   [`Index::query_commit`]): postings by (ecosystem family, normalised name,
//!   release), ranges parsed into `ch-version` types once at insert, and an entry's
//!   listed `versions` by the first lookup that needs them (most lists spell out the
//!   entry's ranges, and an import or a start-up need not parse the lists of packages
//!   nobody asks about); each [`Hit`] names
//!   the record, the matching entries, their fixed versions and the smallest fix above
//!   the queried version (its remedy). A package with many entries answers through a
//!   slot table (`table.rs`): a binary search among its event versions and a walk over
//!   a bitset, instead of evaluating every entry.
//! - Product lookups ([`Index::query_product`], [`Index::query_cpe`]): CVE 5 products
//!   and NVD CPE applicability by normalised (vendor, product), so "Fortinet" /
//!   "FortiOS" finds `cpe:2.3:o:fortinet:fortios`; [`Index::suggest`] for near misses.
//! - [`Index::match_components`]: an inventory's components, each by purl, package,
//!   CPE or product, with skipped components and their reasons.
//!
//! Withdrawn records stay readable ([`Index::get`]) and never match. Lookups take
//! `&self`; wrap the index in a lock (or swap a rebuilt one) to update it while serving.
//!
//! ```
//! use std::sync::Arc;
//! use ch_advisory::{Advisory, Format, Osv};
//! use ch_match::{Index, Origin};
//!
//! let json = br#"{"id":"RUSTSEC-2021-0124","modified":"2023-06-13T13:10:24Z","aliases":["CVE-2021-45710"],
//!   "affected":[{"package":{"ecosystem":"crates.io","name":"tokio"},"ranges":[{"type":"SEMVER",
//!   "events":[{"introduced":"0.1.14"},{"fixed":"1.8.4"},{"introduced":"1.9.0"},{"fixed":"1.13.1"}]}]}]}"#;
//! let mut index = Index::new();
//! index.upsert(Arc::new(Advisory::from_osv(Osv::from_json_slice(json)?, Format::OsvJson)?));
//!
//! let hits = index.query_package("crates.io", "tokio", Some("1.12.0"))?;
//! assert_eq!((hits[0].key.id.as_str(), hits[0].key.origin), ("RUSTSEC-2021-0124", Origin::Osv));
//! assert_eq!(hits[0].remedy.as_deref(), Some("1.13.1"));
//! assert!(index.query_purl("pkg:cargo/tokio@1.13.1")?.is_empty());
//! assert_eq!(index.get("CVE-2021-45710")[0].id, "RUSTSEC-2021-0124");
//! assert_eq!(index.flaw("RUSTSEC-2021-0124").map(|f| f.primary_id), Some("CVE-2021-45710".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod error;
mod hit;
mod index;
mod inventory;
mod key;
mod package;
mod product;
mod reverse;
mod suggest;
mod table;
#[cfg(test)]
mod testing;

pub use error::Error;
pub use hit::{Hit, Matched};
pub use index::{FlawView, Index, Prepared};
pub use inventory::{ComponentMatch, ComponentMatches, MatchedBy, Skipped};
pub use key::{Origin, RecordKey};
pub use product::normalise_product_name;
pub use reverse::{MatchKeys, component_keys, package_key, product_key};

/// The known (vendor, product) keys closest to a vendor and product as an IT person wrote
/// them (normalised first), best first: for a product list row that names no known
/// product. `known` is every key the caller knows (for example [`Index::known_products`]).
pub fn suggest_products(vendor: &str, product: &str, known: Vec<(&str, &str)>) -> Vec<(String, String)> {
    suggest::rank(&normalise_product_name(vendor), &normalise_product_name(product), known)
}
