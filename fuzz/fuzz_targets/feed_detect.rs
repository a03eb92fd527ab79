#![no_main]
//! Format detection and the whole reader over arbitrary bytes under every kind of name:
//! nothing panics, every record and error names its input, and after a fatal error
//! nothing more comes from the same archive member (or, outside archives, at all).

use std::ops::ControlFlow;

use ch_feed::{Options, detect, read_bytes};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "x.json",
    "x.yaml",
    "x.md",
    "x.jsonl",
    "x.jsonl.zst",
    "x.jsonl.gz",
    "x.json.gz",
    "x.tar",
    "x.tar.gz",
    "x.tar.zst",
    "x.zip",
    "x",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let _ = detect(rest, name);
    let _ = ch_feed::detect_value(&serde_json::from_slice(rest).unwrap_or_default());
    let options = Options { validate: selector & 0x80 != 0, time: None };
    let mut broken: Option<Option<String>> = None;
    read_bytes(name, rest.to_vec(), &options, |r| {
        let source = match &r {
            Ok(rec) => &rec.source,
            Err(e) => &e.source,
        };
        assert_eq!(source.path.as_os_str(), name);
        if let Some(member) = &broken {
            assert!(member.is_some() && source.member != *member, "{source} after a fatal error in {member:?}");
        }
        if let Err(e) = &r {
            if e.is_fatal() {
                broken = Some(e.source.member.clone());
            }
        }
        ControlFlow::Continue(())
    });
});
