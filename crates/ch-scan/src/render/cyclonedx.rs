//! A CycloneDX 1.6 JSON vulnerability disclosure report (VDR) with VEX analysis.
//!
//! Shape (CycloneDX 1.6, `bom-1.6.schema.json`):
//! - `serialNumber` is a UUID v5 of the report's JSON (same report, same number; a new scan
//!   has a new `scanned_at` and so a new number), `version` 1, `metadata.timestamp` the scan
//!   time, `metadata.tools` in the 1.5+ `{components: [...]}` shape;
//! - `components`: every affected package occurrence (name, version, path), `bom-ref` its purl
//!   (or `name@version`; `#path` appended when the same package sits in several files), with
//!   `evidence.occurrences` naming the file and line;
//! - `vulnerabilities`: one per finding (so each has one `affects` and its own analysis), with
//!   `ratings.method` from the vector prefix (`CVSS:3.1/` CVSSv31, `CVSS:3.0/` CVSSv3,
//!   `CVSS:4.0/` CVSSv4, a bare v2 vector CVSSv2, anything else `other`).
//!
//! Analysis: a finding that is not ignored is `exploitable` (the scanner found the affected
//! version; nobody has said otherwise), with response `update` when a fix exists. An ignored
//! finding whose reason names a CycloneDX justification (`code_not_reachable`, or in words
//! "not reachable", "unreachable", "code not present", "requires configuration", ...) is
//! `not_affected` with that justification; any other ignored finding is `in_triage`. The
//! reason is always the `detail`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{groups, id_source, ignored};
use crate::Error;
use crate::model::{Finding, Package, ScanReport};

const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

pub(super) fn render(report: &ScanReport) -> Result<Value, Error> {
    let ordered: Vec<&Finding> =
        groups(report).iter().flat_map(|g| g.findings.iter().copied()).chain(ignored(report)).collect();

    let refs = BomRefs::of(report);
    let mut components = Vec::new();
    for (key, bom_ref) in &refs.by_key {
        if let Some(f) = report.findings.iter().find(|f| &key_of(&f.package) == key) {
            components.push(component(&f.package, bom_ref));
        }
    }
    let mut vulnerabilities: Vec<Value> = Vec::new();
    for f in &ordered {
        let v = vulnerability(f, refs.by_key.get(&key_of(&f.package)).map_or("", String::as_str));
        // The schema wants unique items: a finding listed twice is written once.
        if !vulnerabilities.contains(&v) {
            vulnerabilities.push(v);
        }
    }

    let canonical =
        serde_json::to_vec(report).map_err(|e| Error::Render { format: "cyclonedx", reason: e.to_string() })?;
    let namespace =
        Uuid::new_v5(&Uuid::NAMESPACE_URL, concat!(env!("CARGO_PKG_REPOSITORY"), "/scan-report").as_bytes());
    let serial = Uuid::new_v5(&namespace, &canonical);

    let mut properties = vec![
        property("clearinghouse:database:source", &report.database.source),
        property("clearinghouse:database:advisories", &report.database.advisories.to_string()),
    ];
    if let Some(t) = report.database.last_modified {
        properties.push(property("clearinghouse:database:last_modified", &t.to_string()));
    }
    for t in &report.targets {
        properties.push(property("clearinghouse:target", &format!("{} ({})", t.path, t.format)));
    }
    for e in &report.errors {
        properties.push(property("clearinghouse:target_error", &format!("{}: {}", e.path, e.message)));
    }

    Ok(json!({
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": {
            "timestamp": report.scanned_at.to_string(),
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "clearinghouse",
                    "version": report.tool_version,
                    "externalReferences": [{ "type": "website", "url": env!("CARGO_PKG_REPOSITORY") }],
                }]
            },
            "properties": properties,
        },
        "components": components,
        "vulnerabilities": vulnerabilities,
    }))
}

type Key = (String, String, String);

fn key_of(p: &Package) -> Key {
    (p.name.clone(), p.version.clone(), p.location.path.clone())
}

/// One unique `bom-ref` per package occurrence, in (name, version, path) order.
struct BomRefs {
    by_key: BTreeMap<Key, String>,
}

impl BomRefs {
    fn of(report: &ScanReport) -> BomRefs {
        let mut bases: BTreeMap<Key, String> = BTreeMap::new();
        for f in &report.findings {
            let p = &f.package;
            bases
                .entry(key_of(p))
                .or_insert_with(|| p.purl.clone().unwrap_or_else(|| format!("{}@{}", p.name, p.version)));
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for base in bases.values() {
            *counts.entry(base).or_default() += 1;
        }
        let mut used: BTreeMap<String, usize> = BTreeMap::new();
        let mut by_key = BTreeMap::new();
        for (key, base) in &bases {
            let mut r = if counts.get(base.as_str()).copied().unwrap_or(0) > 1 {
                format!("{base}#{}", key.2)
            } else {
                base.clone()
            };
            // Still not unique (two names with one purl): number the later ones.
            let n = used.entry(r.clone()).or_default();
            *n += 1;
            if *n > 1 {
                r = format!("{r}#{n}");
            }
            by_key.insert(key.clone(), r);
        }
        BomRefs { by_key }
    }
}

fn component(p: &Package, bom_ref: &str) -> Value {
    let mut c = Map::new();
    let kind = if p.ecosystem.is_none() && p.purl.is_none() && p.cpe.is_some() { "application" } else { "library" };
    c.insert("type".into(), json!(kind));
    c.insert("bom-ref".into(), json!(bom_ref));
    if let Some(v) = &p.vendor {
        c.insert("publisher".into(), json!(v));
    }
    c.insert("name".into(), json!(p.name));
    c.insert("version".into(), json!(p.version));
    if let Some(cpe) = &p.cpe {
        c.insert("cpe".into(), json!(cpe));
    }
    if let Some(purl) = &p.purl {
        c.insert("purl".into(), json!(purl));
    }
    let mut occurrence = Map::new();
    occurrence.insert("location".into(), json!(p.location.path));
    if let Some(line) = p.location.line {
        occurrence.insert("line".into(), json!(line));
    }
    if let Some(pointer) = &p.location.pointer {
        occurrence.insert("additionalContext".into(), json!(format!("JSON pointer {pointer}")));
    }
    c.insert("evidence".into(), json!({ "occurrences": [occurrence] }));
    let mut properties = Vec::new();
    if let Some(e) = &p.ecosystem {
        properties.push(property("clearinghouse:ecosystem", e));
    }
    if let Some(product) = &p.product {
        properties.push(property("clearinghouse:product", product));
    }
    if let Some(direct) = p.direct {
        properties.push(property("clearinghouse:direct", if direct { "true" } else { "false" }));
    }
    if !properties.is_empty() {
        c.insert("properties".into(), json!(properties));
    }
    Value::Object(c)
}

fn vulnerability(f: &Finding, bom_ref: &str) -> Value {
    let mut v = Map::new();
    v.insert("id".into(), json!(f.advisory_id));
    v.insert("source".into(), source(&f.advisory_id));
    if !f.aliases.is_empty() {
        let refs: Vec<Value> = f.aliases.iter().map(|a| json!({ "id": a, "source": source(a) })).collect();
        v.insert("references".into(), json!(refs));
    }
    if let Some(s) = &f.severity {
        let mut rating = Map::new();
        if let Some(score) = s.valid_score() {
            rating.insert("score".into(), json!(score));
        }
        rating.insert("severity".into(), json!(s.word.as_str()));
        if let Some(vector) = &s.vector {
            rating.insert("method".into(), json!(method(vector)));
            rating.insert("vector".into(), json!(vector));
        }
        v.insert("ratings".into(), json!([rating]));
    }
    let cwes: Vec<u32> = f.cwes.iter().filter_map(|c| cwe_number(c)).collect();
    if !cwes.is_empty() {
        v.insert("cwes".into(), json!(cwes));
    }
    if let Some(s) = &f.summary {
        v.insert("description".into(), json!(s));
    }
    let recommendation = match &f.remedy {
        Some(fix) => format!("Upgrade {} to {fix}", f.package.name),
        None => "No fixed version is available".to_owned(),
    };
    v.insert("recommendation".into(), json!(recommendation));
    let advisories: Vec<Value> = f
        .references
        .iter()
        .filter(|r| r.starts_with("https://") || r.starts_with("http://"))
        .map(|r| json!({ "url": r.replace(' ', "%20") }))
        .collect();
    if !advisories.is_empty() {
        v.insert("advisories".into(), json!(advisories));
    }
    v.insert("analysis".into(), analysis(f));
    v.insert(
        "affects".into(),
        json!([{ "ref": bom_ref, "versions": [{ "version": f.package.version, "status": "affected" }] }]),
    );
    let mut properties = Vec::new();
    if let Some(k) = &f.known_exploited {
        properties.push(property("clearinghouse:kev", "true"));
        for (name, value) in [
            ("clearinghouse:kev:date_added", &k.date_added),
            ("clearinghouse:kev:due_date", &k.due_date),
            ("clearinghouse:kev:required_action", &k.required_action),
        ] {
            if let Some(value) = value {
                properties.push(property(name, value));
            }
        }
        if let Some(r) = k.ransomware {
            properties.push(property("clearinghouse:kev:ransomware", if r { "true" } else { "false" }));
        }
    }
    for fixed in &f.fixed_versions {
        properties.push(property("clearinghouse:fixed_version", fixed));
    }
    if let Some(until) = f.ignored.as_ref().and_then(|i| i.until) {
        properties.push(property("clearinghouse:ignore:until", &until.to_string()));
    }
    if !properties.is_empty() {
        v.insert("properties".into(), json!(properties));
    }
    Value::Object(v)
}

fn analysis(f: &Finding) -> Value {
    match &f.ignored {
        None => {
            let mut a = Map::new();
            a.insert("state".into(), json!("exploitable"));
            if f.remedy.is_some() {
                a.insert("response".into(), json!(["update"]));
            }
            Value::Object(a)
        }
        Some(why) => match justification(&why.reason) {
            Some(j) => json!({ "state": "not_affected", "justification": j, "detail": why.reason }),
            None => json!({ "state": "in_triage", "detail": why.reason }),
        },
    }
}

/// The CycloneDX impact analysis justification a free-text reason names, if any.
fn justification(reason: &str) -> Option<&'static str> {
    let words = reason.to_ascii_lowercase().replace(['_', '-'], " ");
    const NAMED: [(&str, &str); 9] = [
        ("code not present", "code_not_present"),
        ("code not reachable", "code_not_reachable"),
        ("requires configuration", "requires_configuration"),
        ("requires dependency", "requires_dependency"),
        ("requires environment", "requires_environment"),
        ("protected by compiler", "protected_by_compiler"),
        ("protected at runtime", "protected_at_runtime"),
        ("protected at perimeter", "protected_at_perimeter"),
        ("protected by mitigating control", "protected_by_mitigating_control"),
    ];
    if let Some((_, j)) = NAMED.iter().find(|(phrase, _)| words.contains(phrase)) {
        return Some(j);
    }
    if words.contains("not reachable") || words.contains("unreachable") {
        Some("code_not_reachable")
    } else if words.contains("not present") {
        Some("code_not_present")
    } else {
        None
    }
}

/// The CycloneDX score method a CVSS vector's prefix names.
fn method(vector: &str) -> &'static str {
    let v = vector.trim().trim_start_matches('(');
    if v.starts_with("CVSS:4.0/") {
        "CVSSv4"
    } else if v.starts_with("CVSS:3.1/") {
        "CVSSv31"
    } else if v.starts_with("CVSS:3.0/") {
        "CVSSv3"
    } else if v.starts_with("CVSS:2.0/") || (v.starts_with("AV:") && v.contains("/Au:")) {
        "CVSSv2"
    } else {
        "other"
    }
}

/// `CWE-79` -> 79 (CycloneDX wants the number, at least 1).
fn cwe_number(cwe: &str) -> Option<u32> {
    let t = cwe.trim();
    let digits = t.get(..4).filter(|p| p.eq_ignore_ascii_case("CWE-")).and_then(|_| t.get(4..)).unwrap_or(t);
    digits.parse::<u32>().ok().filter(|n| *n >= 1)
}

/// Who publishes an id, and where its page is (just the prefix as the name when unknown).
fn source(id: &str) -> Value {
    match id_source(id) {
        Some((name, url)) => json!({ "name": name, "url": url }),
        None => json!({ "name": id.split(['-', ':']).next().unwrap_or(id) }),
    }
}

fn property(name: &str, value: &str) -> Value {
    json!({ "name": name, "value": value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_table() {
        for (vector, want) in [
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSSv4"),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSSv31"),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSSv3"),
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSSv2"),
            ("(AV:N/AC:M/Au:N/C:P/I:P/A:P)", "CVSSv2"),
            ("SSVC:Exploitation=active", "other"),
        ] {
            assert_eq!(method(vector), want, "{vector}");
        }
    }

    #[test]
    fn cwe_and_justification_tables() {
        for (cwe, want) in
            [("CWE-79", Some(79)), ("cwe-502", Some(502)), ("20", Some(20)), ("CWE-0", None), ("NVD-CWE-Other", None)]
        {
            assert_eq!(cwe_number(cwe), want, "{cwe}");
        }
        for (reason, want) in [
            ("not reachable: we never decrypt", Some("code_not_reachable")),
            ("code_not_present (feature off)", Some("code_not_present")),
            ("Protected at perimeter by the WAF", Some("protected_at_perimeter")),
            ("requires-configuration we do not use", Some("requires_configuration")),
            ("upgrade scheduled for next sprint", None),
        ] {
            assert_eq!(justification(reason), want, "{reason}");
        }
    }

    #[test]
    fn sources() {
        assert_eq!(source("CVE-2021-44228")["name"], "NVD");
        assert_eq!(source("RUSTSEC-2023-0071")["url"], "https://rustsec.org/advisories/RUSTSEC-2023-0071.html");
        assert_eq!(source("NSWG-ECO-1"), json!({ "name": "NSWG" }));
    }
}
