//! The package memo: solver fields of `package.py` files kept in LMDB,
//! keyed by absolute path and valid only while the file's stamp (mtime,
//! ctime, size, inode) is unchanged; and the family loader that serves rez's
//! filesystem layout from it.

mod check;
mod crash_guard;
mod definition;
mod layout;
mod listing;
mod prefetch;
mod quarantine;
mod record;
mod serve;
mod stamp_check;
mod store;

use std::path::Path;

pub use definition::{definition_key, lookup_definition, remember_definition};
pub use layout::{
    family_layout, family_names, FamilyLayout, FileFormat, LayoutSettings, ListingMemo, PackageFile,
};
pub use listing::{listing_key, listing_paths};
pub use prefetch::{load_ahead, required_family, NotTaken, PrefetchJob, Prefetcher};
pub use record::{FileStamp, Origin, Record};
pub use serve::{
    remember_evaluated, serve_files, Counters, FamilyFile, Outcome, ServeOptions,
    EVALUATED_EACH_TIME, NOT_IN_MEMO,
};
pub use stamp_check::{all_hold, stamp_holds, Unchecked, UncheckedFile};
pub use store::{key_of, MemoError, Store, SHORT_KEY_PREFIX};

use crate::algebra::range::VersionRange;
use crate::algebra::version::Version;
use crate::package::PackageData;

/// Families' solver data, or what stands in the way.
#[derive(Debug, Default)]
pub struct FamilyLoad {
    /// Families that are not in this repository.
    pub absent: Vec<String>,
    /// Families only rez can serve faithfully: (family, kind, why), the
    /// first reason each.
    pub needs_rez: Vec<(String, NeedsRez, String)>,
    /// The packages served, each with its version parsed when it had one.
    pub packages: Vec<(PackageData, Option<Version>)>,
    /// Files rez's evaluator must load, with the reason.
    pub to_evaluate: Vec<(FamilyFile, String)>,
    pub counters: Counters,
    /// Memo problems met on the way (the files were served from disk).
    pub notices: Vec<String>,
    /// Files served with their stamps unchecked (`defer_stamps`): the
    /// packages may be used only once these are found to hold.
    pub unchecked: Unchecked,
}

/// Why only rez can serve a family (the shim counts fallbacks by kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedsRez {
    /// A package binds `requires` late: only rez's solver evaluates it.
    LateBound,
    /// The family's files are laid out in a way only rez's code reads
    /// (combined-family file, non-canonical version directory, ...).
    Layout,
    /// The family's directory could not be listed.
    Unlistable,
}

impl NeedsRez {
    pub fn as_str(self) -> &'static str {
        match self {
            NeedsRez::LateBound => "late_bound",
            NeedsRez::Layout => "layout",
            NeedsRez::Unlistable => "io_error",
        }
    }
}

impl FamilyLoad {
    fn needs_rez(&mut self, family: &str, kind: NeedsRez, why: String) {
        if !self.needs_rez.iter().any(|(f, _, _)| f == family) {
            self.needs_rez.push((family.to_string(), kind, why));
        }
    }

    /// Takes out the packages outside `range` (a load ahead made for a wider
    /// one), and the stamps of their files: the solve never sees those
    /// packages, so their files need no check.
    pub fn split_off_outside(
        &mut self,
        range: &VersionRange,
    ) -> Vec<(PackageData, Option<Version>)> {
        let outside: Vec<bool> = (self.packages.iter())
            .map(|(_, version)| match version {
                Some(v) => !range.contains_version(v),
                None => !range.contains_version(&Version::empty()),
            })
            .collect();
        if !outside.contains(&true) {
            return Vec::new();
        }
        // each kept package's index once the others are gone
        let kept_index: Vec<usize> = (outside.iter())
            .scan(0, |kept, &out| {
                let index = *kept;
                *kept += usize::from(!out);
                Some(index)
            })
            .collect();
        self.unchecked.retain_mut(|file| {
            let index = file.package;
            file.package = kept_index[index];
            !outside[index]
        });
        let mut at = 0;
        (self.packages)
            .extract_if(.., |_| {
                at += 1;
                outside[at - 1]
            })
            .collect()
    }
}

/// Loads families `names` of the repository at `location` within `range`,
/// serving all their files in one batch as `options` says. With
/// `defer_stamps`, a batch the memo cannot answer without reading a stamp
/// is loaded again with every stamp read.
pub fn load_families(
    store: Option<&Store>,
    location: &Path,
    names: &[String],
    range: Option<&VersionRange>,
    settings: &LayoutSettings,
    options: ServeOptions,
) -> FamilyLoad {
    if options.defer_stamps && store.is_some() {
        if let Some(load) = load_batch(store, location, names, range, settings, options) {
            return load;
        }
    }
    let options = ServeOptions {
        defer_stamps: false,
        ..options
    };
    load_batch(store, location, names, range, settings, options)
        .expect("a load reading every stamp needs none later")
}

/// [`load_families`] once; None if a file served with its stamp deferred
/// needs it read (see [`Outcome::StampNeeded`]).
fn load_batch(
    store: Option<&Store>,
    location: &Path,
    names: &[String],
    range: Option<&VersionRange>,
    settings: &LayoutSettings,
    options: ServeOptions,
) -> Option<FamilyLoad> {
    let mut load = FamilyLoad::default();
    let mut files = Vec::new();
    let listing_notices = std::cell::RefCell::new(Vec::new());
    for name in names {
        let memo = store.map(|store| ListingMemo {
            store,
            defer_writes: options.defer_writes,
            notices: &listing_notices,
        });
        match family_layout(location, name, range, settings, memo, options.defer_stamps) {
            Err(e) => {
                load.counters.io_errors += 1;
                let why = format!("cannot list family {name}: {e}");
                load.needs_rez(name, NeedsRez::Unlistable, why);
            }
            Ok(FamilyLayout::Absent) => load.absent.push(name.clone()),
            Ok(FamilyLayout::NeedsRez(why)) => load.needs_rez(name, NeedsRez::Layout, why),
            Ok(FamilyLayout::Packages(found)) => {
                let family: std::sync::Arc<str> = name.as_str().into();
                files.extend(found.into_iter().map(|file| FamilyFile {
                    family: family.clone(),
                    file,
                }))
            }
        }
    }
    let (outcomes, counters, notices) = serve_files(store, &files, options);
    if outcomes.iter().any(|o| matches!(o, Outcome::StampNeeded)) {
        return None;
    }
    load.counters.add(&counters);
    load.notices = listing_notices.into_inner();
    load.notices.extend(notices);
    for (ff, outcome) in files.into_iter().zip(outcomes) {
        match outcome {
            Outcome::MemoHit(p) | Outcome::Parsed(p) => {
                load.packages.push((p, ff.file.parsed_version.clone()))
            }
            Outcome::MemoHitUnchecked(p, stamp) => {
                load.packages.push((p, ff.file.parsed_version.clone()));
                load.unchecked.push(UncheckedFile {
                    path: ff.file.path,
                    stamp,
                    package: load.packages.len() - 1,
                });
            }
            Outcome::StampNeeded => unreachable!("returned above"),
            Outcome::LateBound => {
                let why = format!("{}: @late-bound requires", ff.file.path.display());
                load.needs_rez(&ff.family, NeedsRez::LateBound, why);
            }
            Outcome::NeedsEvaluation(why) | Outcome::Unreadable(why) => {
                load.to_evaluate.push((ff, why))
            }
        }
    }
    Some(load)
}
