//! NVD applicability statements ("configurations") and their evaluation.
//!
//! Both shapes normalise to one tree of [`Node`]s:
//! - NVD 1.1 feeds: `configurations.nodes[]`, each node `operator`, optional `negate`,
//!   `children[]` and `cpe_match[]` (`vulnerable`, `cpe23Uri`, version bounds). Any
//!   top-level node that holds makes the CVE apply.
//! - NVD API 2.0: `configurations[]`, each with optional `operator` (`AND` joins its
//!   nodes; absent or `OR` means any) and `negate`, and `nodes[]` of `cpeMatch[]`
//!   (`criteria`, `matchCriteriaId`, bounds). Any configuration that holds applies.
//!
//! A `cpeMatch` holds for an inventory when some inventory name matches it: the
//! criteria's attributes must not be disjoint from the name's (NISTIR 7696; an ANY in
//! the inventory is "not known", which does not exclude), and the version must be known
//! and equal (criteria version value) or inside the `versionStart*`/`versionEnd*` bounds
//! ([`VendorVersion`] order). A node combines its matches and children with its
//! operator, then applies `negate`. The CVE affects the inventory when a configuration
//! holds and one of its `vulnerable: true` matches holds; the names it matched are
//! reported.

use serde_json::Value as Json;

use crate::Error;
use crate::matching::{Relation, compare_attribute};
use crate::name::{Attribute, Cpe};
use crate::version::VendorVersion;

/// `AND` or `OR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operator {
    /// All must hold.
    And,
    /// One must hold.
    Or,
}

/// One `cpeMatch` / `cpe_match` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpeMatch {
    /// `vulnerable`: this name is the vulnerable one (not merely a platform).
    pub vulnerable: bool,
    /// `criteria` / `cpe23Uri`.
    pub criteria: Cpe,
    /// `matchCriteriaId` (NVD 2.0 only).
    pub match_criteria_id: Option<String>,
    /// `versionStartIncluding`.
    pub version_start_including: Option<String>,
    /// `versionStartExcluding`.
    pub version_start_excluding: Option<String>,
    /// `versionEndIncluding`.
    pub version_end_including: Option<String>,
    /// `versionEndExcluding`.
    pub version_end_excluding: Option<String>,
}

/// A node of the applicability tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// How matches and children combine.
    pub operator: Operator,
    /// Whether the result is negated.
    pub negate: bool,
    /// The node's CPE matches.
    pub matches: Vec<CpeMatch>,
    /// Nested nodes (NVD 1.1 `children`, NVD 2.0 configuration `nodes`).
    pub children: Vec<Node>,
}

/// The applicability statement of one CVE: it applies when any configuration holds.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Applicability {
    /// The configurations.
    pub configurations: Vec<Node>,
}

/// The outcome of evaluating an applicability statement against an inventory.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Evaluation {
    /// Whether the CVE applies (some configuration holds with a vulnerable match).
    pub vulnerable: bool,
    /// For each vulnerable match that held in a holding configuration: the criteria and
    /// the inventory name it matched.
    pub matched: Vec<(CpeMatch, Cpe)>,
}

impl CpeMatch {
    fn has_bounds(&self) -> bool {
        self.version_start_including.is_some()
            || self.version_start_excluding.is_some()
            || self.version_end_including.is_some()
            || self.version_end_excluding.is_some()
    }

    /// Whether inventory name `target` matches this entry.
    pub fn matches(&self, target: &Cpe) -> bool {
        let crit = self.criteria.attributes();
        let tgt = target.attributes();
        for (i, (c, t)) in crit.iter().zip(tgt.iter()).enumerate() {
            if i == 3 {
                continue;
            }
            if matches!(compare_attribute(c, t), Relation::Disjoint | Relation::Undefined) {
                return false;
            }
        }
        let (criteria_version, target_version) = (&crit[3], &tgt[3]);
        if self.has_bounds() {
            let Attribute::Value(tv) = target_version else { return false };
            if !matches!(criteria_version, Attribute::Any)
                && matches!(
                    compare_attribute(criteria_version, target_version),
                    Relation::Disjoint | Relation::Undefined
                )
            {
                return false;
            }
            let v = VendorVersion::new(&tv.unquoted());
            let ok = |bound: &Option<String>, test: fn(&VendorVersion, &VendorVersion) -> bool| {
                bound.as_deref().is_none_or(|b| test(&v, &VendorVersion::new(b)))
            };
            ok(&self.version_start_including, |v, b| v >= b)
                && ok(&self.version_start_excluding, |v, b| v > b)
                && ok(&self.version_end_including, |v, b| v <= b)
                && ok(&self.version_end_excluding, |v, b| v < b)
        } else {
            match (criteria_version, target_version) {
                (Attribute::Any, _) => true,
                (_, Attribute::Any) => false,
                (Attribute::Value(c), Attribute::Value(t)) if !c.has_wildcards() && !t.has_wildcards() => {
                    VendorVersion::new(&c.unquoted()) == VendorVersion::new(&t.unquoted())
                        || compare_attribute(criteria_version, target_version) == Relation::Equal
                }
                _ => {
                    matches!(compare_attribute(criteria_version, target_version), Relation::Equal | Relation::Superset)
                }
            }
        }
    }
}

impl Node {
    fn holds(&self, inventory: &[Cpe], assume_platforms: bool, hits: &mut Vec<(CpeMatch, Cpe)>) -> bool {
        let platform_only = assume_platforms
            && self.children.is_empty()
            && !self.matches.is_empty()
            && self.matches.iter().all(|m| !m.vulnerable);
        let mut results = Vec::with_capacity(self.matches.len() + self.children.len());
        for m in &self.matches {
            let hit = inventory.iter().find(|t| m.matches(t));
            if let (Some(t), true) = (hit, m.vulnerable) {
                hits.push((m.clone(), t.clone()));
            }
            results.push(hit.is_some() || platform_only);
        }
        for c in &self.children {
            results.push(c.holds(inventory, assume_platforms, hits));
        }
        let combined = match self.operator {
            Operator::And => !results.is_empty() && results.iter().all(|r| *r),
            Operator::Or => results.iter().any(|r| *r),
        };
        combined != self.negate
    }
}

fn bad(pointer: &str, expected: &'static str, found: &Json) -> Error {
    let full = found.to_string();
    // Cut at a character, not a byte (found by the nvd_applicability fuzz target).
    let mut shown: String = full.chars().take(60).collect();
    if shown.len() < full.len() {
        shown.push_str("...");
    }
    Error::InvalidApplicability { pointer: pointer.to_owned(), expected, found: shown }
}

fn operator(v: &Json, pointer: &str) -> Result<Operator, Error> {
    match v.get("operator") {
        None | Some(Json::Null) => Ok(Operator::Or),
        Some(Json::String(s)) if s == "OR" => Ok(Operator::Or),
        Some(Json::String(s)) if s == "AND" => Ok(Operator::And),
        Some(other) => Err(bad(&format!("{pointer}/operator"), "\"AND\" or \"OR\"", other)),
    }
}

fn negate(v: &Json, pointer: &str) -> Result<bool, Error> {
    match v.get("negate") {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(other) => Err(bad(&format!("{pointer}/negate"), "a boolean", other)),
    }
}

fn opt_str(v: &Json, key: &str, pointer: &str) -> Result<Option<String>, Error> {
    match v.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(&format!("{pointer}/{key}"), "a string", other)),
    }
}

fn cpe_match(v: &Json, pointer: &str) -> Result<CpeMatch, Error> {
    let vulnerable = match v.get("vulnerable") {
        Some(Json::Bool(b)) => *b,
        other => return Err(bad(&format!("{pointer}/vulnerable"), "a boolean", other.unwrap_or(&Json::Null))),
    };
    let (key, raw) = match (v.get("criteria"), v.get("cpe23Uri")) {
        (Some(Json::String(s)), _) => ("criteria", s),
        (_, Some(Json::String(s))) => ("cpe23Uri", s),
        _ => return Err(bad(pointer, "\"criteria\" or \"cpe23Uri\" with a CPE 2.3 name", v)),
    };
    let criteria = Cpe::parse_formatted(raw).map_err(|e| Error::InvalidApplicability {
        pointer: format!("{pointer}/{key}"),
        expected: "a CPE 2.3 formatted string",
        found: e.to_string(),
    })?;
    Ok(CpeMatch {
        vulnerable,
        criteria,
        match_criteria_id: opt_str(v, "matchCriteriaId", pointer)?,
        version_start_including: opt_str(v, "versionStartIncluding", pointer)?,
        version_start_excluding: opt_str(v, "versionStartExcluding", pointer)?,
        version_end_including: opt_str(v, "versionEndIncluding", pointer)?,
        version_end_excluding: opt_str(v, "versionEndExcluding", pointer)?,
    })
}

fn array<'a>(v: &'a Json, key: &str, pointer: &str) -> Result<&'a [Json], Error> {
    match v.get(key) {
        None | Some(Json::Null) => Ok(&[]),
        Some(Json::Array(a)) => Ok(a),
        Some(other) => Err(bad(&format!("{pointer}/{key}"), "an array", other)),
    }
}

fn node(v: &Json, pointer: &str) -> Result<Node, Error> {
    if !v.is_object() {
        return Err(bad(pointer, "a node object", v));
    }
    let key = if v.get("cpeMatch").is_some() { "cpeMatch" } else { "cpe_match" };
    let matches = array(v, key, pointer)?
        .iter()
        .enumerate()
        .map(|(i, m)| cpe_match(m, &format!("{pointer}/{key}/{i}")))
        .collect::<Result<_, _>>()?;
    let children = array(v, "children", pointer)?
        .iter()
        .enumerate()
        .map(|(i, c)| node(c, &format!("{pointer}/children/{i}")))
        .collect::<Result<_, _>>()?;
    Ok(Node { operator: operator(v, pointer)?, negate: negate(v, pointer)?, matches, children })
}

impl Applicability {
    /// Reads either NVD shape: an NVD 2.0 `configurations` array, an NVD 1.1
    /// `configurations` object (`{"nodes": [...]}`), or a whole record holding one
    /// (`{"configurations": ...}`, or an NVD 2.0 `{"cve": {...}}` wrapper). A record
    /// without configurations (e.g. "Awaiting Analysis") gives an empty statement.
    pub fn from_json(v: &Json) -> Result<Applicability, Error> {
        Applicability::from_json_at(v, "")
    }

    fn from_json_at(v: &Json, pointer: &str) -> Result<Applicability, Error> {
        match v {
            Json::Array(configs) => {
                let mut configurations = Vec::with_capacity(configs.len());
                for (i, c) in configs.iter().enumerate() {
                    let p = format!("{pointer}/{i}");
                    let nodes = array(c, "nodes", &p)?
                        .iter()
                        .enumerate()
                        .map(|(j, n)| node(n, &format!("{p}/nodes/{j}")))
                        .collect::<Result<Vec<_>, _>>()?;
                    configurations.push(Node {
                        operator: operator(c, &p)?,
                        negate: negate(c, &p)?,
                        matches: Vec::new(),
                        children: nodes,
                    });
                }
                Ok(Applicability { configurations })
            }
            Json::Object(map) => {
                if let Some(c) = map.get("configurations") {
                    return Applicability::from_json_at(c, &format!("{pointer}/configurations"));
                }
                if let Some(cve) = map.get("cve") {
                    return Applicability::from_json_at(cve, &format!("{pointer}/cve"));
                }
                if map.contains_key("nodes") {
                    let configurations = array(v, "nodes", pointer)?
                        .iter()
                        .enumerate()
                        .map(|(i, n)| node(n, &format!("{pointer}/nodes/{i}")))
                        .collect::<Result<_, _>>()?;
                    return Ok(Applicability { configurations });
                }
                if map.contains_key("id") || map.contains_key("CVE_data_meta") || map.contains_key("descriptions") {
                    return Ok(Applicability::default());
                }
                Err(bad(pointer, "NVD configurations (an array, or an object with \"nodes\")", v))
            }
            other => Err(bad(pointer, "NVD configurations (an array, or an object with \"nodes\")", other)),
        }
    }

    /// Evaluates against `inventory` exactly as written: platform (`vulnerable: false`)
    /// matches must be present in the inventory too.
    pub fn affects(&self, inventory: &[Cpe]) -> Evaluation {
        self.evaluate(inventory, false)
    }

    /// Evaluates against `inventory`, assuming any platform-only node (all matches
    /// `vulnerable: false`, e.g. the hardware an OS runs on) holds: for inventories that
    /// list software without its hardware.
    pub fn affects_assuming_platforms(&self, inventory: &[Cpe]) -> Evaluation {
        self.evaluate(inventory, true)
    }

    fn evaluate(&self, inventory: &[Cpe], assume_platforms: bool) -> Evaluation {
        let mut out = Evaluation::default();
        for c in &self.configurations {
            let mut hits = Vec::new();
            if c.holds(inventory, assume_platforms, &mut hits) && !hits.is_empty() {
                out.vulnerable = true;
                for h in hits {
                    if !out.matched.contains(&h) {
                        out.matched.push(h);
                    }
                }
            }
        }
        out
    }

    /// Every match in the statement, depth first.
    pub fn cpe_matches(&self) -> Vec<&CpeMatch> {
        fn walk<'a>(n: &'a Node, out: &mut Vec<&'a CpeMatch>) {
            out.extend(n.matches.iter());
            for c in &n.children {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        for c in &self.configurations {
            walk(c, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(items: &[&str]) -> Vec<Cpe> {
        items
            .iter()
            .map(|s| if s.starts_with("cpe:") { s.parse().unwrap() } else { Cpe::from_product(s).unwrap() })
            .collect()
    }

    #[test]
    fn and_with_platform_table() {
        // NVD 1.1 shape: Citrix ADC on its hardware (CVE-2019-19781 style).
        let doc = serde_json::json!({"CVE_data_version": "4.0", "nodes": [{"operator": "AND", "children": [
            {"operator": "OR", "cpe_match": [{"vulnerable": true, "cpe23Uri": "cpe:2.3:o:citrix:adc:*:*:*:*:*:*:*:*", "versionStartIncluding": "13.0", "versionEndExcluding": "13.0.47.24"}]},
            {"operator": "OR", "cpe_match": [{"vulnerable": false, "cpe23Uri": "cpe:2.3:h:citrix:adc:-:*:*:*:*:*:*:*"}]}
        ]}]});
        let a = Applicability::from_json(&doc).unwrap();
        let cases: &[(&[&str], bool, bool)] = &[
            (&["citrix:adc:13.0.41.20"], false, true),
            (&["cpe:2.3:o:citrix:adc:13.0.41.20:*:*:*:*:*:*:*", "cpe:2.3:h:citrix:adc:-:*:*:*:*:*:*:*"], true, true),
            (&["citrix:adc:13.0.47.24"], false, false),
            (&["citrix:adc"], false, false),
        ];
        for (items, strict, lenient) in cases {
            let i = inv(items);
            assert_eq!(
                (a.affects(&i).vulnerable, a.affects_assuming_platforms(&i).vulnerable),
                (*strict, *lenient),
                "{items:?}"
            );
        }
    }

    #[test]
    fn negate_and_errors() {
        let doc = serde_json::json!([{"nodes": [{"operator": "OR", "negate": true, "cpeMatch": [
            {"vulnerable": true, "criteria": "cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*"}]}]}]);
        let a = Applicability::from_json(&doc).unwrap();
        assert!(!a.affects(&inv(&["x:y:2.0"])).vulnerable, "negated node holds but matched nothing vulnerable");
        // Regression (fuzz): long non-ASCII values are cut at a character boundary.
        let long = "é".repeat(80);
        let err = Applicability::from_json(&serde_json::json!([{"nodes": [{"operator": long}]}])).unwrap_err();
        assert!(err.to_string().ends_with("éé..."), "{err}");
        let err = Applicability::from_json(&serde_json::json!([{"nodes": [{"operator": "XOR"}]}])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "NVD configurations at /0/nodes/0/operator: expected \"AND\" or \"OR\", found \"XOR\""
        );
        let err = Applicability::from_json(
            &serde_json::json!([{"nodes": [{"cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:a"}]}]}]),
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "NVD configurations at /0/nodes/0/cpeMatch/0/criteria: expected a CPE 2.3 formatted string"
            ),
            "{err}"
        );
    }
}
