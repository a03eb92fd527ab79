//! The operator's findings report: CSV, PDF and an SVG chart of open findings over time.
//!
//! This crate turns a [`Report`], which the caller has already counted, ranked and
//! formatted, into the three things an IT person at a small hospital or bank hands to a
//! board or an auditor:
//!
//! - [`to_csv`]: every finding as a spreadsheet row (RFC 4180, guarded against formula
//!   injection);
//! - [`to_pdf`]: an A4 report with the headline figures, a chart and the findings table;
//! - [`chart_svg`]: the chart of open findings over time, for a web page.
//!
//! It is pure: no files, no clock (the generation time is a string in the [`Report`]), no
//! network. The same input always gives the same bytes.
//!
//! ```
//! use ch_report::{FindingRow, Report, SeriesPoint, Summary, chart_svg, to_csv, to_pdf};
//!
//! let report = Report {
//!     title: "Vulnerability findings: Riverside Community Hospital".into(),
//!     organisation: "Riverside Community Hospital".into(),
//!     generated_at: "2026-12-01 19:30 UTC".into(),
//!     summary: Summary { do_now: 1, open: 1, assets: 40, ..Summary::default() },
//!     findings: vec![FindingRow {
//!         rank: 1,
//!         asset: "Main firewall".into(),
//!         criticality: "critical".into(),
//!         component: "FortiOS".into(),
//!         version: "7.2.4".into(),
//!         flaw_id: "CVE-2024-21762".into(),
//!         severity: Some("critical".into()),
//!         score: Some(9.8),
//!         known_exploited: true,
//!         state: "open".into(),
//!         action: "Known to be exploited; upgrade FortiOS on the main firewall to 7.2.7.".into(),
//!         fixed_version: Some("7.2.7".into()),
//!         first_seen: "2026-11-20".into(),
//!         ..FindingRow::default()
//!     }],
//!     series: vec![SeriesPoint { date: "2026-12-01".into(), open: 1 }],
//! };
//! let csv = to_csv(&report)?;
//! let pdf = to_pdf(&report)?;
//! let svg = chart_svg(&report.series, 640, 240);
//! assert!(csv.contains("CVE-2024-21762"));
//! assert!(pdf.starts_with(b"%PDF"));
//! assert!(svg.contains("role=\"img\""));
//! # Ok::<(), ch_report::Error>(())
//! ```
#![warn(missing_docs)]

mod chart;
mod csv_export;
mod error;
mod font;
mod model;
mod pdf;
mod svg;

pub use csv_export::{CSV_HEADERS, to_csv};
pub use error::Error;
pub use model::{FindingRow, Report, SeriesPoint, Summary};
pub use pdf::to_pdf;
pub use svg::{MIN_HEIGHT, MIN_WIDTH, chart_svg};
