//! Maven and Gradle: `pom.xml` (declared versions), `gradle.lockfile`,
//! `gradle/verification-metadata.xml`. Ecosystem `Maven`, names
//! `group:artifact`.
//!
//! A pom is a manifest, not a lockfile: versions are the declared ones,
//! `${property}` references are resolved from `<properties>` and the
//! project's own coordinates; anything left unresolved is a
//! [`WarningKind::UnresolvedProperty`] warning and the component has no
//! version. Parents and imported BOMs are not fetched (no IO). A version
//! range (`[1.0,2.0)`) is a [`WarningKind::Unpinned`] warning.

use std::collections::BTreeMap;

use ch_inventory::error::LineIndex;
use ch_inventory::{Dependency, Error, Format, Inventory, Location, WarningKind};
use ch_sbom::xml::{self, Element};

use crate::util::Ctx;

const MAVEN: &str = "Maven";

fn interpolate(value: &str, props: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = value.to_owned();
    // Properties may refer to properties; bounded to avoid cycles.
    for _ in 0..8 {
        let Some(start) = out.find("${") else {
            return Ok(out);
        };
        let Some(len) = out.get(start..).and_then(|r| r.find('}')) else {
            return Err(out);
        };
        let key = out.get(start + 2..start + len).unwrap_or("").to_owned();
        let Some(v) = props.get(&key) else {
            return Err(key);
        };
        out.replace_range(start..=start + len, v);
    }
    if out.contains("${") { Err(out) } else { Ok(out) }
}

/// Read a `pom.xml`.
pub fn read_pom(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::MavenPom);
    let text = ctx.text(bytes)?;
    let root = xml::parse(text, file, ctx.format)?;
    if root.local() != "project" {
        return Err(Error::syntax(
            file,
            ctx.format,
            Location::of_offset(text, root.offset),
            "a `<project>` root element",
            format!("`<{}>`", root.name),
        ));
    }
    let mut props = BTreeMap::new();
    if let Some(p) = root.child("properties") {
        for prop in &p.children {
            props.insert(prop.local().to_owned(), prop.text.trim().to_owned());
        }
    }
    let parent = root.child("parent");
    let own = |k: &str| root.child_text(k).or_else(|| parent.and_then(|p| p.child_text(k)));
    for (key, value) in [
        ("project.version", own("version")),
        ("project.groupId", own("groupId")),
        ("project.artifactId", root.child_text("artifactId")),
        ("version", own("version")),
        ("pom.version", own("version")),
        ("project.parent.version", parent.and_then(|p| p.child_text("version"))),
        ("project.parent.groupId", parent.and_then(|p| p.child_text("groupId"))),
    ] {
        if let Some(v) = value {
            props.entry(key.to_owned()).or_insert_with(|| v.to_owned());
        }
    }
    let mut inv = Inventory::new(ctx.format, file);
    let lines = LineIndex::new(text);
    let deps: Vec<&Element> =
        root.child("dependencies").map(|d| d.children_named("dependency").collect()).unwrap_or_default();
    let managed: Vec<&Element> = root
        .child("dependencyManagement")
        .and_then(|m| m.child("dependencies"))
        .map(|d| d.children_named("dependency").collect())
        .unwrap_or_default();
    let key = |d: &Element| {
        (d.child_text("groupId").unwrap_or("").to_owned(), d.child_text("artifactId").unwrap_or("").to_owned())
    };
    let managed_versions: BTreeMap<(String, String), &str> =
        managed.iter().filter_map(|d| Some((key(d), d.child_text("version")?))).collect();
    let declared: Vec<(String, String)> = deps.iter().map(|d| key(d)).collect();
    let entries = deps
        .iter()
        .map(|d| (*d, false))
        .chain(managed.iter().filter(|d| !declared.contains(&key(d))).map(|d| (*d, true)));
    for (dep, is_managed) in entries {
        let origin = ctx.origin_line(lines.location(text, dep.offset).line_number().unwrap_or(1));
        let (group, artifact) = key(dep);
        let group = interpolate(&group, &props).unwrap_or(group);
        let artifact = interpolate(&artifact, &props).unwrap_or(artifact);
        if group.is_empty() || artifact.is_empty() {
            inv.warn(WarningKind::Skipped, "dependency without groupId or artifactId", Some(origin));
            continue;
        }
        let name = format!("{group}:{artifact}");
        let raw = dep.child_text("version").or_else(|| managed_versions.get(&key(dep)).copied());
        let version = match raw.map(|v| interpolate(v, &props)) {
            None => {
                inv.warn(
                    WarningKind::Unpinned,
                    format!("{name} has no version (managed by a parent or BOM)"),
                    Some(origin.clone()),
                );
                None
            }
            Some(Err(prop)) => {
                inv.warn(
                    WarningKind::UnresolvedProperty,
                    format!("{name}: property `${{{prop}}}` is not defined in this pom"),
                    Some(origin.clone()),
                );
                None
            }
            Some(Ok(v)) if v.starts_with('[') || v.starts_with('(') => {
                inv.warn(WarningKind::Unpinned, format!("{name} is a version range `{v}`"), Some(origin.clone()));
                None
            }
            Some(Ok(v)) => Some(v),
        };
        let mut c = ctx.component(&name, version.as_deref(), MAVEN, origin);
        if !is_managed {
            c.dependency = Dependency::Direct;
        }
        let scope = dep.child_text("scope").map(str::to_owned);
        c.dev = scope.as_deref().map(|s| s == "test");
        c.scope = if is_managed { Some("managed".to_owned()) } else { scope };
        inv.components.push(c);
    }
    Ok(inv.finish())
}

/// Read a `gradle.lockfile`. Lines that are not `group:artifact:version=...`
/// are skipped with a warning.
pub fn read_gradle_lockfile(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::GradleLockfile);
    let text = ctx.text(bytes)?;
    let mut inv = Inventory::new(ctx.format, file);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let coords = line.split('=').next().unwrap_or(line);
        let parts: Vec<&str> = coords.split(':').collect();
        match parts.as_slice() {
            [g, a, v] if !g.is_empty() && !a.is_empty() && !v.is_empty() => {
                let mut c = ctx.component(&format!("{g}:{a}"), Some(v), MAVEN, ctx.origin_line(i + 1));
                let configs = line.split_once('=').map_or("", |(_, c)| c);
                let runtime = configs
                    .split(',')
                    .any(|c| c.contains("untime") || c.contains("ompileClasspath") && !c.starts_with("test"));
                if !configs.is_empty() && !runtime {
                    c.dev = Some(true);
                    c.scope = Some(configs.to_owned());
                }
                inv.components.push(c);
            }
            _ => inv.warn(
                WarningKind::Skipped,
                format!(
                    "line is not `group:artifact:version=configurations`: `{}`",
                    line.chars().take(40).collect::<String>()
                ),
                Some(ctx.origin_line(i + 1)),
            ),
        }
    }
    Ok(inv.finish())
}

/// Read `gradle/verification-metadata.xml`.
pub fn read_gradle_verification(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::GradleVerificationMetadata);
    let text = ctx.text(bytes)?;
    let root = xml::parse(text, file, ctx.format)?;
    if root.local() != "verification-metadata" {
        return Err(Error::syntax(
            file,
            ctx.format,
            Location::of_offset(text, root.offset),
            "a `<verification-metadata>` root element",
            format!("`<{}>`", root.name),
        ));
    }
    let mut inv = Inventory::new(ctx.format, file);
    let lines = LineIndex::new(text);
    for comp in root.child("components").into_iter().flat_map(|c| c.children_named("component")) {
        let line = lines.location(text, comp.offset).line_number().unwrap_or(1);
        match (comp.attr("group"), comp.attr("name"), comp.attr("version")) {
            (Some(g), Some(n), Some(v)) => {
                inv.components.push(ctx.component(&format!("{g}:{n}"), Some(v), MAVEN, ctx.origin_line(line)));
            }
            _ => {
                return Err(ctx.at(line, 1, "a component with group, name and version", "a component missing one"));
            }
        }
    }
    Ok(inv.finish())
}
