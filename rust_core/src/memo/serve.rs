//! Serving package definition files from the memo: one read transaction for
//! a batch of files, misses read and parsed in parallel and written back in
//! one write transaction, and whatever the static parser declines handed
//! back for rez's own evaluator.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::package::PackageData;
use crate::package_py::{parse_static_package_in, VersionFallback};

/// `requires`, `variants` and `timestamp`.
pub type Fields = (Vec<String>, Vec<Vec<String>>, i64);

use super::layout::{FileFormat, PackageFile};
use super::record::{now_ns, FileStamp, Origin, Record, RecordRef};
use super::store::{key_of, Store};

/// Why a remembered evaluation is not served (see [`ServeOptions`]).
pub const EVALUATED_EACH_TIME: &str = "dynamic: rez evaluates it on every load";

/// One file of a family, and the family it belongs to.
#[derive(Clone, Debug)]
pub struct FamilyFile {
    /// Shared by the family's files.
    pub family: std::sync::Arc<str>,
    pub file: PackageFile,
}

/// What became of one file.
#[derive(Debug)]
pub enum Outcome {
    /// Served from the memo (no file opened).
    MemoHit(PackageData),
    /// Served from the memo for a file whose stamp was not read: the stamp
    /// its record was written for, to be checked before the answer is used
    /// (see [`super::stamp_check`]).
    MemoHitUnchecked(PackageData, FileStamp),
    /// A file whose stamp was not read and which the memo cannot answer
    /// cleanly: its family must be loaded with the stamp read now.
    StampNeeded,
    /// Read and parsed now (and written to the memo).
    Parsed(PackageData),
    /// rez binds this package's `requires` late (known from the memo).
    LateBound,
    /// The static parser declines it (or it is YAML): rez must evaluate it.
    NeedsEvaluation(String),
    /// The file could not be read now (rez will report it, if it matters).
    Unreadable(String),
}

/// How a batch of files is served.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServeOptions {
    /// Queue the memo writes for the store's next flush instead of
    /// committing them now.
    pub defer_writes: bool,
    /// Serve what rez's evaluator produced for a file from the memo. Stock
    /// rez evaluates such files again in every process (unless it caches
    /// them in memcached), so a result that depends on the environment or
    /// on another file follows it; remembering is only faithful where rez
    /// remembers too, or where a studio opts in.
    pub serve_evaluated: bool,
    /// Serve memo hits only: a file the memo cannot answer is not read (it
    /// is left to rez's evaluator, see `NOT_IN_MEMO`). For loads ahead of
    /// need, which must not open files a solve may never use.
    pub memo_only: bool,
    /// Do not stat version directories' definition files: serve each from
    /// its memo record, whose stamp is then checked later (see
    /// [`super::stamp_check`]); a family the memo cannot answer so is
    /// loaded again with its stamps read.
    pub defer_stamps: bool,
}

/// Why a file was not read under [`ServeOptions::memo_only`].
pub const NOT_IN_MEMO: &str = "not in the memo (a memo-only load reads no file)";

/// Tallies for logging and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub memo_hits: u64,
    pub parsed: u64,
    pub needs_evaluation: u64,
    pub late_bound: u64,
    pub files_read: u64,
    pub io_errors: u64,
    pub memo_writes: u64,
    /// Writes the memo did not take (it stopped, or the disk is full).
    pub memo_writes_dropped: u64,
    /// Parsed files not remembered because they changed too recently
    /// (see `FileStamp::is_settled`).
    pub not_settled: u64,
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.memo_hits += o.memo_hits;
        self.parsed += o.parsed;
        self.needs_evaluation += o.needs_evaluation;
        self.late_bound += o.late_bound;
        self.files_read += o.files_read;
        self.io_errors += o.io_errors;
        self.memo_writes += o.memo_writes;
        self.memo_writes_dropped += o.memo_writes_dropped;
        self.not_settled += o.not_settled;
    }
}

fn package<S: AsRef<str>>(
    ff: &FamilyFile,
    requires: &[S],
    variants: &[Vec<S>],
    timestamp: i64,
) -> PackageData {
    let len = |v: &[S]| v.iter().map(|s| s.as_ref().len()).sum::<usize>();
    let text = ff.family.len()
        + ff.file.version.len()
        + len(requires)
        + variants.iter().map(|v| len(v)).sum::<usize>();
    // sized up front: one allocation for all the text
    let mut b = PackageData::builder(&ff.family, &ff.file.version, text);
    b.set_timestamp(timestamp);
    requires.iter().for_each(|r| b.push(r.as_ref()));
    for v in variants {
        b.start_variant();
        v.iter().for_each(|r| b.push(r.as_ref()));
    }
    b.build()
}

/// The package a memo value describes: its text copied once, as stored.
fn package_of_record(ff: &FamilyFile, rec: &RecordRef<'_>) -> PackageData {
    let room = ff.family.len() + ff.file.version.len() + rec.text.len();
    let mut b = PackageData::builder_for(&ff.family, &ff.file.version, room, rec.ends.len());
    b.set_timestamp(rec.timestamp);
    if rec.checked {
        b.mark_checked();
    }
    b.extend_packed(rec.text, &rec.ends, &rec.variant_starts);
    b.build()
}

/// A memo value still valid for `ff`, decoded in place.
fn valid_record<'v>(
    ff: &FamilyFile,
    path: &str,
    value: &'v [u8],
    shortened: bool,
) -> Option<RecordRef<'v>> {
    let rec = RecordRef::decode(value)?;
    if rec.stamp != ff.file.stamp && !ff.file.stamp_deferred {
        return None;
    }
    if shortened && rec.path != Some(path) {
        return None;
    }
    Some(rec)
}

/// Why a file without a `timestamp` is left to rez's evaluator.
const OLD_RELEASE_METADATA: &str =
    "no timestamp, and old release metadata beside it (rez reads release.yaml or .metadata)";

/// Whether rez would read a pre-2.0 release record for the package whose
/// definition file is `path` (rez's `_load_old_formats`, for a file without
/// a `timestamp`): `release.yaml`, or a `.metadata` folder, beside it. Those
/// can set the timestamp, or any other field, which only rez's loader reads.
fn has_old_release_metadata(path: &Path) -> bool {
    let Some(dir) = path.parent() else {
        return false;
    };
    dir.join("release.yaml").is_file() || dir.join(".metadata").is_dir()
}

/// Reads a file, returning its text only if it did not change while read
/// (same stamp before and after, equal to the stamp the layout saw).
fn read_stable(path: &Path, expected: &FileStamp) -> Result<Option<String>, String> {
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let before = file.metadata().map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(before.len() as usize + 1);
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let after = file.metadata().map_err(|e| e.to_string())?;
    let (before, after) = (FileStamp::of(&before), FileStamp::of(&after));
    if before != after || before != *expected {
        return Ok(None);
    }
    Ok(String::from_utf8(bytes).ok())
}

/// Serves `files`. Hits come from one read transaction; misses are parsed
/// on the rayon pool and written back in one transaction (or queued for the
/// store's next flush, see [`ServeOptions`]). Memo errors are returned as
/// notices and the files are served from disk.
pub fn serve_files(
    store: Option<&Store>,
    files: &[FamilyFile],
    options: ServeOptions,
) -> (Vec<Outcome>, Counters, Vec<String>) {
    let mut counters = Counters::default();
    let mut notices = Vec::new();
    // borrowed where the path is UTF-8 (no copy per file on a warm load)
    let paths: Vec<std::borrow::Cow<'_, str>> = files
        .iter()
        .map(|f| f.file.path.to_string_lossy())
        .collect();
    let keys: Vec<_> = paths.iter().map(|p| key_of(p)).collect();

    // Hits are decoded inside the read transaction, straight from the map.
    let hit = |i: usize, value: &[u8]| -> Option<Outcome> {
        let ff = &files[i];
        let rec = valid_record(ff, &paths[i], value, keys[i].1)?;
        if ff.file.stamp_deferred {
            // only a plain answer is taken on trust until its stamp is checked
            return match rec.origin {
                Origin::Static => Some(Outcome::MemoHitUnchecked(
                    package_of_record(ff, &rec),
                    rec.stamp,
                )),
                _ => Some(Outcome::StampNeeded),
            };
        }
        Some(match rec.origin {
            Origin::LateBound => Outcome::LateBound,
            // Unchanged since the parser declined it: no need to read it.
            // (YAML is plain data: its evaluation cannot change.)
            Origin::Evaluated if !options.serve_evaluated && ff.file.format != FileFormat::Yaml => {
                Outcome::NeedsEvaluation(EVALUATED_EACH_TIME.into())
            }
            _ => Outcome::MemoHit(package_of_record(ff, &rec)),
        })
    };
    let mut outcomes: Vec<Option<Outcome>> = match store {
        None => (0..files.len()).map(|_| None).collect(),
        Some(store) => {
            let raw_keys: Vec<&[u8]> = keys.iter().map(|(k, _)| k.as_ref()).collect();
            store.read_many(&raw_keys, hit).unwrap_or_else(|e| {
                notices.push(e.0);
                (0..files.len()).map(|_| None).collect()
            })
        }
    };
    let mut misses = Vec::new();
    for (i, ff) in files.iter().enumerate() {
        if outcomes[i].is_some() {
            continue;
        }
        if ff.file.stamp_deferred {
            outcomes[i] = Some(Outcome::StampNeeded);
            continue;
        }
        match ff.file.format {
            FileFormat::Yaml => {
                outcomes[i] = Some(Outcome::NeedsEvaluation("YAML package definition".into()))
            }
            FileFormat::Py if options.memo_only => {
                outcomes[i] = Some(Outcome::NeedsEvaluation(NOT_IN_MEMO.into()))
            }
            FileFormat::Py => misses.push(i),
        }
    }

    // Read and parse the misses.
    // Every miss is opened and read, whatever the outcome.
    let parse_one = |i: &usize| -> (usize, Result<Fields, Outcome>) {
        let ff = &files[*i];
        let result = match read_stable(&ff.file.path, &ff.file.stamp) {
            Err(e) => Err(Outcome::Unreadable(e)),
            Ok(None) => Err(Outcome::NeedsEvaluation(
                "changed while read, or not UTF-8".into(),
            )),
            // name and version come from the layout, whatever the file says
            Ok(Some(text)) => {
                parse_static_package_in(&text, VersionFallback::Known(&ff.file.version))
                    .map_err(|bail| Outcome::NeedsEvaluation(bail.reason()))
                    .and_then(|p| {
                        match p.timestamp() == 0 && has_old_release_metadata(&ff.file.path) {
                            true => Err(Outcome::NeedsEvaluation(OLD_RELEASE_METADATA.into())),
                            false => Ok(p),
                        }
                    })
                    .map(|p| {
                        let requires = p.requires().map(String::from).collect();
                        let variants = p
                            .variants()
                            .map(|v| v.map(String::from).collect())
                            .collect();
                        (requires, variants, p.timestamp())
                    })
            }
        };
        (*i, result)
    };
    let parsed: Vec<_> = if misses.len() >= 16 && crate::fork_guard::pool_usable() {
        misses.par_iter().map(parse_one).collect()
    } else {
        misses.iter().map(parse_one).collect()
    };

    let mut writes = Vec::new();
    counters.files_read += parsed.len() as u64;
    let now = now_ns();
    for (i, result) in parsed {
        let ff = &files[i];
        outcomes[i] = Some(match result {
            Ok((requires, variants, timestamp)) => {
                let rec = Record {
                    stamp: ff.file.stamp,
                    origin: Origin::Static,
                    timestamp,
                    requires,
                    variants,
                    path: keys[i].1.then(|| paths[i].to_string()),
                };
                if rec.stamp.is_settled(now) {
                    writes.push((keys[i].0.to_vec(), Some(rec.encode())));
                } else {
                    counters.not_settled += 1;
                }
                Outcome::Parsed(package(ff, &rec.requires, &rec.variants, rec.timestamp))
            }
            Err(o) => o,
        });
    }
    if let Some(store) = store {
        if !writes.is_empty() {
            let n = writes.len() as u64;
            // queued writes count as written: their commit comes later
            let written = match options.defer_writes {
                true => store.queue(writes).map(|()| true),
                false => store.write(&writes),
            };
            match written {
                Ok(true) => counters.memo_writes += n,
                Ok(false) => counters.memo_writes_dropped += n,
                Err(e) => {
                    counters.memo_writes_dropped += n;
                    notices.push(e.0)
                }
            }
        }
    }

    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|o| o.expect("every file has an outcome"))
        .collect();
    for o in &outcomes {
        match o {
            Outcome::MemoHit(_) | Outcome::MemoHitUnchecked(..) => counters.memo_hits += 1,
            Outcome::StampNeeded => {}
            Outcome::Parsed(_) => counters.parsed += 1,
            Outcome::LateBound => counters.late_bound += 1,
            Outcome::NeedsEvaluation(_) => counters.needs_evaluation += 1,
            Outcome::Unreadable(_) => counters.io_errors += 1,
        }
    }
    (outcomes, counters, notices)
}

/// Records what rez's evaluator produced for a file (or that it is
/// late-bound); returns whether it was recorded. An evaluation of a file that
/// changed too recently is not (see `FileStamp::is_settled`); a late-bound
/// mark always is: a stale one only sends a resolve to rez's own solver.
/// `runs_statically`: the file's module depends on nothing but its bytes
/// (the parser left only its schema to rez), so the entry is served like a
/// parsed one, whether or not evaluations are.
pub fn remember_evaluated(
    store: &Store,
    path: &str,
    stamp: FileStamp,
    fields: Option<Fields>,
    runs_statically: bool,
) -> Result<bool, String> {
    let (key, shortened) = key_of(path);
    let (origin, (requires, variants, timestamp)) = match fields {
        Some(_) if !stamp.is_settled(now_ns()) => return Ok(false),
        Some(f) if runs_statically => (Origin::Static, f),
        Some(f) => (Origin::Evaluated, f),
        None => (Origin::LateBound, (Vec::new(), Vec::new(), 0)),
    };
    let rec = Record {
        stamp,
        origin,
        timestamp,
        requires,
        variants,
        path: shortened.then(|| path.to_string()),
    };
    store
        .write(&[(key.into_owned(), Some(rec.encode()))])
        .map_err(|e| e.0)
}
