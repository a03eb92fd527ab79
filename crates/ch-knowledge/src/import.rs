//! Import: `ch-feed` records into the store, a batch per transaction.
//!
//! A reader thread pulls records from the feed (which parses lines on every core), turns
//! each chunk of them into store rows (the OSV JSON, as read when the source gave it as a
//! JSONL line, else serialised; its digest; packed; its keys) and
//! index postings on every core, and hands the chunks to the writer over a small channel,
//! so reading and writing overlap from the first chunk on. The writer keeps a batch's
//! transaction open over several chunks: for each it reads the stored `(modified,
//! digest)` of its ids, keeps only what is new or newer and writes it under the batch's
//! change number; it commits when the batch reaches its size (8,000 records) or its time
//! (500 ms, so a slow source does not hold the write lock), then the in-process index
//! takes the same advisories. Batches are that large because a commit writes every page
//! it changed, and the `(id, origin)` key's B-tree takes the batch's records at random
//! places (a record's lookup keys are in its own row, and the table grows at its end): at
//! a quarter of a million records, batches of 2,000 cost about 7% more per record than
//! batches of 8,000 (`db import` of `bench kb`'s 100x file: 7.4 to 7.7 s against 7.0 to
//! 7.1).
//!
//! Rules: the same `(id, origin)` twice keeps the newest `modified` (the first one on a
//! tie, so re-runs are stable); a stored record is replaced only by a strictly newer one;
//! KEV entries are replaced when their content changed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use ch_advisory::KevEntry;
use ch_feed::{Feed, Item, Options};
use ch_store::Store;
use ch_store::jobs::Clock;
use ch_store::knowledge::{self as kstore, AdvisoryRow, ImportRun, KevRow};
use rayon::prelude::*;

use crate::rows::{advisory_row_as_read, kev_row};
use crate::{Knowledge, Result};

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Records per transaction.
    pub batch_size: usize,
    /// Validate OSV records against the OSV schema (default on).
    pub validate: bool,
    /// Time of records that carry none (see `ch_feed::Options::time`).
    pub time: Option<jiff::Timestamp>,
    /// Name recorded for the run (defaults to the paths).
    pub label: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { batch_size: 8_000, validate: true, time: None, label: None }
    }
}

/// Progress of an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportProgress {
    /// Compressed bytes read.
    pub bytes: u64,
    /// Total bytes of the inputs.
    pub total_bytes: u64,
    /// Records read.
    pub records: u64,
    /// New advisories stored.
    pub inserted: u64,
    /// Advisories replaced by newer ones.
    pub updated: u64,
    /// Records found as stored.
    pub unchanged: u64,
    /// KEV entries stored or changed.
    pub kev: u64,
    /// Records skipped with an error.
    pub errors: u64,
}

/// What the importer tells its caller as it goes.
#[derive(Debug, Clone)]
pub enum ImportEvent {
    /// After each committed batch.
    Progress(ImportProgress),
    /// A record (or a file) that could not be read: where and why.
    Error(String),
}

/// The outcome of an import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// The run id (in `import_runs`).
    pub run_id: String,
    /// Final counters.
    pub progress: ImportProgress,
    /// The first errors (at most 100), with their places.
    pub errors: Vec<String>,
    /// Change number of the last batch written (0 when nothing changed).
    pub last_seq: i64,
}

impl ImportSummary {
    /// New advisories.
    pub fn changed(&self) -> u64 {
        self.progress.inserted + self.progress.updated + self.progress.kev
    }
}

/// Imports into the store only (the command line's `db import`: no server index here).
pub async fn import_without_index(
    store: &Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    clock: &Clock,
    events: &mut (dyn FnMut(ImportEvent) + Send),
) -> Result<ImportSummary> {
    run(store, None, paths, options, clock, events).await
}

struct Prepared {
    /// The record with its index postings worked out, when an index takes it.
    indexed: Option<ch_match::Prepared>,
    row: AdvisoryRow,
}

enum Piece {
    Advisory(Box<Prepared>),
    Kev(Box<(KevEntry, KevRow)>),
    Error(String),
}

/// Records handed from the reader to the writer at a time (a batch's transaction takes
/// several: the writer stores one while the reader reads the next).
const CHUNK: usize = 256;

struct Chunk {
    pieces: Vec<Piece>,
    bytes: u64,
    total: u64,
    position: Option<String>,
}

const MAX_KEPT_ERRORS: usize = 100;

/// A record read into what the writer stores (and, with an index, what it indexes).
fn piece(next: std::result::Result<ch_feed::Record, ch_feed::FeedError>, index: bool) -> Piece {
    match next {
        Ok(record) => match record.item {
            Item::Advisory(a) => {
                let row = advisory_row_as_read(&a, record.json.as_deref());
                let indexed = index.then(|| ch_match::Index::prepare(Arc::new(*a)));
                Piece::Advisory(Box::new(Prepared { indexed, row }))
            }
            Item::Kev(k) => {
                let row = kev_row(&k);
                Piece::Kev(Box::new((k, row)))
            }
        },
        Err(e) => Piece::Error(e.to_string()),
    }
}

pub(crate) async fn run(
    store: &Store,
    kb: Option<&Knowledge>,
    paths: &[PathBuf],
    options: &ImportOptions,
    clock: &Clock,
    events: &mut (dyn FnMut(ImportEvent) + Send),
) -> Result<ImportSummary> {
    let label = options
        .label
        .clone()
        .unwrap_or_else(|| paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" "));
    let mut run_row = ImportRun {
        id: uuid::Uuid::now_v7().to_string(),
        source: label,
        state: "running".into(),
        started_at: clock(),
        detail: "[]".into(),
        ..ImportRun::default()
    };
    {
        let mut tx = store.begin().await?;
        kstore::put_import_run(&mut tx, &run_row).await?;
        tx.commit().await?;
    }

    let (tx_chunks, mut rx_chunks) = tokio::sync::mpsc::channel::<Chunk>(4);
    let feed_options = Options { validate: options.validate, time: options.time };
    let batch_size = options.batch_size.max(1) as u64;
    let paths_owned: Vec<PathBuf> = paths.to_vec();
    // The reader also works out the index postings (versions and CPE names parsed), so
    // that the writer only stores them, under the index lock, after each commit.
    let index = kb.is_some();
    let reader = std::thread::spawn(move || {
        let mut feed = Feed::open(paths_owned, feed_options);
        let mut records = Vec::with_capacity(CHUNK);
        loop {
            let next = feed.next();
            let end = next.is_none();
            records.extend(next);
            if records.len() < CHUNK && !end {
                continue;
            }
            let position = records.iter().rev().find_map(|r| r.as_ref().ok()).map(|r| r.source.to_string());
            // Rows and postings of a chunk are worked out on every core.
            let pieces: Vec<Piece> = std::mem::replace(&mut records, Vec::with_capacity(CHUNK))
                .into_par_iter()
                .map(|next| piece(next, index))
                .collect();
            let p = feed.progress();
            let chunk = Chunk { pieces, bytes: p.consumed, total: p.total, position };
            if tx_chunks.blocking_send(chunk).is_err() || end {
                return;
            }
        }
    });

    let mut progress = ImportProgress::default();
    let mut kept_errors: Vec<String> = Vec::new();
    let mut last_seq = 0;
    // The open batch lives out here so that a failure rolls it back explicitly below: its
    // connection then gives back the bulk page cache (`Store::begin_bulk`).
    let mut open: Option<Open> = None;
    let outcome: Result<()> = async {
        loop {
            // A batch stays open while chunks come, up to its size or its time: the store's
            // write lock is not held waiting on a slow source.
            let next = match &open {
                Some(o) => match tokio::time::timeout_at(o.deadline, rx_chunks.recv()).await {
                    Ok(next) => next,
                    Err(_) => {
                        if let Some(o) = open.take() {
                            commit(kb, o, &mut progress, &mut last_seq, &mut run_row, events).await?;
                        }
                        continue;
                    }
                },
                None => rx_chunks.recv().await,
            };
            let Some(chunk) = next else { break };
            progress.bytes = chunk.bytes;
            progress.total_bytes = chunk.total;
            let o = match open.as_mut() {
                Some(o) => o,
                None => open.insert(Open::begin(store).await?),
            };
            write_chunk(o, chunk.pieces, clock, &mut progress, &mut kept_errors, events).await?;
            if chunk.position.is_some() {
                o.position = chunk.position;
            }
            if o.records >= batch_size
                && let Some(o) = open.take()
            {
                commit(kb, o, &mut progress, &mut last_seq, &mut run_row, events).await?;
            }
        }
        if let Some(o) = open.take() {
            commit(kb, o, &mut progress, &mut last_seq, &mut run_row, events).await?;
        }
        Ok(())
    }
    .await;
    if let Some(o) = open.take() {
        // Only after a failure: the batch was not committed, and is not kept.
        let _ = o.tx.rollback().await;
    }
    drop(rx_chunks);
    let _ = tokio::task::spawn_blocking(move || reader.join()).await;

    run_row.state = if outcome.is_ok() { "done".into() } else { "failed".into() };
    run_row.finished_at = Some(clock());
    run_row.detail = serde_json::to_string(&kept_errors).unwrap_or_else(|_| "[]".into());
    let mut tx = store.begin().await?;
    kstore::put_import_run(&mut tx, &run_row).await?;
    tx.commit().await?;
    outcome?;
    Ok(ImportSummary { run_id: run_row.id, progress, errors: kept_errors, last_seq })
}

/// How long a batch's transaction may stay open waiting for more records.
const BATCH_TIME: std::time::Duration = std::time::Duration::from_millis(500);

/// A batch being written: its transaction, its change number once it wrote something,
/// what the index takes after the commit, and its counters until then.
struct Open {
    tx: ch_store::Tx,
    deadline: tokio::time::Instant,
    seq: Option<i64>,
    indexed: Vec<ch_match::Prepared>,
    kev: Vec<KevEntry>,
    records: u64,
    position: Option<String>,
    counted: ImportProgress,
}

impl Open {
    async fn begin(store: &Store) -> Result<Open> {
        Ok(Open {
            tx: store.begin_bulk().await?,
            deadline: tokio::time::Instant::now() + BATCH_TIME,
            seq: None,
            indexed: Vec::new(),
            kev: Vec::new(),
            records: 0,
            position: None,
            counted: ImportProgress::default(),
        })
    }
}

/// Commits a batch, hands its records to the index, and reports progress.
async fn commit(
    kb: Option<&Knowledge>,
    o: Open,
    progress: &mut ImportProgress,
    last_seq: &mut i64,
    run_row: &mut ImportRun,
    events: &mut (dyn FnMut(ImportEvent) + Send),
) -> Result<()> {
    let Open { tx, seq, indexed, kev, position, counted, .. } = o;
    match seq {
        Some(seq) => {
            tx.commit().await?;
            *last_seq = seq;
            if let Some(kb) = kb {
                kb.apply_committed(seq, indexed, kev).await?;
            }
        }
        None => tx.rollback().await?,
    }
    progress.records += counted.records;
    progress.inserted += counted.inserted;
    progress.updated += counted.updated;
    progress.unchanged += counted.unchanged;
    progress.kev += counted.kev;
    run_row.records = progress.records as i64;
    run_row.inserted = progress.inserted as i64;
    run_row.updated = progress.updated as i64;
    run_row.unchanged = progress.unchanged as i64;
    run_row.errors = progress.errors as i64;
    if position.is_some() {
        run_row.position = position;
    }
    events(ImportEvent::Progress(*progress));
    Ok(())
}

/// Writes a chunk of records into the open batch: the newest per key (the first on a
/// tie), and of those only what is new or newer than stored.
async fn write_chunk(
    o: &mut Open,
    pieces: Vec<Piece>,
    clock: &Clock,
    progress: &mut ImportProgress,
    kept_errors: &mut Vec<String>,
    events: &mut (dyn FnMut(ImportEvent) + Send),
) -> Result<()> {
    let counted = &mut o.counted;
    let mut advisories: Vec<Prepared> = Vec::new();
    let mut slot: HashMap<(String, String), usize> = HashMap::new();
    let mut kev: Vec<(KevEntry, KevRow)> = Vec::new();
    let mut kev_slot: HashMap<String, usize> = HashMap::new();
    for piece in pieces {
        match piece {
            Piece::Error(e) => {
                progress.errors += 1;
                if kept_errors.len() < MAX_KEPT_ERRORS {
                    kept_errors.push(e.clone());
                }
                events(ImportEvent::Error(e));
            }
            Piece::Advisory(p) => {
                counted.records += 1;
                o.records += 1;
                let key = (p.row.id.clone(), p.row.origin.clone());
                match slot.get(&key).and_then(|&i| advisories.get_mut(i)) {
                    Some(existing) => {
                        counted.unchanged += 1;
                        if p.row.modified > existing.row.modified {
                            *existing = *p;
                        }
                    }
                    None => {
                        slot.insert(key, advisories.len());
                        advisories.push(*p);
                    }
                }
            }
            Piece::Kev(kr) => {
                let (k, row) = *kr;
                counted.records += 1;
                o.records += 1;
                match kev_slot.get(&row.cve_id).and_then(|&i| kev.get_mut(i)) {
                    Some(existing) => {
                        counted.unchanged += 1;
                        *existing = (k, row);
                    }
                    None => {
                        kev_slot.insert(row.cve_id.clone(), kev.len());
                        kev.push((k, row));
                    }
                }
            }
        }
    }
    if advisories.is_empty() && kev.is_empty() {
        return Ok(());
    }

    let tx = &mut o.tx;
    let ids: Vec<&str> = advisories.iter().map(|p| p.row.id.as_str()).collect();
    let stored = kstore::existing_advisories(tx, &ids).await?;
    let kev_ids: Vec<&str> = kev.iter().map(|k| k.1.cve_id.as_str()).collect();
    let stored_kev = kstore::existing_kev(tx, &kev_ids).await?;

    // Indexes into `advisories` of the records to write.
    let mut fresh: Vec<usize> = Vec::new();
    let mut replaced: Vec<(&str, &str)> = Vec::new();
    for (i, p) in advisories.iter().enumerate() {
        match stored.get(&(p.row.id.clone(), p.row.origin.clone())) {
            None => {
                counted.inserted += 1;
                fresh.push(i);
            }
            Some((modified, digest)) if p.row.modified > *modified && *digest != p.row.digest => {
                counted.updated += 1;
                replaced.push((p.row.id.as_str(), p.row.origin.as_str()));
                fresh.push(i);
            }
            Some(_) => counted.unchanged += 1,
        }
    }
    let kev_changed: Vec<&(KevEntry, KevRow)> =
        kev.iter().filter(|(_, row)| stored_kev.get(&row.cve_id) != Some(&row.digest)).collect();
    counted.unchanged += (kev.len() - kev_changed.len()) as u64;
    counted.kev += kev_changed.len() as u64;

    if fresh.is_empty() && kev_changed.is_empty() {
        return Ok(());
    }
    let seq = match o.seq {
        Some(seq) => seq,
        None => *o.seq.insert(kstore::next_seq(tx).await?),
    };
    let now = clock();
    kstore::delete_advisories(tx, &replaced).await?;
    let rows: Vec<&AdvisoryRow> = fresh.iter().filter_map(|&i| advisories.get(i)).map(|p| &p.row).collect();
    kstore::insert_advisories(tx, &rows, seq, now).await?;
    let kev_rows: Vec<KevRow> = kev_changed.iter().map(|k| k.1.clone()).collect();
    kstore::put_kev(tx, &kev_rows, seq, now).await?;
    drop(replaced);

    o.kev.extend(kev_changed.iter().map(|k| k.0.clone()));
    let mut slots: Vec<Option<Prepared>> = advisories.into_iter().map(Some).collect();
    o.indexed.extend(fresh.iter().filter_map(|&i| slots.get_mut(i).and_then(Option::take).and_then(|p| p.indexed)));
    Ok(())
}
