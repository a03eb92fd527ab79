//! The npm family: `package-lock.json` / `npm-shrinkwrap.json` (lockfile
//! v1-v3), `yarn.lock` (classic v1 and berry), `pnpm-lock.yaml` (v5-v9),
//! `bun.lock` (text, JSONC). Ecosystem `npm`.
//!
//! Local (`file:`, `link:`, `workspace:`) packages are the project's own code
//! and are skipped with a warning; git dependencies are kept without a
//! version (OSV matches them by commit, not by registry version).

use std::collections::{BTreeMap, BTreeSet};

use ch_inventory::{Dependency, Error, Format, Inventory, WarningKind};
use serde_json::Value;

use crate::util::{Ctx, describe_top, esc, kind, looks_like_version, opt_obj, s, split_at_version, strip_jsonc};

const NPM: &str = "npm";

fn is_git(v: &str) -> bool {
    v.starts_with("git") || v.starts_with("github:") || v.contains(".git#") || v.starts_with("https://codeload.")
}

fn is_local(v: &str) -> bool {
    v.starts_with("file:") || v.starts_with("link:") || v.starts_with("workspace:")
}

/// Read `package-lock.json` / `npm-shrinkwrap.json`.
pub fn read_package_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::NpmLock);
    let root = Value::Object(ctx.json_object(bytes)?);
    let mut inv = Inventory::new(ctx.format, file);
    match root.get("lockfileVersion") {
        Some(Value::Number(_)) => {}
        Some(other) => return Err(ctx.ptr("/lockfileVersion", "a number", kind(other))),
        None => return Err(ctx.ptr("", "field `lockfileVersion`", "an object without it")),
    }
    if let Some(packages) = opt_obj(&ctx, &root, "packages", "")? {
        let top = packages.get("").cloned().unwrap_or(Value::Null);
        let mut direct: BTreeSet<&str> = BTreeSet::new();
        for key in ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] {
            if let Some(m) = top.get(key).and_then(Value::as_object) {
                direct.extend(m.keys().map(String::as_str));
            }
        }
        let mut seen: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
        for (key, entry) in packages {
            if key.is_empty() {
                continue;
            }
            let pointer = format!("/packages/{}", esc(key));
            if !entry.is_object() {
                return Err(ctx.ptr(&pointer, "an object", kind(entry)));
            }
            let Some(idx) = key.rfind("node_modules/") else {
                inv.warn(WarningKind::Skipped, format!("local package {key}"), Some(ctx.origin_ptr(&pointer)));
                continue;
            };
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let install_name = key.get(idx + "node_modules/".len()..).unwrap_or(key);
            let name = s(entry, "name").unwrap_or(install_name);
            let version = s(entry, "version");
            let resolved = s(entry, "resolved").unwrap_or("");
            if version.is_some_and(is_local) || resolved.starts_with("file:") {
                inv.warn(WarningKind::Skipped, format!("local package {name}"), Some(ctx.origin_ptr(&pointer)));
                continue;
            }
            let git = version.is_some_and(is_git) || is_git(resolved);
            let version = if git { None } else { version };
            if version.is_none() && !git {
                inv.warn(WarningKind::Skipped, format!("{name} has no version"), Some(ctx.origin_ptr(&pointer)));
                continue;
            }
            let top_level = key.starts_with("node_modules/") && key.matches("node_modules/").count() == 1;
            let dependency = if top_level && direct.contains(install_name) {
                Dependency::Direct
            } else if direct.is_empty() && top_level {
                Dependency::Unknown
            } else {
                Dependency::Transitive
            };
            let identity = (name.to_owned(), version.map(str::to_owned));
            if let Some(&at) = seen.get(&identity) {
                if dependency == Dependency::Direct
                    && let Some(c) = inv.components.get_mut(at)
                {
                    c.dependency = Dependency::Direct;
                }
                continue;
            }
            seen.insert(identity, inv.components.len());
            let mut c = ctx.component(name, version, NPM, ctx.origin_ptr(&pointer));
            c.dependency = dependency;
            if git {
                c.scope = Some("git".into());
            }
            flags(&mut c, entry);
            inv.components.push(c);
        }
    } else if let Some(deps) = opt_obj(&ctx, &root, "dependencies", "")? {
        // Lockfile v1: nested `dependencies`; the top level holds hoisted
        // transitive packages too, so direct-ness is unknown.
        let mut stack: Vec<(String, &serde_json::Map<String, Value>)> = vec![("/dependencies".to_owned(), deps)];
        while let Some((base, map)) = stack.pop() {
            for (name, entry) in map {
                let pointer = format!("{base}/{}", esc(name));
                if !entry.is_object() {
                    return Err(ctx.ptr(&pointer, "an object", kind(entry)));
                }
                let raw = s(entry, "version").unwrap_or("");
                // Aliases: "npm:string-width@4.2.0".
                let (name, version) = match raw.strip_prefix("npm:").and_then(split_at_version) {
                    Some((real, v)) => (real, Some(v)),
                    None => (name.as_str(), Some(raw).filter(|v| !v.is_empty())),
                };
                match version {
                    Some(v) if is_local(v) => {
                        inv.warn(WarningKind::Skipped, format!("local package {name}"), Some(ctx.origin_ptr(&pointer)));
                    }
                    Some(v) if is_git(v) => {
                        let mut c = ctx.component(name, None, NPM, ctx.origin_ptr(&pointer));
                        flags(&mut c, entry);
                        inv.components.push(c);
                    }
                    Some(v) => {
                        let mut c = ctx.component(name, Some(v), NPM, ctx.origin_ptr(&pointer));
                        flags(&mut c, entry);
                        inv.components.push(c);
                    }
                    None => {
                        inv.warn(WarningKind::Skipped, format!("{name} has no version"), Some(ctx.origin_ptr(&pointer)))
                    }
                }
                if let Some(nested) = opt_obj(&ctx, entry, "dependencies", &pointer)? {
                    stack.push((format!("{pointer}/dependencies"), nested));
                }
            }
        }
        dedupe(&mut inv);
    }
    Ok(inv.finish())
}

fn flags(c: &mut ch_inventory::Component, entry: &Value) {
    let flag = |k: &str| entry.get(k).and_then(Value::as_bool) == Some(true);
    if c.scope.is_some() {
        // git: keep the source marker; dev-ness still matters.
        if flag("dev") {
            c.dev = Some(true);
        }
    } else if flag("dev") {
        c.dev = Some(true);
        c.scope = Some("dev".into());
    } else if flag("devOptional") {
        c.scope = Some("dev-optional".into());
    } else if flag("optional") {
        c.scope = Some("optional".into());
    } else if entry.get("dev").is_some() {
        c.dev = Some(false);
    }
}

fn dedupe(inv: &mut Inventory) {
    let mut seen = BTreeSet::new();
    inv.components.retain(|c| seen.insert((c.name.clone(), c.version.clone())));
}

/// Read `yarn.lock`, classic (v1) or berry (v2+, YAML).
pub fn read_yarn_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::YarnLock);
    let text = ctx.text_non_empty(bytes)?;
    let berry = text.lines().any(|l| l.starts_with("__metadata:"));
    if berry { read_yarn_berry(&ctx, bytes) } else { read_yarn_classic(&ctx, text) }
}

/// The package name of a yarn descriptor (`name@range`, `alias@npm:real@range`).
fn yarn_name(descriptor: &str) -> Option<&str> {
    let d = descriptor.trim().trim_matches('"');
    let idx = d.get(1..)?.find('@')? + 1;
    let (name, rest) = (d.get(..idx)?, d.get(idx + 1..)?);
    // Aliases resolve to the real package.
    if let Some(real) = rest.strip_prefix("npm:")
        && let Some((real_name, _)) = split_at_version(real)
        && !real_name.is_empty()
        && !looks_like_version(real_name)
    {
        return Some(real_name);
    }
    Some(name)
}

/// Is the range part of a yarn descriptor a git/tarball source?
fn yarn_git_spec(descriptor: &str) -> bool {
    let d = descriptor.trim().trim_matches('"');
    let range = d.get(1..).and_then(|r| r.find('@')).and_then(|i| d.get(i + 2..)).unwrap_or("");
    ["git", "github:", "gitlab:", "bitbucket:", "http:", "https:"].iter().any(|p| range.starts_with(p))
        || range.contains(".git")
}

fn read_yarn_classic(ctx: &Ctx<'_>, text: &str) -> Result<Inventory, Error> {
    struct Entry {
        name: String,
        line: usize,
        version: Option<String>,
        git: bool,
    }
    let mut inv = Inventory::new(ctx.format, ctx.file);
    let flush = |cur: Option<Entry>, inv: &mut Inventory| {
        if let Some(e) = cur {
            let origin = ctx.origin_line(e.line);
            if e.git {
                let mut c = ctx.component(&e.name, None, NPM, origin);
                c.scope = Some("git".into());
                inv.components.push(c);
            } else if let Some(v) = e.version {
                inv.components.push(ctx.component(&e.name, Some(&v), NPM, origin));
            } else {
                inv.warn(WarningKind::Skipped, format!("{} has no version", e.name), Some(origin));
            }
        }
    };
    let mut current: Option<Entry> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        if !raw.starts_with(' ') {
            flush(current.take(), &mut inv);
            let Some(header) = raw.trim_end().strip_suffix(':') else {
                return Err(ctx.at(
                    line_no,
                    1,
                    "a `name@range:` entry header",
                    format!("`{}`", raw.chars().take(40).collect::<String>()),
                ));
            };
            let first = header.split(", ").next().unwrap_or(header);
            let Some(name) = yarn_name(first) else {
                return Err(ctx.at(line_no, 1, "`name@range`", format!("`{first}`")));
            };
            if first.contains("@file:") || first.contains("@link:") {
                inv.warn(WarningKind::Skipped, format!("local package {name}"), Some(ctx.origin_line(line_no)));
                continue;
            }
            current = Some(Entry { name: name.to_owned(), line: line_no, version: None, git: yarn_git_spec(first) });
        } else if let Some(cur) = current.as_mut() {
            // Fields may be quoted: `"version" "0.0.1"`.
            let field = raw.trim();
            let (key, value) = match field.strip_prefix('"') {
                Some(rest) => match rest.split_once('"') {
                    Some((k, v)) => (k, v.trim()),
                    None => (rest, ""),
                },
                None => field.split_once(' ').unwrap_or((field, "")),
            };
            let value = value.trim().trim_matches('"');
            match key {
                "version" => cur.version = Some(value.to_owned()),
                "resolved" if value.starts_with("git") => cur.git = true,
                _ => {}
            }
        }
    }
    flush(current.take(), &mut inv);
    dedupe(&mut inv);
    Ok(inv.finish())
}

fn read_yarn_berry(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Inventory, Error> {
    let doc = ctx.yaml(bytes)?;
    let Some(map) = doc.as_object() else {
        return Err(ctx.ptr("", "a YAML mapping of packages", describe_top(&doc)));
    };
    let mut inv = Inventory::new(ctx.format, ctx.file);
    for (key, entry) in map {
        if key == "__metadata" {
            continue;
        }
        let pointer = format!("/{}", esc(key));
        let resolution = s(entry, "resolution").unwrap_or(key);
        let first = resolution.split(", ").next().unwrap_or(resolution);
        let Some(name) = yarn_name(first) else {
            return Err(ctx.ptr(&pointer, "`name@npm:version` resolution", format!("`{first}`")));
        };
        if ["@workspace:", "@link:", "@portal:", "@file:"].iter().any(|p| resolution.contains(p)) {
            if !resolution.contains("@workspace:") {
                inv.warn(WarningKind::Skipped, format!("local package {name}"), Some(ctx.origin_ptr(&pointer)));
            }
            continue;
        }
        let version = match entry.get("version") {
            Some(Value::String(v)) => Some(v.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let git = resolution.contains("#commit") || resolution.contains(".git");
        let version = if git { None } else { version };
        if version.is_none() && !git {
            inv.warn(WarningKind::Skipped, format!("{name} has no version"), Some(ctx.origin_ptr(&pointer)));
            continue;
        }
        inv.components.push(ctx.component(name, version.as_deref(), NPM, ctx.origin_ptr(&pointer)));
    }
    dedupe(&mut inv);
    Ok(inv.finish())
}

/// Read `pnpm-lock.yaml` (lockfile v5.x, v6, v9).
pub fn read_pnpm_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::PnpmLock);
    let doc = ctx.yaml(bytes)?;
    let Some(map) = doc.as_object() else {
        return Err(ctx.ptr("", "a pnpm lockfile mapping with `lockfileVersion`", describe_top(&doc)));
    };
    let version = match map.get("lockfileVersion") {
        Some(Value::String(v)) => v.parse::<f64>().ok(),
        Some(Value::Number(n)) => n.as_f64(),
        _ => None,
    };
    let Some(version) = version else {
        return Err(ctx.ptr("/lockfileVersion", "a lockfile version such as '9.0'", "nothing usable"));
    };
    let mut inv = Inventory::new(ctx.format, file);
    // Direct dependencies: (name, version-with-peers) -> dev.
    let mut direct: BTreeMap<(String, String), bool> = BTreeMap::new();
    let collect = |deps: &Value, dev: bool, direct: &mut BTreeMap<(String, String), bool>| {
        if let Some(m) = deps.as_object() {
            for (name, v) in m {
                let version = match v {
                    Value::String(s) => s.clone(),
                    Value::Object(_) => s(v, "version").unwrap_or("").to_owned(),
                    Value::Number(n) => n.to_string(),
                    _ => String::new(),
                };
                let version = strip_peers(&version).to_owned();
                direct.entry((name.clone(), version)).or_insert(dev);
            }
        }
    };
    let mut importers: Vec<&Value> = vec![&doc];
    if let Some(imp) = map.get("importers").and_then(Value::as_object) {
        importers.extend(imp.values());
    }
    for importer in importers {
        for (key, dev) in [("dependencies", false), ("optionalDependencies", false), ("devDependencies", true)] {
            if let Some(d) = importer.get(key) {
                collect(d, dev, &mut direct);
            }
        }
    }
    let Some(packages) = opt_obj(&ctx, &doc, "packages", "")? else {
        return Ok(inv.finish());
    };
    let mut seen = BTreeSet::new();
    for (key, entry) in packages {
        let pointer = format!("/packages/{}", esc(key));
        if is_local(key) || key.starts_with("link:") {
            inv.warn(WarningKind::Skipped, format!("local package {key}"), Some(ctx.origin_ptr(&pointer)));
            continue;
        }
        let parsed = if version < 6.0 { parse_pnpm_v5_key(key) } else { parse_pnpm_key(key) };
        let (name, key_version) = match parsed {
            Ok(p) => p,
            Err(Some(expected)) => return Err(ctx.ptr(&pointer, expected, format!("`{key}`"))),
            Err(None) => match s(entry, "name") {
                // Git/tarball entries carry their name beside the key.
                Some(name) => (name.to_owned(), key.clone()),
                None => {
                    inv.warn(
                        WarningKind::Skipped,
                        format!("package key {key} names no package version"),
                        Some(ctx.origin_ptr(&pointer)),
                    );
                    continue;
                }
            },
        };
        let name = s(entry, "name").unwrap_or(&name).to_owned();
        let tarball = entry.get("resolution").and_then(|r| r.get("tarball").or_else(|| r.get("repo"))).is_some();
        let version = if looks_like_version(&key_version) && !key_version.contains("://") {
            Some(key_version.clone())
        } else if tarball || key_version.contains("://") {
            // Git or tarball: pnpm keeps the package.json version beside it.
            None
        } else {
            s(entry, "version").map(str::to_owned)
        };
        if !seen.insert((name.clone(), version.clone())) {
            continue;
        }
        let mut c = ctx.component(&name, version.as_deref(), NPM, ctx.origin_ptr(&pointer));
        if version.is_none() {
            c.scope = Some("git".into());
        }
        let dev_flag = entry.get("dev").and_then(Value::as_bool);
        match direct.get(&(name.clone(), key_version.clone())) {
            Some(dev) => {
                c.dependency = Dependency::Direct;
                if *dev {
                    c.dev = Some(true);
                    c.scope = Some("dev".into());
                }
            }
            None => c.dependency = Dependency::Transitive,
        }
        if dev_flag == Some(true) {
            c.dev = Some(true);
            c.scope = Some("dev".into());
        } else if dev_flag == Some(false) && c.dev.is_none() {
            c.dev = Some(false);
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}

/// `8.11.3(peer@1)(other@2)` -> `8.11.3`; v5 `2.0.28_peer@3` -> `2.0.28`.
fn strip_peers(v: &str) -> &str {
    let v = v.split('(').next().unwrap_or(v);
    if looks_like_version(v) { v.split('_').next().unwrap_or(v) } else { v }
}

/// v6 `/name@version(peers)` and v9 `name@version(peers)`.
fn parse_pnpm_key(key: &str) -> Result<(String, String), Option<String>> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let k = k.split('(').next().unwrap_or(k);
    let (name, version) = split_at_version(k).ok_or_else(|| Some("a `name@version` package key".to_owned()))?;
    Ok((name.to_owned(), version.to_owned()))
}

/// v5 `/name/version_peers`, `/@scope/name/version`, `registry.host/name/version`.
fn parse_pnpm_v5_key(key: &str) -> Result<(String, String), Option<String>> {
    let parts: Vec<&str> = key.trim_start_matches('/').split('/').collect();
    if parts.len() < 2 {
        return Err(Some("a `/name/version` package key (lockfile v5)".to_owned()));
    }
    let version = parts.last().copied().unwrap_or("");
    let version = strip_peers(version);
    if !looks_like_version(version) {
        return Err(None);
    }
    let n = parts.len();
    let name = match (parts.get(n.wrapping_sub(3)), parts.get(n - 2)) {
        (Some(scope), Some(name)) if scope.starts_with('@') => format!("{scope}/{name}"),
        (_, Some(name)) => (*name).to_owned(),
        _ => {
            return Err(Some("a `/name/version` package key (lockfile v5)".to_owned()));
        }
    };
    Ok((name, version.to_owned()))
}

/// Read `bun.lock` (the text lockfile, JSON with trailing commas).
pub fn read_bun_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::BunLock);
    let text = ctx.text_non_empty(bytes)?;
    let cleaned = strip_jsonc(text);
    let root = ctx.json_object(cleaned.as_bytes())?;
    let root = Value::Object(root);
    let mut inv = Inventory::new(ctx.format, file);
    let mut direct: BTreeMap<String, bool> = BTreeMap::new();
    if let Some(ws) = root.get("workspaces").and_then(Value::as_object) {
        for w in ws.values() {
            for (key, dev) in [("dependencies", false), ("optionalDependencies", false), ("devDependencies", true)] {
                for name in w.get(key).and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
                    direct.entry(name.clone()).or_insert(dev);
                }
            }
        }
    }
    let Some(packages) = opt_obj(&ctx, &root, "packages", "")? else {
        return Err(ctx.ptr("", "field `packages`", "a bun.lock without it"));
    };
    for (key, entry) in packages {
        let pointer = format!("/packages/{}", esc(key));
        let Some(spec) = entry.get(0).and_then(Value::as_str) else {
            return Err(ctx.ptr(
                &format!("{pointer}/0"),
                "a `name@version` string",
                entry.get(0).map_or("nothing", kind),
            ));
        };
        let Some((name, version)) = split_at_version(spec) else {
            return Err(ctx.ptr(&format!("{pointer}/0"), "`name@version`", format!("`{spec}`")));
        };
        if is_local(version) {
            continue;
        }
        let version = (!is_git(version) && !version.starts_with("github:")).then_some(version);
        let mut c = ctx.component(name, version, NPM, ctx.origin_ptr(&pointer));
        c.dependency = match direct.get(key.as_str()) {
            Some(dev) => {
                if *dev {
                    c.dev = Some(true);
                    c.scope = Some("dev".into());
                }
                Dependency::Direct
            }
            None => Dependency::Transitive,
        };
        inv.components.push(c);
    }
    Ok(inv.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(parse_pnpm_v5_key("/@babel/core/7.0.0"), Ok(("@babel/core".into(), "7.0.0".into())));
        assert_eq!(parse_pnpm_v5_key("/pinia/2.0.28_e7lp6"), Ok(("pinia".into(), "2.0.28".into())));
        assert_eq!(parse_pnpm_v5_key("registry.npmjs.org/foo/1.1.0"), Ok(("foo".into(), "1.1.0".into())));
        assert_eq!(parse_pnpm_v5_key("github.com/kevva/is-positive"), Err(None));
        assert!(matches!(parse_pnpm_v5_key("axios@1.2.5"), Err(Some(_))));
        assert_eq!(parse_pnpm_key("/acorn@8.7.0"), Ok(("acorn".into(), "8.7.0".into())));
        assert_eq!(
            parse_pnpm_key("@typescript-eslint/parser@5.62.0(eslint@8.57.0)"),
            Ok(("@typescript-eslint/parser".into(), "5.62.0".into()))
        );
        assert_eq!(yarn_name("\"ansi-regex-cjs@npm:ansi-regex@^5.0.0\""), Some("ansi-regex"));
        assert_eq!(yarn_name("@babel/core@^7.0.0"), Some("@babel/core"));
    }
}
