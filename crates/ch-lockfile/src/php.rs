//! `composer.lock`. Ecosystem `Packagist`.

use ch_inventory::{Error, Format, Inventory, WarningKind};
use serde_json::Value;

use crate::util::{Ctx, kind, opt_arr, s};

/// Read a `composer.lock`.
pub fn read_composer_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::ComposerLock);
    let root = Value::Object(ctx.json_object(bytes)?);
    if root.get("packages").is_none() {
        return Err(ctx.ptr("", "field `packages`", "an object without it"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    for (key, dev) in [("packages", false), ("packages-dev", true)] {
        for (i, p) in opt_arr(&ctx, &root, key, "")?.iter().enumerate() {
            let pointer = format!("/{key}/{i}");
            let Some(name) = s(p, "name") else {
                return Err(ctx.ptr(&pointer, "field `name`", p.get("name").map_or("a package without it", kind)));
            };
            let Some(version) = s(p, "version") else {
                return Err(ctx.ptr(&pointer, format!("field `version` for {name}"), "a package without it"));
            };
            if p.pointer("/dist/type").and_then(Value::as_str) == Some("path") {
                inv.warn(
                    WarningKind::Skipped,
                    format!("{name} is a local path package"),
                    Some(ctx.origin_ptr(&pointer)),
                );
                continue;
            }
            let mut c = ctx.component(name, Some(version), "Packagist", ctx.origin_ptr(&pointer));
            c.dev = Some(dev);
            if dev {
                c.scope = Some("dev".into());
            }
            inv.components.push(c);
        }
    }
    Ok(inv.finish())
}
