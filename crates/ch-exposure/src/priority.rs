//! How urgent a finding is, and the one sentence that says what to do.
//!
//! The order is the issue's: known exploited first (ransomware use above other
//! exploitation), then severity (the flaw's highest score, else its severity word), then
//! the asset's criticality. [`priority`] packs that into one integer so the store can
//! sort by it; [`action`] writes the sentence an IT person without a security team can act
//! on: "Known to be exploited by ransomware groups; upgrade FortiOS on Main firewall to
//! 7.2.5."

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How much an asset matters to the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    /// A cafeteria kiosk.
    Low,
    /// Most things.
    Medium,
    /// Things the organisation cannot work without for long.
    High,
    /// The EHR server, the core banking system, the water plant's SCADA server.
    Critical,
}

impl Criticality {
    /// Every value, least first.
    pub const ALL: [Criticality; 4] = [Criticality::Low, Criticality::Medium, Criticality::High, Criticality::Critical];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Low => "low",
            Criticality::Medium => "medium",
            Criticality::High => "high",
            Criticality::Critical => "critical",
        }
    }

    fn rank(self) -> i64 {
        match self {
            Criticality::Low => 0,
            Criticality::Medium => 1,
            Criticality::High => 2,
            Criticality::Critical => 3,
        }
    }
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Criticality {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Criticality::ALL
            .into_iter()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| format!("expected one of critical, high, medium, low, found {s:?}"))
    }
}

/// What the priority and the sentence are made of.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Urgency {
    /// Listed in CISA KEV (or marked exploited by its source).
    pub known_exploited: bool,
    /// KEV says ransomware campaigns use it.
    pub ransomware: bool,
    /// KEV's required action, when there is one.
    pub required_action: Option<String>,
    /// The highest score (0-10).
    pub score: Option<f64>,
    /// `critical`, `high`, `medium`, `low` (lower case).
    pub severity: Option<String>,
}

impl Urgency {
    /// The score in tenths, from the score or, without one, the severity word's middle.
    pub fn score_tenths(&self) -> Option<i64> {
        match self.score {
            Some(s) if s.is_finite() => Some((s * 10.0).round().clamp(0.0, 100.0) as i64),
            _ => match self.severity.as_deref() {
                Some("critical") => Some(95),
                Some("high") => Some(80),
                Some("medium") => Some(55),
                Some("low") => Some(20),
                _ => None,
            },
        }
    }
}

/// One sortable number: larger is more urgent. Known exploitation dominates (ransomware
/// use above other exploitation), then the score (tenths; an unscored flaw counts as
/// medium, 5.0, until it is scored), then the asset's criticality.
pub fn priority(u: &Urgency, criticality: Criticality) -> i64 {
    let tier = match (u.known_exploited, u.ransomware) {
        (true, true) => 2,
        (true, false) => 1,
        _ => 0,
    };
    tier * 10_000 + u.score_tenths().unwrap_or(50) * 10 + criticality.rank()
}

/// The sentence: why it matters, then the one thing to do: the fixed version; else, when
/// only the last affected version is known, "a version later than" it; else the KEV
/// required action; else what a small team can still do.
pub fn action(
    u: &Urgency,
    component: &str,
    asset: &str,
    fixed_version: Option<&str>,
    last_affected: Option<&str>,
) -> String {
    let why = if u.known_exploited && u.ransomware {
        "Known to be exploited by ransomware groups".to_owned()
    } else if u.known_exploited {
        "Known to be exploited in the wild".to_owned()
    } else {
        let band = u.severity.as_deref().map(capitalised).unwrap_or_else(|| "Unscored".to_owned());
        match u.score {
            Some(s) => format!("{band} severity ({s:.1})"),
            None if u.severity.is_some() => format!("{band} severity"),
            None => "Severity not yet scored".to_owned(),
        }
    };
    let what = match (fixed_version, u.required_action.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (Some(v), _) => format!("upgrade {component} on {asset} to {v}"),
        (None, _) if last_affected.is_some() => {
            format!("upgrade {component} on {asset} to a version later than {}", last_affected.unwrap_or_default())
        }
        (None, Some(req)) => {
            let req = req.trim_end_matches('.');
            let mut chars = req.chars();
            let lowered: String = match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            };
            format!("for {component} on {asset}, {lowered}")
        }
        (None, None) => format!(
            "no fixed version is known yet: ask the vendor of {component} for a fix or workaround, and limit who can reach it on {asset}"
        ),
    };
    format!("{why}; {what}.")
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(kev: bool, ransom: bool, score: Option<f64>, severity: Option<&str>) -> Urgency {
        Urgency {
            known_exploited: kev,
            ransomware: ransom,
            required_action: None,
            score,
            severity: severity.map(str::to_owned),
        }
    }

    #[test]
    fn priority_orders_exploited_then_severity_then_criticality() {
        // Each case must rank strictly above the next.
        let ranked = [
            priority(&u(true, true, Some(5.0), Some("medium")), Criticality::Low),
            priority(&u(true, false, Some(9.8), Some("critical")), Criticality::Critical),
            priority(&u(true, false, Some(4.0), Some("medium")), Criticality::Low),
            priority(&u(false, false, Some(10.0), Some("critical")), Criticality::Low),
            priority(&u(false, false, Some(9.8), Some("critical")), Criticality::Critical),
            priority(&u(false, false, Some(9.8), Some("critical")), Criticality::High),
            priority(&u(false, false, None, Some("high")), Criticality::Low),
            priority(&u(false, false, Some(5.3), Some("medium")), Criticality::Critical),
            priority(&u(false, false, None, None), Criticality::Critical),
            priority(&u(false, false, Some(2.0), Some("low")), Criticality::Critical),
        ];
        for w in ranked.windows(2) {
            assert!(w[0] > w[1], "{ranked:?}");
        }
    }

    #[test]
    fn sentences_table() {
        let mut kev = u(true, false, Some(9.8), Some("critical"));
        kev.required_action =
            Some("Apply mitigations per vendor instructions or discontinue use of the product.".into());
        let cases = [
            (
                u(true, true, Some(9.8), Some("critical")),
                Some("7.2.5"),
                "Known to be exploited by ransomware groups; upgrade FortiOS on Main firewall to 7.2.5.",
            ),
            (
                kev.clone(),
                None,
                "Known to be exploited in the wild; for FortiOS on Main firewall, apply mitigations per vendor \
                 instructions or discontinue use of the product.",
            ),
            (kev, Some("7.2.5"), "Known to be exploited in the wild; upgrade FortiOS on Main firewall to 7.2.5."),
            (
                u(false, false, Some(7.5), Some("high")),
                Some("2.31.0"),
                "High severity (7.5); upgrade FortiOS on Main firewall to 2.31.0.",
            ),
            (
                u(false, false, None, Some("moderate")),
                None,
                "Moderate severity; no fixed version is known yet: ask the vendor of FortiOS for a fix or workaround, \
                 and limit who can reach it on Main firewall.",
            ),
            (u(false, false, None, None), Some("1"), "Severity not yet scored; upgrade FortiOS on Main firewall to 1."),
        ];
        for (urgency, fixed, want) in cases {
            assert_eq!(action(&urgency, "FortiOS", "Main firewall", fixed, None), want);
        }
        assert_eq!(
            action(&u(true, true, Some(9.8), Some("critical")), "FortiOS", "Main firewall", None, Some("7.2.4")),
            "Known to be exploited by ransomware groups; upgrade FortiOS on Main firewall to a version later than 7.2.4."
        );
    }

    #[test]
    fn criticality_names() {
        for c in Criticality::ALL {
            assert_eq!(c.as_str().parse::<Criticality>(), Ok(c));
        }
        assert_eq!(" HIGH ".parse::<Criticality>(), Ok(Criticality::High));
        assert!("urgent".parse::<Criticality>().unwrap_err().contains("critical, high, medium, low"));
    }
}
