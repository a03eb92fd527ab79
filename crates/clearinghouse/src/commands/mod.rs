//! Commands over the pure crates: `version`, `cvss`, `cpe`. Each exposes a clap type
//! and `run(cmd, out, input) -> exit code` (0 clean, 1 findings, 2 error).

pub(crate) mod bench;
pub(crate) mod cpe;
pub(crate) mod cvss;
pub(crate) mod db;
pub(crate) mod scan;
pub(crate) mod scan_server;
pub(crate) mod version;
