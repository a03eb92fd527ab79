//! SVG: well-formed XML (quick-xml), accessible, escaped, no scripts or external references.

use ch_report::{SeriesPoint, chart_svg};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use crate::sample::{HOSTILE, series};

/// Every element with its attributes, and all text, after a strict parse.
struct Parsed {
    elements: Vec<(String, Vec<(String, String)>)>,
    text: String,
}

fn parse(svg: &str) -> Parsed {
    // quick-xml does not check characters: XML 1.0 section 2.2 allows only these.
    for c in svg.chars() {
        assert!(
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..),
            "{c:?} is not allowed in XML"
        );
    }
    let mut reader = Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let mut elements = Vec::new();
    let mut text = String::new();
    let mut depth = 0i32;
    let mut roots = 0;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}\n{svg}", reader.buffer_position()));
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if depth == 0 {
                    roots += 1;
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("a well-formed attribute");
                        let value =
                            a.normalized_value(XmlVersion::Implicit1_0).expect("a well-formed value").into_owned();
                        (String::from_utf8(a.key.as_ref().to_vec()).unwrap(), value)
                    })
                    .collect();
                elements.push((name, attributes));
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => text.push_str(&t.decode().expect("decodable text")),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                let resolved = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => {
                        let code = other.strip_prefix('#').expect("only predefined or numeric references");
                        let c = char::from_u32(code.parse().unwrap()).unwrap();
                        text.push(c);
                        continue;
                    }
                };
                text.push_str(resolved);
            }
            Event::CData(_) | Event::PI(_) | Event::DocType(_) => panic!("unexpected {event:?}"),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    assert_eq!(roots, 1, "one root element");
    Parsed { elements, text }
}

fn attribute<'a>(element: &'a (String, Vec<(String, String)>), key: &str) -> Option<&'a str> {
    element.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn check_safe(parsed: &Parsed) {
    for element in &parsed.elements {
        let name = element.0.as_str();
        assert!(
            !matches!(name, "script" | "foreignObject" | "image" | "use" | "a" | "style" | "iframe"),
            "unexpected <{name}>"
        );
        for (key, value) in &element.1 {
            assert!(!key.starts_with("on"), "event attribute {key}");
            assert!(!key.contains("href"), "reference {key}");
            assert!(!value.contains("url("), "external reference in {key}");
        }
    }
}

#[test]
fn zero_one_and_many_points() {
    for (points, circles, paths) in [(0, 0, 1), (1, 1, 1), (2, 1, 3), (60, 1, 3), (2_000, 1, 3)] {
        let svg = chart_svg(&series(points), 640, 240);
        let parsed = parse(&svg);
        check_safe(&parsed);
        let root = &parsed.elements[0];
        assert_eq!(root.0, "svg");
        assert_eq!(attribute(root, "role"), Some("img"));
        assert_eq!(attribute(root, "xmlns"), Some("http://www.w3.org/2000/svg"));
        assert_eq!(attribute(root, "viewBox"), Some("0 0 640 240"));
        assert_eq!(parsed.elements[1].0, "title");
        assert_eq!(parsed.elements[2].0, "desc");
        let count = |name: &str| parsed.elements.iter().filter(|e| e.0 == name).count();
        assert_eq!(count("circle"), circles, "{points} points");
        assert_eq!(count("path"), paths, "{points} points");
        for element in &parsed.elements {
            for (key, value) in &element.1 {
                if matches!(key.as_str(), "x" | "y" | "x1" | "y1" | "x2" | "y2" | "cx" | "cy") {
                    let v: f64 = value.parse().unwrap_or_else(|_| panic!("{key}={value}"));
                    assert!(v.is_finite() && (0.0..=640.0).contains(&v), "{key}={value}");
                    assert!(!value.contains('.') || value.split('.').nth(1).unwrap().len() <= 2);
                }
            }
        }
        match points {
            0 => assert!(parsed.text.contains("No history of open findings yet.")),
            1 => assert!(parsed.text.contains("on 2026-10-03.")),
            _ => assert!(parsed.text.contains("Open findings from 2026-10-03 to ")),
        }
    }
}

#[test]
fn dates_at_start_middle_and_end() {
    let svg = chart_svg(&series(61), 640, 240);
    let parsed = parse(&svg);
    let texts = &parsed.text;
    assert!(texts.contains("2026-10-03"), "first date");
    assert!(texts.contains("2026-11-02"), "middle date");
    assert!(texts.contains("2026-12-02"), "last date");
}

#[test]
fn all_zero_series_has_a_flat_line() {
    let zeros: Vec<SeriesPoint> = series(10).into_iter().map(|p| SeriesPoint { open: 0, ..p }).collect();
    let svg = chart_svg(&zeros, 400, 200);
    let parsed = parse(&svg);
    assert!(parsed.text.contains("steady at 0"));
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn round_y_ticks() {
    let points: Vec<SeriesPoint> = [3, 19, 12]
        .iter()
        .enumerate()
        .map(|(i, open)| SeriesPoint { date: format!("2026-11-0{}", i + 1), open: *open })
        .collect();
    let parsed = parse(&chart_svg(&points, 640, 240));
    for tick in ["0", "5", "10", "15", "20"] {
        assert!(parsed.text.split_whitespace().any(|t| t == tick), "tick {tick} in {:?}", parsed.text);
    }
}

#[test]
fn hostile_labels_are_escaped() {
    for hostile in HOSTILE {
        let points = vec![
            SeriesPoint { date: hostile.to_owned(), open: 1 },
            SeriesPoint { date: "2026-11-02".to_owned(), open: 2 },
            SeriesPoint { date: hostile.to_owned(), open: 3 },
        ];
        let svg = chart_svg(&points, 640, 240);
        let parsed = parse(&svg);
        check_safe(&parsed);
        assert!(!svg.contains("<script"), "{hostile:?}");
        assert!(!svg.contains("]]>"), "{hostile:?}");
    }
    let points = vec![SeriesPoint { date: "<b>&\"'".to_owned(), open: 1 }];
    let parsed = parse(&chart_svg(&points, 640, 240));
    assert!(parsed.text.contains("<b>&\"'"), "{:?}", parsed.text);
}

#[test]
fn tiny_and_huge_sizes() {
    for (w, h) in [(0, 0), (1, 1), (160, 100), (10_000, 4_000)] {
        let svg = chart_svg(&series(5), w, h);
        parse(&svg);
        assert!(!svg.contains("NaN"));
    }
}
