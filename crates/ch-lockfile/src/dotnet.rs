//! NuGet `packages.lock.json`. Ecosystem `NuGet`.
//!
//! One entry per target framework; the same package resolved for several
//! frameworks is reported once per distinct version.

use std::collections::BTreeSet;

use ch_inventory::{Dependency, Error, Format, Inventory};
use serde_json::Value;

use crate::util::{Ctx, esc, kind, opt_obj, s};

/// Read a NuGet `packages.lock.json`.
pub fn read_nuget_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::NugetLock);
    let root = Value::Object(ctx.json_object(bytes)?);
    match root.get("version") {
        Some(Value::Number(_)) => {}
        Some(other) => return Err(ctx.ptr("/version", "a number", kind(other))),
        None => return Err(ctx.ptr("", "field `version`", "an object without it")),
    }
    let mut inv = Inventory::new(ctx.format, file);
    let Some(frameworks) = opt_obj(&ctx, &root, "dependencies", "")? else {
        return Err(ctx.ptr("", "field `dependencies`", "an object without it"));
    };
    let mut seen = BTreeSet::new();
    for (fw, packages) in frameworks {
        let base = format!("/dependencies/{}", esc(fw));
        let Some(packages) = packages.as_object() else {
            return Err(ctx.ptr(&base, "an object of packages", kind(packages)));
        };
        for (name, entry) in packages {
            let pointer = format!("{base}/{}", esc(name));
            let ty = s(entry, "type").unwrap_or("");
            if ty == "Project" {
                continue;
            }
            let Some(version) = s(entry, "resolved") else {
                return Err(ctx.ptr(&pointer, format!("field `resolved` for {name}"), "a package without it"));
            };
            if !seen.insert((name.clone(), version.to_owned())) {
                continue;
            }
            let mut c = ctx.component(name, Some(version), "NuGet", ctx.origin_ptr(&pointer));
            c.dependency = match ty {
                "Direct" => Dependency::Direct,
                "Transitive" | "CentralTransitive" => Dependency::Transitive,
                _ => Dependency::Unknown,
            };
            inv.components.push(c);
        }
    }
    Ok(inv.finish())
}
