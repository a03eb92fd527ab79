//! The Node.js Security WG database (nodejs/security-wg `vuln/`).
//!
//! - `vuln/npm/<n>.json` (`module_name`, `vulnerable_versions`, `patched_versions`,
//!   `cves`, `cvss_vector`...): an npm advisory, `x_NSWG-ECO-<n>`. The affected range is
//!   `vulnerable_versions` in node-semver syntax, translated by `ch-version`
//!   (`SEMVER` events); `patched_versions` is kept in the package's
//!   `database_specific`.
//! - `vuln/core/<n>.json` (`vulnerable`, `patched`, `cve`, `severity`...): a Node.js
//!   runtime advisory, `x_NSWG-CORE-<n>`. The runtime has no OSV ecosystem, so it is an
//!   affected product (`nodejs`/`node.js`, its CPE): the `vulnerable` intervals
//!   `affected`, the `patched` ones `unaffected` (which wins where both hold:
//!   `vulnerable: 8.x`, `patched: ^8.1.4` leaves 8.0.0 to 8.1.3 affected).
//! - `vuln/deps/<n>.json`: an assessment that Node.js is not affected by a
//!   dependency's CVE (`reason: vulnerable_code_not_present`): not an advisory, refused
//!   as unsupported.

use ch_version::foreign::{Syntax, to_osv_range};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{need_time, product_versions, source_path, str_field, str_list};
use crate::error::{Error, Format};
use crate::model::{Advisory, AffectedProduct, Extension, ScoreKind, ScoreSource, Status};
use crate::osv::{Affected, Credit, Osv, Package, ReferenceType};
use crate::refs::{osv_severity, references};
use crate::time::{osv_timestamp, parse_timestamp};

const F: Format = Format::NodejsSecurityWg;

fn number(v: &Value, path: Option<&str>) -> Option<String> {
    match v.get("id") {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) => Some(s.clone()),
        _ => path.and_then(|p| p.rsplit('/').next()).and_then(|f| f.strip_suffix(".json")).map(str::to_owned),
    }
}

fn date(v: &Value, key: &str) -> Option<Timestamp> {
    str_field(v, key).and_then(parse_timestamp)
}

fn range_error(id: &str, field: &str, e: &ch_version::Error) -> Error {
    Error::invalid(F, Some(id), format!("/{field}"), "a node-semver range OSV can express", e.to_string())
}

/// Where `patched` starts inside `vulnerable` (the two fields disagree; the advisory
/// follows `vulnerable_versions`, as npm's audit did), one warning per such version.
fn overlaps(vulnerable: &ch_version::OsvRange, patched: &str) -> Vec<String> {
    let Ok(patched_range) = to_osv_range(Syntax::Npm, patched) else { return Vec::new() };
    let Ok(checked) = ch_version::AffectedRange::new(vulnerable, ch_version::Ecosystem::Npm) else { return Vec::new() };
    patched_range
        .events
        .iter()
        .filter_map(|e| match e {
            ch_version::Event::Introduced(v) if v != "0" => Some(v),
            _ => None,
        })
        .filter(|v| checked.contains_str(v).unwrap_or(false))
        .map(|v| format!("patched_versions {patched:?} starts at {v}, which vulnerable_versions covers"))
        .collect()
}

/// Converts one record into OSV, with the problems that did not stop it.
pub fn to_osv(v: &Value, path: Option<&str>, fallback_time: Option<Timestamp>) -> Result<(Osv, Vec<String>), Error> {
    let path = source_path(v, path);
    let kind = match path {
        Some(p) if p.contains("vuln/deps/") => "deps",
        Some(p) if p.contains("vuln/core/") => "core",
        Some(p) if p.contains("vuln/npm/") => "npm",
        _ if v.get("module_name").is_some() => "npm",
        _ if v.get("vulnerable").is_some() => "core",
        _ => "deps",
    };
    let n = number(v, path).unwrap_or_default();
    if kind == "deps" {
        return Err(Error::Unsupported {
            format: F,
            record: path.map(str::to_owned),
            reason: format!(
                "an assessment that Node.js is not affected (reason: {}), not an advisory",
                str_field(v, "reason").unwrap_or("none given")
            ),
        });
    }
    if n.is_empty() {
        return Err(Error::invalid(F, None, "/id", "an advisory number (or a vuln/*/<n>.json path)", "none"));
    }
    let id = if kind == "npm" { format!("x_NSWG-ECO-{n}") } else { format!("x_NSWG-CORE-{n}") };
    let mut warnings = Vec::new();
    let mut refs: Vec<(String, ReferenceType)> = Vec::new();
    if let Some(p) = path {
        refs.push((format!("https://github.com/nodejs/security-wg/blob/main/{p}"), ReferenceType::Advisory));
    }
    let mut scores = Vec::new();
    let mut ext = Extension::default();
    let mut db = serde_json::Map::new();
    if let Some(p) = path {
        db.insert("file".into(), json!(p));
    }

    let (modified, published, aliases, summary, details, affected) = if kind == "npm" {
        let module = str_field(v, "module_name")
            .ok_or_else(|| Error::invalid(F, Some(&id), "/module_name", "an npm package name", "none"))?;
        let vulnerable = str_field(v, "vulnerable_versions")
            .ok_or_else(|| Error::invalid(F, Some(&id), "/vulnerable_versions", "a node-semver range", "none"))?;
        let range = to_osv_range(Syntax::Npm, vulnerable).map_err(|e| range_error(&id, "vulnerable_versions", &e))?;
        if let Some(patched) = str_field(v, "patched_versions") {
            warnings.extend(overlaps(&range, patched));
        }
        let published = date(v, "publish_date").or_else(|| date(v, "created_at"));
        let modified = date(v, "updated_at").or(published).or(fallback_time);
        if let Some(vector) = str_field(v, "cvss_vector") {
            scores.push(ScoreSource {
                origin: "nodejs/security-wg".into(),
                kind: ScoreKind::CvssV3,
                score: vector.to_owned(),
            });
        }
        refs.extend(str_list(v, "references").into_iter().map(|u| (u, ReferenceType::Web)));
        let mut details = str_field(v, "overview").unwrap_or_default().trim().to_owned();
        if let Some(rec) = str_field(v, "recommendation") {
            details.push_str("\n\n## Recommendation\n\n");
            details.push_str(rec.trim());
        }
        for key in ["cvss_score", "coordinating_vendor"] {
            if let Some(x) = v.get(key).filter(|x| !x.is_null()) {
                db.insert(key.into(), x.clone());
            }
        }
        let mut pkg_db = serde_json::Map::new();
        pkg_db.insert("vulnerable_versions".into(), json!(vulnerable));
        if let Some(p) = str_field(v, "patched_versions") {
            pkg_db.insert("patched_versions".into(), json!(p));
        }
        let affected = vec![Affected {
            package: Some(Package { ecosystem: "npm".into(), name: module.to_owned(), purl: None }),
            severity: None,
            ranges: Some(super::schema_ranges(range)),
            versions: None,
            ecosystem_specific: None,
            database_specific: Some(pkg_db),
        }];
        (modified, published, str_list(v, "cves"), str_field(v, "title").map(str::to_owned), details, affected)
    } else {
        let vulnerable = str_field(v, "vulnerable")
            .ok_or_else(|| Error::invalid(F, Some(&id), "/vulnerable", "a node-semver range", "none"))?;
        let mut versions = product_versions(
            &to_osv_range(Syntax::Npm, vulnerable).map_err(|e| range_error(&id, "vulnerable", &e))?.events,
            Status::Affected,
        );
        if let Some(patched) = str_field(v, "patched") {
            let r = to_osv_range(Syntax::Npm, patched).map_err(|e| range_error(&id, "patched", &e))?;
            versions.extend(product_versions(&r.events, Status::Unaffected));
        }
        ext.products.push(AffectedProduct {
            origin: "nodejs/security-wg".into(),
            vendor: Some("nodejs".into()),
            product: Some("node.js".into()),
            collection_url: None,
            package_name: None,
            repo: Some("https://github.com/nodejs/node".into()),
            cpes: vec!["cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*".into()],
            platforms: str_list(v, "affectedEnvironments"),
            default_status: Some(Status::Unaffected),
            versions,
        });
        if let Some(word) = str_field(v, "severity").filter(|w| !w.eq_ignore_ascii_case("unknown")) {
            scores.push(ScoreSource {
                origin: "nodejs/security-wg".into(),
                kind: ScoreKind::Text,
                score: word.to_owned(),
            });
        }
        if let Some(c) = str_field(v, "cvss") {
            let vector = if c.starts_with("CVSS:") { c.to_owned() } else { format!("CVSS:{c}") };
            scores.push(ScoreSource { origin: "nodejs/security-wg".into(), kind: ScoreKind::CvssV3, score: vector });
        }
        refs.extend(str_list(v, "ref").into_iter().map(|u| (u, ReferenceType::Advisory)));
        let published = date(v, "publish_date");
        let modified = published.or(fallback_time);
        let details = str_field(v, "overview").unwrap_or_default().trim().to_owned();
        let cves = str_list(v, "cve");
        (modified, published, cves, str_field(v, "description").map(|s| s.trim().to_owned()), details, Vec::new())
    };
    let modified = need_time(F, &id, modified)?;
    let credits = v
        .get("author")
        .and_then(|a| a.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .map(|name| vec![Credit { name: name.trim().to_owned(), contact: None, kind: None }]);
    ext.scores = scores;
    let mut osv = Osv {
        schema_version: None,
        id,
        modified: osv_timestamp(modified),
        published: published.map(osv_timestamp),
        withdrawn: None,
        aliases: Some(aliases),
        related: None,
        upstream: None,
        summary,
        details: Some(details).filter(|d| !d.is_empty()),
        severity: Some(osv_severity(&ext.scores)).filter(|s| !s.is_empty()),
        affected: Some(affected).filter(|a| !a.is_empty()),
        references: Some(references(refs, &mut warnings)).filter(|r| !r.is_empty()),
        credits,
        database_specific: Some(db),
    };
    ext.attach(&mut osv);
    Ok((osv, warnings))
}

/// Converts one record into an [`Advisory`].
pub fn parse(v: &Value, path: Option<&str>, fallback_time: Option<Timestamp>) -> Result<Advisory, Error> {
    let (osv, warnings) = to_osv(v, path, fallback_time)?;
    let mut a = Advisory::from_osv(osv, F)?;
    a.warnings.extend(warnings);
    Ok(a)
}
