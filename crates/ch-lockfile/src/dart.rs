//! `pubspec.lock` (Dart, Flutter). Ecosystem `Pub`.
//!
//! `sdk` and `path` packages are not from pub.dev and are skipped.

use ch_inventory::{Dependency, Error, Format, Inventory, WarningKind};
use serde_json::Value;

use crate::util::{Ctx, describe_top, esc, kind, s};

/// Read a `pubspec.lock`.
pub fn read_pubspec_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::PubspecLock);
    ctx.text_non_empty(bytes)?;
    let doc = ctx.yaml(bytes)?;
    let Some(map) = doc.as_object() else {
        return Err(ctx.ptr("", "a mapping with `packages`", describe_top(&doc)));
    };
    let packages = match map.get("packages") {
        Some(Value::Object(p)) => p,
        Some(Value::Null) => return Ok(Inventory::new(ctx.format, file).finish()),
        Some(other) => return Err(ctx.ptr("/packages", "a mapping of packages", kind(other))),
        None => return Err(ctx.ptr("", "field `packages`", "a document without it")),
    };
    let mut inv = Inventory::new(ctx.format, file);
    for (name, entry) in packages {
        let pointer = format!("/packages/{}", esc(name));
        let source = s(entry, "source").unwrap_or("hosted");
        if matches!(source, "sdk" | "path") {
            inv.warn(
                WarningKind::Skipped,
                format!("{name} comes from the {source}, not pub.dev"),
                Some(ctx.origin_ptr(&pointer)),
            );
            continue;
        }
        let version = match entry.get("version") {
            Some(Value::String(v)) => v.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(ctx.ptr(&pointer, format!("field `version` for {name}"), "a package without it"));
            }
        };
        let mut c = ctx.component(name, Some(&version), "Pub", ctx.origin_ptr(&pointer));
        let dep = s(entry, "dependency").unwrap_or("");
        c.dependency = if dep.starts_with("direct") {
            Dependency::Direct
        } else if dep == "transitive" {
            Dependency::Transitive
        } else {
            Dependency::Unknown
        };
        if dep == "direct dev" {
            c.dev = Some(true);
            c.scope = Some("dev".into());
        }
        if source == "git" {
            c.scope = Some("git".into());
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}
