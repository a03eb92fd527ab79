//! `ch-cpe` applicability statements written back as JSON, so that an emitted OSV record
//! carries a CVE's CPE trees in `database_specific` and
//! [`ch_cpe::Applicability::from_json`] reads them back unchanged.

use ch_cpe::{Applicability, CpeMatch, Node, Operator};
use serde_json::{Map, Value, json};

fn operator(op: Operator) -> &'static str {
    match op {
        Operator::And => "AND",
        _ => "OR",
    }
}

fn cpe_match(m: &CpeMatch) -> Value {
    let mut o = Map::new();
    o.insert("vulnerable".into(), Value::Bool(m.vulnerable));
    o.insert("criteria".into(), Value::String(m.criteria.to_formatted()));
    let opt = [
        ("matchCriteriaId", &m.match_criteria_id),
        ("versionStartIncluding", &m.version_start_including),
        ("versionStartExcluding", &m.version_start_excluding),
        ("versionEndIncluding", &m.version_end_including),
        ("versionEndExcluding", &m.version_end_excluding),
    ];
    for (k, v) in opt {
        if let Some(v) = v {
            o.insert(k.into(), Value::String(v.clone()));
        }
    }
    Value::Object(o)
}

/// A node with its matches and its children.
fn node(n: &Node) -> Value {
    let mut o = Map::new();
    o.insert("operator".into(), json!(operator(n.operator)));
    o.insert("negate".into(), Value::Bool(n.negate));
    o.insert("cpeMatch".into(), Value::Array(n.matches.iter().map(cpe_match).collect()));
    if !n.children.is_empty() {
        o.insert("children".into(), Value::Array(n.children.iter().map(node).collect()));
    }
    Value::Object(o)
}

/// Writes `a` as one tree: `{"nodes": [...]}` with one node per configuration, each node
/// with `operator`, `negate`, `cpeMatch` (2.0 match keys: `criteria`, `matchCriteriaId`)
/// and `children`. Both NVD shapes fit it without loss, and
/// [`ch_cpe::Applicability::from_json`] reads it back equal.
pub fn to_json(a: &Applicability) -> Value {
    json!({ "nodes": a.configurations.iter().map(node).collect::<Vec<_>>() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_read_back_equal() {
        let v11 = json!({"CVE_data_version": "4.0", "nodes": [
            {"operator": "AND", "children": [
                {"operator": "OR", "cpe_match": [{"vulnerable": true, "cpe23Uri": "cpe:2.3:o:citrix:adc:*:*:*:*:*:*:*:*", "versionStartIncluding": "13.0", "versionEndExcluding": "13.0.47.24"}]},
                {"operator": "OR", "cpe_match": [{"vulnerable": false, "cpe23Uri": "cpe:2.3:h:citrix:adc:-:*:*:*:*:*:*:*"}]}]},
            {"operator": "OR", "cpe_match": [{"vulnerable": true, "cpe23Uri": "cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*"}]}]});
        let v20 = json!([{"operator": "AND", "negate": true, "nodes": [
            {"operator": "OR", "negate": false, "cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:a:x:y:*:*:*:*:*:*:*:*", "matchCriteriaId": "ID", "versionEndIncluding": "2"}]}]}]);
        for doc in [v11, v20] {
            let a = Applicability::from_json(&doc).unwrap();
            let back = Applicability::from_json(&to_json(&a)).unwrap();
            assert_eq!(back, a, "{doc}");
        }
    }
}
