//! A small XML element tree over quick-xml, with byte offsets for error
//! locations. Shared with `ch-lockfile` (pom.xml, Gradle verification
//! metadata). Namespace prefixes are kept in `name`; `local` drops them.

use ch_inventory::error::found_at;
use ch_inventory::{Error, Format, Location};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// One XML element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Qualified name as written (`bom`, `xsi:schemaLocation`).
    pub name: String,
    /// Attributes in document order, names as written.
    pub attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Concatenated text and CDATA directly inside this element, unescaped.
    pub text: String,
    /// Byte offset of the start tag.
    pub offset: usize,
}

impl Element {
    /// The name without a namespace prefix.
    pub fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// An attribute by name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first child with this local name.
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local() == local)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.local() == local)
    }

    /// Trimmed text of the first child with this local name.
    pub fn child_text(&self, local: &str) -> Option<&str> {
        self.child(local).map(|c| c.text.trim())
    }
}

/// Parse a whole document into its root element.
pub fn parse(text: &str, file: &str, format: Format) -> Result<Element, Error> {
    ch_inventory::error::non_empty(text, file, format)?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let err = |offset: usize, expected: &str, found: String| {
        Error::syntax(file, format, Location::of_offset(text, offset), expected, found)
    };
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(offset);
            err(at, "well-formed XML", format!("{e}"))
        })?;
        match event {
            Event::Start(start) => {
                let el = start_element(&start, offset, text, file, format)?;
                if root.is_some() && stack.is_empty() {
                    return Err(err(offset, "end of document", "a second root element".into()));
                }
                stack.push(el);
            }
            Event::Empty(start) => {
                let el = start_element(&start, offset, text, file, format)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => {
                        return Err(err(offset, "end of document", "a second root element".into()));
                    }
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(err(offset, "a start tag", "an unmatched end tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    let s = t.xml10_content().map_err(|e| err(offset, "XML text", e.to_string()))?;
                    el.text.push_str(&s);
                } else if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(err(offset, "an XML element", found_at(text, offset)));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(el) = stack.last_mut() {
                    let name = String::from_utf8_lossy(&r);
                    let resolved = match name.as_ref() {
                        "lt" => Some("<".to_owned()),
                        "gt" => Some(">".to_owned()),
                        "amp" => Some("&".to_owned()),
                        "apos" => Some("'".to_owned()),
                        "quot" => Some("\"".to_owned()),
                        _ => r.resolve_char_ref().ok().flatten().map(|c| c.to_string()),
                    };
                    match resolved {
                        Some(s) => el.text.push_str(&s),
                        None => {
                            return Err(err(offset, "a known XML entity", format!("`&{name};`")));
                        }
                    }
                }
            }
            Event::CData(c) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&c.xml10_content().unwrap_or_default());
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(text.len(), &format!("`</{}>`", open.name), "end of input".into()));
    }
    root.ok_or_else(|| err(0, "an XML root element", found_at(text, 0)))
}

fn start_element(
    start: &BytesStart<'_>,
    offset: usize,
    text: &str,
    file: &str,
    format: Format,
) -> Result<Element, Error> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    if !is_xml_name(&name) {
        return Err(Error::syntax(
            file,
            format,
            Location::of_offset(text, offset),
            "an XML element name",
            format!("`<{name}>`"),
        ));
    }
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| {
            Error::syntax(file, format, Location::of_offset(text, offset), "well-formed XML attributes", e.to_string())
        })?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| {
                Error::syntax(file, format, Location::of_offset(text, offset), "an attribute value", e.to_string())
            })?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element { name, attributes, children: Vec::new(), text: String::new(), offset })
}

/// XML 1.0 `Name` (ASCII subset plus any non-ASCII letter).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_and_errors() {
        let root =
            parse("<?xml version=\"1.0\"?>\n<a x=\"1\"><b>t&amp;u</b><c/><!-- c --></a>", "f.xml", Format::MavenPom)
                .expect("parse");
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("x"), Some("1"));
        assert_eq!(root.child_text("b"), Some("t&u"));
        assert_eq!(root.children.len(), 2);

        let e = parse("<a>\n<b></c></a>", "f.xml", Format::MavenPom).expect_err("mismatch");
        assert!(e.to_string().starts_with("f.xml:2:"), "{e}");
        let e = parse("<a>", "f.xml", Format::MavenPom).expect_err("unclosed");
        assert!(e.to_string().contains("expected `</a>`"), "{e}");
        let e = parse("<a><${x}.v>1</${x}.v></a>", "f.xml", Format::MavenPom).expect_err("name");
        assert_eq!(e.to_string(), "f.xml:1:4: expected an XML element name, found `<${x}.v>`");
        let e = parse("not xml", "f.xml", Format::MavenPom).expect_err("text");
        assert_eq!(e.to_string(), "f.xml:1:1: expected an XML element, found `not xml`");
    }
}
