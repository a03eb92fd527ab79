//! Text for the PDF's standard fonts: Unicode to WinAnsi bytes, Helvetica widths, wrapping.
//!
//! The report uses two of the 14 standard PDF fonts, Helvetica and Helvetica-Bold, with
//! `/WinAnsiEncoding` (ISO 32000-1 annex D.2), so nothing is embedded. Every string is
//! first turned into WinAnsi bytes, one byte per glyph; characters outside WinAnsi are
//! replaced (a few by look-alikes, the rest by `?`), so any Unicode input renders and
//! nothing panics. Widths come from Adobe's Core 14 AFM files (1/1000 em).

/// One of the two faces the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
}

impl Face {
    fn widths(self) -> &'static [u16; 256] {
        match self {
            Face::Regular => &HELVETICA_WIDTHS,
            Face::Bold => &HELVETICA_BOLD_WIDTHS,
        }
    }
}

/// The byte written for a character WinAnsi cannot show.
pub(crate) const REPLACEMENT: u8 = b'?';
/// The horizontal ellipsis in WinAnsi.
pub(crate) const ELLIPSIS: u8 = 0x85;

/// Turns text into WinAnsi bytes: one byte per glyph, never a control byte.
///
/// Whitespace and control characters become a space; zero-width characters, soft hyphens
/// and combining marks are dropped (a decomposed "é" shows as "e"); a few common
/// characters get an ASCII look-alike ("→" becomes "->"); anything else becomes `?`.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' '..='~' => out.push(ascii_byte(c)),
            // Latin-1: WinAnsi agrees with Unicode from U+00A0 to U+00FF. U+00AD (soft
            // hyphen) is dropped: it should only show at a line break.
            '\u{AD}' => {}
            '\u{A0}'..='\u{FF}' => out.push(u8::try_from(u32::from(c)).unwrap_or(REPLACEMENT)),
            '\0'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}' => out.push(b' '),
            '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{0300}'..='\u{036F}' | '\u{FE00}'..='\u{FE0F}' => {}
            '\u{2010}' | '\u{2011}' | '\u{2212}' => out.push(b'-'),
            '\u{2012}' => out.push(0x96),
            '\u{2015}' => out.push(0x97),
            '\u{2032}' => out.push(b'\''),
            '\u{2033}' => out.push(b'"'),
            '\u{2190}' => out.extend_from_slice(b"<-"),
            '\u{2192}' => out.extend_from_slice(b"->"),
            '\u{2264}' => out.extend_from_slice(b"<="),
            '\u{2265}' => out.extend_from_slice(b">="),
            other => out.push(high_byte(other).unwrap_or(REPLACEMENT)),
        }
    }
    out
}

fn ascii_byte(c: char) -> u8 {
    u8::try_from(u32::from(c)).unwrap_or(REPLACEMENT)
}

/// WinAnsi's characters in 0x80..=0x9F, where it departs from Latin-1.
fn high_byte(c: char) -> Option<u8> {
    Some(match c {
        '\u{20AC}' => 0x80,
        '\u{201A}' => 0x82,
        '\u{0192}' => 0x83,
        '\u{201E}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{02C6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{0160}' => 0x8A,
        '\u{2039}' => 0x8B,
        '\u{0152}' => 0x8C,
        '\u{017D}' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{02DC}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{0161}' => 0x9A,
        '\u{203A}' => 0x9B,
        '\u{0153}' => 0x9C,
        '\u{017E}' => 0x9E,
        '\u{0178}' => 0x9F,
        _ => return None,
    })
}

/// Width of WinAnsi bytes in points at `size`.
pub(crate) fn width(bytes: &[u8], face: Face, size: f32) -> f32 {
    let widths = face.widths();
    let units: u32 = bytes.iter().map(|&b| u32::from(widths.get(usize::from(b)).copied().unwrap_or(0))).sum();
    // Units are 1/1000 em; widths of a line stay far below f32's exact integer range.
    units as f32 * size / 1000.0
}

/// Breaks WinAnsi bytes into lines no wider than `max_width` points.
///
/// Lines break at spaces; a word wider than a line is cut between characters. Runs of
/// spaces collapse. Empty text gives no lines; every line holds at least one glyph, so a
/// column narrower than one glyph still makes progress.
pub(crate) fn wrap(bytes: &[u8], face: Face, size: f32, max_width: f32) -> Vec<Vec<u8>> {
    let space = width(b" ", face, size);
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_width = 0.0;
    for word in bytes.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let word_width = width(word, face, size);
        if !line.is_empty() {
            if line_width + space + word_width <= max_width {
                line.push(b' ');
                line.extend_from_slice(word);
                line_width += space + word_width;
                continue;
            }
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        if word_width <= max_width {
            line.extend_from_slice(word);
            line_width = word_width;
            continue;
        }
        for &b in word {
            let glyph = width(&[b], face, size);
            if !line.is_empty() && line_width + glyph > max_width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(b);
            line_width += glyph;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wraps and keeps at most `max_lines` lines, ending the last kept one with an ellipsis
/// when text was cut.
pub(crate) fn wrap_at_most(bytes: &[u8], face: Face, size: f32, max_width: f32, max_lines: usize) -> Vec<Vec<u8>> {
    let mut lines = wrap(bytes, face, size, max_width);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(last, face, size, max_width, true);
        }
    }
    lines
}

/// Shortens WinAnsi bytes to fit `max_width`, ending with an ellipsis when cut (or always,
/// with `force`).
pub(crate) fn ellipsize(bytes: &[u8], face: Face, size: f32, max_width: f32, force: bool) -> Vec<u8> {
    if !force && width(bytes, face, size) <= max_width {
        return bytes.to_vec();
    }
    let room = max_width - width(&[ELLIPSIS], face, size);
    let mut out = Vec::with_capacity(bytes.len() + 1);
    let mut used = 0.0;
    for &b in bytes {
        let glyph = width(&[b], face, size);
        if used + glyph > room {
            break;
        }
        out.push(b);
        used += glyph;
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(ELLIPSIS);
    out
}

// Advance widths from Adobe's Core 14 AFM files (Helvetica.afm, Helvetica-Bold.afm,
// "Adobe Core 35 AFM Files"), indexed by WinAnsi code. Codes WinAnsi leaves undefined, and
// control codes, are 0: `encode` never produces them. 0xA0 (no-break space) has the width
// of the space, 0xAD that of the hyphen.
#[rustfmt::skip]
pub(crate) const HELVETICA_WIDTHS: [u16; 256] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x00
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x10
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];
#[rustfmt::skip]
pub(crate) const HELVETICA_BOLD_WIDTHS: [u16; 256] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x00
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x10
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes() {
        let cases: &[(&str, &[u8])] = &[
            ("plain ASCII", b"plain ASCII"),
            ("caf\u{e9}", b"caf\xe9"),
            ("cafe\u{301}", b"cafe"),
            ("\u{20ac}5 \u{2013} \u{201c}ok\u{201d}", b"\x805 \x96 \x93ok\x94"),
            ("a\tb\nc\r\u{0}d", b"a b c  d"),
            ("soft\u{ad}hyphen", b"softhyphen"),
            ("\u{2192} \u{2264}", b"-> <="),
            ("\u{6f0f}\u{6d1e}", b"??"),
            ("\u{1f525}\u{200d}\u{1f4a5}", b"??"),
            ("\u{2212}1", b"-1"),
            ("", b""),
        ];
        for (text, want) in cases {
            assert_eq!(encode(text), *want, "{text:?}");
        }
    }

    #[test]
    fn every_char_encodes_to_printable_bytes() {
        // Sample the whole code space: no panics, no control bytes, no undefined codes.
        let undefined = [0x81u8, 0x8d, 0x8f, 0x90, 0x9d, 0x7f];
        for code in (0..=0x10ffffu32).step_by(7) {
            let Some(c) = char::from_u32(code) else { continue };
            for b in encode(&c.to_string()) {
                assert!(b >= 0x20 && !undefined.contains(&b), "{code:#x} -> {b:#x}");
                assert!(HELVETICA_WIDTHS[usize::from(b)] > 0, "{code:#x} has no width");
                assert!(HELVETICA_BOLD_WIDTHS[usize::from(b)] > 0, "{code:#x} has no bold width");
            }
        }
    }

    #[test]
    fn widths_match_the_afm() {
        let cases: &[(&[u8], Face, f32, f32)] = &[
            (b"", Face::Regular, 10.0, 0.0),
            (b" ", Face::Regular, 1000.0, 278.0),
            (b"i", Face::Regular, 1000.0, 222.0),
            (b"W", Face::Regular, 1000.0, 944.0),
            (b"m", Face::Bold, 1000.0, 889.0),
            (b"Hello", Face::Regular, 10.0, 22.78),
            (b"\x80", Face::Regular, 1000.0, 556.0),
        ];
        for (bytes, face, size, want) in cases {
            let got = width(bytes, *face, *size);
            assert!((got - want).abs() < 0.01, "{bytes:?}: {got} != {want}");
        }
    }

    #[test]
    fn wraps() {
        let cases: &[(&str, f32, &[&str])] = &[
            ("", 100.0, &[]),
            ("   ", 100.0, &[]),
            ("one", 100.0, &["one"]),
            ("upgrade the firewall now", 60.0, &["upgrade the", "firewall now"]),
            ("a  lot   of    spaces", 1000.0, &["a lot of spaces"]),
            ("CVE-2024-123456789", 30.0, &["CVE-2", "024-1", "23456", "789"]),
            ("x", 0.0, &["x"]),
        ];
        for (text, max, want) in cases {
            let got: Vec<String> = wrap(text.as_bytes(), Face::Regular, 10.0, *max)
                .into_iter()
                .map(|l| String::from_utf8(l).unwrap())
                .collect();
            assert_eq!(got, *want, "{text:?} in {max}");
            for line in &got {
                if line.len() > 1 {
                    assert!(width(line.as_bytes(), Face::Regular, 10.0) <= *max, "{line}");
                }
            }
        }
    }

    #[test]
    fn cuts_with_an_ellipsis() {
        let long = b"Vulnerability findings: Riverside Community Hospital";
        let cut = ellipsize(long, Face::Regular, 10.0, 60.0, false);
        assert_eq!(cut.last(), Some(&ELLIPSIS));
        assert!(width(&cut, Face::Regular, 10.0) <= 60.0);
        assert_eq!(ellipsize(b"short", Face::Regular, 10.0, 60.0, false), b"short");
        let lines = wrap_at_most(long, Face::Regular, 10.0, 60.0, 2);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].last(), Some(&ELLIPSIS));
    }
}
