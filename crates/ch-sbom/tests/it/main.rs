//! Conformance over the shared SBOM corpus (CLEARINGHOUSE_SHARED_DATA).

mod corpus;
mod expectations;

use std::path::PathBuf;

/// The shared data directory; missing data fails the test run.
pub(crate) fn shared() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.join("sbom").is_dir(), "shared data not found at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

pub(crate) fn read(rel: &str) -> (Vec<u8>, String) {
    let path = shared().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (bytes, rel.to_owned())
}
