//! The offline scanner's prebuilt index: a few files beside the SQLite database that a
//! scan reads without a database connection, an async runtime, or parsing any record it
//! does not need.
//!
//! `DIR/scan-index/` holds:
//! - `meta.json`: the change number and counts it was built from;
//! - `records.tsv`: one stored record per line, `id \t origin \t format \t OSV JSON`
//!   (serde_json escapes tabs and newlines inside strings, so a line is a record);
//! - `kev.jsonl`: one CISA KEV entry per line;
//! - `keys.tsv`: sorted lines `kind \t a \t b \t offset:length,...` pointing into those
//!   files. Kinds: `i` an id or alias, `k` a KEV CVE id, `p` (ecosystem family,
//!   normalised package name), `v` (vendor, product) normalised as `ch-match` keys them.
//!
//! A lookup is a binary search over `keys.tsv` read into memory (no line table is
//! built: the search steps back to the start of the line it lands in) and a positioned
//! read per record. The index is written to a temporary directory and renamed into place,
//! so a scan never sees half of one.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ch_advisory::{Advisory, KevEntry, Osv};
use ch_store::Store;

use crate::rows::format_from_name;
use crate::{Error, Result};

/// The directory name inside a data directory.
pub const DIR_NAME: &str = "scan-index";
const FORMAT: u32 = 1;

/// What an index was built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// Layout version.
    pub format: u32,
    /// The knowledge base's change number.
    pub seq: i64,
    /// Advisory records.
    pub advisories: u64,
    /// KEV entries.
    pub kev: u64,
    /// Newest `modified`, ms.
    pub last_modified: Option<i64>,
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io(format!("{}: {e}", path.display()))
}

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Writes the index of everything in `store` into `data_dir/scan-index`.
pub async fn build(store: &Store, data_dir: &Path) -> Result<Meta> {
    let mut c = store.conn().await?;
    let counts = ch_store::knowledge::counts(&mut c).await?;
    let records = ch_store::knowledge::changed_advisories(&mut c, 0).await?;
    let kev = ch_store::knowledge::changed_kev(&mut c, 0).await?;
    let keys = ch_store::knowledge::all_keys(&mut c).await?;
    drop(c);

    let tmp = data_dir.join(format!("{DIR_NAME}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| io(&tmp, e))?;

    let mut at: BTreeMap<(String, String), (u64, usize)> = BTreeMap::new();
    let mut lines: BTreeMap<(char, String, String), BTreeSet<(u64, usize)>> = BTreeMap::new();
    {
        let path = tmp.join("records.tsv");
        let mut w = BufWriter::new(std::fs::File::create(&path).map_err(|e| io(&path, e))?);
        let mut offset = 0u64;
        for r in &records {
            let json = r.json()?;
            let line = format!("{}\t{}\t{}\t{}\n", clean(&r.id), clean(&r.origin), clean(&r.source_format), json);
            w.write_all(line.as_bytes()).map_err(|e| io(&path, e))?;
            at.insert((r.id.clone(), r.origin.clone()), (offset, line.len()));
            lines.entry(('i', r.id.clone(), String::new())).or_default().insert((offset, line.len()));
            offset += line.len() as u64;
        }
        w.flush().map_err(|e| io(&path, e))?;
    }
    {
        let path = tmp.join("kev.jsonl");
        let mut w = BufWriter::new(std::fs::File::create(&path).map_err(|e| io(&path, e))?);
        let mut offset = 0u64;
        for k in &kev {
            let entry = KevEntry::from_json_slice(k.as_bytes()).map_err(|e| Error::Stored {
                id: "kev".into(),
                origin: "kev".into(),
                reason: e.to_string(),
            })?;
            let line = format!("{}\n", k.replace('\n', " "));
            w.write_all(line.as_bytes()).map_err(|e| io(&path, e))?;
            lines.entry(('k', entry.cve_id.clone(), String::new())).or_default().insert((offset, line.len()));
            offset += line.len() as u64;
        }
        w.flush().map_err(|e| io(&path, e))?;
    }
    for (kind, a, b, id, origin) in keys {
        let Some(&place) = at.get(&(id, origin)) else { continue };
        let key = match kind {
            'p' => ('p', a.split(':').next().unwrap_or(&a).to_owned(), b),
            other => (other, a, b),
        };
        lines.entry(key).or_default().insert(place);
    }
    {
        let path = tmp.join("keys.tsv");
        let mut w = BufWriter::new(std::fs::File::create(&path).map_err(|e| io(&path, e))?);
        for ((kind, a, b), places) in &lines {
            let places: Vec<String> = places.iter().map(|(o, l)| format!("{o}:{l}")).collect();
            writeln!(w, "{kind}\t{}\t{}\t{}", clean(a), clean(b), places.join(",")).map_err(|e| io(&path, e))?;
        }
        w.flush().map_err(|e| io(&path, e))?;
    }
    let meta = Meta {
        format: FORMAT,
        seq: counts.seq,
        advisories: u64::try_from(counts.advisories).unwrap_or(0),
        kev: u64::try_from(counts.kev).unwrap_or(0),
        last_modified: counts.last_modified,
    };
    let path = tmp.join("meta.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&meta).unwrap_or_default()).map_err(|e| io(&path, e))?;
    let dest = data_dir.join(DIR_NAME);
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::rename(&tmp, &dest).map_err(|e| io(&dest, e))?;
    Ok(meta)
}

/// An open index.
#[derive(Debug)]
pub struct ScanIndex {
    dir: PathBuf,
    /// What it was built from.
    pub meta: Meta,
    keys: Vec<u8>,
    records: std::fs::File,
    kev: std::fs::File,
}

impl ScanIndex {
    /// Opens `data_dir/scan-index`; `None` when there is none (or of another layout).
    pub fn open(data_dir: &Path) -> Result<Option<ScanIndex>> {
        let dir = data_dir.join(DIR_NAME);
        let meta_path = dir.join("meta.json");
        let Ok(meta_bytes) = std::fs::read(&meta_path) else { return Ok(None) };
        let Ok(meta) = serde_json::from_slice::<Meta>(&meta_bytes) else { return Ok(None) };
        if meta.format != FORMAT {
            return Ok(None);
        }
        let keys_path = dir.join("keys.tsv");
        let keys = std::fs::read(&keys_path).map_err(|e| io(&keys_path, e))?;
        let rp = dir.join("records.tsv");
        let records = std::fs::File::open(&rp).map_err(|e| io(&rp, e))?;
        let kp = dir.join("kev.jsonl");
        let kev = std::fs::File::open(&kp).map_err(|e| io(&kp, e))?;
        Ok(Some(ScanIndex { dir, meta, keys, records, kev }))
    }

    /// Whether the database changed after the index was written (its file or its WAL is
    /// newer than `meta.json`).
    pub fn is_stale(&self, db_file: &Path) -> bool {
        let built = std::fs::metadata(self.dir.join("meta.json")).and_then(|m| m.modified()).ok();
        let newer = |p: PathBuf| {
            std::fs::metadata(p).and_then(|m| m.modified()).ok().is_some_and(|t| built.is_none_or(|b| t > b))
        };
        let mut wal = db_file.as_os_str().to_owned();
        wal.push("-wal");
        newer(db_file.to_path_buf()) || newer(PathBuf::from(wal))
    }

    /// The start of the line holding byte `i`.
    fn line_start(&self, i: usize) -> usize {
        self.keys.get(..i).and_then(|b| b.iter().rposition(|&c| c == b'\n')).map(|p| p + 1).unwrap_or(0)
    }

    /// The places recorded under (kind, a, b).
    fn lookup(&self, kind: char, a: &str, b: &str) -> Vec<(u64, usize)> {
        let want = format!("{kind}\t{}\t{}\t", clean(a), clean(b));
        let want = want.as_bytes();
        let (mut lo, mut hi) = (0usize, self.keys.len());
        // Invariant: the wanted line, if present, starts in [lo, hi).
        while lo < hi {
            let mid = self.line_start(lo + (hi - lo) / 2).max(lo);
            let end = self
                .keys
                .get(mid..)
                .and_then(|r| r.iter().position(|&c| c == b'\n'))
                .map_or(self.keys.len(), |p| mid + p);
            let line = self.keys.get(mid..end).unwrap_or_default();
            let prefix = line.get(..want.len().min(line.len())).unwrap_or_default();
            match prefix.cmp(want) {
                std::cmp::Ordering::Equal if line.len() >= want.len() => {
                    let rest = std::str::from_utf8(line.get(want.len()..).unwrap_or_default()).unwrap_or_default();
                    return rest
                        .split(',')
                        .filter_map(|p| p.split_once(':'))
                        .filter_map(|(o, l)| Some((o.parse().ok()?, l.parse().ok()?)))
                        .collect();
                }
                std::cmp::Ordering::Less | std::cmp::Ordering::Equal => lo = end + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        Vec::new()
    }

    fn read_at(file: &std::fs::File, path: &Path, (offset, len): (u64, usize)) -> Result<String> {
        let mut f = file;
        f.seek(SeekFrom::Start(offset)).map_err(|e| io(path, e))?;
        let mut buf = vec![0u8; len];
        f.read_exact(&mut buf).map_err(|e| io(path, e))?;
        String::from_utf8(buf).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
    }

    fn record(&self, place: (u64, usize)) -> Result<Advisory> {
        let path = self.dir.join("records.tsv");
        let line = Self::read_at(&self.records, &path, place)?;
        let mut parts = line.trim_end_matches('\n').splitn(4, '\t');
        let (Some(id), Some(origin), Some(format), Some(json)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Io(format!("{}: malformed line at byte {}", path.display(), place.0)));
        };
        let fail = |reason: String| Error::Stored { id: id.to_owned(), origin: origin.to_owned(), reason };
        let format = format_from_name(format).ok_or_else(|| fail(format!("unknown format {format}")))?;
        let osv = Osv::from_json_slice(json.as_bytes()).map_err(|e| fail(e.to_string()))?;
        Advisory::from_osv(osv, format).map_err(|e| fail(e.to_string()))
    }

    /// An index of the records the given keys need: every record affecting one of the
    /// packages (ecosystem family, normalised name) or products (normalised vendor,
    /// product), the other records of their flaws (by alias), and their KEV entries.
    pub fn load_for(&self, packages: &[(String, String)], products: &[(String, String)]) -> Result<ch_match::Index> {
        let mut places: BTreeSet<(u64, usize)> = BTreeSet::new();
        for (eco, name) in packages {
            places.extend(self.lookup('p', eco, name));
        }
        for (vendor, product) in products {
            places.extend(self.lookup('v', vendor, product));
            if vendor.is_empty() {
                // No vendor given: every vendor's product of that name.
                places.extend(self.lookup_any_vendor(product));
            }
        }
        let mut index = ch_match::Index::new();
        let mut aliases: BTreeSet<String> = BTreeSet::new();
        for &p in &places {
            let a = self.record(p)?;
            aliases.extend(a.aliases.iter().cloned());
            index.upsert(Arc::new(a));
        }
        let mut more: BTreeSet<(u64, usize)> = BTreeSet::new();
        for alias in &aliases {
            more.extend(self.lookup('i', alias, "").into_iter().filter(|p| !places.contains(p)));
        }
        for p in more {
            index.upsert(Arc::new(self.record(p)?));
        }
        let cves: BTreeSet<String> = index
            .records()
            .flat_map(|(_, a)| a.ids().filter(|i| i.starts_with("CVE-")).map(str::to_owned).collect::<Vec<_>>())
            .collect();
        let path = self.dir.join("kev.jsonl");
        for cve in cves {
            for p in self.lookup('k', &cve, "") {
                let line = Self::read_at(&self.kev, &path, p)?;
                if let Ok(entry) = KevEntry::from_json_slice(line.trim_end().as_bytes()) {
                    index.upsert_kev(entry);
                }
            }
        }
        Ok(index)
    }

    /// Every known (vendor, product) key.
    pub fn known_products(&self) -> Vec<(String, String)> {
        let text = std::str::from_utf8(&self.keys).unwrap_or_default();
        text.lines()
            .filter(|l| l.starts_with("v\t"))
            .filter_map(|l| {
                let mut f = l.split('\t').skip(1);
                Some((f.next()?.to_owned(), f.next()?.to_owned()))
            })
            .collect()
    }

    /// Product keys of any vendor with this product name (a linear pass over `v` lines,
    /// only when a product list leaves the vendor out).
    fn lookup_any_vendor(&self, product: &str) -> Vec<(u64, usize)> {
        let text = std::str::from_utf8(&self.keys).unwrap_or_default();
        let product = clean(product);
        let mut out = Vec::new();
        for line in text.lines().filter(|l| l.starts_with("v\t")) {
            let mut f = line.split('\t');
            let (_, _, p, rest) = (f.next(), f.next(), f.next(), f.next());
            if p == Some(product.as_str()) {
                out.extend(
                    rest.unwrap_or_default()
                        .split(',')
                        .filter_map(|x| x.split_once(':'))
                        .filter_map(|(o, l)| Some((o.parse().ok()?, l.parse().ok()?))),
                );
            }
        }
        out
    }
}
