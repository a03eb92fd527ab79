//! `Gemfile.lock` (Bundler). Ecosystem `RubyGems`.
//!
//! Gems come from the `GEM` and `GIT` sections' `specs:` (four-space
//! indent); `PATH` gems are the project's own. `DEPENDENCIES` names the
//! direct gems. Platform suffixes (`1.13.6-x86_64-linux`) are removed from
//! versions.

use std::collections::BTreeSet;

use ch_inventory::{Dependency, Error, Format, Inventory, WarningKind};

use crate::util::Ctx;

const PLATFORMS: &[&str] = &["x86_64", "x86", "arm64", "aarch64", "arm", "java", "universal", "x64", "mingw", "mswin"];

fn strip_platform(version: &str) -> &str {
    match version.split_once('-') {
        Some((v, platform)) if PLATFORMS.iter().any(|p| platform.starts_with(p)) => v,
        _ => version,
    }
}

/// Read a `Gemfile.lock` / `gems.locked`.
pub fn read_gemfile_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::GemfileLock);
    let text = ctx.text_non_empty(bytes)?;
    let mut section = "";
    let mut in_specs = false;
    let mut gems = Vec::new();
    let mut direct = BTreeSet::new();
    let mut saw_section = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if !raw.starts_with(' ') {
            section = raw.trim();
            in_specs = false;
            saw_section = true;
            continue;
        }
        if !saw_section {
            return Err(ctx.at(
                line_no,
                1,
                "a section header (GEM, GIT, PATH, DEPENDENCIES)",
                format!("`{}`", raw.trim()),
            ));
        }
        let indent = raw.len() - raw.trim_start().len();
        let body = raw.trim();
        match section {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    in_specs = body == "specs:";
                } else if indent == 4 && in_specs {
                    let Some((name, rest)) = body.split_once(" (") else {
                        return Err(ctx.at(line_no, 5, "`name (version)`", format!("`{body}`")));
                    };
                    let version = rest.trim_end_matches(')');
                    gems.push((section.to_owned(), name.to_owned(), strip_platform(version).to_owned(), line_no));
                }
            }
            "DEPENDENCIES" if indent == 2 => {
                let name = body.split([' ', '!']).next().unwrap_or(body);
                direct.insert(name.to_owned());
            }
            _ => {}
        }
    }
    if !saw_section {
        return Err(ctx.at(1, 1, "a Gemfile.lock section (GEM, GIT, PATH)", "no sections"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    let mut seen = BTreeSet::new();
    for (section, name, version, line) in gems {
        if section == "PATH" {
            inv.warn(WarningKind::Skipped, format!("{name} is a local gem (PATH)"), Some(ctx.origin_line(line)));
            continue;
        }
        if !seen.insert((name.clone(), version.clone())) {
            continue;
        }
        let mut c = ctx.component(&name, Some(&version), "RubyGems", ctx.origin_line(line));
        if section == "GIT" {
            c.scope = Some("git".into());
        }
        if !direct.is_empty() {
            c.dependency = if direct.contains(&name) { Dependency::Direct } else { Dependency::Transitive };
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}
