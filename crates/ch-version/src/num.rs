//! Arbitrary-precision non-negative integers for version components.
//!
//! OSV data carries components past `u64` (`999999999999999999999999999991`), so every
//! scheme compares numbers through [`Num`]: a `u64` when it fits, else the decimal digits
//! without leading zeros. Invariant: `Big` only holds values greater than `u64::MAX`, so
//! `Small < Big` always.

use std::cmp::Ordering;

/// A non-negative integer of any size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Num {
    /// Fits in a `u64`.
    Small(u64),
    /// Decimal digits, no leading zeros, value above `u64::MAX`.
    Big(Box<str>),
}

impl Num {
    pub(crate) const ZERO: Num = Num::Small(0);

    /// Parses a run of ASCII digits (callers guarantee digits only; empty is zero).
    pub(crate) fn from_digits(digits: &str) -> Num {
        let trimmed = digits.trim_start_matches('0');
        if trimmed.len() <= 19 {
            // 19 digits always fit in u64; parse cannot fail on ASCII digits.
            let mut v: u64 = 0;
            for b in trimmed.bytes() {
                v = v * 10 + u64::from(b - b'0');
            }
            return Num::Small(v);
        }
        match trimmed.parse::<u64>() {
            Ok(v) => Num::Small(v),
            Err(_) => Num::Big(trimmed.into()),
        }
    }

    /// Whether this is zero.
    pub(crate) fn is_zero(&self) -> bool {
        matches!(self, Num::Small(0))
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Num::Small(a), Num::Small(b)) => a.cmp(b),
            (Num::Small(_), Num::Big(_)) => Ordering::Less,
            (Num::Big(_), Num::Small(_)) => Ordering::Greater,
            (Num::Big(a), Num::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::Small(v) => write!(f, "{v}"),
            Num::Big(s) => f.write_str(s),
        }
    }
}

/// Removes trailing zeros, so that lexicographic `Vec` order equals zero-padded order.
pub(crate) fn trim_zeros(mut v: Vec<Num>) -> Vec<Num> {
    while v.last().is_some_and(Num::is_zero) {
        v.pop();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_table() {
        let cases = [
            ("0", "00", Ordering::Equal),
            ("1", "2", Ordering::Less),
            ("18446744073709551615", "18446744073709551616", Ordering::Less),
            ("999999999999999999999999999991", "999999999999999999999999999999", Ordering::Less),
            ("0001000000000000000000000", "999999999999999999999999", Ordering::Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(Num::from_digits(a).cmp(&Num::from_digits(b)), want, "{a} vs {b}");
        }
    }
}
