//! Installed-package databases: Debian/Ubuntu dpkg `status` and Alpine apk
//! `installed`. The release comes from an `/etc/os-release` text when the
//! caller has one (`ID`, `VERSION_ID`): ecosystems `Debian:12`,
//! `Ubuntu:22.04`, `Alpine:v3.19`; without it the bare `Debian`/`Ubuntu`/
//! `Alpine` is used and a warning says the release is unknown.
//!
//! Components are named by **source** package (`Source:` / apk `o:`), which
//! is how the distributions' advisories name them; one source package built
//! into several binaries is reported once per version.

use std::collections::BTreeSet;

use ch_inventory::{Error, Format, Inventory, WarningKind};

use crate::util::Ctx;

/// The fields of `/etc/os-release` this crate uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsRelease {
    /// `ID` (`debian`, `ubuntu`, `alpine`).
    pub id: String,
    /// `VERSION_ID` (`12`, `22.04`, `3.19.1`).
    pub version_id: Option<String>,
}

impl OsRelease {
    /// Parse os-release text (`KEY=value`, values optionally quoted).
    pub fn parse(text: &str) -> Self {
        let mut out = OsRelease::default();
        for line in text.lines() {
            let Some((k, v)) = line.trim().split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"').trim_matches('\'').to_owned();
            match k.trim() {
                "ID" => out.id = v.to_ascii_lowercase(),
                "VERSION_ID" => out.version_id = Some(v),
                _ => {}
            }
        }
        out
    }

    /// The OSV ecosystem for this release, if it is Debian, Ubuntu or Alpine.
    pub fn ecosystem(&self) -> Option<String> {
        let v = self.version_id.as_deref();
        match (self.id.as_str(), v) {
            ("debian", Some(v)) => Some(format!("Debian:{}", v.split('.').next().unwrap_or(v))),
            ("debian", None) => Some("Debian".to_owned()),
            ("ubuntu", Some(v)) => Some(format!("Ubuntu:{v}")),
            ("ubuntu", None) => Some("Ubuntu".to_owned()),
            ("alpine", Some(v)) => {
                let mut parts = v.split('.');
                match (parts.next(), parts.next()) {
                    (Some(a), Some(b)) => Some(format!("Alpine:v{a}.{b}")),
                    _ => Some("Alpine".to_owned()),
                }
            }
            ("alpine", None) => Some("Alpine".to_owned()),
            _ => None,
        }
    }
}

/// Paragraphs of `Key: value` / `K:value` lines: (first line, fields).
type Paragraph = (usize, Vec<(String, String)>);

fn paragraphs(ctx: &Ctx<'_>, text: &str, apk: bool) -> Result<Vec<Paragraph>, Error> {
    let mut out: Vec<Paragraph> = Vec::new();
    let mut current: Option<Paragraph> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        if raw.trim().is_empty() {
            if let Some(p) = current.take() {
                out.push(p);
            }
            continue;
        }
        if !apk && raw.starts_with('#') {
            // deb822 comment line.
            continue;
        }
        if !apk && (raw.starts_with(' ') || raw.starts_with('\t')) {
            // dpkg continuation line.
            if current.is_none() {
                return Err(ctx.at(line_no, 1, "a `Field: value` line", "a continuation line outside a paragraph"));
            }
            continue;
        }
        let field = if apk {
            let b = raw.as_bytes();
            (b.len() >= 2 && b.get(1) == Some(&b':') && b.first().is_some_and(u8::is_ascii_alphabetic))
                .then(|| (raw.get(..1).unwrap_or(""), raw.get(2..).unwrap_or("")))
        } else {
            raw.split_once(':').filter(|(k, _)| !k.is_empty() && !k.contains(char::is_whitespace))
        };
        let Some((k, v)) = field else {
            let expected = if apk { "an apk `K:value` line" } else { "a dpkg `Field: value` line" };
            return Err(ctx.at(line_no, 1, expected, format!("`{}`", raw.trim().chars().take(40).collect::<String>())));
        };
        current.get_or_insert_with(|| (line_no, Vec::new())).1.push((k.to_owned(), v.trim().to_owned()));
    }
    if let Some(p) = current.take() {
        out.push(p);
    }
    Ok(out)
}

fn release(ctx: &Ctx<'_>, os_release: Option<&str>, default: &str, inv: &mut Inventory) -> String {
    let _ = ctx;
    match os_release.map(OsRelease::parse).and_then(|r| r.ecosystem()) {
        Some(e) => e,
        None => {
            inv.warn(
                WarningKind::Other,
                format!("release unknown: ecosystem is plain `{default}`; pass /etc/os-release to pin it"),
                None,
            );
            default.to_owned()
        }
    }
}

/// Read a dpkg `status` database.
pub fn read_dpkg_status(bytes: &[u8], file: &str, os_release: Option<&str>) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::DpkgStatus);
    let text = ctx.text_non_empty(bytes)?;
    let paras = paragraphs(&ctx, text, false)?;
    let mut inv = Inventory::new(ctx.format, file);
    let ubuntu = text.contains("ubuntu");
    let ecosystem = release(&ctx, os_release, if ubuntu { "Ubuntu" } else { "Debian" }, &mut inv);
    let mut seen = BTreeSet::new();
    for (line, fields) in paras {
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
        let Some(package) = get("Package") else {
            inv.warn(WarningKind::Skipped, "paragraph without `Package:`", Some(ctx.origin_line(line)));
            continue;
        };
        if get("Status").is_some_and(|s| !s.ends_with(" installed")) {
            continue;
        }
        let Some(version) = get("Version") else {
            inv.warn(WarningKind::Skipped, format!("{package} has no version"), Some(ctx.origin_line(line)));
            continue;
        };
        // `Source: lvm2 (2.02.176-4.1ubuntu3)`: the source name and, when it
        // differs, the source version.
        let (name, version) = match get("Source") {
            Some(src) => match src.split_once(' ') {
                Some((n, v)) => (n, v.trim().trim_start_matches('(').trim_end_matches(')')),
                None => (src, version),
            },
            None => (package, version),
        };
        if !seen.insert((name.to_owned(), version.to_owned())) {
            continue;
        }
        let mut c = ctx.component(name, Some(version), &ecosystem, ctx.origin_line(line));
        if name != package {
            c.product = Some(package.to_owned());
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}

/// Read an apk `installed` database.
pub fn read_apk_installed(bytes: &[u8], file: &str, os_release: Option<&str>) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::ApkInstalled);
    let text = ctx.text_non_empty(bytes)?;
    let paras = paragraphs(&ctx, text, true)?;
    let mut inv = Inventory::new(ctx.format, file);
    let ecosystem = release(&ctx, os_release, "Alpine", &mut inv);
    let mut seen = BTreeSet::new();
    for (line, fields) in paras {
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
        let Some(package) = get("P") else {
            inv.warn(WarningKind::Skipped, "entry without `P:` (package name)", Some(ctx.origin_line(line)));
            continue;
        };
        let Some(version) = get("V") else {
            inv.warn(WarningKind::Skipped, format!("{package} has no version"), Some(ctx.origin_line(line)));
            continue;
        };
        let name = get("o").unwrap_or(package);
        if !seen.insert((name.to_owned(), version.to_owned())) {
            continue;
        }
        let mut c = ctx.component(name, Some(version), &ecosystem, ctx.origin_line(line));
        if name != package {
            c.product = Some(package.to_owned());
        }
        inv.components.push(c);
    }
    Ok(inv.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release() {
        for (text, eco) in [
            ("ID=debian\nVERSION_ID=\"12\"\n", Some("Debian:12")),
            ("NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n", Some("Ubuntu:22.04")),
            ("ID=alpine\nVERSION_ID=3.19.1\n", Some("Alpine:v3.19")),
            ("ID=fedora\nVERSION_ID=40\n", None),
        ] {
            assert_eq!(OsRelease::parse(text).ecosystem().as_deref(), eco, "{text}");
        }
    }
}
