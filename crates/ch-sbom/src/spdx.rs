//! SPDX 2.2 / 2.3 documents (JSON and tag-value) into components.
//!
//! Every package becomes a component (SPDX has no separate "subject" slot;
//! the described packages are often the only ones). Names, versions,
//! supplier, and `externalRefs` of type `purl` and `cpe23Type`/`cpe22Type`
//! are read; files and snippets are not software packages and are skipped.
//! Relationships give direct vs transitive: a package that a described
//! package depends on, contains or links is direct, anything reached from
//! there is transitive (SPDX 2.3 section 11, relationship types).
//!
//! Own code rather than spdx-rs: spdx-rs requires fields that real-world
//! documents leave out, and its errors carry no position.

use std::collections::{BTreeMap, BTreeSet};

use ch_inventory::error::{json_error, non_empty, utf8};
use ch_inventory::{Component, Dependency, Error, Format, Inventory, Location, Origin, parse_purl};
use serde_json::Value;

/// One package, whichever encoding it came from.
#[derive(Debug, Default)]
struct Package {
    id: String,
    name: String,
    version: Option<String>,
    supplier: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
    origin: Origin,
}

#[derive(Debug, Default)]
struct Doc {
    packages: Vec<Package>,
    /// (from, type, to)
    relationships: Vec<(String, String, String)>,
    describes: Vec<String>,
}

/// Read an SPDX 2.x JSON document.
pub fn read_json(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let format = Format::SpdxJson;
    let text = utf8(bytes, file, format)?;
    non_empty(text, file, format)?;
    let v: Value = serde_json::from_str(text).map_err(|e| json_error(text, file, format, &e, None))?;
    let err =
        |p: &str, expected: &str, found: String| Error::syntax(file, format, Location::pointer(p), expected, found);
    let Some(obj) = v.as_object() else {
        return Err(err("", "a JSON object with `spdxVersion`", "another JSON value".into()));
    };
    match obj.get("spdxVersion").and_then(Value::as_str) {
        Some(s) if s.starts_with("SPDX-2.") => {}
        Some(s) => {
            return Err(Error::Unsupported {
                file: file.to_owned(),
                format,
                expected: "SPDX 2.2 or 2.3".into(),
                found: format!("spdxVersion {s:?}"),
            });
        }
        None if obj.contains_key("@context") || obj.contains_key("@graph") => {
            return Err(Error::Unsupported {
                file: file.to_owned(),
                format,
                expected: "SPDX 2.2 or 2.3".into(),
                found: "an SPDX 3 JSON-LD document".into(),
            });
        }
        None => {
            return Err(err("", "field `spdxVersion`", "an object without it".into()));
        }
    }
    let mut doc = Doc::default();
    if let Some(pkgs) = obj.get("packages") {
        let Some(pkgs) = pkgs.as_array() else {
            return Err(err("/packages", "an array", "another JSON value".into()));
        };
        for (i, p) in pkgs.iter().enumerate() {
            let ptr = format!("/packages/{i}");
            let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
            let Some(name) = s("name") else {
                return Err(err(&ptr, "field `name`", "a package without it".into()));
            };
            let Some(id) = s("SPDXID") else {
                return Err(err(&ptr, "field `SPDXID`", "a package without it".into()));
            };
            let mut pkg = Package {
                id,
                name,
                version: s("versionInfo"),
                supplier: s("supplier"),
                origin: Origin::pointer(file, ptr.clone()),
                ..Package::default()
            };
            for r in p.get("externalRefs").and_then(Value::as_array).into_iter().flatten() {
                let ty = r.get("referenceType").and_then(Value::as_str).unwrap_or("");
                let loc = r.get("referenceLocator").and_then(Value::as_str).map(str::to_owned);
                external_ref(&mut pkg, ty, loc);
            }
            doc.packages.push(pkg);
        }
    }
    for (i, r) in obj.get("relationships").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
        match (s("spdxElementId"), s("relationshipType"), s("relatedSpdxElement")) {
            (Some(a), Some(t), Some(b)) => doc.relationships.push((a, t, b)),
            _ => {
                return Err(err(
                    &format!("/relationships/{i}"),
                    "`spdxElementId`, `relationshipType` and `relatedSpdxElement`",
                    "a relationship missing one".into(),
                ));
            }
        }
    }
    doc.describes = obj
        .get("documentDescribes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    Ok(doc.into_inventory(format, file))
}

fn external_ref(pkg: &mut Package, ty: &str, locator: Option<String>) {
    match ty {
        "purl" if pkg.purl.is_none() => pkg.purl = locator,
        "cpe23Type" => pkg.cpe = locator,
        "cpe22Type" if pkg.cpe.is_none() => pkg.cpe = locator,
        _ => {}
    }
}

/// Read an SPDX 2.x tag-value document.
pub fn read_tag_value(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let format = Format::SpdxTagValue;
    let text = utf8(bytes, file, format)?;
    non_empty(text, file, format)?;
    let mut doc = Doc::default();
    let mut version_seen = false;
    // Inside a package until a file or snippet section starts.
    let mut in_package = false;
    let mut lines = text.lines().enumerate();
    while let Some((i, raw)) = lines.next() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(Error::syntax(
                file,
                format,
                Location::at(line_no, 1),
                "`Tag: value`",
                format!("`{}`", line.chars().take(40).collect::<String>()),
            ));
        };
        let tag = tag.trim();
        let mut value = value.trim().to_owned();
        if value.starts_with("<text>") {
            // Multi-line text values; only their end matters here.
            let mut whole = value.clone();
            while !whole.contains("</text>") {
                match lines.next() {
                    Some((_, more)) => {
                        whole.push('\n');
                        whole.push_str(more);
                    }
                    None => {
                        return Err(Error::syntax(
                            file,
                            format,
                            Location::at(line_no, raw.find("<text>").map_or(1, |c| c + 1)),
                            "`</text>` closing this value",
                            "end of input",
                        ));
                    }
                }
            }
            value = whole;
        }
        if tag.contains(char::is_whitespace) {
            return Err(Error::syntax(
                file,
                format,
                Location::at(line_no, 1),
                "`Tag: value`",
                format!("`{}`", line.chars().take(40).collect::<String>()),
            ));
        }
        match tag {
            "SPDXVersion" => {
                if !value.starts_with("SPDX-2.") {
                    return Err(Error::Unsupported {
                        file: file.to_owned(),
                        format,
                        expected: "SPDX 2.2 or 2.3".into(),
                        found: format!("SPDXVersion {value}"),
                    });
                }
                version_seen = true;
            }
            "PackageName" => {
                in_package = true;
                doc.packages.push(Package { name: value, origin: Origin::line(file, line_no), ..Package::default() });
            }
            "FileName" | "SnippetSPDXID" => in_package = false,
            "SPDXID" if in_package => {
                if let Some(p) = doc.packages.last_mut() {
                    p.id = value;
                }
            }
            "PackageVersion" if in_package => {
                if let Some(p) = doc.packages.last_mut() {
                    p.version = Some(value);
                }
            }
            "PackageSupplier" if in_package => {
                if let Some(p) = doc.packages.last_mut() {
                    p.supplier = Some(value);
                }
            }
            "ExternalRef" if in_package => {
                let mut parts = value.split_whitespace();
                let (_category, ty, loc) = (parts.next(), parts.next(), parts.next());
                if let (Some(p), Some(ty)) = (doc.packages.last_mut(), ty) {
                    external_ref(p, ty, loc.map(str::to_owned));
                }
            }
            "Relationship" => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                let [a, t, b] = parts.as_slice() else {
                    return Err(Error::syntax(
                        file,
                        format,
                        Location::at(line_no, 1),
                        "`Relationship: <id> <TYPE> <id>`",
                        format!("`{value}`"),
                    ));
                };
                doc.relationships.push(((*a).into(), (*t).into(), (*b).into()));
            }
            _ => {}
        }
    }
    if !version_seen {
        return Err(Error::syntax(file, format, Location::line(1), "an `SPDXVersion:` line", "a document without one"));
    }
    Ok(doc.into_inventory(format, file))
}

impl Doc {
    fn into_inventory(self, format: Format, file: &str) -> Inventory {
        let mut inv = Inventory::new(format, file);
        // Edges parent -> child, and which edges are dev-only.
        let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut dev: BTreeSet<&str> = BTreeSet::new();
        let mut roots: BTreeSet<&str> = self.describes.iter().map(String::as_str).collect();
        for (a, t, b) in &self.relationships {
            let (parent, child) = match t.as_str() {
                "DESCRIBES" if a == "SPDXRef-DOCUMENT" => {
                    roots.insert(b);
                    continue;
                }
                "DESCRIBED_BY" if b == "SPDXRef-DOCUMENT" => {
                    roots.insert(a);
                    continue;
                }
                "DEPENDS_ON" | "CONTAINS" | "STATIC_LINK" | "DYNAMIC_LINK" | "HAS_PREREQUISITE" => {
                    (a.as_str(), b.as_str())
                }
                "DEPENDENCY_OF"
                | "RUNTIME_DEPENDENCY_OF"
                | "BUILD_DEPENDENCY_OF"
                | "OPTIONAL_DEPENDENCY_OF"
                | "PROVIDED_DEPENDENCY_OF"
                | "CONTAINED_BY"
                | "PREREQUISITE_FOR" => (b.as_str(), a.as_str()),
                "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => {
                    dev.insert(a);
                    (b.as_str(), a.as_str())
                }
                _ => continue,
            };
            edges.entry(parent).or_default().push(child);
        }
        let mut class: BTreeMap<&str, Dependency> = BTreeMap::new();
        let mut queue: Vec<&str> = Vec::new();
        for root in &roots {
            for child in edges.get(root).into_iter().flatten() {
                if !roots.contains(child) {
                    class.insert(child, Dependency::Direct);
                    queue.push(child);
                }
            }
        }
        let mut seen: BTreeSet<&str> = roots.iter().copied().chain(queue.iter().copied()).collect();
        while let Some(n) = queue.pop() {
            for child in edges.get(n).into_iter().flatten() {
                if seen.insert(child) {
                    class.entry(child).or_insert(Dependency::Transitive);
                    queue.push(child);
                }
            }
        }
        for p in &self.packages {
            let info = p.purl.as_deref().and_then(parse_purl);
            let vendor = p.supplier.as_deref().and_then(|s| {
                let s = s.strip_prefix("Organization:").or_else(|| s.strip_prefix("Person:")).unwrap_or(s).trim();
                (!s.is_empty() && s != "NOASSERTION").then(|| s.to_owned())
            });
            let version = p
                .version
                .clone()
                .filter(|v| v != "NOASSERTION")
                .or_else(|| info.as_ref().and_then(|i| i.version.clone()));
            let name = match &info {
                Some(i) if i.ecosystem.is_some() => i.name.clone(),
                _ => p.name.clone(),
            };
            let is_dev = dev.contains(p.id.as_str());
            inv.components.push(Component {
                name,
                version,
                ecosystem: info.and_then(|i| i.ecosystem),
                purl: p.purl.clone(),
                cpe: p.cpe.clone(),
                vendor,
                product: None,
                origin: p.origin.clone(),
                dependency: class.get(p.id.as_str()).copied().unwrap_or(Dependency::Unknown),
                scope: is_dev.then(|| "dev".to_owned()),
                dev: is_dev.then_some(true),
            });
        }
        inv.finish()
    }
}
