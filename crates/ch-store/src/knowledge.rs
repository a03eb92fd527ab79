//! The knowledge base's tables: advisories, their aliases and lookup keys, the CISA KEV
//! catalogue, advisory sources and import runs.
//!
//! Invariants:
//! * one advisory row per `(id, origin)`; its lookup keys (aliases, affected packages and
//!   products) are a column of it, so they are written and deleted with it;
//! * every batch of changes takes the next `kb_state.seq` and stamps its rows with it, so
//!   a reader that remembers the last `seq` it saw finds exactly what changed since
//!   ([`changed_advisories`], [`changed_kev`]);
//! * writes are multi-row `INSERT`s of at most [`MAX_BINDS`] bound values (both backends'
//!   limits are far above it), so an import costs a few statements per batch, not one per
//!   row.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::{Error, Result, Tx};

/// Most values bound in one statement (lookups).
pub const MAX_BINDS: usize = 4_000;

/// Most values bound in one multi-row `INSERT`, per backend. On SQLite the placeholders
/// are anonymous (`?`), bound by position: a numbered one (`$7`) is looked up by name,
/// one walk of the statement's name list per value, a cost growing with the square of
/// the count. PostgreSQL pays a round trip per statement, so it takes many more.
fn insert_binds(backend: crate::Backend) -> usize {
    match backend {
        crate::Backend::Sqlite => 2_000,
        crate::Backend::Postgres => 12_000,
    }
}

/// An advisory as written to the store.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryRow {
    /// Advisory id.
    pub id: String,
    /// `osv`, `nvd` or `cve5`.
    pub origin: String,
    /// The format it was read from (`ch_advisory::Format::name`).
    pub source_format: String,
    /// `modified`, ms since the epoch.
    pub modified: i64,
    /// `published`, ms.
    pub published: Option<i64>,
    /// `withdrawn`, ms.
    pub withdrawn: Option<i64>,
    /// Summary.
    pub summary: Option<String>,
    /// Severity word of the highest score.
    pub severity: Option<String>,
    /// The highest score (stored in tenths: both backends keep integers exactly).
    pub score: Option<f64>,
    /// The record marks itself known exploited.
    pub exploited: bool,
    /// The OSV record (JSON, with the clearinghouse extension), packed by [`pack_record`].
    pub record: Vec<u8>,
    /// SHA-256 of the record's JSON, hex.
    pub digest: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// (ecosystem, normalised name) of every affected package.
    pub packages: Vec<(String, String)>,
    /// (vendor, product), normalised, of every affected product.
    pub products: Vec<(String, String)>,
}

/// A stored advisory record, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAdvisory {
    /// Advisory id.
    pub id: String,
    /// Origin.
    pub origin: String,
    /// Source format name.
    pub source_format: String,
    /// The OSV record as stored: packed by [`pack_record`], or its JSON when written
    /// before records were packed. [`StoredAdvisory::json`] reads either.
    pub record: Vec<u8>,
    /// Change number.
    pub seq: i64,
}

impl StoredAdvisory {
    /// The record's JSON.
    pub fn json(&self) -> Result<String> {
        unpack_record(&self.record)
    }
}

/// zstd's frame magic number (little-endian 0xFD2FB528). A JSON record starts with `{`.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The zstd dictionary records are packed with: 32 KiB trained on stored records of every
/// source format the shared public data holds (OSV, CVE JSON 5, NVD 1.1 and 2.0, RustSec,
/// the three converted databases) by `scripts/train-record-dictionary`. On held-out
/// records it packs to about a fifth of the JSON, where zstd alone reaches two fifths, in
/// about 0.6 of the time: a small record has too little text of its own to learn from.
/// Frames name the dictionary by id; a new dictionary gets a new file and id, and this one
/// stays for the frames already written with it.
const DICT_V1: &[u8] = include_bytes!("../dict/records-v1.zdict");
/// The id `records-v1.zdict` was trained with ("CH" 0x0001).
const DICT_V1_ID: u32 = 0x4348_0001;

/// Level 1: level 3 saves a few per cent more for a quarter more time.
const PACK_LEVEL: i32 = 1;

/// The largest record unpacked (a frame's header says how large its content is; a corrupt
/// one must not make us allocate without bound). The largest real record is under 1 MiB.
const MAX_RECORD: u64 = 64 << 20;

thread_local! {
    static PACKER: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> = const { std::cell::RefCell::new(None) };
    static UNPACKER: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { std::cell::RefCell::new(None) };
}

/// An advisory record's JSON as stored: a zstd frame with the records dictionary and its
/// content size. Each thread keeps one compression context with the dictionary loaded, so
/// packing a small record allocates only its output.
pub fn pack_record(json: &str) -> Vec<u8> {
    let packed = PACKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = zstd::bulk::Compressor::with_dictionary(PACK_LEVEL, DICT_V1).ok();
        }
        slot.as_mut().and_then(|c| c.compress(json.as_bytes()).ok())
    });
    // A context that could not be made (out of memory) still leaves a valid frame.
    packed.unwrap_or_else(|| {
        zstd::bulk::compress(json.as_bytes(), PACK_LEVEL).unwrap_or_else(|_| json.as_bytes().to_vec())
    })
}

/// A stored record's JSON: unpacks a zstd frame, with the records dictionary when the
/// frame names it; takes anything else as the JSON itself (rows written before records
/// were packed).
pub fn unpack_record(stored: &[u8]) -> Result<String> {
    let corrupt = |detail: String| Error::Corrupt { what: "advisories.record", detail };
    if !stored.starts_with(&ZSTD_MAGIC) {
        return String::from_utf8(stored.to_vec()).map_err(|e| corrupt(format!("not UTF-8: {e}")));
    }
    let bytes = match zstd::zstd_safe::get_dict_id_from_frame(stored).map(u32::from) {
        None => zstd::stream::decode_all(stored).map_err(|e| corrupt(format!("cannot unpack: {e}")))?,
        Some(DICT_V1_ID) => {
            let size = match zstd::zstd_safe::get_frame_content_size(stored) {
                Ok(Some(n)) if n <= MAX_RECORD => n as usize,
                Ok(Some(n)) => {
                    return Err(corrupt(format!("a frame of {n} bytes, over the {MAX_RECORD} a record may hold")));
                }
                _ => return Err(corrupt("a frame without its content size".to_owned())),
            };
            UNPACKER
                .with(|cell| {
                    let mut slot = cell.borrow_mut();
                    if slot.is_none() {
                        *slot = Some(zstd::bulk::Decompressor::with_dictionary(DICT_V1)?);
                    }
                    match slot.as_mut() {
                        Some(d) => d.decompress(stored, size),
                        None => Err(std::io::Error::other("no decompression context")),
                    }
                })
                .map_err(|e| corrupt(format!("cannot unpack: {e}")))?
        }
        Some(other) => {
            return Err(corrupt(format!("packed with dictionary {other:#x}, which this version does not have")));
        }
    };
    String::from_utf8(bytes).map_err(|e| corrupt(format!("not UTF-8: {e}")))
}

/// A KEV entry as written.
#[derive(Debug, Clone, PartialEq)]
pub struct KevRow {
    /// CVE id.
    pub cve_id: String,
    /// `vendorProject`.
    pub vendor: String,
    /// `product`.
    pub product: String,
    /// `vulnerabilityName`.
    pub name: String,
    /// `dateAdded` (YYYY-MM-DD).
    pub date_added: String,
    /// `dueDate`.
    pub due_date: String,
    /// Known ransomware campaign use.
    pub ransomware: bool,
    /// The entry as JSON.
    pub record: String,
    /// SHA-256 of `record`.
    pub digest: String,
}

/// Takes the next change number (in the caller's transaction: on PostgreSQL the row lock
/// orders concurrent importers).
pub async fn next_seq(tx: &mut Tx) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as("UPDATE kb_state SET seq = seq + 1 WHERE singleton = 1 RETURNING seq")
        .fetch_one(&mut **tx)
        .await?;
    Ok(seq)
}

/// The last change number.
pub async fn current_seq(c: &mut AnyConnection) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM kb_state WHERE singleton = 1").fetch_one(c).await?;
    Ok(seq)
}

/// `(?,?),(?,?)` on SQLite (bound by position), `($1,$2),($3,$4)` on PostgreSQL.
pub(crate) fn placeholders(backend: crate::Backend, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            match backend {
                crate::Backend::Sqlite => s.push('?'),
                crate::Backend::Postgres => {
                    s.push('$');
                    s.push_str(&n.to_string());
                }
            }
            n += 1;
        }
        s.push(')');
    }
    s
}

/// `column IN (the strings of the JSON array bound as $1)`: one bound value whatever the
/// count (SQLite binds parameters by name, a cost that grows with the square of their
/// number; PostgreSQL parses one short statement).
pub(crate) fn in_json(c: &AnyConnection, column: &str) -> String {
    if c.backend_name().eq_ignore_ascii_case("postgresql") {
        // `= ANY(ARRAY(...))`, not `IN (SELECT ...)`: the planner then uses the column's
        // index whatever it guesses about the set function (without statistics it
        // otherwise scans the table).
        format!("{column} = ANY(ARRAY(SELECT json_array_elements_text($1::json)))")
    } else {
        format!("{column} IN (SELECT value FROM json_each($1))")
    }
}

pub(crate) fn json_list<S: AsRef<str>>(items: &[S]) -> String {
    serde_json::to_string(&items.iter().map(AsRef::as_ref).collect::<Vec<&str>>()).unwrap_or_else(|_| "[]".into())
}

/// `(modified, digest)` of the stored records among `ids` (every origin).
pub async fn existing_advisories(
    c: &mut AnyConnection,
    ids: &[&str],
) -> Result<HashMap<(String, String), (i64, String)>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_BINDS) {
        let sql = format!("SELECT id, origin, modified, digest FROM advisories WHERE {}", in_json(c, "id"));
        let mut q = sqlx::query_as::<_, (String, String, i64, String)>(sqlx::AssertSqlSafe(sql));
        q = q.bind(json_list(chunk));
        for (id, origin, modified, digest) in q.fetch_all(&mut *c).await? {
            out.insert((id, origin), (modified, digest));
        }
    }
    Ok(out)
}

/// Deletes records (their lookup keys are in their rows).
pub async fn delete_advisories(tx: &mut Tx, keys: &[(&str, &str)]) -> Result<()> {
    for (id, origin) in keys {
        sqlx::query("DELETE FROM advisories WHERE id = $1 AND origin = $2")
            .bind(*id)
            .bind(*origin)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Text from outside as both backends store it: PostgreSQL's `text` cannot hold NUL, so
/// a NUL becomes U+FFFD (the record itself keeps it: it is stored as bytes). Keys are
/// refused earlier (`ch-advisory` refuses an id with a control character).
fn storable(s: &str) -> String {
    if s.contains('\0') { s.replace('\0', "\u{FFFD}") } else { s.to_owned() }
}

/// A record's lookup keys as its row holds them (column `lookup_keys`, migration 0007):
/// `{"i":[alias,...],"p":[[ecosystem,name],...],"v":[[vendor,product],...]}`, each list
/// without repeats, in the record's order.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct LookupKeys<S> {
    #[serde(default)]
    i: Vec<S>,
    #[serde(default)]
    p: Vec<(S, S)>,
    #[serde(default)]
    v: Vec<(S, S)>,
}

/// The `lookup_keys` column of a row.
fn lookup_keys(r: &AdvisoryRow) -> String {
    fn once<T: Eq + std::hash::Hash + Copy>(items: impl Iterator<Item = T>) -> Vec<T> {
        let mut seen = std::collections::HashSet::new();
        items.filter(|x| seen.insert(*x)).collect()
    }
    let keys = LookupKeys::<&str> {
        i: once(r.aliases.iter().map(String::as_str)),
        p: once(r.packages.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
        v: once(r.products.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
    };
    // Strings and tuples of strings always serialise.
    serde_json::to_string(&keys).unwrap_or_default()
}

pub(crate) async fn insert_many<T>(
    tx: &mut Tx,
    head: &str,
    cols: usize,
    rows: &[T],
    bind: impl for<'q> Fn(
        sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        &'q T,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
) -> Result<()> {
    let per = (insert_binds(tx.backend()) / cols).max(1);
    for chunk in rows.chunks(per) {
        let sql = format!("{head} VALUES {}", placeholders(tx.backend(), chunk.len(), cols));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            q = bind(q, row);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Inserts records (none of them stored: delete replaced ones first) with change number
/// `seq`.
pub async fn insert_advisories(tx: &mut Tx, rows: &[&AdvisoryRow], seq: i64, now_ms: i64) -> Result<()> {
    // In key order: the `(id, origin)` key's B-tree then takes the rows from left to right
    // and neighbours share pages (the table itself only grows at its end).
    let mut rows = rows.to_vec();
    rows.sort_unstable_by(|a, b| (a.id.as_str(), a.origin.as_str()).cmp(&(b.id.as_str(), b.origin.as_str())));
    let rows = rows.as_slice();
    insert_many(
        tx,
        "INSERT INTO advisories (id, origin, source_format, modified, published, withdrawn, summary, severity, score_tenths, \
         exploited, record, digest, seq, imported_at, lookup_keys)",
        15,
        rows,
        |q, r| {
            q.bind(&r.id)
                .bind(&r.origin)
                .bind(&r.source_format)
                .bind(r.modified)
                .bind(r.published)
                .bind(r.withdrawn)
                .bind(r.summary.as_deref().map(storable))
                .bind(r.severity.as_deref())
                .bind(r.score.map(|s| (s * 10.0).round() as i64))
                .bind(i64::from(r.exploited))
                .bind(&r.record)
                .bind(&r.digest)
                .bind(seq)
                .bind(now_ms)
                .bind(lookup_keys(r))
        },
    )
    .await?;
    Ok(())
}

/// Digests of the stored KEV entries among `cve_ids`.
pub async fn existing_kev(c: &mut AnyConnection, cve_ids: &[&str]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::with_capacity(cve_ids.len());
    for chunk in cve_ids.chunks(MAX_BINDS) {
        let sql = format!("SELECT cve_id, digest FROM kev_entries WHERE {}", in_json(c, "cve_id"));
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
        q = q.bind(json_list(chunk));
        out.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(out)
}

/// Writes KEV entries (replacing stored ones of the same CVE id) with change number `seq`.
pub async fn put_kev(tx: &mut Tx, rows: &[KevRow], seq: i64, now_ms: i64) -> Result<()> {
    for chunk in rows.chunks(MAX_BINDS) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.cve_id.as_str()).collect();
        let sql = format!("DELETE FROM kev_entries WHERE {}", in_json(tx, "cve_id"));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        q = q.bind(json_list(&ids));
        q.execute(&mut **tx).await?;
    }
    insert_many(
        tx,
        "INSERT INTO kev_entries (cve_id, vendor, product, name, date_added, due_date, ransomware, record, digest, seq, \
         imported_at)",
        11,
        rows,
        |q, r| {
            q.bind(storable(&r.cve_id))
                .bind(storable(&r.vendor))
                .bind(storable(&r.product))
                .bind(storable(&r.name))
                .bind(&r.date_added)
                .bind(&r.due_date)
                .bind(i64::from(r.ransomware))
                .bind(&r.record)
                .bind(&r.digest)
                .bind(seq)
                .bind(now_ms)
        },
    )
    .await
}

type StoredRow = (String, String, String, Vec<u8>, i64);

fn stored(r: StoredRow) -> StoredAdvisory {
    StoredAdvisory { id: r.0, origin: r.1, source_format: r.2, record: r.3, seq: r.4 }
}

/// Advisory records written after change `since` (all of them for `0`), in change order.
pub async fn changed_advisories(c: &mut AnyConnection, since: i64) -> Result<Vec<StoredAdvisory>> {
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT id, origin, source_format, record, seq FROM advisories WHERE seq > $1 ORDER BY seq, id, origin",
    )
    .bind(since)
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(stored).collect())
}

/// `(id, origin)` of the records written by changes after `since` up to `until`.
pub async fn changed_record_keys(c: &mut AnyConnection, since: i64, until: i64) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT id, origin FROM advisories WHERE seq > $1 AND seq <= $2 ORDER BY id, origin")
        .bind(since)
        .bind(until)
        .fetch_all(c)
        .await?)
}

/// CVE ids of the KEV entries written by changes after `since` up to `until`.
pub async fn changed_kev_ids(c: &mut AnyConnection, since: i64, until: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT cve_id FROM kev_entries WHERE seq > $1 AND seq <= $2 ORDER BY cve_id")
            .bind(since)
            .bind(until)
            .fetch_all(c)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// KEV entries (JSON) written after change `since`.
pub async fn changed_kev(c: &mut AnyConnection, since: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT record FROM kev_entries WHERE seq > $1 ORDER BY seq, cve_id")
        .bind(since)
        .fetch_all(c)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// One lookup key of a record: kind (`p` package, `v` product, `i` alias), the key's two
/// parts, and the record's id and origin.
pub type KeyRow = (char, String, String, String, String);

/// Every lookup key of every record (to build the scanner's prebuilt index).
pub async fn all_keys(c: &mut AnyConnection) -> Result<Vec<KeyRow>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, origin, lookup_keys FROM advisories").fetch_all(&mut *c).await?;
    let mut out = Vec::with_capacity(rows.len() * 3);
    for (id, origin, keys) in rows {
        let keys: LookupKeys<String> = serde_json::from_str(&keys).map_err(|e| Error::Corrupt {
            what: "advisories.lookup_keys",
            detail: format!("record {id} ({origin}): {e}"),
        })?;
        for (e, n) in keys.p {
            out.push(('p', e, n, id.clone(), origin.clone()));
        }
        for (v, p) in keys.v {
            out.push(('v', v, p, id.clone(), origin.clone()));
        }
        for a in keys.i {
            out.push(('i', a, String::new(), id.clone(), origin.clone()));
        }
    }
    Ok(out)
}

/// Counts for status lines: advisories, withdrawn ones, KEV entries, newest `modified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Advisory records.
    pub advisories: i64,
    /// Withdrawn records.
    pub withdrawn: i64,
    /// KEV entries.
    pub kev: i64,
    /// Newest `modified` (ms), if any.
    pub last_modified: Option<i64>,
    /// Change number.
    pub seq: i64,
}

/// Counts.
pub async fn counts(c: &mut AnyConnection) -> Result<Counts> {
    let (advisories, withdrawn, last_modified): (i64, i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN withdrawn IS NULL THEN 0 ELSE 1 END), 0), MAX(modified) FROM advisories",
    )
    .fetch_one(&mut *c)
    .await?;
    let (kev,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM kev_entries").fetch_one(&mut *c).await?;
    let seq = current_seq(c).await?;
    Ok(Counts { advisories, withdrawn, kev, last_modified, seq })
}

/// An advisory source: a URL synced on a schedule with conditional requests.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AdvisorySource {
    /// Unique name.
    pub name: String,
    /// URL of an OSV zip export, a CVE record feed, the KEV JSON, ...
    pub url: String,
    /// The `ETag` of the last body imported.
    pub etag: Option<String>,
    /// The `Last-Modified` of the last body imported.
    pub last_modified: Option<String>,
    /// Last check, ms.
    pub checked_at: Option<i64>,
    /// Last time a new body was imported, ms.
    pub changed_at: Option<i64>,
    /// `imported`, `not_modified` or `failed`.
    pub status: Option<String>,
    /// What happened, in words.
    pub detail: Option<String>,
}

type SourceRow =
    (String, String, Option<String>, Option<String>, Option<i64>, Option<i64>, Option<String>, Option<String>);

/// Adds a source, or changes the URL of one of that name (forgetting its validators).
pub async fn put_source(tx: &mut Tx, name: &str, url: &str, now_ms: i64) -> Result<()> {
    sqlx::query("DELETE FROM advisory_sources WHERE name = $1").bind(name).execute(&mut **tx).await?;
    sqlx::query("INSERT INTO advisory_sources (name, url, created_at) VALUES ($1, $2, $3)")
        .bind(name)
        .bind(url)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes a source.
pub async fn remove_source(tx: &mut Tx, name: &str) -> Result<()> {
    let r = sqlx::query("DELETE FROM advisory_sources WHERE name = $1").bind(name).execute(&mut **tx).await?;
    crate::expect_one(r, "advisory source")
}

/// Every source, by name.
pub async fn list_sources(c: &mut AnyConnection) -> Result<Vec<AdvisorySource>> {
    let rows: Vec<SourceRow> = sqlx::query_as(
        "SELECT name, url, etag, last_modified, checked_at, changed_at, status, detail FROM advisory_sources ORDER BY name",
    )
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AdvisorySource {
            name: r.0,
            url: r.1,
            etag: r.2,
            last_modified: r.3,
            checked_at: r.4,
            changed_at: r.5,
            status: r.6,
            detail: r.7,
        })
        .collect())
}

/// Records the outcome of a sync of `name`. Validators are replaced only when given
/// (a new body was imported).
pub async fn record_sync(
    tx: &mut Tx,
    name: &str,
    validators: Option<(Option<&str>, Option<&str>)>,
    status: &str,
    detail: &str,
    now_ms: i64,
) -> Result<()> {
    let r = match validators {
        Some((etag, last_modified)) => {
            sqlx::query(
                "UPDATE advisory_sources SET etag = $2, last_modified = $3, checked_at = $4, changed_at = $4, \
                 status = $5, detail = $6 WHERE name = $1",
            )
            .bind(name)
            .bind(etag)
            .bind(last_modified)
            .bind(now_ms)
            .bind(status)
            .bind(detail)
            .execute(&mut **tx)
            .await?
        }
        None => {
            sqlx::query("UPDATE advisory_sources SET checked_at = $2, status = $3, detail = $4 WHERE name = $1")
                .bind(name)
                .bind(now_ms)
                .bind(status)
                .bind(detail)
                .execute(&mut **tx)
                .await?
        }
    };
    crate::expect_one(r, "advisory source")
}

/// An import run's counters, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportRun {
    /// Run id.
    pub id: String,
    /// What was imported (paths or source name).
    pub source: String,
    /// `running`, `done`, `failed`.
    pub state: String,
    /// Started, ms.
    pub started_at: i64,
    /// Finished, ms.
    pub finished_at: Option<i64>,
    /// Records read.
    pub records: i64,
    /// New records stored.
    pub inserted: i64,
    /// Records replaced by a newer `modified`.
    pub updated: i64,
    /// Records already stored as they are (or older).
    pub unchanged: i64,
    /// Records skipped with an error.
    pub errors: i64,
    /// The place of the last record committed (resume point, for people).
    pub position: Option<String>,
    /// The first errors (JSON list of `{source, reason}`).
    pub detail: String,
}

/// Records a run (insert or update by id).
pub async fn put_import_run(tx: &mut Tx, r: &ImportRun) -> Result<()> {
    sqlx::query("DELETE FROM import_runs WHERE id = $1").bind(&r.id).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO import_runs (id, source, state, started_at, finished_at, records, inserted, updated, unchanged, \
         errors, position, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&r.id)
    .bind(&r.source)
    .bind(&r.state)
    .bind(r.started_at)
    .bind(r.finished_at)
    .bind(r.records)
    .bind(r.inserted)
    .bind(r.updated)
    .bind(r.unchanged)
    .bind(r.errors)
    .bind(r.position.as_deref())
    .bind(&r.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

type RunRow = (String, String, String, i64, Option<i64>, i64, i64, i64, i64, i64, Option<String>, String);

/// The latest runs, newest first.
pub async fn list_import_runs(c: &mut AnyConnection, limit: i64) -> Result<Vec<ImportRun>> {
    let rows: Vec<RunRow> = sqlx::query_as(
        "SELECT id, source, state, started_at, finished_at, records, inserted, updated, unchanged, errors, position, \
         detail FROM import_runs ORDER BY started_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ImportRun {
            id: r.0,
            source: r.1,
            state: r.2,
            started_at: r.3,
            finished_at: r.4,
            records: r.5,
            inserted: r.6,
            updated: r.7,
            unchanged: r.8,
            errors: r.9,
            position: r.10,
            detail: r.11,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_shapes() {
        let cases =
            [((1, 1), "($1)", "(?)"), ((2, 2), "($1,$2),($3,$4)", "(?,?),(?,?)"), ((1, 3), "($1,$2,$3)", "(?,?,?)")];
        for ((rows, cols), pg, lite) in cases {
            assert_eq!(placeholders(crate::Backend::Postgres, rows, cols), pg);
            assert_eq!(placeholders(crate::Backend::Sqlite, rows, cols), lite);
        }
        assert_eq!(json_list(&["a", "b\"c"]), r#"["a","b\"c"]"#);
    }
}
