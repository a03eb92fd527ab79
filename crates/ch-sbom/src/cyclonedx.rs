//! CycloneDX 1.2-1.6, JSON and XML (1.1-1.6), into components.
//!
//! Our own lenient model: both encodings become one JSON-shaped tree (XML is
//! mapped with the JSON encoding's names: `<components><component>` becomes
//! `components: [...]`, `<hash alg>` becomes `{alg, content}`, nested
//! `<dependency>` becomes `{ref, dependsOn}`), then one validator checks the
//! rules of the official schemas that the spec's `invalid-*` tests exercise
//! (enums, required names, hash patterns, licence choice, unique non-empty
//! `bom-ref`, serial number and timestamp patterns), and one walker emits
//! components. Unknown fields are ignored. Components of type `data` and
//! `cryptographic-asset` are not software and are skipped.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ch_inventory::error::{LineIndex, json_error, non_empty, utf8};
use ch_inventory::{Component, Dependency, Error, Format, Inventory, Location, Origin, WarningKind, parse_purl};
use serde_json::{Map, Value};

use crate::xml::{self, Element};

/// Read a CycloneDX JSON document.
pub fn read_json(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let format = Format::CycloneDxJson;
    let text = utf8(bytes, file, format)?;
    non_empty(text, file, format)?;
    let bom: Value = serde_json::from_str(text).map_err(|e| json_error(text, file, format, &e, None))?;
    let ctx = Ctx { file, format, positions: None, text, lines: LineIndex::default() };
    let Some(obj) = bom.as_object() else {
        return Err(ctx.err("", "a JSON object with `bomFormat`", kind(&bom)));
    };
    match obj.get("bomFormat") {
        Some(Value::String(s)) if s == "CycloneDX" => {}
        Some(other) => {
            return Err(ctx.err("/bomFormat", "`\"CycloneDX\"`", describe(other)));
        }
        None => return Err(ctx.err("", "field `bomFormat`", "an object without it")),
    }
    let spec = match obj.get("specVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(ctx.err("/specVersion", "a string such as \"1.6\"", describe(other)));
        }
        None => return Err(ctx.err("", "field `specVersion`", "an object without it")),
    };
    if !matches!(spec.as_str(), "1.0" | "1.1" | "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7") {
        return Err(Error::Unsupported {
            file: file.to_owned(),
            format,
            expected: "CycloneDX specVersion 1.2 to 1.6".to_owned(),
            found: format!("specVersion {spec:?}"),
        });
    }
    ctx.validate(&bom)?;
    Ok(ctx.components(&bom))
}

/// Read a CycloneDX XML document.
pub fn read_xml(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let format = Format::CycloneDxXml;
    let text = utf8(bytes, file, format)?;
    let root = xml::parse(text, file, format)?;
    let ctx0 = Ctx { file, format, positions: None, text, lines: LineIndex::new(text) };
    if root.local() != "bom" {
        return Err(Error::syntax(
            file,
            format,
            Location::of_offset(text, root.offset),
            "a `<bom>` root element",
            format!("`<{}>`", root.name),
        ));
    }
    let ns = root.attr("xmlns").unwrap_or("");
    let version = ns.strip_prefix("http://cyclonedx.org/schema/bom/");
    if !matches!(version, Some("1.0" | "1.1" | "1.2" | "1.3" | "1.4" | "1.5" | "1.6")) {
        return Err(Error::syntax(
            file,
            format,
            Location::of_offset(text, root.offset),
            "namespace http://cyclonedx.org/schema/bom/1.x (1.0 to 1.6)",
            if ns.is_empty() { "no namespace".to_owned() } else { format!("`{ns}`") },
        ));
    }
    let mut positions = HashMap::new();
    let mut bom = to_value(&root, "", &mut positions)?;
    if let Value::Object(map) = &mut bom {
        map.insert("bomFormat".into(), Value::String("CycloneDX".into()));
    }
    let ctx = Ctx { positions: Some(positions), ..ctx0 };
    ctx.validate(&bom)?;
    Ok(ctx.components(&bom))
}

struct Ctx<'a> {
    file: &'a str,
    format: Format,
    /// For XML: pointer -> byte offset of the element it came from.
    positions: Option<HashMap<String, usize>>,
    text: &'a str,
    lines: LineIndex,
}

/// XML containers whose children become a JSON array.
const CONTAINERS: &[&str] = &[
    "components",
    "services",
    "hashes",
    "properties",
    "externalReferences",
    "patches",
    "resolves",
    "ancestors",
    "descendants",
    "variants",
    "commits",
    "authors",
    "endpoints",
    "data",
    "vulnerabilities",
    "tags",
    "lifecycles",
    "annotations",
];

fn to_value(el: &Element, pointer: &str, positions: &mut HashMap<String, usize>) -> Result<Value, Error> {
    positions.insert(pointer.to_owned(), el.offset);
    let local = el.local();
    let own: Vec<&Element> = el.children.iter().filter(|c| !c.name.contains(':')).collect();
    if local == "licenses" {
        let mut out = Vec::new();
        for (i, child) in own.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            let key = child.local();
            let inner = if key == "expression" {
                let mut m = Map::new();
                m.insert("expression".into(), Value::String(child.text.trim().to_owned()));
                for (k, v) in &child.attributes {
                    m.insert(k.clone(), Value::String(v.clone()));
                }
                positions.insert(p.clone(), child.offset);
                Value::Object(m)
            } else {
                let v = to_value(child, &format!("{p}/{key}"), positions)?;
                let mut m = Map::new();
                m.insert(key.to_owned(), v);
                positions.insert(p, child.offset);
                Value::Object(m)
            };
            out.push(inner);
        }
        return Ok(Value::Array(out));
    }
    if local == "dependencies" {
        let mut out = Vec::new();
        for child in &own {
            flatten_dependency(child, &mut out, pointer, positions);
        }
        return Ok(Value::Array(out));
    }
    if CONTAINERS.contains(&local) {
        let mut out = Vec::new();
        for (i, child) in own.iter().enumerate() {
            out.push(to_value(child, &format!("{pointer}/{i}"), positions)?);
        }
        return Ok(Value::Array(out));
    }
    let attrs: Vec<&(String, String)> =
        el.attributes.iter().filter(|(k, _)| !k.starts_with("xmlns") && !k.contains(':')).collect();
    if own.is_empty() && attrs.is_empty() {
        return Ok(Value::String(el.text.trim().to_owned()));
    }
    let mut map = Map::new();
    for (k, v) in attrs {
        map.insert(k.clone(), Value::String(v.clone()));
    }
    let text = el.text.trim();
    if !text.is_empty() {
        let key = if local == "property" { "value" } else { "content" };
        map.insert(key.into(), Value::String(text.to_owned()));
    }
    for child in own {
        let key = child.local().to_owned();
        let p = format!("{pointer}/{key}");
        let v = to_value(child, &p, positions)?;
        match map.get_mut(&key) {
            // A repeated element where the JSON encoding has one value
            // (e.g. two `<id>` in one `<license>`): keep both, the validator
            // reports "expected one ..., found 2".
            Some(Value::Array(items)) if key != "components" => items.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
            None => {
                map.insert(key, v);
            }
        }
    }
    Ok(Value::Object(map))
}

fn flatten_dependency(el: &Element, out: &mut Vec<Value>, pointer: &str, positions: &mut HashMap<String, usize>) {
    let index = out.len();
    let mut map = Map::new();
    if let Some(r) = el.attr("ref") {
        map.insert("ref".into(), Value::String(r.to_owned()));
    }
    let mut depends = Vec::new();
    for child in el.children.iter().filter(|c| c.local() == "dependency") {
        if let Some(r) = child.attr("ref") {
            depends.push(Value::String(r.to_owned()));
        }
    }
    map.insert("dependsOn".into(), Value::Array(depends));
    positions.insert(format!("{pointer}/{index}"), el.offset);
    out.push(Value::Object(map));
    // Nested entries with their own children are dependencies too.
    for child in el.children.iter().filter(|c| c.local() == "dependency") {
        if child.children.iter().any(|c| c.local() == "dependency") {
            flatten_dependency(child, out, pointer, positions);
        }
    }
}

const COMPONENT_TYPES: &[&str] = &[
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];
const SCOPES: &[&str] = &["required", "optional", "excluded"];
const PATCH_TYPES: &[&str] = &["unofficial", "monkey", "backport", "cherry-pick"];
const ISSUE_TYPES: &[&str] = &["defect", "enhancement", "security"];
const FLOWS: &[&str] = &["inbound", "outbound", "bi-directional", "unknown"];

fn hash_len(alg: &str) -> Option<&'static [usize]> {
    Some(match alg {
        "MD5" => &[32],
        "SHA-1" => &[40],
        "SHA-256" | "SHA3-256" | "BLAKE2b-256" => &[64],
        "SHA-384" | "SHA3-384" | "BLAKE2b-384" => &[96],
        "SHA-512" | "SHA3-512" | "BLAKE2b-512" => &[128],
        // BLAKE3 has no fixed length in the schema: any hex.
        "BLAKE3" => &[],
        _ => return None,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "an empty string".to_owned(),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            format!("{short:?}")
        }
        Value::Array(a) if a.len() > 1 => format!("{} values", a.len()),
        other => kind(other).to_owned(),
    }
}

fn is_uuid_urn(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = rest.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_date_time(s: &str) -> bool {
    // RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM).
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19))
    {
        return false;
    }
    let mut rest = s.get(19..).unwrap_or("");
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.chars().take_while(char::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = frac.get(n..).unwrap_or("");
    }
    if rest.eq_ignore_ascii_case("z") {
        return true;
    }
    let tz = rest.as_bytes();
    tz.len() == 6
        && matches!(tz.first(), Some(b'+' | b'-'))
        && tz.get(1..3).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && tz.get(3) == Some(&b':')
        && tz.get(4..6).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

impl Ctx<'_> {
    fn err(&self, pointer: &str, expected: impl Into<String>, found: impl Into<String>) -> Error {
        let mut location = Location::pointer(pointer);
        if let Some(positions) = &self.positions {
            // The nearest element we know the place of.
            let mut p = pointer;
            loop {
                if let Some(&offset) = positions.get(p) {
                    location = Location { pointer: Some(pointer.to_owned()), ..self.lines.location(self.text, offset) };
                    break;
                }
                match p.rfind('/') {
                    Some(i) => p = p.get(..i).unwrap_or(""),
                    None => break,
                }
            }
        }
        Error::syntax(self.file, self.format, location, expected, found)
    }

    fn validate(&self, bom: &Value) -> Result<(), Error> {
        if let Some(serial) = bom.get("serialNumber") {
            match serial.as_str() {
                Some(s) if is_uuid_urn(s) => {}
                _ => {
                    return Err(self.err(
                        "/serialNumber",
                        "a serial number `urn:uuid:` + RFC 4122 UUID",
                        describe(serial),
                    ));
                }
            }
        }
        let mut refs = BTreeSet::new();
        if let Some(meta) = bom.get("metadata") {
            if let Some(ts) = meta.get("timestamp")
                && !ts.as_str().is_some_and(is_date_time)
            {
                return Err(self.err(
                    "/metadata/timestamp",
                    "an RFC 3339 date-time such as 2024-01-31T12:00:00Z",
                    describe(ts),
                ));
            }
            if let Some(c) = meta.get("component") {
                self.component(c, "/metadata/component", &mut refs)?;
            }
            if let Some(l) = meta.get("licenses") {
                self.licenses(l, "/metadata/licenses")?;
            }
            self.properties(meta, "/metadata")?;
        }
        if let Some(list) = bom.get("components") {
            self.component_list(list, "/components", &mut refs)?;
        }
        if let Some(list) = bom.get("services") {
            self.services(list, "/services", &mut refs)?;
        }
        if let Some(deps) = bom.get("dependencies") {
            let Some(items) = deps.as_array() else {
                return Err(self.err("/dependencies", "an array", describe(deps)));
            };
            for (i, d) in items.iter().enumerate() {
                let p = format!("/dependencies/{i}");
                match d.get("ref") {
                    Some(Value::String(r)) if !r.is_empty() => {}
                    Some(other) => {
                        return Err(self.err(&format!("{p}/ref"), "a non-empty bom-ref", describe(other)));
                    }
                    None => return Err(self.err(&p, "field `ref`", "a dependency without it")),
                }
                if let Some(on) = d.get("dependsOn") {
                    let ok = on.as_array().is_some_and(|a| a.iter().all(|x| x.as_str().is_some_and(|s| !s.is_empty())));
                    if !ok {
                        return Err(self.err(
                            &format!("{p}/dependsOn"),
                            "an array of non-empty bom-refs",
                            describe(on),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn component_list(&self, list: &Value, pointer: &str, refs: &mut BTreeSet<String>) -> Result<(), Error> {
        let Some(items) = list.as_array() else {
            return Err(self.err(pointer, "an array of components", describe(list)));
        };
        for (i, c) in items.iter().enumerate() {
            self.component(c, &format!("{pointer}/{i}"), refs)?;
        }
        Ok(())
    }

    fn bom_ref(&self, v: &Value, pointer: &str, refs: &mut BTreeSet<String>) -> Result<(), Error> {
        if let Some(r) = v.get("bom-ref") {
            let p = format!("{pointer}/bom-ref");
            match r.as_str() {
                Some(s) if !s.is_empty() => {
                    if !refs.insert(s.to_owned()) {
                        return Err(self.err(&p, "a bom-ref unique in the document", format!("{s:?} again")));
                    }
                }
                _ => return Err(self.err(&p, "a non-empty bom-ref", describe(r))),
            }
        }
        Ok(())
    }

    fn component(&self, c: &Value, pointer: &str, refs: &mut BTreeSet<String>) -> Result<(), Error> {
        if !c.is_object() {
            return Err(self.err(pointer, "a component object", describe(c)));
        }
        match c.get("type") {
            Some(Value::String(t)) if COMPONENT_TYPES.contains(&t.as_str()) => {}
            Some(other) => {
                return Err(self.err(
                    &format!("{pointer}/type"),
                    "a component type (application, library, framework, ...)",
                    describe(other),
                ));
            }
            None => return Err(self.err(pointer, "field `type`", "a component without it")),
        }
        match c.get("name") {
            Some(Value::String(_)) => {}
            Some(other) => {
                return Err(self.err(&format!("{pointer}/name"), "a string", describe(other)));
            }
            None => return Err(self.err(pointer, "field `name`", "a component without it")),
        }
        for key in ["version", "group", "purl", "cpe", "publisher"] {
            if let Some(v) = c.get(key)
                && !v.is_string()
            {
                return Err(self.err(&format!("{pointer}/{key}"), "a string", describe(v)));
            }
        }
        self.bom_ref(c, pointer, refs)?;
        if let Some(scope) = c.get("scope")
            && !scope.as_str().is_some_and(|s| SCOPES.contains(&s))
        {
            return Err(self.err(
                &format!("{pointer}/scope"),
                "a scope (required, optional, excluded)",
                describe(scope),
            ));
        }
        if let Some(hashes) = c.get("hashes") {
            self.hashes(hashes, &format!("{pointer}/hashes"))?;
        }
        if let Some(l) = c.get("licenses") {
            self.licenses(l, &format!("{pointer}/licenses"))?;
        }
        if let Some(swid) = c.get("swid") {
            for key in ["tagId", "name"] {
                if !swid.get(key).is_some_and(Value::is_string) {
                    return Err(self.err(&format!("{pointer}/swid"), format!("field `{key}`"), "a swid without it"));
                }
            }
        }
        self.properties(c, pointer)?;
        if let Some(pedigree) = c.get("pedigree") {
            let pp = format!("{pointer}/pedigree");
            for key in ["ancestors", "descendants", "variants"] {
                if let Some(list) = pedigree.get(key) {
                    self.component_list(list, &format!("{pp}/{key}"), refs)?;
                }
            }
            if let Some(patches) = pedigree.get("patches").and_then(Value::as_array) {
                for (i, patch) in patches.iter().enumerate() {
                    let p = format!("{pp}/patches/{i}");
                    let t = patch.get("type");
                    if !t.and_then(Value::as_str).is_some_and(|t| PATCH_TYPES.contains(&t)) {
                        return Err(self.err(
                            &format!("{p}/type"),
                            "a patch type (unofficial, monkey, backport, cherry-pick)",
                            t.map_or_else(|| "nothing".to_owned(), describe),
                        ));
                    }
                    for (j, issue) in patch.get("resolves").and_then(Value::as_array).into_iter().flatten().enumerate()
                    {
                        let t = issue.get("type");
                        if !t.and_then(Value::as_str).is_some_and(|t| ISSUE_TYPES.contains(&t)) {
                            return Err(self.err(
                                &format!("{p}/resolves/{j}/type"),
                                "an issue type (defect, enhancement, security)",
                                t.map_or_else(|| "nothing".to_owned(), describe),
                            ));
                        }
                    }
                }
            }
        }
        if let Some(list) = c.get("components") {
            self.component_list(list, &format!("{pointer}/components"), refs)?;
        }
        Ok(())
    }

    fn services(&self, list: &Value, pointer: &str, refs: &mut BTreeSet<String>) -> Result<(), Error> {
        let Some(items) = list.as_array() else {
            return Err(self.err(pointer, "an array of services", describe(list)));
        };
        for (i, s) in items.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            if !s.get("name").is_some_and(Value::is_string) {
                return Err(self.err(&p, "field `name`", "a service without it"));
            }
            self.bom_ref(s, &p, refs)?;
            self.properties(s, &p)?;
            if let Some(data) = s.get("data").and_then(Value::as_array) {
                for (j, d) in data.iter().enumerate() {
                    if let Some(flow) = d.get("flow")
                        && !flow.as_str().is_some_and(|f| FLOWS.contains(&f))
                    {
                        return Err(self.err(
                            &format!("{p}/data/{j}/flow"),
                            "a data flow (inbound, outbound, bi-directional, unknown)",
                            describe(flow),
                        ));
                    }
                }
            }
            if let Some(nested) = s.get("services") {
                self.services(nested, &format!("{p}/services"), refs)?;
            }
        }
        Ok(())
    }

    fn properties(&self, owner: &Value, pointer: &str) -> Result<(), Error> {
        let Some(props) = owner.get("properties") else {
            return Ok(());
        };
        let Some(items) = props.as_array() else {
            return Err(self.err(&format!("{pointer}/properties"), "an array of properties", describe(props)));
        };
        for (i, p) in items.iter().enumerate() {
            if !p.get("name").is_some_and(Value::is_string) {
                return Err(self.err(&format!("{pointer}/properties/{i}"), "field `name`", "a property without it"));
            }
        }
        Ok(())
    }

    fn hashes(&self, hashes: &Value, pointer: &str) -> Result<(), Error> {
        let Some(items) = hashes.as_array() else {
            return Err(self.err(pointer, "an array of hashes", describe(hashes)));
        };
        for (i, h) in items.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            let alg = h.get("alg").and_then(Value::as_str).unwrap_or("");
            let Some(lengths) = hash_len(alg) else {
                return Err(self.err(
                    &format!("{p}/alg"),
                    "a hash algorithm (MD5, SHA-1, SHA-256, SHA-384, SHA-512, SHA3-*, BLAKE2b-*, BLAKE3)",
                    h.get("alg").map_or_else(|| "nothing".to_owned(), describe),
                ));
            };
            let content = h.get("content").and_then(Value::as_str).unwrap_or("");
            let hex = !content.is_empty() && content.chars().all(|c| c.is_ascii_hexdigit());
            if !hex || !(lengths.is_empty() || lengths.contains(&content.len())) {
                return Err(self.err(
                    &format!("{p}/content"),
                    format!(
                        "a {alg} digest of {} hex digits",
                        lengths.first().map_or_else(|| "some".to_owned(), usize::to_string)
                    ),
                    h.get("content").map_or_else(|| "nothing".to_owned(), describe),
                ));
            }
        }
        Ok(())
    }

    fn licenses(&self, licenses: &Value, pointer: &str) -> Result<(), Error> {
        let Some(items) = licenses.as_array() else {
            return Err(self.err(pointer, "an array of licenses", describe(licenses)));
        };
        let expressions = items.iter().filter(|l| l.get("expression").is_some()).count();
        if expressions > 0 && items.len() > 1 {
            return Err(self.err(
                pointer,
                "either licenses or exactly one expression",
                format!("{} entries with {expressions} expression(s)", items.len()),
            ));
        }
        for (i, entry) in items.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            let has_license = entry.get("license").is_some();
            if has_license && entry.get("expression").is_some() {
                return Err(self.err(&p, "`license` or `expression`", "both"));
            }
            if let Some(expr) = entry.get("expression") {
                if !expr.is_string() {
                    return Err(self.err(&format!("{p}/expression"), "a string", describe(expr)));
                }
                continue;
            }
            let Some(lic) = entry.get("license") else {
                return Err(self.err(&p, "`license` or `expression`", "neither"));
            };
            let lp = format!("{p}/license");
            match (lic.get("id"), lic.get("name")) {
                (Some(_), Some(_)) => {
                    return Err(self.err(&lp, "`id` or `name`", "both"));
                }
                (None, None) => return Err(self.err(&lp, "`id` or `name`", "neither")),
                (Some(id), None) => match id.as_str() {
                    Some(s) if spdx::license_id(s).is_some() || spdx::exception_id(s).is_some() => {}
                    Some(s) => {
                        return Err(self.err(&format!("{lp}/id"), "an SPDX license id", format!("{s:?}")));
                    }
                    None => {
                        return Err(self.err(&format!("{lp}/id"), "one SPDX license id", describe(id)));
                    }
                },
                (None, Some(name)) => {
                    if !name.is_string() {
                        return Err(self.err(&format!("{lp}/name"), "one license name", describe(name)));
                    }
                }
            }
            if let Some(enc) = lic.get("text").and_then(|t| t.get("encoding"))
                && enc.as_str() != Some("base64")
            {
                return Err(self.err(&format!("{lp}/text/encoding"), "`base64`", describe(enc)));
            }
            self.properties(lic, &lp)?;
        }
        Ok(())
    }

    fn origin(&self, pointer: &str) -> Origin {
        let mut origin = Origin::pointer(self.file, pointer);
        if let Some(&offset) = self.positions.as_ref().and_then(|p| p.get(pointer)) {
            origin.line = self.lines.location(self.text, offset).line_number();
        }
        origin
    }

    fn components(&self, bom: &Value) -> Inventory {
        let mut inv = Inventory::new(self.format, self.file);
        // bom-ref -> dependency class, from the graph rooted at metadata.component.
        let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for d in bom.get("dependencies").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = d.get("ref").and_then(Value::as_str) {
                let on = d.get("dependsOn").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
                graph.entry(r).or_default().extend(on);
            }
        }
        let root = bom.pointer("/metadata/component/bom-ref").and_then(Value::as_str);
        let mut class: BTreeMap<&str, Dependency> = BTreeMap::new();
        if let Some(root) = root {
            let direct: Vec<&str> = graph.get(root).cloned().unwrap_or_default();
            let mut queue: Vec<&str> = Vec::new();
            for d in &direct {
                class.insert(d, Dependency::Direct);
                queue.push(d);
            }
            let mut seen: BTreeSet<&str> = direct.iter().copied().collect();
            seen.insert(root);
            while let Some(r) = queue.pop() {
                for next in graph.get(r).into_iter().flatten() {
                    if seen.insert(next) {
                        class.entry(next).or_insert(Dependency::Transitive);
                        queue.push(next);
                    }
                }
            }
        }
        let mut stack: Vec<(&Value, String)> = Vec::new();
        if let Some(list) = bom.get("components").and_then(Value::as_array) {
            for (i, c) in list.iter().enumerate().rev() {
                stack.push((c, format!("/components/{i}")));
            }
        }
        while let Some((c, pointer)) = stack.pop() {
            if let Some(list) = c.get("components").and_then(Value::as_array) {
                for (i, child) in list.iter().enumerate().rev() {
                    stack.push((child, format!("{pointer}/components/{i}")));
                }
            }
            let ty = c.get("type").and_then(Value::as_str).unwrap_or("library");
            if matches!(ty, "data" | "cryptographic-asset") {
                continue;
            }
            let s = |k: &str| c.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
            let Some(name) = s("name") else {
                inv.warn(WarningKind::Skipped, "component without a name", Some(self.origin(&pointer)));
                continue;
            };
            let purl = s("purl").map(str::to_owned);
            let info = purl.as_deref().and_then(parse_purl);
            let group = s("group");
            let full_name = match (&info, group) {
                (Some(info), _) if info.ecosystem.is_some() => info.name.clone(),
                (_, Some(g)) => format!("{g}:{name}"),
                _ => name.to_owned(),
            };
            let version = s("version").map(str::to_owned).or_else(|| info.as_ref().and_then(|i| i.version.clone()));
            let vendor = s("publisher")
                .or_else(|| c.pointer("/supplier/name").and_then(Value::as_str))
                .or_else(|| c.pointer("/manufacturer/name").and_then(Value::as_str))
                .map(str::to_owned);
            let dependency = s("bom-ref").and_then(|r| class.get(r).copied()).unwrap_or(Dependency::Unknown);
            let scope = s("scope").map(str::to_owned);
            let commercial = info.is_none()
                && vendor.is_some()
                && matches!(ty, "application" | "operating-system" | "device" | "firmware" | "platform");
            inv.components.push(Component {
                name: full_name,
                version,
                ecosystem: info.and_then(|i| i.ecosystem),
                purl,
                cpe: s("cpe").map(str::to_owned),
                product: commercial.then(|| name.to_owned()),
                vendor,
                origin: self.origin(&pointer),
                dependency,
                dev: scope.as_deref().map(|s| s == "excluded").filter(|d| *d),
                scope,
            });
        }
        inv.finish()
    }
}
