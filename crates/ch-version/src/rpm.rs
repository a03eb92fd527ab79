//! RPM versions (Red Hat, Rocky Linux, AlmaLinux, openSUSE, SUSE): `[epoch:]version[-release]`
//! parsed as rpm's `parseEVR` (`lib/rpmvercmp.c`, rpm >= 4.15): the epoch is the all-digit
//! prefix before `:` (otherwise there is no epoch and the `:` belongs to the version),
//! the release follows the last `-`. Epochs compare numerically (missing = 0); version
//! and release compare with `rpmvercmp`, including `~` (sorts before anything, even the
//! end) and `^` (sorts after the end but before anything else). A missing release sorts
//! before any release, the empty one included (`1` < `1-`), as `rpmverCmp`'s
//! `compareValues` does. Only ASCII letters and digits form segments; every other byte
//! (UTF-8 included) separates.

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::Num;

const NAME: &str = "RPM";

/// A parsed RPM EVR.
#[derive(Clone, Debug)]
pub(crate) struct Rpm {
    epoch: Num,
    version: Box<str>,
    release: Option<Box<str>>,
}

/// rpm's `rpmvercmp`.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let sep = |c: Option<&u8>| c.is_some_and(|c| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^');
    while i < a.len() || j < b.len() {
        while sep(a.get(i)) {
            i += 1;
        }
        while sep(b.get(j)) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(first), Some(_)) = (ca, cb) else { break };
        let numeric = first.is_ascii_digit();
        let class = |c: &u8| if numeric { c.is_ascii_digit() } else { c.is_ascii_alphabetic() };
        let (si, sj) = (i, j);
        while a.get(i).is_some_and(class) {
            i += 1;
        }
        while b.get(j).is_some_and(class) {
            j += 1;
        }
        let (mut x, mut y) = (a.get(si..i).unwrap_or_default(), b.get(sj..j).unwrap_or_default());
        if y.is_empty() {
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        if numeric {
            while x.first() == Some(&b'0') {
                x = x.get(1..).unwrap_or_default();
            }
            while y.first() == Some(&b'0') {
                y = y.get(1..).unwrap_or_default();
            }
            match x.len().cmp(&y.len()) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        match x.cmp(y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl Ord for Rpm {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch.cmp(&other.epoch).then_with(|| rpmvercmp(&self.version, &other.version)).then_with(|| {
            match (&self.release, &other.release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => rpmvercmp(a, b),
            }
        })
    }
}

impl Rpm {
    pub(crate) fn parse(s: &str) -> Result<Rpm, Error> {
        if s.is_empty() {
            return Err(invalid(NAME, s, 0, "a version"));
        }
        if let Some(pos) = s.find(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(invalid(NAME, s, pos, "a character other than whitespace"));
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match s.as_bytes().get(digits) {
            Some(b':') => {
                (Num::from_digits(s.get(..digits).unwrap_or_default()), s.get(digits + 1..).unwrap_or_default())
            }
            _ => (Num::ZERO, s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r)),
            None => (rest, None),
        };
        Ok(Rpm { epoch, version: version.into(), release: release.map(Into::into) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0^git1", "1.0", Ordering::Greater),
            ("1.0^git1", "1.0.1", Ordering::Less),
            ("1", "1-", Ordering::Less),
            ("0:3.10.0-229.el7", "3.10.0-229.el7", Ordering::Equal),
            ("a:1", "b:1", Ordering::Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(Rpm::parse(a).unwrap().cmp(&Rpm::parse(b).unwrap()), want, "{a} {b}");
        }
        assert!(Rpm::parse("").is_err());
        assert!(Rpm::parse("1 2").is_err());
    }
}
