//! Reading real sources and broken ones: every shared advisory file through the feed,
//! archives built on the fly, truncated and corrupt inputs.

mod broken;
mod containers;
mod shared;

use std::path::PathBuf;

use ch_feed::{Feed, FeedError, Options, Record};

pub(crate) fn shared_data() -> PathBuf {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    assert!(dir.is_dir(), "shared data missing at {} (set CLEARINGHOUSE_SHARED_DATA)", dir.display());
    dir
}

/// Everything a feed of `bytes` named `name` yields.
pub(crate) fn read(name: &str, bytes: Vec<u8>) -> Vec<Result<Record, FeedError>> {
    Feed::from_bytes(name, bytes, Options::default()).collect()
}

/// The first line of a `.jsonl.zst` file.
pub(crate) fn read_first_line(path: &std::path::Path) -> String {
    use std::io::BufRead;
    let file = std::fs::File::open(path).unwrap();
    let mut line = String::new();
    std::io::BufReader::new(zstd::Decoder::new(file).unwrap()).read_line(&mut line).unwrap();
    line.trim_end().to_owned()
}
