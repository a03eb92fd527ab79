//! Conformance on the shared data: every OpenVEX document reads into the statements it
//! says, round-trips, and is written valid against the OpenVEX schema; every CycloneDX
//! VEX example reads into its statements or is refused with a reason; the CycloneDX
//! written validates against the 1.6 schema.
//!
//! Shared data: `CLEARINGHOUSE_SHARED_DATA`, else `../../../shared/data`; missing data fails.

mod cyclonedx_data;
mod openvex_data;
mod schema;

use std::path::{Path, PathBuf};

pub(crate) fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

/// Every `*.json` under `dir`, as paths relative to `dir`, sorted.
pub(crate) fn json_files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// (vulnerability, status, product ids) of each statement, for compact expectations.
pub(crate) fn summary(doc: &ch_vex::VexDocument) -> Vec<(String, &'static str, Vec<String>)> {
    doc.statements
        .iter()
        .map(|s| (s.vulnerability.id.clone(), s.status.as_str(), s.products.iter().map(|p| p.id.clone()).collect()))
        .collect()
}
