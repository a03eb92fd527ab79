//! The index on the shared data: every range event of three OSV databases (RustSec,
//! PyPA, AlmaLinux) answered as `ch-version` evaluates it, known answers read from the
//! records, and product lookups over the KEV catalogue's NVD and CVE 5 records.
//!
//! Shared data: `CLEARINGHOUSE_SHARED_DATA`, else `../../../shared/data`; missing data fails.

mod osv_data;
mod products;

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use ch_advisory::{Advisory, Format, Osv};
use ch_match::Hit;

pub(crate) fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

/// The lines of a `.jsonl.zst` file under the shared data.
pub(crate) fn lines(rel: &str) -> Vec<String> {
    let path = shared_data().join(rel);
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::io::BufReader::new(zstd::Decoder::new(f).unwrap()).lines().map(Result::unwrap).collect()
}

/// Every record of an OSV JSON set, as advisories (all of them read: the sets are
/// conformance-tested in `ch-advisory`).
pub(crate) fn osv_set(rel: &str) -> Vec<Arc<Advisory>> {
    lines(rel)
        .iter()
        .map(|l| {
            let osv = Osv::from_json_slice(l.as_bytes()).unwrap_or_else(|e| panic!("{rel}: {e}"));
            Arc::new(Advisory::from_osv(osv, Format::OsvJson).unwrap_or_else(|e| panic!("{rel}: {e}")))
        })
        .collect()
}

/// `origin/id` of each hit.
pub(crate) fn keys(hits: &[Hit]) -> Vec<String> {
    hits.iter().map(|h| h.key.to_string()).collect()
}

/// The hit for record `id` of origin `osv`, if any.
pub(crate) fn hit<'a>(hits: &'a [Hit], key: &str) -> Option<&'a Hit> {
    hits.iter().find(|h| h.key.to_string() == key)
}
