//! Files, directories and archives, streamed: each layer (zstd, gzip, tar, zip, JSONL)
//! wraps the reader below it, and records are handed to the sink as they are read, so
//! no archive is held in memory (a zip nested inside another archive is the one
//! exception: zip needs to seek, so such a member is read whole first).

use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;

use crate::detect::{Container, Kind, containers, sniff_container};
use crate::error::{FeedError, Reason, Source};
use crate::records::{Options, Sink, Unit};
use rayon::prelude::*;

/// How a layer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Read to its end.
    Done,
    /// Reading failed (reported): the enclosing archive cannot go on either.
    Broken,
    /// The sink asked to stop.
    Stop,
}

/// Counts bytes read from the underlying file (compressed bytes), for progress.
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// JSONL lines parsed together, on every core.
const LINES_PER_CHUNK: usize = 256;

/// Largest single document read into memory (a whole NVD 1.1 year feed is ~60 MiB raw).
const MAX_DOCUMENT: u64 = 512 * 1024 * 1024;

pub(crate) struct Walker<'a, 's> {
    pub(crate) options: &'a Options,
    pub(crate) counter: Arc<AtomicU64>,
    pub(crate) sink: &'a mut Sink<'s>,
}

/// Every file under `path` (itself if it is a file), in name order. Inside directories,
/// hidden entries (`.git`, `.github`...) and symbolic links to directories are skipped
/// (a checkout's metadata is not advisory data, and a link could loop).
pub(crate) fn files(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            let mut children: Vec<PathBuf> = match std::fs::read_dir(&p) {
                Ok(rd) => rd
                    .filter_map(Result::ok)
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .filter(|e| !(e.file_type().is_ok_and(|t| t.is_symlink()) && e.path().is_dir()))
                    .map(|e| e.path())
                    .collect(),
                Err(_) => {
                    out.push(p);
                    continue;
                }
            };
            children.sort();
            // Reverse so the stack pops them in order.
            stack.extend(children.into_iter().rev());
        } else {
            out.push(p);
        }
    }
    out
}

fn file_time(meta: &std::fs::Metadata) -> Option<Timestamp> {
    meta.modified().ok().and_then(|t| Timestamp::try_from(t).ok())
}

impl Walker<'_, '_> {
    fn emit(&mut self, r: Result<crate::Record, FeedError>) -> bool {
        (self.sink)(r)
    }

    fn fail(&mut self, source: &Source, e: &std::io::Error) -> Flow {
        if self.emit(Err(FeedError::io(source, e))) { Flow::Broken } else { Flow::Stop }
    }

    /// One file on disk (directories are expanded by the caller).
    pub(crate) fn path(&mut self, path: &Path) -> Flow {
        let source = Source { path: path.to_path_buf(), ..Source::default() };
        let file = match fs_err::File::open(path) {
            Ok(f) => f,
            Err(e) => return self.fail(&source, &e),
        };
        let time = file.metadata().ok().as_ref().and_then(file_time);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut reader = BufReader::with_capacity(64 * 1024, Counting { inner: file, counter: self.counter.clone() });
        let mut layers = containers(&name);
        if layers == [Container::Document] {
            // A name that says nothing: look at the bytes.
            let head = match reader.fill_buf() {
                Ok(h) => h,
                Err(e) => return self.fail(&source, &e),
            };
            if let Some(c) = sniff_container(head) {
                layers = vec![c, Container::Document];
            }
        }
        if layers.first() == Some(&Container::Zip) {
            return self.zip(&source, reader, time);
        }
        self.layers(&source, Box::new(reader), &layers, time)
    }

    /// Bytes in memory, named `name` (an upload).
    pub(crate) fn bytes(&mut self, name: &str, bytes: Vec<u8>) -> Flow {
        let source = Source { path: PathBuf::from(name), ..Source::default() };
        let mut layers = containers(name);
        if layers == [Container::Document]
            && let Some(c) = sniff_container(&bytes)
        {
            layers = vec![c, Container::Document];
        }
        self.counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if layers.first() == Some(&Container::Zip) {
            return self.zip(&source, std::io::Cursor::new(bytes), None);
        }
        self.layers(&source, Box::new(std::io::Cursor::new(bytes)), &layers, None)
    }

    fn layers(
        &mut self,
        source: &Source,
        reader: Box<dyn Read + '_>,
        layers: &[Container],
        time: Option<Timestamp>,
    ) -> Flow {
        let Some((first, rest)) = layers.split_first() else {
            return self.document(source, reader, time);
        };
        match first {
            Container::Zstd => match zstd::Decoder::new(reader) {
                Ok(d) => self.layers(source, Box::new(d), rest, time),
                Err(e) => self.fail(source, &e),
            },
            Container::Gzip => self.layers(source, Box::new(flate2::read::MultiGzDecoder::new(reader)), rest, time),
            Container::Tar => self.tar(source, reader),
            Container::Zip => {
                // Nested zip: zip needs to seek, so this one member is read whole.
                let mut buf = Vec::new();
                if let Err(e) = reader.take(MAX_DOCUMENT).read_to_end(&mut buf) {
                    return self.fail(source, &e);
                }
                self.zip(source, std::io::Cursor::new(buf), time)
            }
            Container::Lines => self.lines(source, reader, time),
            Container::Document => self.document(source, reader, time),
        }
    }

    fn document(&mut self, source: &Source, reader: Box<dyn Read + '_>, time: Option<Timestamp>) -> Flow {
        let mut buf = Vec::new();
        if let Err(e) = reader.take(MAX_DOCUMENT).read_to_end(&mut buf) {
            return self.fail(source, &e);
        }
        let unit = Unit { source, options: self.options, file_time: time };
        if unit.document(source, &buf, self.sink) { Flow::Done } else { Flow::Stop }
    }

    fn lines(&mut self, source: &Source, reader: Box<dyn Read + '_>, time: Option<Timestamp>) -> Flow {
        let mut reader = BufReader::with_capacity(256 * 1024, reader);
        let mut n: u64 = 0;
        let mut hint = None;
        let mut chunk: Vec<(u64, Vec<u8>)> = Vec::with_capacity(LINES_PER_CHUNK);
        loop {
            let mut buf = Vec::new();
            n += 1;
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    return if self.parse_lines(source, time, &mut chunk, &mut hint) { Flow::Done } else { Flow::Stop };
                }
                Ok(_) => {}
                Err(e) => {
                    // What was read before the break is delivered first.
                    if !self.parse_lines(source, time, &mut chunk, &mut hint) {
                        return Flow::Stop;
                    }
                    return self.fail(&source.with_line(n), &e);
                }
            }
            if buf.trim_ascii().is_empty() {
                continue;
            }
            chunk.push((n, buf));
            if chunk.len() >= LINES_PER_CHUNK && !self.parse_lines(source, time, &mut chunk, &mut hint) {
                return Flow::Stop;
            }
        }
    }

    /// Parses a chunk of JSONL lines on every core and hands the records to the sink in
    /// line order; false when the sink said stop. Each line starts from the kind of the
    /// chunk's first line (the hint only picks the fast path: a line of another kind is
    /// detected on its own either way).
    fn parse_lines(
        &mut self,
        source: &Source,
        time: Option<Timestamp>,
        chunk: &mut Vec<(u64, Vec<u8>)>,
        hint: &mut Option<Kind>,
    ) -> bool {
        let options = self.options;
        let one = |(n, bytes): &(u64, Vec<u8>), mut h: Option<Kind>| {
            let here = source.with_line(*n);
            let unit = Unit { source: &here, options, file_time: time };
            let mut out = Vec::with_capacity(1);
            unit.line(&here, bytes.trim_ascii(), &mut h, &mut |r| {
                out.push(r);
                true
            });
            (out, h)
        };
        let mut lines = chunk.drain(..);
        let mut results = Vec::with_capacity(LINES_PER_CHUNK);
        // The first line of a stream is detected alone, so the rest take the fast path.
        if hint.is_none()
            && let Some(first) = lines.next()
        {
            results.push(one(&first, None));
            *hint = results.last().and_then(|r| r.1);
        }
        let rest: Vec<(u64, Vec<u8>)> = lines.collect();
        let start = *hint;
        results.extend(rest.par_iter().map(|line| one(line, start)).collect::<Vec<_>>());
        for (out, h) in results {
            if h.is_some() {
                *hint = h;
            }
            for r in out {
                if !self.emit(r) {
                    return false;
                }
            }
        }
        true
    }

    fn tar(&mut self, source: &Source, reader: Box<dyn Read + '_>) -> Flow {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => return self.fail(source, &e),
        };
        let mut last = None;
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    // Name the place: after the last member read.
                    let at = match &last {
                        Some(m) => source.with_member(format!("{m} (next member)")),
                        None => source.clone(),
                    };
                    return self.fail(&at, &e);
                }
            };
            let kind = entry.header().entry_type();
            let name = match entry.path() {
                Ok(p) => p.to_string_lossy().trim_start_matches("./").to_owned(),
                Err(e) => return self.fail(source, &e),
            };
            last = Some(name.clone());
            if !kind.is_file() {
                continue;
            }
            let time = entry.header().mtime().ok().and_then(|s| Timestamp::from_second(s as i64).ok());
            let member = source.with_member(name.clone());
            let layers = containers(&name);
            match self.layers(&member, Box::new(entry), &layers, time) {
                Flow::Done => {}
                // A member that broke mid-stream leaves the tar stream unusable.
                other => return other,
            }
        }
        Flow::Done
    }

    fn zip<R: Read + Seek>(&mut self, source: &Source, reader: R, time: Option<Timestamp>) -> Flow {
        let mut archive = match zip::ZipArchive::new(reader) {
            Ok(a) => a,
            Err(e) => return self.fail(source, &std::io::Error::other(e)),
        };
        for i in 0..archive.len() {
            let listed = archive.name_for_index(i).unwrap_or_default().to_owned();
            let file = match archive.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    // The central directory still lists the others: go on with them.
                    let name = listed;
                    let err = FeedError::new(&source.with_member(name), Reason::Io(e.to_string()));
                    if !self.emit(Err(err)) {
                        return Flow::Stop;
                    }
                    continue;
                }
            };
            if !file.is_file() {
                continue;
            }
            let name = file.name().to_owned();
            let member_time = file.last_modified().and_then(zip_time).or(time);
            let member = source.with_member(name.clone());
            let layers = containers(&name);
            if self.layers(&member, Box::new(file), &layers, member_time) == Flow::Stop {
                return Flow::Stop;
            }
        }
        Flow::Done
    }
}

fn zip_time(t: zip::DateTime) -> Option<Timestamp> {
    let dt = jiff::civil::DateTime::new(
        i16::try_from(t.year()).ok()?,
        i8::try_from(t.month()).ok()?,
        i8::try_from(t.day()).ok()?,
        i8::try_from(t.hour()).ok()?,
        i8::try_from(t.minute()).ok()?,
        i8::try_from(t.second()).ok()?,
        0,
    )
    .ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// Total bytes of `paths` (files under directories included), for progress.
pub(crate) fn total_size(paths: &[PathBuf]) -> u64 {
    paths.iter().flat_map(|p| files(p)).filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum()
}
