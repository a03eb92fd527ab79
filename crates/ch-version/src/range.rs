//! OSV affected ranges (`SEMVER`, `ECOSYSTEM`, `GIT`) and `versions` lists.
//!
//! Evaluation follows the OSV schema's "Evaluation" pseudo-code: events are sorted by
//! version (`introduced: "0"` first, ties keep their order), walked once; `introduced`
//! at or below the version sets affected, `fixed` at or below clears it, `last_affected`
//! strictly below clears it; when `limit` events exist the version must also be below
//! one of them. `SEMVER` ranges order by SemVer whatever the ecosystem; `ECOSYSTEM` ranges
//! by the ecosystem's scheme. `GIT` ranges hold commits and are evaluated on commits
//! only, with the caller's ancestry relation.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::{Ecosystem, Error, Scheme, Version};

/// The `type` of an OSV range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum RangeType {
    /// SemVer 2.0 ordering.
    Semver,
    /// The ecosystem's own ordering.
    Ecosystem,
    /// Git commits.
    Git,
}

/// One OSV event, in its JSON shape (`{"introduced": "1.0"}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The first affected version (`"0"`: from the beginning).
    Introduced(String),
    /// The first unaffected version after an introduction.
    Fixed(String),
    /// The last affected version.
    LastAffected(String),
    /// An upper limit on the whole range.
    Limit(String),
}

impl Event {
    /// The event's version or commit.
    pub fn value(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }
}

/// An OSV range as written (the `ranges[]` element), before its versions are parsed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvRange {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// `repo` (GIT ranges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// `events`.
    pub events: Vec<Event>,
}

/// A bound: `introduced: "0"`, a parsed version, or a commit.
#[derive(Clone, Debug)]
enum Point {
    Zero,
    Version(Version),
    Commit(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// A checked OSV range: every event parsed under the range's scheme, events sorted.
#[derive(Clone, Debug)]
pub struct AffectedRange {
    kind: RangeType,
    scheme: Scheme,
    ecosystem: Ecosystem,
    repo: Option<String>,
    events: Vec<(Kind, Point)>,
}

/// A stable insertion sort that never panics, whatever `cmp` does.
///
/// `slice::sort_by` may panic when the comparison is not a total order, and two schemes
/// are not total on every input they accept (Packagist's `#` equals every number, as
/// PHP's `version_compare` has it; apk compares two malformed versions as strings):
/// a malformed advisory must not take the process down. Event lists are short.
pub(crate) fn stable_sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 {
            let (Some(a), Some(b)) = (v.get(j - 1), v.get(j)) else { break };
            if cmp(a, b) != Ordering::Greater {
                break;
            }
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn cmp_points(a: &Point, b: &Point) -> Ordering {
    match (a, b) {
        (Point::Zero, Point::Zero) => Ordering::Equal,
        (Point::Zero, _) => Ordering::Less,
        (_, Point::Zero) => Ordering::Greater,
        (Point::Version(x), Point::Version(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

impl AffectedRange {
    /// Checks `range` for `ecosystem`: parses every event's version (SemVer for `SEMVER`
    /// ranges), requires at least one `introduced`, and a `repo` for `GIT`.
    pub fn new(range: &OsvRange, ecosystem: Ecosystem) -> Result<AffectedRange, Error> {
        let scheme = match range.kind {
            RangeType::Semver => Scheme::SemVer,
            _ => ecosystem.scheme(),
        };
        let type_name = match range.kind {
            RangeType::Semver => "SEMVER",
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Git => "GIT",
        };
        if range.kind == RangeType::Git && range.repo.as_deref().is_none_or(str::is_empty) {
            return Err(Error::InvalidRange {
                place: format!("{type_name} range"),
                expected: "a repo URL",
                found: "none".to_owned(),
            });
        }
        if !range.events.iter().any(|e| matches!(e, Event::Introduced(_))) {
            return Err(Error::InvalidRange {
                place: format!("{type_name} range"),
                expected: "at least one introduced event",
                found: format!("{} events, none introduced", range.events.len()),
            });
        }
        let mut events = Vec::with_capacity(range.events.len());
        for (i, e) in range.events.iter().enumerate() {
            let kind = match e {
                Event::Introduced(_) => Kind::Introduced,
                Event::Fixed(_) => Kind::Fixed,
                Event::LastAffected(_) => Kind::LastAffected,
                Event::Limit(_) => Kind::Limit,
            };
            let value = e.value();
            let point = if kind == Kind::Introduced && value == "0" {
                Point::Zero
            } else if range.kind == RangeType::Git {
                if value.is_empty() {
                    return Err(Error::InvalidRange {
                        place: format!("{type_name} range, events[{i}].{}", e.kind()),
                        expected: "a commit",
                        found: "an empty string".to_owned(),
                    });
                }
                Point::Commit(value.to_owned())
            } else {
                let parsed =
                    if range.kind == RangeType::Semver { scheme.parse(value) } else { ecosystem.parse_version(value) };
                match parsed {
                    Ok(v) => Point::Version(v),
                    // `limit: "*"` means no limit (OSV schema).
                    Err(_) if kind == Kind::Limit && value == "*" => continue,
                    Err(err) => {
                        return Err(Error::InvalidRange {
                            place: format!("{type_name} range, events[{i}].{}", e.kind()),
                            expected: "a version of the range's ecosystem",
                            found: err.to_string(),
                        });
                    }
                }
            };
            events.push((kind, point));
        }
        if range.kind != RangeType::Git {
            // Stable: equal versions keep their written order, as the spec's sort does.
            stable_sort_by(&mut events, |a, b| cmp_points(&a.1, &b.1));
        }
        Ok(AffectedRange { kind: range.kind, scheme, ecosystem, repo: range.repo.clone(), events })
    }

    /// The range type.
    pub fn kind(&self) -> RangeType {
        self.kind
    }

    /// The scheme versions are compared under.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether `version` (a string of the range's ecosystem) is inside the range.
    pub fn contains_str(&self, version: &str) -> Result<bool, Error> {
        if self.kind == RangeType::Git {
            return Err(self.git_error(version));
        }
        let v = if self.kind == RangeType::Semver {
            self.scheme.parse(version)?
        } else {
            self.ecosystem.parse_version(version)?
        };
        self.contains(&v)
    }

    fn git_error(&self, version: &str) -> Error {
        Error::GitRangeNeedsCommit { repo: self.repo.clone().unwrap_or_default(), version: version.to_owned() }
    }

    /// Whether `version` is inside the range; a version of another scheme is re-parsed
    /// from its string under this range's scheme.
    pub fn contains(&self, version: &Version) -> Result<bool, Error> {
        if self.kind == RangeType::Git {
            return Err(self.git_error(version.as_str()));
        }
        if version.scheme() != self.scheme {
            return self.contains_str(version.as_str());
        }
        Ok(self.contains_by(|p| version.cmp(p)))
    }

    /// The versions the events name (not `introduced: "0"`, not commits), in event order.
    pub fn versions(&self) -> impl Iterator<Item = &Version> {
        self.events.iter().filter_map(|(_, p)| match p {
            Point::Version(v) => Some(v),
            _ => None,
        })
    }

    /// Whether a version is inside the range, given only how it compares to each event
    /// version: `cmp(p)` is the version's order against `p`. [`AffectedRange::contains`]
    /// is this with the version itself; an index that knows a version's place among
    /// all event versions answers without comparing versions again. Always false for
    /// `GIT` ranges.
    pub fn contains_by(&self, mut cmp: impl FnMut(&Version) -> Ordering) -> bool {
        if self.kind == RangeType::Git {
            return false;
        }
        let mut affected = false;
        let mut limits = false;
        let mut below_limit = false;
        for (kind, point) in &self.events {
            let mut at_or_above = |strict: bool| match point {
                Point::Zero => true,
                Point::Version(p) => {
                    let o = cmp(p);
                    if strict { o == Ordering::Greater } else { o != Ordering::Less }
                }
                Point::Commit(_) => false,
            };
            match kind {
                Kind::Introduced if at_or_above(false) => affected = true,
                Kind::Fixed if at_or_above(false) => affected = false,
                Kind::LastAffected if at_or_above(true) => affected = false,
                Kind::Limit => {
                    limits = true;
                    if !at_or_above(false) {
                        below_limit = true;
                    }
                }
                _ => {}
            }
        }
        affected && (!limits || below_limit)
    }

    /// For `GIT` ranges: whether `commit` is affected, given `is_ancestor(a, b)` (a is a
    /// strict ancestor of b) from the repository's history. A commit is affected when an
    /// introducing commit is it or an ancestor of it and no fix (fixed, or a strict
    /// descendant of last_affected) between that introduction and it.
    pub fn contains_commit(&self, commit: &str, is_ancestor: &dyn Fn(&str, &str) -> bool) -> bool {
        let reaches = |a: &str, b: &str| a == b || is_ancestor(a, b);
        self.events.iter().any(|(kind, intro)| {
            if *kind != Kind::Introduced {
                return false;
            }
            let intro_reaches = match intro {
                Point::Zero => true,
                Point::Commit(i) => reaches(i, commit),
                Point::Version(_) => false,
            };
            intro_reaches
                && !self.events.iter().any(|(k, p)| {
                    let Point::Commit(c) = p else { return false };
                    let after_intro = match intro {
                        Point::Commit(i) => reaches(i, c),
                        _ => true,
                    };
                    after_intro
                        && match k {
                            Kind::Fixed => reaches(c, commit),
                            Kind::LastAffected => is_ancestor(c, commit),
                            _ => false,
                        }
                })
        })
    }
}

/// An OSV `affected[]` entry's version data: its ranges and its `versions` list.
#[derive(Clone, Debug)]
pub struct Affected {
    ecosystem: Ecosystem,
    ranges: Vec<AffectedRange>,
    versions: Vec<String>,
}

impl Affected {
    /// Checks every range of an `affected[]` entry for `ecosystem` (an OSV name such as
    /// `AlmaLinux:9`).
    pub fn new(ecosystem: &str, ranges: &[OsvRange], versions: Vec<String>) -> Result<Affected, Error> {
        let ecosystem: Ecosystem = ecosystem.parse()?;
        let ranges = ranges.iter().map(|r| AffectedRange::new(r, ecosystem)).collect::<Result<_, _>>()?;
        Ok(Affected { ecosystem, ranges, versions })
    }

    /// The ecosystem.
    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// The checked ranges.
    pub fn ranges(&self) -> &[AffectedRange] {
        &self.ranges
    }

    /// Whether `version` is affected: listed in `versions` (same string, or equal under
    /// the ecosystem's order), or inside a `SEMVER` / `ECOSYSTEM` range. `GIT` ranges do
    /// not answer version questions (OSV lists their versions in `versions`).
    pub fn is_affected(&self, version: &str) -> Result<bool, Error> {
        if self.versions.iter().any(|v| v == version) {
            return Ok(true);
        }
        let parsed = self.ecosystem.parse_version(version)?;
        let listed = self.versions.iter().any(|v| self.ecosystem.parse_version(v).is_ok_and(|l| l == parsed));
        if listed {
            return Ok(true);
        }
        for range in &self.ranges {
            if range.kind() != RangeType::Git && range.contains(&parsed)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (event kind, value) pairs.
    type Events = &'static [(&'static str, &'static str)];

    fn range(kind: RangeType, events: &[(&str, &str)]) -> OsvRange {
        OsvRange {
            kind,
            repo: (kind == RangeType::Git).then(|| "https://example.invalid/r".to_owned()),
            events: events
                .iter()
                .map(|(k, v)| match *k {
                    "introduced" => Event::Introduced((*v).into()),
                    "fixed" => Event::Fixed((*v).into()),
                    "last_affected" => Event::LastAffected((*v).into()),
                    _ => Event::Limit((*v).into()),
                })
                .collect(),
        }
    }

    #[test]
    fn evaluation_table() {
        let cases: &[(Ecosystem, RangeType, Events, &str, bool)] = &[
            (Ecosystem::PyPI, RangeType::Ecosystem, &[("introduced", "0"), ("fixed", "1.0")], "0.9", true),
            (Ecosystem::PyPI, RangeType::Ecosystem, &[("introduced", "0"), ("fixed", "1.0")], "1.0", false),
            (Ecosystem::PyPI, RangeType::Ecosystem, &[("introduced", "1.0"), ("last_affected", "1.2")], "1.2", true),
            (Ecosystem::PyPI, RangeType::Ecosystem, &[("introduced", "1.0"), ("last_affected", "1.2")], "1.2.1", false),
            (
                Ecosystem::Npm,
                RangeType::Semver,
                &[("introduced", "1.0.0"), ("fixed", "1.5.0"), ("introduced", "2.0.0"), ("fixed", "2.1.0")],
                "1.7.0",
                false,
            ),
            (
                Ecosystem::Npm,
                RangeType::Semver,
                &[("introduced", "1.0.0"), ("fixed", "1.5.0"), ("introduced", "2.0.0"), ("fixed", "2.1.0")],
                "2.0.5",
                true,
            ),
            (Ecosystem::Go, RangeType::Semver, &[("introduced", "0"), ("limit", "2.0.0")], "3.0.0", false),
            (Ecosystem::Go, RangeType::Semver, &[("introduced", "0"), ("limit", "2.0.0")], "1.0.0", true),
            (
                Ecosystem::Debian,
                RangeType::Ecosystem,
                &[("introduced", "0"), ("fixed", "1.2-1+deb12u1")],
                "1.2-1",
                true,
            ),
        ];
        for (eco, kind, events, v, want) in cases {
            let r = AffectedRange::new(&range(*kind, events), *eco).unwrap();
            assert_eq!(r.contains_str(v).unwrap(), *want, "{eco} {events:?} {v}");
        }
    }

    #[test]
    fn invalid_ranges_table() {
        let cases: &[(RangeType, Events, &str)] = &[
            (
                RangeType::Ecosystem,
                &[("fixed", "1.0")],
                "ECOSYSTEM range: expected at least one introduced event, found 1 events, none introduced",
            ),
            (
                RangeType::Semver,
                &[("introduced", "x")],
                "SEMVER range, events[0].introduced: expected a version of the range's ecosystem, found SemVer version \"x\", byte 0: expected a digit, found 'x'",
            ),
        ];
        for (kind, events, want) in cases {
            let err = AffectedRange::new(&range(*kind, events), Ecosystem::Npm).unwrap_err();
            assert_eq!(err.to_string(), *want);
        }
    }

    #[test]
    fn git_ranges() {
        let r = AffectedRange::new(&range(RangeType::Git, &[("introduced", "a"), ("fixed", "c")]), Ecosystem::PyPI)
            .unwrap();
        // history a -> b -> c -> d
        let order = ["a", "b", "c", "d"];
        let pos = |x: &str| order.iter().position(|o| *o == x);
        let anc = |x: &str, y: &str| matches!((pos(x), pos(y)), (Some(i), Some(j)) if i < j);
        let got: Vec<bool> = order.iter().map(|c| r.contains_commit(c, &anc)).collect();
        assert_eq!(got, [true, true, false, false]);
        assert!(matches!(r.contains_str("1.0"), Err(Error::GitRangeNeedsCommit { .. })));
    }

    #[test]
    fn non_total_orders_do_not_panic() {
        // Regression (fuzz): `#` equals every number in Packagist order, so 5 = # = 3 < 5.
        let r = range(
            RangeType::Ecosystem,
            &[("introduced", "1.5"), ("introduced", "1.#"), ("fixed", "1.3"), ("fixed", "1.#"), ("introduced", "1.4")],
        );
        let r = AffectedRange::new(&r, Ecosystem::Packagist).unwrap();
        let _ = r.contains_str("1.4");
    }

    #[test]
    fn serde_shape() {
        let json = r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}"#;
        let r: OsvRange = serde_json::from_str(json).unwrap();
        assert_eq!(r.events, vec![Event::Introduced("0".into()), Event::Fixed("1.0".into())]);
    }
}
