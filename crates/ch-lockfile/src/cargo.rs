//! `Cargo.lock` (v1-v4). Ecosystem `crates.io`.
//!
//! Our own small model over `toml` 1 rather than `cargo-lock` 11: that crate
//! pulls a second `toml` (0.8) and its errors are unlocated strings. Packages
//! without a `source` are workspace members or path dependencies, the
//! project's own code: they are the roots of the graph, not components.

use std::collections::{BTreeMap, BTreeSet};

use ch_inventory::{Dependency, Error, Format, Inventory, WarningKind};
use serde_json::Value;

use crate::util::{Ctx, kind, opt_arr, s};

/// Read a `Cargo.lock`.
pub fn read_cargo_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::CargoLock);
    let doc = ctx.toml(bytes)?;
    if doc.get("version").is_none() && doc.get("package").is_none() && doc.get("metadata").is_none() {
        return Err(ctx.ptr("", "`version = N` or `[[package]]` entries", "neither"));
    }
    let packages = opt_arr(&ctx, &doc, "package", "")?;
    let mut inv = Inventory::new(ctx.format, file);
    // name -> versions, to resolve `dependencies = ["name", "name 1.0.0 (source)"]`.
    let mut roots: Vec<(String, Vec<String>)> = Vec::new();
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut entries = Vec::new();
    for (i, p) in packages.iter().enumerate() {
        let pointer = format!("/package/{i}");
        let name = match p.get("name") {
            Some(Value::String(n)) => n.clone(),
            Some(other) => {
                return Err(ctx.ptr(&format!("{pointer}/name"), "a string", kind(other)));
            }
            None => return Err(ctx.ptr(&pointer, "field `name`", "a package without it")),
        };
        let Some(version) = s(p, "version").map(str::to_owned) else {
            return Err(ctx.ptr(&pointer, format!("field `version` for {name}"), "a package without it"));
        };
        let deps: Vec<String> = opt_arr(&ctx, p, "dependencies", &pointer)?
            .iter()
            .filter_map(Value::as_str)
            .map(|d| d.split(' ').next().unwrap_or(d).to_owned())
            .collect();
        edges.insert((name.clone(), version.clone()), deps.clone());
        match s(p, "source") {
            None => {
                inv.warn(
                    WarningKind::Skipped,
                    format!("{name} {version} is a workspace or path package"),
                    Some(ctx.origin_ptr(&pointer)),
                );
                roots.push((name, deps));
            }
            Some(source) => entries.push((pointer, name, version, source.to_owned())),
        }
    }
    let direct: BTreeSet<&str> = roots.iter().flat_map(|(_, d)| d.iter().map(String::as_str)).collect();
    let root_names: BTreeSet<&str> = roots.iter().map(|(n, _)| n.as_str()).collect();
    for (pointer, name, version, source) in &entries {
        let mut c = ctx.component(name, Some(version), "crates.io", ctx.origin_ptr(pointer));
        if !source.starts_with("registry+") && !source.starts_with("sparse+") {
            // Git sources: the version is the manifest's, not a crates.io release.
            c.scope = Some("git".into());
        }
        if !roots.is_empty() {
            c.dependency = if direct.contains(name.as_str()) && !root_names.contains(name.as_str()) {
                Dependency::Direct
            } else {
                Dependency::Transitive
            };
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}
