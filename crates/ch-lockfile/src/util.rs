//! Shared helpers: decoding, JSON/YAML/TOML entry with located errors, and
//! component construction with a derived purl.

use ch_inventory::error::{json_error, non_empty, utf8};
use ch_inventory::{Component, Error, Format, Location, Origin, purl_for};
use serde_json::{Map, Value};

/// The file and format being read, for errors and origins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
    pub(crate) format: Format,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(file: &'a str, format: Format) -> Self {
        Ctx { file, format }
    }

    pub(crate) fn text<'b>(&self, bytes: &'b [u8]) -> Result<&'b str, Error> {
        utf8(bytes, self.file, self.format)
    }

    /// Text that must not be blank.
    pub(crate) fn text_non_empty<'b>(&self, bytes: &'b [u8]) -> Result<&'b str, Error> {
        let text = self.text(bytes)?;
        non_empty(text, self.file, self.format)?;
        Ok(text)
    }

    pub(crate) fn at(
        &self,
        line: usize,
        column: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Error {
        Error::syntax(self.file, self.format, Location::at(line, column), expected, found)
    }

    pub(crate) fn ptr(&self, pointer: &str, expected: impl Into<String>, found: impl Into<String>) -> Error {
        let location = if pointer.is_empty() {
            // The document itself: say where it starts.
            Location { pointer: Some(String::new()), ..Location::at(1, 1) }
        } else {
            Location::pointer(pointer)
        };
        Error::syntax(self.file, self.format, location, expected, found)
    }

    pub(crate) fn origin_line(&self, line: usize) -> Origin {
        Origin::line(self.file, line)
    }

    pub(crate) fn origin_ptr(&self, pointer: impl Into<String>) -> Origin {
        Origin::pointer(self.file, pointer)
    }

    /// A component with a purl derived from the ecosystem.
    pub(crate) fn component(&self, name: &str, version: Option<&str>, ecosystem: &str, origin: Origin) -> Component {
        let mut c = Component::new(name, version.map(str::to_owned), Some(ecosystem), origin);
        c.purl = purl_for(ecosystem, name, version);
        c
    }

    /// Parse JSON (a blank document is [`Error::Empty`]).
    pub(crate) fn json(&self, bytes: &[u8]) -> Result<Value, Error> {
        let text = self.text_non_empty(bytes)?;
        serde_json::from_str(text).map_err(|e| json_error(text, self.file, self.format, &e, None))
    }

    /// The top-level JSON object.
    pub(crate) fn json_object(&self, bytes: &[u8]) -> Result<Map<String, Value>, Error> {
        match self.json(bytes)? {
            Value::Object(m) => Ok(m),
            other => Err(self.ptr("", format!("a JSON object ({})", self.format.describe()), kind(&other))),
        }
    }

    /// Parse YAML into a JSON value.
    pub(crate) fn yaml(&self, bytes: &[u8]) -> Result<Value, Error> {
        let text = self.text(bytes)?;
        let value: Option<Value> = serde_saphyr::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (to_usize(l.line()), to_usize(l.column())));
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("").trim();
            let first = first.split(" at line ").next().unwrap_or(first).trim_start_matches("error: ").to_owned();
            self.at(line.max(1), column.max(1), "valid YAML", first)
        })?;
        Ok(value.unwrap_or(Value::Null))
    }

    /// Parse TOML into a JSON value.
    pub(crate) fn toml(&self, bytes: &[u8]) -> Result<Value, Error> {
        let text = self.text(bytes)?;
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let loc = e.span().map_or_else(|| Location::line(1), |s| Location::of_offset(text, s.start));
            let found = ch_inventory::error::found_at(text, e.span().map_or(0, |s| s.start));
            let message = e.message().trim();
            let expected = match message.split_once(", expected ") {
                Some((what, expected)) => format!("{expected} ({what})"),
                None => format!("valid TOML ({message})"),
            };
            Error::syntax(self.file, self.format, loc, expected, found)
        })?;
        serde_json::to_value(table).map_err(|e| self.ptr("", "TOML values representable as JSON", e.to_string()))
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A top-level YAML/JSON value that is not the expected mapping: quote
/// short scalars so the operator sees what was read.
pub(crate) fn describe_top(v: &Value) -> String {
    match v {
        Value::Null => "an empty document".to_owned(),
        Value::String(s) => format!("the text `{}`", s.chars().take(40).collect::<String>()),
        other => kind(other).to_owned(),
    }
}

/// "an object", "a string", ...
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// JSON pointer segment escaping (RFC 6901).
pub(crate) fn esc(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A string field.
pub(crate) fn s<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// An optional object field: absent or null is empty, another type is an error.
pub(crate) fn opt_obj<'v>(
    ctx: &Ctx<'_>,
    v: &'v Value,
    key: &str,
    pointer: &str,
) -> Result<Option<&'v Map<String, Value>>, Error> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(ctx.ptr(&format!("{pointer}/{}", esc(key)), "an object", kind(other))),
    }
}

/// An optional array field.
pub(crate) fn opt_arr<'v>(ctx: &Ctx<'_>, v: &'v Value, key: &str, pointer: &str) -> Result<&'v [Value], Error> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(ctx.ptr(&format!("{pointer}/{}", esc(key)), "an array", kind(other))),
    }
}

/// Does this look like a concrete version (`1.2.3`, `v1.2`), rather than a
/// tag, a range or a commit hash?
pub(crate) fn looks_like_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    v.chars().next().is_some_and(|c| c.is_ascii_digit()) && v.contains('.')
}

/// Split `name@version` at the last `@` that is not the first character.
pub(crate) fn split_at_version(spec: &str) -> Option<(&str, &str)> {
    let idx = spec.get(1..)?.rfind('@')? + 1;
    Some((spec.get(..idx)?, spec.get(idx + 1..)?))
}

/// Remove JSONC comments and trailing commas (bun.lock), keeping line breaks
/// so error positions stay right.
pub(crate) fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ',' => {
                // Drop the comma when only whitespace separates it from a closer.
                let rest: String = chars.clone().take_while(|n| n.is_whitespace()).collect();
                let next = chars.clone().find(|n| !n.is_whitespace());
                if matches!(next, Some('}' | ']')) {
                    out.push(' ');
                    let _ = rest;
                } else {
                    out.push(',');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(split_at_version("@babel/core@7.0.0"), Some(("@babel/core", "7.0.0")));
        assert_eq!(split_at_version("lodash@4"), Some(("lodash", "4")));
        assert_eq!(split_at_version("@scope"), None);
        assert!(looks_like_version("v1.2.3"));
        assert!(!looks_like_version("latest"));
        assert!(!looks_like_version("6104ae42cd32c3d724036d3964678f197b2c9cdb"));
        let v: Value =
            serde_json::from_str(&strip_jsonc("{\"a\": [1, 2,], // c\n \"b\": \"x,//\",\n}")).expect("jsonc");
        assert_eq!(v["b"], "x,//");
    }
}
