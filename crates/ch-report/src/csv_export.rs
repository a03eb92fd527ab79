//! The findings as CSV (RFC 4180), one row per finding, for spreadsheets and auditors.
//!
//! Invariants: the first row is [`CSV_HEADERS`]; lines end with CRLF as RFC 4180 asks; cells
//! are quoted when they hold a comma, quote or line break. No cell starts with a character
//! a spreadsheet would read as the start of a formula (see [`to_csv`]).

use crate::error::Error;
use crate::model::{FindingRow, Report, format_score, plain_state};

/// The CSV header row, in column order.
pub const CSV_HEADERS: [&str; 15] = [
    "Rank",
    "Asset",
    "Criticality",
    "Component",
    "Version",
    "Vulnerability",
    "Aliases",
    "Severity",
    "Score",
    "Known exploited",
    "Ransomware",
    "State",
    "Action",
    "Fixed in",
    "First seen",
];

/// Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Writes the report's findings as CSV: a header row ([`CSV_HEADERS`]), then one row per
/// finding in the given order.
///
/// Aliases are joined with "; ". Known exploited and Ransomware are "yes" or "no". A missing
/// severity, score or fixed version is an empty cell; the score has one decimal. States are
/// in plain words ("not affected").
///
/// Formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading apostrophe (`'`), as OWASP advises, so Excel, LibreOffice and
/// Google Sheets show it as text instead of running it. The apostrophe is visible in
/// other readers; strip it when reading the file back into a program.
///
/// ```
/// use ch_report::{Report, to_csv};
///
/// let csv = to_csv(&Report::default()).unwrap();
/// assert!(csv.starts_with("Rank,Asset,Criticality,"));
/// ```
///
/// # Errors
///
/// [`Error::Csv`] if the CSV writer fails; it writes to memory, so this does not happen in
/// practice.
pub fn to_csv(report: &Report) -> Result<String, Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(256 + report.findings.len() * 256));
    writer.write_record(CSV_HEADERS).map_err(csv_error)?;
    for finding in &report.findings {
        for cell in row(finding) {
            writer.write_field(defuse(&cell).as_bytes()).map_err(csv_error)?;
        }
        // An empty record ends the row that the fields above started.
        writer.write_record(None::<&[u8]>).map_err(csv_error)?;
    }
    let bytes = writer.into_inner().map_err(|e| Error::Csv { message: e.error().to_string() })?;
    String::from_utf8(bytes).map_err(|e| Error::Csv { message: e.to_string() })
}

fn csv_error(error: csv::Error) -> Error {
    Error::Csv { message: error.to_string() }
}

fn yes_no(value: bool) -> String {
    (if value { "yes" } else { "no" }).to_owned()
}

/// One finding's cells, in [`CSV_HEADERS`] order, before the formula guard.
fn row(f: &FindingRow) -> [String; 15] {
    [
        f.rank.to_string(),
        f.asset.clone(),
        f.criticality.clone(),
        f.component.clone(),
        f.version.clone(),
        f.flaw_id.clone(),
        f.aliases.join("; "),
        f.severity.clone().unwrap_or_default(),
        format_score(f.score).unwrap_or_default(),
        yes_no(f.known_exploited),
        yes_no(f.ransomware),
        plain_state(&f.state).to_owned(),
        f.action.clone(),
        f.fixed_version.clone().unwrap_or_default(),
        f.first_seen.clone(),
    ]
}

/// The cell as written: with a leading apostrophe if it would start a formula.
pub(crate) fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defuses_formulas() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("1-2", "1-2"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("", ""),
            ("'quoted", "'quoted"),
            ("\u{ff1d}1", "\u{ff1d}1"),
        ];
        for (cell, want) in cases {
            assert_eq!(defuse(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn header_only_for_no_findings() {
        let csv = to_csv(&Report::default()).unwrap();
        assert_eq!(csv, format!("{}\r\n", CSV_HEADERS.join(",")));
    }
}
