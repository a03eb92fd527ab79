//! Maven versions, after the "Version Order Specification" of the POM reference
//! (<https://maven.apache.org/pom.html#version-order-specification>), which documents
//! `org.apache.maven.artifact.versioning.ComparableVersion`.
//!
//! Tokens are split at `.`, `-` and digit/letter transitions (a transition counts as `-`);
//! empty tokens are `0`; `a`/`b`/`m` directly followed by a digit mean `alpha`/`beta`/
//! `milestone`; `cr` = `rc`; `ga`, `final`, `release` = the empty qualifier; everything is
//! case-insensitive. Trailing null values (`0`, empty qualifier) are trimmed, again before
//! each remaining hyphen from the end. Comparison pads the shorter list with nulls of the
//! other side's separator; at equal separators numbers compare numerically, numbers sort
//! after qualifiers, qualifiers by `alpha < beta < milestone < rc < snapshot < "" < sp`
//! and unknown qualifiers after those, lexically; at different separators
//! `.qualifier < -qualifier < -number < .number`.

use std::cmp::Ordering;

use crate::Error;
use crate::error::invalid;
use crate::num::Num;

const NAME: &str = "Maven";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Sep {
    Dot,
    Dash,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Value {
    Num(Num),
    Qual(Box<str>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Token {
    sep: Sep,
    value: Value,
}

impl Token {
    fn is_null(&self) -> bool {
        match &self.value {
            Value::Num(n) => n.is_zero(),
            Value::Qual(q) => q.is_empty(),
        }
    }
}

/// Rank of a qualifier; unknown qualifiers share the top rank and compare lexically.
fn qualifier_rank(q: &str) -> u8 {
    match q {
        "alpha" => 0,
        "beta" => 1,
        "milestone" => 2,
        "rc" => 3,
        "snapshot" => 4,
        "" => 5,
        "sp" => 6,
        _ => 7,
    }
}

fn cmp_qualifiers(a: &str, b: &str) -> Ordering {
    let (ra, rb) = (qualifier_rank(a), qualifier_rank(b));
    if ra == 7 && rb == 7 { a.cmp(b) } else { ra.cmp(&rb) }
}

fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.cmp(y),
        (Value::Qual(x), Value::Qual(y)) => cmp_qualifiers(x, y),
        (Value::Num(_), Value::Qual(_)) => Ordering::Greater,
        (Value::Qual(_), Value::Num(_)) => Ordering::Less,
    }
}

/// `.qualifier < -qualifier < -number < .number`
fn sep_rank(t: &Token) -> u8 {
    match (&t.value, t.sep) {
        (Value::Qual(_), Sep::Dot) => 0,
        (Value::Qual(_), Sep::Dash) => 1,
        (Value::Num(_), Sep::Dash) => 2,
        (Value::Num(_), Sep::Dot) => 3,
    }
}

/// Compares a real token with the null padding of the other side (same separator).
fn cmp_with_null(t: &Token) -> Ordering {
    match &t.value {
        Value::Num(n) => n.cmp(&Num::ZERO),
        Value::Qual(q) => cmp_qualifiers(q, ""),
    }
}

fn cmp_tokens(a: &Token, b: &Token) -> Ordering {
    if a.sep == b.sep { cmp_values(&a.value, &b.value) } else { sep_rank(a).cmp(&sep_rank(b)) }
}

/// A parsed Maven version.
#[derive(Clone, Debug)]
pub(crate) struct Maven {
    tokens: Vec<Token>,
}

impl Ord for Maven {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.tokens.len().max(other.tokens.len());
        for i in 0..n {
            let ord = match (self.tokens.get(i), other.tokens.get(i)) {
                (Some(a), Some(b)) => cmp_tokens(a, b),
                (Some(a), None) => cmp_with_null(a),
                (None, Some(b)) => cmp_with_null(b).reverse(),
                (None, None) => Ordering::Equal,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl Maven {
    pub(crate) fn parse(s: &str) -> Result<Maven, Error> {
        if s.is_empty() {
            return Err(invalid(NAME, s, 0, "a Maven version"));
        }
        if let Some(pos) = s.find(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(invalid(NAME, s, pos, "a character other than whitespace"));
        }
        let lower = s.to_lowercase();
        let mut tokens = Vec::new();
        let mut sep = Sep::Dot;
        for (k, raw) in lower.split(['.', '-']).enumerate() {
            if k > 0 {
                // The separator that preceded this raw token.
                let offset: usize = lower.split(['.', '-']).take(k).map(|p| p.len() + 1).sum();
                sep = if lower.as_bytes().get(offset - 1) == Some(&b'-') { Sep::Dash } else { Sep::Dot };
            }
            // Split at digit/non-digit transitions; later pieces are '-' separated.
            let mut pieces: Vec<&str> = Vec::new();
            let mut begin = 0;
            let bytes = raw.as_bytes();
            for i in 1..bytes.len() {
                let (p, c) = (bytes.get(i - 1).copied(), bytes.get(i).copied());
                if p.is_some_and(|p| p.is_ascii_digit()) != c.is_some_and(|c| c.is_ascii_digit())
                    && raw.is_char_boundary(i)
                {
                    pieces.push(raw.get(begin..i).unwrap_or_default());
                    begin = i;
                }
            }
            pieces.push(raw.get(begin..).unwrap_or_default());
            let count = pieces.len();
            for (j, piece) in pieces.into_iter().enumerate() {
                let piece_sep = if j == 0 { sep } else { Sep::Dash };
                let followed_by_digit = j + 1 < count;
                let value = if piece.is_empty() {
                    Value::Num(Num::ZERO)
                } else if piece.bytes().all(|b| b.is_ascii_digit()) {
                    Value::Num(Num::from_digits(piece))
                } else {
                    let q = match piece {
                        "cr" => "rc",
                        "ga" | "final" | "release" => "",
                        "a" if followed_by_digit => "alpha",
                        "b" if followed_by_digit => "beta",
                        "m" if followed_by_digit => "milestone",
                        other => other,
                    };
                    Value::Qual(q.into())
                };
                tokens.push(Token { sep: piece_sep, value });
            }
        }
        // Trim trailing nulls, then again before each remaining hyphen, end to start.
        let mut i = tokens.len().saturating_sub(1);
        while i > 0 {
            if tokens.get(i).is_some_and(Token::is_null) {
                tokens.remove(i);
                i -= 1;
                continue;
            }
            while tokens.get(i).is_some_and(|t| t.sep != Sep::Dash) {
                if i == 0 {
                    break;
                }
                i -= 1;
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
        Ok(Maven { tokens })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_table() {
        let cases = [
            ("1.0", "1", Ordering::Equal),
            ("1.0-alpha-1", "1.0", Ordering::Less),
            ("1.0-SNAPSHOT", "1.0-rc1", Ordering::Greater),
            ("1.0.RELEASE", "1.0", Ordering::Equal),
            ("1.0-sp1", "1.0", Ordering::Greater),
            ("2.5.Final", "2.5", Ordering::Equal),
            ("1.0.0.Beta1", "1.0.0", Ordering::Less),
        ];
        for (a, b, want) in cases {
            let (x, y) = (Maven::parse(a).unwrap(), Maven::parse(b).unwrap());
            assert_eq!(x.cmp(&y), want, "{a} vs {b}");
        }
        assert!(Maven::parse("").is_err());
        assert!(Maven::parse("1 0").is_err());
    }
}
