//! Whole package definitions: what rez's loader returned for a file, as
//! opaque bytes (`pyrer.definitions` chooses the encoding), kept under a key
//! of their own beside the file's solver entry and served only while the
//! file's stamp is unchanged. A value of another format, a damaged value
//! (checksum) or a stale one reads as a miss.

use super::record::{decode_stamped, encode_stamped, now_ns, put_len, FileStamp};
use super::store::{key_of, MemoError, Store};

/// Bumped whenever the layout below changes; older values read as misses.
/// 2: the word-wise checksum.
const FORMAT: u8 = 2;
/// Solver entries are keyed by absolute paths (starting with `/`), so this
/// tag keeps definitions apart from them and from prefix scans of paths.
const KEY_TAG: &[u8] = b"\0def\0";

/// The memo key of `path`'s definition, and whether the path had to be
/// shortened (the value then keeps the full path).
pub fn definition_key(path: &str) -> (Vec<u8>, bool) {
    let (key, shortened) = key_of(path);
    ([KEY_TAG, &key].concat(), shortened)
}

fn encode(path: &str, shortened: bool, stamp: &FileStamp, payload: &[u8]) -> Vec<u8> {
    encode_stamped(FORMAT, path, shortened, stamp, payload.len(), |out| {
        put_len(out, payload.len());
        out.extend_from_slice(payload);
    })
}

/// The payload of an intact value stored for `path` at `stamp`; None otherwise.
fn decode<'a>(value: &'a [u8], path: &str, shortened: bool, stamp: &FileStamp) -> Option<&'a [u8]> {
    let mut r = decode_stamped(value, FORMAT, path, shortened, stamp)?;
    let n = r.len()?;
    (r.bytes.len() == n).then_some(r.bytes)
}

/// The definition stored for `path` while the file is still at `stamp`.
pub fn lookup_definition(
    store: &Store,
    path: &str,
    stamp: &FileStamp,
) -> Result<Option<Vec<u8>>, MemoError> {
    let (key, shortened) = definition_key(path);
    Ok(store
        .read_many(&[key], |_, v| {
            decode(v, path, shortened, stamp).map(<[u8]>::to_vec)
        })?
        .pop()
        .flatten())
}

/// Queues `payload` as `path`'s definition at `stamp`, read before rez
/// loaded the file. Not remembered (false) when the file has changed since
/// (`current` differs) or changed too recently for a later edit to be sure
/// to change its stamp.
pub fn remember_definition(
    store: &Store,
    path: &str,
    stamp: &FileStamp,
    current: &FileStamp,
    payload: &[u8],
) -> Result<bool, MemoError> {
    if stamp != current || !stamp.is_settled(now_ns()) {
        return Ok(false);
    }
    let (key, shortened) = definition_key(path);
    store.queue(vec![(key, Some(encode(path, shortened, stamp, payload)))])?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> FileStamp {
        FileStamp {
            mtime_ns: 1_600_000_000_000_000_001,
            ctime_ns: 1_600_000_000_000_000_002,
            size: 77,
            ino: 9,
        }
    }

    #[test]
    fn a_value_round_trips_only_for_its_stamp_and_path() {
        let payload = b"{\"name\": \"foo\"}";
        let v = encode("/r/foo/1/package.py", false, &stamp(), payload);
        assert_eq!(
            decode(&v, "/r/foo/1/package.py", false, &stamp()),
            Some(&payload[..])
        );
        let other = FileStamp {
            size: 78,
            ..stamp()
        };
        assert_eq!(decode(&v, "/r/foo/1/package.py", false, &other), None);
        let long = "/r/".to_string() + &"x".repeat(600);
        let (_, shortened) = definition_key(&long);
        assert!(shortened);
        let v = encode(&long, true, &stamp(), payload);
        assert_eq!(decode(&v, &long, true, &stamp()), Some(&payload[..]));
        assert_eq!(decode(&v, &(long.clone() + "y"), true, &stamp()), None);
    }

    #[test]
    fn damaged_or_older_values_are_misses() {
        let v = encode("/p", false, &stamp(), b"payload");
        for i in 0..v.len() {
            let mut bad = v.clone();
            bad[i] ^= 0x20;
            assert_eq!(decode(&bad, "/p", false, &stamp()), None, "flip at {i}");
            assert_eq!(decode(&v[..i], "/p", false, &stamp()), None, "cut at {i}");
        }
        let mut older = v.clone();
        older[0] = FORMAT.wrapping_sub(1);
        let n = older.len() - 8; // the checksum's place
        let sum = crate::memo::record::checksum(&older[..n]);
        older[n..].copy_from_slice(&sum.to_le_bytes());
        assert_eq!(decode(&older, "/p", false, &stamp()), None);
    }

    #[test]
    fn definition_keys_never_collide_with_path_keys() {
        let (k, _) = definition_key("/a/b/package.py");
        assert!(!k.starts_with(b"/"));
        assert!(k.len() <= 511, "LMDB's key limit");
        let (k, _) = definition_key(&("/".to_string() + &"z".repeat(2000)));
        assert!(k.len() <= 511);
    }
}
