//! The LMDB environment behind the memo: one per process per directory,
//! many readers and one writer across processes (LMDB's own locking), a map
//! that grows when full, and damaged files detected and set aside.
//!
//! Durability: LMDB's default (no `NO_SYNC`, `NO_META_SYNC`, `MAP_ASYNC` or
//! `WRITE_MAP`; heed adds only `NO_TLS`): a commit writes its pages,
//! `fdatasync`s them, then writes the meta page through an `O_DSYNC`
//! descriptor. A kill or power cut at any point leaves the last
//! committed transaction intact.
//!
//! Damage: every LMDB call runs inside the crash guard (a fault there sets
//! the data file aside, and the process dies as it would have); an error
//! that means damage sets it aside too and the store serves nothing more in
//! this process. Each store reports a problem once; afterwards it behaves
//! as an empty memo that takes no writes.

use std::fs;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use heed::types::Bytes;
use heed::{Database, Env, EnvOpenOptions, MdbError, WithoutTls};

use super::check::check_meta_pages;
use super::crash_guard::{self, Guarded};
use super::quarantine::{prune_set_aside, Quarantine, DATA_FILE};

/// Keys longer than this are replaced by a hash (LMDB's limit is 511 bytes).
const MAX_KEY: usize = 480;
/// How much of a long path its shortened key keeps (before a NUL and the
/// 16 hex digits of its hash): a prefix scan can only use this much.
pub const SHORT_KEY_PREFIX: usize = MAX_KEY - 17;
/// Queued writes are committed once this many are waiting.
const FLUSH_AT: usize = 4096;

/// A put (`Some(value)`) or a delete (`None`) of one key.
pub type Change = (Vec<u8>, Option<Vec<u8>>);

/// Why the memo cannot be used; the caller carries on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoError(pub String);

impl std::fmt::Display for MemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn lmdb_err(what: &str, dir: &Path, e: heed::Error) -> MemoError {
    MemoError(format!("{what} {}: {e}", dir.display()))
}

pub struct Store {
    dir: PathBuf,
    env: Env<WithoutTls>,
    db: Database<Bytes, Bytes>,
    /// Transactions hold this shared; growing the map takes it exclusively
    /// (LMDB requires no transaction of this process to be open then).
    resize: RwLock<()>,
    /// Set after an LMDB error (damage, say): the memo is bypassed.
    broken: Mutex<Option<String>>,
    /// Set after a write failed for want of space (full disk, file size
    /// limit): reads go on, writes are dropped.
    no_writes: Mutex<Option<String>>,
    /// Sets this process's data file aside; boxed, for the crash guard
    /// keeps its address.
    quarantine: Option<Box<Quarantine>>,
    /// Writes queued by `queue`, committed together by `flush`: a commit
    /// costs a disk sync, too much to pay once per family.
    queued: Mutex<Vec<Change>>,
    /// What was noticed while opening (a damaged file set aside, say).
    pub notices: Vec<String>,
}

/// The memo key of a file path: the path itself (borrowed), or a shortened
/// key for a path too long for LMDB (true).
pub fn key_of(path: &str) -> (std::borrow::Cow<'_, [u8]>, bool) {
    if path.len() <= MAX_KEY {
        return (path.as_bytes().into(), false);
    }
    // A shortened key keeps a readable prefix; the record holds the full
    // path and a mismatch reads as a miss.
    let mut h = rustc_hash::FxHasher::default();
    std::hash::Hasher::write(&mut h, path.as_bytes());
    let mut key = path.as_bytes()[..SHORT_KEY_PREFIX].to_vec();
    key.push(0);
    key.extend_from_slice(format!("{:016x}", std::hash::Hasher::finish(&h)).as_bytes());
    (key.into(), true)
}

impl Drop for Store {
    fn drop(&mut self) {
        // Best effort: a lost queued write only costs a parse later.
        let _ = self.flush();
    }
}

impl Store {
    /// Opens (creating if needed) the memo in `dir`. A data file that LMDB
    /// rejects, whose meta pages are impossible, or that is shorter than its
    /// own header says is set aside and a fresh memo is created, with a
    /// notice.
    pub fn open(dir: &Path, map_size: usize) -> Result<Store, MemoError> {
        fs::create_dir_all(dir).map_err(|e| {
            MemoError(format!(
                "cannot create memo directory {}: {e}",
                dir.display()
            ))
        })?;
        prune_set_aside(dir);
        let mut notices = Vec::new();
        match Self::open_checked(dir, map_size) {
            Ok(store) => Ok(store),
            Err(Damage::Unusable(e)) => Err(e),
            Err(Damage::Corrupt(why)) => {
                let moved = match Quarantine::of(dir).map(|q| (q.set_aside(), q)) {
                    Some((Ok(true), q)) => format!("moved to {}", q.aside_path().display()),
                    Some((Err(errno), _)) => {
                        return Err(MemoError(format!(
                            "memo {} is damaged ({why}) and cannot be set aside: {}",
                            dir.display(),
                            std::io::Error::from_raw_os_error(errno)
                        )))
                    }
                    _ => "already set aside by another process".to_string(),
                };
                notices.push(format!(
                    "memo {} was damaged ({why}); {moved} and rebuilt",
                    dir.display()
                ));
                let mut store = Self::open_checked(dir, map_size).map_err(|d| match d {
                    Damage::Unusable(e) => e,
                    Damage::Corrupt(why) => MemoError(format!("fresh memo unusable: {why}")),
                })?;
                store.notices = notices;
                Ok(store)
            }
        }
    }

    /// Registers this thread as inside LMDB for this store (crash guard).
    fn guard(&self) -> Option<Guarded> {
        self.quarantine.as_deref().map(crash_guard::enter)
    }

    fn open_checked(dir: &Path, map_size: usize) -> Result<Store, Damage> {
        let data = dir.join(DATA_FILE);
        let file_len = fs::metadata(&data).map(|m| m.len()).ok();
        if file_len.is_some_and(|n| n > 0 && n < 2 * 4096) {
            return Err(Damage::Corrupt(format!(
                "{DATA_FILE} is only {} bytes",
                file_len.unwrap()
            )));
        }
        if let Some(len) = file_len {
            check_meta_pages(&data, len).map_err(Damage::Corrupt)?;
        }
        // The quarantine of the file as it is before LMDB maps it, so that
        // LMDB's own first reads are guarded too.
        let quarantine = Quarantine::of(dir).map(Box::new);
        let guarded = quarantine.as_deref().map(crash_guard::enter);
        let mut options = EnvOpenOptions::new().read_txn_without_tls();
        options
            .map_size(map_size.max(1 << 20))
            .max_dbs(1)
            .max_readers(512);
        // SAFETY: one Env per directory per process is guaranteed by the
        // caller (a process-wide registry); heed also refuses a second open.
        let env = match unsafe { options.open(dir) } {
            Ok(env) => env,
            Err(heed::Error::Mdb(
                MdbError::Invalid | MdbError::Corrupted | MdbError::VersionMismatch,
            )) => return Err(Damage::Corrupt("LMDB rejects the data file".into())),
            Err(e) => return Err(Damage::Unusable(lmdb_err("cannot open memo", dir, e))),
        };
        drop(guarded);
        // A new data file was created just now: guard that one.
        let quarantine = quarantine.or_else(|| Quarantine::of(dir).map(Box::new));
        let _guarded = quarantine.as_deref().map(crash_guard::enter);
        // A truncated file would fault on first access; compare the length
        // LMDB's header promises with the file's.
        let info = env.info();
        let page = env.stat().page_size as u64;
        if let Ok(meta) = fs::metadata(&data) {
            let needed = (info.last_page_number as u64 + 1) * page;
            if meta.len() < needed {
                drop(env.prepare_for_closing());
                return Err(Damage::Corrupt(format!(
                    "{DATA_FILE} is {} bytes, its header needs {needed}",
                    meta.len()
                )));
            }
        }
        let db = (|| {
            let mut wtxn = env.write_txn()?;
            let db = env.create_database::<Bytes, Bytes>(&mut wtxn, None)?;
            wtxn.commit()?;
            Ok::<_, heed::Error>(db)
        })();
        let db = match db {
            Ok(db) => db,
            Err(e) if is_damage(&e) => {
                drop(env.prepare_for_closing());
                return Err(Damage::Corrupt(format!(
                    "LMDB reports a damaged database: {e}"
                )));
            }
            Err(e) => return Err(Damage::Unusable(lmdb_err("cannot use memo", dir, e))),
        };
        Ok(Store {
            dir: dir.to_path_buf(),
            env,
            db,
            resize: RwLock::new(()),
            broken: Mutex::new(None),
            no_writes: Mutex::new(None),
            quarantine,
            queued: Mutex::new(Vec::new()),
            notices: Vec::new(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Why the memo stopped being used in this process, if it did.
    pub fn broken(&self) -> Option<String> {
        self.broken.lock().map(|b| b.clone()).unwrap_or(None)
    }

    /// Takes an LMDB error: damage sets the data file aside and stops the
    /// store; a write the system refused (full disk, quota, file size limit,
    /// I/O error: the commit did not happen) stops writes only; anything
    /// else stops the store. Returns the error to report, or None when it
    /// adds nothing to what was reported before.
    fn fail(&self, doing: Doing, e: heed::Error) -> Option<MemoError> {
        if self.state().is_err() {
            return None;
        }
        let what = doing.what();
        if matches!(e, heed::Error::Mdb(MdbError::Panic)) && self.no_writes_since().is_some() {
            // LMDB gave up after the failed write that was reported.
            let mut broken = self.broken.lock().unwrap_or_else(|p| p.into_inner());
            broken.get_or_insert_with(|| lmdb_err(what, &self.dir, e).0);
            return None;
        }
        let message = if is_damage(&e) {
            let moved = match self.quarantine.as_deref().map(Quarantine::set_aside) {
                Some(Ok(true)) => {
                    let aside = self.quarantine.as_deref().map(Quarantine::aside_path);
                    format!("moved to {}", aside.unwrap_or(&self.dir).display())
                }
                Some(Err(errno)) => format!(
                    "cannot be set aside: {}",
                    std::io::Error::from_raw_os_error(errno)
                ),
                _ => "already set aside".to_string(),
            };
            format!(
                "memo {} is damaged ({what}: {e}); {moved}; not used again in this \
                 process, the next one starts a fresh memo",
                self.dir.display()
            )
        } else if doing == Doing::Writing && matches!(e, heed::Error::Io(_)) {
            let err = lmdb_err(what, &self.dir, e);
            let mut no_writes = self.no_writes.lock().unwrap_or_else(|p| p.into_inner());
            if no_writes.is_some() {
                return None;
            }
            *no_writes = Some(err.0.clone());
            return Some(MemoError(format!(
                "{}; the memo takes no more writes in this process",
                err.0
            )));
        } else {
            lmdb_err(what, &self.dir, e).0
        };
        let mut broken = self.broken.lock().unwrap_or_else(|p| p.into_inner());
        if broken.is_some() {
            return None;
        }
        *broken = Some(message.clone());
        Some(MemoError(message))
    }

    /// Err when the store was stopped (already reported).
    fn state(&self) -> Result<(), MemoError> {
        match self.broken() {
            Some(why) => Err(MemoError(why)),
            None => Ok(()),
        }
    }

    /// Values for `keys`, read in one transaction; None for absent keys.
    /// A stopped store knows nothing.
    pub fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, MemoError> {
        self.read_many(keys, |_, v| Some(v.to_vec()))
    }

    /// `read(i, value)` for each key present, in one transaction, while the
    /// value is still in the map (no copy); None for absent keys and where
    /// `read` returns None. A stopped store knows nothing.
    pub fn read_many<K: AsRef<[u8]>, T>(
        &self,
        keys: &[K],
        mut read: impl FnMut(usize, &[u8]) -> Option<T>,
    ) -> Result<Vec<Option<T>>, MemoError> {
        let nothing = || (0..keys.len()).map(|_| None).collect();
        if self.state().is_err() {
            return Ok(nothing());
        }
        match self.in_read_txn(|rtxn| self.read_sorted(rtxn, keys, &mut read)) {
            Ok(out) => Ok(out),
            Err(e) => e.map_or(Ok(nothing()), Err),
        }
    }

    /// Runs `read` in a read transaction. A map another process grew is
    /// taken up and the transaction started again: LMDB refuses one until
    /// this process has adopted the new size (two indexers growing the
    /// memo while a third process reads it). Err(None): the store stopped
    /// with nothing new to report.
    fn in_read_txn<T>(
        &self,
        mut read: impl FnMut(&heed::RoTxn<'_, WithoutTls>) -> heed::Result<T>,
    ) -> Result<T, Option<MemoError>> {
        for _ in 0..3 {
            let guard = self.resize.read().unwrap_or_else(|p| p.into_inner());
            let inside = self.guard();
            let result = self.env.read_txn().and_then(|rtxn| read(&rtxn));
            drop(inside);
            drop(guard);
            match result {
                Ok(value) => return Ok(value),
                Err(heed::Error::Mdb(MdbError::MapResized)) => self.adopt_map_size()?,
                Err(e) => return Err(self.fail(Doing::Reading, e)),
            }
        }
        Err(Some(MemoError("memo map keeps changing size".into())))
    }

    /// `read_many`'s lookups inside one transaction. The keys are visited in
    /// byte order along one cursor: a family's files are neighbours in the
    /// tree, so after the first, each is a step to the next entry instead of
    /// a search from the root with a comparison of the long shared path
    /// prefix at every level (a third of a warm family load's time was
    /// spent in those searches). A run of more than `MAX_SKIP` entries
    /// between two wanted keys starts a new search instead.
    fn read_sorted<K: AsRef<[u8]>, T>(
        &self,
        rtxn: &heed::RoTxn<'_, WithoutTls>,
        keys: &[K],
        read: &mut impl FnMut(usize, &[u8]) -> Option<T>,
    ) -> heed::Result<Vec<Option<T>>> {
        const MAX_SKIP: usize = 16;
        let mut out: Vec<Option<T>> = (0..keys.len()).map(|_| None).collect();
        if let [key] = keys {
            out[0] = self.db.get(rtxn, key.as_ref())?.and_then(|v| read(0, v));
            return Ok(out);
        }
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_unstable_by(|&a, &b| keys[a].as_ref().cmp(keys[b].as_ref()));
        let key = |at: usize| keys[order[at]].as_ref();
        let last = match order.last() {
            Some(&i) => keys[i].as_ref(),
            None => return Ok(out),
        };
        let mut at = 0;
        while at < order.len() {
            let started_at = at;
            let bounds = (Bound::Included(key(at)), Bound::Included(last));
            let mut skipped = 0;
            let mut search_again = false;
            for entry in self.db.range(rtxn, &bounds)? {
                let (found, value) = entry?;
                while at < order.len() && key(at) < found {
                    at += 1; // not in the memo
                }
                if at == order.len() {
                    return Ok(out);
                }
                if key(at) != found {
                    skipped += 1;
                    if skipped > MAX_SKIP {
                        search_again = true;
                        break;
                    }
                    continue;
                }
                skipped = 0;
                while at < order.len() && key(at) == found {
                    out[order[at]] = read(order[at], value);
                    at += 1;
                }
            }
            if !search_again {
                break; // the range ended: the keys left are not in the memo
            }
            if at == started_at {
                // entries out of order (a damaged tree): look this key up on
                // its own, so that every search moves on
                let wanted = key(at);
                let value = self.db.get(rtxn, wanted)?;
                while at < order.len() && key(at) == wanted {
                    out[order[at]] = value.and_then(|v| read(order[at], v));
                    at += 1;
                }
            }
        }
        Ok(out)
    }

    /// Another process grew the map: take its size. Err(None) when the
    /// store stopped without anything new to report.
    fn adopt_map_size(&self) -> Result<(), Option<MemoError>> {
        let _excl = self.resize.write().unwrap_or_else(|p| p.into_inner());
        let _inside = self.guard();
        // SAFETY: no transaction of this process is open while we hold the
        // exclusive lock; 0 means "the size recorded in the file".
        unsafe { self.env.resize(0) }.map_err(|e| self.fail(Doing::Resizing, e))
    }

    fn grow(&self) -> Result<(), Option<MemoError>> {
        let _excl = self.resize.write().unwrap_or_else(|p| p.into_inner());
        let _inside = self.guard();
        let size = self.env.info().map_size.saturating_mul(2);
        // SAFETY: as in adopt_map_size.
        unsafe { self.env.resize(size) }.map_err(|e| self.fail(Doing::Resizing, e))
    }

    /// Applies puts (`Some`) and deletes (`None`) in one write transaction,
    /// growing the map and retrying when it is full; Ok(true) once committed.
    /// A stopped store, or one that found no space to write, drops them:
    /// Ok(false), or the error the first time.
    pub fn write(&self, items: &[Change]) -> Result<bool, MemoError> {
        if items.is_empty() {
            return Ok(true);
        }
        if self.state().is_err() || self.no_writes_since().is_some() {
            return Ok(false);
        }
        for _ in 0..24 {
            let guard = self.resize.read().unwrap_or_else(|p| p.into_inner());
            let inside = self.guard();
            let result = (|| {
                let mut wtxn = self.env.write_txn()?;
                for (k, v) in items {
                    match v {
                        Some(v) => self.db.put(&mut wtxn, k, v)?,
                        None => {
                            self.db.delete(&mut wtxn, k)?;
                        }
                    }
                }
                wtxn.commit()
            })();
            drop(inside);
            drop(guard);
            let retried = match result {
                Ok(()) => return Ok(true),
                Err(heed::Error::Mdb(MdbError::MapFull)) => self.grow(),
                Err(heed::Error::Mdb(MdbError::MapResized)) => self.adopt_map_size(),
                Err(e) => return self.fail(Doing::Writing, e).map_or(Ok(false), Err),
            };
            if let Err(e) = retried {
                return e.map_or(Ok(false), Err);
            }
        }
        Err(MemoError("memo map cannot grow enough".into()))
    }

    fn no_writes_since(&self) -> Option<String> {
        self.no_writes.lock().map(|b| b.clone()).unwrap_or(None)
    }

    /// Queues writes for the next `flush` (done here once the queue is long).
    pub fn queue(&self, items: Vec<Change>) -> Result<(), MemoError> {
        let long = {
            let mut q = self.queued.lock().unwrap_or_else(|p| p.into_inner());
            q.extend(items);
            q.len() >= FLUSH_AT
        };
        if long {
            self.flush()?;
        }
        Ok(())
    }

    /// Commits the queued writes in one transaction; returns how many were
    /// committed.
    pub fn flush(&self) -> Result<usize, MemoError> {
        let items = std::mem::take(&mut *self.queued.lock().unwrap_or_else(|p| p.into_inner()));
        Ok(match self.write(&items)? {
            true => items.len(),
            false => 0,
        })
    }

    /// Every key starting with `prefix` (none in a stopped store).
    pub fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, MemoError> {
        if self.state().is_err() {
            return Ok(Vec::new());
        }
        let keys = self.in_read_txn(|rtxn| {
            let mut out = Vec::new();
            for item in self.db.prefix_iter(rtxn, prefix)? {
                out.push(item?.0.to_vec());
            }
            Ok(out)
        });
        keys.or_else(|e| e.map_or(Ok(Vec::new()), Err))
    }

    /// Number of entries and the current map size in bytes.
    pub fn size(&self) -> (u64, usize) {
        let entries = match self.state() {
            Err(_) => 0,
            Ok(()) => self.in_read_txn(|rtxn| self.db.len(rtxn)).unwrap_or(0),
        };
        let _guard = self.resize.read().unwrap_or_else(|p| p.into_inner());
        let _inside = self.guard();
        (entries, self.env.info().map_size)
    }
}

/// LMDB errors that mean the data file is damaged: pages of the wrong
/// kind or out of range, a page fuller than possible, a tree deeper than
/// possible, database flags changed, and a transaction LMDB gave up on.
fn is_damage(e: &heed::Error) -> bool {
    matches!(
        e,
        heed::Error::Mdb(
            MdbError::Corrupted
                | MdbError::PageNotFound
                | MdbError::Invalid
                | MdbError::VersionMismatch
                | MdbError::PageFull
                | MdbError::CursorFull
                | MdbError::Incompatible
                | MdbError::BadTxn
                | MdbError::Problem
        )
    )
}

/// What the store was doing when LMDB failed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Doing {
    Reading,
    Writing,
    Resizing,
}

impl Doing {
    fn what(self) -> &'static str {
        match self {
            Doing::Reading => "cannot read memo",
            Doing::Writing => "cannot write memo",
            Doing::Resizing => "cannot resize memo",
        }
    }
}

enum Damage {
    Corrupt(String),
    Unusable(MemoError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pyrer-store-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn batched_reads_answer_each_key_whatever_the_order() {
        let dir = temp_dir("batch");
        let store = Store::open(&dir, 1 << 22).unwrap();
        // every third key present: runs of absent keys, and wide gaps of
        // unwanted entries between wanted ones (past the skip limit)
        let items: Vec<_> = (0..600)
            .filter(|i| i % 3 != 1)
            .map(|i| {
                (
                    format!("/f/{i:04}").into_bytes(),
                    Some(format!("v{i}").into_bytes()),
                )
            })
            .collect();
        store.write(&items).unwrap();
        let mut rng = crate::test_rng::XorShift::new(7);
        for _ in 0..200 {
            let n = 1 + rng.below(40);
            let wanted: Vec<Vec<u8>> = (0..n)
                .map(|_| format!("/f/{:04}", rng.below(640)).into_bytes())
                .collect();
            let expected: Vec<Option<Vec<u8>>> = wanted
                .iter()
                .map(|k| {
                    let i: usize = std::str::from_utf8(&k[3..]).unwrap().parse().unwrap();
                    (i < 600 && i % 3 != 1).then(|| format!("v{i}").into_bytes())
                })
                .collect();
            let got = store.read_many(&wanted, |i, v| {
                assert_eq!(v, expected[i].as_deref().unwrap(), "value of key {i}");
                Some(v.to_vec())
            });
            assert_eq!(got.unwrap(), expected, "keys {wanted:?}");
        }
        drop(store);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn writes_read_back_and_the_map_grows() {
        let dir = temp_dir("grow");
        let store = Store::open(&dir, 1 << 20).unwrap();
        let start = store.size().1;
        let items: Vec<_> = (0..3000)
            .map(|i| (format!("/k/{i}").into_bytes(), Some(vec![7u8; 1000])))
            .collect();
        store.write(&items).unwrap();
        assert!(store.size().1 > start, "map did not grow");
        let got = store
            .get_many(&[b"/k/5".to_vec(), b"/nope".to_vec()])
            .unwrap();
        assert_eq!(got, vec![Some(vec![7u8; 1000]), None]);
        assert_eq!(store.keys_with_prefix(b"/k/29").unwrap().len(), 111); // 29, 290-299, 2900-2999
        store.write(&[(b"/k/5".to_vec(), None)]).unwrap();
        assert_eq!(store.get_many(&[b"/k/5".to_vec()]).unwrap(), vec![None]);
        drop(store);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn truncated_file_is_set_aside() {
        let dir = temp_dir("trunc");
        {
            let store = Store::open(&dir, 1 << 20).unwrap();
            let items: Vec<_> = (0..500)
                .map(|i| (format!("/k/{i}").into_bytes(), Some(vec![1u8; 500])))
                .collect();
            store.write(&items).unwrap();
        }
        let data = dir.join(DATA_FILE);
        let len = fs::metadata(&data).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(&data)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
        let store = Store::open(&dir, 1 << 20).unwrap();
        assert_eq!(store.notices.len(), 1, "{:?}", store.notices);
        assert_eq!(store.get_many(&[b"/k/1".to_vec()]).unwrap(), vec![None]);
        drop(store);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn damage_found_later_sets_the_file_aside_and_is_reported_once() {
        use std::io::{Seek, SeekFrom, Write};
        let dir = temp_dir("later");
        let store = Store::open(&dir, 1 << 20).unwrap();
        let items: Vec<_> = (0..50)
            .map(|i| (format!("/k/{i}").into_bytes(), Some(vec![3u8; 50])))
            .collect();
        store.write(&items).unwrap();
        // The root page (the only page: 50 small entries) becomes a meta page.
        let root = {
            let _inside = store.guard();
            let rtxn = store.env.read_txn().unwrap();
            let stat = store.db.stat(&rtxn).unwrap();
            assert_eq!(stat.depth, 1);
            store.env.info().last_page_number as u64
        };
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(dir.join(DATA_FILE))
            .unwrap();
        f.seek(SeekFrom::Start(root * 4096 + 10)).unwrap();
        f.write_all(&[0x08, 0]).unwrap();
        drop(f);
        let err = store.get_many(&[b"/k/1".to_vec()]).unwrap_err();
        assert!(err.0.contains("damaged"), "{err}");
        assert!(!dir.join(DATA_FILE).exists(), "not set aside");
        assert_eq!(store.get_many(&[b"/k/1".to_vec()]), Ok(vec![None]));
        assert_eq!(store.write(&items), Ok(false));
        assert!(store.broken().is_some());
        drop(store);
        let fresh = Store::open(&dir, 1 << 20).unwrap();
        assert!(fresh.notices.is_empty());
        assert_eq!(fresh.get_many(&[b"/k/1".to_vec()]).unwrap(), vec![None]);
        drop(fresh);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn long_keys_are_shortened_distinctly() {
        let a = "/p".repeat(400);
        let b = format!("{a}x");
        let (ka, sa) = key_of(&a);
        let (kb, _) = key_of(&b);
        assert!(sa && ka.len() <= MAX_KEY && ka != kb);
        assert_eq!(key_of("/short").0.as_ref(), b"/short");
    }
}
