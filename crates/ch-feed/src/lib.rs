//! Advisory sources read into `ch-advisory` records: format detection, directories,
//! archives and streams.
//!
//! This crate owns reading: given paths (files or directories) or bytes, it detects
//! each file's layers from its name and first bytes (`.zip`, `.tar`, `.tar.gz`,
//! `.tar.zst`, `.gz`, `.zst`, `.jsonl`) and each record's format from its content
//! ([`detect`], [`detect_value`]): OSV JSON, YAML or JSON arrays, CVE JSON 5, NVD CVE API
//! 2.0 records and responses, NVD 1.1 feeds and items, the CISA KEV catalogue and its
//! entries, RustSec Markdown, Node.js Security WG, FriendsOfPHP and Victims records. A
//! JSONL stream may mix kinds: each line is detected (a line of the previous line's kind
//! is parsed straight into its typed record).
//!
//! Directories are read recursively in name order, skipping hidden entries (`.git`)
//! and symbolic links to directories.
//!
//! Every record comes out as a [`Record`] (an [`Item`]: advisory or KEV entry) with its
//! [`Source`] (path, archive member, line or element). A record that does not read is a
//! [`FeedError`] with the same source and the reason, and reading goes on; a read or
//! decompression failure (a truncated archive) is reported where it happened and ends
//! that file, after everything before it was delivered. With [`Options::validate`]
//! (the default), every advisory's OSV record is checked against the OSV schema, and one
//! outside it is reported and skipped.
//!
//! IO is `std` only: no async runtime, no network. [`Feed`] reads on one background
//! thread into a bounded channel, so parsing overlaps the consumer's work (a database
//! transaction) and memory stays bounded; [`Feed::progress`] reports compressed bytes
//! consumed against the total for a progress bar. [`read_path`] and [`read_bytes`] do
//! the same work on the caller's thread through a callback.
//!
//! Hand-written parts: the walker (a few dozen lines over `zstd`, `flate2`, `tar` and
//! `zip`) and detection (field rules per format; no crate detects these formats).
//!
//! ```no_run
//! use ch_feed::{Feed, Item, Options};
//!
//! let mut feed = Feed::open(["../shared/data/osv/pypa.jsonl.zst"], Options::default());
//! for result in feed.by_ref() {
//!     match result {
//!         Ok(record) => if let Item::Advisory(a) = &record.item { println!("{} {}", record.source, a.id) },
//!         Err(e) => eprintln!("skipped: {e}"),
//!     }
//! }
//! let p = feed.progress();
//! assert_eq!(p.consumed, p.total);
//! ```

#![warn(missing_docs)]

mod detect;
mod error;
mod records;
mod walk;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

pub use detect::{Container, Kind, containers, detect, detect_value, sniff_container};
pub use error::{FeedError, Reason, Source};
pub use records::{Item, Options, Record};

/// Reading progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Progress {
    /// Bytes read from the inputs so far (compressed, as stored).
    pub consumed: u64,
    /// Total bytes of the inputs.
    pub total: u64,
    /// Records delivered.
    pub records: u64,
    /// Errors delivered.
    pub errors: u64,
}

/// Reads `path` (a file or a directory, recursively, in name order) on the caller's
/// thread; `sink` gets every record and error, and stops reading by returning `Break`.
pub fn read_path(
    path: impl Into<PathBuf>,
    options: &Options,
    mut sink: impl FnMut(Result<Record, FeedError>) -> ControlFlow<()>,
) {
    let mut f = |r| sink(r).is_continue();
    let mut w = walk::Walker { options, counter: Arc::new(AtomicU64::new(0)), sink: &mut f };
    for file in walk::files(&path.into()) {
        if w.path(&file) == walk::Flow::Stop {
            return;
        }
    }
}

/// Reads `bytes` named `name` (the name's extensions say how it is wrapped: `.zip`,
/// `.tar.zst`, `.jsonl`...; magic bytes are sniffed when the name says nothing).
pub fn read_bytes(
    name: &str,
    bytes: Vec<u8>,
    options: &Options,
    mut sink: impl FnMut(Result<Record, FeedError>) -> ControlFlow<()>,
) {
    let mut f = |r| sink(r).is_continue();
    let mut w = walk::Walker { options, counter: Arc::new(AtomicU64::new(0)), sink: &mut f };
    let _ = w.bytes(name, bytes);
}

/// Records of some inputs, read on a background thread.
///
/// Iterating yields every record and every error in input order; dropping the feed
/// stops the reader.
pub struct Feed {
    rx: Receiver<Vec<Result<Record, FeedError>>>,
    batch: std::vec::IntoIter<Result<Record, FeedError>>,
    consumed: Arc<AtomicU64>,
    total: u64,
    records: u64,
    errors: u64,
    handle: Option<JoinHandle<()>>,
}

/// Batches buffered between the reader thread and the consumer.
const CHANNEL: usize = 16;
/// Records per batch: handing records over one by one costs a thread wake-up each.
const BATCH: usize = 64;

impl Feed {
    /// Reads `paths` (files or directories) in order.
    pub fn open<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>, options: Options) -> Feed {
        let paths: Vec<PathBuf> = paths.into_iter().map(Into::into).collect();
        let total = walk::total_size(&paths);
        Feed::spawn(
            total,
            move |w| {
                for p in &paths {
                    for file in walk::files(p) {
                        if w.path(&file) == walk::Flow::Stop {
                            return;
                        }
                    }
                }
            },
            options,
        )
    }

    /// Reads `bytes` named `name` (see [`read_bytes`]).
    pub fn from_bytes(name: &str, bytes: Vec<u8>, options: Options) -> Feed {
        let name = name.to_owned();
        let total = bytes.len() as u64;
        Feed::spawn(
            total,
            move |w| {
                let _ = w.bytes(&name, bytes);
            },
            options,
        )
    }

    fn spawn(total: u64, work: impl FnOnce(&mut walk::Walker<'_, '_>) + Send + 'static, options: Options) -> Feed {
        let (tx, rx) = sync_channel(CHANNEL);
        let consumed = Arc::new(AtomicU64::new(0));
        let counter = consumed.clone();
        let spawned = std::thread::Builder::new().name("ch-feed".into()).spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let mut open = true;
            let mut send = |r| {
                batch.push(r);
                if batch.len() >= BATCH {
                    open = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_ok();
                }
                open
            };
            let mut w = walk::Walker { options: &options, counter, sink: &mut send };
            work(&mut w);
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
        });
        let empty = Vec::new().into_iter();
        match spawned {
            Ok(handle) => Feed { rx, batch: empty, consumed, total, records: 0, errors: 0, handle: Some(handle) },
            Err(e) => {
                // Say so rather than end silently.
                let (tx, rx) = sync_channel(1);
                let _ = tx.send(vec![Err(FeedError::io(&Source::default(), &e))]);
                Feed { rx, batch: empty, consumed, total, records: 0, errors: 0, handle: None }
            }
        }
    }

    /// Bytes consumed against the total, and what was delivered so far.
    pub fn progress(&self) -> Progress {
        Progress {
            consumed: self.consumed.load(Ordering::Relaxed).min(self.total),
            total: self.total,
            records: self.records,
            errors: self.errors,
        }
    }
}

impl Iterator for Feed {
    type Item = Result<Record, FeedError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.batch.next() {
                if r.is_ok() {
                    self.records += 1;
                } else {
                    self.errors += 1;
                }
                return Some(r);
            }
            match self.rx.recv() {
                Ok(batch) => self.batch = batch.into_iter(),
                Err(_) => {
                    if let Some(h) = self.handle.take() {
                        let _ = h.join();
                    }
                    return None;
                }
            }
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        // Unblock the reader (its next send fails), then let it finish.
        let (_, dead) = sync_channel(0);
        let rx = std::mem::replace(&mut self.rx, dead);
        drop(rx);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
