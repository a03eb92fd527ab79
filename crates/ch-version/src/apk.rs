//! Alpine (apk) versions: `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`
//! (apk-tools `doc/apk-package.5.scd`, `src/version.c`).
//!
//! Components compare numerically, except that after the first component a leading zero
//! makes both compare as strings (apk's fractional rule); a missing letter sorts first;
//! suffixes rank `alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p`, then by
//! their number; the hash is ignored; then the `-r` build number. apk-tools accepts
//! malformed strings too (`apk version -t`); for them this follows the behaviour the
//! OSV fixtures pin down: anything left after the grammar makes a version sort before the
//! same version without leftovers, two leftovers compare equal, and two versions that
//! both fail the grammar compare as plain strings. The total-order laws hold on
//! well-formed versions only.

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::Num;

const NAME: &str = "Alpine";

#[derive(Clone, Debug)]
struct Component {
    digits: Box<str>,
    value: Num,
}

/// A parsed apk version.
#[derive(Clone, Debug)]
pub(crate) struct Apk {
    original: Box<str>,
    invalid: bool,
    components: Vec<Component>,
    letter: Option<u8>,
    /// (rank, number)
    suffixes: Vec<(u8, Num)>,
    build: Num,
    has_remainder: bool,
}

const SUFFIXES: [(&str, u8); 9] =
    [("alpha", 0), ("beta", 1), ("pre", 2), ("rc", 3), ("cvs", 5), ("svn", 6), ("git", 7), ("hg", 8), ("p", 9)];
const NO_SUFFIX: u8 = 4;

fn cmp_component(i: usize, a: &Component, b: &Component) -> Ordering {
    if i != 0 && (a.digits.starts_with('0') || b.digits.starts_with('0')) {
        return a.digits.cmp(&b.digits);
    }
    a.value.cmp(&b.value)
}

impl Ord for Apk {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.invalid && other.invalid {
            return self.original.cmp(&other.original);
        }
        let zero = Component { digits: "0".into(), value: Num::ZERO };
        let n = self.components.len().max(other.components.len());
        for i in 0..n {
            let a = self.components.get(i).unwrap_or(&zero);
            let b = other.components.get(i).unwrap_or(&zero);
            match cmp_component(i, a, b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match self.letter.cmp(&other.letter) {
            Ordering::Equal => {}
            o => return o,
        }
        let none = (NO_SUFFIX, Num::ZERO);
        let n = self.suffixes.len().max(other.suffixes.len());
        for i in 0..n {
            let a = self.suffixes.get(i).unwrap_or(&none);
            let b = other.suffixes.get(i).unwrap_or(&none);
            match a.cmp(b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match self.build.cmp(&other.build) {
            Ordering::Equal => {}
            o => return o,
        }
        match (self.has_remainder, other.has_remainder) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            _ => Ordering::Equal,
        }
    }
}

impl Apk {
    pub(crate) fn parse(s: &str) -> Result<Apk, Error> {
        if s.is_empty() {
            return Err(invalid(NAME, s, 0, "a version"));
        }
        if let Some(pos) = s.find(|c: char| !c.is_ascii_graphic()) {
            return Err(invalid(NAME, s, pos, "a printable ASCII character"));
        }
        let b = s.as_bytes();
        let mut i = 0;
        let mut components = Vec::new();
        // number{.number}
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            let begin = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let digits = s.get(begin..i).unwrap_or_default();
            components.push(Component { digits: digits.into(), value: Num::from_digits(digits) });
            if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
            } else {
                break;
            }
        }
        // {letter}
        let mut letter = None;
        if let Some(&c) = b.get(i).filter(|c| c.is_ascii_lowercase()) {
            letter = Some(c);
            i += 1;
        }
        // {_suffix{number}}...
        let mut suffixes = Vec::new();
        'suffix: while b.get(i) == Some(&b'_') {
            let rest = s.get(i + 1..).unwrap_or_default();
            for (name, rank) in SUFFIXES {
                if rest.starts_with(name) {
                    let mut k = i + 1 + name.len();
                    let begin = k;
                    while b.get(k).is_some_and(u8::is_ascii_digit) {
                        k += 1;
                    }
                    suffixes.push((rank, Num::from_digits(s.get(begin..k).unwrap_or_default())));
                    i = k;
                    continue 'suffix;
                }
            }
            break;
        }
        // {~hash}
        if b.get(i) == Some(&b'~') && b.get(i + 1).is_some_and(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
            i += 1;
            while b.get(i).is_some_and(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)) {
                i += 1;
            }
        }
        // {-r#}
        let mut build = Num::ZERO;
        let mut invalid_version = false;
        if i < b.len() {
            if b.get(i) == Some(&b'-') && b.get(i + 1) == Some(&b'r') {
                i += 2;
                let begin = i;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                build = Num::from_digits(s.get(begin..i).unwrap_or_default());
            } else {
                invalid_version = true;
            }
        }
        Ok(Apk {
            original: s.into(),
            invalid: invalid_version,
            components,
            letter,
            suffixes,
            build,
            has_remainder: i < b.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("1.2.3-r1", "1.2.3-r0", Ordering::Greater),
            ("1.2_rc1", "1.2", Ordering::Less),
            ("1.2_p1", "1.2", Ordering::Greater),
            ("1.02", "1.1", Ordering::Less),
            ("1.2a", "1.2", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(Apk::parse(a).unwrap().cmp(&Apk::parse(b).unwrap()), want, "{a} {b}");
        }
        assert!(Apk::parse("").is_err());
        assert!(Apk::parse("1 2").is_err());
    }
}
