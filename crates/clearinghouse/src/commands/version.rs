//! `clearinghouse version compare`: order versions by an ecosystem's rules.

use std::cmp::Ordering;
use std::io::{BufRead, Write};

use anyhow::Context;
use ch_version::Ecosystem;

/// Version commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum VersionCommand {
    /// Compare two versions: prints `<`, `=` or `>`.
    ///
    /// With `--stdin`, reads one pair `A B` per line and prints one relation per line; a
    /// line `A OP B` (as in the version fixtures) is checked instead, and a wrong `OP`
    /// is reported. Blank lines and lines starting with `#` or `//` are skipped.
    Compare(CompareArgs),
}

/// Arguments of `version compare`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompareArgs {
    /// OSV ecosystem (`PyPI`, `npm`, `Maven`, `Debian:12`, `AlmaLinux:9`, ...).
    #[arg(long, short)]
    pub(crate) ecosystem: String,
    /// Read pairs from standard input, one per line.
    #[arg(long, conflicts_with_all = ["a", "b"])]
    pub(crate) stdin: bool,
    /// The left version.
    #[arg(required_unless_present = "stdin")]
    pub(crate) a: Option<String>,
    /// The right version.
    #[arg(required_unless_present = "stdin")]
    pub(crate) b: Option<String>,
}

fn symbol(o: Ordering) -> &'static str {
    match o {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

/// Runs a version command; exit 0, or 1 when a checked `A OP B` line is wrong, or 2
/// when a version does not parse.
pub(crate) fn run(cmd: VersionCommand, out: &mut dyn Write, input: &mut dyn BufRead) -> anyhow::Result<i32> {
    let VersionCommand::Compare(args) = cmd;
    let ecosystem: Ecosystem = args.ecosystem.parse()?;
    if !args.stdin {
        let (Some(a), Some(b)) = (args.a, args.b) else {
            anyhow::bail!("expected two versions A B, or --stdin");
        };
        let o = ecosystem.compare(&a, &b)?;
        writeln!(out, "{}", symbol(o))?;
        return Ok(0);
    }
    let (mut errors, mut wrong) = (0usize, 0usize);
    let mut line = String::new();
    let mut n = 0usize;
    loop {
        line.clear();
        if input.read_line(&mut line).context("reading standard input")? == 0 {
            break;
        }
        n += 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        let fields: Vec<&str> = t.split_whitespace().collect();
        let (a, b, claimed) = match fields.as_slice() {
            [a, b] => (*a, *b, None),
            [a, op @ ("<" | "=" | ">"), b] => (*a, *b, Some(*op)),
            _ => {
                writeln!(out, "line {n}: expected \"A B\" or \"A OP B\", found {t:?}")?;
                errors += 1;
                continue;
            }
        };
        match ecosystem.compare(a, b) {
            Ok(o) => match claimed {
                Some(c) if c != symbol(o) => {
                    writeln!(out, "line {n}: expected {a} {c} {b}, found {a} {} {b}", symbol(o))?;
                    wrong += 1;
                }
                _ => writeln!(out, "{}", symbol(o))?,
            },
            Err(e) => {
                writeln!(out, "line {n}: {e}")?;
                errors += 1;
            }
        }
    }
    Ok(if errors > 0 {
        2
    } else if wrong > 0 {
        1
    } else {
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(eco: &str, stdin: Option<&str>, a: Option<&str>, b: Option<&str>) -> (i32, String) {
        let cmd = VersionCommand::Compare(CompareArgs {
            ecosystem: eco.to_owned(),
            stdin: stdin.is_some(),
            a: a.map(str::to_owned),
            b: b.map(str::to_owned),
        });
        let mut out = Vec::new();
        let mut input = std::io::Cursor::new(stdin.unwrap_or_default().as_bytes().to_vec());
        let code = run(cmd, &mut out, &mut input).unwrap();
        (code, String::from_utf8(out).unwrap())
    }

    #[test]
    fn compare_table() {
        let cases = [
            ("PyPI", None, Some("1.0"), Some("1.0.0"), 0, "=\n"),
            ("Debian:12", None, Some("1.0~rc1"), Some("1.0"), 0, "<\n"),
            ("npm", Some("1.0.0 2.0.0\n\n# comment\n2.0.0 1.0.0-rc.1\n"), None, None, 0, "<\n>\n"),
            (
                "Maven",
                Some("1.0 < 1.1\n1.0 > 1.1\n"),
                None,
                None,
                1,
                "<\nline 2: expected 1.0 > 1.1, found 1.0 < 1.1\n",
            ),
            (
                "npm",
                Some("1.0.0 1.x\n1 2\n"),
                None,
                None,
                2,
                "line 1: npm version \"1.x\", byte 2: expected a digit, found 'x'\n<\n",
            ),
        ];
        for (eco, stdin, a, b, code, want) in cases {
            assert_eq!(compare(eco, stdin, a, b), (code, want.to_owned()), "{eco} {stdin:?}");
        }
    }

    #[test]
    fn errors() {
        let cmd = VersionCommand::Compare(CompareArgs {
            ecosystem: "pypi".into(),
            stdin: false,
            a: Some("1".into()),
            b: Some("2".into()),
        });
        let err = run(cmd, &mut Vec::new(), &mut std::io::Cursor::new(Vec::new())).unwrap_err();
        assert!(err.to_string().starts_with("unknown ecosystem \"pypi\""), "{err}");
    }
}
