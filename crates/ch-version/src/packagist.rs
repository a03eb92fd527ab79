//! Packagist (Composer) versions.
//!
//! Composer's `VersionParser::normalize` strips one leading `v`/`V`; ordering then follows
//! PHP's `version_compare` (`ext/standard/versioning.c`): `-`, `_` and `+` become `.`, a
//! `.` is inserted at every digit/non-digit transition, parts compare numerically when
//! both are numbers, special forms rank `dev < alpha = a < beta = b < RC = rc < # < pl =
//! p` (prefix match; other words rank below `dev`), a number ranks as `#`, and when one
//! side runs out, a following number wins and anything else is compared against `#`.
//! Unlike PHP (which saturates at `LONG_MAX`), numbers compare exactly at any size.

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::Num;

const NAME: &str = "Packagist";

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Part {
    Num(Num),
    Word(Box<str>),
}

/// A parsed Packagist version (its canonical parts).
#[derive(Clone, Debug)]
pub(crate) struct Packagist {
    parts: Vec<Part>,
}

/// PHP's `compare_special_version_forms` rank, by prefix.
fn special_rank(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS.iter().find(|(f, _)| word.starts_with(f)).map_or(-1, |(_, r)| *r)
}

const HASH: i8 = 4;

fn rank(p: &Part) -> i8 {
    match p {
        Part::Num(_) => HASH,
        Part::Word(w) => special_rank(w),
    }
}

fn cmp_parts(a: &[Part], b: &[Part]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let ord = match (x, y) {
            (Part::Num(m), Part::Num(n)) => m.cmp(n),
            _ => rank(x).cmp(&rank(y)),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => rest_vs_hash(a.get(b.len()..).unwrap_or_default()),
        Ordering::Less => rest_vs_hash(b.get(a.len()..).unwrap_or_default()).reverse(),
    }
}

/// `version_compare(rest, "#N#")` after the other side ran out.
fn rest_vs_hash(rest: &[Part]) -> Ordering {
    match rest.first() {
        None => Ordering::Equal,
        Some(Part::Num(_)) => Ordering::Greater,
        Some(first) => match rank(first).cmp(&HASH) {
            Ordering::Equal => rest_vs_hash(rest.get(1..).unwrap_or_default()),
            other => other,
        },
    }
}

impl Ord for Packagist {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
    }
}

impl Packagist {
    pub(crate) fn parse(s: &str) -> Result<Packagist, Error> {
        if s.is_empty() {
            return Err(invalid(NAME, s, 0, "a version"));
        }
        if let Some(pos) = s.find(|c: char| !c.is_ascii_graphic()) {
            return Err(invalid(NAME, s, pos, "a printable ASCII character"));
        }
        let body = s.strip_prefix(['v', 'V']).unwrap_or(s);
        // Canonicalise as php_canonicalize_version does.
        let mut canon = String::with_capacity(body.len() + 4);
        let mut prev: Option<char> = None;
        for c in body.chars() {
            let c = if matches!(c, '-' | '_' | '+') { '.' } else { c };
            if let Some(p) = prev {
                let transition = (p != '.' && c != '.') && (p.is_ascii_digit() != c.is_ascii_digit());
                if transition {
                    canon.push('.');
                }
            }
            canon.push(c);
            prev = Some(c);
        }
        let parts = canon
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    Part::Num(Num::from_digits(p))
                } else {
                    Part::Word(p.into())
                }
            })
            .collect::<Vec<_>>();
        if parts.is_empty() {
            return Err(invalid(NAME, s, 0, "a digit or word"));
        }
        Ok(Packagist { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("1.0.0", "1.0", Ordering::Greater),
            ("1.0-dev", "1.0alpha", Ordering::Less),
            ("1.0.0-RC1", "1.0.0rc1", Ordering::Equal),
            ("1.0-p1", "1.0", Ordering::Greater),
            ("v2.0", "2.0", Ordering::Equal),
        ];
        for (a, b, want) in cases {
            assert_eq!(Packagist::parse(a).unwrap().cmp(&Packagist::parse(b).unwrap()), want, "{a} {b}");
        }
        for bad in ["", "1 0", "..."] {
            assert!(Packagist::parse(bad).is_err(), "{bad}");
        }
    }
}
