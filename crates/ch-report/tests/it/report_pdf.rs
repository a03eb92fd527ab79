//! PDF: read back with lopdf (pages, text, fonts, info), and checked once by qpdf.

use std::path::Path;
use std::process::Command;

use ch_report::{Report, to_pdf};
use lopdf::{Document, Object};

use crate::sample::{HOSTILE, finding_with, report, series};

fn load(bytes: &[u8]) -> Document {
    Document::load_mem(bytes).expect("lopdf reads the PDF")
}

fn page_text(doc: &Document, page: u32) -> String {
    doc.extract_text(&[page]).expect("text of the page")
}

fn all_text(doc: &Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text of every page")
}

fn info_entry(doc: &Document, key: &[u8]) -> Vec<u8> {
    let info = doc.trailer.get(b"Info").and_then(Object::as_reference).expect("an Info entry");
    let dict = doc.get_dictionary(info).expect("an Info dictionary");
    dict.get(key).and_then(Object::as_str).expect("a string").to_vec()
}

#[test]
fn page_count_grows_with_rows() {
    let mut last = 0;
    for (rows, at_least) in [(0, 1), (1, 1), (40, 2), (400, 10)] {
        let doc = load(&to_pdf(&report(rows)).unwrap());
        let pages = doc.get_pages().len();
        assert!(pages >= at_least, "{rows} rows: {pages} pages");
        if rows <= 1 {
            assert_eq!(pages, 1, "{rows} rows");
        } else {
            assert!(pages > last, "{rows} rows: {pages} pages, not more than {last}");
        }
        last = pages;
    }
}

#[test]
fn text_reads_back() {
    let report = report(40);
    let doc = load(&to_pdf(&report).unwrap());
    let total = doc.get_pages().len();
    let first = page_text(&doc, 1);
    assert!(first.contains(&report.title), "{first}");
    assert!(first.contains("Prepared for Riverside Community Hospital."), "{first}");
    assert!(first.contains("Generated 2026-12-01 19:30 UTC."), "{first}");
    assert!(first.contains(&format!("Page 1 of {total}")), "{first}");
    for figure in ["to do now", "open", "accepted", "not affected", "fixed in the last 30 days", "assets"] {
        assert!(first.contains(figure), "missing {figure:?}");
    }
    assert!(first.contains("Open findings over time"));
    assert!(first.contains("2026-10-03"), "first date of the chart");
    assert!(first.contains("highest: "), "max label of the chart");
    for page in 1..=total {
        let text = page_text(&doc, page as u32);
        assert!(text.contains(&format!("Page {page} of {total}")), "page {page}");
        assert!(text.contains("Known"), "header repeated on page {page}");
    }
    let text = all_text(&doc);
    for finding in &report.findings {
        assert!(text.contains(&finding.flaw_id), "missing {}", finding.flaw_id);
    }
}

#[test]
fn fonts_info_and_page_size() {
    let doc = load(&to_pdf(&report(3)).unwrap());
    assert_eq!(info_entry(&doc, b"Title"), b"Vulnerability findings: Riverside Community Hospital");
    assert_eq!(info_entry(&doc, b"Producer"), b"Clearinghouse");
    let (_, page_id) = doc.get_pages().into_iter().next().unwrap();
    let fonts = doc.get_page_fonts(page_id).unwrap();
    let mut names: Vec<Vec<u8>> = fonts
        .values()
        .map(|font| {
            assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type1");
            assert_eq!(font.get(b"Encoding").unwrap().as_name().unwrap(), b"WinAnsiEncoding");
            assert!(font.get(b"FontFile").is_err() && font.get(b"FontDescriptor").is_err());
            font.get(b"BaseFont").unwrap().as_name().unwrap().to_vec()
        })
        .collect();
    names.sort();
    assert_eq!(names, [b"Helvetica".to_vec(), b"Helvetica-Bold".to_vec()]);
    let page = doc.get_dictionary(page_id).unwrap();
    let media: Vec<f32> =
        page.get(b"MediaBox").unwrap().as_array().unwrap().iter().map(|o| o.as_float().unwrap()).collect();
    assert_eq!(media, [0.0, 0.0, 595.28, 841.89]);
}

#[test]
fn no_findings_says_so() {
    let doc = load(&to_pdf(&report(0)).unwrap());
    assert_eq!(doc.get_pages().len(), 1);
    let text = page_text(&doc, 1);
    assert!(text.contains("No open findings."), "{text}");
    assert!(text.contains("Page 1 of 1"), "{text}");
}

#[test]
fn empty_and_short_series() {
    for points in [0, 1, 2] {
        let report = Report { series: series(points), ..report(1) };
        let text = page_text(&load(&to_pdf(&report).unwrap()), 1);
        if points == 0 {
            assert!(text.contains("No history yet."), "{text}");
        } else {
            assert!(text.contains("2026-10-03"), "{points} points: {text}");
        }
    }
}

#[test]
fn any_unicode_renders() {
    for hostile in HOSTILE {
        let report = Report {
            title: hostile.to_owned(),
            organisation: hostile.to_owned(),
            generated_at: hostile.to_owned(),
            findings: vec![finding_with(hostile); 3],
            series: vec![ch_report::SeriesPoint { date: hostile.to_owned(), open: 3 }; 2],
            ..Report::default()
        };
        let bytes = to_pdf(&report).unwrap_or_else(|e| panic!("{hostile:?}: {e}"));
        let doc = load(&bytes);
        let text = all_text(&doc);
        assert!(text.contains("Page 1 of "), "{hostile:?}: {text}");
    }
    // CJK and emoji become question marks; WinAnsi characters stay.
    let report = Report { title: "\u{6f0f}\u{6d1e} \u{1f525} Zürich – 5 €".to_owned(), ..Report::default() };
    let text = page_text(&load(&to_pdf(&report).unwrap()), 1);
    assert!(text.contains("?? ? Zürich – 5 €"), "{text}");
    // The document title keeps the full Unicode (UTF-16BE with a byte order mark).
    let title = info_entry(&load(&to_pdf(&report).unwrap()), b"Title");
    assert_eq!(&title[..2], b"\xfe\xff");
}

#[test]
fn same_input_same_bytes() {
    let report = report(30);
    assert_eq!(to_pdf(&report).unwrap(), to_pdf(&report).unwrap());
}

#[test]
fn a_huge_action_is_split_across_pages() {
    let mut report = report(3);
    report.findings[1].action = "word ".repeat(8_000);
    let doc = load(&to_pdf(&report).unwrap());
    assert!(doc.get_pages().len() >= 3);
    let text = all_text(&doc);
    for finding in &report.findings {
        assert!(text.contains(&finding.flaw_id));
    }
}

/// An independent structural check by qpdf. This test fails, never skips, when qpdf is
/// missing: install it with `apt-get install -y qpdf`.
#[test]
fn qpdf_check_passes() {
    let qpdf = Path::new("/usr/bin/qpdf");
    assert!(
        qpdf.exists(),
        "qpdf is not installed, so the PDF cannot be checked by an independent reader: \
         run `apt-get install -y qpdf` (scripts/setup should install it)"
    );
    let path = std::env::temp_dir().join(format!("ch-report-qpdf-check-{}.pdf", std::process::id()));
    std::fs::write(&path, to_pdf(&report(120)).unwrap()).unwrap();
    let output = Command::new(qpdf).arg("--check").arg(&path).output().unwrap();
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "qpdf --check failed ({}):\n{stdout}\n{stderr}", output.status);
    assert!(stdout.contains("No syntax or stream encoding errors found"), "{stdout}");
    assert!(!stdout.contains("WARNING") && !stderr.contains("WARNING"), "{stdout}\n{stderr}");
}
