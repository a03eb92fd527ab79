//! One unit (a document, a JSONL line) into records.

use ch_advisory::cve5::Cve5Record;
use ch_advisory::nvd::{Nvd1Item, Nvd2Cve};
use ch_advisory::{Advisory, Format, KevEntry, Osv, validate_osv};
use jiff::Timestamp;
use serde_json::Value;

use crate::detect::{EXPECTED, Kind, detect_value};
use crate::error::{FeedError, Reason, Source};

/// A record read from a source.
#[derive(Clone, Debug)]
pub enum Item {
    /// An advisory (OSV as read, or converted into OSV).
    Advisory(Box<Advisory>),
    /// A KEV catalogue entry.
    Kev(KevEntry),
}

impl Item {
    /// The record's id (advisory id, or the KEV entry's CVE id).
    pub fn id(&self) -> &str {
        match self {
            Item::Advisory(a) => &a.id,
            Item::Kev(k) => &k.cve_id,
        }
    }
}

/// A record and where it came from.
#[derive(Clone, Debug)]
pub struct Record {
    /// Where: file, archive member, line or element.
    pub source: Source,
    /// What.
    pub item: Item,
    /// The advisory's OSV record exactly as read, when the source gave it as one JSONL
    /// line of OSV: the store keeps it as it was published instead of serialising the
    /// parsed record again (the parser denies unknown fields, so both say the same).
    /// `None` for every other source and for KEV entries.
    pub json: Option<Box<str>>,
}

/// How sources are read.
#[derive(Clone, Debug)]
pub struct Options {
    /// Check every advisory's OSV record against the OSV schema; a record outside it is
    /// reported and skipped (default `true`).
    pub validate: bool,
    /// The time of records that carry none: RustSec files' last change (their OSV
    /// `modified`), and the dateless Victims, Node.js core and FriendsOfPHP records.
    /// `None` (the default): the file's or archive member's modification time.
    pub time: Option<Timestamp>,
}

impl Default for Options {
    fn default() -> Self {
        Options { validate: true, time: None }
    }
}

/// What the sink said: go on, or stop reading.
pub(crate) type Sink<'a> = dyn FnMut(Result<Record, FeedError>) -> bool + 'a;

/// Where a record is being read: its place, the caller's options, the file time.
pub(crate) struct Unit<'a> {
    pub(crate) source: &'a Source,
    pub(crate) options: &'a Options,
    pub(crate) file_time: Option<Timestamp>,
}

impl Unit<'_> {
    fn time(&self) -> Option<Timestamp> {
        self.options.time.or(self.file_time)
    }

    /// The name converters see as the record's path (a member, else the file).
    fn name(&self) -> String {
        match &self.source.member {
            Some(m) => m.clone(),
            None => self.source.path.to_string_lossy().into_owned(),
        }
    }

    fn finish(&self, source: &Source, r: Result<Advisory, ch_advisory::Error>) -> Result<Record, FeedError> {
        let a = r.map_err(|e| FeedError::new(source, e))?;
        if self.options.validate
            && let Err(errors) = validate_osv(&a.osv_json())
        {
            return Err(FeedError::new(source, Reason::Schema { id: a.id.clone(), errors }));
        }
        Ok(Record { source: source.clone(), item: Item::Advisory(Box::new(a)), json: None })
    }

    /// One JSON record or document of `kind`; arrays and responses yield one result per
    /// element. Returns false when the sink says stop.
    pub(crate) fn value(&self, source: &Source, kind: Kind, v: &Value, sink: &mut Sink<'_>) -> bool {
        let elements = |key: Option<&str>| -> Vec<Value> {
            let arr = match key {
                Some(k) => v.get(k),
                None => Some(v),
            };
            arr.and_then(Value::as_array).cloned().unwrap_or_default()
        };
        match kind {
            Kind::OsvArray => {
                for (i, e) in elements(None).iter().enumerate() {
                    if !sink(self.one(&source.with_index(i), Kind::OsvJson, e)) {
                        return false;
                    }
                }
                true
            }
            Kind::Nvd2Response => {
                for (i, e) in elements(Some("vulnerabilities")).iter().enumerate() {
                    if !sink(self.one(&source.with_index(i), Kind::Nvd2Item, e)) {
                        return false;
                    }
                }
                true
            }
            Kind::Nvd1Feed => {
                for (i, e) in elements(Some("CVE_Items")).iter().enumerate() {
                    if !sink(self.one(&source.with_index(i), Kind::Nvd1Item, e)) {
                        return false;
                    }
                }
                true
            }
            Kind::KevCatalogue => {
                for (i, e) in elements(Some("vulnerabilities")).iter().enumerate() {
                    if !sink(self.one(&source.with_index(i), Kind::KevEntry, e)) {
                        return false;
                    }
                }
                true
            }
            _ => sink(self.one(source, kind, v)),
        }
    }

    fn one(&self, source: &Source, kind: Kind, v: &Value) -> Result<Record, FeedError> {
        match kind {
            Kind::OsvJson | Kind::OsvArray => {
                self.finish(source, Osv::from_json_value(v).and_then(|o| Advisory::from_osv(o, Format::OsvJson)))
            }
            Kind::Cve5 => self.finish(source, ch_advisory::cve5::parse_value(v)),
            Kind::Nvd2Cve => self.finish(source, Nvd2Cve::from_json_value(v).and_then(|c| c.to_advisory())),
            Kind::Nvd2Item | Kind::Nvd2Response => {
                let cve = v.get("cve").unwrap_or(&Value::Null);
                self.finish(source, Nvd2Cve::from_json_value(cve).and_then(|c| c.to_advisory()))
            }
            Kind::Nvd1Item | Kind::Nvd1Feed => {
                self.finish(source, Nvd1Item::from_json_value(v).and_then(|c| c.to_advisory()))
            }
            Kind::KevEntry | Kind::KevCatalogue => KevEntry::from_json_value(v)
                .map(|k| Record { source: source.clone(), item: Item::Kev(k), json: None })
                .map_err(|e| FeedError::new(source, e)),
            Kind::NodejsSecurityWg | Kind::FriendsOfPhp | Kind::Victims => {
                let format = match kind {
                    Kind::NodejsSecurityWg => Format::NodejsSecurityWg,
                    Kind::FriendsOfPhp => Format::FriendsOfPhp,
                    _ => Format::Victims,
                };
                let name = self.name();
                self.finish(source, ch_advisory::convert::parse(format, v, Some(&name), self.time()))
            }
            Kind::OsvYaml | Kind::RustSec => Err(FeedError::new(
                source,
                Reason::Unrecognised { expected: "a JSON record", found: kind.name().to_owned() },
            )),
        }
    }

    /// One JSONL line. `hint` is the previous line's kind: a line of the same kind is
    /// parsed straight into its typed record; any other line is detected on its own.
    pub(crate) fn line(&self, source: &Source, bytes: &[u8], hint: &mut Option<Kind>, sink: &mut Sink<'_>) -> bool {
        if *hint == Some(Kind::OsvJson)
            && self.options.validate
            && let Some(a) = osv_checked(bytes)
        {
            return sink(Ok(Record {
                source: source.clone(),
                item: Item::Advisory(Box::new(a)),
                json: as_published(bytes),
            }));
        }
        if let Some(kind) = *hint {
            let fast = match kind {
                Kind::OsvJson => Some(Osv::from_json_slice(bytes).and_then(|o| Advisory::from_osv(o, Format::OsvJson))),
                Kind::Cve5 => Some(Cve5Record::from_json_slice(bytes).and_then(|r| r.to_advisory())),
                Kind::Nvd2Cve => Some(Nvd2Cve::from_json_slice(bytes).and_then(|c| c.to_advisory())),
                Kind::Nvd1Item => Some(Nvd1Item::from_json_slice(bytes).and_then(|c| c.to_advisory())),
                _ => None,
            };
            if let Some(Ok(a)) = fast {
                let record = self.finish(source, Ok(a));
                let json = (kind == Kind::OsvJson).then(|| as_published(bytes)).flatten();
                return sink(record.map(|r| Record { json, ..r }));
            }
            if let Some(Err(e)) = fast {
                // Not this kind after all, or a bad record of it: detect to tell which.
                return match serde_json::from_slice::<Value>(bytes) {
                    Ok(v) => match detect_value(&v) {
                        Some(k) if k == kind => sink(Err(FeedError::new(source, e))),
                        Some(k) => {
                            *hint = Some(k);
                            self.value(source, k, &v, sink)
                        }
                        None => sink(Err(unrecognised(source, &v))),
                    },
                    Err(_) => sink(Err(FeedError::new(source, e))),
                };
            }
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => match detect_value(&v) {
                Some(Kind::OsvJson) => {
                    *hint = Some(Kind::OsvJson);
                    let json = as_published(bytes);
                    sink(self.one(source, Kind::OsvJson, &v).map(|r| Record { json, ..r }))
                }
                Some(k) => {
                    *hint = Some(k);
                    self.value(source, k, &v, sink)
                }
                None => sink(Err(unrecognised(source, &v))),
            },
            Err(e) => {
                let format = hint.map_or(Format::OsvJson, format_of);
                sink(Err(FeedError::new(source, json_syntax(format, &e))))
            }
        }
    }

    /// One whole document (a file or archive member that is not a JSONL stream).
    pub(crate) fn document(&self, source: &Source, bytes: &[u8], sink: &mut Sink<'_>) -> bool {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return sink(Err(FeedError::new(
                source,
                Reason::Unrecognised { expected: "UTF-8 text", found: "bytes that are not UTF-8".into() },
            )));
        };
        let text = text.trim_start_matches('\u{feff}');
        let trimmed = text.trim_start();
        if trimmed.starts_with("```toml") {
            let r = ch_advisory::rustsec::parse(text, self.time());
            return sink(self.finish(source, r));
        }
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            return match serde_json::from_str::<Value>(trimmed) {
                Ok(v) => match detect_value(&v) {
                    Some(k) => self.value(source, k, &v, sink),
                    None => sink(Err(unrecognised(source, &v))),
                },
                Err(e) => sink(Err(FeedError::new(source, json_syntax(Format::OsvJson, &e)))),
            };
        }
        match ch_advisory::yaml::to_json(text, Format::OsvYaml) {
            Ok(v) => match detect_value(&v) {
                Some(Kind::OsvJson) => {
                    let r = Osv::from_yaml_str(text).and_then(|o| Advisory::from_osv(o, Format::OsvYaml));
                    sink(self.finish(source, r))
                }
                Some(k @ (Kind::FriendsOfPhp | Kind::Victims)) => self.value(source, k, &v, sink),
                _ => sink(Err(unrecognised(source, &v))),
            },
            Err(e) => sink(Err(FeedError::new(
                source,
                Reason::Unrecognised { expected: EXPECTED, found: format!("text that is not JSON or YAML ({e})") },
            ))),
        }
    }
}

/// An OSV line that is a valid record, read once: into a JSON value, checked against the
/// schema as published, then moved (not copied) into the typed record. This costs about
/// what the typed parse alone does, where the typed parse and then serialising the record
/// back into a value for the schema cost twice that. `None` when anything is wrong: the
/// caller then reads the line the long way, which names the problem as it always has (the
/// typed parse's error first, then the schema's).
fn osv_checked(line: &[u8]) -> Option<Advisory> {
    let v: Value = serde_json::from_slice(line).ok()?;
    validate_osv(&v).ok()?;
    let osv: Osv = serde_json::from_value(v).ok()?;
    Advisory::from_osv(osv, Format::OsvJson).ok()
}

/// A JSONL line of OSV as text, to be stored as published (see [`Record::json`]).
fn as_published(line: &[u8]) -> Option<Box<str>> {
    let text = std::str::from_utf8(line).ok()?.trim_matches(|c: char| c.is_ascii_whitespace());
    text.starts_with('{').then(|| text.into())
}

fn format_of(kind: Kind) -> Format {
    match kind {
        Kind::Cve5 => Format::Cve5,
        Kind::Nvd2Cve | Kind::Nvd2Item | Kind::Nvd2Response => Format::Nvd2,
        Kind::Nvd1Item | Kind::Nvd1Feed => Format::Nvd1,
        Kind::KevCatalogue | Kind::KevEntry => Format::Kev,
        Kind::NodejsSecurityWg => Format::NodejsSecurityWg,
        Kind::FriendsOfPhp => Format::FriendsOfPhp,
        Kind::Victims => Format::Victims,
        Kind::RustSec => Format::RustSec,
        Kind::OsvYaml => Format::OsvYaml,
        _ => Format::OsvJson,
    }
}

fn json_syntax(format: Format, e: &serde_json::Error) -> ch_advisory::Error {
    let msg = e.to_string();
    let reason = msg.rfind(" at line ").and_then(|i| msg.get(..i)).unwrap_or(&msg).to_owned();
    ch_advisory::Error::Syntax { format, record: None, line: e.line(), column: e.column(), reason }
}

fn unrecognised(source: &Source, v: &Value) -> FeedError {
    let found = match v {
        Value::Object(o) => {
            let keys: Vec<&str> = o.keys().take(6).map(String::as_str).collect();
            format!("an object with fields {keys:?}")
        }
        Value::Array(_) => "an array of other records".to_owned(),
        other => format!(
            "a JSON {}",
            match other {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                _ => "null",
            }
        ),
    };
    FeedError::new(source, Reason::Unrecognised { expected: EXPECTED, found })
}
