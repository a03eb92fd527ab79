//! Walking a `serde_json::Value` with the JSON pointer of each step, so that every
//! complaint names its place and says what was expected and what was found.

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::error::{Error, Format};

/// The bytes as a JSON value (syntax errors carry line and column).
pub(crate) fn parse(bytes: &[u8], format: Format) -> Result<Value, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::syntax(format, &e))
}

/// `base` extended by one reference token (RFC 6901 escaping).
pub(crate) fn child(base: &str, token: &str) -> String {
    format!("{base}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// `base` extended by an array index.
pub(crate) fn item(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

/// What a value is, for "found ..." (strings shown quoted and shortened).
pub(crate) fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => quoted(s),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A string for messages: quoted, at most 80 characters.
pub(crate) fn quoted(s: &str) -> String {
    if s.chars().count() > 80 {
        let short: String = s.chars().take(77).collect();
        format!("{:?}", format!("{short}..."))
    } else {
        format!("{s:?}")
    }
}

/// A JSON object and its place.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) place: &'a str,
    pub(crate) format: Format,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(v: &'a Value, place: &'a str, format: Format) -> Result<Obj<'a>, Error> {
        match v {
            Value::Object(map) => Ok(Obj { map, place, format }),
            other => Err(Error::invalid(format, place, "an object", found(other))),
        }
    }

    pub(crate) fn at(&self, key: &str) -> String {
        child(self.place, key)
    }

    pub(crate) fn err(&self, key: &str, expected: impl Into<String>, found: impl Into<String>) -> Error {
        Error::invalid(self.format, self.at(key), expected, found)
    }

    /// The member, with JSON `null` read as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(key, "a string", found(other))),
        }
    }

    pub(crate) fn req_str(&self, key: &str) -> Result<&'a str, Error> {
        self.opt_str(key)?.ok_or_else(|| self.err(key, "a string", "no such member"))
    }

    pub(crate) fn opt_array(&self, key: &str) -> Result<Option<&'a [Value]>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(self.err(key, "an array", found(other))),
        }
    }

    /// An RFC 3339 date-time (the OpenVEX and CycloneDX `date-time` format).
    pub(crate) fn opt_timestamp(&self, key: &str) -> Result<Option<Timestamp>, Error> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => s
                .parse::<Timestamp>()
                .map(Some)
                .map_err(|_| self.err(key, "an RFC 3339 date-time with an offset", quoted(s))),
        }
    }

    /// A list of strings.
    pub(crate) fn opt_strings(&self, key: &str) -> Result<Vec<String>, Error> {
        let Some(items) = self.opt_array(key)? else { return Ok(Vec::new()) };
        let place = self.at(key);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(Error::invalid(self.format, item(&place, i), "a string", found(other))),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tokens() {
        assert_eq!(child("", "@id"), "/@id");
        assert_eq!(child("/a", "b/c~d"), "/a/b~1c~0d");
        assert_eq!(item("/s", 3), "/s/3");
    }

    #[test]
    fn found_describes_values() {
        let cases = [
            (serde_json::json!(null), "null"),
            (serde_json::json!(3), "a number (3)"),
            (serde_json::json!("x"), "\"x\""),
            (serde_json::json!([]), "an array"),
            (serde_json::json!({}), "an object"),
            (serde_json::json!(true), "a boolean (true)"),
        ];
        for (v, want) in cases {
            assert_eq!(found(&v), want);
        }
        assert!(quoted(&"y".repeat(200)).len() < 90);
    }

    #[test]
    fn members_are_typed() {
        let v = serde_json::json!({"s": "x", "n": 1, "z": null, "t": "2023-01-01T00:00:00Z", "bad": "yesterday"});
        let o = Obj::new(&v, "", Format::OpenVex).unwrap();
        assert_eq!(o.opt_str("s").unwrap(), Some("x"));
        assert_eq!(o.opt_str("z").unwrap(), None);
        assert_eq!(o.req_str("n").unwrap_err().place(), "/n");
        assert!(o.opt_timestamp("t").unwrap().is_some());
        assert_eq!(o.opt_timestamp("bad").unwrap_err().place(), "/bad");
        assert!(Obj::new(&serde_json::json!([]), "/x", Format::OpenVex).is_err());
    }
}
