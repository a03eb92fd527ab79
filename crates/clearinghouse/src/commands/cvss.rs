//! `clearinghouse cvss VECTOR`: score, severity and every metric in words.

use std::io::{BufRead, Write};

use ch_cvss::Cvss;

/// Arguments of `cvss`.
#[derive(Debug, clap::Args)]
pub(crate) struct CvssArgs {
    /// A CVSS vector: `CVSS:4.0/...`, `CVSS:3.1/...`, `CVSS:3.0/...` or a v2 `AV:N/...`.
    pub(crate) vector: String,
    /// Print JSON (`version`, `vector`, `score`, `severity`, `metrics`).
    #[arg(long)]
    pub(crate) json: bool,
}

/// Prints the vector's score, severity and metrics; a bad vector is an error naming the
/// metric.
pub(crate) fn run(args: CvssArgs, out: &mut dyn Write, _input: &mut dyn BufRead) -> anyhow::Result<i32> {
    let cvss = Cvss::parse(&args.vector)?;
    if args.json {
        let doc = serde_json::json!({
            "version": cvss.version(),
            "vector": cvss.vector(),
            "score": cvss.score(),
            "severity": cvss.severity(),
            "metrics": cvss.metrics(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "CVSS {} score {:.1} {}", cvss.version(), cvss.score(), cvss.severity())?;
        writeln!(out, "{}", cvss.vector())?;
        for m in cvss.metrics() {
            writeln!(out, "  {m}")?;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cvss(vector: &str, json: bool) -> anyhow::Result<String> {
        let mut out = Vec::new();
        run(CvssArgs { vector: vector.to_owned(), json }, &mut out, &mut std::io::Cursor::new(Vec::new()))?;
        Ok(String::from_utf8(out)?)
    }

    #[test]
    fn text_and_json() {
        let text = cvss("AV:N/AC:L/Au:N/C:P/I:P/A:P", false).unwrap();
        assert!(
            text.starts_with(
                "CVSS 2.0 score 7.5 HIGH\nAV:N/AC:L/Au:N/C:P/I:P/A:P\n  Access Vector (AV): Network (N)\n"
            ),
            "{text}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", true).unwrap()).unwrap();
        assert_eq!(json["score"], 9.8);
        assert_eq!(json["severity"], "CRITICAL");
        assert_eq!(json["version"], "3.1");
        assert_eq!(json["metrics"][4]["value_name"], "Unchanged");
    }

    #[test]
    fn bad_vector_names_the_metric() {
        let err = cvss("CVSS:3.1/AV:N/AC:L/PR:Z/UI:N/S:U/C:H/I:H/A:H", false).unwrap_err().to_string();
        assert!(err.contains("metric PR (Privileges Required): expected one of N, L, H, found \"Z\""), "{err}");
    }
}
