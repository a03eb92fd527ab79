//! CVSS vectors (v2.0, v3.0, v3.1, v4.0): parsing, base scores, severities, and every
//! metric in words for display.
//!
//! Scoring is the `cvss` crate (RustSec, verified against the specifications'
//! calculators for all four versions; v4.0 by the macro-vector lookup). This crate wraps
//! it and fills in what it leaves out:
//!
//! - **v2 severity** by the NVD bands (Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0); the
//!   v2 specification itself defines none.
//! - **v3 mandatory metrics**: `cvss` accepts a v3 vector missing a base metric (and
//!   scores the gap as zero); here all eight (`AV AC PR UI S C I A`) are required.
//! - **v2 spellings** seen in feeds: an optional `CVSS:2.0/` prefix and surrounding
//!   parentheses are accepted.
//! - **Errors** that name the metric and say what was expected and found.
//! - **Metric names and values in words** ([`Metric`]), for every base, threat/temporal,
//!   environmental and supplemental metric of each version.
//!
//! The score is the one the specification calls "the" score of a vector: the base score
//! for v2 and v3.x (temporal and environmental metrics are shown but not applied, as
//! NVD and CNA records state base scores), and CVSS-B/BT/BE/BTE for v4.0.
//!
//! ```
//! use ch_cvss::{Cvss, Severity};
//!
//! let v: Cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".parse()?;
//! assert_eq!(v.score(), 9.8);
//! assert_eq!(v.severity(), Severity::Critical);
//! assert_eq!(v.metrics()[0].to_string(), "Attack Vector (AV): Network (N)");
//!
//! let err = "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".parse::<Cvss>().unwrap_err();
//! assert!(err.to_string().contains("metric AV (Attack Vector): expected one of N, A, L, P, found \"Q\""));
//! # Ok::<(), ch_cvss::Error>(())
//! ```

#![warn(missing_docs)]

mod words;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use words::describe;

/// The one error type of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A metric has a value its version does not define, is duplicated, missing, or unknown.
    #[error("CVSS {version} vector {vector:?}, metric {metric}: expected {expected}, found {found}")]
    Metric {
        /// The CVSS version the vector claims.
        version: &'static str,
        /// The vector as given.
        vector: String,
        /// The metric, as `AV (Attack Vector)`.
        metric: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// The vector's shape is wrong (prefix, version, a component without `:`).
    #[error("CVSS vector {vector:?}: expected {expected}, found {found}")]
    Vector {
        /// The vector as given.
        vector: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
}

/// A CVSS version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum CvssVersion {
    /// CVSS v2.0.
    #[serde(rename = "2.0")]
    V2,
    /// CVSS v3.0.
    #[serde(rename = "3.0")]
    V3_0,
    /// CVSS v3.1.
    #[serde(rename = "3.1")]
    V3_1,
    /// CVSS v4.0.
    #[serde(rename = "4.0")]
    V4_0,
}

impl CvssVersion {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Qualitative severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Severity {
    /// 0.0 (v3, v4).
    None,
    /// 0.1-3.9 (v2: 0.0-3.9).
    Low,
    /// 4.0-6.9.
    Medium,
    /// 7.0-8.9 (v2: 7.0-10.0).
    High,
    /// 9.0-10.0 (v3, v4).
    Critical,
}

impl Severity {
    /// `NONE`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL` (as NVD writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "NONE",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// NVD's v2 bands.
    pub fn from_v2_score(score: f64) -> Severity {
        if score < 4.0 {
            Severity::Low
        } else if score < 7.0 {
            Severity::Medium
        } else {
            Severity::High
        }
    }

    /// The v3.x / v4.0 qualitative rating scale.
    pub fn from_score(score: f64) -> Severity {
        if score <= 0.0 {
            Severity::None
        } else if score < 4.0 {
            Severity::Low
        } else if score < 7.0 {
            Severity::Medium
        } else if score < 9.0 {
            Severity::High
        } else {
            Severity::Critical
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One metric of a vector, abbreviated and in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Metric {
    /// Abbreviation, `AV`.
    pub key: String,
    /// Name, `Attack Vector`.
    pub name: String,
    /// Value abbreviation, `N`.
    pub value: String,
    /// Value in words, `Network`.
    pub value_name: String,
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {} ({})", self.name, self.key, self.value_name, self.value)
    }
}

/// A parsed CVSS vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Cvss {
    version: CvssVersion,
    inner: cvss::Cvss,
    metrics: Vec<Metric>,
    score: f64,
}

fn metric_label(version: CvssVersion, key: &str) -> String {
    match words::metric_name(version, key) {
        Some(name) => format!("{key} ({name})"),
        None => key.to_owned(),
    }
}

impl Cvss {
    /// Parses a vector string: `CVSS:3.1/...`, `CVSS:4.0/...`, `CVSS:3.0/...`, or a bare
    /// v2 vector `AV:N/AC:L/Au:N/C:P/I:P/A:P` (optionally `CVSS:2.0/`-prefixed or in
    /// parentheses).
    pub fn parse(vector: &str) -> Result<Cvss, Error> {
        let s = vector.trim();
        let s = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')).unwrap_or(s);
        let (version, body) = if let Some(rest) = s.strip_prefix("CVSS:") {
            let (v, _) = rest.split_once('/').ok_or_else(|| Error::Vector {
                vector: vector.to_owned(),
                expected: "'/' after the CVSS version",
                found: "end of input".to_owned(),
            })?;
            let version = match v {
                "2.0" => CvssVersion::V2,
                "3.0" => CvssVersion::V3_0,
                "3.1" => CvssVersion::V3_1,
                "4.0" => CvssVersion::V4_0,
                other => {
                    return Err(Error::Vector {
                        vector: vector.to_owned(),
                        expected: "CVSS version 2.0, 3.0, 3.1 or 4.0",
                        found: format!("{other:?}"),
                    });
                }
            };
            let body = if version == CvssVersion::V2 { rest.get(4..).unwrap_or_default() } else { s };
            (version, body)
        } else if s.starts_with("AV:") {
            (CvssVersion::V2, s)
        } else {
            return Err(Error::Vector {
                vector: vector.to_owned(),
                expected: "\"CVSS:<version>/\" or a v2 vector starting \"AV:\"",
                found: format!("{:?}", s.chars().take(9).collect::<String>()),
            });
        };
        // Collect metrics first, so errors and words come from one place.
        let components: Vec<&str> =
            if version == CvssVersion::V2 { body.split('/').collect() } else { body.split('/').skip(1).collect() };
        let mut metrics = Vec::with_capacity(components.len());
        for c in &components {
            let Some((key, value)) = c.split_once(':') else {
                return Err(Error::Vector {
                    vector: vector.to_owned(),
                    expected: "a component KEY:VALUE",
                    found: format!("{c:?}"),
                });
            };
            let Some(name) = words::metric_name(version, key) else {
                return Err(Error::Metric {
                    version: version.as_str(),
                    vector: vector.to_owned(),
                    metric: key.to_owned(),
                    expected: format!("one of {}", words::metric_keys(version).join(", ")),
                    found: format!("unknown metric {key:?}"),
                });
            };
            let Some(value_name) = words::value_name(version, key, value) else {
                return Err(Error::Metric {
                    version: version.as_str(),
                    vector: vector.to_owned(),
                    metric: metric_label(version, key),
                    expected: format!("one of {}", words::value_keys(version, key).join(", ")),
                    found: format!("{value:?}"),
                });
            };
            if metrics.iter().any(|m: &Metric| m.key == key) {
                return Err(Error::Metric {
                    version: version.as_str(),
                    vector: vector.to_owned(),
                    metric: metric_label(version, key),
                    expected: "each metric once".to_owned(),
                    found: "a second occurrence".to_owned(),
                });
            }
            metrics.push(Metric {
                key: key.to_owned(),
                name: name.to_owned(),
                value: value.to_owned(),
                value_name: value_name.to_owned(),
            });
        }
        for key in words::mandatory(version) {
            if !metrics.iter().any(|m| m.key == *key) {
                return Err(Error::Metric {
                    version: version.as_str(),
                    vector: vector.to_owned(),
                    metric: metric_label(version, key),
                    expected: "this mandatory base metric".to_owned(),
                    found: "none".to_owned(),
                });
            }
        }
        let inner = body.parse::<cvss::Cvss>().map_err(|e| Error::Vector {
            vector: vector.to_owned(),
            expected: "a vector the CVSS specification accepts",
            found: e.to_string(),
        })?;
        let score = inner.score();
        Ok(Cvss { version, inner, metrics, score })
    }

    /// The CVSS version.
    pub fn version(&self) -> CvssVersion {
        self.version
    }

    /// The score (base for v2/v3.x; CVSS-B/BT/BE/BTE for v4.0), one decimal.
    pub fn score(&self) -> f64 {
        self.score
    }

    /// The qualitative severity (NVD bands for v2).
    pub fn severity(&self) -> Severity {
        match self.version {
            CvssVersion::V2 => Severity::from_v2_score(self.score),
            _ => Severity::from_score(self.score),
        }
    }

    /// The metrics in vector order, in words.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// The vector in canonical form (as the `cvss` crate writes it).
    pub fn vector(&self) -> String {
        match (&self.inner, self.version) {
            (cvss::Cvss::CvssV20(v), _) => v.to_string(),
            (other, _) => other.to_string(),
        }
    }
}

impl FromStr for Cvss {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cvss::parse(s)
    }
}

impl fmt::Display for Cvss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vector())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_table() {
        let cases = [
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, Severity::High),
            ("(AV:N/AC:M/Au:N/C:N/I:P/A:N)", 4.3, Severity::Medium),
            ("CVSS:2.0/AV:L/AC:H/Au:S/C:N/I:N/A:P", 1.0, Severity::Low),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, Severity::Critical),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, Severity::None),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, Severity::Medium),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, Severity::Critical),
            ("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5, Severity::High),
        ];
        for (v, score, sev) in cases {
            let c = Cvss::parse(v).unwrap();
            assert_eq!((c.score(), c.severity()), (score, sev), "{v}");
        }
    }

    #[test]
    fn errors_table() {
        let cases = [
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
                "metric A (Availability Impact): expected this mandatory base metric, found none",
            ),
            (
                "CVSS:3.1/AV:N/AC:X/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "metric AC (Attack Complexity): expected one of L, H, found \"X\"",
            ),
            (
                "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "metric AV (Attack Vector): expected each metric once, found a second occurrence",
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
                "metric SA (Subsequent System Availability Impact): expected this mandatory base metric",
            ),
            ("CVSS:5.0/AV:N", "expected CVSS version 2.0, 3.0, 3.1 or 4.0, found \"5.0\""),
            ("AV:N/AC:L/Au:N/C:P/I:P", "metric A (Availability Impact): expected this mandatory base metric"),
            ("CVSS:3.1/AV:N/XX:Y", "metric XX: expected one of AV, AC"),
            ("garbage", "expected \"CVSS:<version>/\" or a v2 vector"),
        ];
        for (v, want) in cases {
            let err = Cvss::parse(v).unwrap_err().to_string();
            assert!(err.contains(want), "{v}: {err}");
        }
    }

    #[test]
    fn words_cover_every_value() {
        let v = Cvss::parse(
            "CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:P/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:A/S:P/AU:Y/R:A/V:D/RE:L/U:Red",
        )
        .unwrap();
        let shown: Vec<String> = v.metrics().iter().map(ToString::to_string).collect();
        assert_eq!(shown[0], "Attack Vector (AV): Physical (P)");
        assert_eq!(shown[11], "Exploit Maturity (E): Attacked (A)");
        assert_eq!(shown[17], "Provider Urgency (U): Red (Red)");
        assert_eq!(v.metrics().len(), 18);
    }
}
