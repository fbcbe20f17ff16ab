//! rez's filesystem repository layout (`rezplugins/package_repository/
//! filesystem.py`): which package definition files a family has, decided
//! exactly as rez decides it, from one directory listing and one stat per
//! candidate version.
//!
//! Name and version come from the directory names, never from the file.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::algebra::range::VersionRange;
use crate::algebra::version::Version;
use crate::package::is_valid_package_name;

use super::record::FileStamp;

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
    fn open(path: PathBuf) -> FamilyDir {
        FamilyDir {
            #[cfg(unix)]
            handle: fs::File::open(&path).ok(),
            path,
        }
    }

    /// Whether `rel` (below the family) is a file, and its stamp, following
    /// symbolic links as `os.path.isfile` does.
    #[cfg(unix)]
    fn stat(&self, rel: &str) -> io::Result<(bool, FileStamp)> {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::io::AsRawFd;
        let Some(handle) = &self.handle else {
            let meta = fs::metadata(self.path.join(rel))?;
            return Ok((meta.is_file(), FileStamp::of(&meta)));
        };
        let c_rel = std::ffi::CString::new(std::ffi::OsStr::new(rel).as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
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

/// The first definition file in directory `sub` of the family (`""`: the
/// family directory itself), as rez's `_get_file`: for each filename, `.py`
/// then `.yaml`, the first that is a file.
fn definition_file(
    family: &FamilyDir,
    sub: &str,
    names: &[String],
) -> io::Result<Option<(PathBuf, FileFormat, FileStamp)>> {
    for name in names {
        for (ext, format) in [("py", FileFormat::Py), ("yaml", FileFormat::Yaml)] {
            let rel = match sub {
                "" => format!("{name}.{ext}"),
                _ => format!("{sub}/{name}.{ext}"),
            };
            match family.stat(&rel) {
                Ok((true, stamp)) => return Ok(Some((family.path.join(rel), format, stamp))),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) if e.kind() == io::ErrorKind::NotADirectory => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
}

fn is_dir(entry: &fs::DirEntry) -> bool {
    match entry.file_type() {
        Ok(t) if t.is_symlink() => entry.path().is_dir(),
        Ok(t) => t.is_dir(),
        Err(_) => entry.path().is_dir(),
    }
}

fn is_file(entry: &fs::DirEntry) -> bool {
    match entry.file_type() {
        Ok(t) if t.is_symlink() => entry.path().is_file(),
        Ok(t) => t.is_file(),
        Err(_) => entry.path().is_file(),
    }
}

/// The packages of family `name` under `location` whose version is in
/// `range` (all of them for None).
pub fn family_layout(
    location: &Path,
    name: &str,
    range: Option<&VersionRange>,
    settings: &LayoutSettings,
) -> io::Result<FamilyLayout> {
    if !is_valid_package_name(name) {
        return Ok(FamilyLayout::NeedsRez(format!(
            "invalid package name {name:?}"
        )));
    }
    let family = location.join(name);
    if !family.is_dir() {
        for ext in ["py", "yaml"] {
            if location.join(format!("{name}.{ext}")).is_file() {
                return Ok(FamilyLayout::NeedsRez(format!(
                    "{name}.{ext} is a combined-family file"
                )));
            }
        }
        return Ok(FamilyLayout::Absent);
    }

    let family_dir = FamilyDir::open(family.clone());
    if settings.allow_unversioned {
        if let Some((path, format, stamp)) =
            definition_file(&family_dir, "", &settings.package_filenames)?
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
            }]));
        }
    }

    // rez's `_get_version_dirs`: hidden names are skipped, except that a
    // `.building<ver>` marker makes `<ver>` count only once it has a
    // definition file; `.ignore<ver>` hides `<ver>`.
    let mut dirs = Vec::new();
    let mut ignored = HashSet::new();
    let mut building = HashSet::new();
    for entry in fs::read_dir(&family)? {
        let entry = entry?;
        let Ok(file_name) = entry.file_name().into_string() else {
            return Ok(FamilyLayout::NeedsRez(format!(
                "a non-UTF-8 name in {}",
                family.display()
            )));
        };
        if let Some(rest) = file_name.strip_prefix('.') {
            if let Some(ver) = file_name.strip_prefix(".building") {
                building.insert(ver.to_string());
                if !settings.check_definition_files && is_dir(&entry) {
                    dirs.push(file_name);
                }
            } else if settings.honour_ignore && rest.starts_with("ignore") && is_file(&entry) {
                ignored.insert(file_name[".ignore".len()..].to_string());
            }
            continue;
        }
        if is_dir(&entry) {
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
        match definition_file(&family_dir, &dir_name, &settings.package_filenames)? {
            Some((path, format, stamp)) => {
                if range.is_some_and(|r| !r.contains_version(&version)) {
                    continue;
                }
                packages.push(PackageFile {
                    version: dir_name,
                    parsed_version: Some(version),
                    path,
                    format,
                    stamp,
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
            versions(family_layout(&root, "foo", None, &s).unwrap()),
            ["1.0", "2.0"]
        );
        let r = VersionRange::parse("2+").unwrap();
        assert_eq!(
            versions(family_layout(&root, "foo", Some(&r), &s).unwrap()),
            ["2.0"]
        );
        let no_ignore = LayoutSettings {
            honour_ignore: false,
            ..LayoutSettings::default()
        };
        assert_eq!(
            versions(family_layout(&root, "foo", None, &no_ignore).unwrap()),
            ["1.0", "1.1", "2.0"]
        );
        assert!(matches!(
            family_layout(&root, "nope", None, &s).unwrap(),
            FamilyLayout::Absent
        ));
        fs::create_dir_all(root.join("foo/4.0")).unwrap(); // no definition file
        assert!(matches!(
            family_layout(&root, "foo", None, &s).unwrap(),
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
            versions(family_layout(&root, "bar", None, &s).unwrap()),
            [""]
        );
        fs::write(root.join("combo.py"), "name = 'combo'\n").unwrap();
        assert!(matches!(
            family_layout(&root, "combo", None, &s).unwrap(),
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
            family_layout(&root, "foo", None, &LayoutSettings::default()).unwrap()
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
}
