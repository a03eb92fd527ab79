//! Well-formed CPE names (NISTIR 7695 §5) and their two bindings (§6.1 URI, §6.2
//! formatted string).
//!
//! Invariant: a [`Value`] holds the WFN form: ASCII letters, digits and `_` as they are,
//! every other printable character quoted with `\`, and unquoted `*` / `?` only as
//! wildcards at the start or end (`*` alone, `?` in runs), never the whole value (that is
//! [`Attribute::Any`]).

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The attribute names, in binding order.
pub const ATTRIBUTE_NAMES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
];

/// An attribute value in WFN form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(String);

impl Value {
    /// A value meaning exactly `s` (every character literal, no wildcards).
    pub fn literal(s: &str) -> Option<Value> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_graphic()) {
            return None;
        }
        let mut out = String::with_capacity(s.len() * 2);
        for c in s.chars() {
            if !(c.is_ascii_alphanumeric() || c == '_') {
                out.push('\\');
            }
            out.push(c);
        }
        Some(Value(out))
    }

    /// The WFN form (`7\.2\.4`).
    pub fn as_wfn(&self) -> &str {
        &self.0
    }

    /// The value with quoting removed (`7.2.4`); wildcards stay as `*` / `?`.
    pub fn unquoted(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        let mut chars = self.0.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    /// Whether the value has an unquoted `*` or `?`.
    pub fn has_wildcards(&self) -> bool {
        let mut chars = self.0.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '*' | '?' => return true,
                _ => {}
            }
        }
        false
    }

    /// The WFN characters as (character, quoted) pairs.
    pub(crate) fn chars(&self) -> Vec<(char, bool)> {
        let mut out = Vec::with_capacity(self.0.len());
        let mut chars = self.0.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push((n, true));
                }
            } else {
                out.push((c, false));
            }
        }
        out
    }
}

/// One attribute: a logical value or a string value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attribute {
    /// ANY (`*` in the formatted string, empty in the URI).
    #[default]
    Any,
    /// NA, not applicable (`-`).
    Na,
    /// A string value.
    Value(Value),
}

/// The `part` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// `a`: application.
    Application,
    /// `o`: operating system.
    OperatingSystem,
    /// `h`: hardware.
    Hardware,
}

/// A CPE name (WFN): eleven attributes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpe {
    attributes: [Attribute; 11],
}

fn err(input: &str, place: impl Into<String>, expected: &'static str, found: impl Into<String>) -> Error {
    Error::InvalidName { input: input.to_owned(), place: place.into(), expected, found: found.into() }
}

/// Checks wildcard placement (§5.3.2): `*` only first or last, `?` only in a leading or
/// trailing run, and not the whole value.
fn check_wildcards(input: &str, place: &str, chars: &[(char, bool)]) -> Result<(), Error> {
    let n = chars.len();
    let lead_q = chars.iter().take_while(|(c, q)| *c == '?' && !q).count();
    let trail_q = chars.iter().rev().take_while(|(c, q)| *c == '?' && !q).count();
    for (i, (c, quoted)) in chars.iter().enumerate() {
        if *quoted {
            continue;
        }
        match c {
            '*' if i != 0 && i + 1 != n => {
                return Err(err(
                    input,
                    place,
                    "'*' only at the start or end of a value",
                    format!("'*' at character {i}"),
                ));
            }
            '*' if n == 1 => {
                return Err(err(input, place, "a value, or '*' alone for ANY", "a lone wildcard"));
            }
            '*' if chars.get(i + 1).is_some_and(|(c, q)| !q && (*c == '*' || *c == '?'))
                || (i > 0 && chars.get(i - 1).is_some_and(|(c, q)| !q && (*c == '*' || *c == '?'))) =>
            {
                return Err(err(
                    input,
                    place,
                    "a single '*' not next to another wildcard",
                    format!("wildcards together at character {i}"),
                ));
            }
            '?' if i >= lead_q && i < n - trail_q => {
                return Err(err(
                    input,
                    place,
                    "'?' only in a run at the start or end of a value",
                    format!("'?' at character {i}"),
                ));
            }
            _ => {}
        }
    }
    if chars.iter().all(|(c, q)| !q && (*c == '?' || *c == '*')) {
        return Err(err(input, place, "some non-wildcard character", "only wildcards"));
    }
    Ok(())
}

/// `unbind_value_fs` (§6.2.3.3).
fn unbind_fs_value(input: &str, place: &str, s: &str) -> Result<Attribute, Error> {
    match s {
        "*" => return Ok(Attribute::Any),
        "-" => return Ok(Attribute::Na),
        "" => return Err(err(input, place, "a value, '*' or '-'", "an empty component")),
        _ => {}
    }
    let mut pairs = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) if n.is_ascii_graphic() => pairs.push((n, !(n.is_ascii_alphanumeric() || n == '_'))),
                Some(n) => return Err(err(input, place, "a printable character after '\\'", format!("{n:?}"))),
                None => return Err(err(input, place, "a character after '\\'", "end of component")),
            }
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '*' || c == '?' {
            // Unquoted `*` / `?` are wildcards; placement is checked below.
            pairs.push((c, false));
        } else if c.is_ascii_graphic() {
            pairs.push((c, true));
        } else {
            return Err(err(input, place, "printable ASCII", format!("{c:?}")));
        }
    }
    check_wildcards(input, place, &pairs)?;
    Ok(Attribute::Value(from_pairs(&pairs)))
}

fn from_pairs(pairs: &[(char, bool)]) -> Value {
    let mut out = String::with_capacity(pairs.len() * 2);
    for (c, quoted) in pairs {
        if *quoted {
            out.push('\\');
        }
        out.push(*c);
    }
    Value(out)
}

/// Splits a formatted string at unquoted `:`.
fn split_fs(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ':' {
            parts.push(s.get(start..i).unwrap_or_default());
            start = i + 1;
        }
    }
    parts.push(s.get(start..).unwrap_or_default());
    parts
}

/// `pct_encode` (§6.1.2.3); `-` and `.` stay.
fn pct_encode(c: char, out: &mut String) {
    if c == '-' || c == '.' {
        out.push(c);
    } else {
        out.push_str(&format!("%{:02x}", c as u32));
    }
}

fn bind_uri_value(a: &Attribute) -> String {
    match a {
        Attribute::Any => String::new(),
        Attribute::Na => "-".to_owned(),
        // A value that is one literal hyphen would read back as NA (found by fuzzing).
        Attribute::Value(v) if v.as_wfn() == "\\-" => "%2d".to_owned(),
        Attribute::Value(v) => {
            let mut out = String::new();
            for (c, quoted) in v.chars() {
                match (c, quoted) {
                    ('?', false) => out.push_str("%01"),
                    ('*', false) => out.push_str("%02"),
                    (c, true) => pct_encode(c, &mut out),
                    (c, false) => out.push(c),
                }
            }
            out
        }
    }
}

/// `decode` (§6.1.3.2).
fn unbind_uri_value(input: &str, place: &str, s: &str) -> Result<Attribute, Error> {
    match s {
        "" => return Ok(Attribute::Any),
        "-" => return Ok(Attribute::Na),
        _ => {}
    }
    let b = s.as_bytes();
    let mut pairs = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex =
                s.get(i + 1..i + 3).ok_or_else(|| err(input, place, "two hex digits after '%'", "end of component"))?;
            let code = u8::from_str_radix(hex, 16)
                .map_err(|_| err(input, place, "two hex digits after '%'", format!("{hex:?}")))?;
            match code {
                1 => pairs.push(('?', false)),
                2 => pairs.push(('*', false)),
                c if c.is_ascii_graphic() => pairs.push((char::from(c), !(c.is_ascii_alphanumeric() || c == b'_'))),
                _ => return Err(err(input, place, "a percent-encoded printable character", format!("%{hex}"))),
            }
            i += 3;
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            pairs.push((char::from(c), false));
            i += 1;
        } else if c == b'.' || c == b'-' || c == b'~' {
            pairs.push((char::from(c), true));
            i += 1;
        } else {
            return Err(err(
                input,
                place,
                "letters, digits, '_', '.', '-', '~' or %XX",
                format!("{:?}", char::from(c)),
            ));
        }
    }
    check_wildcards(input, place, &pairs)?;
    Ok(Attribute::Value(from_pairs(&pairs)))
}

fn check_part(input: &str, a: &Attribute) -> Result<(), Error> {
    match a {
        Attribute::Any => Ok(()),
        Attribute::Value(v) if matches!(v.as_wfn(), "a" | "o" | "h") => Ok(()),
        other => Err(err(input, "part", "'a', 'o', 'h' or ANY", format!("{other:?}"))),
    }
}

impl Cpe {
    /// A name from its eleven attributes (in [`Cpe::attribute`] order).
    pub fn from_attributes(attributes: [Attribute; 11]) -> Result<Cpe, Error> {
        check_part("(attributes)", &attributes[0])?;
        Ok(Cpe { attributes })
    }

    /// Parses the formatted-string binding (`cpe:2.3:...`, §6.2.3).
    pub fn parse_formatted(s: &str) -> Result<Cpe, Error> {
        let parts = split_fs(s);
        if parts.first() != Some(&"cpe") || parts.get(1) != Some(&"2.3") {
            return Err(err(s, "prefix", "\"cpe:2.3:\"", format!("{:?}", s.chars().take(8).collect::<String>())));
        }
        if parts.len() != 13 {
            return Err(err(
                s,
                "attributes",
                "11 attributes after \"cpe:2.3:\"",
                format!("{}", parts.len().saturating_sub(2)),
            ));
        }
        let mut attributes: [Attribute; 11] = Default::default();
        for (i, (slot, raw)) in attributes.iter_mut().zip(parts.iter().skip(2)).enumerate() {
            *slot = unbind_fs_value(s, ATTRIBUTE_NAMES.get(i).copied().unwrap_or("?"), raw)?;
        }
        check_part(s, &attributes[0])?;
        Ok(Cpe { attributes })
    }

    /// Parses the URI binding (`cpe:/...`, §6.1.3), including a packed edition.
    pub fn parse_uri(s: &str) -> Result<Cpe, Error> {
        let Some(rest) = s.get(..5).filter(|p| p.eq_ignore_ascii_case("cpe:/")).and_then(|_| s.get(5..)) else {
            return Err(err(s, "prefix", "\"cpe:/\"", format!("{:?}", s.chars().take(5).collect::<String>())));
        };
        let comps: Vec<&str> = rest.split(':').collect();
        if comps.len() > 7 {
            return Err(err(s, "components", "at most 7 components after \"cpe:/\"", format!("{}", comps.len())));
        }
        let mut attributes: [Attribute; 11] = Default::default();
        for (i, raw) in comps.iter().enumerate() {
            if i == 5 && raw.starts_with('~') {
                let packed: Vec<&str> = raw.split('~').collect();
                if packed.len() != 6 {
                    return Err(err(
                        s,
                        "edition",
                        "a packed edition ~ed~sw_ed~t_sw~t_hw~other",
                        format!("{} fields", packed.len().saturating_sub(1)),
                    ));
                }
                for (j, slot) in [5usize, 7, 8, 9, 10].into_iter().enumerate() {
                    let name = ATTRIBUTE_NAMES.get(slot).copied().unwrap_or("?");
                    attributes[slot] = unbind_uri_value(s, name, packed.get(j + 1).copied().unwrap_or(""))?;
                }
            } else {
                let slot = if i == 6 { 6 } else { i };
                attributes[slot] = unbind_uri_value(s, ATTRIBUTE_NAMES.get(slot).copied().unwrap_or("?"), raw)?;
            }
        }
        check_part(s, &attributes[0])?;
        Ok(Cpe { attributes })
    }

    /// An inventory entry `VENDOR:PRODUCT:VERSION` (values literal, part ANY; the version
    /// may itself contain `:`; `*` means ANY).
    pub fn from_product(s: &str) -> Result<Cpe, Error> {
        let mut it = s.splitn(3, ':');
        let (Some(vendor), Some(product)) = (it.next(), it.next()) else {
            return Err(err(s, "product", "VENDOR:PRODUCT[:VERSION]", "no ':'"));
        };
        let version = it.next().unwrap_or("*");
        let lit = |place: &str, v: &str| -> Result<Attribute, Error> {
            if v == "*" {
                return Ok(Attribute::Any);
            }
            Value::literal(v)
                .map(Attribute::Value)
                .ok_or_else(|| err(s, place, "a non-empty printable value", format!("{v:?}")))
        };
        let mut attributes: [Attribute; 11] = Default::default();
        attributes[1] = lit("vendor", vendor)?;
        attributes[2] = lit("product", product)?;
        attributes[3] = lit("version", version)?;
        Ok(Cpe { attributes })
    }

    /// The attribute by index: 0 part, 1 vendor, 2 product, 3 version, 4 update,
    /// 5 edition, 6 language, 7 sw_edition, 8 target_sw, 9 target_hw, 10 other.
    pub fn attribute(&self, index: usize) -> Option<&Attribute> {
        self.attributes.get(index)
    }

    /// All eleven attributes.
    pub fn attributes(&self) -> &[Attribute; 11] {
        &self.attributes
    }

    /// The part, if not ANY.
    pub fn part(&self) -> Option<Part> {
        match &self.attributes[0] {
            Attribute::Value(v) => match v.as_wfn() {
                "a" => Some(Part::Application),
                "o" => Some(Part::OperatingSystem),
                "h" => Some(Part::Hardware),
                _ => None,
            },
            _ => None,
        }
    }

    /// The vendor and product, unquoted, when both are values.
    pub fn vendor_product(&self) -> Option<(String, String)> {
        match (&self.attributes[1], &self.attributes[2]) {
            (Attribute::Value(v), Attribute::Value(p)) => Some((v.unquoted(), p.unquoted())),
            _ => None,
        }
    }

    /// The version, unquoted, when it is a value.
    pub fn version(&self) -> Option<String> {
        match &self.attributes[3] {
            Attribute::Value(v) => Some(v.unquoted()),
            _ => None,
        }
    }

    /// A copy with another version attribute.
    pub fn with_version(&self, version: Attribute) -> Cpe {
        let mut c = self.clone();
        c.attributes[3] = version;
        c
    }

    /// The formatted-string binding (§6.2.2).
    pub fn to_formatted(&self) -> String {
        let mut out = String::from("cpe:2.3");
        for a in &self.attributes {
            out.push(':');
            match a {
                Attribute::Any => out.push('*'),
                Attribute::Na => out.push('-'),
                Attribute::Value(v) if v.as_wfn() == "\\-" => out.push_str("\\-"),
                Attribute::Value(v) => {
                    for (c, quoted) in v.chars() {
                        if quoted && !matches!(c, '.' | '-' | '_') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// The URI binding (§6.1.2), packing the extended attributes into the edition when
    /// any is set, trailing empty components trimmed.
    pub fn to_uri(&self) -> String {
        let a = &self.attributes;
        let extended = [&a[7], &a[8], &a[9], &a[10]].iter().any(|x| **x != Attribute::Any);
        let edition = if extended {
            format!(
                "~{}~{}~{}~{}~{}",
                bind_uri_value(&a[5]),
                bind_uri_value(&a[7]),
                bind_uri_value(&a[8]),
                bind_uri_value(&a[9]),
                bind_uri_value(&a[10])
            )
        } else {
            bind_uri_value(&a[5])
        };
        let comps = [
            bind_uri_value(&a[0]),
            bind_uri_value(&a[1]),
            bind_uri_value(&a[2]),
            bind_uri_value(&a[3]),
            bind_uri_value(&a[4]),
            edition,
            bind_uri_value(&a[6]),
        ];
        let mut out = format!("cpe:/{}", comps.join(":"));
        while out.ends_with(':') {
            out.pop();
        }
        out
    }
}

impl FromStr for Cpe {
    type Err = Error;

    /// Accepts either binding (`cpe:2.3:` or `cpe:/`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("cpe:/") || s.starts_with("CPE:/") { Cpe::parse_uri(s) } else { Cpe::parse_formatted(s) }
    }
}

impl fmt::Display for Cpe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_formatted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_table() {
        // (formatted string, URI)
        let cases = [
            ("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*", "cpe:/o:fortinet:fortios:7.2.4"),
            (
                "cpe:2.3:a:citrix:netscaler_gateway:13.1-49.15:*:*:*:*:*:*:*",
                "cpe:/a:citrix:netscaler_gateway:13.1-49.15",
            ),
            (
                "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_12:*:*:*:*:*:*",
                "cpe:/a:microsoft:exchange_server:2019:cumulative_update_12",
            ),
            ("cpe:2.3:h:fortinet:fortigate_6000:-:*:*:*:*:*:*:*", "cpe:/h:fortinet:fortigate_6000:-"),
            (
                "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
                "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~",
            ),
            (
                "cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*",
                "cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~",
            ),
            ("cpe:2.3:a:cisco:ios:12.2\\(33\\)sxi*:*:*:*:*:*:*:*", "cpe:/a:cisco:ios:12.2%2833%29sxi%02"),
            ("cpe:2.3:a:vendor:product:?1.0:*:*:*:*:*:*:*", "cpe:/a:vendor:product:%011.0"),
            // Regression (fuzz): a lone literal hyphen is not NA.
            ("cpe:2.3:a:f-:x:1:\\-:*:*:*:*:*:*", "cpe:/a:f-:x:1:%2d"),
        ];
        for (fs, uri) in cases {
            let a = Cpe::parse_formatted(fs).unwrap();
            assert_eq!(a.to_formatted(), fs);
            assert_eq!(a.to_uri(), uri, "{fs}");
            let b = Cpe::parse_uri(uri).unwrap();
            assert_eq!(b, a, "{uri}");
        }
    }

    #[test]
    fn errors_table() {
        let cases = [
            ("cpe:2.3:a:foo", "expected 11 attributes after \"cpe:2.3:\", found 2"),
            ("cpe:2.3:x:foo:bar:*:*:*:*:*:*:*:*", "part: expected 'a', 'o', 'h' or ANY"),
            (
                "cpe:2.3:a:foo:b*r:*:*:*:*:*:*:*:*",
                "product: expected '*' only at the start or end of a value, found '*' at character 1",
            ),
            ("cpe:2.3:a:foo:b?r:*:*:*:*:*:*:*:*", "product: expected '?' only in a run"),
            ("cpe:2.3:a:foo::*:*:*:*:*:*:*:*", "product: expected a value, '*' or '-', found an empty component"),
            ("cpe:2.3:a:foo:bar baz:*:*:*:*:*:*:*:*", "product: expected printable ASCII, found ' '"),
            ("cpe:/a:foo:b%zz", "product: expected two hex digits after '%'"),
            ("cpe:2.2:a:foo", "prefix: expected \"cpe:2.3:\""),
        ];
        for (input, want) in cases {
            let e = input.parse::<Cpe>().unwrap_err().to_string();
            assert!(e.contains(want), "{input}: {e}");
        }
    }
}
