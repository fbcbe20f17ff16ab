//! The LMDB environment behind the memo: one per process per directory,
//! many readers and one writer across processes (LMDB's own locking), a map
//! that grows when full, and damaged files detected and set aside.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use heed::types::Bytes;
use heed::{Database, Env, EnvOpenOptions, MdbError, WithoutTls};

/// Keys longer than this are replaced by a hash (LMDB's limit is 511 bytes).
const MAX_KEY: usize = 480;
/// How much of a long path its shortened key keeps (before a NUL and the
/// 16 hex digits of its hash): a prefix scan can only use this much.
pub const SHORT_KEY_PREFIX: usize = MAX_KEY - 17;
const DATA_FILE: &str = "data.mdb";
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
    /// Set after an LMDB error that suggests damage: the memo is bypassed.
    broken: Mutex<Option<String>>,
    /// Writes queued by `queue`, committed together by `flush`: a commit
    /// costs a disk sync, too much to pay once per family.
    queued: Mutex<Vec<Change>>,
    /// What was noticed while opening (a damaged file set aside, say).
    pub notices: Vec<String>,
}

/// The memo key of a file path.
pub fn key_of(path: &str) -> (Vec<u8>, bool) {
    if path.len() <= MAX_KEY {
        return (path.as_bytes().to_vec(), false);
    }
    // A shortened key keeps a readable prefix; the record holds the full
    // path and a mismatch reads as a miss.
    let mut h = rustc_hash::FxHasher::default();
    std::hash::Hasher::write(&mut h, path.as_bytes());
    let mut key = path.as_bytes()[..SHORT_KEY_PREFIX].to_vec();
    key.push(0);
    key.extend_from_slice(format!("{:016x}", std::hash::Hasher::finish(&h)).as_bytes());
    (key, true)
}

impl Drop for Store {
    fn drop(&mut self) {
        // Best effort: a lost queued write only costs a parse later.
        let _ = self.flush();
    }
}

impl Store {
    /// Opens (creating if needed) the memo in `dir`. A data file that LMDB
    /// rejects or that is shorter than its own header says is renamed aside
    /// and a fresh memo is created, with a notice.
    pub fn open(dir: &Path, map_size: usize) -> Result<Store, MemoError> {
        fs::create_dir_all(dir).map_err(|e| {
            MemoError(format!(
                "cannot create memo directory {}: {e}",
                dir.display()
            ))
        })?;
        let mut notices = Vec::new();
        match Self::open_checked(dir, map_size) {
            Ok(store) => Ok(store),
            Err(Damage::Unusable(e)) => Err(e),
            Err(Damage::Corrupt(why)) => {
                let aside = dir.join(format!("{DATA_FILE}.corrupt-{}", std::process::id()));
                fs::rename(dir.join(DATA_FILE), &aside).map_err(|e| {
                    MemoError(format!(
                        "memo {} is damaged ({why}) and cannot be set aside: {e}",
                        dir.display()
                    ))
                })?;
                notices.push(format!(
                    "memo {} was damaged ({why}); moved to {} and rebuilt",
                    dir.display(),
                    aside.display()
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

    fn open_checked(dir: &Path, map_size: usize) -> Result<Store, Damage> {
        let data = dir.join(DATA_FILE);
        let file_len = fs::metadata(&data).map(|m| m.len()).ok();
        if file_len.is_some_and(|n| n > 0 && n < 2 * 4096) {
            return Err(Damage::Corrupt(format!(
                "{DATA_FILE} is only {} bytes",
                file_len.unwrap()
            )));
        }
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
            Err(heed::Error::Mdb(
                MdbError::Corrupted | MdbError::PageNotFound | MdbError::Invalid,
            )) => {
                drop(env.prepare_for_closing());
                return Err(Damage::Corrupt("LMDB reports a damaged database".into()));
            }
            Err(e) => return Err(Damage::Unusable(lmdb_err("cannot use memo", dir, e))),
        };
        Ok(Store {
            dir: dir.to_path_buf(),
            env,
            db,
            resize: RwLock::new(()),
            broken: Mutex::new(None),
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

    fn fail(&self, what: &str, e: heed::Error) -> MemoError {
        let err = lmdb_err(what, &self.dir, e);
        if let Ok(mut b) = self.broken.lock() {
            b.get_or_insert_with(|| err.0.clone());
        }
        err
    }

    /// Values for `keys`, read in one transaction; None for absent keys.
    pub fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, MemoError> {
        if let Some(why) = self.broken() {
            return Err(MemoError(why));
        }
        for _ in 0..3 {
            let guard = self.resize.read().unwrap_or_else(|p| p.into_inner());
            match self.env.read_txn() {
                Ok(rtxn) => {
                    let mut out = Vec::with_capacity(keys.len());
                    for k in keys {
                        match self.db.get(&rtxn, k) {
                            Ok(v) => out.push(v.map(|v| v.to_vec())),
                            Err(e) => return Err(self.fail("cannot read memo", e)),
                        }
                    }
                    return Ok(out);
                }
                Err(heed::Error::Mdb(MdbError::MapResized)) => {
                    drop(guard);
                    self.adopt_map_size()?;
                }
                Err(e) => return Err(self.fail("cannot read memo", e)),
            }
        }
        Err(MemoError("memo map keeps changing size".into()))
    }

    /// Another process grew the map: take its size.
    fn adopt_map_size(&self) -> Result<(), MemoError> {
        let _excl = self.resize.write().unwrap_or_else(|p| p.into_inner());
        // SAFETY: no transaction of this process is open while we hold the
        // exclusive lock; 0 means "the size recorded in the file".
        unsafe { self.env.resize(0) }.map_err(|e| self.fail("cannot resize memo", e))
    }

    fn grow(&self) -> Result<(), MemoError> {
        let _excl = self.resize.write().unwrap_or_else(|p| p.into_inner());
        let size = self.env.info().map_size.saturating_mul(2);
        // SAFETY: as in adopt_map_size.
        unsafe { self.env.resize(size) }.map_err(|e| self.fail("cannot grow memo", e))
    }

    /// Applies puts (`Some`) and deletes (`None`) in one write transaction,
    /// growing the map and retrying when it is full.
    pub fn write(&self, items: &[Change]) -> Result<(), MemoError> {
        if items.is_empty() {
            return Ok(());
        }
        if let Some(why) = self.broken() {
            return Err(MemoError(why));
        }
        for _ in 0..24 {
            let guard = self.resize.read().unwrap_or_else(|p| p.into_inner());
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
            drop(guard);
            match result {
                Ok(()) => return Ok(()),
                Err(heed::Error::Mdb(MdbError::MapFull)) => self.grow()?,
                Err(heed::Error::Mdb(MdbError::MapResized)) => self.adopt_map_size()?,
                Err(e) => return Err(self.fail("cannot write memo", e)),
            }
        }
        Err(MemoError("memo map cannot grow enough".into()))
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

    /// Commits the queued writes in one transaction; returns how many.
    pub fn flush(&self) -> Result<usize, MemoError> {
        let items = std::mem::take(&mut *self.queued.lock().unwrap_or_else(|p| p.into_inner()));
        self.write(&items)?;
        Ok(items.len())
    }

    /// Every key starting with `prefix`.
    pub fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, MemoError> {
        let _guard = self.resize.read().unwrap_or_else(|p| p.into_inner());
        let rtxn = self
            .env
            .read_txn()
            .map_err(|e| self.fail("cannot read memo", e))?;
        let iter = self
            .db
            .prefix_iter(&rtxn, prefix)
            .map_err(|e| self.fail("cannot read memo", e))?;
        let mut out = Vec::new();
        for item in iter {
            let (k, _) = item.map_err(|e| self.fail("cannot read memo", e))?;
            out.push(k.to_vec());
        }
        Ok(out)
    }

    /// Number of entries and the current map size in bytes.
    pub fn size(&self) -> (u64, usize) {
        let _guard = self.resize.read().unwrap_or_else(|p| p.into_inner());
        let entries = self
            .env
            .read_txn()
            .ok()
            .and_then(|t| self.db.len(&t).ok())
            .unwrap_or(0);
        (entries, self.env.info().map_size)
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
    fn long_keys_are_shortened_distinctly() {
        let a = "/p".repeat(400);
        let b = format!("{a}x");
        let (ka, sa) = key_of(&a);
        let (kb, _) = key_of(&b);
        assert!(sa && ka.len() <= MAX_KEY && ka != kb);
        assert_eq!(key_of("/short").0, b"/short".to_vec());
    }
}
