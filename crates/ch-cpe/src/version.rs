//! Vendor version strings as NVD bounds compare them.
//!
//! NVD gives no grammar; this order is the one its data needs. A version splits into
//! runs of digits and runs of letters; every other character (`.`, `-`, `_`, `(`, `)`,
//! `+`, ...) only separates. Digit runs compare numerically (leading zeros ignored:
//! `15.02.1118.020` = `15.2.1118.20`), letter runs case-insensitively, a digit run sorts
//! above a letter run. When one version runs out, missing runs count as `0`
//! (`7.2` = `7.2.0`) against digits; against letters, the other side's pre-release words
//! (`alpha`, `beta`, `pre`, `preview`, `rc`, `dev`, `snapshot`, `ea`) sort
//! below the end (`7.2.0-rc1` < `7.2.0`), any other word above it (`5.5p1` > `5.5`,
//! `2019 cu1` > `2019`).

use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Debug)]
enum Run {
    Num(String),
    Word(String),
}

/// A vendor version, ordered for NVD `versionStart*` / `versionEnd*` bounds.
#[derive(Clone, Debug)]
pub struct VendorVersion {
    original: String,
    runs: Vec<Run>,
}

const PRE: [&str; 8] = ["alpha", "beta", "pre", "preview", "rc", "dev", "snapshot", "ea"];

impl VendorVersion {
    /// Splits `s` into runs; every string is a version (an empty one sorts first).
    pub fn new(s: &str) -> VendorVersion {
        let mut runs = Vec::new();
        let mut cur = String::new();
        let mut digits = false;
        for c in s.chars() {
            let class = if c.is_ascii_digit() {
                Some(true)
            } else if c.is_alphabetic() {
                Some(false)
            } else {
                None
            };
            match class {
                Some(d) if !cur.is_empty() && d == digits => cur.push(c),
                Some(d) => {
                    flush(&mut cur, digits, &mut runs);
                    digits = d;
                    cur.push(c);
                }
                None => flush(&mut cur, digits, &mut runs),
            }
        }
        flush(&mut cur, digits, &mut runs);
        VendorVersion { original: s.to_owned(), runs }
    }

    /// The string this was made from.
    pub fn as_str(&self) -> &str {
        &self.original
    }
}

fn flush(cur: &mut String, digits: bool, runs: &mut Vec<Run>) {
    if cur.is_empty() {
        return;
    }
    let s = std::mem::take(cur);
    runs.push(if digits {
        let t = s.trim_start_matches('0');
        Run::Num(if t.is_empty() { "0".to_owned() } else { t.to_owned() })
    } else {
        Run::Word(s.to_lowercase())
    });
}

fn cmp_run(a: &Run, b: &Run) -> Ordering {
    match (a, b) {
        (Run::Num(x), Run::Num(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Run::Word(x), Run::Word(y)) => x.cmp(y),
        (Run::Num(_), Run::Word(_)) => Ordering::Greater,
        (Run::Word(_), Run::Num(_)) => Ordering::Less,
    }
}

/// A run against the end of the other version.
fn cmp_with_end(a: &Run) -> Ordering {
    match a {
        Run::Num(x) if x == "0" => Ordering::Equal,
        Run::Num(_) => Ordering::Greater,
        Run::Word(w) if PRE.contains(&w.as_str()) => Ordering::Less,
        Run::Word(_) => Ordering::Greater,
    }
}

impl Ord for VendorVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.runs.len().max(other.runs.len());
        for i in 0..n {
            let o = match (self.runs.get(i), other.runs.get(i)) {
                (Some(a), Some(b)) => cmp_run(a, b),
                (Some(a), None) => cmp_with_end(a),
                (None, Some(b)) => cmp_with_end(b).reverse(),
                (None, None) => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for VendorVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for VendorVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for VendorVersion {}

impl fmt::Display for VendorVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_table() {
        let cases = [
            ("13.1-49.15", "13.1-49.14", Ordering::Greater),
            ("13.1-49.15", "13.1-51.15", Ordering::Less),
            ("7.2.4", "7.2.10", Ordering::Less),
            ("2023.0.1", "2023.0.0.12", Ordering::Greater),
            ("15.02.1118.020", "15.2.1118.20", Ordering::Equal),
            ("15.02.1118.020", "15.02.1258.012", Ordering::Less),
            ("7.2", "7.2.0", Ordering::Equal),
            ("7.2.0-rc1", "7.2.0", Ordering::Less),
            ("5.5p1", "5.5", Ordering::Greater),
            ("002.009(001.000)", "002.009(000.002)", Ordering::Greater),
            ("1.0.0.40_1.0.32", "1.0.0.40", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(VendorVersion::new(a).cmp(&VendorVersion::new(b)), want, "{a} vs {b}");
        }
    }
}
