//! The report as the caller hands it over: already counted, ranked and formatted.
//!
//! Nothing here is computed from a clock or a store. Words such as severities and states
//! are kept as the caller gives them; the renderers turn the known ones into plain words
//! and pass anything else through unchanged.

use serde::{Deserialize, Serialize};

/// One findings report for one organisation, ready to render.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Heading of the report, e.g. "Vulnerability findings: Riverside Community Hospital".
    pub title: String,
    /// The organisation the report is for.
    pub organisation: String,
    /// When the report was made, already formatted for people, e.g. "2026-12-01 19:30 UTC".
    pub generated_at: String,
    /// The headline figures.
    pub summary: Summary,
    /// The findings, already ranked: highest priority first.
    #[serde(default)]
    pub findings: Vec<FindingRow>,
    /// Open findings over time, oldest first.
    #[serde(default)]
    pub series: Vec<SeriesPoint>,
}

/// The headline figures at the top of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Open findings that are known to be exploited or rated critical.
    pub do_now: u64,
    /// All open findings.
    pub open: u64,
    /// Findings whose risk the organisation has accepted.
    pub accepted: u64,
    /// Findings marked as not affecting the organisation.
    pub not_affected: u64,
    /// Findings fixed in the last 30 days.
    pub fixed_last_30_days: u64,
    /// Assets (machines, devices, systems) in the inventory.
    pub assets: u64,
}

/// One finding: one flaw in one component on one asset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    /// Position in the ranked list, 1 first.
    pub rank: u64,
    /// The asset's name, e.g. "Main firewall".
    pub asset: String,
    /// How much the asset matters: `critical`, `high`, `medium` or `low`.
    pub criticality: String,
    /// The affected component, e.g. "FortiOS".
    pub component: String,
    /// The component's installed version.
    pub version: String,
    /// The flaw's main id, e.g. "CVE-2024-1234".
    pub flaw_id: String,
    /// Other ids of the same flaw (GHSA, vendor ids).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The flaw's severity, `critical`, `high`, `medium` or `low`, when known.
    pub severity: Option<String>,
    /// The flaw's score (CVSS base score, 0.0 to 10.0), when known.
    pub score: Option<f64>,
    /// Whether the flaw is known to be exploited (for instance listed by CISA KEV).
    pub known_exploited: bool,
    /// Whether the flaw is known to be used in ransomware campaigns.
    pub ransomware: bool,
    /// The finding's state: `open`, `accepted`, `not_affected` or `fixed`.
    pub state: String,
    /// What to do, in one plain sentence.
    pub action: String,
    /// The first version of the component that is not affected, when known.
    pub fixed_version: Option<String>,
    /// The day the finding was first seen, `YYYY-MM-DD`.
    pub first_seen: String,
}

/// The number of open findings on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Open findings on that day.
    pub open: u64,
}

/// A finding's state in plain words: `not_affected` becomes "not affected"; unknown states
/// pass through unchanged.
pub(crate) fn plain_state(state: &str) -> &str {
    match state {
        "not_affected" => "not affected",
        other => other,
    }
}

/// A score with one decimal, as CVSS writes it; nothing for a missing or non-finite score.
pub(crate) fn format_score(score: Option<f64>) -> Option<String> {
    score.filter(|s| s.is_finite()).map(|s| format!("{s:.1}"))
}

/// A count with thousands separators: 12345 becomes "12,345".
pub(crate) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 open finding", "2 open findings".
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group_thousands(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (12_345, "12,345"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ];
        for (n, want) in cases {
            assert_eq!(group_thousands(n), want, "{n}");
        }
    }

    #[test]
    fn scores() {
        let cases = [
            (None, None),
            (Some(9.8), Some("9.8")),
            (Some(10.0), Some("10.0")),
            (Some(7.25), Some("7.2")),
            (Some(f64::NAN), None),
            (Some(f64::INFINITY), None),
        ];
        for (score, want) in cases {
            assert_eq!(format_score(score).as_deref(), want, "{score:?}");
        }
    }

    #[test]
    fn states() {
        let cases = [("open", "open"), ("not_affected", "not affected"), ("fixed", "fixed"), ("weird", "weird")];
        for (state, want) in cases {
            assert_eq!(plain_state(state), want);
        }
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "open finding", "open findings"), "1 open finding");
        assert_eq!(plural(0, "open finding", "open findings"), "0 open findings");
        assert_eq!(plural(1500, "asset", "assets"), "1,500 assets");
    }
}
