//! FriendsOfPHP security-advisories (`<vendor>/<package>/<name>.yaml`).
//!
//! A record names its package (`reference: composer://vendor/package`), a title, a link,
//! an optional CVE, and `branches`: each branch a list of Composer constraints that hold
//! together (`['>=1.0', '<1.2.3']`) and a time. The affected versions are the union of
//! the branches, translated by `ch-version`'s Composer parser into one `ECOSYSTEM`
//! range of the `Packagist` ecosystem; a constraint OSV cannot express (`>0.7.1`: an
//! exclusive lower bound) refuses the record with that reason.
//!
//! Times: `published` is the earliest branch time, `modified` the latest (the database
//! has no modification times of its own); the caller's fallback when no branch has one.

use ch_version::foreign::{Syntax, to_osv_range_union};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{need_time, source_path, str_field, str_list};
use crate::error::{Error, Format};
use crate::model::Advisory;
use crate::osv::{Affected, Osv, Package, ReferenceType};
use crate::refs::references;
use crate::time::{osv_timestamp, parse_timestamp};

const F: Format = Format::FriendsOfPhp;

/// Converts one record into OSV, with the problems that did not stop it.
pub fn to_osv(v: &Value, path: Option<&str>, fallback_time: Option<Timestamp>) -> Result<(Osv, Vec<String>), Error> {
    let path = source_path(v, path);
    let reference = str_field(v, "reference")
        .ok_or_else(|| Error::invalid(F, path, "/reference", "composer://vendor/package", "none"))?;
    let package = reference
        .strip_prefix("composer://")
        .ok_or_else(|| Error::invalid(F, path, "/reference", "composer://vendor/package", format!("{reference:?}")))?;
    let stem = path
        .and_then(|p| p.rsplit('/').next())
        .map(|f| f.trim_end_matches(".yaml").trim_end_matches(".yml").to_owned())
        .ok_or_else(|| {
            Error::invalid(F, None, "/_file", "the record's file path (vendor/package/name.yaml)", "none")
        })?;
    let id = format!("x_FOP-{}-{stem}", package.replace('/', "-"));

    let Some(Value::Object(branches)) = v.get("branches") else {
        return Err(Error::invalid(F, Some(&id), "/branches", "an object of branches", "none"));
    };
    let mut alternatives = Vec::new();
    let mut times: Vec<Timestamp> = Vec::new();
    for (name, b) in branches {
        let constraints = str_list(b, "versions");
        if constraints.is_empty() {
            return Err(Error::invalid(
                F,
                Some(&id),
                format!("/branches/{name}/versions"),
                "a list of constraints",
                "none",
            ));
        }
        alternatives.push(constraints.join(","));
        match b.get("time") {
            Some(Value::String(t)) => match parse_timestamp(t) {
                Some(t) => times.push(t),
                None => {
                    return Err(Error::invalid(
                        F,
                        Some(&id),
                        format!("/branches/{name}/time"),
                        "a timestamp",
                        format!("{t:?}"),
                    ));
                }
            },
            Some(Value::Null) | None => {}
            Some(other) => {
                return Err(Error::invalid(
                    F,
                    Some(&id),
                    format!("/branches/{name}/time"),
                    "a timestamp",
                    other.to_string(),
                ));
            }
        }
    }
    let refs: Vec<&str> = alternatives.iter().map(String::as_str).collect();
    let range = to_osv_range_union(Syntax::Composer, &refs).map_err(|e| {
        Error::invalid(F, Some(&id), "/branches", "Composer constraints OSV can express", e.to_string())
    })?;
    let published = times.iter().min().copied();
    let modified = need_time(F, &id, times.iter().max().copied().or(fallback_time))?;

    let mut warnings = Vec::new();
    let mut links = Vec::new();
    if let Some(link) = str_field(v, "link") {
        links.push((link.to_owned(), ReferenceType::Advisory));
    }
    links.push((format!("https://packagist.org/packages/{package}"), ReferenceType::Package));
    let mut db = serde_json::Map::new();
    if let Some(p) = path {
        db.insert("file".into(), json!(p));
    }
    if let Some(cr) = v.get("composer-repository").filter(|x| !x.is_null()) {
        db.insert("composer-repository".into(), cr.clone());
    }
    db.insert("branches".into(), Value::Object(branches.clone()));
    let osv = Osv {
        schema_version: None,
        id,
        modified: osv_timestamp(modified),
        published: published.map(osv_timestamp),
        withdrawn: None,
        aliases: Some(str_list(v, "cve")),
        related: None,
        upstream: None,
        summary: str_field(v, "title").map(|t| t.trim().to_owned()),
        details: None,
        severity: None,
        affected: Some(vec![Affected {
            package: Some(Package { ecosystem: "Packagist".into(), name: package.to_owned(), purl: None }),
            severity: None,
            ranges: Some(super::schema_ranges(range)),
            versions: None,
            ecosystem_specific: None,
            database_specific: None,
        }]),
        references: Some(references(links, &mut warnings)).filter(|r| !r.is_empty()),
        credits: None,
        database_specific: Some(db),
    };
    Ok((osv, warnings))
}

/// Converts one record into an [`Advisory`].
pub fn parse(v: &Value, path: Option<&str>, fallback_time: Option<Timestamp>) -> Result<Advisory, Error> {
    let (osv, warnings) = to_osv(v, path, fallback_time)?;
    let mut a = Advisory::from_osv(osv, F)?;
    a.warnings.extend(warnings);
    Ok(a)
}
