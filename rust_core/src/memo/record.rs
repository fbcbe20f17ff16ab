//! The memo's value format: a file stamp, what kind of answer is stored, and
//! the solver fields (`requires`, `variants`) in the solver's own record
//! layout ([`PackageData`]: the strings back to back, with their lengths
//! ahead of them), closed by a checksum. Name and version are not stored:
//! rez takes them from the directory layout, never from the file.
//!
//! Why strings and not parsed ranges: a fresh solve reads every package in
//! the requested ranges but merges the requirements of few distinct lists
//! (request 172 of rez's benchmark: 5,856 packages, 2,010 distinct merged
//! lists), and parsing is memoised per text per process. What a warm load
//! pays per package is decoding, so the value is laid out to decode with one
//! UTF-8 check and one copy, and it says whether the writer already checked
//! the requirements against rez's package schema (`CHECKED`), which is the
//! part of parsing every package would otherwise repeat.

use crate::package::{is_schema_requirement, PackageData};

/// Bumped whenever the layout below changes; older values read as misses.
/// 2: the package's release timestamp after the file stamp.
/// 3: a flags byte after the origin (`CHECKED`); string lengths ahead of
///    the strings, which are stored back to back; the word-wise checksum.
const FORMAT: u8 = 3;
const HEADER: usize = 3 + 8 * 5;
/// Flag: every requirement string passed the solver's schema check when the
/// value was written, so a process reading it need not check them again.
const CHECKED: u8 = 1;
const CHECKSUM: usize = 8;

/// What identifies one version of a file on disk. An entry is served only
/// while every field still matches the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub size: u64,
    pub ino: u64,
}

impl FileStamp {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            ctime_ns: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
            size: meta.size(),
            ino: meta.ino(),
        }
    }

    /// The stamp of a `stat` result: the same fields as [`FileStamp::of`].
    #[cfg(unix)]
    pub fn of_stat(st: &libc::stat) -> FileStamp {
        FileStamp {
            mtime_ns: st.st_mtime * 1_000_000_000 + st.st_mtime_nsec,
            ctime_ns: st.st_ctime * 1_000_000_000 + st.st_ctime_nsec,
            size: st.st_size as u64,
            ino: st.st_ino,
        }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        let ns = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i64)
        };
        FileStamp {
            mtime_ns: ns(meta.modified()),
            ctime_ns: ns(meta.created()),
            size: meta.len(),
            ino: 0,
        }
    }
}

impl FileStamp {
    /// No file's stamp: stands for one not read yet.
    pub const UNKNOWN: FileStamp = FileStamp {
        mtime_ns: 0,
        ctime_ns: 0,
        size: 0,
        ino: 0,
    };

    /// The length of a stamp in a memo value.
    pub(super) const ENCODED_LEN: usize = 8 * 4;

    /// Appends the stamp as four little-endian words.
    pub(super) fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.mtime_ns.to_le_bytes());
        out.extend_from_slice(&self.ctime_ns.to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&self.ino.to_le_bytes());
    }

    /// The stamp `encode_into` wrote at the start of `bytes` (which holds
    /// at least `ENCODED_LEN` bytes).
    pub(super) fn decode(bytes: &[u8]) -> FileStamp {
        let word = |i: usize| u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap());
        FileStamp {
            mtime_ns: word(0) as i64,
            ctime_ns: word(1) as i64,
            size: word(2),
            ino: word(3),
        }
    }

    /// Whether the file's timestamps are far enough behind `now_ns` that a
    /// later rewrite must change them. A file rewritten within the same
    /// timestamp tick as it was read keeps its stamp (git's "racily clean"
    /// problem), so an entry is only written once the file has been still
    /// for longer than a tick: 50 ms where the timestamps carry sub-second
    /// digits (the kernel's coarse clock ticks every few ms), 2 s where they
    /// are whole seconds (ext3, FAT's 2 s, some network filesystems). A
    /// stamp in the future (clock skew) is never settled.
    pub fn is_settled(&self, now_ns: i64) -> bool {
        const NS: i64 = 1_000_000_000;
        let latest = self.mtime_ns.max(self.ctime_ns);
        let coarse = self.mtime_ns % NS == 0 && self.ctime_ns % NS == 0;
        let tick = if coarse { 2 * NS } else { 50_000_000 };
        now_ns.saturating_sub(latest) > tick
    }
}

/// The current time in the units of [`FileStamp`].
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// How the stored fields were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The file's module runs statically: pyrer's parser read it, or rez's
    /// evaluator did where the parser leaves the schema to rez.
    Static = 1,
    /// rez's own evaluator loaded the file (`@early`, imports, ...).
    Evaluated = 2,
    /// rez binds `requires` late: only rez's solver may answer. No fields.
    LateBound = 3,
}

/// One decoded memo value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub stamp: FileStamp,
    pub origin: Origin,
    /// rez's `timestamp` (0: none).
    pub timestamp: i64,
    pub requires: Vec<String>,
    pub variants: Vec<Vec<String>>,
    /// The full path, kept only when the key had to be shortened.
    pub path: Option<String>,
}

impl Record {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 24 * self.requires.len());
        out.push(FORMAT);
        out.push(self.origin as u8);
        // checked here, by the reader's own rule, whoever built the record
        let all = || self.requires.iter().chain(self.variants.iter().flatten());
        let checked = all().all(|s| is_schema_requirement(s));
        out.push(if checked { CHECKED } else { 0 });
        self.stamp.encode_into(&mut out);
        out.extend_from_slice(&self.timestamp.to_le_bytes());
        // counts, then every string's length, the path, then the text
        put_len(&mut out, self.requires.len());
        put_len(&mut out, self.variants.len());
        self.variants
            .iter()
            .for_each(|v| put_len(&mut out, v.len()));
        all().for_each(|s| put_len(&mut out, s.len()));
        put_str(&mut out, self.path.as_deref().unwrap_or(""));
        all().for_each(|s| out.extend_from_slice(s.as_bytes()));
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// None for anything that is not an intact value of this format.
    pub fn decode(bytes: &[u8]) -> Option<Record> {
        let r = RecordRef::decode(bytes)?;
        // read through the record layout the solver uses
        let mut b = PackageData::builder("", "", r.text.len());
        b.extend_packed(r.text, &r.ends, &r.variant_starts);
        let data = b.build();
        let requires = data.requires().map(String::from).collect();
        let variants = data
            .variants()
            .map(|v| v.map(String::from).collect())
            .collect();
        Some(Record {
            stamp: r.stamp,
            origin: r.origin,
            timestamp: r.timestamp,
            requires,
            variants,
            path: r.path.map(String::from),
        })
    }
}

/// A memo value decoded in place: its strings borrow the stored bytes, so a
/// hit costs no allocation per string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub stamp: FileStamp,
    pub origin: Origin,
    /// Every requirement string passed the solver's schema check when the
    /// value was written (see [`PackageData::requirements_checked`]).
    pub checked: bool,
    pub timestamp: i64,
    /// The requirement strings back to back: the package's, then each
    /// variant's.
    pub text: &'a str,
    /// The end offset in `text` of each string (all on char boundaries).
    pub ends: Vec<usize>,
    /// The index into `ends` of each variant's first string.
    pub variant_starts: Vec<usize>,
    pub path: Option<&'a str>,
}

impl<'a> RecordRef<'a> {
    /// None for anything that is not an intact value of this format.
    pub fn decode(bytes: &'a [u8]) -> Option<RecordRef<'a>> {
        if bytes.len() < HEADER + CHECKSUM || bytes[0] != FORMAT {
            return None;
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM);
        if checksum(body).to_le_bytes() != sum {
            return None;
        }
        let origin = match body[1] {
            1 => Origin::Static,
            2 => Origin::Evaluated,
            3 => Origin::LateBound,
            _ => return None,
        };
        let checked = match body[2] {
            0 => false,
            CHECKED => true,
            _ => return None,
        };
        let stamp = FileStamp::decode(&body[3..]);
        let at = 3 + FileStamp::ENCODED_LEN;
        let timestamp = i64::from_le_bytes(body[at..at + 8].try_into().unwrap());
        let mut r = Reader {
            bytes: &body[HEADER..],
        };
        // every count is bounded by the bytes left (no huge allocation)
        let bounded = |r: &mut Reader<'_>| r.len().filter(|&n| n <= r.bytes.len());
        let n_requires = bounded(&mut r)?;
        let n_variants = bounded(&mut r)?;
        let mut variant_starts = Vec::with_capacity(n_variants);
        let mut strings = n_requires;
        for _ in 0..n_variants {
            variant_starts.push(strings);
            strings = strings.checked_add(bounded(&mut r)?)?;
        }
        if strings > r.bytes.len() {
            return None;
        }
        let mut ends = Vec::with_capacity(strings);
        let mut end = 0usize;
        for _ in 0..strings {
            end = end.checked_add(r.len()?)?;
            ends.push(end);
        }
        let path = r.string()?;
        if end != r.bytes.len() {
            return None;
        }
        // one UTF-8 check for all the text, then its cuts
        let text = std::str::from_utf8(r.bytes).ok()?;
        if !ends.iter().all(|&e| text.is_char_boundary(e)) {
            return None;
        }
        Some(RecordRef {
            stamp,
            origin,
            checked,
            timestamp,
            text,
            ends,
            variant_starts,
            path: (!path.is_empty()).then_some(path),
        })
    }
}

/// The framing of values kept under a tag of their own beside a path's
/// solver entry (whole definitions, directory listings): a format byte, the
/// stamp the value is valid for, the full path where the key had to be
/// shortened, the body `write` writes, and a checksum.
pub(super) fn encode_stamped(
    format: u8,
    path: &str,
    shortened: bool,
    stamp: &FileStamp,
    body_hint: usize,
    write: impl FnOnce(&mut Vec<u8>),
) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + FileStamp::ENCODED_LEN + body_hint + 24);
    out.push(format);
    stamp.encode_into(&mut out);
    put_str(&mut out, if shortened { path } else { "" });
    write(&mut out);
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// A reader of the body of an intact value `encode_stamped` wrote in
/// `format` for `path` at `stamp`; None for another format, a damaged
/// value (checksum), another stamp or, where the key was shortened, another
/// path.
pub(super) fn decode_stamped<'a>(
    value: &'a [u8],
    format: u8,
    path: &str,
    shortened: bool,
    stamp: &FileStamp,
) -> Option<Reader<'a>> {
    const HEADER: usize = 1 + FileStamp::ENCODED_LEN;
    const CHECKSUM: usize = 8;
    if value.len() < HEADER + CHECKSUM || value[0] != format {
        return None;
    }
    let (body, sum) = value.split_at(value.len() - CHECKSUM);
    if checksum(body).to_le_bytes() != sum || FileStamp::decode(&body[1..]) != *stamp {
        return None;
    }
    let mut r = Reader {
        bytes: &body[HEADER..],
    };
    let full_path = r.string()?;
    if shortened && full_path != path {
        return None;
    }
    Some(r)
}

/// The full path an intact value `encode_stamped` wrote carries where its
/// key had to be shortened ("" where it was not), whatever its format or
/// stamp: enough to tell which file or directory a value was for.
pub(super) fn stamped_path(value: &[u8]) -> Option<&str> {
    const HEADER: usize = 1 + FileStamp::ENCODED_LEN;
    const CHECKSUM: usize = 8;
    if value.len() < HEADER + CHECKSUM {
        return None;
    }
    let (body, sum) = value.split_at(value.len() - CHECKSUM);
    if checksum(body).to_le_bytes() != sum {
        return None;
    }
    Reader {
        bytes: &body[HEADER..],
    }
    .string()
}

/// A 64-bit checksum, enough to catch torn or flipped bytes in a value.
/// Eight bytes a step (byte-at-a-time FNV-1a was a tenth of a warm load's
/// decoding): each step is a bijection of the state for a given word, so a
/// value that differs in one word, or in its length, sums differently.
pub(super) fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let step = |h: u64, w: u64| {
        let h = (h ^ w).wrapping_mul(K);
        h ^ (h >> 29)
    };
    let mut h = step(0x243F_6A88_85A3_08D3, bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = step(h, u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    step(h, u64::from_le_bytes(tail))
}

pub(super) fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(super) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn len(&mut self) -> Option<usize> {
        let mut n: usize = 0;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            n |= ((byte & 0x7f) as usize).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    pub(super) fn string(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        if n > self.bytes.len() {
            return None;
        }
        let (s, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        std::str::from_utf8(s).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn racily_clean_stamps_are_not_settled() {
        let stamp = |mtime_ns: i64, ctime_ns: i64| FileStamp {
            mtime_ns,
            ctime_ns,
            size: 1,
            ino: 1,
        };
        let now = 1_700_000_000_123_456_789;
        assert!(stamp(now - 60_000_000_000, now - 1_000_000_000).is_settled(now));
        assert!(!stamp(now - 60_000_000_000, now - 10_000_000).is_settled(now));
        assert!(!stamp(now + 5, now + 5).is_settled(now));
        // whole-second timestamps: the tick may be up to 2 s
        let whole = 1_700_000_000_000_000_000;
        assert!(!stamp(whole, whole).is_settled(whole + 1_500_000_000));
        assert!(stamp(whole, whole).is_settled(whole + 2_500_000_000));
    }

    fn sample() -> Record {
        Record {
            stamp: FileStamp {
                mtime_ns: 1_700_000_000_123_456_789,
                ctime_ns: -5,
                size: 321,
                ino: 42,
            },
            origin: Origin::Static,
            timestamp: -1_600_000_000,
            requires: vec!["python-3.7+<4".into(), "~maya".into(), "é".into()],
            variants: vec![vec![], vec!["platform-linux".into(), "a".repeat(300)]],
            path: None,
        }
    }

    #[test]
    fn round_trips() {
        let r = sample();
        assert_eq!(Record::decode(&r.encode()), Some(r.clone()));
        let long = Record {
            path: Some("/x".repeat(400)),
            origin: Origin::LateBound,
            ..r
        };
        assert_eq!(Record::decode(&long.encode()), Some(long));
    }

    #[test]
    fn the_writer_checks_the_requirements() {
        let valid = Record {
            requires: vec![
                "python-3.7+<4".into(),
                "~maya".into(),
                "!b".into(),
                ".e-1".into(),
            ],
            variants: vec![vec!["platform-linux".into()]],
            ..sample()
        };
        let decoded = |r: &Record| RecordRef::decode(&r.encode()).unwrap().checked;
        assert!(decoded(&valid));
        for bad in ["a-b-", "é", "a..b-1", "-1", "!.e"] {
            let mut invalid = valid.clone();
            invalid.variants[0].push(bad.into());
            assert!(!decoded(&invalid), "{bad}");
        }
        // an unknown flag is damage, not a hint
        let mut bytes = valid.encode();
        bytes[2] = 0x80;
        let body = bytes.len() - CHECKSUM;
        let sum = checksum(&bytes[..body]);
        bytes[body..].copy_from_slice(&sum.to_le_bytes());
        assert_eq!(RecordRef::decode(&bytes), None);
    }

    #[test]
    fn an_older_format_is_a_miss() {
        let mut bytes = sample().encode();
        bytes[0] = FORMAT - 1;
        let body = bytes.len() - CHECKSUM;
        let sum = checksum(&bytes[..body]);
        bytes[body..].copy_from_slice(&sum.to_le_bytes());
        assert_eq!(Record::decode(&bytes), None);
    }

    /// Bodies that pass the checksum but were not written by `encode` (a
    /// forged or buggy writer) decode to None or to a consistent record,
    /// never a panic.
    #[test]
    fn forged_bodies_never_panic() {
        let mut rng = crate::test_rng::XorShift::new(0x1234_5678);
        let mut next = move || rng.next_u64();
        let base = sample().encode();
        let mut decoded = 0;
        for _ in 0..20_000 {
            let mut body = base[..base.len() - CHECKSUM].to_vec();
            // small counts and lengths, cuts and splices after the header
            for _ in 0..(next() % 4 + 1) {
                if body.len() <= HEADER {
                    break;
                }
                let at = HEADER + (next() as usize % (body.len() - HEADER));
                match next() % 3 {
                    0 => body[at] = (next() % 8) as u8,
                    1 => body[at] = next() as u8,
                    _ => body.truncate(at),
                }
            }
            let sum = checksum(&body);
            body.extend_from_slice(&sum.to_le_bytes());
            if let Some(r) = RecordRef::decode(&body) {
                let mut b = PackageData::builder("n", "1", 0);
                b.extend_packed(r.text, &r.ends, &r.variant_starts);
                let data = b.build();
                let n: usize =
                    data.requires().len() + data.variants().map(|v| v.len()).sum::<usize>();
                assert_eq!(n, r.ends.len());
                decoded += 1;
            }
        }
        // both outcomes were exercised
        assert!(decoded > 0 && decoded < 20_000, "{decoded}");
    }

    #[test]
    fn any_damage_is_a_miss() {
        let bytes = sample().encode();
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            assert_eq!(Record::decode(&bad), None, "flip at {i}");
            assert_eq!(Record::decode(&bytes[..i]), None, "cut at {i}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Record::decode(&longer), None);
    }
}
