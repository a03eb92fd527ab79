//! CRAN versions: R's `package_version` (`base::numeric_version`), a sequence of
//! non-negative integers separated by `.` or `-`. Comparison pads the shorter with zeros;
//! if equal, the one with more components is greater (`0.1.0` < `0.1.0.0`), as R's
//! `compareVersion` does.

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::Num;

const NAME: &str = "CRAN";

/// A parsed CRAN version.
#[derive(Clone, Debug)]
pub(crate) struct Cran {
    parts: Vec<Num>,
}

impl Ord for Cran {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        for i in 0..n {
            let a = self.parts.get(i).unwrap_or(&Num::ZERO);
            let b = other.parts.get(i).unwrap_or(&Num::ZERO);
            match a.cmp(b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        self.parts.len().cmp(&other.parts.len())
    }
}

impl Cran {
    pub(crate) fn parse(s: &str) -> Result<Cran, Error> {
        let mut parts = Vec::new();
        let mut offset = 0;
        for part in s.split(['.', '-']) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                let bad = part.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(0);
                return Err(invalid(NAME, s, offset + bad, "a number"));
            }
            parts.push(Num::from_digits(part));
            offset += part.len() + 1;
        }
        Ok(Cran { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("0.1-0", "0.01.0", Ordering::Equal),
            ("0.1.0", "0.1.0.0", Ordering::Less),
            ("1.0-1", "1.0-0", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(Cran::parse(a).unwrap().cmp(&Cran::parse(b).unwrap()), want, "{a} {b}");
        }
        for bad in ["", "1.a", "1..2", "1.0-"] {
            assert!(Cran::parse(bad).is_err(), "{bad}");
        }
    }
}
