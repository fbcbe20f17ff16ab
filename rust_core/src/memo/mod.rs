//! The package memo: solver fields of `package.py` files kept in LMDB,
//! keyed by absolute path and valid only while the file's stamp (mtime,
//! ctime, size, inode) is unchanged; and the family loader that serves rez's
//! filesystem layout from it.

mod layout;
mod record;
mod serve;
mod store;

use std::path::Path;

pub use layout::{
    family_layout, family_names, FamilyLayout, FileFormat, LayoutSettings, PackageFile,
};
pub use record::{FileStamp, Origin, Record};
pub use serve::{remember_evaluated, serve_files, Counters, FamilyFile, Outcome};
pub use store::{key_of, MemoError, Store};

use crate::package::PackageData;
use crate::range::VersionRange;

/// A family's solver data, or what stands in the way.
#[derive(Debug, Default)]
pub struct FamilyLoad {
    /// The family is not in this repository.
    pub absent: bool,
    /// Only rez can serve this family faithfully, and why.
    pub needs_rez: Option<String>,
    pub packages: Vec<PackageData>,
    /// Files rez's evaluator must load, with the reason.
    pub to_evaluate: Vec<(PackageFile, String)>,
    pub counters: Counters,
    /// Memo problems met on the way (the files were served from disk).
    pub notices: Vec<String>,
}

/// Loads family `name` of the repository at `location` within `range`.
pub fn load_family(
    store: Option<&Store>,
    location: &Path,
    name: &str,
    range: Option<&VersionRange>,
    settings: &LayoutSettings,
) -> FamilyLoad {
    let mut load = FamilyLoad::default();
    let files = match family_layout(location, name, range, settings) {
        Err(e) => {
            load.needs_rez = Some(format!("cannot list family {name}: {e}"));
            load.counters.io_errors += 1;
            return load;
        }
        Ok(FamilyLayout::Absent) => {
            load.absent = true;
            return load;
        }
        Ok(FamilyLayout::NeedsRez(why)) => {
            load.needs_rez = Some(why);
            return load;
        }
        Ok(FamilyLayout::Packages(files)) => files,
    };
    let files: Vec<FamilyFile> = files
        .into_iter()
        .map(|file| FamilyFile {
            family: name.to_string(),
            file,
        })
        .collect();
    let (outcomes, counters, notices) = serve_files(store, &files, true);
    load.counters = counters;
    load.notices = notices;
    for (ff, outcome) in files.into_iter().zip(outcomes) {
        match outcome {
            Outcome::MemoHit(p) | Outcome::Parsed(p) => load.packages.push(p),
            Outcome::LateBound => {
                load.needs_rez.get_or_insert_with(|| {
                    format!("{}: @late-bound requires", ff.file.path.display())
                });
            }
            Outcome::NeedsEvaluation(why) | Outcome::Unreadable(why) => {
                load.to_evaluate.push((ff.file, why))
            }
        }
    }
    load
}
