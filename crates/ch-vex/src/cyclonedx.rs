//! CycloneDX VEX: statements from `vulnerabilities[].analysis` of CycloneDX 1.4-1.6 JSON,
//! and a CycloneDX 1.6 VEX BOM from statements.
//!
//! # State and justification mapping
//!
//! CycloneDX `analysis.state` to OpenVEX status (CycloneDX 1.6 schema descriptions of
//! `impactAnalysisState`; the same table go-vex-based converters use, e.g.
//! groboclown/cve-longspur `ConvertCdxStatus`):
//!
//! | CycloneDX state | OpenVEX status | written back as |
//! | --- | --- | --- |
//! | `resolved`, `resolved_with_pedigree` | `fixed` | `resolved` |
//! | `exploitable` | `affected` | `exploitable` |
//! | `in_triage` | `under_investigation` | `in_triage` |
//! | `not_affected`, `false_positive` | `not_affected` | `not_affected` |
//!
//! CycloneDX `analysis.justification` to the CISA/OpenVEX justification, by what each
//! CycloneDX description (1.6 schema, `impactAnalysisJustification`) says against the
//! CISA "Status Justifications" definitions (OpenVEX spec, "Status Justifications"):
//!
//! | CycloneDX justification | OpenVEX justification | written back as |
//! | --- | --- | --- |
//! | `code_not_present` ("removed or tree-shaked") | `vulnerable_code_not_present` | `code_not_present` |
//! | `code_not_reachable` ("not invoked at runtime") | `vulnerable_code_not_in_execute_path` | `code_not_reachable` |
//! | `requires_dependency` ("a dependency that is not present") | `component_not_present` | `requires_dependency` |
//! | `requires_configuration`, `requires_environment` | `vulnerable_code_cannot_be_controlled_by_adversary` | `requires_environment` |
//! | `protected_by_compiler`, `protected_at_runtime`, `protected_at_perimeter`, `protected_by_mitigating_control` | `inline_mitigations_already_exist` | `protected_by_mitigating_control` |
//!
//! (cve-longspur maps `requires_dependency` to `..._cannot_be_controlled_by_adversary`;
//! we follow the CycloneDX wording: the vulnerable dependency is not there.)
//!
//! # Other fields
//!
//! - `analysis.detail` is the `impact_statement` of a `not_affected` statement and the
//!   `status_notes` of the others; `recommendation` is the `action_statement`. An
//!   `exploitable` vulnerability without a recommendation takes `workaround`, else
//!   `detail`, else its `response` list as its action statement (OpenVEX requires one).
//!   A `false_positive` without justification or detail gets the CycloneDX definition of
//!   that state as its impact statement.
//! - The statement timestamp is `analysis.lastUpdated`, else `firstIssued`, else the
//!   vulnerability's `updated`, `published`, else `metadata.timestamp`.
//! - Aliases are `references[].id`.
//! - `affects[].ref` is resolved through the `bom-ref`s of `metadata.component`,
//!   `components` and `services` (at any depth) to the component's purl, else its CPE,
//!   else the `bom-ref` itself. A BOM-Link (`urn:cdx:serial/version#ref`) into this
//!   same BOM is resolved the same way; into another BOM it stays as written. A ref to a
//!   component nested inside a top-level component names the top-level one as the
//!   product and the nested one as its subcomponent.
//! - `affects[].versions`: each exact `version` of a component with a purl becomes that
//!   purl at that version, when its `status` agrees with the state (`affected` for
//!   `exploitable`, `unaffected` for `not_affected`, `false_positive`, `resolved*`,
//!   `unknown` for `in_triage`). Version ranges (`vers:`), versions of components without
//!   a purl and disagreeing statuses are refused as [`Error::Unsupported`]: the
//!   statement model names products, not ranges, and reading them as "all versions"
//!   would over-state `not_affected`.
//! - A vulnerability without `analysis` (a VDR entry, no exploitability statement) gives
//!   no statement. No `affects` gives a statement without products.
//! - What has no CycloneDX field is written as properties named `clearinghouse:vex:*`
//!   (`id` when the document id is not a `urn:uuid:` serial number, `role`, a statement's
//!   `author` when it differs from the document's, and `status_notes` or
//!   `impact_statement` when `detail` already holds the other), and read back.

use std::collections::BTreeSet;

use ch_purl::Purl;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Format};
use crate::json::{self, Obj, found, item, quoted};
use crate::model::{Justification, ProductRef, Status, VexDocument, VexStatement, VulnRef, given};

const F: Format = Format::CycloneDx;
const PROP_ID: &str = "clearinghouse:vex:id";
const PROP_ROLE: &str = "clearinghouse:vex:role";
const PROP_AUTHOR: &str = "clearinghouse:vex:author";
const PROP_NOTES: &str = "clearinghouse:vex:status_notes";
const PROP_IMPACT: &str = "clearinghouse:vex:impact_statement";

const STATES: [&str; 6] =
    ["resolved", "resolved_with_pedigree", "exploitable", "in_triage", "false_positive", "not_affected"];
const JUSTIFICATIONS: [&str; 9] = [
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];
/// CycloneDX 1.6, `impactAnalysisState` `false_positive`.
const FALSE_POSITIVE: &str = "The vulnerability was falsely identified or associated with this component (CycloneDX analysis state false_positive).";

fn status_of(state: &str) -> Option<Status> {
    Some(match state {
        "resolved" | "resolved_with_pedigree" => Status::Fixed,
        "exploitable" => Status::Affected,
        "in_triage" => Status::UnderInvestigation,
        "false_positive" | "not_affected" => Status::NotAffected,
        _ => return None,
    })
}

fn state_of(status: Status) -> &'static str {
    match status {
        Status::Fixed => "resolved",
        Status::Affected => "exploitable",
        Status::UnderInvestigation => "in_triage",
        Status::NotAffected => "not_affected",
    }
}

fn justification_of(cdx: &str) -> Option<Justification> {
    Some(match cdx {
        "code_not_present" => Justification::VulnerableCodeNotPresent,
        "code_not_reachable" => Justification::VulnerableCodeNotInExecutePath,
        "requires_dependency" => Justification::ComponentNotPresent,
        "requires_configuration" | "requires_environment" => Justification::VulnerableCodeCannotBeControlledByAdversary,
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => Justification::InlineMitigationsAlreadyExist,
        _ => return None,
    })
}

fn cdx_justification(j: Justification) -> &'static str {
    match j {
        Justification::VulnerableCodeNotPresent => "code_not_present",
        Justification::VulnerableCodeNotInExecutePath => "code_not_reachable",
        Justification::ComponentNotPresent => "requires_dependency",
        Justification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
        Justification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
    }
}

/// A component or service reachable by `bom-ref`.
struct Target {
    bom_ref: String,
    id: String,
    /// The id of the top-level `components[]` entry it is nested in, if it is nested.
    top: Option<String>,
}

/// Reads the VEX statements of a CycloneDX 1.4-1.6 JSON BOM.
pub fn parse(bytes: &[u8]) -> Result<VexDocument, Error> {
    let v = json::parse(bytes, F)?;
    let top = Obj::new(&v, "", F)?;
    let format = top.req_str("bomFormat")?;
    if format != "CycloneDX" {
        return Err(top.err("bomFormat", "\"CycloneDX\"", quoted(format)));
    }
    let spec = top.req_str("specVersion")?;
    if !matches!(spec, "1.4" | "1.5" | "1.6") {
        return Err(Error::Unsupported {
            format: F,
            place: "/specVersion".into(),
            reason: format!("VEX needs CycloneDX 1.4-1.6 (vulnerabilities arrived in 1.4), found {}", quoted(spec)),
        });
    }
    let serial = top.opt_str("serialNumber")?;
    let version = match top.get("version") {
        None => None,
        Some(n) => match n.as_u64() {
            Some(v) if v >= 1 => Some(v),
            _ => return Err(top.err("version", "an integer from 1", found(n))),
        },
    };
    let meta_place = top.at("metadata");
    let meta = match top.get("metadata") {
        Some(m) => Some(Obj::new(m, &meta_place, F)?),
        None => None,
    };
    let mut doc_props = Vec::new();
    let mut timestamp = None;
    let mut author = String::new();
    let mut targets = Vec::new();
    if let Some(m) = meta {
        doc_props = properties(&m)?;
        timestamp = m.opt_timestamp("timestamp")?;
        author = doc_author(&m)?;
        if let Some(c) = m.get("component") {
            collect(c, &m.at("component"), None, &mut targets)?;
        }
    }
    for key in ["components", "services"] {
        if let Some(items) = top.opt_array(key)? {
            let base = top.at(key);
            for (i, c) in items.iter().enumerate() {
                collect(c, &item(&base, i), Some(key == "components"), &mut targets)?;
            }
        }
    }
    let id = prop(&doc_props, PROP_ID).or(serial).unwrap_or_default().to_owned();
    let role = prop(&doc_props, PROP_ROLE).map(str::to_owned);
    let ctx = Ctx { serial, targets, timestamp, author: &author };
    let mut statements = Vec::new();
    if let Some(items) = top.opt_array("vulnerabilities")? {
        let base = top.at("vulnerabilities");
        for (i, vuln) in items.iter().enumerate() {
            let place = item(&base, i);
            if let Some(s) = ctx.statement(Obj::new(vuln, &place, F)?)? {
                statements.push(s);
            }
        }
    }
    Ok(VexDocument { id, author, role, timestamp, version, statements })
}

fn doc_author(m: &Obj<'_>) -> Result<String, Error> {
    if let Some(authors) = m.opt_array("authors")? {
        let base = m.at("authors");
        for (i, a) in authors.iter().enumerate() {
            let place = item(&base, i);
            if let Some(name) = Obj::new(a, &place, F)?.opt_str("name")? {
                return Ok(name.to_owned());
            }
        }
    }
    for key in ["manufacturer", "manufacture", "supplier"] {
        if let Some(org) = m.get(key) {
            let place = m.at(key);
            if let Some(name) = Obj::new(org, &place, F)?.opt_str("name")? {
                return Ok(name.to_owned());
            }
        }
    }
    Ok(String::new())
}

fn properties(o: &Obj<'_>) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    if let Some(items) = o.opt_array("properties")? {
        let base = o.at("properties");
        for (i, p) in items.iter().enumerate() {
            let place = item(&base, i);
            let po = Obj::new(p, &place, F)?;
            if let (Some(name), Some(value)) = (po.opt_str("name")?, po.opt_str("value")?) {
                out.push((name.to_owned(), value.to_owned()));
            }
        }
    }
    Ok(out)
}

fn prop<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Records `c` (a component or service) and everything nested in it. `top` is `None`
/// for the metadata component, `Some(true)` for top-level components, `Some(false)` for
/// services; `inside` passes the top-level component id down.
fn collect(c: &Value, place: &str, top: Option<bool>, targets: &mut Vec<Target>) -> Result<(), Error> {
    collect_in(c, place, top == Some(true), None, targets)
}

fn collect_in(
    c: &Value,
    place: &str,
    is_top_component: bool,
    inside: Option<&str>,
    targets: &mut Vec<Target>,
) -> Result<(), Error> {
    let o = Obj::new(c, place, F)?;
    let bom_ref = o.opt_str("bom-ref")?;
    let id = o.opt_str("purl")?.or(o.opt_str("cpe")?).or(bom_ref).map(str::to_owned);
    if let (Some(r), Some(id)) = (bom_ref, &id) {
        targets.push(Target { bom_ref: r.to_owned(), id: id.clone(), top: inside.map(str::to_owned) });
    }
    // Only what sits inside a top-level component has that component as its product.
    let inner = if is_top_component { id.as_deref() } else { inside };
    for key in ["components", "services"] {
        if let Some(items) = o.opt_array(key)? {
            let base = o.at(key);
            for (i, n) in items.iter().enumerate() {
                collect_in(n, &item(&base, i), false, inner, targets)?;
            }
        }
    }
    Ok(())
}

struct Ctx<'a> {
    serial: Option<&'a str>,
    targets: Vec<Target>,
    timestamp: Option<jiff::Timestamp>,
    author: &'a str,
}

impl Ctx<'_> {
    fn resolve(&self, r: &str) -> Option<&Target> {
        if let Some(t) = self.targets.iter().find(|t| t.bom_ref == r) {
            return Some(t);
        }
        // urn:cdx:<serial without urn:uuid:>/<version>#<bom-ref>, into this BOM.
        let rest = r.strip_prefix("urn:cdx:")?;
        let (bom, fragment) = rest.split_once('#')?;
        let (serial, _version) = bom.split_once('/')?;
        let own = self.serial?.strip_prefix("urn:uuid:")?;
        if serial.eq_ignore_ascii_case(own) { self.targets.iter().find(|t| t.bom_ref == fragment) } else { None }
    }

    fn statement(&self, v: Obj<'_>) -> Result<Option<VexStatement>, Error> {
        let Some(analysis) = v.get("analysis") else { return Ok(None) };
        let a_place = v.at("analysis");
        let a = Obj::new(analysis, &a_place, F)?;
        let id = v.opt_str("id")?.ok_or_else(|| v.err("id", "the vulnerability id", "no such member"))?.to_owned();
        let state = a.req_str("state")?;
        let status = status_of(state).ok_or_else(|| a.err("state", crate::model::one_of(STATES), quoted(state)))?;
        let justification = match a.opt_str("justification")? {
            None => None,
            Some(j) => Some(
                justification_of(j)
                    .ok_or_else(|| a.err("justification", crate::model::one_of(JUSTIFICATIONS), quoted(j)))?,
            ),
        };
        let mut aliases: Vec<String> = Vec::new();
        if let Some(refs) = v.opt_array("references")? {
            let base = v.at("references");
            for (i, r) in refs.iter().enumerate() {
                let place = item(&base, i);
                let alias = Obj::new(r, &place, F)?.req_str("id")?;
                if alias != id && !aliases.iter().any(|a| a == alias) {
                    aliases.push(alias.to_owned());
                }
            }
        }
        let props = properties(&v)?;
        let detail = a.opt_str("detail")?.map(str::to_owned);
        let recommendation = v.opt_str("recommendation")?.map(str::to_owned);
        let mut impact_statement = prop(&props, PROP_IMPACT).map(str::to_owned);
        let mut status_notes = prop(&props, PROP_NOTES).map(str::to_owned);
        let mut action_statement = recommendation;
        if status == Status::NotAffected {
            impact_statement = detail.or(impact_statement);
            if state == "false_positive" && justification.is_none() && !given(impact_statement.as_deref()) {
                impact_statement = Some(FALSE_POSITIVE.to_owned());
            }
        } else if status == Status::Affected && !given(action_statement.as_deref()) {
            let responses = a.opt_strings("response")?;
            if let Some(w) = v.opt_str("workaround")? {
                action_statement = Some(w.to_owned());
                status_notes = detail.or(status_notes);
            } else if given(detail.as_deref()) {
                action_statement = detail;
            } else if !responses.is_empty() {
                action_statement = Some(format!("Response: {}", responses.join(", ")));
            }
        } else {
            status_notes = detail.or(status_notes);
        }
        let timestamp = match a.opt_timestamp("lastUpdated")? {
            Some(t) => Some(t),
            None => match a.opt_timestamp("firstIssued")? {
                Some(t) => Some(t),
                None => match v.opt_timestamp("updated")? {
                    Some(t) => Some(t),
                    None => v.opt_timestamp("published")?.or(self.timestamp),
                },
            },
        };
        let author = prop(&props, PROP_AUTHOR)
            .map(str::to_owned)
            .or_else(|| (!self.author.is_empty()).then(|| self.author.to_owned()));
        let products = self.products(&v, state)?;
        let s = VexStatement {
            vulnerability: VulnRef { id, aliases },
            products,
            status,
            justification,
            impact_statement,
            action_statement,
            status_notes,
            timestamp,
            author,
        };
        if let Some((field, _, found)) = s.violation() {
            let (place, expected) = if field == "justification" {
                (a.at("justification"), "a justification or a detail for state not_affected (OpenVEX needs one)")
            } else {
                (
                    v.at("recommendation"),
                    "a recommendation, workaround, detail or response for state exploitable (OpenVEX needs an action statement)",
                )
            };
            return Err(Error::invalid(F, place, expected, found));
        }
        Ok(Some(s))
    }

    fn products(&self, v: &Obj<'_>, state: &str) -> Result<Vec<ProductRef>, Error> {
        let mut products: Vec<ProductRef> = Vec::new();
        let Some(affects) = v.opt_array("affects")? else { return Ok(products) };
        let base = v.at("affects");
        for (i, aff) in affects.iter().enumerate() {
            let place = item(&base, i);
            let o = Obj::new(aff, &place, F)?;
            let r = o.req_str("ref")?;
            if r.is_empty() {
                return Err(o.err(
                    "ref",
                    "a bom-ref or BOM-Link (CycloneDX refLinkType, at least one character)",
                    "\"\"",
                ));
            }
            let (product, sub) = match self.resolve(r) {
                Some(Target { id, top: Some(top), .. }) => (top.clone(), Some(id.clone())),
                Some(Target { id, top: None, .. }) => (id.clone(), None),
                None => (r.to_owned(), None),
            };
            let ids = match o.opt_array("versions")? {
                Some(versions) if !versions.is_empty() => {
                    if sub.is_some() {
                        return Err(Error::Unsupported {
                            format: F,
                            place: o.at("versions"),
                            reason: "versions of a nested component cannot be named as OpenVEX subcomponents".into(),
                        });
                    }
                    versioned(&product, versions, &o.at("versions"), state)?
                }
                _ => vec![product],
            };
            for pid in ids {
                match products.iter_mut().find(|p| p.id == pid) {
                    Some(p) => p.subcomponents.extend(sub.clone().filter(|s| !p.subcomponents.contains(s))),
                    None => products.push(ProductRef { id: pid, subcomponents: sub.clone().into_iter().collect() }),
                }
            }
        }
        Ok(products)
    }
}

fn versioned(product: &str, versions: &[Value], base: &str, state: &str) -> Result<Vec<String>, Error> {
    let unsupported = |place: String, reason: String| Error::Unsupported { format: F, place, reason };
    let want = match state {
        "exploitable" => "affected",
        "in_triage" => "unknown",
        _ => "unaffected",
    };
    let purl = product.parse::<Purl>().ok();
    let mut out = Vec::with_capacity(versions.len());
    for (j, entry) in versions.iter().enumerate() {
        let place = item(base, j);
        let e = Obj::new(entry, &place, F)?;
        if let Some(range) = e.opt_str("range")? {
            return Err(unsupported(
                e.at("range"),
                format!("version range {} cannot be named as OpenVEX products", quoted(range)),
            ));
        }
        let version = e.req_str("version")?;
        let status = e.opt_str("status")?.unwrap_or("affected");
        if status != want {
            return Err(unsupported(
                e.at("status"),
                format!("version status {status:?} with analysis state {state:?}"),
            ));
        }
        let Some(purl) = &purl else {
            return Err(unsupported(
                place.clone(),
                format!("version {} of {}, which has no purl to carry it", quoted(version), quoted(product)),
            ));
        };
        out.push(purl.with_version(Some(version)).to_string());
    }
    Ok(out)
}

#[derive(Serialize)]
struct OutBom<'a> {
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber", skip_serializing_if = "Option::is_none")]
    serial_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    metadata: OutMeta<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<OutComponent>,
    vulnerabilities: Vec<OutVuln<'a>>,
}

#[derive(Serialize)]
struct OutMeta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<OutName<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<OutProp<'a>>,
}

#[derive(Serialize)]
struct OutName<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct OutProp<'a> {
    name: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
struct OutComponent {
    #[serde(rename = "type")]
    ty: &'static str,
    name: String,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<OutComponent>,
}

#[derive(Serialize)]
struct OutVuln<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<OutReference<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<&'a str>,
    analysis: OutAnalysis<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    affects: Vec<OutAffects>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<OutProp<'a>>,
}

#[derive(Serialize)]
struct OutReference<'a> {
    id: &'a str,
    source: Empty,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct OutAnalysis<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(rename = "lastUpdated", skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
}

#[derive(Serialize)]
struct OutAffects {
    #[serde(rename = "ref")]
    reference: String,
}

/// Writes the document as a CycloneDX 1.6 VEX BOM (pretty-printed): one vulnerability per
/// statement, one component per product (its subcomponents nested in it).
pub fn emit(doc: &VexDocument) -> Result<String, Error> {
    doc.check()?;
    let serial = is_uuid_urn(&doc.id).then_some(doc.id.as_str());
    let mut doc_props = Vec::new();
    if serial.is_none() && !doc.id.is_empty() {
        doc_props.push(OutProp { name: PROP_ID, value: &doc.id });
    }
    if let Some(role) = &doc.role {
        doc_props.push(OutProp { name: PROP_ROLE, value: role });
    }
    let mut bom_refs: BTreeSet<String> = BTreeSet::new();
    let mut components: Vec<OutComponent> = Vec::new();
    // Products first, so that their bom-refs are their ids.
    for (i, s) in doc.statements.iter().enumerate() {
        for (j, p) in s.products.iter().enumerate() {
            if p.id.is_empty() {
                return Err(Error::invalid(
                    F,
                    format!("/statements/{i}/products/{j}"),
                    "a product id",
                    "an empty string",
                ));
            }
            if !is_bom_link(&p.id) && !components.iter().any(|c| c.bom_ref == p.id) {
                bom_refs.insert(p.id.clone());
                components.push(component(&p.id, p.id.clone(), "application"));
            }
        }
    }
    let mut vulnerabilities = Vec::with_capacity(doc.statements.len());
    for (i, s) in doc.statements.iter().enumerate() {
        let mut affects = Vec::new();
        for (j, p) in s.products.iter().enumerate() {
            if p.subcomponents.is_empty() {
                affects.push(OutAffects { reference: p.id.clone() });
                continue;
            }
            if is_bom_link(&p.id) {
                return Err(Error::invalid(
                    F,
                    format!("/statements/{i}/products/{j}/subcomponents"),
                    "no subcomponents under a product in another BOM (a BOM-Link)",
                    "subcomponents",
                ));
            }
            let Some(parent) = components.iter_mut().find(|c| c.bom_ref == p.id) else { continue };
            for (k, sub) in p.subcomponents.iter().enumerate() {
                if sub.is_empty() {
                    return Err(Error::invalid(
                        F,
                        format!("/statements/{i}/products/{j}/subcomponents/{k}"),
                        "a subcomponent id",
                        "an empty string",
                    ));
                }
                let existing = parent.components.iter().find(|c| component_id(c) == *sub).map(|c| c.bom_ref.clone());
                let r = match existing {
                    Some(r) => r,
                    None => {
                        let r = fresh(sub, &mut bom_refs);
                        parent.components.push(component(sub, r.clone(), "library"));
                        r
                    }
                };
                if !affects.iter().any(|a: &OutAffects| a.reference == r) {
                    affects.push(OutAffects { reference: r });
                }
            }
        }
        let (detail, extra) = match s.status {
            Status::NotAffected => (s.impact_statement.as_deref(), s.status_notes.as_deref().map(|n| (PROP_NOTES, n))),
            _ => (s.status_notes.as_deref(), s.impact_statement.as_deref().map(|n| (PROP_IMPACT, n))),
        };
        let mut properties: Vec<OutProp<'_>> = extra.map(|(name, value)| OutProp { name, value }).into_iter().collect();
        if let Some(a) = &s.author
            && *a != doc.author
        {
            properties.push(OutProp { name: PROP_AUTHOR, value: a });
        }
        vulnerabilities.push(OutVuln {
            id: &s.vulnerability.id,
            references: s.vulnerability.aliases.iter().map(|a| OutReference { id: a, source: Empty {} }).collect(),
            recommendation: s.action_statement.as_deref(),
            analysis: OutAnalysis {
                state: state_of(s.status),
                justification: s.justification.map(cdx_justification),
                detail,
                last_updated: s.timestamp.map(|t| t.to_string()),
            },
            affects,
            properties,
        });
    }
    let bom = OutBom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: serial,
        version: doc.version.filter(|v| *v >= 1),
        metadata: OutMeta {
            timestamp: doc.timestamp.map(|t| t.to_string()),
            authors: if doc.author.is_empty() { Vec::new() } else { vec![OutName { name: &doc.author }] },
            properties: doc_props,
        },
        components,
        vulnerabilities,
    };
    serde_json::to_string_pretty(&bom)
        .map_err(|e| Error::invalid(F, "", "a document serde_json can write", e.to_string()))
}

fn component_id(c: &OutComponent) -> &str {
    c.purl.as_deref().or(c.cpe.as_deref()).unwrap_or(&c.bom_ref)
}

/// `id` if no component has it as its bom-ref yet, else `id#2`, `id#3`, ...
fn fresh(id: &str, used: &mut BTreeSet<String>) -> String {
    let mut candidate = id.to_owned();
    let mut n = 1u64;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{id}#{n}");
    }
    used.insert(candidate.clone());
    candidate
}

fn component(id: &str, bom_ref: String, ty: &'static str) -> OutComponent {
    let is_cpe = id.starts_with("cpe:2.3:") || id.starts_with("cpe:/");
    let purl = id.starts_with("pkg:").then(|| id.to_owned());
    let name = match id.parse::<Purl>() {
        Ok(p) if purl.is_some() => p.name().to_owned(),
        _ => id.to_owned(),
    };
    OutComponent { ty, name, bom_ref, purl, cpe: is_cpe.then(|| id.to_owned()), components: Vec::new() }
}

fn is_bom_link(id: &str) -> bool {
    id.starts_with("urn:cdx:")
}

/// The CycloneDX `serialNumber` pattern `^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-...-[0-9a-f]{12}$`.
fn is_uuid_urn(s: &str) -> bool {
    let Some(u) = s.strip_prefix("urn:uuid:") else { return false };
    let groups: Vec<&str> = u.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bom(vulns: &str) -> String {
        format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "version": 1,
               "metadata": {{"timestamp": "2023-01-01T00:00:00Z", "component": {{"type": "application", "name": "app", "bom-ref": "app", "purl": "pkg:npm/app@1"}}}},
               "components": [{{"type": "library", "name": "lib", "bom-ref": "lib-ref", "cpe": "cpe:2.3:a:x:lib:1:*:*:*:*:*:*:*",
                                "components": [{{"type": "library", "name": "inner", "bom-ref": "inner-ref"}}]}},
                              {{"type": "library", "name": "p", "bom-ref": "p-ref", "purl": "pkg:npm/p"}}],
               "vulnerabilities": {vulns}}}"#
        )
    }

    #[test]
    fn tables_cover_every_label() {
        for s in STATES {
            assert!(status_of(s).is_some(), "{s}");
        }
        for j in JUSTIFICATIONS {
            assert!(justification_of(j).is_some(), "{j}");
        }
        for s in Status::ALL {
            assert_eq!(status_of(state_of(s)), Some(s));
        }
        for j in Justification::ALL {
            assert_eq!(justification_of(cdx_justification(j)), Some(j));
        }
    }

    #[test]
    fn refs_resolve_through_bom_refs() {
        let d = parse(
            bom(r#"[{"id": "CVE-1", "references": [{"id": "GHSA-1", "source": {}}], "analysis": {"state": "resolved"},
                     "affects": [{"ref": "app"}, {"ref": "lib-ref"}, {"ref": "inner-ref"}, {"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#app"},
                                 {"ref": "urn:cdx:00000000-0000-0000-0000-000000000000/1#app"}, {"ref": "elsewhere"}]}]"#)
            .as_bytes(),
        )
        .unwrap();
        let s = &d.statements[0];
        assert_eq!(d.id, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
        assert_eq!((s.status, s.vulnerability.aliases.as_slice()), (Status::Fixed, ["GHSA-1".to_owned()].as_slice()));
        let ids: Vec<(&str, Vec<&str>)> =
            s.products.iter().map(|p| (p.id.as_str(), p.subcomponents.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            ids,
            [
                ("pkg:npm/app@1", vec![]),
                ("cpe:2.3:a:x:lib:1:*:*:*:*:*:*:*", vec!["inner-ref"]),
                ("urn:cdx:00000000-0000-0000-0000-000000000000/1#app", vec![]),
                ("elsewhere", vec![]),
            ]
        );
        assert_eq!(s.timestamp, Some("2023-01-01T00:00:00Z".parse().unwrap()), "inherits metadata.timestamp");
    }

    #[test]
    fn versions_of_purls_become_products() {
        let d = parse(
            bom(r#"[{"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "requires_dependency"},
                     "affects": [{"ref": "p-ref", "versions": [{"version": "1.0.0", "status": "unaffected"}, {"version": "1.0.1", "status": "unaffected"}]}]}]"#)
            .as_bytes(),
        )
        .unwrap();
        let s = &d.statements[0];
        assert_eq!(s.justification, Some(Justification::ComponentNotPresent));
        let ids: Vec<&str> = s.products.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["pkg:npm/p@1.0.0", "pkg:npm/p@1.0.1"]);
    }

    #[test]
    fn negative_cases_name_the_place() {
        let cases = [
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "not_affected"}}]"#,
                "/vulnerabilities/0/analysis/justification",
                "Invalid",
            ),
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "exploitable"}}]"#,
                "/vulnerabilities/0/recommendation",
                "Invalid",
            ),
            (r#"[{"id": "CVE-1", "analysis": {"state": "affected"}}]"#, "/vulnerabilities/0/analysis/state", "Invalid"),
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "component_not_present"}}]"#,
                "/vulnerabilities/0/analysis/justification",
                "Invalid",
            ),
            (r#"[{"id": "CVE-1", "analysis": {}}]"#, "/vulnerabilities/0/analysis/state", "Invalid"),
            (r#"[{"analysis": {"state": "resolved"}}]"#, "/vulnerabilities/0/id", "Invalid"),
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": 1}]}]"#,
                "/vulnerabilities/0/affects/0/ref",
                "Invalid",
            ),
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "p-ref", "versions": [{"range": "vers:npm/<2"}]}]}]"#,
                "/vulnerabilities/0/affects/0/versions/0/range",
                "Unsupported",
            ),
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "app", "versions": [{"version": "2", "status": "affected"}]}]}]"#,
                "/vulnerabilities/0/affects/0/versions/0/status",
                "Unsupported",
            ),
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "lib-ref", "versions": [{"version": "2", "status": "unaffected"}]}]}]"#,
                "/vulnerabilities/0/affects/0/versions/0",
                "Unsupported",
            ),
            (
                r#"[{"id": "CVE-1", "analysis": {"state": "resolved", "lastUpdated": 5}}]"#,
                "/vulnerabilities/0/analysis/lastUpdated",
                "Invalid",
            ),
            (r#"{}"#, "/vulnerabilities", "Invalid"),
        ];
        for (vulns, place, kind) in cases {
            let e = parse(bom(vulns).as_bytes()).unwrap_err();
            assert_eq!(e.place(), place, "{vulns}: {e}");
            assert!(format!("{e:?}").starts_with(kind), "{vulns}: {e:?}");
        }
        assert_eq!(parse(br#"{"bomFormat": "SPDX", "specVersion": "1.4"}"#).unwrap_err().place(), "/bomFormat");
        assert!(matches!(
            parse(br#"{"bomFormat": "CycloneDX", "specVersion": "1.3"}"#),
            Err(Error::Unsupported { .. })
        ));
    }

    #[test]
    fn other_states_fill_the_rules() {
        let d = parse(
            bom(r#"[{"id": "CVE-1", "analysis": {"state": "false_positive"}},
                    {"id": "CVE-2", "analysis": {"state": "exploitable", "response": ["update", "will_not_fix"]}},
                    {"id": "CVE-3", "analysis": {"state": "exploitable", "detail": "upgrade"}},
                    {"id": "CVE-4", "recommendation": "upgrade to 2", "analysis": {"state": "exploitable", "detail": "reachable"}},
                    {"id": "CVE-5"}]"#)
            .as_bytes(),
        )
        .unwrap();
        let s = &d.statements;
        assert_eq!(s.len(), 4, "CVE-5 has no analysis: no statement");
        assert_eq!(s[0].impact_statement.as_deref(), Some(FALSE_POSITIVE));
        assert_eq!(s[1].action_statement.as_deref(), Some("Response: update, will_not_fix"));
        assert_eq!((s[2].action_statement.as_deref(), s[2].status_notes.as_deref()), (Some("upgrade"), None));
        assert_eq!(
            (s[3].action_statement.as_deref(), s[3].status_notes.as_deref()),
            (Some("upgrade to 2"), Some("reachable"))
        );
    }

    #[test]
    fn uuid_urns() {
        assert!(is_uuid_urn("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_uuid_urn("urn:uuid:3E671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_uuid_urn("https://openvex.dev/docs/x"));
        let mut used = BTreeSet::new();
        assert_eq!(
            (fresh("a", &mut used), fresh("a", &mut used), fresh("a", &mut used)),
            ("a".into(), "a#2".into(), "a#3".into())
        );
    }
}
