//! Python: `requirements.txt`, `poetry.lock`, `uv.lock`, `Pipfile.lock`,
//! `pdm.lock`. Ecosystem `PyPI`; names are PEP 503 normalised
//! (`Mopidy_Dirble` -> `mopidy-dirble`).
//!
//! `requirements.txt` yields a component only for an exact pin (`==` or
//! `===`); every other requirement is a [`WarningKind::Unpinned`] warning, and
//! `-r`/`-c` includes are [`WarningKind::NotFollowed`] (a pure reader does no
//! file IO; the caller may read the named file and call again).

use ch_inventory::{Component, Dependency, Error, Format, Inventory, WarningKind};
use serde_json::Value;

use crate::util::{Ctx, esc, kind, opt_arr, opt_obj, s};

const PYPI: &str = "PyPI";

/// PEP 503 normalisation.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Read a pip requirements file.
pub fn read_requirements(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::Requirements);
    let text = ctx.text(bytes)?;
    let mut inv = Inventory::new(ctx.format, file);
    // Join continuation lines first (pip does this before stripping comments).
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (start, mut acc) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(stripped) = raw.strip_suffix('\\') {
            acc.push_str(stripped);
            pending = Some((start, acc));
        } else {
            acc.push_str(raw);
            logical.push((start, acc));
        }
    }
    if let Some(p) = pending {
        logical.push(p);
    }
    for (line_no, line) in logical {
        let comment =
            if line.trim_start().starts_with('#') { Some(0) } else { line.find(" #").or_else(|| line.find("\t#")) };
        let line = match comment {
            Some(i) => line.get(..i).unwrap_or(""),
            None => &line,
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let origin = ctx.origin_line(line_no);
        if let Some(opt) = line.strip_prefix('-') {
            let (flag, arg) = opt.split_once([' ', '=']).map_or((opt, ""), |(f, a)| (f, a.trim()));
            match flag {
                "r" | "-requirement" | "c" | "-constraint" => inv.warn(
                    WarningKind::NotFollowed,
                    format!("include `{arg}` not followed; read it separately"),
                    Some(origin),
                ),
                "e" | "-editable" => {
                    inv.warn(WarningKind::Skipped, format!("editable requirement `{arg}`"), Some(origin))
                }
                _ => {}
            }
            continue;
        }
        if line.contains("://") || line.starts_with('.') || line.starts_with('/') || line.ends_with(".whl") {
            inv.warn(
                WarningKind::Skipped,
                format!("`{line}` is a URL or path, not a registry requirement"),
                Some(origin),
            );
            continue;
        }
        // Drop markers and per-requirement options.
        let req = line.split(';').next().unwrap_or(line);
        let req = req.split(" --").next().unwrap_or(req).trim();
        let name_end =
            req.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(req.len());
        let raw_name = req.get(..name_end).unwrap_or("");
        if raw_name.is_empty() {
            return Err(ctx.at(line_no, 1, "a requirement `name==version`", format!("`{line}`")));
        }
        let name = normalize_name(raw_name);
        let mut rest = req.get(name_end..).unwrap_or("").trim_start();
        if rest.starts_with('[') {
            rest = rest.find(']').and_then(|i| rest.get(i + 1..)).unwrap_or("").trim_start();
        }
        if rest.starts_with('@') {
            inv.warn(WarningKind::Skipped, format!("{name} is installed from a URL"), Some(origin));
            continue;
        }
        let specs: Vec<&str> = rest.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        let pin = match specs.as_slice() {
            [one] => one
                .strip_prefix("===")
                .or_else(|| one.strip_prefix("=="))
                .map(str::trim)
                .filter(|v| !v.contains('*') && !v.is_empty()),
            _ => None,
        };
        match pin {
            Some(version) => inv.components.push(ctx.component(&name, Some(version), PYPI, origin)),
            None => inv.warn(
                WarningKind::Unpinned,
                if rest.is_empty() {
                    format!("{name} has no version")
                } else {
                    format!("{name} is not pinned (`{rest}`)")
                },
                Some(origin),
            ),
        }
    }
    Ok(inv.finish())
}

fn toml_packages<'v>(ctx: &Ctx<'_>, doc: &'v Value) -> Result<&'v [Value], Error> {
    opt_arr(ctx, doc, "package", "")
}

/// Read `poetry.lock`.
pub fn read_poetry_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::PoetryLock);
    let doc = ctx.toml(bytes)?;
    if doc.get("metadata").is_none() && doc.get("package").is_none() {
        return Err(ctx.ptr("", "a `[metadata]` table or `[[package]]` entries", "neither"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    for (i, p) in toml_packages(&ctx, &doc)?.iter().enumerate() {
        let pointer = format!("/package/{i}");
        let (name, version) = name_version(&ctx, p, &pointer)?;
        let source_type = p.get("source").and_then(|src| s(src, "type"));
        if matches!(source_type, Some("directory" | "file")) {
            inv.warn(WarningKind::Skipped, format!("local package {name}"), Some(ctx.origin_ptr(&pointer)));
            continue;
        }
        let mut c = ctx.component(&normalize_name(name), Some(version), PYPI, ctx.origin_ptr(&pointer));
        match s(p, "category") {
            Some("dev") => {
                c.dev = Some(true);
                c.scope = Some("dev".into());
            }
            Some("main") => c.dev = Some(false),
            Some(other) => c.scope = Some(other.to_owned()),
            None => {}
        }
        if source_type == Some("git") {
            c.scope = Some("git".into());
        }
        if p.get("optional").and_then(Value::as_bool) == Some(true) && c.scope.is_none() {
            c.scope = Some("optional".into());
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}

fn name_version<'v>(ctx: &Ctx<'_>, p: &'v Value, pointer: &str) -> Result<(&'v str, &'v str), Error> {
    let name = match p.get("name") {
        Some(Value::String(n)) => n.as_str(),
        Some(other) => return Err(ctx.ptr(&format!("{pointer}/name"), "a string", kind(other))),
        None => return Err(ctx.ptr(pointer, "field `name`", "a package without it")),
    };
    let version = match p.get("version") {
        Some(Value::String(v)) => v.as_str(),
        Some(other) => return Err(ctx.ptr(&format!("{pointer}/version"), "a string", kind(other))),
        None => {
            return Err(ctx.ptr(pointer, format!("field `version` for {name}"), "a package without it"));
        }
    };
    Ok((name, version))
}

/// Read `uv.lock`.
pub fn read_uv_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::UvLock);
    let doc = ctx.toml(bytes)?;
    if doc.get("version").is_none() {
        return Err(ctx.ptr("", "field `version` (uv lockfile version)", "a document without it"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    let packages = toml_packages(&ctx, &doc)?;
    // The project's own packages (editable/virtual/directory) are roots.
    let mut roots = Vec::new();
    for p in packages {
        let source = p.get("source");
        if source.is_some_and(|src| ["editable", "virtual", "directory", "path"].iter().any(|k| src.get(k).is_some())) {
            roots.push(p);
        }
    }
    let direct: Vec<&str> = roots
        .iter()
        .flat_map(|r| opt_arr(&ctx, r, "dependencies", "").unwrap_or(&[]).iter())
        .filter_map(|d| s(d, "name"))
        .collect();
    let dev: Vec<&str> = roots
        .iter()
        .filter_map(|r| r.get("dev-dependencies").and_then(Value::as_object))
        .flat_map(|groups| groups.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|d| s(d, "name"))
        .collect();
    for (i, p) in packages.iter().enumerate() {
        let pointer = format!("/package/{i}");
        if roots.iter().any(|r| std::ptr::eq(*r, p)) {
            continue;
        }
        let Some(name) = s(p, "name") else {
            return Err(ctx.ptr(&pointer, "field `name`", "a package without it"));
        };
        let Some(version) = s(p, "version") else {
            inv.warn(WarningKind::Skipped, format!("{name} has no version"), Some(ctx.origin_ptr(&pointer)));
            continue;
        };
        let mut c = ctx.component(&normalize_name(name), Some(version), PYPI, ctx.origin_ptr(&pointer));
        if !roots.is_empty() {
            c.dependency =
                if direct.contains(&name) || dev.contains(&name) { Dependency::Direct } else { Dependency::Transitive };
        }
        if dev.contains(&name) && !direct.contains(&name) {
            c.dev = Some(true);
            c.scope = Some("dev".into());
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}

/// Read `Pipfile.lock`.
pub fn read_pipfile_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::PipfileLock);
    let root = Value::Object(ctx.json_object(bytes)?);
    if root.get("_meta").is_none() && root.get("default").is_none() {
        return Err(ctx.ptr("", "a Pipfile.lock with `_meta` and `default`", "neither"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    for (group, dev) in [("default", false), ("develop", true)] {
        let Some(map) = opt_obj(&ctx, &root, group, "")? else {
            continue;
        };
        for (name, entry) in map {
            let pointer = format!("/{group}/{}", esc(name));
            let version = match entry.get("version") {
                Some(Value::String(v)) => v.trim_start_matches("==").trim(),
                Some(other) => {
                    return Err(ctx.ptr(&format!("{pointer}/version"), "a string `==x.y`", kind(other)));
                }
                None => {
                    let why = if entry.get("git").is_some() { "a git checkout" } else { "unversioned" };
                    inv.warn(WarningKind::Skipped, format!("{name} is {why}"), Some(ctx.origin_ptr(&pointer)));
                    continue;
                }
            };
            let mut c = ctx.component(&normalize_name(name), Some(version), PYPI, ctx.origin_ptr(&pointer));
            c.dev = Some(dev);
            if dev {
                c.scope = Some("dev".into());
            }
            inv.components.push(c);
        }
    }
    Ok(inv.finish())
}

/// Read `pdm.lock`.
pub fn read_pdm_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::PdmLock);
    let doc = ctx.toml(bytes)?;
    if doc.get("metadata").is_none() {
        return Err(ctx.ptr("", "a `[metadata]` table", "a document without it"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    for (i, p) in toml_packages(&ctx, &doc)?.iter().enumerate() {
        let pointer = format!("/package/{i}");
        let (name, version) = name_version(&ctx, p, &pointer)?;
        let mut c: Component = ctx.component(&normalize_name(name), Some(version), PYPI, ctx.origin_ptr(&pointer));
        let groups: Vec<&str> =
            p.get("groups").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if groups.contains(&"default") {
            c.dev = Some(false);
        } else if !groups.is_empty() {
            // Named groups: `dev`/`test` are development-only, others optional.
            if groups.iter().all(|g| matches!(*g, "dev" | "test" | "lint" | "doc" | "docs")) {
                c.dev = Some(true);
            }
            c.scope = Some(groups.join(","));
        }
        if p.get("git").is_some() {
            c.scope = Some("git".into());
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalize_name("Mopidy_Dirble"), "mopidy-dirble");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("A__B"), "a-b");
    }

    #[test]
    fn requirement_lines() {
        let inv = read_requirements(
            b"flask==2.0.1\nrequests>=2\n-r other.txt\nDjango === 4.2 ; python_version > '3'\nx==1.*\n",
            "requirements.txt",
        )
        .expect("parse");
        let got: Vec<_> = inv.components.iter().map(|c| (c.name.as_str(), c.version.as_deref())).collect();
        assert_eq!(got, [("flask", Some("2.0.1")), ("django", Some("4.2"))]);
        let kinds: Vec<_> = inv.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(kinds, [WarningKind::Unpinned, WarningKind::NotFollowed, WarningKind::Unpinned]);
        assert_eq!(inv.components[1].origin.line, Some(4));
    }
}
