//! Where `solve` gets families from: `FamilySource`, the `pyrer@`
//! repository's loader running in Rust (no GIL, no Python object per
//! package, only files rez must evaluate go back to Python), Python
//! `load_family` callbacks for any other repository, and `FamilyChain`, an
//! ordered list of both with rez's precedence: for a (name, version) found in
//! several repositories, the first one wins.
//!
//! The solve runs without the GIL; the loader re-takes it for Python
//! callbacks, to evaluate files and to run Python's signal handlers every
//! `SIGNAL_CHECK_INTERVAL`. A `BaseException` that is not an `Exception`
//! (KeyboardInterrupt, SystemExit raised by rez's signal handlers) stops the
//! solve and is raised again by `solve`: no status may swallow a request to
//! stop.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rustc_hash::FxHashMap as HashMap;

use super::errors::to_py_err;
use super::memo::{counters_dict, layout_settings, stamp_tuple, PyMemo, Stamp};
use super::solve::{packages_of, PyPackageData};
use crate::algebra::range::VersionRange;
use crate::algebra::version::Version;
use crate::memo::{self, Counters, LayoutSettings, PrefetchJob, Prefetcher, ServeOptions, Store};
use crate::package::Package;
use crate::solver::FamilyLoader;

/// How often a solve running without the GIL looks for a pending signal.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

/// Why a family could not be loaded.
enum LoadError {
    /// Only rez can serve it: (reason for the metrics, detail).
    NeedsRez(&'static str, String),
    /// A Python callback raised (an `Exception`: a status, not a stop).
    Raised(PyErr),
    /// Anything else, as the solve's error message.
    Message(String),
}

impl LoadError {
    fn describe(&self, py: Python<'_>, name: &str) -> String {
        match self {
            LoadError::NeedsRez(_, why) => format!("load_family({name:?}): {why}"),
            LoadError::Raised(e) => describe_exception(py, name, e),
            LoadError::Message(m) => m.clone(),
        }
    }
}

fn describe_exception(py: Python<'_>, name: &str, e: &PyErr) -> String {
    let kind = e
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    format!("load_family({name:?}) raised {kind}: {}", e.value(py))
}

/// A `pyrer@` repository's family loader, run in Rust.
pub(crate) struct NativeSource {
    location: PathBuf,
    /// The memo, unless off; never used in a forked child (LMDB handles
    /// must not cross `fork()`).
    store: Option<Arc<Store>>,
    owner_pid: u32,
    /// Layout settings and whether evaluated entries are served; shared,
    /// not copied, by each load.
    settings: Mutex<Arc<(LayoutSettings, bool)>>,
    /// `evaluate(name, version, path, stamp, reason) -> PackageData`: rez's
    /// evaluator for the files the static parser declines.
    evaluate: Py<PyAny>,
    counters: Mutex<SourceCounters>,
    /// Memo problems already logged: each is logged once per process.
    warned: Mutex<HashSet<String>>,
}

#[derive(Default)]
struct SourceCounters {
    load: Counters,
    families: u64,
    /// Families a solve took from its prefetcher.
    prefetched: u64,
    /// Families loaded ahead for a narrower range than the solve then
    /// asked for (loaded again by the solve).
    prefetched_narrower: u64,
    evaluated: u64,
    needs_rez: u64,
    /// Files served with their stamps checked after the load (see
    /// `memo::stamp_check`).
    stamps_deferred: u64,
    /// Solves run again because a stamp checked after the load had changed.
    solves_repeated: u64,
}

/// What one native load found, before any Python work.
struct NativeLoad {
    packages: Vec<Arc<Package>>,
    /// Files served with their stamps not checked yet.
    unchecked: memo::Unchecked,
    /// `(version, path, stamp, reason)` of files rez must evaluate.
    to_evaluate: Vec<(String, String, Stamp, String)>,
    notices: Vec<String>,
}

impl NativeSource {
    fn store(&self) -> Option<&Store> {
        match std::process::id() == self.owner_pid {
            true => self.store.as_deref(),
            false => None,
        }
    }

    fn count(&self, f: impl FnOnce(&mut SourceCounters)) {
        f(&mut self.counters.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// The settings of a load now, and how its files are served
    /// (`defer_stamps`: see `memo::stamp_check`).
    fn load_settings(&self, defer_stamps: bool) -> (Arc<(LayoutSettings, bool)>, ServeOptions) {
        let settings = self
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let options = ServeOptions {
            defer_writes: true,
            serve_evaluated: settings.1,
            memo_only: false,
            defer_stamps,
        };
        (settings, options)
    }

    /// The Rust part of a load: listing, memo, parser. Needs no GIL.
    fn load_native(
        &self,
        name: &str,
        range: Option<&VersionRange>,
        defer_stamps: bool,
    ) -> Result<NativeLoad, LoadError> {
        let (settings, options) = self.load_settings(defer_stamps);
        let names = [name.to_string()];
        let load = memo::load_families(
            self.store(),
            &self.location,
            &names,
            range,
            &settings.0,
            options,
        );
        self.native_load(name, load)
    }

    /// A family's load in the solver's form, counted.
    fn native_load(&self, name: &str, load: memo::FamilyLoad) -> Result<NativeLoad, LoadError> {
        {
            let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
            c.families += 1;
            c.load.add(&load.counters);
            c.stamps_deferred += load.unchecked.len() as u64;
            if !load.needs_rez.is_empty() {
                c.needs_rez += 1;
            }
        }
        if let Some((_, kind, why)) = load.needs_rez.into_iter().next() {
            return Err(LoadError::NeedsRez(kind.as_str(), why));
        }
        let shared: Arc<str> = name.into();
        let mut packages = load
            .packages
            .into_iter()
            .map(|(data, version)| match version {
                Some(v) => Ok(Package::with_shared_name(data, v, shared.clone())),
                None => Package::new(data),
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(LoadError::Message)?;
        // latest first, as the solver reads them (and `prefetch_required`
        // wants them); a version with the same requirements as the next
        // later one shares its merged lists
        packages.sort_by(|a, b| b.version.cmp(&a.version));
        for i in 1..packages.len() {
            let (later, package) = packages.split_at_mut(i);
            package[0].share_requirements(&later[i - 1]);
        }
        let packages: Vec<Arc<Package>> = packages.into_iter().map(Arc::new).collect();
        let to_evaluate = load
            .to_evaluate
            .into_iter()
            .map(|(ff, why)| {
                let path = ff.file.path.to_string_lossy().into_owned();
                (ff.file.version, path, stamp_tuple(&ff.file.stamp), why)
            })
            .collect();
        Ok(NativeLoad {
            packages,
            unchecked: load.unchecked,
            to_evaluate,
            notices: load.notices,
        })
    }

    /// What the prefetch worker runs (see `memo::load_ahead`); None without
    /// a memo (switched off, or a forked child), where nothing loads ahead.
    /// It holds no Python object.
    fn prefetch_job(&self, defer_stamps: bool) -> Option<Box<PrefetchJob>> {
        let store = self.store().and(self.store.clone())?;
        let location = self.location.clone();
        let owner_pid = self.owner_pid;
        let (settings, options) = self.load_settings(defer_stamps);
        Some(Box::new(move |name: &str, range: Option<&VersionRange>| {
            if std::process::id() != owner_pid {
                return None; // LMDB handles must not cross fork()
            }
            memo::load_ahead(&store, &location, name, range, &settings.0, options)
        }))
    }

    /// The Python part: memo warnings (once each) and rez's evaluator.
    fn finish(
        &self,
        py: Python<'_>,
        name: &str,
        load: NativeLoad,
    ) -> Result<Vec<Arc<Package>>, LoadError> {
        if !load.notices.is_empty() {
            self.warn(py, &load.notices);
        }
        let mut packages = load.packages;
        for (version, path, stamp, why) in load.to_evaluate {
            self.counters
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .evaluated += 1;
            let data = self
                .evaluate
                .bind(py)
                .call1((name, version, path, stamp, why))
                .map_err(LoadError::Raised)?;
            let data = data.cast::<PyPackageData>().map_err(|_| {
                LoadError::Message(format!("evaluate({name:?}) did not return PackageData"))
            })?;
            packages.push(data.get().package().map_err(LoadError::Message)?);
        }
        Ok(packages)
    }

    fn warn(&self, py: Python<'_>, notices: &[String]) {
        let fresh: Vec<&String> = {
            let mut warned = self.warned.lock().unwrap_or_else(|p| p.into_inner());
            notices
                .iter()
                .filter(|n| warned.insert((*n).clone()))
                .collect()
        };
        if fresh.is_empty() {
            return;
        }
        let memo_dir = self.store.as_ref().map(|s| s.dir().to_path_buf());
        let _ = (|| -> PyResult<()> {
            let explain = py.import("pyrer.memo")?.getattr("explain")?;
            let log = py
                .import("logging")?
                .call_method1("getLogger", ("pyrer.repository",))?;
            for notice in fresh {
                let text = match &memo_dir {
                    Some(dir) => explain.call1((notice, dir))?.extract::<String>()?,
                    None => notice.clone(),
                };
                log.call_method1("warning", ("pyrer: %s", text))?;
            }
            Ok(())
        })();
    }

    /// A whole load, from Python (the GIL held).
    fn load(
        &self,
        py: Python<'_>,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, LoadError> {
        let load = py.detach(|| self.load_native(name, range, false))?;
        self.finish(py, name, load)
    }
}

/// The `pyrer@` repository's `load_family`, run natively by `solve`.
#[pyclass(name = "FamilySource", module = "pyrer", frozen)]
pub struct PyFamilySource {
    inner: Arc<NativeSource>,
}

#[pymethods]
impl PyFamilySource {
    /// `location`: the repository's directory; `memo`: the package memo or
    /// None; `evaluate(name, version, path, stamp, reason)`: rez's evaluator
    /// for the files the static parser declines, returning `PackageData`.
    #[new]
    #[pyo3(signature = (location, memo, evaluate, *, package_filenames = None,
        allow_unversioned = true, check_definition_files = false, honour_ignore = true,
        serve_evaluated = false))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        location: PathBuf,
        memo: Option<&PyMemo>,
        evaluate: Py<PyAny>,
        package_filenames: Option<Vec<String>>,
        allow_unversioned: bool,
        check_definition_files: bool,
        honour_ignore: bool,
        serve_evaluated: bool,
    ) -> Self {
        let settings = layout_settings(
            package_filenames,
            allow_unversioned,
            check_definition_files,
            honour_ignore,
        );
        PyFamilySource {
            inner: Arc::new(NativeSource {
                location,
                store: memo.map(|m| m.store().clone()),
                owner_pid: std::process::id(),
                settings: Mutex::new(Arc::new((settings, serve_evaluated))),
                evaluate,
                counters: Mutex::default(),
                warned: Mutex::default(),
            }),
        }
    }

    /// Replaces the layout settings (rez's config may change between
    /// resolves of one process).
    #[pyo3(signature = (*, package_filenames = None, allow_unversioned = true,
        check_definition_files = false, honour_ignore = true, serve_evaluated = false))]
    fn configure(
        &self,
        package_filenames: Option<Vec<String>>,
        allow_unversioned: bool,
        check_definition_files: bool,
        honour_ignore: bool,
        serve_evaluated: bool,
    ) {
        let settings = layout_settings(
            package_filenames,
            allow_unversioned,
            check_definition_files,
            honour_ignore,
        );
        *self
            .inner
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new((settings, serve_evaluated));
    }

    /// The family's packages within `version_range`, as `PackageData`; []
    /// when the family is not here. Raises `pyrer.FallbackToRez` where only
    /// rez can answer faithfully.
    #[pyo3(signature = (name, version_range = None))]
    fn __call__(
        &self,
        py: Python<'_>,
        name: &str,
        version_range: Option<&str>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let range = version_range
            .map(VersionRange::parse)
            .transpose()
            .map_err(to_py_err)?;
        match self.inner.load(py, name, range.as_ref()) {
            Ok(packages) => packages
                .into_iter()
                .map(|p| PyPackageData::from_package(py, p))
                .collect(),
            Err(LoadError::NeedsRez(kind, why)) => Err(fallback_to_rez(py, &why, kind)),
            Err(LoadError::Raised(e)) => Err(e),
            Err(LoadError::Message(m)) => Err(PyTypeError::new_err(m)),
        }
    }

    /// Tallies since creation: families, memo hits, parsed, evaluated, ...
    #[getter]
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self
            .inner
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let d = counters_dict(py, &c.load)?;
        d.set_item("families", c.families)?;
        d.set_item("prefetched", c.prefetched)?;
        d.set_item("prefetched_narrower", c.prefetched_narrower)?;
        d.set_item("evaluated", c.evaluated)?;
        d.set_item("needs_rez", c.needs_rez)?;
        d.set_item("stamps_deferred", c.stamps_deferred)?;
        d.set_item("solves_repeated", c.solves_repeated)?;
        Ok(d)
    }

    fn reset_counters(&self) {
        *self
            .inner
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Default::default();
    }

    fn __repr__(&self) -> String {
        format!("FamilySource({:?})", self.inner.location)
    }
}

/// `pyrer.FallbackToRez(why, kind)`, the exception the shim answers by
/// running rez's own solver.
fn fallback_to_rez(py: Python<'_>, why: &str, kind: &str) -> PyErr {
    match py
        .import("pyrer.rez_package")
        .and_then(|m| m.getattr("FallbackToRez"))
        .and_then(|cls| cls.call1((why, kind)))
    {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// One repository of a chain.
enum Source {
    Native(Arc<NativeSource>),
    /// A Python `load_family(name[, version_range])` callback.
    Python {
        callback: Py<PyAny>,
        takes_range: bool,
    },
}

impl Source {
    fn of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Source> {
        if let Ok(native) = obj.cast::<PyFamilySource>() {
            return Ok(Source::Native(native.get().inner.clone()));
        }
        if !obj.is_callable() {
            return Err(PyTypeError::new_err(format!(
                "load_family must be callable, not {}",
                obj.get_type().name()?
            )));
        }
        Ok(Source::Python {
            takes_range: accepts_range(py, obj),
            callback: obj.clone().unbind(),
        })
    }
}

/// Whether `callback` can take a second positional argument (the range).
fn accepts_range(py: Python<'_>, callback: &Bound<'_, PyAny>) -> bool {
    let check = || -> PyResult<bool> {
        let inspect = py.import("inspect")?;
        let sig = inspect.call_method1("signature", (callback,))?;
        let params = sig.getattr("parameters")?.call_method0("values")?;
        let mut positional = 0;
        for p in params.try_iter()? {
            let kind = p?.getattr("kind")?.str()?.to_string();
            match kind.as_str() {
                "VAR_POSITIONAL" => return Ok(true),
                "POSITIONAL_ONLY" | "POSITIONAL_OR_KEYWORD" => positional += 1,
                _ => {}
            }
        }
        Ok(positional >= 2)
    };
    check().unwrap_or(false)
}

/// Whether a solve loads families ahead on a second thread (see
/// `memo::Prefetcher`), from `PYRER_PREFETCH`: on by default; `0` (or
/// `false`/`off`/`no`) switches it off; `wait` makes the solve wait for
/// every family queued ahead rather than load it itself (slower; which
/// families come from the prefetcher is then deterministic, for tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PrefetchMode {
    Off,
    On,
    Wait,
}

impl PrefetchMode {
    fn from_env() -> PrefetchMode {
        match std::env::var("PYRER_PREFETCH") {
            Err(_) => PrefetchMode::On,
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "0" | "false" | "off" | "no" => PrefetchMode::Off,
                "wait" => PrefetchMode::Wait,
                _ => PrefetchMode::On,
            },
        }
    }
}

/// Whether native loads with a prefetcher leave their files' stamps to be
/// checked later (see `memo::stamp_check`), from `PYRER_STAMP_CHECKS`:
/// `later` by default, `now` for a stat of each file as it is loaded.
fn stamp_checks_later() -> bool {
    match std::env::var("PYRER_STAMP_CHECKS") {
        Err(_) => true,
        Ok(v) => !v.trim().eq_ignore_ascii_case("now"),
    }
}

/// Whether `e` is a `FallbackToRez` for `@late` requirements.
fn is_late_bound(py: Python<'_>, e: &PyErr) -> bool {
    e.value(py)
        .getattr("reason")
        .and_then(|r| r.extract::<String>())
        .is_ok_and(|r| r == "late_bound")
}

/// What a chain learnt during its solves.
#[derive(Default)]
struct ChainState {
    /// The source each loaded (family, version) came from.
    origins: HashMap<(String, Version), usize>,
    /// The first load that failed: (reason for the metrics, detail).
    failure: Option<(String, String)>,
}

/// Repositories in search order, for `solve(load_family=...)`.
#[pyclass(name = "FamilyChain", module = "pyrer", frozen)]
pub struct PyFamilyChain {
    sources: Vec<Source>,
    state: Mutex<ChainState>,
    /// `late_bound(index, name, version_range) -> list[PackageData]`: the
    /// family, as rez's solver would read it, when source `index` (native)
    /// finds a package of it whose requirements rez binds late.
    late_bound: Option<Py<PyAny>>,
}

#[pymethods]
impl PyFamilyChain {
    /// `sources`: `FamilySource`s and `load_family` callables, first wins.
    /// `late_bound`: see the class; without it such a family stops the solve
    /// (`failure` then says "late_bound").
    #[new]
    #[pyo3(signature = (sources, *, late_bound = None))]
    fn py_new(
        py: Python<'_>,
        sources: &Bound<'_, PyAny>,
        late_bound: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let sources = sources
            .try_iter()?
            .map(|s| Source::of(py, &s?))
            .collect::<PyResult<_>>()?;
        Ok(PyFamilyChain {
            sources,
            state: Mutex::default(),
            late_bound: late_bound.filter(|f| !f.is_none(py)),
        })
    }

    /// The index of the source that served (name, version), if loaded.
    fn origin(&self, name: String, version: &str) -> PyResult<Option<usize>> {
        let version = Version::parse(version).map_err(to_py_err)?;
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        Ok(state.origins.get(&(name, version)).copied())
    }

    /// `(reason, detail)` of the first load that failed, or None. Reasons:
    /// "late_bound", "layout", "io_error", "rez_cannot_load" (or another
    /// `FallbackToRez.reason`), "load_error" for any other exception.
    #[getter]
    fn failure(&self) -> Option<(String, String)> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.failure.clone()
    }

    fn __len__(&self) -> usize {
        self.sources.len()
    }
}

/// The sources a solve loads from, and what it must report back.
pub(crate) struct ChainLoader<'c> {
    sources: Vec<Source>,
    /// Per native source, its families loaded ahead during this solve
    /// (created with the source's first load; None where switched off).
    prefetchers: Vec<Option<Prefetcher>>,
    prefetch: PrefetchMode,
    /// Native loads with a prefetcher leave their stamps to check later
    /// (see `memo::stamp_check`); off once a solve must be repeated.
    defer_stamps: bool,
    state: Option<&'c Mutex<ChainState>>,
    /// The chain's failure before this solve, restored if it is repeated.
    failure_before: Option<(String, String)>,
    /// A stamp checked at once (no prefetcher to leave it to) had changed.
    stale: bool,
    late_bound: Option<&'c Py<PyAny>>,
    /// The exception that stopped the solve, raised again by `solve`.
    pub pending: Option<PyErr>,
    /// Time spent loading families.
    pub load_time: Duration,
    last_signal_check: Instant,
}

impl<'c> ChainLoader<'c> {
    /// The loader for `solve`'s `load_family` argument (None: no families).
    pub fn new(py: Python<'_>, load_family: Option<&'c Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut loader = ChainLoader {
            sources: Vec::new(),
            prefetchers: Vec::new(),
            prefetch: PrefetchMode::from_env(),
            defer_stamps: stamp_checks_later(),
            state: None,
            failure_before: None,
            stale: false,
            late_bound: None,
            pending: None,
            load_time: Duration::ZERO,
            last_signal_check: Instant::now(),
        };
        if let Some(obj) = load_family {
            if let Ok(chain) = obj.cast::<PyFamilyChain>() {
                let chain: &'c PyFamilyChain = chain.get();
                loader.sources = chain.sources.iter().map(Source::share).collect();
                loader.state = Some(&chain.state);
                loader.late_bound = chain.late_bound.as_ref();
                let state = chain.state.lock().unwrap_or_else(|p| p.into_inner());
                loader.failure_before = state.failure.clone();
            } else {
                loader.sources.push(Source::of(py, obj)?);
            }
        }
        loader.prefetchers = loader.sources.iter().map(|_| None).collect();
        Ok(loader)
    }

    /// Keeps `e` to raise again if it asks the caller to stop.
    fn stops_the_solve(&mut self, py: Python<'_>, e: &PyErr) -> bool {
        let stop = !e.is_instance_of::<PyException>(py);
        if stop && self.pending.is_none() {
            self.pending = Some(e.clone_ref(py));
        }
        stop
    }

    fn record_failure(&self, py: Python<'_>, error: &LoadError) {
        let Some(state) = self.state else { return };
        let (reason, detail) = match error {
            LoadError::NeedsRez(kind, why) => (kind.to_string(), why.clone()),
            LoadError::Raised(e) => {
                let reason = e
                    .value(py)
                    .getattr("reason")
                    .and_then(|r| r.extract::<String>())
                    .unwrap_or_else(|_| "load_error".to_string());
                let kind = e.get_type(py).name().map(|n| n.to_string());
                (
                    reason,
                    format!("{}: {}", kind.unwrap_or_default(), e.value(py)),
                )
            }
            LoadError::Message(m) => ("load_error".to_string(), m.clone()),
        };
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        state.failure.get_or_insert((reason, detail));
    }

    /// One source's packages of `name` (GIL held only where Python runs).
    fn load_from(
        &mut self,
        source: usize,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, LoadError> {
        match &self.sources[source] {
            Source::Native(native) => {
                let native = native.clone();
                // a load leaves its stamps to the prefetcher to check
                let defer = self.defer_stamps && self.prefetcher(source, &native).is_some();
                let prefetcher = self.prefetchers[source].as_ref();
                let taken = prefetcher.map(|p| (p, p.take(name, range)));
                if let Some((_, Err(memo::NotTaken::Narrower))) = taken {
                    native.count(|c| c.prefetched_narrower += 1);
                }
                let load = match taken {
                    Some((prefetcher, Ok(mut load))) => {
                        native.count(|c| c.prefetched += 1);
                        // the versions outside the range asked are freed on
                        // the worker's thread, not this one
                        if let Some(range) = range {
                            let other = load.split_off_outside(range);
                            if !other.is_empty() {
                                prefetcher.discard(Box::new(other));
                            }
                        }
                        native.native_load(name, load)
                    }
                    _ => native.load_native(name, range, defer),
                };
                let mut load = match load {
                    Err(LoadError::NeedsRez("late_bound", _)) if self.late_bound.is_some() => {
                        return self.load_late_bound(source, name, range);
                    }
                    other => other?,
                };
                let unchecked = std::mem::take(&mut load.unchecked);
                match self.prefetchers[source].as_ref() {
                    Some(prefetcher) => prefetcher.check_later(unchecked),
                    None => self.stale |= !memo::all_hold(&unchecked),
                }
                self.prefetch_required(source, &native, &load.packages);
                if load.notices.is_empty() && load.to_evaluate.is_empty() {
                    return Ok(load.packages); // the warm path: no Python at all
                }
                match Python::attach(|py| native.finish(py, name, load)) {
                    // rez's evaluator found `@late` requirements just now
                    Err(LoadError::Raised(e))
                        if self.late_bound.is_some()
                            && Python::attach(|py| is_late_bound(py, &e)) =>
                    {
                        self.load_late_bound(source, name, range)
                    }
                    other => other,
                }
            }
            Source::Python {
                callback,
                takes_range,
            } => Python::attach(|py| {
                let cb = callback.bind(py);
                let result = match takes_range {
                    true => cb.call1((name, range.map(|r| r.to_string()))),
                    false => cb.call1((name,)),
                }
                .map_err(LoadError::Raised)?;
                if result.is_none() {
                    return Ok(Vec::new());
                }
                match packages_of(&result) {
                    Ok(r) => r.map_err(LoadError::Message),
                    Err(e) => Err(LoadError::Raised(e)),
                }
            }),
        }
    }

    /// Queues, for loading ahead, the families `packages` (a native load's,
    /// latest first) require.
    fn prefetch_required(
        &mut self,
        source: usize,
        native: &NativeSource,
        packages: &[Arc<Package>],
    ) {
        if packages.is_empty() {
            return;
        }
        let Some(prefetcher) = self.prefetcher(source, native) else {
            return;
        };
        // `native_load` hands them latest first (the solver reads those
        // first, and the worker loads in the order families are wanted); a
        // package sharing the requirements of the one before wants nothing new
        let distinct = packages
            .iter()
            .enumerate()
            .filter(|&(i, p)| i == 0 || !p.shares_requirements_with(&packages[i - 1]))
            .map(|(_, p)| p);
        prefetcher
            .want(distinct.flat_map(|p| p.data.requires().chain(p.data.variants().flatten())));
    }

    /// The prefetcher of native source `source`, made on first use; None
    /// where prefetching is off or the source has no memo.
    fn prefetcher(&mut self, source: usize, native: &NativeSource) -> Option<&mut Prefetcher> {
        if self.prefetch == PrefetchMode::Off {
            return None;
        }
        if self.prefetchers[source].is_none() {
            let job = native.prefetch_job(self.defer_stamps)?;
            let wait = self.prefetch == PrefetchMode::Wait;
            self.prefetchers[source] = Some(Prefetcher::new(job).waiting_for_queued(wait));
        }
        self.prefetchers[source].as_mut()
    }

    /// A family with `@late` requirements, read through rez by the chain's
    /// `late_bound` callback.
    fn load_late_bound(
        &self,
        source: usize,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, LoadError> {
        let callback = self.late_bound.expect("checked by the caller");
        Python::attach(|py| {
            let result = callback
                .bind(py)
                .call1((source, name, range.map(|r| r.to_string())))
                .map_err(LoadError::Raised)?;
            match packages_of(&result) {
                Ok(r) => r.map_err(LoadError::Message),
                Err(e) => Err(LoadError::Raised(e)),
            }
        })
    }

    /// Checks the stamps this solve's loads left for later (see
    /// `memo::stamp_check`), and ends their loading ahead; true if every
    /// stamp held, so the solve's answer stands.
    pub fn stamps_held(&mut self) -> bool {
        let mut held = !self.stale;
        for (source, prefetcher) in self.prefetchers.iter().enumerate() {
            let Some(prefetcher) = prefetcher else {
                continue;
            };
            if !prefetcher.finish_checks() {
                held = false;
                if let Source::Native(native) = &self.sources[source] {
                    native.count(|c| c.solves_repeated += 1);
                }
            }
        }
        held
    }

    /// Readies the loader for the solve again, every stamp read as it loads:
    /// a file changed after the memo's record of it was served.
    pub fn check_stamps_now(&mut self) {
        self.defer_stamps = false;
        self.stale = false;
        self.prefetchers.iter_mut().for_each(|p| *p = None);
        if let Some(state) = self.state {
            state.lock().unwrap_or_else(|p| p.into_inner()).failure = self.failure_before.clone();
        }
    }

    /// Every source's packages of `name`, the first source winning.
    fn load_all(
        &mut self,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, String> {
        let single = self.sources.len() == 1;
        let mut out: Vec<Arc<Package>> = Vec::new();
        let mut seen: HashSet<Version> = HashSet::new();
        for source in 0..self.sources.len() {
            let packages = match self.load_from(source, name, range) {
                Ok(p) => p,
                Err(error) => {
                    return Err(Python::attach(|py| {
                        if let LoadError::Raised(e) = &error {
                            self.stops_the_solve(py, e);
                        }
                        self.record_failure(py, &error);
                        error.describe(py, name)
                    }));
                }
            };
            if single && self.state.is_none() {
                return Ok(packages); // no precedence to keep, nothing to record
            }
            let mut state = self
                .state
                .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()));
            for p in packages {
                // A source may return more than the hint asks; a version out
                // of range now could shadow a later call's first source.
                if &*p.name != name || range.is_some_and(|r| !r.contains_version(&p.version)) {
                    continue;
                }
                if seen.insert(p.version.clone()) {
                    if let Some(state) = state.as_mut() {
                        state
                            .origins
                            .entry((name.to_string(), p.version.clone()))
                            .or_insert(source);
                    }
                    out.push(p);
                }
            }
        }
        Ok(out)
    }
}

impl Source {
    fn share(&self) -> Source {
        match self {
            Source::Native(n) => Source::Native(n.clone()),
            Source::Python {
                callback,
                takes_range,
            } => Source::Python {
                callback: Python::attach(|py| callback.clone_ref(py)),
                takes_range: *takes_range,
            },
        }
    }
}

impl FamilyLoader for ChainLoader<'_> {
    /// Freed by a prefetch worker when there is one (its loads are done by
    /// now): a fresh process then starts no thread pool for it.
    fn release(&mut self, loaded: crate::solver::Loaded) {
        match self.prefetchers.iter().flatten().next() {
            Some(prefetcher) => prefetcher.discard(Box::new(loaded)),
            None => crate::solver::release(loaded),
        }
    }

    /// Queued for every native source's prefetcher: the worker loads them
    /// while the solver loads the first (a request of rez's benchmark has 42
    /// requirements on average, whose families a solver alone loads one by
    /// one).
    fn expect(&mut self, requirements: &[String]) {
        for source in 0..self.sources.len() {
            if let Source::Native(native) = &self.sources[source] {
                let native = native.clone();
                if let Some(prefetcher) = self.prefetcher(source, &native) {
                    prefetcher.want(requirements.iter().map(String::as_str));
                }
            }
        }
    }

    fn load(
        &mut self,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, String> {
        let start = Instant::now();
        let result = self.load_all(name, range);
        self.load_time += start.elapsed();
        result
    }

    fn interrupted(&mut self) -> bool {
        if self.pending.is_some() {
            return true;
        }
        if self.last_signal_check.elapsed() < SIGNAL_CHECK_INTERVAL {
            return false;
        }
        self.last_signal_check = Instant::now();
        // Whatever a signal handler raises belongs to the caller, as it
        // would have been raised between two bytecodes of a Python solve.
        match Python::attach(|py| py.check_signals()) {
            Ok(()) => false,
            Err(e) => {
                self.pending.get_or_insert(e);
                true
            }
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFamilySource>()?;
    m.add_class::<PyFamilyChain>()?;
    Ok(())
}
