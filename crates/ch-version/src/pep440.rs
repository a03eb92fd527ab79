//! PyPI versions: PEP 440, with the pre-PEP 440 "legacy" fallback.
//!
//! Modern versions follow PEP 440's canonical grammar (Appendix B regex, case-insensitive,
//! `alpha`/`beta`/`c`/`pre`/`preview`/`rev`/`r` spellings, implicit post releases `1.0-1`,
//! separators `-_.`) and the sort key of `packaging.version._cmpkey`: release with trailing
//! zeros dropped; a dev release without pre/post sorts before all pre releases; no pre
//! sorts after pre releases; no post sorts first; no dev sorts last; local segments
//! compare numerically where numeric, numbers after strings, longer wins.
//!
//! Strings PEP 440 rejects fall back to setuptools' `LegacyVersion` key (packaging < 22:
//! `_legacy_cmpkey`, components zero-padded to 8, `pre`/`preview`/`rc` -> `c`, `dev` ->
//! `@`, `-` -> `final-`), and every legacy version sorts before every PEP 440 version,
//! as pip did. Empty strings and strings with whitespace inside are rejected.

use crate::Error;
use crate::error::invalid;
use crate::num::{Num, trim_zeros};

const NAME: &str = "PyPI";

/// Pre-release phase; derive order is `a < b < rc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Phase {
    A,
    B,
    Rc,
}

/// Pre-release key: variant order gives packaging's -inf / value / +inf.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum PreKey {
    /// Dev release without pre or post: before every pre-release.
    DevOnly,
    Pre(Phase, Num),
    /// No pre-release.
    None,
}

/// Dev key: a dev number, or none (sorts last).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum DevKey {
    Dev(Num),
    None,
}

/// Local segment: strings before numbers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Local {
    Str(Box<str>),
    Num(Num),
}

/// A PEP 440 version as its sort key (field order is comparison order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Modern {
    epoch: Num,
    release: Vec<Num>,
    pre: PreKey,
    post: Option<Num>,
    dev: DevKey,
    local: Option<Vec<Local>>,
}

/// A PyPI version: legacy versions sort before modern ones (variant order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Pep440 {
    Legacy(Vec<Box<str>>),
    Modern(Modern),
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn digits(&mut self) -> Option<Num> {
        let begin = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        let run = self.s.get(begin..self.i)?;
        if run.is_empty() {
            return None;
        }
        Some(Num::from_digits(std::str::from_utf8(run).ok()?))
    }
    fn sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'-' | b'_' | b'.')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Consumes the first of `words` found here, returning its index.
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        let rest = self.s.get(self.i..)?;
        for (n, w) in words.iter().enumerate() {
            if rest.starts_with(w.as_bytes()) {
                self.i += w.len();
                return Some(n);
            }
        }
        None
    }
}

fn modern(lower: &str) -> Option<Modern> {
    let mut c = Cursor { s: lower.as_bytes(), i: 0 };
    if c.peek() == Some(b'v') {
        c.i += 1;
    }
    let first = c.digits()?;
    // Four components hold nearly every release without growing.
    let mut release = Vec::with_capacity(4);
    let epoch = if c.peek() == Some(b'!') {
        c.i += 1;
        release.push(c.digits()?);
        first
    } else {
        release.push(first);
        Num::ZERO
    };
    loop {
        let save = c.i;
        if c.peek() == Some(b'.') {
            c.i += 1;
            if let Some(n) = c.digits() {
                release.push(n);
                continue;
            }
        }
        c.i = save;
        break;
    }
    // pre: [-_.]? (alpha|a|beta|b|preview|pre|c|rc) [-_.]? N?
    let mut pre = None;
    let save = c.i;
    c.sep();
    const PRE: [&str; 8] = ["alpha", "a", "beta", "b", "preview", "pre", "rc", "c"];
    if let Some(w) = c.word(&PRE) {
        let phase = match w {
            0 | 1 => Phase::A,
            2 | 3 => Phase::B,
            _ => Phase::Rc,
        };
        let save_n = c.i;
        c.sep();
        let n = c.digits().unwrap_or_else(|| {
            c.i = save_n;
            Num::ZERO
        });
        pre = Some((phase, n));
    } else {
        c.i = save;
    }
    // post: -N | [-_.]? (post|rev|r) [-_.]? N?
    let mut post = None;
    let save = c.i;
    if c.peek() == Some(b'-') {
        c.i += 1;
        if let Some(n) = c.digits() {
            post = Some(n);
        } else {
            c.i = save;
        }
    }
    if post.is_none() {
        c.sep();
        if c.word(&["post", "rev", "r"]).is_some() {
            let save_n = c.i;
            c.sep();
            post = Some(c.digits().unwrap_or_else(|| {
                c.i = save_n;
                Num::ZERO
            }));
        } else {
            c.i = save;
        }
    }
    // dev: [-_.]? dev [-_.]? N?
    let mut dev = None;
    let save = c.i;
    c.sep();
    if c.word(&["dev"]).is_some() {
        let save_n = c.i;
        c.sep();
        dev = Some(c.digits().unwrap_or_else(|| {
            c.i = save_n;
            Num::ZERO
        }));
    } else {
        c.i = save;
    }
    // local: + [a-z0-9]+ ([-_.][a-z0-9]+)*
    let mut local = None;
    if c.peek() == Some(b'+') {
        c.i += 1;
        let rest = std::str::from_utf8(c.s.get(c.i..)?).ok()?;
        let mut segs = Vec::new();
        for seg in rest.split(['-', '_', '.']) {
            if seg.is_empty() || !seg.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            segs.push(if seg.bytes().all(|b| b.is_ascii_digit()) {
                Local::Num(Num::from_digits(seg))
            } else {
                Local::Str(seg.into())
            });
        }
        c.i = c.s.len();
        local = Some(segs);
    }
    if c.i != c.s.len() {
        return None;
    }
    let pre_key = match (&pre, &post, &dev) {
        (None, None, Some(_)) => PreKey::DevOnly,
        (None, _, _) => PreKey::None,
        (Some((p, n)), _, _) => PreKey::Pre(*p, n.clone()),
    };
    Some(Modern {
        epoch,
        release: trim_zeros(release),
        pre: pre_key,
        post,
        dev: dev.map_or(DevKey::None, DevKey::Dev),
        local,
    })
}

/// `packaging`'s `_legacy_cmpkey` (setuptools `parse_version` before PEP 440).
fn legacy(lower: &str) -> Vec<Box<str>> {
    let mut raw: Vec<String> = Vec::new();
    let bytes = lower.as_bytes();
    let mut i = 0;
    let mut other = String::new();
    while let Some(&b) = bytes.get(i) {
        let begin = i;
        if b.is_ascii_digit() {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        } else if b.is_ascii_lowercase() {
            while bytes.get(i).is_some_and(u8::is_ascii_lowercase) {
                i += 1;
            }
        } else if b == b'.' || b == b'-' {
            i += 1;
        } else {
            // re.split keeps the text between matches as its own piece.
            let ch = lower.get(i..).and_then(|r| r.chars().next()).unwrap_or('?');
            other.push(ch);
            i += ch.len_utf8();
            continue;
        }
        if !other.is_empty() {
            raw.push(std::mem::take(&mut other));
        }
        raw.push(lower.get(begin..i).unwrap_or_default().to_owned());
    }
    if !other.is_empty() {
        raw.push(other);
    }
    let mut parts: Vec<Box<str>> = Vec::new();
    let pieces = raw
        .into_iter()
        .filter(|p| p != ".")
        .map(|p| match p.as_str() {
            "pre" | "preview" | "rc" => "*c".to_owned(),
            "-" => "*final-".to_owned(),
            "dev" => "*@".to_owned(),
            _ if p.as_bytes().first().is_some_and(u8::is_ascii_digit) => format!("{p:0>8}"),
            _ => format!("*{p}"),
        })
        .chain(std::iter::once("*final".to_owned()));
    for part in pieces {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| &**p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| &**p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part.into());
    }
    parts
}

impl Pep440 {
    pub(crate) fn parse(s: &str) -> Result<Pep440, Error> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(invalid(NAME, s, 0, "a PEP 440 version"));
        }
        // Most versions are lower case already: copy only when one is not.
        let lower: std::borrow::Cow<'_, str> = if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
            trimmed.to_ascii_lowercase().into()
        } else {
            trimmed.into()
        };
        if let Some(m) = modern(&lower) {
            return Ok(Pep440::Modern(m));
        }
        if let Some(pos) = trimmed.find(|c: char| c.is_whitespace() || c.is_control()) {
            let lead = s.len() - s.trim_start().len();
            return Err(invalid(NAME, s, lead + pos, "a PEP 440 or legacy version without spaces"));
        }
        Ok(Pep440::Legacy(legacy(&lower)))
    }

    /// Whether this is a PEP 440 version (not a legacy fallback).
    #[cfg(test)]
    pub(crate) fn is_modern(&self) -> bool {
        matches!(self, Pep440::Modern(_))
    }

    /// Whether this is a pre-release or dev release (for PEP 440 specifiers).
    pub(crate) fn is_prerelease(&self) -> bool {
        match self {
            Pep440::Modern(m) => !matches!(m.pre, PreKey::None) || matches!(m.dev, DevKey::Dev(_)),
            Pep440::Legacy(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn order_table() {
        let cases = [
            ("1.0", "1.0.0", Ordering::Equal),
            ("1.0.dev0", "1.0a0", Ordering::Less),
            ("1.0a1", "1.0alpha1", Ordering::Equal),
            ("1.0-1", "1.0.post1", Ordering::Equal),
            ("1.0c1", "1.0rc1", Ordering::Equal),
            ("3.8-rc", "3.8rc0", Ordering::Equal),
            ("1.0.post1.dev1", "1.0.post1", Ordering::Less),
            ("1.0+abc", "1.0+1", Ordering::Less),
            ("2019-09-12", "0", Ordering::Less),
            ("0.2.0-n653", "0.2.0", Ordering::Less),
            ("1!0.1", "2.0", Ordering::Greater),
            ("V1.0", "1.0", Ordering::Equal),
        ];
        for (a, b, want) in cases {
            let (x, y) = (Pep440::parse(a).unwrap(), Pep440::parse(b).unwrap());
            assert_eq!(x.cmp(&y), want, "{a} vs {b}");
        }
    }

    #[test]
    fn legacy_and_errors() {
        assert!(!Pep440::parse("2019-09-12").unwrap().is_modern());
        assert!(Pep440::parse("1.0.post0").unwrap().is_modern());
        assert!(Pep440::parse("").is_err());
        assert!(Pep440::parse("1.0 beta").is_err());
    }
}
