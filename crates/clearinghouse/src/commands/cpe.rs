//! `clearinghouse cpe`: read CPE names and match them, against a CPE pattern or against
//! NVD applicability (configurations) from a file.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;
use ch_cpe::{Applicability, Cpe, NameRelation};
use serde_json::Value;

/// CPE commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CpeCommand {
    /// Parse a CPE name (formatted string or URI) and print both bindings and the
    /// attributes.
    Parse(ParseArgs),
    /// Match an inventory (`--product VENDOR:PRODUCT:VERSION`, `--cpe NAME`) against a CPE
    /// pattern, or against the NVD configurations in `--nvd FILE` (an NVD 1.1 item, an NVD
    /// API 2.0 record or response, a bare `configurations` value, or JSON lines of them).
    /// Exit 1 when something matches.
    Match(MatchArgs),
}

/// Arguments of `cpe parse`.
#[derive(Debug, clap::Args)]
pub(crate) struct ParseArgs {
    /// The CPE name.
    pub(crate) name: String,
}

/// Arguments of `cpe match`.
#[derive(Debug, clap::Args)]
pub(crate) struct MatchArgs {
    /// A CPE pattern to match the inventory against (omit with `--nvd`).
    #[arg(required_unless_present = "nvd", conflicts_with = "nvd")]
    pub(crate) pattern: Option<String>,
    /// An inventory product `VENDOR:PRODUCT:VERSION` (repeatable).
    #[arg(long = "product")]
    pub(crate) products: Vec<String>,
    /// An inventory CPE name (repeatable), e.g. the hardware a firmware runs on.
    #[arg(long = "cpe")]
    pub(crate) cpes: Vec<String>,
    /// NVD JSON file with configurations; `-` reads standard input.
    #[arg(long)]
    pub(crate) nvd: Option<PathBuf>,
    /// Treat platform-only nodes (all `vulnerable: false`, e.g. hardware) as present.
    #[arg(long)]
    pub(crate) assume_platforms: bool,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Runs a CPE command.
pub(crate) fn run(cmd: CpeCommand, out: &mut dyn Write, input: &mut dyn BufRead) -> anyhow::Result<i32> {
    match cmd {
        CpeCommand::Parse(args) => {
            let c: Cpe = args.name.parse()?;
            writeln!(out, "{}", c.to_formatted())?;
            writeln!(out, "{}", c.to_uri())?;
            for (name, a) in ch_cpe::ATTRIBUTE_NAMES.iter().zip(c.attributes()) {
                let shown = match a {
                    ch_cpe::Attribute::Any => "ANY".to_owned(),
                    ch_cpe::Attribute::Na => "NA".to_owned(),
                    ch_cpe::Attribute::Value(v) => format!("{:?}", v.unquoted()),
                };
                writeln!(out, "  {name}: {shown}")?;
            }
            Ok(0)
        }
        CpeCommand::Match(args) => run_match(args, out, input),
    }
}

fn inventory(args: &MatchArgs) -> anyhow::Result<Vec<Cpe>> {
    let mut inv = Vec::new();
    for p in &args.products {
        inv.push(Cpe::from_product(p)?);
    }
    for c in &args.cpes {
        inv.push(c.parse::<Cpe>()?);
    }
    if inv.is_empty() {
        anyhow::bail!("expected an inventory: --product VENDOR:PRODUCT:VERSION or --cpe NAME");
    }
    Ok(inv)
}

fn relation(r: NameRelation) -> &'static str {
    match r {
        NameRelation::Equal => "equal",
        NameRelation::Superset => "superset",
        NameRelation::Subset => "subset",
        NameRelation::Disjoint => "disjoint",
        _ => "undefined",
    }
}

/// Splits an NVD document into (CVE id, record) pairs.
fn records(doc: Value) -> Vec<(String, Value)> {
    if let Some(Value::Array(vulns)) = doc.get("vulnerabilities") {
        return vulns.iter().flat_map(|v| records(v.clone())).collect();
    }
    if let Some(Value::Array(items)) = doc.get("CVE_Items") {
        return items.iter().flat_map(|v| records(v.clone())).collect();
    }
    let id = ["/cve/CVE_data_meta/ID", "/cve/id", "/id"]
        .iter()
        .find_map(|p| doc.pointer(p).and_then(Value::as_str))
        .unwrap_or("(configurations)")
        .to_owned();
    vec![(id, doc)]
}

fn run_match(args: MatchArgs, out: &mut dyn Write, input: &mut dyn BufRead) -> anyhow::Result<i32> {
    let inv = inventory(&args)?;
    if let Some(pattern) = &args.pattern {
        let p: Cpe = pattern.parse()?;
        let mut any = false;
        let mut rows = Vec::new();
        for t in &inv {
            let r = p.compare(t);
            let matched = matches!(r, NameRelation::Equal | NameRelation::Superset);
            any |= matched;
            rows.push(serde_json::json!({"target": t.to_formatted(), "relation": relation(r), "match": matched}));
            if !args.json {
                writeln!(
                    out,
                    "{}: {} ({})",
                    t.to_formatted(),
                    if matched { "match" } else { "no match" },
                    relation(r)
                )?;
            }
        }
        if args.json {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"pattern": p.to_formatted(), "results": rows}))?
            )?;
        }
        return Ok(i32::from(any));
    }
    let Some(path) = &args.nvd else {
        anyhow::bail!("expected a CPE pattern or --nvd FILE");
    };
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        input.read_to_string(&mut s).context("reading standard input")?;
        s
    } else {
        fs_err::read_to_string(path)?
    };
    let docs: Vec<Value> = match serde_json::from_str::<Value>(&text) {
        Ok(v) => vec![v],
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .with_context(|| format!("{}: line {}: expected a JSON document", path.display(), i + 1))
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let mut any = false;
    let mut rows = Vec::new();
    for (id, rec) in docs.into_iter().flat_map(records) {
        let a = Applicability::from_json(&rec).with_context(|| format!("{}: {id}", path.display()))?;
        let e = if args.assume_platforms { a.affects_assuming_platforms(&inv) } else { a.affects(&inv) };
        any |= e.vulnerable;
        let matched: Vec<Value> = e
            .matched
            .iter()
            .map(|(m, t)| {
                serde_json::json!({
                    "criteria": m.criteria.to_formatted(),
                    "versionStartIncluding": m.version_start_including,
                    "versionStartExcluding": m.version_start_excluding,
                    "versionEndIncluding": m.version_end_including,
                    "versionEndExcluding": m.version_end_excluding,
                    "target": t.to_formatted(),
                })
            })
            .collect();
        if args.json {
            rows.push(serde_json::json!({"cve": id, "vulnerable": e.vulnerable, "matched": matched}));
        } else if e.vulnerable {
            writeln!(out, "{id}: vulnerable")?;
            for (m, t) in &e.matched {
                let mut bounds = Vec::new();
                for (label, b) in [
                    (">=", &m.version_start_including),
                    (">", &m.version_start_excluding),
                    ("<=", &m.version_end_including),
                    ("<", &m.version_end_excluding),
                ] {
                    if let Some(b) = b {
                        bounds.push(format!("{label}{b}"));
                    }
                }
                writeln!(out, "  {} matches {} {}", t.to_formatted(), m.criteria.to_formatted(), bounds.join(" "))?;
            }
        } else {
            writeln!(out, "{id}: not affected")?;
        }
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    }
    Ok(i32::from(any))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pattern: Option<&str>, products: &[&str], nvd: Option<PathBuf>) -> MatchArgs {
        MatchArgs {
            pattern: pattern.map(str::to_owned),
            products: products.iter().map(|s| (*s).to_owned()).collect(),
            cpes: Vec::new(),
            nvd,
            assume_platforms: false,
            json: false,
        }
    }

    fn go(cmd: CpeCommand, stdin: &str) -> (i32, String) {
        let mut out = Vec::new();
        let code = run(cmd, &mut out, &mut std::io::Cursor::new(stdin.as_bytes().to_vec())).unwrap();
        (code, String::from_utf8(out).unwrap())
    }

    const NVD: &str = r#"{"id": "CVE-2023-27997", "configurations": [{"nodes": [{"operator": "OR", "negate": false, "cpeMatch": [
        {"vulnerable": true, "criteria": "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", "versionStartIncluding": "7.2.0", "versionEndIncluding": "7.2.4"}]}]}]}"#;

    #[test]
    fn match_table() {
        let cases: Vec<(CpeCommand, &str, i32, &str)> = vec![
            (
                CpeCommand::Match(args(
                    Some("cpe:2.3:o:fortinet:fortios:7.2.*:*:*:*:*:*:*:*"),
                    &["fortinet:fortios:7.2.4"],
                    None,
                )),
                "",
                0,
                "cpe:2.3:*:fortinet:fortios:7.2.4:*:*:*:*:*:*:*: no match (undefined)\n",
            ),
            (
                CpeCommand::Match(args(
                    Some("cpe:2.3:*:fortinet:fortios:7.2.*:*:*:*:*:*:*:*"),
                    &["fortinet:fortios:7.2.4"],
                    None,
                )),
                "",
                1,
                "cpe:2.3:*:fortinet:fortios:7.2.4:*:*:*:*:*:*:*: match (superset)\n",
            ),
            (
                CpeCommand::Match(args(None, &["fortinet:fortios:7.2.4"], Some(PathBuf::from("-")))),
                NVD,
                1,
                "CVE-2023-27997: vulnerable\n  cpe:2.3:*:fortinet:fortios:7.2.4:*:*:*:*:*:*:* matches cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:* >=7.2.0 <=7.2.4\n",
            ),
            (
                CpeCommand::Match(args(None, &["fortinet:fortios:7.2.5"], Some(PathBuf::from("-")))),
                NVD,
                0,
                "CVE-2023-27997: not affected\n",
            ),
            (
                CpeCommand::Parse(ParseArgs { name: "cpe:/o:fortinet:fortios:7.2.4".into() }),
                "",
                0,
                "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*\ncpe:/o:fortinet:fortios:7.2.4\n  part: \"o\"\n  vendor: \"fortinet\"\n  product: \"fortios\"\n  version: \"7.2.4\"\n  update: ANY\n  edition: ANY\n  language: ANY\n  sw_edition: ANY\n  target_sw: ANY\n  target_hw: ANY\n  other: ANY\n",
            ),
        ];
        for (cmd, stdin, code, want) in cases {
            let shown = format!("{cmd:?}");
            let (c, o) = go(cmd, stdin);
            assert_eq!((c, o.as_str()), (code, want), "{shown}");
        }
    }
}
