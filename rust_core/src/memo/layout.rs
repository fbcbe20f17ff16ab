//! rez's filesystem repository layout (`rezplugins/package_repository/
//! filesystem.py`): which package definition files a family has, decided
//! exactly as rez decides it, from one directory listing and one stat per
//! candidate version.
//!
//! Name and version come from the directory names, never from the file.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::algebra::range::VersionRange;
use crate::algebra::version::Version;
use crate::package::is_valid_package_name;

use super::listing::{decode, encode, listing_key, Entries, EntryKind};
use super::record::{now_ns, FileStamp};
use super::store::{MemoError, Store};

/// The filesystem repository settings that change the layout.
#[derive(Clone, Debug)]
pub struct LayoutSettings {
    /// `package_filenames` (rez's default: `["package"]`).
    pub package_filenames: Vec<String>,
    /// `allow_unversioned_packages`.
    pub allow_unversioned: bool,
    /// `check_package_definition_files`.
    pub check_definition_files: bool,
    /// False when the repository was opened with `disable_pkg_ignore`.
    pub honour_ignore: bool,
}

impl Default for LayoutSettings {
    fn default() -> Self {
        LayoutSettings {
            package_filenames: vec!["package".into()],
            allow_unversioned: true,
            check_definition_files: false,
            honour_ignore: true,
        }
    }
}

/// The kind of a package definition file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Py,
    Yaml,
}

/// One package of a family: its version (`""` when unversioned) and its
/// definition file, stamped when it was found.
#[derive(Clone, Debug)]
pub struct PackageFile {
    pub version: String,
    /// `version` parsed (None for an unversioned package), so that no one
    /// parses it again.
    pub parsed_version: Option<Version>,
    pub path: PathBuf,
    pub format: FileFormat,
    pub stamp: FileStamp,
    /// The file was not stat-ed: `stamp` is unknown (zero) and is taken
    /// from the memo's record, to be checked later (see
    /// [`super::stamp_check`]).
    pub stamp_deferred: bool,
}

/// What a family looks like on disk.
#[derive(Debug)]
pub enum FamilyLayout {
    /// No such family in this repository.
    Absent,
    /// The family's packages within the requested range.
    Packages(Vec<PackageFile>),
    /// Only rez's own code can answer faithfully (the reason says why).
    NeedsRez(String),
}

/// Stats files below one family directory. On Unix each path is resolved
/// from an open handle of the directory (`fstatat`), so a stat walks two
/// path components rather than the whole absolute path: that walk was most
/// of a warm load's system time (issue 12).
struct FamilyDir {
    path: PathBuf,
    #[cfg(unix)]
    handle: Option<fs::File>,
}

impl FamilyDir {
    /// `handle`: the directory opened (None if it could not be).
    #[cfg_attr(not(unix), allow(unused_variables))]
    fn with_handle(path: PathBuf, handle: Option<fs::File>) -> FamilyDir {
        FamilyDir {
            #[cfg(unix)]
            handle,
            path,
        }
    }

    /// Whether `rel` (below the family) is a file, and its stamp, following
    /// symbolic links as `os.path.isfile` does.
    #[cfg(unix)]
    fn stat(&self, rel: &str) -> io::Result<(bool, FileStamp)> {
        let Some(handle) = &self.handle else {
            let meta = fs::metadata(self.path.join(rel))?;
            return Ok((meta.is_file(), FileStamp::of(&meta)));
        };
        // NUL-terminated on the stack: no allocation per stat
        let rel = rel.as_bytes();
        let mut buf = [0u8; 256];
        if rel.len() >= buf.len() || rel.contains(&0) {
            let c_rel = std::ffi::CString::new(rel)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            return self.stat_c(handle, &c_rel);
        }
        buf[..rel.len()].copy_from_slice(rel);
        let c_rel = std::ffi::CStr::from_bytes_until_nul(&buf).expect("NUL-terminated");
        self.stat_c(handle, c_rel)
    }

    #[cfg(unix)]
    fn stat_c(&self, handle: &fs::File, c_rel: &std::ffi::CStr) -> io::Result<(bool, FileStamp)> {
        use std::os::unix::io::AsRawFd;
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: a valid directory descriptor, a NUL-terminated path and a
        // buffer of the right type; `st` is read only after success.
        let rc = unsafe { libc::fstatat(handle.as_raw_fd(), c_rel.as_ptr(), st.as_mut_ptr(), 0) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fstatat succeeded, so it filled `st`.
        let st = unsafe { st.assume_init() };
        let is_file = st.st_mode & libc::S_IFMT == libc::S_IFREG;
        Ok((is_file, FileStamp::of_stat(&st)))
    }

    #[cfg(not(unix))]
    fn stat(&self, rel: &str) -> io::Result<(bool, FileStamp)> {
        let meta = fs::metadata(self.path.join(rel))?;
        Ok((meta.is_file(), FileStamp::of(&meta)))
    }
}

/// A definition file found, and whether its stamp was left unchecked.
type FoundFile = (PathBuf, FileFormat, FileStamp, bool);

/// `dir.join(format!("{sub}/{name}.py"))` in one allocation: built for
/// every package a warm load serves, where `format!` and `join` cost a
/// tenth of the load.
fn py_definition_path(dir: &Path, sub: &str, name: &str) -> PathBuf {
    let dir = dir.as_os_str();
    let mut path = std::ffi::OsString::with_capacity(dir.len() + sub.len() + name.len() + 5);
    path.push(dir);
    // as `join`: a separator unless the directory ends with one
    let last = dir.as_encoded_bytes().last();
    if last.is_some_and(|&c| !std::path::is_separator(char::from(c))) {
        path.push(std::path::MAIN_SEPARATOR_STR);
    }
    path.push(sub);
    path.push("/");
    path.push(name);
    path.push(".py");
    path.into()
}

/// The first definition file in directory `sub` of the family (`""`: the
/// family directory itself), as rez's `_get_file`: for each filename, `.py`
/// then `.yaml`, the first that is a file. `listed`, the family directory's
/// entries when `sub` is `""`, saves the stats of names it does not hold.
/// `defer_stamp`: assume the first candidate (`<first name>.py`) without a
/// stat; whoever serves it checks that later (see [`super::stamp_check`]).
fn definition_file(
    family: &FamilyDir,
    sub: &str,
    names: &[String],
    listed: Option<&Entries>,
    defer_stamp: bool,
) -> io::Result<Option<FoundFile>> {
    if let (true, Some(first)) = (defer_stamp && !sub.is_empty(), names.first()) {
        let path = py_definition_path(&family.path, sub, first);
        return Ok(Some((path, FileFormat::Py, FileStamp::UNKNOWN, true)));
    }
    let mut rel = String::with_capacity(sub.len() + 24);
    for name in names {
        for (ext, format) in [("py", FileFormat::Py), ("yaml", FileFormat::Yaml)] {
            rel.clear();
            if !sub.is_empty() {
                rel.push_str(sub);
                rel.push('/');
            }
            rel.push_str(name);
            rel.push('.');
            rel.push_str(ext);
            if listed.is_some_and(|entries| !entries.iter().any(|(n, _)| *n == rel)) {
                continue;
            }
            match family.stat(&rel) {
                Ok((true, stamp)) => {
                    return Ok(Some((family.path.join(&rel), format, stamp, false)))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) if e.kind() == io::ErrorKind::NotADirectory => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
}

/// The kind of a listed entry, following symbolic links as `os.path.isdir`
/// and `os.path.isfile` do; and whether it is a link.
fn entry_kind(entry: &fs::DirEntry) -> (EntryKind, bool) {
    let of = |meta: io::Result<fs::Metadata>| match meta {
        Ok(m) if m.is_dir() => EntryKind::Dir,
        Ok(m) if m.is_file() => EntryKind::File,
        _ => EntryKind::Other,
    };
    match entry.file_type() {
        Ok(t) if t.is_symlink() => (of(fs::metadata(entry.path())), true),
        Ok(t) if t.is_dir() => (EntryKind::Dir, false),
        Ok(t) if t.is_file() => (EntryKind::File, false),
        Ok(_) => (EntryKind::Other, false),
        Err(_) => (of(fs::metadata(entry.path())), true),
    }
}

/// A directory's entries read from disk; None if a name is not UTF-8. The
/// flag says whether the listing may be remembered (no symbolic links).
fn read_entries(dir: &Path) -> io::Result<Option<(Entries, bool)>> {
    let mut entries = Vec::new();
    let mut rememberable = true;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            return Ok(None);
        };
        let (kind, link) = entry_kind(&entry);
        rememberable &= !link;
        entries.push((name, kind));
    }
    Ok(Some((entries, rememberable)))
}

/// Where family listings are remembered (see [`super::listing`]).
#[derive(Clone, Copy)]
pub struct ListingMemo<'a> {
    pub store: &'a Store,
    /// Queue new listings for the store's next flush instead of writing now.
    pub defer_writes: bool,
    /// Memo problems met (the listings were read from disk instead).
    pub notices: &'a RefCell<Vec<String>>,
}

/// The entries of the family directory `family` whose stamp is `stamp`:
/// from the memo while the stamp is unchanged, else read (and remembered
/// once the stamp is settled). None if a name is not UTF-8.
fn family_entries(
    family: &Path,
    stamp: Option<FileStamp>,
    memo: Option<ListingMemo<'_>>,
) -> io::Result<Option<Entries>> {
    let (Some(memo), Some(stamp), Some(path)) = (memo, stamp, family.to_str()) else {
        return Ok(read_entries(family)?.map(|(entries, _)| entries));
    };
    let (key, shortened) = listing_key(path);
    let notice = |e: MemoError| memo.notices.borrow_mut().push(e.0);
    let remembered = match memo
        .store
        .read_many(&[&key], |_, value| decode(value, path, shortened, &stamp))
    {
        Ok(mut found) => found.pop().flatten(),
        Err(e) => {
            notice(e);
            None
        }
    };
    if let Some(entries) = remembered {
        return Ok(Some(entries));
    }
    let Some((entries, rememberable)) = read_entries(family)? else {
        return Ok(None);
    };
    if rememberable && stamp.is_settled(now_ns()) {
        // a listing is a shortcut: a write the memo refuses costs nothing
        let value = encode(path, shortened, &stamp, &entries);
        let written = match memo.defer_writes {
            true => memo.store.queue(vec![(key, Some(value))]),
            false => memo.store.write(&[(key, Some(value))]).map(drop),
        };
        written.unwrap_or_else(notice);
    }
    Ok(Some(entries))
}

/// The packages of family `name` under `location` whose version is in
/// `range` (all of them for None). `memo`, if given, remembers the family
/// directory's listing. `defer_stamps`: a version directory's definition
/// file is assumed to be its first candidate, not stat-ed (see
/// [`super::stamp_check`]); the family directory is still listed as rez
/// lists it.
pub fn family_layout(
    location: &Path,
    name: &str,
    range: Option<&VersionRange>,
    settings: &LayoutSettings,
    memo: Option<ListingMemo<'_>>,
    defer_stamps: bool,
) -> io::Result<FamilyLayout> {
    if !is_valid_package_name(name) {
        return Ok(FamilyLayout::NeedsRez(format!(
            "invalid package name {name:?}"
        )));
    }
    let family = location.join(name);
    // One open and one fstat instead of a stat by path and an open: the
    // handle serves the stats below, its stamp the remembered listing. With
    // the stamps deferred there are no stats below, and a stat is enough
    // (a directory that cannot be read any more has a new ctime, so its
    // remembered listing is not served).
    let (handle, meta) = match defer_stamps {
        true => (None, fs::metadata(&family).ok()),
        false => {
            let handle = fs::File::open(&family).ok();
            let meta = handle.as_ref().and_then(|h| h.metadata().ok());
            (handle, meta)
        }
    };
    let is_dir = match &meta {
        Some(m) => m.is_dir(),
        None => family.is_dir(), // unreadable: rez's listing reports it
    };
    if !is_dir {
        for ext in ["py", "yaml"] {
            if location.join(format!("{name}.{ext}")).is_file() {
                return Ok(FamilyLayout::NeedsRez(format!(
                    "{name}.{ext} is a combined-family file"
                )));
            }
        }
        return Ok(FamilyLayout::Absent);
    }

    let stamp = meta.as_ref().map(FileStamp::of);
    let Some(entries) = family_entries(&family, stamp, memo)? else {
        return Ok(FamilyLayout::NeedsRez(format!(
            "a non-UTF-8 name in {}",
            family.display()
        )));
    };
    let family_dir = FamilyDir::with_handle(family.clone(), handle);
    if settings.allow_unversioned {
        let names = &settings.package_filenames;
        if let Some((path, format, stamp, _)) =
            definition_file(&family_dir, "", names, Some(&entries), false)?
        {
            if range.is_some_and(|r| !r.contains_version(&Version::empty())) {
                return Ok(FamilyLayout::Packages(Vec::new()));
            }
            return Ok(FamilyLayout::Packages(vec![PackageFile {
                version: String::new(),
                parsed_version: None,
                path,
                format,
                stamp,
                stamp_deferred: false,
            }]));
        }
    }

    // rez's `_get_version_dirs`: hidden names are skipped, except that a
    // `.building<ver>` marker makes `<ver>` count only once it has a
    // definition file; `.ignore<ver>` hides `<ver>`.
    let mut dirs = Vec::new();
    let mut ignored = HashSet::new();
    let mut building = HashSet::new();
    for (file_name, kind) in entries {
        let is_dir = kind == EntryKind::Dir;
        if let Some(rest) = file_name.strip_prefix('.') {
            if let Some(ver) = file_name.strip_prefix(".building") {
                building.insert(ver.to_string());
                if !settings.check_definition_files && is_dir {
                    dirs.push(file_name);
                }
            } else if settings.honour_ignore
                && rest.starts_with("ignore")
                && kind == EntryKind::File
            {
                ignored.insert(file_name[".ignore".len()..].to_string());
            }
            continue;
        }
        if is_dir {
            dirs.push(file_name);
        }
    }

    let mut packages = Vec::new();
    for dir_name in dirs {
        if ignored.contains(&dir_name) {
            continue;
        }
        // rez computes every package's version while filtering by range,
        // so an invalid directory name fails its solve.
        // The version string must be the directory name itself: rez keys
        // the package's handle on the name and prints the parsed version.
        let version = match Version::parse(&dir_name) {
            Ok(v) if v.as_str() == dir_name => v,
            _ => {
                return Ok(FamilyLayout::NeedsRez(format!(
                    "{}: directory name is not a canonical version",
                    family.join(&dir_name).display()
                )))
            }
        };
        let needs_file = settings.check_definition_files || building.contains(&dir_name);
        if !needs_file && range.is_some_and(|r| !r.contains_version(&version)) {
            continue;
        }
        let names = &settings.package_filenames;
        match definition_file(&family_dir, &dir_name, names, None, defer_stamps)? {
            Some((path, format, stamp, stamp_deferred)) => {
                if range.is_some_and(|r| !r.contains_version(&version)) {
                    continue;
                }
                packages.push(PackageFile {
                    version: dir_name,
                    parsed_version: Some(version),
                    path,
                    format,
                    stamp,
                    stamp_deferred,
                });
            }
            None if needs_file => {}
            None => {
                return Ok(FamilyLayout::NeedsRez(format!(
                    "{}: no package definition file",
                    family.join(&dir_name).display()
                )))
            }
        }
    }
    Ok(FamilyLayout::Packages(packages))
}

fn is_dir(entry: &fs::DirEntry) -> bool {
    entry_kind(entry).0 == EntryKind::Dir
}

/// The family names of a repository, as rez's `_get_family_dirs`
/// (directories with valid package names; combined-family files too).
pub fn family_names(location: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(location)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name == "settings.yaml" {
            continue;
        }
        if is_dir(&entry) {
            if is_valid_package_name(&name) {
                names.push(name);
            }
        } else if let Some((stem, ext)) = name.rsplit_once('.') {
            if (ext == "py" || ext == "yaml") && is_valid_package_name(stem) {
                names.push(stem.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_paths_are_joined_as_join_does() {
        for dir in ["/sw/pkg/foo", "/sw/pkg/foo/", "foo", ""] {
            assert_eq!(
                py_definition_path(Path::new(dir), "1.2.3", "package"),
                Path::new(dir).join("1.2.3/package.py"),
                "{dir:?}"
            );
        }
    }

    fn repo(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pyrer-layout-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn package(root: &Path, rel: &str) {
        let dir = root.join(rel);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("package.py"), "name = 'x'\n").unwrap();
    }

    fn versions(layout: FamilyLayout) -> Vec<String> {
        match layout {
            FamilyLayout::Packages(p) => {
                let mut v: Vec<_> = p.into_iter().map(|p| p.version).collect();
                v.sort();
                v
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn versions_ignores_and_building_markers() {
        let root = repo("versions");
        let s = LayoutSettings::default();
        for v in ["1.0", "1.1", "2.0"] {
            package(&root, &format!("foo/{v}"));
        }
        fs::write(root.join("foo/.ignore1.1"), "").unwrap();
        fs::create_dir_all(root.join("foo/3.0")).unwrap(); // still building
        fs::write(root.join("foo/.building3.0"), "").unwrap();
        assert_eq!(
            versions(family_layout(&root, "foo", None, &s, None, false).unwrap()),
            ["1.0", "2.0"]
        );
        let r = VersionRange::parse("2+").unwrap();
        assert_eq!(
            versions(family_layout(&root, "foo", Some(&r), &s, None, false).unwrap()),
            ["2.0"]
        );
        let no_ignore = LayoutSettings {
            honour_ignore: false,
            ..LayoutSettings::default()
        };
        assert_eq!(
            versions(family_layout(&root, "foo", None, &no_ignore, None, false).unwrap()),
            ["1.0", "1.1", "2.0"]
        );
        assert!(matches!(
            family_layout(&root, "nope", None, &s, None, false).unwrap(),
            FamilyLayout::Absent
        ));
        fs::create_dir_all(root.join("foo/4.0")).unwrap(); // no definition file
        assert!(matches!(
            family_layout(&root, "foo", None, &s, None, false).unwrap(),
            FamilyLayout::NeedsRez(_)
        ));
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn unversioned_and_combined_families() {
        let root = repo("unversioned");
        let s = LayoutSettings::default();
        package(&root, "bar");
        assert_eq!(
            versions(family_layout(&root, "bar", None, &s, None, false).unwrap()),
            [""]
        );
        fs::write(root.join("combo.py"), "name = 'combo'\n").unwrap();
        assert!(matches!(
            family_layout(&root, "combo", None, &s, None, false).unwrap(),
            FamilyLayout::NeedsRez(_)
        ));
        assert_eq!(family_names(&root).unwrap(), ["bar", "combo"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn stamps_and_paths_match_a_plain_stat() {
        let root = repo("stamps");
        package(&root, "foo/1.0");
        let yaml = root.join("foo/2.0");
        fs::create_dir_all(&yaml).unwrap();
        fs::write(yaml.join("package.yaml"), "name: foo\n").unwrap();
        let FamilyLayout::Packages(found) =
            family_layout(&root, "foo", None, &LayoutSettings::default(), None, false).unwrap()
        else {
            panic!("no packages");
        };
        assert_eq!(found.len(), 2);
        for p in found {
            let expected = match p.version.as_str() {
                "1.0" => (root.join("foo/1.0/package.py"), FileFormat::Py),
                _ => (root.join("foo/2.0/package.yaml"), FileFormat::Yaml),
            };
            assert_eq!((p.path.clone(), p.format), expected);
            assert_eq!(p.stamp, FileStamp::of(&fs::metadata(&p.path).unwrap()));
        }
        let _ = fs::remove_dir_all(&root);
    }

    #[cfg(unix)]
    #[test]
    fn listings_are_remembered_until_the_directory_changes() {
        let root = repo("listing");
        let store = Store::open(&root.join(".memo"), 1 << 20).unwrap();
        let notices = RefCell::new(Vec::new());
        let memo = Some(ListingMemo {
            store: &store,
            defer_writes: false,
            notices: &notices,
        });
        let s = LayoutSettings::default();
        for v in ["1.0", "2.0"] {
            package(&root, &format!("foo/{v}"));
        }
        let layout = |memo| versions(family_layout(&root, "foo", None, &s, memo, false).unwrap());
        let family = root.join("foo");
        let stamp = || FileStamp::of(&fs::metadata(&family).unwrap());
        let path = family.to_str().unwrap();
        let (key, shortened) = listing_key(path);
        let stored = || {
            let value = store
                .get_many(std::slice::from_ref(&key))
                .unwrap()
                .pop()
                .flatten();
            value.and_then(|v| decode(&v, path, shortened, &stamp()))
        };

        // not remembered while the directory's stamp may still be racy
        assert_eq!(layout(memo), ["1.0", "2.0"]);
        assert_eq!(stored(), None);
        std::thread::sleep(std::time::Duration::from_millis(120));
        assert_eq!(layout(memo), ["1.0", "2.0"]);
        assert_eq!(stored().unwrap().len(), 2);

        // the remembered listing is what a load reads (a forged one shows it)
        let forged = vec![("1.0".to_string(), EntryKind::Dir)];
        let value = encode(path, shortened, &stamp(), &forged);
        store.write(&[(key.clone(), Some(value))]).unwrap();
        assert_eq!(layout(memo), ["1.0"]);
        assert_eq!(layout(None), ["1.0", "2.0"]);

        // a new version changes the directory's stamp: read again at once
        package(&root, "foo/3.0");
        assert_eq!(layout(memo), ["1.0", "2.0", "3.0"]);

        // a damaged value is a miss
        let mut damaged = encode(path, shortened, &stamp(), &forged);
        damaged[HEADER_PROBE] ^= 1;
        store.write(&[(key.clone(), Some(damaged))]).unwrap();
        assert_eq!(layout(memo), ["1.0", "2.0", "3.0"]);

        // a listing with a symbolic link is never remembered
        std::os::unix::fs::symlink(family.join("2.0"), family.join("4.0")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(120));
        assert_eq!(layout(memo), ["1.0", "2.0", "3.0", "4.0"]);
        assert_eq!(stored(), None);
        assert!(notices.borrow().is_empty());
        drop(store);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_memo_only_load_reads_no_file() {
        use crate::memo::{load_families, ServeOptions, NOT_IN_MEMO};
        let root = repo("memo-only");
        let store = Store::open(&root.join(".memo"), 1 << 20).unwrap();
        package(&root, "foo/1.0");
        std::thread::sleep(std::time::Duration::from_millis(120)); // settled
        let s = LayoutSettings::default();
        let names = ["foo".to_string()];
        let load = |memo_only| {
            let options = ServeOptions {
                memo_only,
                ..ServeOptions::default()
            };
            load_families(Some(&store), &root, &names, None, &s, options)
        };
        let first = load(true);
        assert!(first.packages.is_empty());
        assert_eq!(first.to_evaluate.len(), 1);
        assert_eq!(first.to_evaluate[0].1, NOT_IN_MEMO);
        assert_eq!(first.counters.files_read, 0);
        assert_eq!(load(false).counters.files_read, 1); // read, and remembered
        let warm = load(true);
        assert_eq!((warm.packages.len(), warm.counters.files_read), (1, 0));
        drop(store);
        let _ = fs::remove_dir_all(&root);
    }

    /// A byte inside a stored listing's stamp.
    const HEADER_PROBE: usize = 3;
}
