//! File stamps checked after a load instead of during it.
//!
//! A warm load stats every definition file it serves, so that no stale memo
//! entry is ever served: 1.3-3 us a file, about a fifth of a fresh process's
//! first solve of rez's benchmark requests (issue 12), much of it on the
//! solver's own thread. A load may instead take each file's stamp from its
//! memo record and leave the stat for later ([`super::ServeOptions`]'s
//! `defer_stamps`). The answer of a solve built from such loads is used
//! only once every stamp so taken is found unchanged on disk, checked on
//! the prefetch worker while the solver runs and the rest on the solver's
//! thread when it is done ([`super::Prefetcher::finish_checks`]); if one
//! changed, the solve runs again with every stamp checked as it loads.
//!
//! A check made after the load is as strong as one made during it: the file
//! was unchanged from before the record was written until after the solve
//! read it.

use std::path::{Path, PathBuf};

use super::record::FileStamp;

/// A definition file served with its stamp unchecked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncheckedFile {
    pub path: PathBuf,
    /// The stamp its record was written for.
    pub stamp: FileStamp,
    /// Its package's index in the load's `packages`: a version the solve
    /// never sees (outside the range it asked) needs no check.
    pub package: usize,
}

/// Definition files served with their stamps unchecked.
pub type Unchecked = Vec<UncheckedFile>;

/// Whether `path` is still a regular file (links followed, as the layout's
/// stat follows them) with stamp `stamp`.
pub fn stamp_holds(path: &Path, stamp: &FileStamp) -> bool {
    match std::fs::metadata(path) {
        Ok(meta) => meta.is_file() && FileStamp::of(&meta) == *stamp,
        Err(_) => false,
    }
}

/// Whether every stamp of `files` holds.
pub fn all_hold(files: &[UncheckedFile]) -> bool {
    files.iter().all(|f| stamp_holds(&f.path, &f.stamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memo::{load_families, FamilyLoad, LayoutSettings, ServeOptions, Store};
    use std::fs;

    fn repo(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pyrer-deferred-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn write(root: &Path, rel: &str, name: &str, body: &str) -> PathBuf {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, format!("name = '{name}'\n{body}")).unwrap();
        path
    }

    fn settle() {
        std::thread::sleep(std::time::Duration::from_millis(120));
    }

    fn load(store: &Store, root: &Path, defer_stamps: bool) -> FamilyLoad {
        let options = ServeOptions {
            defer_stamps,
            ..ServeOptions::default()
        };
        let names = ["foo".to_string()];
        load_families(
            Some(store),
            root,
            &names,
            None,
            &LayoutSettings::default(),
            options,
        )
    }

    /// (version, requires) of a load's packages, sorted.
    fn served(load: &FamilyLoad) -> Vec<(String, Vec<String>)> {
        let mut v: Vec<_> = load
            .packages
            .iter()
            .map(|(p, _)| {
                (
                    p.version().to_string(),
                    p.requires().map(String::from).collect(),
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_deferred_load_serves_the_records_and_the_stamps_to_check() {
        let root = repo("warm");
        let store = Store::open(&root.join(".memo"), 1 << 20).unwrap();
        let a = write(&root, "foo/1.0/package.py", "foo", "requires = ['bar']\n");
        let b = write(&root, "foo/2.0/package.py", "foo", "requires = ['baz']\n");
        settle();
        let strict = load(&store, &root, false); // reads and remembers both
        assert_eq!(strict.counters.parsed, 2);
        assert!(strict.unchecked.is_empty());
        let deferred = load(&store, &root, true);
        assert_eq!(served(&deferred), served(&strict));
        assert_eq!(
            (deferred.counters.memo_hits, deferred.counters.files_read),
            (2, 0)
        );
        let stamp = |p: &Path| FileStamp::of(&fs::metadata(p).unwrap());
        let mut unchecked: Vec<_> = (deferred.unchecked.iter())
            .map(|f| {
                let version = deferred.packages[f.package].0.version().to_string();
                (f.path.clone(), f.stamp, version)
            })
            .collect();
        unchecked.sort_by(|x, y| x.0.cmp(&y.0));
        let expected = [
            (a.clone(), stamp(&a), "1.0".to_string()),
            (b.clone(), stamp(&b), "2.0".to_string()),
        ];
        assert_eq!(unchecked, expected, "each file with its package");
        assert!(all_hold(&deferred.unchecked));

        // edited, same mtime: the record is served as it was, and only its
        // check tells (a solve then runs again with stamps read)
        let st = fs::metadata(&b).unwrap();
        fs::write(&b, "name = 'foo'\nrequires = ['baz', 'qux']\n").unwrap();
        let mtime = std::time::UNIX_EPOCH
            + std::time::Duration::from_nanos(FileStamp::of(&st).mtime_ns as u64);
        fs::File::options()
            .write(true)
            .open(&b)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let stale = load(&store, &root, true);
        assert_eq!(served(&stale), served(&strict));
        assert!(!all_hold(&stale.unchecked));
        let now = load(&store, &root, false);
        assert_eq!(served(&now)[1].1, ["baz", "qux"]);
        drop(store);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn versions_outside_the_range_asked_leave_with_their_stamps() {
        use crate::algebra::range::VersionRange;
        let root = repo("outside");
        let store = Store::open(&root.join(".memo"), 1 << 20).unwrap();
        for v in ["1.0", "1.5", "2.0", "3.0"] {
            write(&root, &format!("foo/{v}/package.py"), "foo", "");
        }
        settle();
        load(&store, &root, false);
        let mut deferred = load(&store, &root, true);
        assert_eq!(deferred.unchecked.len(), 4);
        let range = VersionRange::parse("1.5|3").unwrap();
        let mut dropped: Vec<_> = (deferred.split_off_outside(&range).iter())
            .map(|(p, _)| p.version().to_string())
            .collect();
        dropped.sort();
        assert_eq!(dropped, ["1.0", "2.0"]);
        // the stamps left are those of the packages kept, each still pointing
        // at its own package
        let mut kept: Vec<_> = (deferred.unchecked.iter())
            .map(|f| {
                let version = deferred.packages[f.package].0.version().to_string();
                assert!(f.path.ends_with(format!("{version}/package.py")));
                version
            })
            .collect();
        kept.sort();
        assert_eq!(kept, ["1.5", "3.0"]);
        assert_eq!(deferred.packages.len(), 2);
        assert!(deferred.split_off_outside(&range).is_empty());
        drop(store);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_family_the_memo_cannot_answer_is_loaded_with_its_stamps_read() {
        let root = repo("partial");
        let store = Store::open(&root.join(".memo"), 1 << 20).unwrap();
        write(&root, "foo/1.0/package.py", "foo", "");
        settle();
        load(&store, &root, false);
        // a version the memo has never seen, and one with only a YAML file
        write(&root, "foo/2.0/package.py", "foo", "requires = ['bar']\n");
        write(&root, "foo/3.0/package.yaml", "foo", "");
        let deferred = load(&store, &root, true);
        assert!(
            deferred.unchecked.is_empty(),
            "loaded again, every stamp read"
        );
        assert_eq!(served(&deferred).len(), 2);
        assert_eq!(deferred.counters.files_read, 1);
        assert_eq!(deferred.to_evaluate.len(), 1);
        assert_eq!(deferred.to_evaluate[0].0.file.version, "3.0");
        drop(store);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_stamp_holds_until_the_file_changes_or_goes() {
        let dir = std::env::temp_dir().join(format!("pyrer-stamp-check-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("package.py");
        fs::write(&file, "name = 'a'\n").unwrap();
        let stamp = FileStamp::of(&fs::metadata(&file).unwrap());
        assert!(stamp_holds(&file, &stamp));
        let unchecked = UncheckedFile {
            path: file.clone(),
            stamp,
            package: 0,
        };
        assert!(all_hold(&[unchecked]));
        fs::write(&file, "name = 'a'\nrequires = ['b']\n").unwrap();
        assert!(!stamp_holds(&file, &stamp));
        let stamp = FileStamp::of(&fs::metadata(&file).unwrap());
        fs::remove_file(&file).unwrap();
        assert!(!stamp_holds(&file, &stamp));
        fs::create_dir(&file).unwrap(); // a directory of that name is no file
        assert!(!stamp_holds(
            &file,
            &FileStamp::of(&fs::metadata(&file).unwrap())
        ));
        let _ = fs::remove_dir_all(&dir);
    }
}
