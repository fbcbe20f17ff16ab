//! Family directory listings kept in the memo, valid while the directory's
//! stamp is unchanged. A directory's mtime and ctime change whenever an entry
//! is added, removed or renamed in it, so an unchanged stamp means the same
//! names; rez keys its own memcached listings on the directory's inode and
//! mtime (`_get_version_dirs__key`). Reading the listing from the memo saves
//! a fresh process the directory's open, `getdents` and close (about 40% of
//! a warm family load on this project's VM, issue 12).
//!
//! Only entries whose kind cannot change while the name stays are kept: a
//! listing with a symbolic link (whose target may change kind or vanish
//! without touching this directory) is never remembered.

use super::record::{decode_stamped, encode_stamped, put_len, put_str, stamped_path, FileStamp};
use super::store::{key_of, MemoError, Store, SHORT_KEY_PREFIX};

/// Bumped whenever the layout below changes; older values read as misses.
/// 2: the word-wise checksum.
const FORMAT: u8 = 2;
/// Solver entries are keyed by absolute paths (starting with `/`); this tag
/// keeps listings apart from them, from definitions and from path scans.
const KEY_TAG: &[u8] = b"\0dir\0";

/// What an entry of a directory is (symbolic links are never remembered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Dir = 1,
    File = 2,
    /// Anything else (a socket, a device, ...): neither a file nor a directory.
    Other = 3,
}

impl EntryKind {
    fn from_byte(b: u8) -> Option<EntryKind> {
        match b {
            1 => Some(EntryKind::Dir),
            2 => Some(EntryKind::File),
            3 => Some(EntryKind::Other),
            _ => None,
        }
    }
}

/// A directory's entries, in the order the filesystem listed them.
pub type Entries = Vec<(String, EntryKind)>;

/// The memo key of the listing of directory `path`, and whether the path
/// had to be shortened (the value then keeps the full path).
pub fn listing_key(path: &str) -> (Vec<u8>, bool) {
    let (key, shortened) = key_of(path);
    ([KEY_TAG, &key].concat(), shortened)
}

/// The directories under `prefix` (a directory path ending in a
/// separator) whose listings the memo keeps, for pruning those that are
/// gone. A listing whose key was shortened is named by the full path its
/// value keeps (a damaged one is left: it is never served).
pub fn listing_paths(store: &Store, prefix: &str) -> Result<Vec<String>, MemoError> {
    let scan = &prefix.as_bytes()[..prefix.len().min(SHORT_KEY_PREFIX)];
    let keys = store.keys_with_prefix(&[KEY_TAG, scan].concat())?;
    let mut out = Vec::with_capacity(keys.len());
    let mut shortened = Vec::new();
    for key in keys {
        let path = &key[KEY_TAG.len()..];
        match path.contains(&0) {
            false => out.push(String::from_utf8_lossy(path).into_owned()),
            true => shortened.push(key),
        }
    }
    for value in store.get_many(&shortened)?.into_iter().flatten() {
        if let Some(path) = stamped_path(&value).filter(|p| !p.is_empty()) {
            out.push(path.to_string());
        }
    }
    out.retain(|p| p.starts_with(prefix));
    Ok(out)
}

/// The value remembering `entries` of directory `path` at `stamp`.
pub fn encode(path: &str, shortened: bool, stamp: &FileStamp, entries: &Entries) -> Vec<u8> {
    let text: usize = entries.iter().map(|(n, _)| n.len() + 3).sum();
    encode_stamped(FORMAT, path, shortened, stamp, text, |out| {
        put_len(out, entries.len());
        for (name, kind) in entries {
            out.push(*kind as u8);
            put_str(out, name);
        }
    })
}

/// The entries of an intact value stored for directory `path` at `stamp`;
/// None for another format, a damaged value or another stamp.
pub fn decode(value: &[u8], path: &str, shortened: bool, stamp: &FileStamp) -> Option<Entries> {
    let mut r = decode_stamped(value, FORMAT, path, shortened, stamp)?;
    let n = r.len()?;
    let mut entries = Vec::with_capacity(n.min(r.bytes.len()));
    for _ in 0..n {
        let (&kind, rest) = r.bytes.split_first()?;
        r.bytes = rest;
        entries.push((r.string()?.to_string(), EntryKind::from_byte(kind)?));
    }
    r.bytes.is_empty().then_some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> FileStamp {
        FileStamp {
            mtime_ns: 1_700_000_000_123_456_789,
            ctime_ns: 1_700_000_000_123_456_789,
            size: 4096,
            ino: 42,
        }
    }

    fn entries() -> Entries {
        vec![
            ("1.0".into(), EntryKind::Dir),
            (".ignore1.0".into(), EntryKind::File),
            ("odd".into(), EntryKind::Other),
        ]
    }

    #[test]
    fn round_trips() {
        let v = encode("/r/foo", false, &stamp(), &entries());
        assert_eq!(decode(&v, "/r/foo", false, &stamp()), Some(entries()));
        assert_eq!(decode(&v, "/r/foo", false, &stamp()).unwrap().len(), 3);
        let empty = encode("/r/foo", false, &stamp(), &Vec::new());
        assert_eq!(decode(&empty, "/r/foo", false, &stamp()), Some(Vec::new()));
    }

    #[test]
    fn another_stamp_format_or_path_is_a_miss() {
        let v = encode("/r/foo", true, &stamp(), &entries());
        let moved = FileStamp {
            mtime_ns: stamp().mtime_ns + 1,
            ..stamp()
        };
        assert_eq!(decode(&v, "/r/foo", true, &moved), None);
        assert_eq!(decode(&v, "/r/bar", true, &stamp()), None);
        let mut old = v.clone();
        old[0] = FORMAT + 1;
        let n = old.len() - 8; // the checksum's place: made valid again
        let sum = crate::memo::record::checksum(&old[..n]);
        old[n..].copy_from_slice(&sum.to_le_bytes());
        assert_eq!(decode(&old, "/r/foo", true, &stamp()), None);
    }

    #[test]
    fn any_damage_is_a_miss() {
        let v = encode("/r/foo", false, &stamp(), &entries());
        for i in 0..v.len() {
            let mut bad = v.clone();
            bad[i] ^= 0x20;
            assert_eq!(decode(&bad, "/r/foo", false, &stamp()), None, "byte {i}");
        }
        for n in 0..v.len() {
            assert_eq!(
                decode(&v[..n], "/r/foo", false, &stamp()),
                None,
                "cut at {n}"
            );
        }
    }

    #[test]
    fn listed_directories_are_named_by_their_full_paths() {
        let dir = std::env::temp_dir().join(format!("pyrer-listing-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir, 1 << 20).unwrap();
        let long = format!("/r/{}/fam", "d".repeat(600));
        let mut items = Vec::new();
        for path in ["/r/a", "/r/b", "/rx/c", long.as_str()] {
            let (key, shortened) = listing_key(path);
            items.push((key, Some(encode(path, shortened, &stamp(), &entries()))));
        }
        // a file's entry under the same prefix is not a listing
        items.push((b"/r/a/1.0/package.py".to_vec(), Some(vec![1])));
        store.write(&items).unwrap();
        let mut found = listing_paths(&store, "/r/").unwrap();
        found.sort();
        assert_eq!(found, ["/r/a", "/r/b", long.as_str()]);
        assert_eq!(
            listing_paths(&store, &format!("/r/{}/", "d".repeat(600))).unwrap(),
            [long.as_str()]
        );
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keys_stay_apart_from_paths_and_definitions() {
        let (key, shortened) = listing_key("/r/foo");
        assert!(!shortened);
        assert!(key.starts_with(KEY_TAG) && key.ends_with(b"/r/foo"));
        assert_ne!(key, super::super::definition_key("/r/foo").0);
    }
}
