//! The chart of open findings over time as a standalone SVG, drawn on the server.
//!
//! Invariants: the output is well-formed XML whatever the input (all text is escaped and
//! characters XML forbids are replaced); it has no script, no event attribute, no link and
//! no external reference; the same input always gives the same bytes (coordinates have at
//! most two decimals). Each element carries a `ch-chart-*` class, so a page can restyle it,
//! and inline `fill`/`stroke` attributes, so it also renders on its own. There is no
//! `<style>` element: inlined in a page it would style the whole page.

use std::fmt::Write as _;

use crate::chart::{Geometry, describe, middle_index, short_label};
use crate::model::{SeriesPoint, group_thousands};

/// Smallest width drawn; narrower requests get this width.
pub const MIN_WIDTH: u32 = 160;
/// Smallest height drawn; lower requests get this height.
pub const MIN_HEIGHT: u32 = 100;

const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 30.0;
const LABEL_CHARS: usize = 24;

const TEXT_COLOUR: &str = "#4b5563";
const GRID_COLOUR: &str = "#e5e7eb";
const AXIS_COLOUR: &str = "#6b7280";
const LINE_COLOUR: &str = "#1d4ed8";
const AREA_COLOUR: &str = "#dbeafe";

/// Draws open findings over time as an accessible SVG line and area chart.
///
/// `series` is oldest first. The SVG is `width` by `height` pixels (at least
/// [`MIN_WIDTH`] by [`MIN_HEIGHT`]), has `role="img"`, a `<title>` and a `<desc>` that gives
/// the figures in words, dates under the x axis (first, middle and last) and y ticks at round
/// numbers. No points draws empty axes with "No history yet"; one point draws a dot; a series
/// of zeros draws a flat line on a 0 to 1 axis.
///
/// ```
/// use ch_report::{SeriesPoint, chart_svg};
///
/// let series = vec![
///     SeriesPoint { date: "2026-11-01".into(), open: 14 },
///     SeriesPoint { date: "2026-12-01".into(), open: 12 },
/// ];
/// let svg = chart_svg(&series, 600, 240);
/// assert!(svg.starts_with("<svg "));
/// assert!(svg.contains("14 at the start and 12 at the end"));
/// ```
pub fn chart_svg(series: &[SeriesPoint], width: u32, height: u32) -> String {
    let width = width.max(MIN_WIDTH);
    let height = height.max(MIN_HEIGHT);
    let (w, h) = (f64::from(width), f64::from(height));
    let (x0, x1, y0, y1) = (LEFT, w - RIGHT, h - BOTTOM, TOP);
    let geometry = Geometry::new(series);
    let px = |x: f64| x0 + x * (x1 - x0);
    let py = |y: f64| y0 - y * (y0 - y1);

    let mut out = String::with_capacity(2048 + series.len() * 40);
    // `write!` to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ch-chart\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">"
    );
    out.push_str("<title>Open findings over time</title>\n");
    let _ = writeln!(out, "<desc>{}</desc>", escape(&describe(series)));
    let _ =
        writeln!(out, "<rect class=\"ch-chart-background\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>");

    let points: Vec<(f64, f64)> = geometry.points.iter().map(|(x, y)| (px(*x), py(*y))).collect();
    let mut line = String::with_capacity(points.len() * 16);
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(line, "{}{} {}", if i == 0 { "M" } else { "L" }, num(*x), num(*y));
    }

    // Drawn bottom up: area, grid, axes, then the line on top.
    if let [first, _, ..] = points.as_slice()
        && let Some(last) = points.last()
    {
        let _ = writeln!(
            out,
            "<path class=\"ch-chart-area\" d=\"{line}L{} {}L{} {}Z\" fill=\"{AREA_COLOUR}\" stroke=\"none\"/>",
            num(last.0),
            num(y0),
            num(first.0),
            num(y0)
        );
    }

    out.push_str("<g class=\"ch-chart-grid\">\n");
    let top = geometry.top as f64;
    for tick in &geometry.ticks {
        let y = py(*tick as f64 / top);
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GRID_COLOUR}\" stroke-width=\"1\"/>",
            num(x0),
            num(y),
            num(x1),
            num(y)
        );
    }
    out.push_str("</g>\n");
    let _ = writeln!(out, "<g class=\"ch-chart-label ch-chart-y\" fill=\"{TEXT_COLOUR}\" text-anchor=\"end\">");
    for tick in &geometry.ticks {
        let y = py(*tick as f64 / top);
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" dy=\"0.35em\">{}</text>",
            num(x0 - 8.0),
            num(y),
            group_thousands(*tick)
        );
    }
    out.push_str("</g>\n");

    let _ = writeln!(
        out,
        "<path class=\"ch-chart-axis\" d=\"M{} {}V{}H{}\" fill=\"none\" stroke=\"{AXIS_COLOUR}\" stroke-width=\"1\"/>",
        num(x0),
        num(y1),
        num(y0),
        num(x1)
    );

    match points.as_slice() {
        [] => {
            let _ = writeln!(
                out,
                "<text class=\"ch-chart-empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{TEXT_COLOUR}\">No history yet</text>",
                num((x0 + x1) / 2.0),
                num((y0 + y1) / 2.0)
            );
        }
        [(x, y)] => {
            let _ = writeln!(
                out,
                "<circle class=\"ch-chart-point\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{LINE_COLOUR}\"/>",
                num(*x),
                num(*y)
            );
        }
        [.., last] => {
            let _ = writeln!(
                out,
                "<path class=\"ch-chart-line\" d=\"{line}\" fill=\"none\" stroke=\"{LINE_COLOUR}\" \
                 stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>"
            );
            let _ = writeln!(
                out,
                "<circle class=\"ch-chart-point\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{LINE_COLOUR}\"/>",
                num(last.0),
                num(last.1)
            );
        }
    }

    // Dates under the x axis: first and last at the ends, one near the middle if it fits.
    let label_y = num(y0 + 18.0);
    let _ = writeln!(out, "<g class=\"ch-chart-label ch-chart-x\" fill=\"{TEXT_COLOUR}\">");
    let mut date_label = |index: usize, anchor: &str, x: f64| {
        if let Some(point) = series.get(index) {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{label_y}\" text-anchor=\"{anchor}\">{}</text>",
                num(x),
                escape(&short_label(&point.date, LABEL_CHARS))
            );
        }
    };
    match points.len() {
        0 => {}
        1 => date_label(0, "middle", px(0.5)),
        n => {
            date_label(0, "start", x0);
            if w >= 320.0
                && let Some(mid) = middle_index(&geometry.points)
                && let Some((x, _)) = points.get(mid)
            {
                date_label(mid, "middle", *x);
            }
            date_label(n - 1, "end", x1);
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// A coordinate with at most two decimals and no trailing zeros: stable across platforms.
fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let mut s = format!("{value:.2}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" { "0".to_owned() } else { s }
}

/// Escapes text for XML content and attribute values; characters XML 1.0 forbids (most
/// control characters, unpaired surrogates cannot occur in `str`, U+FFFE, U+FFFF) become
/// U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (-0.001, "0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (12.346, "12.35"),
            (100.10, "100.1"),
            (f64::NAN, "0"),
            (-3.25, "-3.25"),
        ];
        for (value, want) in cases {
            assert_eq!(num(value), want, "{value}");
        }
    }

    #[test]
    fn escapes() {
        let cases = [
            ("plain", "plain"),
            ("<script>", "&lt;script&gt;"),
            ("a&b", "a&amp;b"),
            ("\"'", "&quot;&#39;"),
            ("bell\u{7}", "bell\u{FFFD}"),
            ("\u{FFFE}", "\u{FFFD}"),
            ("tab\there", "tab\there"),
            ("\u{6f0f}\u{1f525}", "\u{6f0f}\u{1f525}"),
        ];
        for (text, want) in cases {
            assert_eq!(escape(text), want, "{text:?}");
        }
    }

    #[test]
    fn sizes_are_clamped() {
        let svg = chart_svg(&[], 0, 0);
        assert!(svg.contains(&format!("width=\"{MIN_WIDTH}\" height=\"{MIN_HEIGHT}\"")));
    }

    #[test]
    fn stable() {
        let series: Vec<SeriesPoint> =
            (1..=30).map(|d| SeriesPoint { date: format!("2026-11-{d:02}"), open: (d * 7 % 13) as u64 }).collect();
        assert_eq!(chart_svg(&series, 640, 240), chart_svg(&series, 640, 240));
    }
}
