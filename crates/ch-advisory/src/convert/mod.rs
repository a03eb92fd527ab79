//! Databases that predate OSV, converted into OSV.
//!
//! - [`nodejs`]: the Node.js Security WG database (`vuln/npm/*.json`: npm packages with
//!   node-semver ranges; `vuln/core/*.json`: the Node.js runtime; `vuln/deps/*.json`:
//!   assessments that Node.js is *not* affected by a dependency's CVE, not imported);
//! - [`friendsofphp`]: FriendsOfPHP security-advisories (Composer constraints per branch);
//! - [`victims`]: the Victims CVE DB (Maven and PyPI, `OP VERSION[,SERIES]` entries).
//!
//! osv.dev carries no converter for any of these three (its `vulnfeeds` converts NVD,
//! CVE 5 and distribution feeds), so these are ours, written from each database's own
//! documentation. Range syntaxes are translated exactly or refused with the reason,
//! never rounded: npm and Composer through `ch-version`'s `foreign` parsers (which
//! follow node-semver and Composer's `VersionParser`), the Victims series rule here.
//!
//! Ids: these databases have no OSV id prefix, so their records get the schema's local
//! prefix `x_` and a name made from the record's number or file: `x_NSWG-ECO-<n>`
//! (npm) and `x_NSWG-CORE-<n>` (runtime), `x_FOP-<vendor>-<package>-<file>`, and
//! `x_VICTIMS-CVE-<year>-<n>`. CVE ids go in `aliases`, so that these advisories merge
//! with every other record of the same flaw.
//!
//! Times: a record's own dates where it has them (midnight UTC for bare dates);
//! otherwise the caller's `fallback_time` (a file's mtime); otherwise the record is
//! refused, since OSV requires `modified`.

pub mod friendsofphp;
pub mod nodejs;
pub mod victims;

use jiff::Timestamp;
use serde_json::Value;

use crate::error::{Error, Format};

/// A record's `_file` (the shared data adds it to each JSONL line), else `path`.
pub(crate) fn source_path<'a>(v: &'a Value, path: Option<&'a str>) -> Option<&'a str> {
    v.get("_file").and_then(Value::as_str).or(path)
}

pub(crate) fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// Strings of a field that is a list of strings, or a single string.
pub(crate) fn str_list(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

pub(crate) fn need_time(format: Format, id: &str, t: Option<Timestamp>) -> Result<Timestamp, Error> {
    t.ok_or_else(|| {
        Error::invalid(format, Some(id), "", "a date in the record or a fallback time from the caller", "neither")
    })
}

/// Converts a record of `format` (one of the three databases) into an advisory.
pub fn parse(
    format: Format,
    v: &Value,
    path: Option<&str>,
    fallback_time: Option<Timestamp>,
) -> Result<crate::Advisory, Error> {
    match format {
        Format::NodejsSecurityWg => nodejs::parse(v, path, fallback_time),
        Format::FriendsOfPhp => friendsofphp::parse(v, path, fallback_time),
        Format::Victims => victims::parse(v, path, fallback_time),
        other => {
            Err(Error::Unsupported { format: other, record: None, reason: "not a pre-OSV database format".into() })
        }
    }
}

/// OSV events (one interval after another, as `ch-version`'s `foreign` parsers emit
/// them) as CVE 5 style product versions with `status`.
pub(crate) fn product_versions(events: &[ch_version::Event], status: crate::Status) -> Vec<crate::ProductVersion> {
    use ch_version::Event;
    let mut out: Vec<crate::ProductVersion> = Vec::new();
    let entry = |version: &str| crate::ProductVersion {
        version: version.to_owned(),
        status,
        version_type: Some("semver".into()),
        less_than: Some("*".into()),
        less_than_or_equal: None,
        changes: Vec::new(),
    };
    for e in events {
        match e {
            Event::Introduced(v) => out.push(entry(v)),
            Event::Fixed(v) | Event::Limit(v) => {
                if let Some(last) = out.last_mut() {
                    last.less_than = Some(v.clone());
                }
            }
            Event::LastAffected(v) => {
                if let Some(last) = out.last_mut() {
                    last.less_than = None;
                    last.less_than_or_equal = Some(v.clone());
                }
            }
            _ => {}
        }
    }
    out
}

/// OSV ranges for `r`: the schema forbids `fixed` and `last_affected` in one range, so a
/// union that mixes them (`>=1.0 <1.4.6 || 2.0.0`) becomes one range per interval (the
/// ranges of a package are alternatives, so the versions covered are the same).
pub(crate) fn schema_ranges(r: ch_version::OsvRange) -> Vec<crate::osv::Range> {
    use ch_version::Event;
    let fixed = r.events.iter().any(|e| matches!(e, Event::Fixed(_)));
    let last = r.events.iter().any(|e| matches!(e, Event::LastAffected(_)));
    if !(fixed && last) {
        return vec![crate::osv::Range::from_osv_range(r)];
    }
    let mut out: Vec<crate::osv::Range> = Vec::new();
    for e in r.events {
        match e {
            Event::Introduced(_) => out.push(crate::osv::Range {
                kind: r.kind,
                repo: r.repo.clone(),
                events: vec![e],
                database_specific: None,
            }),
            other => {
                if let Some(last) = out.last_mut() {
                    last.events.push(other);
                }
            }
        }
    }
    out
}
