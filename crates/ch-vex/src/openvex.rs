//! OpenVEX JSON: read 0.2.0 and the older 0.0.x shapes, write 0.2.0.
//!
//! Reading accepts, in any document:
//! - `vulnerability` as an object `{name, aliases}` (0.2.0) or a bare string (0.0.x);
//! - `products` as objects `{@id | identifiers, subcomponents}` (0.2.0) or bare strings
//!   (0.0.x); a product with only `identifiers` takes its id from `purl`, else `cpe23`,
//!   else `cpe22`; 0.0.x statement-level `subcomponents` go to every product;
//! - `version` as an integer or a string of digits (0.0.x wrote `"1"`);
//! - missing document `timestamp` and `version` (the older test documents have none).
//!
//! Members outside the model (`@id`, `last_updated`, `supplier`, `tooling`, `hashes`,
//! `action_statement_timestamp`, unknown members) are read past. Statements inherit the
//! document timestamp and author when they have none (spec, "Inheritance flow").
//! Types, status and justification labels, timestamps and the statement rules are
//! checked; the error names the JSON pointer.
//!
//! Writing produces exactly the 0.2.0 shape the OpenVEX JSON schema accepts, and refuses
//! (naming the place) what the schema would refuse: no document timestamp or version, no
//! statements, a blank author, an `@id` that is not an IRI, repeated products, aliases,
//! subcomponents or statements, and statements breaking the rules. Purls and other IRIs
//! are written as `@id`; CPEs as `identifiers.cpe23` / `identifiers.cpe22`.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Format};
use crate::json::{self, Obj, found, item, quoted};
use crate::model::{Justification, ProductRef, Status, VexDocument, VexStatement, VulnRef};

const F: Format = Format::OpenVex;

/// The `@context` written.
pub const CONTEXT_V0_2_0: &str = "https://openvex.dev/ns/v0.2.0";

/// Reads an OpenVEX JSON document.
pub fn parse(bytes: &[u8]) -> Result<VexDocument, Error> {
    let v = json::parse(bytes, F)?;
    let top = Obj::new(&v, "", F)?;
    let context = top.req_str("@context")?;
    if !context.starts_with("https://openvex.dev/ns") {
        return Err(top.err("@context", "an OpenVEX context https://openvex.dev/ns[/vX.Y.Z]", quoted(context)));
    }
    let id = top.req_str("@id")?.to_owned();
    let author = top.req_str("author")?.to_owned();
    let role = top.opt_str("role")?.map(str::to_owned);
    let timestamp = top.opt_timestamp("timestamp")?;
    let version = version(&top)?;
    let Some(items) = top.opt_array("statements")? else {
        return Err(top.err("statements", "an array of statements", "no such member"));
    };
    if items.is_empty() {
        return Err(top.err("statements", "at least one statement", "an empty array"));
    }
    let base = top.at("statements");
    let mut statements = Vec::with_capacity(items.len());
    for (i, s) in items.iter().enumerate() {
        let place = item(&base, i);
        let mut st = statement(Obj::new(s, &place, F)?)?;
        st.timestamp = st.timestamp.or(timestamp);
        st.author = Some(author.clone());
        if let Some((field, expected, found)) = st.violation() {
            return Err(Error::invalid(F, json::child(&place, field), expected, found));
        }
        statements.push(st);
    }
    Ok(VexDocument { id, author, role, timestamp, version, statements })
}

fn version(top: &Obj<'_>) -> Result<Option<u64>, Error> {
    let expected = "an integer from 1 (or, in 0.0.x documents, a string of one)";
    match top.get("version") {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v >= 1 => Ok(Some(v)),
            _ => Err(top.err("version", expected, format!("a number ({n})"))),
        },
        Some(Value::String(s)) => match s.parse::<u64>() {
            Ok(v) if v >= 1 => Ok(Some(v)),
            _ => Err(top.err("version", expected, quoted(s))),
        },
        Some(other) => Err(top.err("version", expected, found(other))),
    }
}

fn statement(o: Obj<'_>) -> Result<VexStatement, Error> {
    let vulnerability = match o.get("vulnerability") {
        Some(Value::String(name)) => VulnRef { id: name.clone(), aliases: Vec::new() },
        Some(v @ Value::Object(_)) => {
            let place = o.at("vulnerability");
            let vo = Obj::new(v, &place, F)?;
            VulnRef { id: vo.req_str("name")?.to_owned(), aliases: vo.opt_strings("aliases")? }
        }
        Some(other) => {
            return Err(o.err("vulnerability", "an object {name, aliases} (or a string in 0.0.x)", found(other)));
        }
        None => return Err(o.err("vulnerability", "an object {name, aliases}", "no such member")),
    };
    let status_text = o.req_str("status")?;
    let status = status_text.parse::<Status>().map_err(|labels| o.err("status", labels, quoted(status_text)))?;
    let justification = match o.opt_str("justification")? {
        None => None,
        Some(j) => Some(j.parse::<Justification>().map_err(|labels| o.err("justification", labels, quoted(j)))?),
    };
    // 0.0.x: subcomponents listed beside the products apply to each of them.
    let shared_subs = match o.opt_array("subcomponents")? {
        None => Vec::new(),
        Some(items) => components(items, &o.at("subcomponents"))?,
    };
    let mut products = Vec::new();
    if let Some(items) = o.opt_array("products")? {
        let base = o.at("products");
        for (i, p) in items.iter().enumerate() {
            let place = item(&base, i);
            let mut product = match p {
                Value::String(s) => ProductRef { id: s.clone(), subcomponents: Vec::new() },
                Value::Object(_) => {
                    let po = Obj::new(p, &place, F)?;
                    let subcomponents = match po.opt_array("subcomponents")? {
                        None => Vec::new(),
                        Some(items) => components(items, &po.at("subcomponents"))?,
                    };
                    ProductRef { id: component_id(po)?, subcomponents }
                }
                other => return Err(Error::invalid(F, place, "a product object (or a string in 0.0.x)", found(other))),
            };
            product.subcomponents.extend(shared_subs.iter().cloned());
            products.push(product);
        }
    }
    Ok(VexStatement {
        vulnerability,
        products,
        status,
        justification,
        impact_statement: o.opt_str("impact_statement")?.map(str::to_owned),
        action_statement: o.opt_str("action_statement")?.map(str::to_owned),
        status_notes: o.opt_str("status_notes")?.map(str::to_owned),
        timestamp: o.opt_timestamp("timestamp")?,
        author: None,
    })
}

fn components(items: &[Value], base: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::with_capacity(items.len());
    for (i, c) in items.iter().enumerate() {
        let place = item(base, i);
        out.push(match c {
            Value::String(s) => s.clone(),
            Value::Object(_) => component_id(Obj::new(c, &place, F)?)?,
            other => return Err(Error::invalid(F, place, "a component object (or a string in 0.0.x)", found(other))),
        });
    }
    Ok(out)
}

/// `@id`, else `identifiers.purl`, `cpe23`, `cpe22`.
fn component_id(o: Obj<'_>) -> Result<String, Error> {
    if let Some(id) = o.opt_str("@id")? {
        return Ok(id.to_owned());
    }
    if let Some(ids) = o.get("identifiers") {
        let place = o.at("identifiers");
        let io = Obj::new(ids, &place, F)?;
        for key in ["purl", "cpe23", "cpe22"] {
            if let Some(id) = io.opt_str(key)? {
                return Ok(id.to_owned());
            }
        }
        return Err(Error::invalid(F, place, "a purl, cpe23 or cpe22 identifier", "none of them"));
    }
    Err(Error::invalid(F, o.place, "@id or identifiers", "neither"))
}

#[derive(Serialize)]
struct OutDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
    author: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    timestamp: String,
    version: u64,
    statements: Vec<OutStatement<'a>>,
}

#[derive(Serialize, PartialEq)]
struct OutStatement<'a> {
    vulnerability: OutVuln<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    products: Vec<OutComponent<'a>>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_notes: Option<&'a str>,
}

#[derive(Serialize, PartialEq)]
struct OutVuln<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<&'a str>,
}

#[derive(Serialize, PartialEq)]
struct OutComponent<'a> {
    #[serde(rename = "@id", skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifiers: Option<OutIdentifiers<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subcomponents: Vec<OutComponent<'a>>,
}

#[derive(Serialize, PartialEq)]
struct OutIdentifiers<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe22: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe23: Option<&'a str>,
}

/// Writes the document as OpenVEX 0.2.0 JSON (pretty-printed).
pub fn emit(doc: &VexDocument) -> Result<String, Error> {
    doc.check()?;
    if !is_iri(&doc.id) {
        return Err(Error::invalid(F, "/@id", "an IRI", quoted(&doc.id)));
    }
    if doc.author.trim().is_empty() {
        return Err(Error::invalid(F, "/author", "the author (an individual or organisation)", quoted(&doc.author)));
    }
    let timestamp = doc
        .timestamp
        .ok_or_else(|| Error::invalid(F, "/timestamp", "the time the document was issued", "none"))?
        .to_string();
    let version = doc.version.ok_or_else(|| Error::invalid(F, "/version", "the document version", "none"))?;
    if version == 0 {
        return Err(Error::invalid(F, "/version", "a version from 1", "0"));
    }
    if doc.statements.is_empty() {
        return Err(Error::invalid(F, "/statements", "at least one statement", "none"));
    }
    let mut statements: Vec<OutStatement<'_>> = Vec::with_capacity(doc.statements.len());
    for (i, s) in doc.statements.iter().enumerate() {
        let place = format!("/statements/{i}");
        let out = out_statement(s, &place)?;
        if statements.contains(&out) {
            return Err(Error::invalid(F, place, "each statement once", "a repeat of an earlier statement"));
        }
        statements.push(out);
    }
    let out = OutDoc {
        context: CONTEXT_V0_2_0,
        id: &doc.id,
        author: &doc.author,
        role: doc.role.as_deref(),
        timestamp,
        version,
        statements,
    };
    serde_json::to_string_pretty(&out)
        .map_err(|e| Error::invalid(F, "", "a document serde_json can write", e.to_string()))
}

fn out_statement<'a>(s: &'a VexStatement, place: &str) -> Result<OutStatement<'a>, Error> {
    let aliases =
        unique(s.vulnerability.aliases.iter().map(String::as_str), &format!("{place}/vulnerability/aliases"))?;
    let mut products: Vec<OutComponent<'a>> = Vec::with_capacity(s.products.len());
    for (j, p) in s.products.iter().enumerate() {
        let pplace = format!("{place}/products/{j}");
        let mut c = out_component(&p.id, &pplace)?;
        for (k, sub) in p.subcomponents.iter().enumerate() {
            let sc = out_component(sub, &format!("{pplace}/subcomponents/{k}"))?;
            if c.subcomponents.contains(&sc) {
                return Err(Error::invalid(
                    F,
                    format!("{pplace}/subcomponents/{k}"),
                    "each subcomponent once",
                    quoted(sub),
                ));
            }
            c.subcomponents.push(sc);
        }
        if products.contains(&c) {
            return Err(Error::invalid(F, pplace, "each product once", quoted(&p.id)));
        }
        products.push(c);
    }
    Ok(OutStatement {
        vulnerability: OutVuln { name: &s.vulnerability.id, aliases },
        timestamp: s.timestamp.map(|t| t.to_string()),
        products,
        status: s.status.as_str(),
        justification: s.justification.map(Justification::as_str),
        impact_statement: s.impact_statement.as_deref(),
        action_statement: s.action_statement.as_deref(),
        status_notes: s.status_notes.as_deref(),
    })
}

fn unique<'a>(items: impl Iterator<Item = &'a str>, place: &str) -> Result<Vec<&'a str>, Error> {
    let mut out: Vec<&str> = Vec::new();
    for (i, s) in items.enumerate() {
        if out.contains(&s) {
            return Err(Error::invalid(F, format!("{place}/{i}"), "each alias once", quoted(s)));
        }
        out.push(s);
    }
    Ok(out)
}

fn out_component<'a>(id: &'a str, place: &str) -> Result<OutComponent<'a>, Error> {
    let none = OutComponent { id: None, identifiers: None, subcomponents: Vec::new() };
    if id.starts_with("cpe:2.3:") {
        return Ok(OutComponent { identifiers: Some(OutIdentifiers { cpe22: None, cpe23: Some(id) }), ..none });
    }
    if id.starts_with("cpe:/") {
        return Ok(OutComponent { identifiers: Some(OutIdentifiers { cpe22: Some(id), cpe23: None }), ..none });
    }
    if !is_iri(id) {
        return Err(Error::invalid(
            F,
            format!("{place}/@id"),
            "an IRI (a purl, a CPE or another scheme:... name)",
            quoted(id),
        ));
    }
    Ok(OutComponent { id: Some(id), ..none })
}

/// An absolute IRI (RFC 3987): a scheme, `:`, and no characters IRIs exclude.
pub(crate) fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| {
            c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
        && percent_escapes_ok(s)
}

fn percent_escapes_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().filter(|(_, c)| **c == b'%').all(|(i, _)| {
        b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(statements: &str) -> String {
        format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "Acme",
               "timestamp": "2023-01-08T18:02:03Z", "version": 1, "statements": {statements}}}"#
        )
    }

    #[test]
    fn negative_cases_name_the_place() {
        let cases = [
            (
                r#"[{"vulnerability": {"name": "CVE-1"}, "status": "not_affected"}]"#,
                "/statements/0/justification",
                "a justification or an impact_statement",
            ),
            (
                r#"[{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}, {"vulnerability": {"name": "CVE-2"}, "status": "affected"}]"#,
                "/statements/1/action_statement",
                "an action_statement",
            ),
            (
                r#"[{"vulnerability": {"name": "CVE-1"}, "status": "exploitable"}]"#,
                "/statements/0/status",
                "one of not_affected, affected",
            ),
            (
                r#"[{"vulnerability": {"name": "CVE-1"}, "status": "not_affected", "justification": "code_not_reachable"}]"#,
                "/statements/0/justification",
                "one of component_not_present",
            ),
            (
                r#"[{"vulnerability": 7, "status": "fixed"}]"#,
                "/statements/0/vulnerability",
                "an object {name, aliases}",
            ),
            (
                r#"[{"vulnerability": {"id": "CVE-1"}, "status": "fixed"}]"#,
                "/statements/0/vulnerability/name",
                "a string",
            ),
            (
                r#"[{"vulnerability": {"name": "CVE-1", "aliases": ["a", 2]}, "status": "fixed"}]"#,
                "/statements/0/vulnerability/aliases/1",
                "a string",
            ),
            (
                r#"[{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{"hashes": {}}]}]"#,
                "/statements/0/products/0",
                "@id or identifiers",
            ),
            (
                r#"[{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{"@id": "pkg:a/b", "subcomponents": [true]}]}]"#,
                "/statements/0/products/0/subcomponents/0",
                "a component object",
            ),
            (
                r#"[{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "timestamp": "yesterday"}]"#,
                "/statements/0/timestamp",
                "an RFC 3339 date-time",
            ),
            (r#"[{"vulnerability": {"name": "CVE-1"}, "status": 3}]"#, "/statements/0/status", "a string"),
            (r#"[]"#, "/statements", "at least one statement"),
            (r#"{}"#, "/statements", "an array"),
        ];
        for (statements, place, expected) in cases {
            let e = parse(doc(statements).as_bytes()).unwrap_err();
            assert_eq!(e.place(), place, "{statements}: {e}");
            assert!(e.to_string().contains(&format!("expected {expected}")), "{statements}: {e}");
        }
        let e =
            parse(br#"{"@context": "https://example.com", "@id": "x", "author": "a", "statements": []}"#).unwrap_err();
        assert_eq!(e.place(), "/@context");
        let e = parse(
            br#"{"@context": "https://openvex.dev/ns", "@id": "x", "author": "a", "version": "one", "statements": []}"#,
        )
        .unwrap_err();
        assert_eq!(e.place(), "/version");
        assert!(matches!(parse(b"{\"a\": "), Err(Error::Syntax { .. })));
        assert_eq!(parse(b"[]").unwrap_err().place(), "");
    }

    #[test]
    fn old_shapes_and_identifiers() {
        let d = parse(
            br#"{"@context": "https://openvex.dev/ns", "@id": "my-doc", "author": "A", "version": "2", "statements": [
                {"vulnerability": "CVE-1", "products": ["pkg:apk/wolfi/git@1", {"identifiers": {"cpe23": "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*"}}],
                 "subcomponents": ["pkg:apk/wolfi/zlib@1"], "status": "fixed"}]}"#,
        )
        .unwrap();
        assert_eq!(d.version, Some(2));
        let s = &d.statements[0];
        assert_eq!(s.vulnerability.id, "CVE-1");
        assert_eq!(s.products[0].subcomponents, ["pkg:apk/wolfi/zlib@1"]);
        assert_eq!(s.products[1].id, "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*");
        assert_eq!(s.author.as_deref(), Some("A"));
        assert_eq!(s.timestamp, None);
    }

    #[test]
    fn emit_refuses_what_the_schema_refuses() {
        let base = parse(
            doc(r#"[{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a@1"}], "status": "fixed"}]"#)
                .as_bytes(),
        )
        .unwrap();
        type Edit = fn(&mut VexDocument);
        let cases: [(Edit, &str); 9] = [
            (|d| d.timestamp = None, "/timestamp"),
            (|d| d.version = None, "/version"),
            (|d| d.id = "my-doc".into(), "/@id"),
            (|d| d.author = " ".into(), "/author"),
            (|d| d.statements.clear(), "/statements"),
            (|d| d.statements[0].products[0].id = "nginx".into(), "/statements/0/products/0/@id"),
            (|d| d.statements[0].status = Status::Affected, "/statements/0/action_statement"),
            (|d| d.statements.push(d.statements[0].clone()), "/statements/1"),
            (
                |d| d.statements[0].vulnerability.aliases = vec!["A".into(), "A".into()],
                "/statements/0/vulnerability/aliases/1",
            ),
        ];
        assert!(emit(&base).is_ok());
        for (f, place) in cases {
            let mut d = base.clone();
            f(&mut d);
            assert_eq!(emit(&d).unwrap_err().place(), place);
        }
    }

    #[test]
    fn cpes_are_written_as_identifiers() {
        let mut d = parse(doc(r#"[{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}]"#).as_bytes()).unwrap();
        d.statements[0].products =
            vec![ProductRef { id: "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*".into(), subcomponents: vec!["cpe:/a:x:z:2".into()] }];
        let text = emit(&d).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["statements"][0]["products"][0]["identifiers"]["cpe23"], "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*");
        assert_eq!(v["statements"][0]["products"][0]["subcomponents"][0]["identifiers"]["cpe22"], "cpe:/a:x:z:2");
        assert_eq!(parse(text.as_bytes()).unwrap(), d);
    }

    #[test]
    fn iris_table() {
        let cases = [
            ("pkg:npm/a@1", true),
            ("https://openvex.dev/docs/public/vex-1", true),
            ("urn:cdx:3e67/1#product-ABC", true),
            ("pkg:oci/nginx@sha256%3A13d2", true),
            ("nginx", false),
            ("registry.k8s.io/kube-apiserver:v1.26.0", false),
            ("my-vexdoc2", false),
            ("a b:c", false),
            ("1x:y", false),
            ("x:", false),
            ("x:%zz", false),
        ];
        for (s, want) in cases {
            assert_eq!(is_iri(s), want, "{s}");
        }
    }
}
