//! `renv.lock` (R). Ecosystem `CRAN`, or `Bioconductor` for packages whose
//! `Source` is Bioconductor. Packages installed from GitHub or local paths
//! are skipped with a warning.

use ch_inventory::{Error, Format, Inventory, WarningKind};
use serde_json::Value;

use crate::util::{Ctx, esc, kind, s};

/// Read a `renv.lock`.
pub fn read_renv_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::RenvLock);
    let root = Value::Object(ctx.json_object(bytes)?);
    let packages = match root.get("Packages") {
        Some(Value::Object(p)) => p,
        Some(other) => return Err(ctx.ptr("/Packages", "an object of packages", kind(other))),
        None => return Err(ctx.ptr("", "field `Packages`", "an object without it")),
    };
    let mut inv = Inventory::new(ctx.format, file);
    for (key, entry) in packages {
        let pointer = format!("/Packages/{}", esc(key));
        let name = s(entry, "Package").unwrap_or(key);
        let Some(version) = s(entry, "Version") else {
            return Err(ctx.ptr(&pointer, format!("field `Version` for {name}"), "a package without it"));
        };
        let source = s(entry, "Source").unwrap_or("Repository");
        let ecosystem = match source {
            "Bioconductor" => "Bioconductor",
            "Repository" => match s(entry, "Repository") {
                None | Some("CRAN" | "RSPM" | "PPM" | "P3M") => "CRAN",
                Some(other) => {
                    inv.warn(
                        WarningKind::Skipped,
                        format!("{name} is from the repository {other}"),
                        Some(ctx.origin_ptr(&pointer)),
                    );
                    continue;
                }
            },
            other => {
                inv.warn(
                    WarningKind::Skipped,
                    format!("{name} is installed from {other}"),
                    Some(ctx.origin_ptr(&pointer)),
                );
                continue;
            }
        };
        inv.components.push(ctx.component(name, Some(version), ecosystem, ctx.origin_ptr(&pointer)));
    }
    Ok(inv.finish())
}
