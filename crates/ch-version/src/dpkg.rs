//! Debian and Ubuntu versions: dpkg's `[epoch:]upstream[-revision]` compared as
//! `dpkg_version_compare` does (`lib/dpkg/version.c`): epochs numerically, then
//! `verrevcmp` on upstream and revision. In `verrevcmp`, non-digit runs compare
//! character by character with `~` before everything (even the end), letters before
//! non-letters; digit runs compare numerically. A missing revision equals `""` (so
//! `1.0` = `1.0-0`). Validation follows `parseversion`: a numeric epoch, a non-empty
//! upstream starting with a digit... relaxed to any alphanumeric start as OSV data has,
//! and only `[A-Za-z0-9.+~-]` (plus `:` after an epoch) in upstream and `[A-Za-z0-9.+~]`
//! in the revision.

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::Num;

const NAME: &str = "Debian";

/// A parsed dpkg version.
#[derive(Clone, Debug)]
pub(crate) struct Dpkg {
    epoch: Num,
    upstream: Box<str>,
    revision: Box<str>,
}

/// `order()` of dpkg's `verrevcmp`.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for Dpkg {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl Dpkg {
    pub(crate) fn parse(s: &str) -> Result<Dpkg, Error> {
        let t = s.trim();
        let lead = s.len() - s.trim_start().len();
        if t.is_empty() {
            return Err(invalid(NAME, s, 0, "a version"));
        }
        let (epoch, rest, rest_at) = match t.split_once(':') {
            Some((e, r)) => {
                if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                    let bad = e.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(0);
                    return Err(invalid(NAME, s, lead + bad, "a numeric epoch before ':'"));
                }
                (Num::from_digits(e), r, lead + e.len() + 1)
            }
            None => (Num::ZERO, t, lead),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        if !upstream.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(NAME, s, rest_at, "an upstream version starting with a digit"));
        }
        let has_epoch = rest_at != lead;
        if let Some(pos) = upstream
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b"+.~-".contains(&b) || (has_epoch && b == b':')))
        {
            return Err(invalid(NAME, s, rest_at + pos, "[A-Za-z0-9.+~-] in the upstream version"));
        }
        if rest.contains('-') && revision.is_empty() {
            return Err(invalid(NAME, s, rest_at + rest.len(), "a revision after '-'"));
        }
        if let Some(pos) = revision.bytes().position(|b| !(b.is_ascii_alphanumeric() || b"+.~".contains(&b))) {
            return Err(invalid(NAME, s, rest_at + upstream.len() + 1 + pos, "[A-Za-z0-9.+~] in the revision"));
        }
        Ok(Dpkg { epoch, upstream: upstream.into(), revision: revision.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0", "1.0-0", Ordering::Equal),
            ("1:0.1", "2.0", Ordering::Greater),
            ("1.0+b1", "1.0", Ordering::Greater),
            ("1.0a", "1.0+", Ordering::Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(Dpkg::parse(a).unwrap().cmp(&Dpkg::parse(b).unwrap()), want, "{a} {b}");
        }
        for bad in ["", "a:1", ":1", "1.0-", "1.0 1", "-1"] {
            assert!(Dpkg::parse(bad).is_err(), "{bad}");
        }
    }
}
