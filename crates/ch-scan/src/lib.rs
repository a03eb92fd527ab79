//! The offline scanner's report: what a scan found, how it is written out, which findings a
//! project accepts, and what the exit code is.
//!
//! This crate does no IO (no files, no clock, no network, no terminal detection): callers
//! hand in strings and the current date, and get strings back.
//!
//! What it owns:
//! - [`ScanReport`]: the data model of one scan (targets, database, [`Finding`]s), serde
//!   `Serialize` and `Deserialize`; the JSON output is this struct.
//! - [`render`] in five [`OutputFormat`]s: a plain table, JSON, SARIF 2.1.0 for GitHub code
//!   scanning, GitHub Markdown, and a CycloneDX 1.6 VDR/VEX document. One priority order
//!   throughout: known exploited first, then severity ([`severity_rank`]).
//! - The ignore file ([`parse_ignore_file`], [`IgnoreFile::apply`]): TOML `[[ignore]]`
//!   entries with a required reason and an optional expiry date.
//! - [`exit_code`]: 0 clean, 1 a finding at or above `--fail-on`, 2 a file could not be
//!   scanned.
//!
//! What it does not own: matching (`ch-match` fills [`Finding`], `remedy` included) and
//! reading inventories (`ch-lockfile`, `ch-sbom`).
//!
//! ```
//! use ch_scan::{OutputFormat, ScanReport, SeverityWord, exit_code, parse_ignore_file, render};
//!
//! let json = r#"{
//!   "tool_version": "0.1.0",
//!   "scanned_at": "2026-11-22T10:00:00Z",
//!   "database": {"advisories": 1206, "last_modified": null, "source": "local db"},
//!   "targets": [{"path": "Cargo.lock", "format": "Cargo.lock", "components": 2, "warnings": []}],
//!   "errors": [],
//!   "findings": [{
//!     "package": {"name": "rsa", "version": "0.9.6", "ecosystem": "crates.io",
//!       "purl": "pkg:cargo/rsa@0.9.6", "cpe": null, "vendor": null, "product": null,
//!       "location": {"path": "Cargo.lock", "line": 120, "pointer": null}, "direct": true},
//!     "advisory_id": "RUSTSEC-2023-0071", "aliases": ["CVE-2023-49092"],
//!     "summary": "Marvin Attack: potential key recovery through timing sidechannels",
//!     "severity": {"word": "medium", "score": 5.9, "vector": null},
//!     "known_exploited": null, "fixed_versions": [], "remedy": null,
//!     "references": [], "cwes": ["CWE-385"], "ignored": null
//!   }]
//! }"#;
//! let mut report: ScanReport = serde_json::from_str(json)?;
//! assert_eq!(exit_code(&report, None), 1);
//! assert_eq!(exit_code(&report, Some(SeverityWord::High)), 0);
//!
//! let ignore = parse_ignore_file(
//!     "[[ignore]]\nid = \"CVE-2023-49092\"\nreason = \"not reachable: we never decrypt\"\n",
//!     "ignore.toml",
//! )?;
//! let warnings = ignore.apply(&mut report, "2026-11-22".parse()?);
//! assert!(warnings.is_empty());
//! assert_eq!(exit_code(&report, None), 0);
//!
//! let table = render(&report, OutputFormat::Table)?;
//! assert!(table.contains("0 vulnerabilities in 0 packages (0 known exploited); 1 ignored"));
//! let sarif: serde_json::Value = serde_json::from_str(&render(&report, "sarif".parse()?)?)?;
//! assert_eq!(sarif["runs"][0]["results"][0]["suppressions"][0]["kind"], "external");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod error;
mod exit;
mod ignore;
mod model;
mod render;

pub use error::Error;
pub use exit::{exit_code, fails};
pub use ignore::{IgnoreEntry, IgnoreFile, parse_ignore_file};
pub use model::{
    DatabaseInfo, Finding, Ignored, KnownExploited, Location, Package, ScanReport, Severity, SeverityWord, Target,
    TargetError, severity_rank,
};
pub use render::{OutputFormat, render};
