//! Foreign range syntaxes turned into OSV events.
//!
//! Advisory sources write ranges in their ecosystem's own syntax; this module parses
//! them into a union of intervals (each comparator desugared exactly as the ecosystem's
//! tool does), merges overlaps, and emits one OSV range:
//!
//! | syntax | source rule | range type |
//! |---|---|---|
//! | [`Syntax::Npm`] | node-semver `Range` (`||`, hyphen ranges, X-ranges, `~`, `^`) | `SEMVER` |
//! | [`Syntax::Composer`] | Composer `VersionParser::parseConstraints` (`||`/`|`, `,`/space, `~`, `^`, `.*`, hyphen) | `ECOSYSTEM` |
//! | [`Syntax::Maven`] | Maven `VersionRange.createFromVersionSpec` (`[1.0,2.0)`, `(,1.0],[1.2,)`) | `ECOSYSTEM` |
//! | [`Syntax::RubyGems`] | `Gem::Requirement` (`>= 1.0, < 2`, `~> 1.2`) | `ECOSYSTEM` |
//! | [`Syntax::Pep440`] | PEP 440 specifiers (`>=1.0,<2.0`, `~=1.4.5`, `==1.*`) | `ECOSYSTEM` |
//!
//! OSV events can say `>=` (`introduced`), `<` (`fixed`) and `<=` (`last_affected`);
//! they cannot say `>V` or `!=V` without knowing the next version, so those are errors,
//! never guesses, except in npm where SemVer has an immediate successor (`>2.1.0` is
//! `>=2.1.1-0`, `>1.0.0-rc` is `>=1.0.0-rc.0`). PEP 440's `<V` (V final) excludes V's pre-releases and becomes `fixed:
//! V.dev0`, which is exact. Where a tool filters pre-releases at match time rather than by
//! order (node-semver excludes pre-releases of other tuples; Composer's `<V` means
//! `<V.0-dev`), the events keep the written bounds; OSV order decides pre-releases.

use std::cmp::Ordering;

use crate::range::{Event, OsvRange, RangeType};
use crate::{Ecosystem, Error, Scheme, Version};

/// A foreign range syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Syntax {
    /// node-semver ranges.
    Npm,
    /// Composer constraints.
    Composer,
    /// Maven version ranges.
    Maven,
    /// RubyGems requirements.
    RubyGems,
    /// PEP 440 version specifiers.
    Pep440,
}

impl Syntax {
    /// The syntax's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Syntax::Npm => "npm",
            Syntax::Composer => "Composer",
            Syntax::Maven => "Maven",
            Syntax::RubyGems => "RubyGems",
            Syntax::Pep440 => "PEP 440",
        }
    }

    /// The OSV ecosystem whose versions the syntax bounds.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Syntax::Npm => Ecosystem::Npm,
            Syntax::Composer => Ecosystem::Packagist,
            Syntax::Maven => Ecosystem::Maven,
            Syntax::RubyGems => Ecosystem::RubyGems,
            Syntax::Pep440 => Ecosystem::PyPI,
        }
    }

    fn range_type(self) -> RangeType {
        if self == Syntax::Npm { RangeType::Semver } else { RangeType::Ecosystem }
    }
}

#[derive(Clone, Debug)]
struct Bound {
    text: String,
    version: Version,
    inclusive: bool,
}

#[derive(Clone, Debug, Default)]
struct Interval {
    lower: Option<Bound>,
    upper: Option<Bound>,
}

struct Ctx<'a> {
    syntax: Syntax,
    input: &'a str,
}

impl Ctx<'_> {
    fn err(&self, position: usize, expected: &'static str, found: impl Into<String>) -> Error {
        Error::InvalidConstraint {
            syntax: self.syntax.name(),
            input: self.input.to_owned(),
            position,
            expected,
            found: found.into(),
        }
    }

    fn scheme(&self) -> Scheme {
        if self.syntax == Syntax::Npm { Scheme::SemVer } else { self.syntax.ecosystem().scheme() }
    }

    fn bound(&self, pos: usize, text: String, inclusive: bool) -> Result<Bound, Error> {
        let version = self.scheme().parse(&text).map_err(|e| self.err(pos, "a version", format!("{text:?} ({e})")))?;
        Ok(Bound { text, version, inclusive })
    }

    fn ge(&self, pos: usize, v: String) -> Result<Interval, Error> {
        Ok(Interval { lower: Some(self.bound(pos, v, true)?), upper: None })
    }
    fn gt(&self, pos: usize, v: String) -> Result<Interval, Error> {
        Ok(Interval { lower: Some(self.bound(pos, v, false)?), upper: None })
    }
    fn lt(&self, pos: usize, v: String) -> Result<Interval, Error> {
        Ok(Interval { lower: None, upper: Some(self.bound(pos, v, false)?) })
    }
    fn le(&self, pos: usize, v: String) -> Result<Interval, Error> {
        Ok(Interval { lower: None, upper: Some(self.bound(pos, v, true)?) })
    }
    fn eq(&self, pos: usize, v: String) -> Result<Interval, Error> {
        let b = self.bound(pos, v, true)?;
        Ok(Interval { lower: Some(b.clone()), upper: Some(b) })
    }
    fn between(&self, pos: usize, lo: String, hi: String) -> Result<Interval, Error> {
        Ok(Interval { lower: Some(self.bound(pos, lo, true)?), upper: Some(self.bound(pos, hi, false)?) })
    }
}

/// Intersection of two intervals.
fn intersect(a: Interval, b: Interval) -> Interval {
    let lower = match (a.lower, b.lower) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => Some(match x.version.cmp(&y.version) {
            Ordering::Greater => x,
            Ordering::Less => y,
            Ordering::Equal => {
                if x.inclusive {
                    y
                } else {
                    x
                }
            }
        }),
    };
    let upper = match (a.upper, b.upper) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => Some(match x.version.cmp(&y.version) {
            Ordering::Less => x,
            Ordering::Greater => y,
            Ordering::Equal => {
                if x.inclusive {
                    y
                } else {
                    x
                }
            }
        }),
    };
    Interval { lower, upper }
}

fn is_empty(i: &Interval) -> bool {
    match (&i.lower, &i.upper) {
        (Some(l), Some(u)) => match l.version.cmp(&u.version) {
            Ordering::Greater => true,
            Ordering::Equal => !(l.inclusive && u.inclusive),
            Ordering::Less => false,
        },
        _ => false,
    }
}

/// Merges a union of intervals and emits OSV events.
fn emit(ctx: &Ctx<'_>, intervals: Vec<Interval>) -> Result<OsvRange, Error> {
    let mut v: Vec<Interval> = intervals.into_iter().filter(|i| !is_empty(i)).collect();
    crate::range::stable_sort_by(&mut v, |a, b| match (&a.lower, &b.lower) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => x.version.cmp(&y.version).then_with(|| y.inclusive.cmp(&x.inclusive)),
    });
    let mut merged: Vec<Interval> = Vec::new();
    for i in v {
        if let Some(last) = merged.last_mut() {
            let touches = match (&last.upper, &i.lower) {
                (None, _) | (_, None) => true,
                (Some(u), Some(l)) => match l.version.cmp(&u.version) {
                    Ordering::Less => true,
                    Ordering::Equal => u.inclusive || l.inclusive,
                    Ordering::Greater => false,
                },
            };
            if touches {
                let keep_last_upper = match (&last.upper, &i.upper) {
                    (None, _) => true,
                    (_, None) => false,
                    (Some(a), Some(b)) => match a.version.cmp(&b.version) {
                        Ordering::Greater => true,
                        Ordering::Less => false,
                        Ordering::Equal => a.inclusive,
                    },
                };
                if !keep_last_upper {
                    last.upper = i.upper;
                }
                continue;
            }
        }
        merged.push(i);
    }
    if merged.is_empty() {
        // Found by the foreign_range fuzz target: `>=2 <1` is empty, and an OSV range
        // needs an introduced event.
        return Err(ctx.err(0, "a constraint some version satisfies", "an empty set of versions"));
    }
    let mut events = Vec::new();
    for i in &merged {
        match &i.lower {
            None => events.push(Event::Introduced("0".to_owned())),
            Some(l) if l.inclusive => events.push(Event::Introduced(l.text.clone())),
            Some(l) => {
                return Err(ctx.err(
                    0,
                    "an inclusive lower bound (OSV 'introduced' cannot say '>V')",
                    format!("a lower bound excluding {:?}", l.text),
                ));
            }
        }
        match &i.upper {
            None => {}
            Some(u) if u.inclusive => events.push(Event::LastAffected(u.text.clone())),
            Some(u) => events.push(Event::Fixed(u.text.clone())),
        }
    }
    Ok(OsvRange { kind: ctx.syntax.range_type(), repo: None, events })
}

/// Adds one to a decimal digit string.
fn succ(digits: &str) -> String {
    let mut out: Vec<u8> = digits.bytes().collect();
    let mut i = out.len();
    loop {
        if i == 0 {
            out.insert(0, b'1');
            break;
        }
        i -= 1;
        if let Some(d) = out.get_mut(i) {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                break;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Splits comparator strings into (offset, token), joining an operator-only token to the
/// next one (`>= 1.0`).
fn tokens(s: &str, base: usize, seps: &[char]) -> Vec<(usize, String)> {
    let mut raw: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if seps.contains(&c) {
            if let Some(b) = start.take() {
                raw.push((b, s.get(b..i).unwrap_or_default()));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(b) = start {
        raw.push((b, s.get(b..).unwrap_or_default()));
    }
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, t) in raw {
        if let Some((pi, p)) = pending.take() {
            out.push((base + pi, format!("{p}{t}")));
            continue;
        }
        if !t.is_empty() && t.chars().all(|c| "<>=!~^".contains(c)) {
            pending = Some((i, t.to_owned()));
        } else {
            out.push((base + i, t.to_owned()));
        }
    }
    if let Some((pi, p)) = pending {
        out.push((base + pi, p));
    }
    out
}

fn split_op<'a>(t: &'a str, ops: &[&'static str]) -> (&'static str, &'a str) {
    for op in ops {
        if let Some(rest) = t.strip_prefix(op) {
            return (op, rest);
        }
    }
    ("", t)
}

// ---------------------------------------------------------------------------- npm

/// A node-semver partial version: up to three numbers (None = `x`), pre-release.
struct Partial {
    nums: Vec<String>,
    pre: Option<String>,
}

fn npm_partial(ctx: &Ctx<'_>, pos: usize, s: &str) -> Result<Partial, Error> {
    let s = s.trim_start_matches('=').trim_start_matches(['v', 'V']);
    let (main, _build) = s.split_once('+').unwrap_or((s, ""));
    let (nums_part, pre) = match main.split_once('-') {
        Some((n, p)) => (n, Some(p.to_owned())),
        None => (main, None),
    };
    let mut nums = Vec::new();
    for (k, part) in nums_part.split('.').enumerate() {
        if k >= 3 {
            return Err(ctx.err(pos, "at most three version numbers", format!("{s:?}")));
        }
        if matches!(part, "x" | "X" | "*") {
            break;
        }
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ctx.err(pos, "a number, 'x' or '*'", format!("{part:?} in {s:?}")));
        }
        nums.push(part.trim_start_matches('0').to_owned());
        if let Some(last) = nums.last_mut().filter(|l| l.is_empty()) {
            *last = "0".to_owned();
        }
    }
    if pre.is_some() && nums.len() < 3 {
        return Err(ctx.err(pos, "a full version before a pre-release", format!("{s:?}")));
    }
    Ok(Partial { nums, pre })
}

fn full(p: &Partial) -> String {
    let n = |i: usize| p.nums.get(i).cloned().unwrap_or_else(|| "0".to_owned());
    let mut s = format!("{}.{}.{}", n(0), n(1), n(2));
    if let Some(pre) = &p.pre {
        s.push('-');
        s.push_str(pre);
    }
    s
}

fn npm_comparator(ctx: &Ctx<'_>, pos: usize, t: &str) -> Result<Interval, Error> {
    let (op, rest) = split_op(t, &[">=", "<=", "~>", ">", "<", "=", "~", "^"]);
    let p = npm_partial(ctx, pos, rest)?;
    let k = p.nums.len();
    let num = |i: usize| p.nums.get(i).cloned().unwrap_or_else(|| "0".to_owned());
    let any = Interval::default();
    let nothing = || ctx.lt(pos, "0.0.0-0".to_owned());
    match op {
        "" | "=" => match k {
            0 => Ok(any),
            1 => ctx.between(pos, full(&p), format!("{}.0.0-0", succ(&num(0)))),
            2 => ctx.between(pos, full(&p), format!("{}.{}.0-0", num(0), succ(&num(1)))),
            _ => ctx.eq(pos, full(&p)),
        },
        ">=" => {
            if k == 0 {
                Ok(any)
            } else {
                ctx.ge(pos, full(&p))
            }
        }
        ">" => match k {
            0 => nothing(),
            1 => ctx.ge(pos, format!("{}.0.0", succ(&num(0)))),
            2 => ctx.ge(pos, format!("{}.{}.0", num(0), succ(&num(1)))),
            // SemVer has an immediate successor: M.m.(p+1)-0 after a release, V.0 after a
            // pre-release (a numeric 0 identifier is the least extension).
            _ => match &p.pre {
                None => ctx.ge(pos, format!("{}.{}.{}-0", num(0), num(1), succ(&num(2)))),
                Some(_) => ctx.ge(pos, format!("{}.0", full(&p))),
            },
        },
        "<" => match k {
            0 => nothing(),
            1 | 2 => ctx.lt(pos, format!("{}-0", full(&p))),
            _ => ctx.lt(pos, full(&p)),
        },
        "<=" => match k {
            0 => Ok(any),
            1 => ctx.lt(pos, format!("{}.0.0-0", succ(&num(0)))),
            2 => ctx.lt(pos, format!("{}.{}.0-0", num(0), succ(&num(1)))),
            _ => ctx.le(pos, full(&p)),
        },
        "~" | "~>" => match k {
            0 => Ok(any),
            1 => ctx.between(pos, full(&p), format!("{}.0.0-0", succ(&num(0)))),
            _ => ctx.between(pos, full(&p), format!("{}.{}.0-0", num(0), succ(&num(1)))),
        },
        _ => {
            // "^": the first non-zero number of the given ones may not change.
            let upper = if k == 0 {
                return Ok(any);
            } else if num(0) != "0" || k == 1 {
                format!("{}.0.0-0", succ(&num(0)))
            } else if num(1) != "0" || k == 2 {
                format!("0.{}.0-0", succ(&num(1)))
            } else {
                format!("0.0.{}-0", succ(&num(2)))
            };
            ctx.between(pos, full(&p), upper)
        }
    }
}

fn npm(ctx: &Ctx<'_>) -> Result<Vec<Interval>, Error> {
    let mut out = Vec::new();
    let mut offset = 0;
    for set in ctx.input.split("||") {
        let here = offset;
        offset += set.len() + 2;
        let toks = tokens(set, here, &[' ', '\t']);
        let mut acc = Interval::default();
        let mut i = 0;
        while let Some((pos, t)) = toks.get(i) {
            if toks.get(i + 1).is_some_and(|(_, x)| x == "-") {
                let Some((p2, hi)) = toks.get(i + 2) else {
                    return Err(ctx.err(*pos, "a version after ' - '", "end of range"));
                };
                let lo = npm_comparator(ctx, *pos, &format!(">={t}"))?;
                let up = npm_comparator(ctx, *p2, &format!("<={hi}"))?;
                acc = intersect(intersect(acc, lo), up);
                i += 3;
                continue;
            }
            acc = intersect(acc, npm_comparator(ctx, *pos, t)?);
            i += 1;
        }
        out.push(acc);
    }
    Ok(out)
}

// ------------------------------------------------------------------------ Composer

fn composer_parts(ctx: &Ctx<'_>, pos: usize, v: &str) -> Result<Vec<String>, Error> {
    let v = v.trim_start_matches(['v', 'V']);
    let parts: Vec<String> = v.split('.').map(str::to_owned).collect();
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(ctx.err(pos, "a numeric version for '~', '^' or '.*'", format!("{v:?}")));
    }
    Ok(parts)
}

fn composer_constraint(ctx: &Ctx<'_>, pos: usize, t: &str) -> Result<Interval, Error> {
    // Stability flags (`@dev`, `@stable`) do not change the bounds.
    let t = t.split_once('@').map_or(t, |(v, _)| v);
    let (op, v) = split_op(t, &[">=", "<=", "<>", "!=", "==", ">", "<", "=", "~", "^"]);
    let v = v.trim();
    if v == "*" || matches!(v, "x" | "X") {
        return if op.is_empty() {
            Ok(Interval::default())
        } else {
            Err(ctx.err(pos, "a version after the operator", format!("{t:?}")))
        };
    }
    if v.is_empty() {
        return Err(ctx.err(pos + op.len(), "a version", "end of constraint"));
    }
    match op {
        ">=" => ctx.ge(pos, v.to_owned()),
        ">" => ctx.gt(pos, v.to_owned()),
        "<=" => ctx.le(pos, v.to_owned()),
        "<" => ctx.lt(pos, v.to_owned()),
        "!=" | "<>" => {
            Err(ctx.err(pos, "a constraint OSV can express ('!=' needs the next version)", format!("{t:?}")))
        }
        "~" => {
            let mut parts = composer_parts(ctx, pos, v)?;
            if parts.len() > 1 {
                parts.pop();
            }
            if let Some(last) = parts.last_mut() {
                *last = succ(last);
            }
            ctx.between(pos, v.to_owned(), parts.join("."))
        }
        "^" => {
            let parts = composer_parts(ctx, pos, v)?;
            let idx = parts
                .iter()
                .position(|p| !p.trim_start_matches('0').is_empty())
                .unwrap_or(parts.len().saturating_sub(1));
            let mut up: Vec<String> = parts.iter().take(idx + 1).cloned().collect();
            if let Some(last) = up.last_mut() {
                *last = succ(last);
            }
            ctx.between(pos, v.to_owned(), up.join("."))
        }
        _ => {
            if let Some(prefix) = v.strip_suffix(".*").or_else(|| v.strip_suffix(".x")) {
                let mut parts = composer_parts(ctx, pos, prefix)?;
                if let Some(last) = parts.last_mut() {
                    *last = succ(last);
                }
                return ctx.between(pos, prefix.to_owned(), parts.join("."));
            }
            ctx.eq(pos, v.to_owned())
        }
    }
}

fn composer(ctx: &Ctx<'_>) -> Result<Vec<Interval>, Error> {
    let mut out = Vec::new();
    let mut offset = 0;
    for set in ctx.input.split("||").flat_map(|s| s.split('|')) {
        let here = offset;
        offset += set.len() + 1;
        let toks = tokens(set, here, &[' ', ',', '\t']);
        if toks.is_empty() {
            return Err(ctx.err(here, "a constraint", "nothing"));
        }
        let mut acc = Interval::default();
        let mut i = 0;
        while let Some((pos, t)) = toks.get(i) {
            if toks.get(i + 1).is_some_and(|(_, x)| x == "-") {
                let Some((p2, hi)) = toks.get(i + 2) else {
                    return Err(ctx.err(*pos, "a version after ' - '", "end of constraint"));
                };
                // A partial upper bound covers its whole series (`1.0 - 2.0` is `<2.1`).
                let up = if hi.split('.').count() < 3 {
                    let mut parts = composer_parts(ctx, *p2, hi)?;
                    if let Some(last) = parts.last_mut() {
                        *last = succ(last);
                    }
                    ctx.lt(*p2, parts.join("."))?
                } else {
                    ctx.le(*p2, hi.clone())?
                };
                acc = intersect(intersect(acc, ctx.ge(*pos, t.clone())?), up);
                i += 3;
                continue;
            }
            acc = intersect(acc, composer_constraint(ctx, *pos, t)?);
            i += 1;
        }
        out.push(acc);
    }
    Ok(out)
}

// --------------------------------------------------------------------------- Maven

fn maven(ctx: &Ctx<'_>) -> Result<Vec<Interval>, Error> {
    let s = ctx.input;
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b.get(i) {
            Some(b' ' | b',') => {
                i += 1;
                continue;
            }
            Some(b'[' | b'(') => {}
            _ => {
                return Err(ctx.err(
                    i,
                    "'[' or '(' (a bare version is only a soft requirement)",
                    crate::error::found_at(s, i),
                ));
            }
        }
        let open_inclusive = b.get(i) == Some(&b'[');
        let Some(close_rel) = s.get(i..).and_then(|r| r.find([']', ')'])) else {
            return Err(ctx.err(i, "a closing ']' or ')'", "end of range"));
        };
        let close = i + close_rel;
        let close_inclusive = b.get(close) == Some(&b']');
        let body = s.get(i + 1..close).unwrap_or_default();
        let pos = i + 1;
        let interval = match body.split_once(',') {
            None => {
                if !(open_inclusive && close_inclusive) || body.trim().is_empty() {
                    return Err(ctx.err(
                        pos,
                        "'[V]' for a single version",
                        format!("{:?}", s.get(i..=close).unwrap_or_default()),
                    ));
                }
                ctx.eq(pos, body.trim().to_owned())?
            }
            Some((lo, hi)) => {
                let (lo, hi) = (lo.trim(), hi.trim());
                if hi.contains(',') {
                    return Err(ctx.err(pos, "at most one ',' inside brackets", format!("{body:?}")));
                }
                let lower = if lo.is_empty() {
                    Interval::default()
                } else if open_inclusive {
                    ctx.ge(pos, lo.to_owned())?
                } else {
                    ctx.gt(pos, lo.to_owned())?
                };
                let upper = if hi.is_empty() {
                    Interval::default()
                } else if close_inclusive {
                    ctx.le(pos, hi.to_owned())?
                } else {
                    ctx.lt(pos, hi.to_owned())?
                };
                intersect(lower, upper)
            }
        };
        out.push(interval);
        i = close + 1;
    }
    if out.is_empty() {
        return Err(ctx.err(0, "a version range", "nothing"));
    }
    Ok(out)
}

// ------------------------------------------------------------------------ RubyGems

fn rubygems(ctx: &Ctx<'_>) -> Result<Vec<Interval>, Error> {
    let mut acc = Interval::default();
    let mut offset = 0;
    for part in ctx.input.split(',') {
        let pos = offset + part.len() - part.trim_start().len();
        offset += part.len() + 1;
        let t = part.trim();
        let (op, v) = split_op(t, &["~>", ">=", "<=", "!=", "=", ">", "<"]);
        let v = v.trim().to_owned();
        if v.is_empty() {
            return Err(ctx.err(pos + op.len(), "a version", "end of requirement"));
        }
        let i = match op {
            ">=" => ctx.ge(pos, v)?,
            ">" => ctx.gt(pos, v)?,
            "<=" => ctx.le(pos, v)?,
            "<" => ctx.lt(pos, v)?,
            "!=" => {
                return Err(ctx.err(
                    pos,
                    "a requirement OSV can express ('!=' needs the next version)",
                    format!("{t:?}"),
                ));
            }
            "~>" => {
                let lower = ctx.ge(pos, v)?;
                let base = lower.lower.as_ref().map(|b| b.version.clone());
                let mut nums = base.as_ref().and_then(|b| b.rubygems().map(|g| g.bump_key())).unwrap_or_default();
                if nums.len() > 1 {
                    nums.pop();
                }
                if let Some(last) = nums.last_mut() {
                    *last = succ(last);
                }
                if nums.is_empty() {
                    return Err(ctx.err(pos, "a version with a number for '~>'", format!("{t:?}")));
                }
                intersect(lower, ctx.lt(pos, nums.join("."))?)
            }
            _ => ctx.eq(pos, v)?,
        };
        acc = intersect(acc, i);
    }
    Ok(vec![acc])
}

// ------------------------------------------------------------------------- PEP 440

fn pep440(ctx: &Ctx<'_>) -> Result<Vec<Interval>, Error> {
    let mut acc = Interval::default();
    let mut offset = 0;
    for part in ctx.input.split(',') {
        let pos = offset + part.len() - part.trim_start().len();
        offset += part.len() + 1;
        let t = part.trim();
        let (op, v) = split_op(t, &["===", "~=", "==", "!=", "<=", ">=", "<", ">"]);
        let v = v.trim();
        if op.is_empty() {
            return Err(ctx.err(pos, "an operator (~=, ==, !=, <=, >=, <, >, ===)", format!("{t:?}")));
        }
        if v.is_empty() {
            return Err(ctx.err(pos + op.len(), "a version", "end of specifier"));
        }
        // `==1.4.*` / `~=1.4.5`: from the prefix's first dev release to the next prefix's.
        let series = |prefix: &str| -> Result<Interval, Error> {
            let mut parts: Vec<String> = prefix.split('.').map(str::to_owned).collect();
            if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
                return Err(ctx.err(pos, "a release prefix of numbers before '.*'", format!("{prefix:?}")));
            }
            let lo = format!("{prefix}.dev0");
            if let Some(last) = parts.last_mut() {
                *last = succ(last);
            }
            ctx.between(pos, lo, format!("{}.dev0", parts.join(".")))
        };
        let i = match op {
            "==" => match v.strip_suffix(".*") {
                Some(prefix) => series(prefix)?,
                None => ctx.eq(pos, v.to_owned())?,
            },
            "~=" => {
                let release: String = v.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
                let release = release.trim_end_matches('.');
                let mut parts: Vec<&str> = release.split('.').collect();
                if parts.len() < 2 {
                    return Err(ctx.err(pos, "'~=' with at least two release numbers", format!("{t:?}")));
                }
                parts.pop();
                intersect(ctx.ge(pos, v.to_owned())?, series(&parts.join("."))?)
            }
            ">=" => ctx.ge(pos, v.to_owned())?,
            "<=" => ctx.le(pos, v.to_owned())?,
            "<" => {
                let b = ctx.bound(pos, v.to_owned(), false)?;
                // `<V` excludes V's pre-releases unless V is one: its least is V.dev0.
                let final_release = !b.version.is_prerelease() && v.chars().all(|c| c.is_ascii_digit() || c == '.');
                if final_release { ctx.lt(pos, format!("{v}.dev0"))? } else { Interval { lower: None, upper: Some(b) } }
            }
            ">" => ctx.gt(pos, v.to_owned())?,
            _ => return Err(ctx.err(pos, "a specifier OSV can express (not '!=' or '===')", format!("{t:?}"))),
        };
        acc = intersect(acc, i);
    }
    Ok(vec![acc])
}

/// Parses `input` in `syntax` into one OSV range (events sorted, overlaps merged).
pub fn to_osv_range(syntax: Syntax, input: &str) -> Result<OsvRange, Error> {
    to_osv_range_union(syntax, &[input])
}

/// Parses several constraints that hold as alternatives (a RubyGems `patched_versions`
/// list, FriendsOfPHP branches) into one OSV range.
pub fn to_osv_range_union(syntax: Syntax, inputs: &[&str]) -> Result<OsvRange, Error> {
    let mut all = Vec::new();
    let mut ctx = Ctx { syntax, input: "" };
    for input in inputs {
        ctx = Ctx { syntax, input };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ctx.err(0, "a constraint", "an empty string"));
        }
        all.extend(match syntax {
            Syntax::Npm => npm(&ctx)?,
            Syntax::Composer => composer(&ctx)?,
            Syntax::Maven => maven(&ctx)?,
            Syntax::RubyGems => rubygems(&ctx)?,
            Syntax::Pep440 => pep440(&ctx)?,
        });
    }
    emit(&ctx, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(r: &OsvRange) -> String {
        r.events
            .iter()
            .map(|e| match e {
                Event::Introduced(v) => format!(">={v}"),
                Event::Fixed(v) => format!("<{v}"),
                Event::LastAffected(v) => format!("<={v}"),
                Event::Limit(v) => format!("limit {v}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn translations_table() {
        let cases = [
            (Syntax::Npm, ">=1.2.3 <2 || ^3.1", ">=1.2.3 <2.0.0-0 >=3.1.0 <4.0.0-0"),
            (Syntax::Npm, "<0.2.2 || >=0.3.0 <0.3.2", ">=0 <0.2.2 >=0.3.0 <0.3.2"),
            (Syntax::Npm, "~1.6.5 || >=1.7.2", ">=1.6.5 <1.7.0-0 >=1.7.2"),
            (Syntax::Npm, "2.0.x || 2.1.x", ">=2.0.0 <2.1.0-0 >=2.1.0 <2.2.0-0"),
            (Syntax::Npm, "1.x || >=1.5.0 <3", ">=1.0.0 <3.0.0-0"),
            (Syntax::Npm, "<  2.0.5", ">=0 <2.0.5"),
            (Syntax::Npm, "1.2.3 - 2.3", ">=1.2.3 <2.4.0-0"),
            (Syntax::Npm, "^0.0.3", ">=0.0.3 <0.0.4-0"),
            (Syntax::Npm, "<=1.2.3", ">=0 <=1.2.3"),
            (Syntax::Npm, "*", ">=0"),
            (Syntax::Npm, "> 2.1.0 < 3.0.0", ">=2.1.1-0 <3.0.0"),
            (Syntax::Npm, ">1.0.0-rc.1", ">=1.0.0-rc.1.0"),
            (Syntax::Npm, ">1.2", ">=1.3.0"),
            (Syntax::Npm, "2.1.0-M1 || 2.1.0-M2", ">=2.1.0-M1 <=2.1.0-M1 >=2.1.0-M2 <=2.1.0-M2"),
            (Syntax::Composer, ">=2,<2.0.6", ">=2 <2.0.6"),
            (Syntax::Composer, "~1.2 || ^3.0.1", ">=1.2 <2 >=3.0.1 <4"),
            (Syntax::Composer, "^0.3", ">=0.3 <0.4"),
            (Syntax::Composer, "1.0.* | 2.0 - 2.1", ">=1.0 <1.1 >=2.0 <2.2"),
            (Syntax::Maven, "[1.0,2.0)", ">=1.0 <2.0"),
            (Syntax::Maven, "(,1.0],[1.2,)", ">=0 <=1.0 >=1.2"),
            (Syntax::Maven, "[1.5]", ">=1.5 <=1.5"),
            (Syntax::RubyGems, ">= 1.0, < 2", ">=1.0 <2"),
            (Syntax::RubyGems, "~> 1.2.3", ">=1.2.3 <1.3"),
            (Syntax::RubyGems, "~> 4.0.rc1", ">=4.0.rc1 <5"),
            (Syntax::Pep440, ">=1.0,<2.0", ">=1.0 <2.0.dev0"),
            (Syntax::Pep440, "~=1.4.5", ">=1.4.5 <1.5.dev0"),
            (Syntax::Pep440, "==1.*", ">=1.dev0 <2.dev0"),
            (Syntax::Pep440, "<2.0rc1", ">=0 <2.0rc1"),
        ];
        for (syntax, input, want) in cases {
            let r = to_osv_range(syntax, input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(show(&r), want, "{input}");
            crate::AffectedRange::new(&r, syntax.ecosystem()).unwrap();
        }
        let r = to_osv_range_union(Syntax::RubyGems, &["~> 1.2.3", ">= 2.0"]).unwrap();
        assert_eq!(show(&r), ">=1.2.3 <1.3 >=2.0");
    }

    #[test]
    fn errors_table() {
        let cases = [
            (
                Syntax::Composer,
                ">0.7.1,<1.0.4",
                "expected an inclusive lower bound (OSV 'introduced' cannot say '>V'), found a lower bound excluding \"0.7.1\"",
            ),
            (Syntax::Npm, ">=1.y", "expected a number, 'x' or '*', found \"y\" in \"1.y\""),
            (Syntax::Composer, "!=1.0", "'!=' needs the next version"),
            (
                Syntax::Maven,
                "1.0",
                "byte 0: expected '[' or '(' (a bare version is only a soft requirement), found '1'",
            ),
            (Syntax::Maven, "(1.0,2.0)", "expected an inclusive lower bound"),
            (Syntax::Maven, "[1.0,2.0", "expected a closing ']' or ')'"),
            (Syntax::RubyGems, ">= ", "expected a version, found end of requirement"),
            (Syntax::Pep440, "1.0", "expected an operator"),
            (Syntax::Pep440, "!=1.0", "not '!=' or '==='"),
            // Regression (fuzz): an empty set gave a range without `introduced`.
            (Syntax::Npm, ">=2 <1", "expected a constraint some version satisfies, found an empty set of versions"),
            (Syntax::Composer, "0],[1.2.. ()1", "expected"),
        ];
        for (syntax, input, want) in cases {
            let e = to_osv_range(syntax, input).unwrap_err().to_string();
            assert!(e.contains(want), "{input}: {e}");
        }
    }
}
