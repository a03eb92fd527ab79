//! Conformance on the shared data: every record of every advisory set reads or is
//! refused with a reason, every emitted OSV record validates, conversions agree with
//! their sources' own conversions where the data carries them.
//!
//! Shared data: `CLEARINGHOUSE_SHARED_DATA`, else `../../../shared/data`; missing data fails.

mod converted;
mod cve_data;
mod flaws;
mod kev;
mod osv_data;
mod rustsec_md;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;

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

/// Outcomes of one data set: how many read, and the refusals grouped by reason.
#[derive(Default, Debug)]
pub(crate) struct Tally {
    pub(crate) ok: usize,
    pub(crate) refused: BTreeMap<String, Vec<String>>,
}

impl Tally {
    pub(crate) fn refuse(&mut self, reason: impl Into<String>, what: impl Into<String>) {
        self.refused.entry(reason.into()).or_default().push(what.into());
    }

    pub(crate) fn refused_count(&self) -> usize {
        self.refused.values().map(Vec::len).sum()
    }

    pub(crate) fn print(&self, name: &str) {
        eprintln!("{name}: {} read, {} refused", self.ok, self.refused_count());
        for (reason, items) in &self.refused {
            let shown: Vec<&String> = items.iter().take(3).collect();
            eprintln!("  {} x {reason}: {shown:?}", items.len());
        }
    }
}

/// A refusal reason without the record-specific parts (for grouping).
pub(crate) fn reason(e: &ch_advisory::Error) -> String {
    match e {
        ch_advisory::Error::Invalid { path, expected, .. } => {
            let path: String =
                path.split('/').map(|p| if p.parse::<usize>().is_ok() { "N" } else { p }).collect::<Vec<_>>().join("/");
            format!("{path}: expected {expected}")
        }
        other => {
            let s = other.to_string();
            s.split(": ").skip(1).collect::<Vec<_>>().join(": ")
        }
    }
}
