//! The findings report as a PDF for a board or an auditor.
//!
//! Layout, on A4 portrait: the title block (title, organisation, generation time, the
//! summary figures as large numbers), the chart of open findings over time drawn with path
//! operators, then the findings table over as many pages as it needs, its header row
//! repeated on each page. Every page has "Page n of N" in the footer.
//!
//! Invariants: text uses the standard Helvetica and Helvetica-Bold fonts with WinAnsi
//! encoding (nothing embedded; see [`crate::font`]), so any Unicode input renders without
//! panicking; the output depends only on the input (no clock, no random file id); content
//! streams are Flate-compressed.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::chart::{Geometry, short_label};
use crate::error::Error;
use crate::font::{self, Face};
use crate::model::{FindingRow, Report, Summary, format_score, group_thousands, plain_state};

/// A4 in points (210 mm by 297 mm).
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 48.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where the first line of a page's content sits (top of its text).
const TOP: f32 = PAGE_HEIGHT - 50.0;
/// The table stops above this line; the footer sits below it.
const BOTTOM: f32 = 58.0;
const FOOTER_Y: f32 = 32.0;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Table text: one size and leading for every cell line, so row heights are simple sums.
const CELL_SIZE: f32 = 8.5;
const CELL_LEADING: f32 = 10.5;
const CELL_PAD: f32 = 4.0;

/// Column titles and widths; the last column (Action) takes what is left.
const COLUMNS: [(&str, f32); 6] = [
    ("Rank", 30.0),
    ("Asset", 88.0),
    ("Vulnerability", 96.0),
    ("Severity", 54.0),
    ("Known exploited", 58.0),
    ("Action", 0.0),
];

#[derive(Debug, Clone, Copy)]
struct Rgb(f32, f32, f32);

const INK: Rgb = Rgb(0.11, 0.13, 0.16);
const MUTED: Rgb = Rgb(0.38, 0.41, 0.46);
const ACCENT: Rgb = Rgb(0.11, 0.31, 0.85);
const DANGER: Rgb = Rgb(0.70, 0.11, 0.11);
const RULE: Rgb = Rgb(0.80, 0.82, 0.85);
const BAND: Rgb = Rgb(0.955, 0.96, 0.97);
const HEADER_BAND: Rgb = Rgb(0.89, 0.91, 0.94);
const AREA: Rgb = Rgb(0.86, 0.91, 0.99);

/// Renders the report as a PDF: A4 pages, title block, summary figures, chart and the
/// findings table, "Page n of N" on each page.
///
/// Text outside WinAnsi (Western European) is shown with look-alikes where they exist
/// ("→" as "->") and as `?` otherwise: CJK and emoji render as question marks, never as a
/// panic. The document's Title is the report title (in full Unicode) and its Producer is
/// "Clearinghouse". With no findings, the table is replaced by "No open findings."
///
/// ```
/// use ch_report::{Report, to_pdf};
///
/// let pdf = to_pdf(&Report { title: "Findings".into(), ..Report::default() }).unwrap();
/// assert!(pdf.starts_with(b"%PDF-1.7"));
/// ```
///
/// # Errors
///
/// [`Error::TooLarge`] if the report needs more pages than one PDF file can number (about a
/// billion).
pub fn to_pdf(report: &Report) -> Result<Vec<u8>, Error> {
    let mut pages = Pages::new();
    title_block(&mut pages, report);
    chart(&mut pages, &report.series);
    table(&mut pages, &report.findings);
    let contents = pages.finish(&report.title);
    write(report, contents)
}

/// The pages being laid out, top to bottom.
struct Pages {
    done: Vec<Content>,
    current: Content,
    /// Top of the free space on the current page.
    y: f32,
}

impl Pages {
    fn new() -> Self {
        Pages { done: Vec::new(), current: Content::new(), y: TOP }
    }

    fn new_page(&mut self) {
        let page = std::mem::replace(&mut self.current, Content::new());
        self.done.push(page);
        self.y = TOP;
    }

    /// Adds the footer to every page and returns the content streams.
    fn finish(mut self, title: &str) -> Vec<Vec<u8>> {
        self.done.push(self.current);
        let total = self.done.len();
        let title = font::encode(title);
        self.done
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                let number = font::encode(&format!("Page {} of {}", i + 1, total));
                let number_width = font::width(&number, Face::Regular, 8.0);
                rule(&mut c, MARGIN, PAGE_WIDTH - MARGIN, FOOTER_Y + 12.0, 0.5);
                let room = CONTENT_WIDTH - number_width - 24.0;
                let left = font::ellipsize(&title, Face::Regular, 8.0, room, false);
                text(&mut c, Face::Regular, 8.0, MUTED, MARGIN, FOOTER_Y, &left);
                let x = PAGE_WIDTH - MARGIN - number_width;
                text(&mut c, Face::Regular, 8.0, MUTED, x, FOOTER_Y, &number);
                c.finish().to_vec()
            })
            .collect()
    }
}

fn face_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => REGULAR,
        Face::Bold => BOLD,
    }
}

/// One line of WinAnsi text with its baseline at `y`.
fn text(c: &mut Content, face: Face, size: f32, colour: Rgb, x: f32, y: f32, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    c.set_fill_rgb(colour.0, colour.1, colour.2);
    c.begin_text();
    c.set_font(face_name(face), size);
    c.next_line(x, y);
    c.show(Str(bytes));
    c.end_text();
}

fn fill_rect(c: &mut Content, colour: Rgb, x: f32, y: f32, w: f32, h: f32) {
    c.set_fill_rgb(colour.0, colour.1, colour.2);
    c.rect(x, y, w, h);
    c.fill_nonzero();
}

fn rule(c: &mut Content, x0: f32, x1: f32, y: f32, width: f32) {
    c.set_stroke_rgb(RULE.0, RULE.1, RULE.2);
    c.set_line_width(width);
    c.move_to(x0, y);
    c.line_to(x1, y);
    c.stroke();
}

/// A filled circle of radius `r` (four Bézier arcs).
fn dot(c: &mut Content, colour: Rgb, x: f32, y: f32, r: f32) {
    const K: f32 = 0.552_284_8;
    let k = r * K;
    c.set_fill_rgb(colour.0, colour.1, colour.2);
    c.move_to(x + r, y);
    c.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
    c.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
    c.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
    c.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
    c.close_path();
    c.fill_nonzero();
}

/// Wrapped lines of text across the content width, each drawn `leading` below the last.
fn paragraph(pages: &mut Pages, face: Face, size: f32, leading: f32, colour: Rgb, words: &str, max_lines: usize) {
    let lines = font::wrap_at_most(&font::encode(words), face, size, CONTENT_WIDTH, max_lines);
    for line in lines {
        pages.y -= leading;
        text(&mut pages.current, face, size, colour, MARGIN, pages.y, &line);
    }
}

fn title_block(pages: &mut Pages, report: &Report) {
    paragraph(pages, Face::Bold, 18.0, 22.0, INK, &report.title, 3);
    let mut subtitle = String::new();
    if !report.organisation.trim().is_empty() {
        subtitle.push_str(&format!("Prepared for {}. ", report.organisation.trim()));
    }
    if !report.generated_at.trim().is_empty() {
        subtitle.push_str(&format!("Generated {}.", report.generated_at.trim()));
    }
    pages.y -= 4.0;
    paragraph(pages, Face::Regular, 10.5, 14.0, MUTED, &subtitle, 2);
    pages.y -= 14.0;
    summary(pages, &report.summary);
}

fn summary(pages: &mut Pages, s: &Summary) {
    let figures = [
        (s.do_now, "to do now"),
        (s.open, "open"),
        (s.accepted, "accepted"),
        (s.not_affected, "not affected"),
        (s.fixed_last_30_days, "fixed in the last 30 days"),
        (s.assets, "assets"),
    ];
    const CELL_HEIGHT: f32 = 48.0;
    const GAP: f32 = 6.0;
    let cell_width = (CONTENT_WIDTH + GAP) / 3.0;
    let top = pages.y;
    for (i, (value, label)) in figures.iter().enumerate() {
        let (col, row) = ((i % 3) as f32, (i / 3) as f32);
        let x = MARGIN + col * cell_width;
        let cell_top = top - row * (CELL_HEIGHT + GAP);
        let c = &mut pages.current;
        fill_rect(c, BAND, x, cell_top - CELL_HEIGHT, cell_width - GAP, CELL_HEIGHT);
        let colour = if i == 0 && *value > 0 { DANGER } else { INK };
        let room = cell_width - GAP - 20.0;
        let number = font::ellipsize(&font::encode(&group_thousands(*value)), Face::Bold, 22.0, room, false);
        text(c, Face::Bold, 22.0, colour, x + 10.0, cell_top - 25.0, &number);
        let label = font::ellipsize(&font::encode(label), Face::Regular, 9.5, room, false);
        text(c, Face::Regular, 9.5, MUTED, x + 10.0, cell_top - 39.0, &label);
    }
    pages.y = top - 2.0 * CELL_HEIGHT - GAP;
    pages.y -= 4.0;
    paragraph(
        pages,
        Face::Regular,
        8.5,
        11.0,
        MUTED,
        "To do now: open findings that are known to be exploited or rated critical. \
         Accepted: risks the organisation has decided to carry for now. \
         Not affected: reported flaws that do not apply here.",
        3,
    );
}

fn heading(pages: &mut Pages, words: &str) {
    pages.y -= 26.0;
    let bytes = font::ellipsize(&font::encode(words), Face::Bold, 12.0, CONTENT_WIDTH, false);
    text(&mut pages.current, Face::Bold, 12.0, INK, MARGIN, pages.y, &bytes);
}

fn chart(pages: &mut Pages, series: &[crate::model::SeriesPoint]) {
    heading(pages, "Open findings over time");
    if series.is_empty() {
        pages.y -= 16.0;
        let words = font::encode("No history yet.");
        text(&mut pages.current, Face::Regular, 9.5, MUTED, MARGIN, pages.y, &words);
        return;
    }
    const HEIGHT: f32 = 140.0;
    let geometry = Geometry::new(series);
    let (x0, x1) = (MARGIN + 36.0, PAGE_WIDTH - MARGIN - 8.0);
    let y1 = pages.y - 22.0;
    let y0 = y1 - HEIGHT;
    let px = |x: f64| x0 + x as f32 * (x1 - x0);
    let py = |y: f64| y0 + y as f32 * (y1 - y0);
    let c = &mut pages.current;

    let points: Vec<(f32, f32)> = geometry.points.iter().map(|(x, y)| (px(*x), py(*y))).collect();
    // Drawn bottom up: area, grid, axes, then the line on top.
    if let [first, _, ..] = points.as_slice()
        && let Some(last) = points.last()
    {
        c.set_fill_rgb(AREA.0, AREA.1, AREA.2);
        c.move_to(first.0, y0);
        for (x, y) in &points {
            c.line_to(*x, *y);
        }
        c.line_to(last.0, y0);
        c.close_path();
        c.fill_nonzero();
    }
    let top = geometry.top as f64;
    for tick in &geometry.ticks {
        let y = py(*tick as f64 / top);
        rule(c, x0, x1, y, 0.5);
        let label = font::encode(&group_thousands(*tick));
        let w = font::width(&label, Face::Regular, 8.0);
        text(c, Face::Regular, 8.0, MUTED, x0 - 6.0 - w, y - 2.8, &label);
    }
    c.set_stroke_rgb(MUTED.0, MUTED.1, MUTED.2);
    c.set_line_width(0.75);
    c.move_to(x0, y1);
    c.line_to(x0, y0);
    c.line_to(x1, y0);
    c.stroke();
    if let [first, rest @ ..] = points.as_slice()
        && !rest.is_empty()
    {
        c.set_stroke_rgb(ACCENT.0, ACCENT.1, ACCENT.2);
        c.set_line_width(1.5);
        c.set_line_join(pdf_writer::types::LineJoinStyle::RoundJoin);
        c.move_to(first.0, first.1);
        for (x, y) in rest {
            c.line_to(*x, *y);
        }
        c.stroke();
    }

    // The highest point: a dot and its value.
    if let Some(i) = geometry.max_index
        && let (Some((x, y)), Some(point)) = (points.get(i), series.get(i))
    {
        dot(c, ACCENT, *x, *y, 2.5);
        let label = font::encode(&format!("highest: {}", group_thousands(point.open)));
        let w = font::width(&label, Face::Bold, 8.0);
        let lx = (x - w / 2.0).clamp(x0 + 2.0, x1 - w);
        text(c, Face::Bold, 8.0, ACCENT, lx, y + 6.0, &label);
    }

    // First and last dates under the axis.
    let label_y = y0 - 12.0;
    let date = |i: usize| series.get(i).map(|p| font::encode(&short_label(&p.date, 24))).unwrap_or_default();
    match points.as_slice() {
        [] => {}
        [(x, _)] => {
            let label = date(0);
            let w = font::width(&label, Face::Regular, 8.0);
            text(c, Face::Regular, 8.0, MUTED, x - w / 2.0, label_y, &label);
        }
        [..] => {
            text(c, Face::Regular, 8.0, MUTED, x0, label_y, &date(0));
            let last = date(points.len() - 1);
            let w = font::width(&last, Face::Regular, 8.0);
            text(c, Face::Regular, 8.0, MUTED, x1 - w, label_y, &last);
        }
    }
    pages.y = label_y - 4.0;
}

/// One line of a table cell.
struct CellLine {
    face: Face,
    colour: Rgb,
    bytes: Vec<u8>,
}

/// Wraps spans of text into a cell's lines.
fn cell(width: f32, spans: &[(Face, Rgb, &str)]) -> Vec<CellLine> {
    let room = width - 2.0 * CELL_PAD;
    let mut lines = Vec::new();
    for (face, colour, words) in spans {
        for bytes in font::wrap(&font::encode(words), *face, CELL_SIZE, room) {
            lines.push(CellLine { face: *face, colour: *colour, bytes });
        }
    }
    lines
}

fn column_widths() -> [f32; 6] {
    let mut widths = COLUMNS.map(|(_, w)| w);
    let used: f32 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last = CONTENT_WIDTH - used;
    }
    widths
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A finding's six cells.
fn finding_cells(f: &FindingRow, widths: &[f32; 6]) -> [Vec<CellLine>; 6] {
    let rank = f.rank.to_string();
    let importance =
        if f.criticality.trim().is_empty() { String::new() } else { format!("{} importance", f.criticality.trim()) };
    let component = format!("{} {}", f.component, f.version);
    let status = if f.state == "open" || f.state.is_empty() {
        String::new()
    } else {
        format!("Status: {}", plain_state(&f.state))
    };
    let (severity, severity_face, severity_colour) = match f.severity.as_deref() {
        Some(s) if s.eq_ignore_ascii_case("critical") => (capitalised(s), Face::Bold, DANGER),
        Some(s) if !s.trim().is_empty() => (capitalised(s), Face::Regular, INK),
        _ => ("Not rated".to_owned(), Face::Regular, MUTED),
    };
    let score = format_score(f.score).map(|s| format!("score {s}")).unwrap_or_default();
    let exploited = if f.known_exploited { (Face::Bold, DANGER, "Yes") } else { (Face::Regular, INK, "No") };
    let ransomware = if f.ransomware { "used by ransomware" } else { "" };
    let fixed = match &f.fixed_version {
        Some(v) if !v.trim().is_empty() && !f.action.contains(v.as_str()) => {
            format!("Fixed in {v}.")
        }
        _ => String::new(),
    };
    let first_seen =
        if f.first_seen.trim().is_empty() { String::new() } else { format!("First seen {}", f.first_seen.trim()) };
    let [w0, w1, w2, w3, w4, w5] = *widths;
    [
        cell(w0, &[(Face::Regular, INK, &rank)]),
        cell(w1, &[(Face::Regular, INK, &f.asset), (Face::Regular, MUTED, &importance)]),
        cell(w2, &[(Face::Bold, INK, &f.flaw_id), (Face::Regular, MUTED, &component), (Face::Regular, MUTED, &status)]),
        cell(w3, &[(severity_face, severity_colour, &severity), (Face::Regular, MUTED, &score)]),
        cell(w4, &[exploited, (Face::Regular, DANGER, ransomware)]),
        cell(
            w5,
            &[(Face::Regular, INK, &f.action), (Face::Regular, MUTED, &fixed), (Face::Regular, MUTED, &first_seen)],
        ),
    ]
}

fn header_cells(widths: &[f32; 6]) -> [Vec<CellLine>; 6] {
    let mut i = 0;
    COLUMNS.map(|(title, _)| {
        let width = widths.get(i).copied().unwrap_or(0.0);
        i += 1;
        cell(width, &[(Face::Bold, INK, title)])
    })
}

fn line_count(cells: &[Vec<CellLine>; 6]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}

fn row_height(lines: usize) -> f32 {
    lines as f32 * CELL_LEADING + 2.0 * CELL_PAD
}

/// Draws lines `from..to` of each cell as one band of the table starting at `pages.y`.
fn draw_band(
    pages: &mut Pages,
    widths: &[f32; 6],
    cells: &[Vec<CellLine>; 6],
    from: usize,
    to: usize,
    background: Option<Rgb>,
) {
    let height = row_height(to - from);
    let c = &mut pages.current;
    let top = pages.y;
    if let Some(colour) = background {
        fill_rect(c, colour, MARGIN, top - height, CONTENT_WIDTH, height);
    }
    let mut x = MARGIN;
    for (width, lines) in widths.iter().zip(cells) {
        for (n, line) in lines.iter().skip(from).take(to - from).enumerate() {
            // First baseline: about Helvetica's ascent (718/1000 em) below the padding.
            let y = top - CELL_PAD - CELL_SIZE * 0.8 - n as f32 * CELL_LEADING;
            text(c, line.face, CELL_SIZE, line.colour, x + CELL_PAD, y, &line.bytes);
        }
        x += width;
    }
    rule(c, MARGIN, MARGIN + CONTENT_WIDTH, top - height, 0.5);
    pages.y = top - height;
}

fn table(pages: &mut Pages, findings: &[FindingRow]) {
    heading(pages, "Findings");
    if findings.is_empty() {
        pages.y -= 16.0;
        let words = font::encode("No open findings.");
        text(&mut pages.current, Face::Regular, 10.0, INK, MARGIN, pages.y, &words);
        return;
    }
    pages.y -= 4.0;
    let widths = column_widths();
    let header = header_cells(&widths);
    let header_lines = line_count(&header);
    let header_height = row_height(header_lines);
    // Lines a row may hold on a page of its own, below the header.
    let capacity = (((TOP - header_height - BOTTOM - 2.0 * CELL_PAD) / CELL_LEADING).floor() as usize).max(1);
    let free_lines = |y: f32| ((y - BOTTOM - 2.0 * CELL_PAD) / CELL_LEADING).floor().max(0.0) as usize;

    // Keep the header with at least a few lines of the first row.
    if free_lines(pages.y - header_height) < 3 {
        pages.new_page();
    }
    draw_band(pages, &widths, &header, 0, header_lines, Some(HEADER_BAND));
    let mut fresh = true;
    for (index, finding) in findings.iter().enumerate() {
        let cells = finding_cells(finding, &widths);
        let total = line_count(&cells);
        let background = (index % 2 == 1).then_some(BAND);
        let mut from = 0;
        while from < total {
            let remaining = total - from;
            let fits = free_lines(pages.y);
            let take = if fits >= remaining {
                remaining
            } else if remaining <= capacity && !fresh {
                // The rest fits on a page of its own: move it there whole.
                0
            } else {
                // Taller than a page, or the page is already empty: fill what is free.
                fits.max(usize::from(fresh))
            };
            if take == 0 {
                pages.new_page();
                draw_band(pages, &widths, &header, 0, header_lines, Some(HEADER_BAND));
                fresh = true;
                continue;
            }
            draw_band(pages, &widths, &cells, from, from + take, background);
            fresh = false;
            from += take;
        }
    }
}

/// Writes the page contents into a PDF file with the two fonts and the document info.
fn write(report: &Report, contents: Vec<Vec<u8>>) -> Result<Vec<u8>, Error> {
    // Objects: catalog, page tree, two fonts, info, then a page and its content per page.
    const FIXED: usize = 5;
    let max_pages = (i32::MAX as usize - FIXED) / 2;
    if contents.len() > max_pages {
        return Err(Error::TooLarge { pages: contents.len(), max: max_pages });
    }
    let id = |n: usize| Ref::new(i32::try_from(n).unwrap_or(i32::MAX));
    let (catalog_id, tree_id, regular_id, bold_id, info_id) = (id(1), id(2), id(3), id(4), id(5));
    let page_ids: Vec<(Ref, Ref)> =
        (0..contents.len()).map(|i| (id(FIXED + 1 + 2 * i), id(FIXED + 2 + 2 * i))).collect();

    let total_size: usize = contents.iter().map(Vec::len).sum();
    let mut pdf = Pdf::with_capacity(4096 + total_size / 3);
    pdf.catalog(catalog_id).pages(tree_id).lang(TextStr("en"));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
    for (face_id, base) in [(regular_id, "Helvetica"), (bold_id, "Helvetica-Bold")] {
        pdf.type1_font(face_id).base_font(Name(base.as_bytes())).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info_id).title(TextStr(&report.title)).producer(TextStr("Clearinghouse"));

    for ((page_id, content_id), content) in page_ids.iter().zip(&contents) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree_id);
        page.contents(*content_id);
        page.resources().fonts().pair(REGULAR, regular_id).pair(BOLD, bold_id);
        page.finish();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(content, 6);
        pdf.stream(*content_id, &compressed).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rank: u64, action: &str) -> FindingRow {
        FindingRow {
            rank,
            asset: "Main firewall".into(),
            criticality: "critical".into(),
            component: "FortiOS".into(),
            version: "7.2.4".into(),
            flaw_id: format!("CVE-2024-{rank:04}"),
            severity: Some("critical".into()),
            score: Some(9.8),
            known_exploited: true,
            state: "open".into(),
            action: action.into(),
            first_seen: "2026-11-02".into(),
            ..FindingRow::default()
        }
    }

    fn page_count(findings: Vec<FindingRow>) -> usize {
        let mut pages = Pages::new();
        title_block(&mut pages, &Report::default());
        chart(&mut pages, &[]);
        table(&mut pages, &findings);
        pages.finish("t").len()
    }

    #[test]
    fn pages_grow_with_rows() {
        let count = |rows: u64| page_count((1..=rows).map(|r| finding(r, "Upgrade now.")).collect());
        assert_eq!(count(0), 1);
        assert_eq!(count(1), 1);
        let mut last = 1;
        for rows in [40, 100, 400] {
            let pages = count(rows);
            assert!(pages > last, "{rows} rows: {pages} pages, not more than {last}");
            last = pages;
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split() {
        let huge = "word ".repeat(6_000);
        let pages = page_count(vec![finding(1, &huge), finding(2, "Upgrade now.")]);
        assert!(pages >= 3, "{pages}");
    }

    #[test]
    fn widths_fill_the_page() {
        let widths = column_widths();
        let sum: f32 = widths.iter().sum();
        assert!((sum - CONTENT_WIDTH).abs() < 0.01);
        assert!(widths.iter().all(|w| *w > 20.0), "{widths:?}");
    }

    #[test]
    fn capitalises() {
        let cases = [("critical", "Critical"), ("", ""), ("élevé", "Élevé")];
        for (word, want) in cases {
            assert_eq!(capitalised(word), want);
        }
    }
}
