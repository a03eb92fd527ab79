//! Metric names and values in words, per version, from the specifications' metric tables
//! (CVSS v2.0 guide §2, CVSS v3.1 specification §2-4 and §7.4, CVSS v4.0 specification
//! §2-4 and Table 23). The order of each table is the vector order.

use crate::CvssVersion;

type Values = &'static [(&'static str, &'static str)];

const V2: &[(&str, &str, Values)] = &[
    ("AV", "Access Vector", &[("L", "Local"), ("A", "Adjacent Network"), ("N", "Network")]),
    ("AC", "Access Complexity", &[("H", "High"), ("M", "Medium"), ("L", "Low")]),
    ("Au", "Authentication", &[("M", "Multiple"), ("S", "Single"), ("N", "None")]),
    ("C", "Confidentiality Impact", &[("N", "None"), ("P", "Partial"), ("C", "Complete")]),
    ("I", "Integrity Impact", &[("N", "None"), ("P", "Partial"), ("C", "Complete")]),
    ("A", "Availability Impact", &[("N", "None"), ("P", "Partial"), ("C", "Complete")]),
    (
        "E",
        "Exploitability",
        &[("U", "Unproven"), ("POC", "Proof-of-Concept"), ("F", "Functional"), ("H", "High"), ("ND", "Not Defined")],
    ),
    (
        "RL",
        "Remediation Level",
        &[
            ("OF", "Official Fix"),
            ("TF", "Temporary Fix"),
            ("W", "Workaround"),
            ("U", "Unavailable"),
            ("ND", "Not Defined"),
        ],
    ),
    (
        "RC",
        "Report Confidence",
        &[("UC", "Unconfirmed"), ("UR", "Uncorroborated"), ("C", "Confirmed"), ("ND", "Not Defined")],
    ),
    (
        "CDP",
        "Collateral Damage Potential",
        &[
            ("N", "None"),
            ("L", "Low"),
            ("LM", "Low-Medium"),
            ("MH", "Medium-High"),
            ("H", "High"),
            ("ND", "Not Defined"),
        ],
    ),
    (
        "TD",
        "Target Distribution",
        &[("N", "None"), ("L", "Low"), ("M", "Medium"), ("H", "High"), ("ND", "Not Defined")],
    ),
    ("CR", "Confidentiality Requirement", &[("L", "Low"), ("M", "Medium"), ("H", "High"), ("ND", "Not Defined")]),
    ("IR", "Integrity Requirement", &[("L", "Low"), ("M", "Medium"), ("H", "High"), ("ND", "Not Defined")]),
    ("AR", "Availability Requirement", &[("L", "Low"), ("M", "Medium"), ("H", "High"), ("ND", "Not Defined")]),
];

const AV3: Values = &[("N", "Network"), ("A", "Adjacent"), ("L", "Local"), ("P", "Physical")];
const MAV3: Values = &[("X", "Not Defined"), ("N", "Network"), ("A", "Adjacent"), ("L", "Local"), ("P", "Physical")];
const LH: Values = &[("L", "Low"), ("H", "High")];
const XLH: Values = &[("X", "Not Defined"), ("L", "Low"), ("H", "High")];
const NLH: Values = &[("N", "None"), ("L", "Low"), ("H", "High")];
const XNLH: Values = &[("X", "Not Defined"), ("N", "None"), ("L", "Low"), ("H", "High")];
const HLN: Values = &[("H", "High"), ("L", "Low"), ("N", "None")];
const XHLN: Values = &[("X", "Not Defined"), ("H", "High"), ("L", "Low"), ("N", "None")];
const REQ: Values = &[("X", "Not Defined"), ("H", "High"), ("M", "Medium"), ("L", "Low")];

const V3: &[(&str, &str, Values)] = &[
    ("AV", "Attack Vector", AV3),
    ("AC", "Attack Complexity", LH),
    ("PR", "Privileges Required", NLH),
    ("UI", "User Interaction", &[("N", "None"), ("R", "Required")]),
    ("S", "Scope", &[("U", "Unchanged"), ("C", "Changed")]),
    ("C", "Confidentiality Impact", HLN),
    ("I", "Integrity Impact", HLN),
    ("A", "Availability Impact", HLN),
    (
        "E",
        "Exploit Code Maturity",
        &[("X", "Not Defined"), ("H", "High"), ("F", "Functional"), ("P", "Proof-of-Concept"), ("U", "Unproven")],
    ),
    (
        "RL",
        "Remediation Level",
        &[
            ("X", "Not Defined"),
            ("U", "Unavailable"),
            ("W", "Workaround"),
            ("T", "Temporary Fix"),
            ("O", "Official Fix"),
        ],
    ),
    ("RC", "Report Confidence", &[("X", "Not Defined"), ("C", "Confirmed"), ("R", "Reasonable"), ("U", "Unknown")]),
    ("CR", "Confidentiality Requirement", REQ),
    ("IR", "Integrity Requirement", REQ),
    ("AR", "Availability Requirement", REQ),
    ("MAV", "Modified Attack Vector", MAV3),
    ("MAC", "Modified Attack Complexity", XLH),
    ("MPR", "Modified Privileges Required", XNLH),
    ("MUI", "Modified User Interaction", &[("X", "Not Defined"), ("N", "None"), ("R", "Required")]),
    ("MS", "Modified Scope", &[("X", "Not Defined"), ("U", "Unchanged"), ("C", "Changed")]),
    ("MC", "Modified Confidentiality Impact", XHLN),
    ("MI", "Modified Integrity Impact", XHLN),
    ("MA", "Modified Availability Impact", XHLN),
];

const V4: &[(&str, &str, Values)] = &[
    ("AV", "Attack Vector", AV3),
    ("AC", "Attack Complexity", LH),
    ("AT", "Attack Requirements", &[("N", "None"), ("P", "Present")]),
    ("PR", "Privileges Required", NLH),
    ("UI", "User Interaction", &[("N", "None"), ("P", "Passive"), ("A", "Active")]),
    ("VC", "Vulnerable System Confidentiality Impact", HLN),
    ("VI", "Vulnerable System Integrity Impact", HLN),
    ("VA", "Vulnerable System Availability Impact", HLN),
    ("SC", "Subsequent System Confidentiality Impact", HLN),
    ("SI", "Subsequent System Integrity Impact", HLN),
    ("SA", "Subsequent System Availability Impact", HLN),
    ("E", "Exploit Maturity", &[("X", "Not Defined"), ("A", "Attacked"), ("P", "POC"), ("U", "Unreported")]),
    ("CR", "Confidentiality Requirement", REQ),
    ("IR", "Integrity Requirement", REQ),
    ("AR", "Availability Requirement", REQ),
    ("MAV", "Modified Attack Vector", MAV3),
    ("MAC", "Modified Attack Complexity", XLH),
    ("MAT", "Modified Attack Requirements", &[("X", "Not Defined"), ("N", "None"), ("P", "Present")]),
    ("MPR", "Modified Privileges Required", XNLH),
    ("MUI", "Modified User Interaction", &[("X", "Not Defined"), ("N", "None"), ("P", "Passive"), ("A", "Active")]),
    ("MVC", "Modified Vulnerable System Confidentiality Impact", XHLN),
    ("MVI", "Modified Vulnerable System Integrity Impact", XHLN),
    ("MVA", "Modified Vulnerable System Availability Impact", XHLN),
    ("MSC", "Modified Subsequent System Confidentiality Impact", XHLN),
    (
        "MSI",
        "Modified Subsequent System Integrity Impact",
        &[("X", "Not Defined"), ("S", "Safety"), ("H", "High"), ("L", "Low"), ("N", "Negligible")],
    ),
    (
        "MSA",
        "Modified Subsequent System Availability Impact",
        &[("X", "Not Defined"), ("S", "Safety"), ("H", "High"), ("L", "Low"), ("N", "Negligible")],
    ),
    ("S", "Safety", &[("X", "Not Defined"), ("N", "Negligible"), ("P", "Present")]),
    ("AU", "Automatable", &[("X", "Not Defined"), ("N", "No"), ("Y", "Yes")]),
    ("R", "Recovery", &[("X", "Not Defined"), ("A", "Automatic"), ("U", "User"), ("I", "Irrecoverable")]),
    ("V", "Value Density", &[("X", "Not Defined"), ("D", "Diffuse"), ("C", "Concentrated")]),
    ("RE", "Vulnerability Response Effort", &[("X", "Not Defined"), ("L", "Low"), ("M", "Moderate"), ("H", "High")]),
    (
        "U",
        "Provider Urgency",
        &[("X", "Not Defined"), ("Clear", "Clear"), ("Green", "Green"), ("Amber", "Amber"), ("Red", "Red")],
    ),
];

fn table(version: CvssVersion) -> &'static [(&'static str, &'static str, Values)] {
    match version {
        CvssVersion::V2 => V2,
        CvssVersion::V3_0 | CvssVersion::V3_1 => V3,
        CvssVersion::V4_0 => V4,
    }
}

fn entry(version: CvssVersion, key: &str) -> Option<&'static (&'static str, &'static str, Values)> {
    table(version).iter().find(|(k, _, _)| *k == key)
}

/// The name of metric `key` in `version`, e.g. `AV` -> `Attack Vector`.
pub(crate) fn metric_name(version: CvssVersion, key: &str) -> Option<&'static str> {
    entry(version, key).map(|(_, n, _)| *n)
}

/// The word for `value` of metric `key`, e.g. (`AV`, `N`) -> `Network`.
pub(crate) fn value_name(version: CvssVersion, key: &str, value: &str) -> Option<&'static str> {
    entry(version, key)?.2.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
}

/// The metric abbreviations of `version`, in vector order.
pub(crate) fn metric_keys(version: CvssVersion) -> Vec<&'static str> {
    table(version).iter().map(|(k, _, _)| *k).collect()
}

/// The value abbreviations of metric `key`.
pub(crate) fn value_keys(version: CvssVersion, key: &str) -> Vec<&'static str> {
    entry(version, key).map(|(_, _, v)| v.iter().map(|(a, _)| *a).collect()).unwrap_or_default()
}

/// The base metrics a vector of `version` must carry.
pub(crate) fn mandatory(version: CvssVersion) -> &'static [&'static str] {
    match version {
        CvssVersion::V2 => &["AV", "AC", "Au", "C", "I", "A"],
        CvssVersion::V3_0 | CvssVersion::V3_1 => &["AV", "AC", "PR", "UI", "S", "C", "I", "A"],
        CvssVersion::V4_0 => &["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"],
    }
}

/// The name of metric `key` and the word for its `value` in `version`, if both are defined.
///
/// ```
/// use ch_cvss::{describe, CvssVersion};
/// assert_eq!(describe(CvssVersion::V2, "Au", "N"), Some(("Authentication", "None")));
/// ```
pub fn describe(version: CvssVersion, key: &str, value: &str) -> Option<(&'static str, &'static str)> {
    Some((metric_name(version, key)?, value_name(version, key, value)?))
}
