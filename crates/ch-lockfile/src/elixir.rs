//! `mix.lock` (Elixir). Ecosystem `Hex`.
//!
//! The lockfile is an Elixir map literal, one entry per line:
//! `"name": {:hex, :package, "version", ...}` or `{:git, url, sha, opts}`.
//! Git entries are kept without a version.

use ch_inventory::{Error, Format, Inventory, WarningKind};

use crate::util::Ctx;

/// Read a `mix.lock`.
pub fn read_mix_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::MixLock);
    let text = ctx.text_non_empty(bytes)?;
    let trimmed = text.trim();
    if !trimmed.starts_with("%{") {
        return Err(ctx.at(1, 1, "an Elixir map `%{`", format!("`{}`", trimmed.chars().take(20).collect::<String>())));
    }
    if !trimmed.ends_with('}') {
        return Err(ctx.at(text.lines().count().max(1), 1, "`}` closing the map", "end of input"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        let Some(rest) = line.strip_prefix('"') else {
            continue;
        };
        let Some((key, tuple)) = rest.split_once("\":") else {
            return Err(ctx.at(line_no, 1, "`\"name\": {...}`", format!("`{line}`")));
        };
        let tuple = tuple.trim().trim_start_matches('{');
        let fields: Vec<&str> = tuple.splitn(4, ", ").map(str::trim).collect();
        match fields.as_slice() {
            [":hex", package, version, ..] => {
                let name = package.trim_start_matches(':');
                let version = version.trim_matches('"');
                inv.components.push(ctx.component(name, Some(version), "Hex", ctx.origin_line(line_no)));
            }
            [":git", ..] => {
                let mut c = ctx.component(key, None, "Hex", ctx.origin_line(line_no));
                c.scope = Some("git".into());
                inv.components.push(c);
            }
            _ => inv.warn(WarningKind::Skipped, format!("{key}: unknown source"), Some(ctx.origin_line(line_no))),
        }
    }
    Ok(inv.finish())
}
