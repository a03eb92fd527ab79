//! `conan.lock`: Conan 2 (`requires`, `build_requires`) and Conan 1 graph
//! locks (lockfile 0.1-0.4, `graph_lock.nodes` with `ref` or `pref`).
//! Ecosystem `ConanCenter`. References look like
//! `name/version[@user/channel][#revision][:package_id...]`.

use ch_inventory::{Dependency, Error, Format, Inventory, WarningKind};
use serde_json::Value;

use crate::util::{Ctx, esc, kind, opt_arr, s};

fn parse_ref(r: &str) -> Option<(&str, &str)> {
    let r = r.split(['#', ':', '%']).next().unwrap_or(r);
    let r = r.split('@').next().unwrap_or(r);
    let (name, version) = r.split_once('/')?;
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

/// Read a `conan.lock`.
pub fn read_conan_lock(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::ConanLock);
    let root = Value::Object(ctx.json_object(bytes)?);
    let mut inv = Inventory::new(ctx.format, file);
    let push = |inv: &mut Inventory, r: &str, pointer: &str, build: bool, dependency: Dependency| match parse_ref(r) {
        Some((name, version)) => {
            let mut c = ctx.component(name, Some(version), "ConanCenter", ctx.origin_ptr(pointer));
            c.dependency = dependency;
            if build {
                c.dev = Some(true);
                c.scope = Some("build".into());
            }
            inv.components.push(c);
        }
        None => inv.warn(
            WarningKind::Skipped,
            format!("reference `{r}` has no name/version"),
            Some(ctx.origin_ptr(pointer)),
        ),
    };
    if let Some(graph) = root.get("graph_lock") {
        let Some(nodes) = graph.get("nodes").and_then(Value::as_object) else {
            return Err(ctx.ptr(
                "/graph_lock",
                "field `nodes` (an object)",
                graph.get("nodes").map_or("nothing", kind),
            ));
        };
        // The root node is the consumer: it has a `path`, or no reference.
        let root_requires: Vec<String> = nodes
            .values()
            .filter(|n| n.get("path").is_some() || n.get("pref").is_some_and(Value::is_null))
            .flat_map(|n| match n.get("requires") {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>(),
                Some(Value::Object(m)) => m.values().filter_map(Value::as_str).map(str::to_owned).collect(),
                _ => Vec::new(),
            })
            .collect();
        let build_requires: Vec<String> = nodes
            .values()
            .filter(|n| n.get("path").is_some())
            .flat_map(|n| opt_arr(&ctx, n, "build_requires", "").unwrap_or(&[]).iter())
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        for (id, node) in nodes {
            if node.get("path").is_some() {
                continue;
            }
            let Some(r) = s(node, "ref").or_else(|| s(node, "pref")) else {
                continue;
            };
            let is_build = build_requires.iter().any(|x| x == id);
            let dependency = if root_requires.iter().any(|x| x == id) || is_build {
                Dependency::Direct
            } else {
                Dependency::Transitive
            };
            let build = is_build || s(node, "context") == Some("build");
            push(&mut inv, r, &format!("/graph_lock/nodes/{}", esc(id)), build, dependency);
        }
    } else if root.get("requires").is_some() || root.get("version").is_some() {
        for (key, build) in [("requires", false), ("build_requires", true), ("python_requires", true)] {
            for (i, r) in opt_arr(&ctx, &root, key, "")?.iter().enumerate() {
                let pointer = format!("/{key}/{i}");
                let Some(r) = r.as_str() else {
                    return Err(ctx.ptr(&pointer, "a reference string", kind(r)));
                };
                push(&mut inv, r, &pointer, build, Dependency::Unknown);
            }
        }
    } else {
        return Err(ctx.ptr("", "`requires` (Conan 2) or `graph_lock` (Conan 1)", "neither"));
    }
    Ok(inv.finish())
}

#[cfg(test)]
mod tests {
    #[test]
    fn refs() {
        assert_eq!(super::parse_ref("zlib/1.2.11#abc%1667"), Some(("zlib", "1.2.11")));
        assert_eq!(super::parse_ref("zlib/1.2.11@bincrafters/testing#5f:19#58"), Some(("zlib", "1.2.11")));
        assert_eq!(super::parse_ref("1.2.3#abc"), None);
    }
}
