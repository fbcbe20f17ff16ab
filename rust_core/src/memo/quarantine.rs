//! Setting a damaged memo aside so that the next process starts afresh.
//!
//! The data file is renamed to `data.mdb.corrupt-<pid>` and the lock file is
//! unlinked. Processes that still have them open keep the old inodes (Linux
//! semantics) and never meet the new files; the next process creates a fresh
//! pair. The lock file goes first: a process that opens in between then gets
//! a fresh lock file with the damaged data file (which it sets aside in
//! turn), never a second lock file for one data file, which would let two
//! writers into it at once.
//!
//! Every path is prepared in advance as a C string and the move itself uses
//! only `stat`, `unlink`, `rename` and `write`, all async-signal-safe, so the
//! crash guard can run it from a SIGSEGV/SIGBUS handler.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub const DATA_FILE: &str = "data.mdb";
pub const LOCK_FILE: &str = "lock.mdb";
const ASIDE_PREFIX: &str = "data.mdb.corrupt-";
/// Set-aside files kept for inspection; older ones are deleted at open.
const KEEP_ASIDE: usize = 2;

/// How to set aside one memo's data file: the file this process opened.
pub struct Quarantine {
    data: CString,
    lock: CString,
    aside: CString,
    aside_path: PathBuf,
    /// Identity of the data file this process opened: a file someone else
    /// already replaced (a fresh memo) is left alone.
    dev: u64,
    ino: u64,
    /// Written to stderr when the move happens in a signal handler.
    fault_notice: Vec<u8>,
    done: AtomicBool,
}

impl Quarantine {
    /// The quarantine of the data file now in `dir`, if there is one.
    pub fn of(dir: &Path) -> Option<Quarantine> {
        use std::os::unix::fs::MetadataExt;
        let data_path = dir.join(DATA_FILE);
        let meta = fs::metadata(&data_path).ok()?;
        let aside_path = dir.join(format!("{ASIDE_PREFIX}{}", std::process::id()));
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).ok();
        Some(Quarantine {
            data: c(&data_path)?,
            lock: c(&dir.join(LOCK_FILE))?,
            aside: c(&aside_path)?,
            fault_notice: format!(
                "pyrer: the package memo {} is damaged (the process faulted inside it); \
                 moved to {}, the next run starts a fresh memo\n",
                dir.display(),
                aside_path.display()
            )
            .into_bytes(),
            aside_path,
            dev: meta.dev(),
            ino: meta.ino(),
            done: AtomicBool::new(false),
        })
    }

    pub fn aside_path(&self) -> &Path {
        &self.aside_path
    }

    /// Moves the data file aside (once per process); Ok(false) when it was
    /// already moved or replaced. Async-signal-safe.
    pub fn set_aside(&self) -> Result<bool, i32> {
        if self.done.swap(true, Ordering::SeqCst) {
            return Ok(false);
        }
        // SAFETY: plain syscalls on NUL-terminated paths owned by self; the
        // stat buffer is a local.
        unsafe {
            let mut st: libc::stat = std::mem::zeroed();
            if libc::stat(self.data.as_ptr(), &mut st) != 0 {
                return Ok(false);
            }
            if st.st_dev as u64 != self.dev || st.st_ino as u64 != self.ino {
                return Ok(false);
            }
            libc::unlink(self.lock.as_ptr());
            if libc::rename(self.data.as_ptr(), self.aside.as_ptr()) != 0 {
                return Err(errno());
            }
        }
        Ok(true)
    }

    /// `set_aside` from a signal handler: also says so on stderr.
    pub fn set_aside_in_signal_handler(&self) {
        if let Ok(true) = self.set_aside() {
            // SAFETY: write(2) of a buffer owned by self.
            unsafe {
                libc::write(
                    2,
                    self.fault_notice.as_ptr().cast(),
                    self.fault_notice.len(),
                );
            }
        }
    }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Deletes all but the newest few set-aside data files in `dir`: each is as
/// large as the memo was, and a machine that keeps damaging memos (failing
/// disk) must not fill up with them.
pub fn prune_set_aside(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut aside: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .as_bytes()
                .starts_with(ASIDE_PREFIX.as_bytes())
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    aside.sort_by_key(|a| std::cmp::Reverse(a.0));
    for (_, path) in aside.into_iter().skip(KEEP_ASIDE) {
        let _ = fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pyrer-quar-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn moves_the_opened_file_once() {
        let dir = temp_dir("once");
        fs::write(dir.join(DATA_FILE), b"old").unwrap();
        fs::write(dir.join(LOCK_FILE), b"lock").unwrap();
        let q = Quarantine::of(&dir).unwrap();
        assert_eq!(q.set_aside(), Ok(true));
        assert!(!dir.join(DATA_FILE).exists() && !dir.join(LOCK_FILE).exists());
        assert_eq!(fs::read(q.aside_path()).unwrap(), b"old");
        assert_eq!(q.set_aside(), Ok(false));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn leaves_a_replaced_file_alone() {
        let dir = temp_dir("replaced");
        fs::write(dir.join(DATA_FILE), b"old").unwrap();
        let q = Quarantine::of(&dir).unwrap();
        fs::rename(dir.join(DATA_FILE), dir.join("elsewhere")).unwrap();
        fs::write(dir.join(DATA_FILE), b"fresh").unwrap();
        assert_eq!(q.set_aside(), Ok(false));
        assert_eq!(fs::read(dir.join(DATA_FILE)).unwrap(), b"fresh");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn keeps_only_the_newest_set_aside_files() {
        let dir = temp_dir("prune");
        for i in 0..5 {
            let p = dir.join(format!("{ASIDE_PREFIX}{i}"));
            fs::write(&p, b"x").unwrap();
            let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000 + i);
            fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        prune_set_aside(&dir);
        let mut left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [format!("{ASIDE_PREFIX}3"), format!("{ASIDE_PREFIX}4")]
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
