//! The Victims CVE DB (`database/{java,python}/<year>/<n>.yaml`, archived 2020).
//!
//! A record names a CVE (`cve: 2016-1000031`), a title, references, CVSS base scores
//! (numbers, no vectors), and `affected` modules: Maven artifacts (`groupId`,
//! `artifactId`) or PyPI packages (`name`), each with `version` entries of the form
//! `OP VERSION[,SERIES]` (`OP` one of `<=`, `<`, `>=`, `>`, `==`) and optional `fixedin`
//! and `unaffected` lists in the same form.
//!
//! The affected versions are the `version` entries. `SERIES` restricts an entry to the
//! versions that start with it (`<=2.0.11.2,2.0`: 2.0 up to 2.0.11.2; `>=0.5,0`: 0.5
//! and later 0.x; `<=1.7b1,1.7`: the 1.7 pre-releases up to 1.7b1), as the database's
//! own matcher (victims-db-builder) does. A series `S` of dotted numbers is the interval
//! from the least version of `S` to the least version of `S'` (`S` with its last number
//! plus one), exclusive; the least version of a series is its first pre-release under
//! the ecosystem's order: `S.dev0` in PEP 440, `S-alpha` in Maven (`alpha` is Maven's
//! lowest qualifier). An entry becomes one OSV range (a package's ranges are
//! alternatives):
//!
//! | entry | OSV events |
//! |---|---|
//! | `<=V,S` | `introduced: least(S)`, `last_affected: V` |
//! | `<V,S` | `introduced: least(S)`, `fixed: V` |
//! | `>=V,S` | `introduced: V`, `limit: least(S')` (the series' end, not a fix) |
//! | `<=V`, `<V`, `>=V` | as above with `introduced: 0` / no limit |
//! | `==V` | `V` in `versions` |
//!
//! A series of zeros (`0`) starts at `introduced: 0`. Refused, with the reason: `>V` (OSV
//! has no exclusive start), a series that is not a dotted number (`2.0.11-jbossas-`: a
//! string prefix, not an interval), an entry whose end is below its series' start, a
//! version the ecosystem's scheme cannot read.
//!
//! `fixedin` and `unaffected` are kept in the package's `database_specific`; the
//! database has no dates, so `modified` is the caller's fallback time.

use ch_version::{Ecosystem, Event, RangeType};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{need_time, source_path, str_field, str_list};
use crate::error::{Error, Format};
use crate::model::{Advisory, ScoreKind, ScoreSource};
use crate::osv::{Affected, Osv, Package, Range, ReferenceType};
use crate::refs::references;
use crate::time::osv_timestamp;

const F: Format = Format::Victims;

/// One `version` entry, translated.
#[derive(Debug, PartialEq)]
enum Entry {
    Range(Vec<Event>),
    Exact(String),
}

/// The least version of series `s` under `eco`'s order.
fn least(eco: Ecosystem, s: &str) -> String {
    match eco {
        Ecosystem::PyPI => format!("{s}.dev0"),
        Ecosystem::Maven => format!("{s}-alpha"),
        _ => s.to_owned(),
    }
}

/// The series `s` as (least version, least version of the next series); `None` when
/// `s` is not a dotted number.
fn series_bounds(eco: Ecosystem, s: &str) -> Option<(String, String)> {
    let mut parts: Vec<String> = s.split('.').map(str::to_owned).collect();
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let last = parts.last_mut()?;
    *last = (last.parse::<u128>().ok()? + 1).to_string();
    Some((least(eco, s), least(eco, &parts.join("."))))
}

fn entry(eco: Ecosystem, text: &str) -> Result<Entry, String> {
    let t = text.trim();
    let (op, rest) = ["<=", ">=", "==", "<", ">"]
        .iter()
        .find_map(|op| t.strip_prefix(op).map(|r| (*op, r.trim())))
        .ok_or_else(|| "an operator (<=, <, >=, >, ==) first".to_owned())?;
    let (version, series) = match rest.split_once(',') {
        Some((v, s)) => (v.trim(), Some(s.trim())),
        None => (rest, None),
    };
    let parsed = eco.parse_version(version).map_err(|e| e.to_string())?;
    let series = match series {
        Some(s) => Some(series_bounds(eco, s).ok_or_else(|| format!("a series of dotted numbers, found {s:?}"))?),
        None => None,
    };
    let zeros = rest.split_once(',').is_some_and(|(_, s)| s.trim().split('.').all(|p| p.bytes().all(|b| b == b'0')));
    let start = |events: &mut Vec<Event>| -> Result<(), String> {
        match &series {
            Some(_) if zeros => events.push(Event::Introduced("0".into())),
            Some((lo, _)) => {
                let start = eco.parse_version(lo).map_err(|e| e.to_string())?;
                if start > parsed {
                    return Err(format!("an end at or above the series start {lo:?}"));
                }
                events.push(Event::Introduced(lo.clone()));
            }
            None => events.push(Event::Introduced("0".into())),
        }
        Ok(())
    };
    let mut events = Vec::new();
    match op {
        "<=" => {
            start(&mut events)?;
            events.push(Event::LastAffected(version.to_owned()));
        }
        "<" => {
            start(&mut events)?;
            events.push(Event::Fixed(version.to_owned()));
        }
        ">=" => {
            events.push(Event::Introduced(version.to_owned()));
            if let Some((_, end)) = series {
                let e = eco.parse_version(&end).map_err(|e| e.to_string())?;
                if parsed >= e {
                    return Err(format!("a start below the series end {end:?}"));
                }
                events.push(Event::Limit(end));
            }
        }
        "==" => return Ok(Entry::Exact(version.to_owned())),
        _ => return Err("an inclusive start (OSV 'introduced' cannot say '>V')".to_owned()),
    }
    Ok(Entry::Range(events))
}

/// Converts one record into OSV, with the problems that did not stop it.
pub fn to_osv(v: &Value, path: Option<&str>, fallback_time: Option<Timestamp>) -> Result<(Osv, Vec<String>), Error> {
    let path = source_path(v, path);
    let cve = match v.get("cve") {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(Error::invalid(F, path, "/cve", "a CVE number (2016-1000031)", "none")),
    };
    let cve = if cve.starts_with("CVE-") { cve } else { format!("CVE-{cve}") };
    let id = format!("x_VICTIMS-{cve}");
    let Some(Value::Array(modules)) = v.get("affected") else {
        return Err(Error::invalid(F, Some(&id), "/affected", "a list of affected modules", "none"));
    };
    let mut affected = Vec::new();
    for (i, m) in modules.iter().enumerate() {
        let (eco, name) = match (str_field(m, "groupId"), str_field(m, "artifactId"), str_field(m, "name")) {
            (Some(g), Some(a), _) => (Ecosystem::Maven, format!("{}:{}", g.trim(), a.trim())),
            (_, _, Some(n)) => (Ecosystem::PyPI, n.trim().to_owned()),
            _ => {
                return Err(Error::invalid(
                    F,
                    Some(&id),
                    format!("/affected/{i}"),
                    "groupId and artifactId, or name",
                    "neither",
                ));
            }
        };
        let mut ranges = Vec::new();
        let mut versions = Vec::new();
        for (j, text) in str_list(m, "version").iter().enumerate() {
            match entry(eco, text) {
                Ok(Entry::Range(events)) => {
                    ranges.push(Range { kind: RangeType::Ecosystem, repo: None, events, database_specific: None })
                }
                Ok(Entry::Exact(v)) => versions.push(v),
                Err(reason) => {
                    return Err(Error::invalid(
                        F,
                        Some(&id),
                        format!("/affected/{i}/version/{j}"),
                        reason,
                        format!("{text:?}"),
                    ));
                }
            }
        }
        if ranges.is_empty() && versions.is_empty() {
            return Err(Error::invalid(
                F,
                Some(&id),
                format!("/affected/{i}/version"),
                "at least one version entry",
                "none",
            ));
        }
        let mut db = serde_json::Map::new();
        for key in ["version", "fixedin", "unaffected"] {
            if let Some(x) = m.get(key).filter(|x| !x.is_null()) {
                db.insert(key.into(), x.clone());
            }
        }
        affected.push(Affected {
            package: Some(Package { ecosystem: eco.name().to_owned(), name, purl: None }),
            severity: None,
            ranges: Some(ranges).filter(|r| !r.is_empty()),
            versions: Some(versions).filter(|v| !v.is_empty()),
            ecosystem_specific: None,
            database_specific: Some(db),
        });
    }
    let modified = need_time(F, &id, fallback_time)?;
    let mut scores = Vec::new();
    for (key, v2) in [("cvss_v2", true), ("cvss_v3", false)] {
        if let Some(score) = v.get(key).and_then(Value::as_f64) {
            let band = if v2 { ch_cvss::Severity::from_v2_score(score) } else { ch_cvss::Severity::from_score(score) };
            scores.push(ScoreSource {
                origin: format!("victims {key} {score}"),
                kind: ScoreKind::Text,
                score: band.as_str().to_owned(),
            });
        }
    }
    let mut warnings = Vec::new();
    let mut refs: Vec<(String, ReferenceType)> = Vec::new();
    if let Some(p) = path {
        refs.push((format!("https://github.com/victims/victims-cve-db/blob/master/{p}"), ReferenceType::Advisory));
    }
    refs.extend(str_list(v, "references").into_iter().map(|u| (u, ReferenceType::Web)));
    let mut db = serde_json::Map::new();
    if let Some(p) = path {
        db.insert("file".into(), json!(p));
    }
    let mut osv = Osv {
        schema_version: None,
        id,
        modified: osv_timestamp(modified),
        published: None,
        withdrawn: None,
        aliases: Some(vec![cve]),
        related: None,
        upstream: None,
        summary: str_field(v, "title").map(|t| t.trim().to_owned()),
        details: str_field(v, "description").map(|d| d.trim().to_owned()),
        severity: None,
        affected: Some(affected),
        references: Some(references(refs, &mut warnings)).filter(|r| !r.is_empty()),
        credits: None,
        database_specific: Some(db),
    };
    crate::model::Extension { scores, ..Default::default() }.attach(&mut osv);
    Ok((osv, warnings))
}

/// Converts one record into an [`Advisory`].
pub fn parse(v: &Value, path: Option<&str>, fallback_time: Option<Timestamp>) -> Result<Advisory, Error> {
    let (osv, warnings) = to_osv(v, path, fallback_time)?;
    let mut a = Advisory::from_osv(osv, F)?;
    a.warnings.extend(warnings);
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(eco: Ecosystem, text: &str) -> String {
        match entry(eco, text) {
            Ok(Entry::Exact(v)) => format!("={v}"),
            Ok(Entry::Range(events)) => events
                .iter()
                .map(|e| match e {
                    Event::Introduced(v) => format!(">={v}"),
                    Event::Fixed(v) => format!("<{v}"),
                    Event::LastAffected(v) => format!("<={v}"),
                    Event::Limit(v) => format!("limit {v}"),
                    _ => String::new(),
                })
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn entries_table() {
        let m = Ecosystem::Maven;
        let cases = [
            ("<=2.0.11.2,2.0", ">=2.0-alpha <=2.0.11.2"),
            ("<=2.1.2,2.1", ">=2.1-alpha <=2.1.2"),
            (">=0.5,0", ">=0.5 limit 1-alpha"),
            (">=2.8.11,2.8", ">=2.8.11 limit 2.9-alpha"),
            ("<=3.2.1", ">=0 <=3.2.1"),
            ("<3.2.2,3", ">=3-alpha <3.2.2"),
            ("<=3.0.0.M2,3.0", ">=3.0-alpha <=3.0.0.M2"),
            ("==4.1.0.GA_CP07", "=4.1.0.GA_CP07"),
            (">=1.0", ">=1.0"),
            ("<=5.0.0.RELEASE,5", ">=5-alpha <=5.0.0.RELEASE"),
            (">2.0", "error: an inclusive start (OSV 'introduced' cannot say '>V')"),
            ("<=2.0.11-jbossas-1,2.0.11-jbossas-", "error: a series of dotted numbers, found \"2.0.11-jbossas-\""),
            ("<=1.2,2.0", "error: an end at or above the series start \"2.0-alpha\""),
            ("2.0", "error: an operator (<=, <, >=, >, ==) first"),
        ];
        for (text, want) in cases {
            assert_eq!(show(m, text), want, "{text}");
        }
        assert_eq!(show(Ecosystem::PyPI, "<=2.6.1,2.6"), ">=2.6.dev0 <=2.6.1");
        assert_eq!(show(Ecosystem::PyPI, "<=1.7b1,1.7"), ">=1.7.dev0 <=1.7b1");
    }

    #[test]
    fn series_bounds_hold_under_each_order() {
        // The least version of a series sorts below its pre-releases and releases, and
        // the next series' least version above all of them.
        let cases: &[(Ecosystem, &str, &[&str], &[&str])] = &[
            (
                Ecosystem::Maven,
                "3.0",
                &["3.0-alpha-1", "3.0.0.M2", "3.0-beta", "3.0-rc1", "3.0", "3.0.9.RELEASE", "3.0-SNAPSHOT"],
                &["3.1-alpha-1", "3.1.0.M1", "3.1"],
            ),
            (
                Ecosystem::PyPI,
                "1.7",
                &["1.7a1", "1.7b1", "1.7rc1", "1.7", "1.7.post1", "1.7.9"],
                &["1.8a1", "1.8.dev1", "1.8"],
            ),
        ];
        for (eco, s, inside, outside) in cases {
            let (lo, hi) = series_bounds(*eco, s).unwrap();
            let (lo, hi) = (eco.parse_version(&lo).unwrap(), eco.parse_version(&hi).unwrap());
            for v in *inside {
                let v = eco.parse_version(v).unwrap();
                assert!(lo <= v && v < hi, "{eco} {s}: {v}");
            }
            for v in *outside {
                assert!(eco.parse_version(v).unwrap() >= hi, "{eco} {s}: {v}");
            }
        }
    }
}
