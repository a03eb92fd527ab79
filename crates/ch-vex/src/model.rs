//! The statement model and the OpenVEX rules every statement keeps.
//!
//! Invariants checked by [`VexDocument::check`] (OpenVEX spec v0.2.0, "Statement
//! fields"; both are MUSTs there and `allOf` conditions in its JSON schema):
//! - `not_affected` needs a `justification` or an `impact_statement`;
//! - `affected` needs an `action_statement`.
//!
//! Text that is empty or only whitespace does not count as given.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Format};

/// The vulnerability a statement is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnRef {
    /// The main identifier (OpenVEX `vulnerability.name`, CycloneDX `vulnerabilities[].id`).
    pub id: String,
    /// Other names of the same vulnerability (OpenVEX `aliases`, CycloneDX `references[].id`).
    pub aliases: Vec<String>,
}

/// A product (or the component the statement is about) and, optionally, the
/// subcomponents of it where the vulnerability lies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRef {
    /// A purl (`pkg:...`), a CPE (`cpe:2.3:...`, `cpe:/...`) or a free identifier (an IRI
    /// such as a CycloneDX BOM-Link, or a bare name when read from older documents).
    pub id: String,
    /// Identifiers of subcomponents, in the same forms.
    pub subcomponents: Vec<String>,
}

/// The status of a vulnerability in the products (OpenVEX status labels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No remediation is required.
    NotAffected,
    /// Actions are recommended to remediate or address the vulnerability.
    Affected,
    /// These product versions contain a fix.
    Fixed,
    /// Not yet known whether the products are affected.
    UnderInvestigation,
}

impl Status {
    /// Every status, in OpenVEX's order.
    pub const ALL: [Status; 4] = [Status::NotAffected, Status::Affected, Status::Fixed, Status::UnderInvestigation];

    /// The OpenVEX label.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    /// Reads an OpenVEX label; the error is the list of labels.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| one_of(Status::ALL.map(Status::as_str)))
    }
}

/// Why a product is not affected: the five labels of the CISA "Status Justifications"
/// document (June 2022), used verbatim by OpenVEX `justification` and by the CSAF 2.0 VEX
/// profile's `flags[].label` (CSAF section 3.2.3.5 lists the same five names, so a CSAF
/// flag label reads with [`Justification::from_str`] unchanged).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The component is not included.
    ComponentNotPresent,
    /// The component is included but the vulnerable code is not.
    VulnerableCodeNotPresent,
    /// The vulnerable code cannot be executed as the product uses it.
    VulnerableCodeNotInExecutePath,
    /// The vulnerable code cannot be controlled by an attacker.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Built-in protections prevent exploitation.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every justification, in OpenVEX's order.
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The OpenVEX label (also the CSAF flag label).
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

impl fmt::Display for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Justification {
    type Err = String;

    /// Reads an OpenVEX justification or CSAF VEX flag label; the error is the list.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Justification::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| one_of(Justification::ALL.map(Justification::as_str)))
    }
}

pub(crate) fn one_of<const N: usize>(labels: [&str; N]) -> String {
    format!("one of {}", labels.join(", "))
}

/// One assertion about one vulnerability in one or more products.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexStatement {
    /// The vulnerability.
    pub vulnerability: VulnRef,
    /// The products it applies to (empty: none named here; OpenVEX lets an encapsulating
    /// document supply them).
    pub products: Vec<ProductRef>,
    /// The status.
    pub status: Status,
    /// Why not affected.
    pub justification: Option<Justification>,
    /// Free text on why not affected.
    pub impact_statement: Option<String>,
    /// What to do when affected.
    pub action_statement: Option<String>,
    /// How the status was determined.
    pub status_notes: Option<String>,
    /// When the statement was known to be true (readers fill in the document's
    /// timestamp when the statement has none, as OpenVEX's inheritance says).
    pub timestamp: Option<Timestamp>,
    /// Who made the statement (readers fill in the document's author).
    pub author: Option<String>,
}

impl VexStatement {
    /// A statement with only the required parts.
    pub fn new(vulnerability: impl Into<String>, status: Status) -> VexStatement {
        VexStatement {
            vulnerability: VulnRef { id: vulnerability.into(), aliases: Vec::new() },
            products: Vec::new(),
            status,
            justification: None,
            impact_statement: None,
            action_statement: None,
            status_notes: None,
            timestamp: None,
            author: None,
        }
    }

    /// The OpenVEX rule this statement breaks, if any: (field, expected, found).
    pub(crate) fn violation(&self) -> Option<(&'static str, &'static str, &'static str)> {
        match self.status {
            Status::NotAffected if self.justification.is_none() && !given(self.impact_statement.as_deref()) => {
                Some(("justification", "a justification or an impact_statement for status not_affected", "neither"))
            }
            Status::Affected if !given(self.action_statement.as_deref()) => {
                Some(("action_statement", "an action_statement for status affected", "none"))
            }
            _ => None,
        }
    }
}

pub(crate) fn given(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

/// A set of statements with the document's own metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexDocument {
    /// The document IRI (OpenVEX `@id`; CycloneDX `serialNumber`).
    pub id: String,
    /// Who issued the document (empty when a CycloneDX document named nobody).
    pub author: String,
    /// The author's role.
    pub role: Option<String>,
    /// When the document was issued (OpenVEX requires one for writing).
    pub timestamp: Option<Timestamp>,
    /// The document version, from 1 (OpenVEX requires one for writing).
    pub version: Option<u64>,
    /// The statements, in document order.
    pub statements: Vec<VexStatement>,
}

impl VexDocument {
    /// Checks the OpenVEX rules on every statement; the error names
    /// `/statements/N/justification` or `/statements/N/action_statement`.
    pub fn check(&self) -> Result<(), Error> {
        for (i, s) in self.statements.iter().enumerate() {
            if let Some((field, expected, found)) = s.violation() {
                return Err(Error::invalid(Format::OpenVex, format!("/statements/{i}/{field}"), expected, found));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for j in Justification::ALL {
            assert_eq!(j.as_str().parse::<Justification>(), Ok(j));
            assert_eq!(serde_json::to_value(j).unwrap(), j.as_str());
        }
        assert!("unknown".parse::<Status>().unwrap_err().contains("under_investigation"));
        assert!("Component_Not_Present".parse::<Justification>().is_err());
    }

    #[test]
    fn rules_table() {
        let with = |f: fn(&mut VexStatement)| {
            let mut s = VexStatement::new("CVE-1", Status::NotAffected);
            f(&mut s);
            s.violation().map(|v| v.0)
        };
        type Edit = fn(&mut VexStatement);
        let cases: [(Edit, Option<&str>); 8] = [
            (|_| {}, Some("justification")),
            (|s| s.justification = Some(Justification::ComponentNotPresent), None),
            (|s| s.impact_statement = Some("removed".into()), None),
            (|s| s.impact_statement = Some("  ".into()), Some("justification")),
            (|s| s.status = Status::Affected, Some("action_statement")),
            (|s| (s.status, s.action_statement) = (Status::Affected, Some("upgrade".into())), None),
            (|s| s.status = Status::Fixed, None),
            (|s| s.status = Status::UnderInvestigation, None),
        ];
        for (i, (f, want)) in cases.into_iter().enumerate() {
            assert_eq!(with(f), want, "case {i}");
        }
    }

    #[test]
    fn check_names_the_statement() {
        let mut ok = VexStatement::new("CVE-1", Status::Fixed);
        ok.products.push(ProductRef { id: "pkg:npm/a@1".into(), subcomponents: vec![] });
        let doc = VexDocument {
            id: "https://example.com/vex/1".into(),
            author: "a".into(),
            role: None,
            timestamp: None,
            version: None,
            statements: vec![ok, VexStatement::new("CVE-2", Status::Affected)],
        };
        let e = doc.check().unwrap_err();
        assert_eq!(e.place(), "/statements/1/action_statement");
        assert!(e.to_string().contains("expected an action_statement for status affected"), "{e}");
    }
}
