//! The knowledge base service: advisories in (import, sync), the in-memory index out.
//!
//! What it owns:
//! - [`import`]: files, directories, archives and streams read by `ch-feed` are written
//!   to the store in batches, one transaction each; the same record twice is one record,
//!   a newer `modified` replaces an older one, a bad record is reported with its place and
//!   skipped, and a failure mid-file keeps every batch committed before it. A re-run after
//!   a crash resumes: what was committed is found unchanged (by digest) and skipped.
//! - [`Knowledge`]: the store plus the [`ch_match::Index`] built from it at start-up and
//!   kept current: by the importer in this process at once, and by [`Knowledge::refresh`]
//!   (polled by [`Knowledge::spawn_follower`]) for changes other processes commit, through
//!   the store's change number (`kb_state.seq`).
//! - [`sync`]: configured sources (OSV zip exports, CVE feeds, the KEV JSON) fetched with
//!   conditional requests (`If-None-Match`, `If-Modified-Since`) and imported only when
//!   they changed.
//!
//! Time is a parameter (a [`Clock`]); no handler types live here.
//!
//! ```no_run
//! # async fn f() -> Result<(), ch_knowledge::Error> {
//! use ch_knowledge::{Knowledge, ImportOptions};
//! let store = ch_store::Store::connect("sqlite:///tmp/kb.db").await?;
//! let kb = Knowledge::load(store, ch_store::jobs::system_clock()).await?;
//! let summary = kb.import(&["../shared/data/osv/pypa.jsonl.zst".into()], &ImportOptions::default(), &mut |_| {}).await?;
//! println!("{} new advisories", summary.progress.inserted);
//! let hits = kb.index().query_package("PyPI", "django", Some("3.2.0"))?;
//! # let _ = hits; Ok(()) }
//! ```

#![warn(missing_docs)]

mod import;
mod rows;
pub mod scan_index;
pub mod sync;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;

use ch_advisory::{Advisory, KevEntry, Osv};
use ch_match::Index;
use ch_store::Store;
use ch_store::jobs::Clock;

pub use import::{ImportEvent, ImportOptions, ImportProgress, ImportSummary, import_without_index};
pub use rows::{advisory_row, advisory_row_as_read, format_from_name, kev_row, product_key};

/// Errors of the knowledge base.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ch_store::Error),
    /// A stored record no longer reads (a bug or a tampered database).
    #[error("stored advisory {id} ({origin}) does not read: {reason}")]
    Stored {
        /// Advisory id.
        id: String,
        /// Origin.
        origin: String,
        /// Why.
        reason: String,
    },
    /// A lookup was malformed (an unknown ecosystem, a version that does not parse).
    #[error("{0}")]
    Query(String),
    /// A sync could not fetch or read its source.
    #[error("source {source_name}: {reason}")]
    Sync {
        /// Source name.
        source_name: String,
        /// Why.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),
}

impl From<ch_match::Error> for Error {
    fn from(e: ch_match::Error) -> Self {
        Error::Query(e.to_string())
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A record with its flaw's ranking: what a listing sorts and filters on without
/// walking the alias graph per record per request.
#[derive(Clone, Debug)]
pub struct Ranked {
    /// The record.
    pub advisory: Arc<Advisory>,
    /// Its flaw is known exploited (CISA KEV, or a record says so).
    pub known_exploited: bool,
    /// The flaw's highest score.
    pub score: Option<f64>,
    /// That score's severity, lower case (`critical` .. `none`).
    pub severity: Option<String>,
    /// Lower-case text a words search looks in: ids, aliases, summary, the first line of
    /// the details, package names and vulnerable products (`vendor product`).
    pub haystack: String,
}

fn haystack(a: &Advisory) -> String {
    let mut h = String::new();
    for id in a.ids() {
        h.push_str(id);
        h.push('\n');
    }
    for text in [a.summary.as_deref(), a.details.as_deref().and_then(|d| d.lines().find(|l| !l.trim().is_empty()))]
        .into_iter()
        .flatten()
    {
        h.push_str(text);
        h.push('\n');
    }
    for p in &a.packages {
        h.push_str(&p.name);
        h.push('\n');
    }
    for p in &a.products {
        if let (Some(v), Some(pr)) = (&p.vendor, &p.product) {
            h.push_str(&format!("{v} {pr}\n"));
        }
    }
    if let Some(app) = &a.applicability {
        for m in app.cpe_matches().into_iter().filter(|m| m.vulnerable) {
            if let Some((v, p)) = m.criteria.vendor_product() {
                h.push_str(&format!("{v} {p} {}\n", p.replace('_', " ")));
            }
        }
    }
    h.to_lowercase()
}

/// The ranked listing and the change number it was built at.
type RankedCache = Option<(i64, Arc<Vec<Ranked>>)>;

/// The knowledge base: the store and the in-memory index that follows it.
#[derive(Clone)]
pub struct Knowledge {
    store: Store,
    clock: Clock,
    index: Arc<RwLock<Index>>,
    /// The change number the index reflects.
    seen: Arc<AtomicI64>,
    /// Serialises refreshes (and the importer's own index updates).
    refresh_lock: Arc<tokio::sync::Mutex<()>>,
    /// Every record ranked (known exploited, then score, then newest), rebuilt when the
    /// change number moves.
    ranked: Arc<std::sync::Mutex<RankedCache>>,
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge").field("seen", &self.seen.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}

/// Reads a stored record back into an advisory.
pub fn read_stored(s: &ch_store::knowledge::StoredAdvisory) -> Result<Advisory> {
    let fail = |reason: String| Error::Stored { id: s.id.clone(), origin: s.origin.clone(), reason };
    let format =
        format_from_name(&s.source_format).ok_or_else(|| fail(format!("unknown format {}", s.source_format)))?;
    let json = s.json().map_err(|e| fail(e.to_string()))?;
    let osv = Osv::from_json_slice(json.as_bytes()).map_err(|e| fail(e.to_string()))?;
    Advisory::from_osv(osv, format).map_err(|e| fail(e.to_string()))
}

/// Reads stored records on every core (the index build's cost is parsing).
/// Reads stored records and works out their index postings, split over the cores; the
/// index lock is then held only to store them.
fn read_all(records: Vec<ch_store::knowledge::StoredAdvisory>) -> Result<Vec<ch_match::Prepared>> {
    use rayon::prelude::*;
    records.par_iter().map(|r| read_stored(r).map(|a| ch_match::Index::prepare(Arc::new(a)))).collect()
}

fn kev_from(json: &str) -> Result<KevEntry> {
    KevEntry::from_json_slice(json.as_bytes()).map_err(|e| Error::Stored {
        id: "kev".into(),
        origin: "kev".into(),
        reason: e.to_string(),
    })
}

impl Knowledge {
    /// Builds the index from everything stored.
    pub async fn load(store: Store, clock: Clock) -> Result<Knowledge> {
        let kb = Knowledge {
            store,
            clock,
            index: Arc::new(RwLock::new(Index::new())),
            seen: Arc::new(AtomicI64::new(0)),
            refresh_lock: Arc::new(tokio::sync::Mutex::new(())),
            ranked: Arc::new(std::sync::Mutex::new(None)),
        };
        kb.refresh().await?;
        Ok(kb)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, ms.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The index, for reading. Hold it briefly: imports wait for it.
    pub fn index(&self) -> RwLockReadGuard<'_, Index> {
        match self.index.read() {
            Ok(g) => g,
            // A panic while holding the lock cannot leave the index half-updated in a way
            // that matters more than stopping service: keep answering.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn with_index_mut<T>(&self, f: impl FnOnce(&mut Index) -> T) -> T {
        match self.index.write() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Every record, ranked: known-exploited flaws first, then by score, then newest, then
    /// id. Built once per change of the knowledge base (the flaw of every record is
    /// worked out then), so listings cost a filter over this, not a flaw per record.
    pub fn ranked(&self) -> Arc<Vec<Ranked>> {
        let seq = self.seen_seq();
        let mut cache = match self.ranked.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((at, list)) = cache.as_ref()
            && *at == seq
        {
            return Arc::clone(list);
        }
        let index = self.index();
        let mut list: Vec<Ranked> = index
            .records()
            .map(|(_, a)| {
                let flaw = index.flaw(&a.id);
                let top = flaw.as_ref().and_then(|f| f.max_severity.clone()).or_else(|| a.max_severity().cloned());
                Ranked {
                    advisory: Arc::clone(a),
                    known_exploited: flaw
                        .as_ref()
                        .and_then(|f| f.exploited.as_ref())
                        .or(a.exploited.as_ref())
                        .is_some(),
                    score: top.as_ref().and_then(|s| s.value),
                    severity: top.and_then(|s| s.severity).map(|s| s.as_str().to_ascii_lowercase()),
                    haystack: haystack(a),
                }
            })
            .collect();
        drop(index);
        list.sort_by(|x, y| {
            y.known_exploited
                .cmp(&x.known_exploited)
                .then_with(|| y.score.unwrap_or(-1.0).total_cmp(&x.score.unwrap_or(-1.0)))
                .then_with(|| y.advisory.modified.cmp(&x.advisory.modified))
                .then_with(|| x.advisory.id.cmp(&y.advisory.id))
        });
        let list = Arc::new(list);
        *cache = Some((seq, Arc::clone(&list)));
        list
    }

    /// The change number the index reflects.
    pub fn seen_seq(&self) -> i64 {
        self.seen.load(Ordering::Acquire)
    }

    /// Applies every change committed since the index was last brought up to date (by any
    /// process). Returns the number of records applied.
    pub async fn refresh(&self) -> Result<usize> {
        let _guard = self.refresh_lock.lock().await;
        let since = self.seen_seq();
        let mut conn = self.store.conn().await?;
        let now = ch_store::knowledge::current_seq(&mut conn).await?;
        if now <= since {
            return Ok(0);
        }
        let records = ch_store::knowledge::changed_advisories(&mut conn, since).await?;
        let kev = ch_store::knowledge::changed_kev(&mut conn, since).await?;
        drop(conn);
        let max_seq = records.iter().map(|r| r.seq).max().unwrap_or(now).max(now);
        let n = records.len() + kev.len();
        let advisories = tokio::task::spawn_blocking(move || read_all(records))
            .await
            .map_err(|e| Error::Io(format!("index build task failed: {e}")))??;
        let kev: Vec<KevEntry> = kev.iter().map(|k| kev_from(k)).collect::<Result<_>>()?;
        self.with_index_mut(|index| {
            for a in advisories {
                index.insert(a);
            }
            for k in kev {
                index.upsert_kev(k);
            }
        });
        self.seen.store(max_seq, Ordering::Release);
        Ok(n)
    }

    /// Applies a batch this process just committed as change `seq`, without reading it
    /// back; falls back to [`Knowledge::refresh`] when another process committed in
    /// between.
    pub(crate) async fn apply_committed(
        &self,
        seq: i64,
        advisories: Vec<ch_match::Prepared>,
        kev: Vec<KevEntry>,
    ) -> Result<()> {
        let guard = self.refresh_lock.lock().await;
        if self.seen_seq() == seq - 1 {
            self.with_index_mut(|index| {
                for a in advisories {
                    index.insert(a);
                }
                for k in kev {
                    index.upsert_kev(k);
                }
            });
            self.seen.store(seq, Ordering::Release);
            Ok(())
        } else {
            drop(guard);
            self.refresh().await.map(|_| ())
        }
    }

    /// Follows changes other processes commit, every `every`, until `shutdown` turns true.
    pub fn spawn_follower(
        &self,
        every: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let kb = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = shutdown.changed() => break,
                }
                if *shutdown.borrow() {
                    break;
                }
                match kb.refresh().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(records = n, seq = kb.seen_seq(), "knowledge index followed new changes"),
                    Err(e) => tracing::warn!(error = %e, "knowledge index refresh failed"),
                }
            }
        })
    }

    /// Imports `paths` into the store and the index (see the module docs).
    pub async fn import(
        &self,
        paths: &[std::path::PathBuf],
        options: &ImportOptions,
        events: &mut (dyn FnMut(ImportEvent) + Send),
    ) -> Result<ImportSummary> {
        import::run(&self.store, Some(self), paths, options, &self.clock, events).await
    }
}
