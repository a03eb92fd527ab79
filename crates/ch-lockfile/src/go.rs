//! `go.mod`: `require` lines with `replace` applied. Ecosystem `Go`.
//!
//! `// indirect` marks transitive requirements; everything else is direct.
//! A replacement by a local path drops the module (it is the operator's own
//! code) with a warning. The `go` directive is a minimum language version,
//! not the toolchain in use, so no `stdlib` component is emitted.

use ch_inventory::{Dependency, Error, Format, Inventory, WarningKind};

use crate::util::Ctx;

const DIRECTIVES: &[&str] =
    &["module", "go", "toolchain", "require", "replace", "exclude", "retract", "godebug", "tool", "ignore"];

struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: usize,
}

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
    line: usize,
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').trim_matches('`').to_owned()
}

/// Read a `go.mod`.
pub fn read_go_mod(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::GoMod);
    let text = ctx.text_non_empty(bytes)?;
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut block: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let (code, comment) = match raw.find("//") {
            Some(c) => (raw.get(..c).unwrap_or(""), raw.get(c + 2..).unwrap_or("")),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let indirect = comment.trim().starts_with("indirect");
        let (directive, rest) = match block {
            Some(b) => {
                if code == ")" {
                    block = None;
                    continue;
                }
                (b, code)
            }
            None => {
                let (d, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                if !DIRECTIVES.contains(&d) {
                    let column = raw.len() - raw.trim_start().len() + 1;
                    return Err(ctx.at(
                        line_no,
                        column,
                        "a go.mod directive (module, go, require, replace, ...)",
                        format!("`{}`", code.chars().take(30).collect::<String>()),
                    ));
                }
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(d);
                    continue;
                }
                (d, rest)
            }
        };
        match directive {
            "require" => {
                let parts: Vec<&str> = rest.split_whitespace().collect();
                let [path, version] = parts.as_slice() else {
                    return Err(ctx.at(line_no, 1, "`require <module> <version>`", format!("`{rest}`")));
                };
                requires.push(Require { path: unquote(path), version: unquote(version), indirect, line: line_no });
            }
            "replace" => {
                let Some((old, new)) = rest.split_once("=>") else {
                    return Err(ctx.at(
                        line_no,
                        1,
                        "`replace <old> [version] => <new> [version]`",
                        format!("`{rest}`"),
                    ));
                };
                let old: Vec<&str> = old.split_whitespace().collect();
                let new: Vec<&str> = new.split_whitespace().collect();
                let (Some(o), Some(n)) = (old.first(), new.first()) else {
                    return Err(ctx.at(
                        line_no,
                        1,
                        "`replace <old> [version] => <new> [version]`",
                        format!("`{rest}`"),
                    ));
                };
                replaces.push(Replace {
                    old: unquote(o),
                    old_version: old.get(1).map(|v| unquote(v)),
                    new: unquote(n),
                    new_version: new.get(1).map(|v| unquote(v)),
                    line: line_no,
                });
            }
            _ => {}
        }
    }
    if let Some(b) = block {
        return Err(ctx.at(text.lines().count().max(1), 1, format!("`)` closing the `{b}` block"), "end of input"));
    }
    let mut inv = Inventory::new(ctx.format, file);
    let mut seen = std::collections::BTreeSet::new();
    for r in requires {
        let rep = replaces.iter().find(|p| p.old == r.path && p.old_version.as_ref().is_none_or(|v| *v == r.version));
        let (path, version) = match rep {
            Some(p) if p.new.starts_with('.') || p.new.starts_with('/') => {
                inv.warn(
                    WarningKind::Skipped,
                    format!("{} is replaced by the local path {}", r.path, p.new),
                    Some(ctx.origin_line(p.line)),
                );
                continue;
            }
            Some(p) => (p.new.clone(), p.new_version.clone().unwrap_or_else(|| r.version.clone())),
            None => (r.path, r.version),
        };
        if !seen.insert((path.clone(), version.clone())) {
            continue;
        }
        let mut c = ctx.component(&path, Some(&version), "Go", ctx.origin_line(r.line));
        c.dependency = if r.indirect { Dependency::Transitive } else { Dependency::Direct };
        inv.components.push(c);
    }
    Ok(inv.finish())
}
