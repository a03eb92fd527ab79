//! RubyGems versions (`Gem::Version#<=>` and `#canonical_segments`).
//!
//! Segments are the runs `[0-9]+|[a-zA-Z]+` (dots only separate, `-` means `.pre.`);
//! canonical segments drop trailing zeros from the numeric head and from the string
//! tail; comparison pads with `0`, a string segment sorts below a number, strings
//! compare bytewise. `Gem::Version` would reject `1beta`; OSV data has such versions,
//! so letters may follow digits directly (they split into their own segment anyway).

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::Num;

const NAME: &str = "RubyGems";

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Seg {
    Num(Num),
    Str(Box<str>),
}

/// A parsed RubyGems version.
#[derive(Clone, Debug)]
pub(crate) struct RubyGems {
    segments: Vec<Seg>,
}

fn cmp_seg(a: &Seg, b: &Seg) -> Ordering {
    match (a, b) {
        (Seg::Num(x), Seg::Num(y)) => x.cmp(y),
        (Seg::Str(x), Seg::Str(y)) => x.cmp(y),
        (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
        (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
    }
}

impl Ord for RubyGems {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num(Num::ZERO);
        let n = self.segments.len().max(other.segments.len());
        for i in 0..n {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let ord = cmp_seg(a, b);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

fn drop_zeros(v: &mut Vec<Seg>) {
    while matches!(v.last(), Some(Seg::Num(n)) if n.is_zero()) {
        v.pop();
    }
}

impl RubyGems {
    pub(crate) fn parse(s: &str) -> Result<RubyGems, Error> {
        let t = s.trim();
        let lead = s.len() - s.trim_start().len();
        let bytes = t.as_bytes();
        if !bytes.first().is_some_and(u8::is_ascii_digit) {
            return Err(invalid(NAME, s, lead, "a digit"));
        }
        if let Some(pos) = bytes.iter().position(|b| !(b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')) {
            return Err(invalid(NAME, s, lead + pos, "[0-9A-Za-z.-]"));
        }
        if let Some(pos) = t.find("..") {
            return Err(invalid(NAME, s, lead + pos + 1, "a segment after '.'"));
        }
        let mut segs = Vec::new();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let begin = i;
            if b.is_ascii_digit() {
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                segs.push(Seg::Num(Num::from_digits(t.get(begin..i).unwrap_or_default())));
            } else if b.is_ascii_alphabetic() {
                while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                segs.push(Seg::Str(t.get(begin..i).unwrap_or_default().into()));
            } else {
                if b == b'-' {
                    // "-" is rewritten to ".pre." before scanning.
                    segs.push(Seg::Str("pre".into()));
                }
                i += 1;
            }
        }
        let split = segs.iter().position(|s| matches!(s, Seg::Str(_))).unwrap_or(segs.len());
        let mut tail = segs.split_off(split);
        drop_zeros(&mut segs);
        drop_zeros(&mut tail);
        segs.append(&mut tail);
        Ok(RubyGems { segments: segs })
    }

    /// Whether this is a prerelease (`Gem::Version#prerelease?`: any letter).
    pub(crate) fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Seg::Str(_)))
    }

    /// `Gem::Version#bump` for `~>`: drop string segments and the last number, then add one.
    pub(crate) fn bump_key(&self) -> Vec<String> {
        let mut nums: Vec<String> = Vec::new();
        for s in &self.segments {
            match s {
                Seg::Num(n) => nums.push(n.to_string()),
                Seg::Str(_) => break,
            }
        }
        nums
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("1.0", "1", Ordering::Equal),
            ("1.0.a", "1.0", Ordering::Less),
            ("1.0.0-rc1", "1.0.0.pre.rc1", Ordering::Equal),
            ("1.10", "1.9", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(RubyGems::parse(a).unwrap().cmp(&RubyGems::parse(b).unwrap()), want, "{a} {b}");
        }
        for bad in ["", "a", "1..2", "1.0 1"] {
            assert!(RubyGems::parse(bad).is_err(), "{bad}");
        }
    }
}
