//! Data-driven tests: version fixtures, real OSV ranges, order laws.

mod fixtures;
mod foreign_data;
mod laws;
mod osv_data;

use std::path::PathBuf;

/// The shared data directory: `CLEARINGHOUSE_SHARED_DATA`, else `../../../shared/data`.
pub(crate) fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}
