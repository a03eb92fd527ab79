//! CPE Name Matching (NISTIR 7696): attribute relations (§6.1, Table 6-2) and name
//! relations (§6.2, Table 6-4). Values compare case-insensitively (§6.1.1).
//!
//! Wildcards (in the source only; a wildcard in the target makes the relation
//! undefined): a leading or trailing `*` matches any run of characters, each leading or
//! trailing `?` exactly one.

use crate::name::{Attribute, Cpe, Value};

/// Relation of a source attribute to a target attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Relation {
    /// Source matches everything the target does and more.
    Superset,
    /// Source matches a subset of the target.
    Subset,
    /// Same.
    Equal,
    /// No overlap.
    Disjoint,
    /// Not defined (a wildcard in the target).
    Undefined,
}

/// Relation of a source name to a target name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameRelation {
    /// Every attribute equal.
    Equal,
    /// Every attribute superset or equal: the source matches the target.
    Superset,
    /// Every attribute subset or equal.
    Subset,
    /// Some attribute disjoint.
    Disjoint,
    /// None of the above.
    Undefined,
}

fn lower(chars: &[(char, bool)]) -> Vec<(char, bool)> {
    chars.iter().map(|(c, q)| (c.to_ascii_lowercase(), *q)).collect()
}

/// Whether wildcard pattern `source` matches literal `target`.
fn wildcard_match(source: &Value, target: &Value) -> bool {
    let s = lower(&source.chars());
    let t: Vec<char> = lower(&target.chars()).into_iter().map(|(c, _)| c).collect();
    let lead_star = s.first() == Some(&('*', false));
    let trail_star = s.len() > 1 && s.last() == Some(&('*', false));
    let lead_q = s.iter().take_while(|p| **p == ('?', false)).count();
    let trail_q = s.iter().rev().take_while(|p| **p == ('?', false)).count();
    let begin = if lead_star { 1 } else { lead_q };
    let end = s.len() - if trail_star { 1 } else { trail_q };
    let body: Vec<char> = s.get(begin..end).unwrap_or_default().iter().map(|(c, _)| *c).collect();
    if body.len() + lead_q + trail_q > t.len() {
        return false;
    }
    (0..=t.len() - body.len()).any(|p| {
        let head_ok = if lead_star { true } else { p == lead_q };
        let tail_left = t.len() - p - body.len();
        let tail_ok = if trail_star { true } else { tail_left == trail_q };
        head_ok && tail_ok && t.get(p..p + body.len()).is_some_and(|w| w == body.as_slice())
    })
}

/// The relation of attribute `source` to `target` (NISTIR 7696 Table 6-2).
pub(crate) fn compare_attribute(source: &Attribute, target: &Attribute) -> Relation {
    if matches!(target, Attribute::Value(t) if t.has_wildcards()) {
        return Relation::Undefined;
    }
    match (source, target) {
        (Attribute::Any, Attribute::Any) | (Attribute::Na, Attribute::Na) => Relation::Equal,
        (Attribute::Any, _) => Relation::Superset,
        (_, Attribute::Any) => Relation::Subset,
        (Attribute::Na, _) | (_, Attribute::Na) => Relation::Disjoint,
        (Attribute::Value(s), Attribute::Value(t)) => {
            if s.has_wildcards() {
                if wildcard_match(s, t) { Relation::Superset } else { Relation::Disjoint }
            } else if s.as_wfn().eq_ignore_ascii_case(t.as_wfn()) {
                Relation::Equal
            } else {
                Relation::Disjoint
            }
        }
    }
}

impl Cpe {
    /// Attribute-wise relations of `self` (source) to `target`.
    pub fn relations(&self, target: &Cpe) -> [Relation; 11] {
        let mut out = [Relation::Equal; 11];
        for (slot, (s, t)) in out.iter_mut().zip(self.attributes().iter().zip(target.attributes().iter())) {
            *slot = compare_attribute(s, t);
        }
        out
    }

    /// The name relation of `self` (source) to `target` (NISTIR 7696 §6.2).
    pub fn compare(&self, target: &Cpe) -> NameRelation {
        let r = self.relations(target);
        if r.contains(&Relation::Disjoint) {
            NameRelation::Disjoint
        } else if r.iter().all(|x| *x == Relation::Equal) {
            NameRelation::Equal
        } else if r.iter().all(|x| matches!(x, Relation::Superset | Relation::Equal)) {
            NameRelation::Superset
        } else if r.iter().all(|x| matches!(x, Relation::Subset | Relation::Equal)) {
            NameRelation::Subset
        } else {
            NameRelation::Undefined
        }
    }

    /// Whether `self`, as a pattern, matches `target` (superset or equal).
    pub fn matches(&self, target: &Cpe) -> bool {
        matches!(self.compare(target), NameRelation::Equal | NameRelation::Superset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cpe {
        s.parse().unwrap()
    }

    #[test]
    fn name_relations_table() {
        let cases = [
            (
                "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
                "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
                NameRelation::Superset,
            ),
            (
                "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
                "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
                NameRelation::Subset,
            ),
            (
                "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
                "cpe:2.3:o:Fortinet:FortiOS:7.2.4:*:*:*:*:*:*:*",
                NameRelation::Equal,
            ),
            (
                "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
                "cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*",
                NameRelation::Disjoint,
            ),
            (
                "cpe:2.3:h:fortinet:fortigate_6000:-:*:*:*:*:*:*:*",
                "cpe:2.3:h:fortinet:fortigate_6000:1.0:*:*:*:*:*:*:*",
                NameRelation::Disjoint,
            ),
            (
                "cpe:2.3:a:cisco:ios:12.2*:*:*:*:*:*:*:*",
                "cpe:2.3:a:cisco:ios:12.2\\(33\\):*:*:*:*:*:*:*",
                NameRelation::Superset,
            ),
            (
                "cpe:2.3:a:cisco:ios:?2.2:*:*:*:*:*:*:*",
                "cpe:2.3:a:cisco:ios:12.2:*:*:*:*:*:*:*",
                NameRelation::Superset,
            ),
            (
                "cpe:2.3:a:cisco:ios:??2.2:*:*:*:*:*:*:*",
                "cpe:2.3:a:cisco:ios:12.2:*:*:*:*:*:*:*",
                NameRelation::Disjoint,
            ),
            (
                "cpe:2.3:a:cisco:ios:12.2:*:*:*:*:*:*:*",
                "cpe:2.3:a:cisco:ios:12.*:*:*:*:*:*:*:*",
                NameRelation::Undefined,
            ),
            ("cpe:2.3:a:x:y:*:-:*:*:*:*:*:*", "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*", NameRelation::Undefined),
        ];
        for (s, t, want) in cases {
            assert_eq!(c(s).compare(&c(t)), want, "{s} vs {t}");
        }
    }
}
