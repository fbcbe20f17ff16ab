//! Python API of the package memo: `Memo`, `load_family`, and the pieces
//! `pyrer-index` drives (`repository_families`, `index_families`). The
//! filesystem and LMDB work runs with the GIL released.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::errors::to_py_err;
use super::package_py::to_python;
use crate::algebra::range::VersionRange;
use crate::memo::{
    self, Counters, FileStamp, LayoutSettings, Origin, PackageFile, Record, ServeOptions, Store,
};

pub(crate) type Stamp = (i64, i64, u64, u64);

pub(crate) fn stamp_tuple(s: &FileStamp) -> Stamp {
    (s.mtime_ns, s.ctime_ns, s.size, s.ino)
}

fn stamp_of((mtime_ns, ctime_ns, size, ino): Stamp) -> FileStamp {
    FileStamp {
        mtime_ns,
        ctime_ns,
        size,
        ino,
    }
}

/// LMDB allows one environment per directory per process: every `Memo`
/// for the same directory shares one store.
fn open_shared(dir: &Path, map_size: usize) -> Result<Arc<Store>, String> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, Weak<Store>>>> = OnceLock::new();
    let canonical = {
        std::fs::create_dir_all(dir).map_err(|e| {
            // create_dir_all says "File exists" for a dangling symlink
            match std::fs::read_link(dir) {
                Ok(target) if !dir.exists() => format!(
                    "memo directory {} is a symlink to {}, which does not exist",
                    dir.display(),
                    target.display()
                ),
                _ => format!("cannot create memo directory {}: {e}", dir.display()),
            }
        })?;
        dir.canonicalize()
            .map_err(|e| format!("{}: {e}", dir.display()))?
    };
    let mut open = OPEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(store) = open.get(&canonical).and_then(Weak::upgrade) {
        return Ok(store);
    }
    let store = Arc::new(Store::open(&canonical, map_size).map_err(|e| e.0)?);
    open.insert(canonical, Arc::downgrade(&store));
    Ok(store)
}

/// The LMDB package memo in one directory (on local disk).
#[pyclass(name = "Memo", module = "pyrer", frozen)]
pub struct PyMemo {
    store: Arc<Store>,
}

impl PyMemo {
    pub(crate) fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

#[pymethods]
impl PyMemo {
    /// Opens or creates the memo in `path`. Raises OSError when it cannot be
    /// used; a damaged data file is set aside and rebuilt (see `notices`).
    #[new]
    #[pyo3(signature = (path, map_size = 256 << 20))]
    fn new(py: Python<'_>, path: PathBuf, map_size: usize) -> PyResult<Self> {
        let store = py
            .detach(|| open_shared(&path, map_size))
            .map_err(PyOSError::new_err)?;
        Ok(PyMemo { store })
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.store.dir().to_path_buf()
    }

    /// What happened while opening (a damaged file set aside, say).
    #[getter]
    fn notices(&self) -> Vec<String> {
        self.store.notices.clone()
    }

    /// `{"entries": int, "map_size": int, "broken": str | None}`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (entries, map_size) = py.detach(|| self.store.size());
        let d = PyDict::new(py);
        d.set_item("entries", entries)?;
        d.set_item("map_size", map_size)?;
        d.set_item("broken", self.store.broken())?;
        Ok(d)
    }

    /// Records what rez's evaluator loaded for `path` as it was at `stamp`;
    /// `requires=None` records that rez binds `requires` late. Returns False
    /// when the file changed too recently to be remembered safely.
    /// `runs_statically=True`: the file's module depends on nothing but its
    /// bytes (`pyrer.runs_statically`), so the entry is always served.
    #[pyo3(signature = (path, stamp, requires, variants = None, timestamp = 0, runs_statically = false))]
    #[allow(clippy::too_many_arguments)]
    fn remember(
        &self,
        py: Python<'_>,
        path: String,
        stamp: Stamp,
        requires: Option<Vec<String>>,
        variants: Option<Vec<Vec<String>>>,
        timestamp: i64,
        runs_statically: bool,
    ) -> PyResult<bool> {
        let fields = requires.map(|r| (r, variants.unwrap_or_default(), timestamp));
        py.detach(|| {
            memo::remember_evaluated(&self.store, &path, stamp_of(stamp), fields, runs_statically)
        })
        .map_err(PyOSError::new_err)
    }

    /// The entry for `path`: `(origin, stamp, requires, variants)` with
    /// origin "static", "evaluated" or "late"; None when absent or damaged.
    /// The stamp is not checked against the file.
    #[allow(clippy::type_complexity)]
    fn lookup(
        &self,
        py: Python<'_>,
        path: String,
    ) -> PyResult<Option<(&'static str, Stamp, Vec<String>, Vec<Vec<String>>)>> {
        let (key, shortened) = memo::key_of(&path);
        let value = py
            .detach(|| self.store.get_many(&[key.into_owned()]))
            .map_err(|e| PyOSError::new_err(e.0))?
            .pop()
            .flatten();
        Ok(value
            .and_then(|v| Record::decode(&v))
            .filter(|r| !shortened || r.path.as_deref() == Some(path.as_str()))
            .map(|r| {
                let origin = match r.origin {
                    Origin::Static => "static",
                    Origin::Evaluated => "evaluated",
                    Origin::LateBound => "late",
                };
                (origin, stamp_tuple(&r.stamp), r.requires, r.variants)
            }))
    }

    /// The whole definition remembered for the file at `path` (what rez's
    /// loader returned, in `pyrer.definitions`' encoding), if the file still
    /// has the stamp it had then; None otherwise (absent, stale, damaged,
    /// older format, or the file cannot be stat'ed).
    fn definition<'py>(
        &self,
        py: Python<'py>,
        path: String,
    ) -> PyResult<Option<Bound<'py, pyo3::types::PyBytes>>> {
        let found = py.detach(|| {
            let Ok(meta) = std::fs::metadata(&path) else {
                return Ok(None);
            };
            memo::lookup_definition(&self.store, &path, &FileStamp::of(&meta))
        });
        let found = found.map_err(|e| PyOSError::new_err(e.0))?;
        Ok(found.map(|bytes| pyo3::types::PyBytes::new(py, &bytes)))
    }

    /// Queues `payload` as the definition of `path`, whose stamp was `stamp`
    /// before rez loaded it. Returns False (nothing written) when the file
    /// has changed since, or too recently to be remembered safely.
    fn remember_definition(
        &self,
        py: Python<'_>,
        path: String,
        stamp: Stamp,
        payload: Vec<u8>,
    ) -> PyResult<bool> {
        py.detach(|| {
            let Ok(meta) = std::fs::metadata(&path) else {
                return Ok(false);
            };
            let current = FileStamp::of(&meta);
            memo::remember_definition(&self.store, &path, &stamp_of(stamp), &current, &payload)
        })
        .map_err(|e| PyOSError::new_err(e.0))
    }

    /// Commits writes queued by `load_family`; returns how many. Also done
    /// when the queue is long and when the memo is dropped.
    fn flush(&self, py: Python<'_>) -> PyResult<usize> {
        py.detach(|| self.store.flush())
            .map_err(|e| PyOSError::new_err(e.0))
    }

    /// Paths of the entries under `prefix` (a directory path).
    fn paths(&self, py: Python<'_>, prefix: String) -> PyResult<Vec<String>> {
        py.detach(|| entry_paths(&self.store, &prefix))
            .map_err(PyOSError::new_err)
    }

    /// Directories under `prefix` (a directory path) whose listings the
    /// memo keeps.
    fn directories(&self, py: Python<'_>, prefix: String) -> PyResult<Vec<String>> {
        py.detach(|| memo::listing_paths(&self.store, &prefix))
            .map_err(|e| PyOSError::new_err(e.0))
    }

    /// Drops what the memo keeps for `paths` (a file's solver entry and
    /// whole definition, a directory's listing); returns how many paths were
    /// asked for. Raises OSError when the memo takes no writes.
    fn forget(&self, py: Python<'_>, paths: Vec<String>) -> PyResult<usize> {
        let items: Vec<_> = paths
            .iter()
            .flat_map(|p| {
                [
                    memo::key_of(p).0.into_owned(),
                    memo::definition_key(p).0,
                    memo::listing_key(p).0,
                ]
            })
            .map(|key| (key, None))
            .collect();
        match py.detach(|| self.store.write(&items)) {
            Ok(true) => Ok(paths.len()),
            Ok(false) => Err(PyOSError::new_err(format!(
                "memo {} takes no writes in this process",
                self.store.dir().display()
            ))),
            Err(e) => Err(PyOSError::new_err(e.0)),
        }
    }

    fn __repr__(&self) -> String {
        format!("Memo({:?})", self.store.dir())
    }
}

/// Paths of the entries whose path starts with `prefix`. A shortened key
/// keeps only the first `SHORT_KEY_PREFIX` bytes of its path, so a longer
/// prefix is scanned by that much and the full paths (kept in the records)
/// are filtered.
fn entry_paths(store: &Store, prefix: &str) -> Result<Vec<String>, String> {
    let scan = &prefix.as_bytes()[..prefix.len().min(memo::SHORT_KEY_PREFIX)];
    let keys = store.keys_with_prefix(scan).map_err(|e| e.0)?;
    let mut out = Vec::with_capacity(keys.len());
    let mut shortened = Vec::new();
    for k in keys {
        match k.iter().position(|&b| b == 0) {
            None => out.push(String::from_utf8_lossy(&k).into_owned()),
            Some(_) => shortened.push(k),
        }
    }
    for v in store
        .get_many(&shortened)
        .map_err(|e| e.0)?
        .into_iter()
        .flatten()
    {
        if let Some(p) = Record::decode(&v).and_then(|r| r.path) {
            out.push(p);
        }
    }
    out.retain(|p| p.starts_with(prefix));
    Ok(out)
}

pub(crate) fn counters_dict<'py>(py: Python<'py>, c: &Counters) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("memo_hits", c.memo_hits)?;
    d.set_item("parsed", c.parsed)?;
    d.set_item("needs_evaluation", c.needs_evaluation)?;
    d.set_item("late_bound", c.late_bound)?;
    d.set_item("files_read", c.files_read)?;
    d.set_item("io_errors", c.io_errors)?;
    d.set_item("memo_writes", c.memo_writes)?;
    d.set_item("not_settled", c.not_settled)?;
    d.set_item("memo_writes_dropped", c.memo_writes_dropped)?;
    Ok(d)
}

pub(crate) fn layout_settings(
    package_filenames: Option<Vec<String>>,
    allow_unversioned: bool,
    check_definition_files: bool,
    honour_ignore: bool,
) -> LayoutSettings {
    LayoutSettings {
        package_filenames: package_filenames.unwrap_or_else(|| vec!["package".into()]),
        allow_unversioned,
        check_definition_files,
        honour_ignore,
    }
}

fn pending_tuple(f: PackageFile, why: String) -> (String, String, Stamp, String) {
    (
        f.version,
        f.path.to_string_lossy().into_owned(),
        stamp_tuple(&f.stamp),
        why,
    )
}

/// One family as loaded by `load_family`.
#[pyclass(name = "FamilyLoad", module = "pyrer", frozen, get_all)]
pub struct PyFamilyLoad {
    /// The family is not in the repository.
    absent: bool,
    /// Why only rez can serve this family, or None.
    needs_rez: Option<String>,
    /// What kind of reason `needs_rez` is: "late_bound", "layout" or "io_error".
    needs_rez_kind: Option<&'static str>,
    /// The packages served (memo hits and freshly parsed files).
    packages: Py<PyList>,
    /// `(version, path, stamp, reason)` of files rez's evaluator must load.
    to_evaluate: Vec<(String, String, Stamp, String)>,
    counters: Py<PyDict>,
    /// Memo problems met (the files were served from disk).
    notices: Vec<String>,
}

/// Loads family `name` of the rez filesystem repository at `location`,
/// within `version_range`, through `memo` when given. Entries that rez's
/// evaluator produced are served only with `serve_evaluated` (see
/// `ServeOptions`); otherwise those files are handed back for evaluation.
#[pyfunction]
#[pyo3(signature = (location, name, version_range = None, memo = None, *,
    package_filenames = None, allow_unversioned = true,
    check_definition_files = false, honour_ignore = true, serve_evaluated = false))]
#[allow(clippy::too_many_arguments)]
fn load_family(
    py: Python<'_>,
    location: PathBuf,
    name: String,
    version_range: Option<String>,
    memo: Option<&PyMemo>,
    package_filenames: Option<Vec<String>>,
    allow_unversioned: bool,
    check_definition_files: bool,
    honour_ignore: bool,
    serve_evaluated: bool,
) -> PyResult<PyFamilyLoad> {
    let range = match version_range.as_deref() {
        None => None,
        Some(r) => Some(VersionRange::parse(r).map_err(to_py_err)?),
    };
    let settings = layout_settings(
        package_filenames,
        allow_unversioned,
        check_definition_files,
        honour_ignore,
    );
    let store = memo.map(|m| m.store.clone());
    let names = [name];
    let load = py.detach(|| {
        memo::load_families(
            store.as_deref(),
            &location,
            &names,
            range.as_ref(),
            &settings,
            ServeOptions {
                defer_writes: true,
                serve_evaluated,
                memo_only: false,
                defer_stamps: false,
            },
        )
    });
    let packages = load
        .packages
        .into_iter()
        .map(|(p, _)| to_python(py, p))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyFamilyLoad {
        absent: !load.absent.is_empty(),
        needs_rez_kind: load.needs_rez.first().map(|(_, kind, _)| kind.as_str()),
        needs_rez: load.needs_rez.into_iter().next().map(|(_, _, why)| why),
        packages: PyList::new(py, packages)?.unbind(),
        to_evaluate: load
            .to_evaluate
            .into_iter()
            .map(|(ff, why)| pending_tuple(ff.file, why))
            .collect(),
        counters: counters_dict(py, &load.counters)?.unbind(),
        notices: load.notices,
    })
}

/// The family names of a repository (as rez's filesystem repository lists them).
#[pyfunction]
fn repository_families(py: Python<'_>, location: PathBuf) -> PyResult<Vec<String>> {
    py.detach(|| memo::family_names(&location))
        .map_err(|e| PyOSError::new_err(format!("{}: {e}", location.display())))
}

/// Fills the memo for families `names` of `location`: unchanged entries are
/// kept, other files parsed in parallel. Returns `(counters, to_evaluate,
/// needs_rez, notices)`: to_evaluate items are `(family, version, path,
/// stamp, reason)`, needs_rez items `(family, reason)`.
#[pyfunction]
#[pyo3(signature = (location, names, memo, *, package_filenames = None,
    allow_unversioned = true, check_definition_files = false, honour_ignore = true,
    serve_evaluated = false))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn index_families<'py>(
    py: Python<'py>,
    location: PathBuf,
    names: Vec<String>,
    memo: &PyMemo,
    package_filenames: Option<Vec<String>>,
    allow_unversioned: bool,
    check_definition_files: bool,
    honour_ignore: bool,
    serve_evaluated: bool,
) -> PyResult<(
    Bound<'py, PyDict>,
    Vec<(String, String, String, Stamp, String)>,
    Vec<(String, String)>,
    Vec<String>,
)> {
    let settings = layout_settings(
        package_filenames,
        allow_unversioned,
        check_definition_files,
        honour_ignore,
    );
    let store = memo.store.clone();
    let options = ServeOptions {
        defer_writes: false,
        serve_evaluated,
        memo_only: false,
        defer_stamps: false,
    };
    let load = py
        .detach(|| memo::load_families(Some(&store), &location, &names, None, &settings, options));
    let needs_rez = load
        .needs_rez
        .into_iter()
        .map(|(family, _, why)| (family, why))
        .collect();
    let to_evaluate = load
        .to_evaluate
        .into_iter()
        .map(|(ff, why)| {
            let (version, path, stamp, why) = pending_tuple(ff.file, why);
            (ff.family.to_string(), version, path, stamp, why)
        })
        .collect();
    Ok((
        counters_dict(py, &load.counters)?,
        to_evaluate,
        needs_rez,
        load.notices,
    ))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMemo>()?;
    m.add_class::<PyFamilyLoad>()?;
    m.add_function(wrap_pyfunction!(load_family, m)?)?;
    m.add_function(wrap_pyfunction!(repository_families, m)?)?;
    m.add_function(wrap_pyfunction!(index_families, m)?)?;
    Ok(())
}
