//! Python API of the solver: `PackageData`, `Repository`, `solve`,
//! `SolveResult`, `ResolvedVariant`. Only `TypeError` escapes `solve` (for a
//! `packages` argument of the wrong type), and what asks the caller to stop
//! (KeyboardInterrupt, SystemExit, a signal handler's exception); everything
//! else is a status.

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::family_source::ChainLoader;
use super::package_filter::PyPackageFilter;
use super::package_order::PyPackageOrderers;
use crate::package::repository::Repository;
use crate::package::{Package, PackageData};
use crate::solver::order::PackageOrder;
use crate::solver::{self, SolveOutcome, SolveStatus, VariantSelectMode};

/// One package version: name, version, requirement strings, variants.
#[pyclass(name = "PackageData", module = "pyrer", frozen)]
pub struct PyPackageData {
    data: PackageData,
    /// The parsed package, built once and reused by every solve.
    parsed: OnceLock<Result<Arc<Package>, String>>,
}

impl PyPackageData {
    pub fn new_from(data: PackageData) -> PyPackageData {
        PyPackageData {
            data,
            parsed: OnceLock::new(),
        }
    }

    /// A Python `PackageData` for a package already parsed.
    pub(crate) fn from_package(py: Python<'_>, pkg: Arc<Package>) -> PyResult<Py<PyAny>> {
        let parsed = OnceLock::new();
        let _ = parsed.set(Ok(pkg.clone()));
        let obj = Py::new(
            py,
            PyPackageData {
                data: pkg.data.clone(),
                parsed,
            },
        )?;
        Ok(obj.into_any())
    }

    pub fn package(&self) -> Result<Arc<Package>, String> {
        self.parsed
            .get_or_init(|| Package::new(self.data.clone()).map(Arc::new))
            .clone()
    }
}

/// The items of a list or tuple; None gives no items. Anything else (rez's
/// `SourceCode` for `@early`/`@late` fields, say) is refused, as the API
/// promises: `expected` names what was wanted in the error.
fn sequence_items<'py>(
    obj: Option<&Bound<'py, PyAny>>,
    expected: &str,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if !(obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()) {
        return Err(PyTypeError::new_err(format!(
            "{expected}, not {}",
            obj.get_type().name()?
        )));
    }
    obj.try_iter()?.collect()
}

/// A list of strings from a list or tuple.
fn string_list(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<String>> {
    sequence_items(obj, &format!("{what} must be a list of str"))?
        .into_iter()
        .map(|item| {
            item.extract::<String>().map_err(|_| {
                let kind = item
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                PyTypeError::new_err(format!("{what} must contain str, not {kind}"))
            })
        })
        .collect()
}

fn variant_lists(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Vec<String>>> {
    sequence_items(obj, "variants must be a list of lists of str")?
        .iter()
        .map(|v| string_list(Some(v), "each variant"))
        .collect()
}

/// `str(x)` for a duck-typed rez attribute.
fn to_str(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(obj.str()?.to_string())
}

/// `[str(r) for r in seq or []]`.
fn str_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if obj.is_none() {
        return Ok(Vec::new());
    }
    obj.try_iter()?.map(|r| to_str(&r?)).collect()
}

#[pymethods]
impl PyPackageData {
    #[new]
    #[pyo3(signature = (name, version, requires = None, variants = None, *, timestamp = 0))]
    fn py_new(
        name: String,
        version: &Bound<'_, PyAny>,
        requires: Option<&Bound<'_, PyAny>>,
        variants: Option<&Bound<'_, PyAny>>,
        timestamp: i64,
    ) -> PyResult<Self> {
        Ok(PyPackageData::new_from(
            PackageData::new(
                &name,
                &to_str(version)?,
                string_list(requires, "requires")?,
                variant_lists(variants)?,
            )
            .with_timestamp(timestamp),
        ))
    }

    /// Same as the constructor, under a name that says what it takes.
    #[staticmethod]
    #[pyo3(signature = (name, version, requires = None, variants = None))]
    fn from_strings(
        name: String,
        version: &Bound<'_, PyAny>,
        requires: Option<&Bound<'_, PyAny>>,
        variants: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Self::py_new(name, version, requires, variants, 0)
    }

    /// From a rez `Package` (or anything with `name`, `version`, `requires`
    /// and `variants`, and maybe `timestamp`), stringifying each requirement
    /// as rez prints it.
    #[staticmethod]
    fn from_rez(pkg: &Bound<'_, PyAny>) -> PyResult<Self> {
        // rez's `timestamp` is None or an int; both None and 0 mean none
        let timestamp = match pkg.getattr_opt("timestamp")? {
            Some(t) if !t.is_none() => t.extract::<i64>()?,
            _ => 0,
        };
        let variants = pkg.getattr("variants")?;
        let variants: Vec<Vec<String>> = if variants.is_none() {
            Vec::new()
        } else {
            variants
                .try_iter()?
                .map(|v| str_list(&v?))
                .collect::<PyResult<_>>()?
        };
        Ok(PyPackageData::new_from(
            PackageData::new(
                &to_str(&pkg.getattr("name")?)?,
                &to_str(&pkg.getattr("version")?)?,
                str_list(&pkg.getattr("requires")?)?,
                variants,
            )
            .with_timestamp(timestamp),
        ))
    }

    /// rez's `timestamp` (release time, epoch seconds); 0 for none.
    #[getter]
    fn timestamp(&self) -> i64 {
        self.data.timestamp()
    }

    #[getter]
    fn name(&self) -> &str {
        self.data.name()
    }

    #[getter]
    fn version(&self) -> &str {
        self.data.version()
    }

    /// A new list on each access, as before.
    #[getter]
    fn requires<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.data.requires())
    }

    #[getter]
    fn variants<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let lists = self
            .data
            .variants()
            .map(|v| PyList::new(py, v))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, lists)
    }

    fn __repr__(&self) -> String {
        let variants: Vec<Vec<&str>> = self.data.variants().map(Iterator::collect).collect();
        format!(
            "PackageData({:?}, {:?}, requires={:?}, variants={:?})",
            self.data.name(),
            self.data.version(),
            self.data.requires().collect::<Vec<_>>(),
            variants
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyPackageData>()
            .is_ok_and(|o| o.get().data == self.data)
    }
}

/// Packages grouped by family, parsed once: pass it to `solve` in place of
/// a list to pay no per-call conversion.
#[pyclass(name = "Repository", module = "pyrer", frozen)]
pub struct PyRepository {
    inner: Arc<Repository>,
}

/// The parsed packages of a list of PackageData, or a message.
pub(crate) fn packages_of(seq: &Bound<'_, PyAny>) -> PyResult<Result<Vec<Arc<Package>>, String>> {
    let mut out = Vec::new();
    for item in seq.try_iter()? {
        let item = item?;
        let pd = item.cast::<PyPackageData>().map_err(|_| {
            PyTypeError::new_err(format!(
                "packages must contain PackageData, not {}",
                item.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        match pd.get().package() {
            Ok(p) => out.push(p),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(out))
}

#[pymethods]
impl PyRepository {
    #[new]
    fn py_new(packages: &Bound<'_, PyAny>) -> PyResult<Self> {
        let pkgs = packages_of(packages)?.map_err(PyValueError::new_err)?;
        let repo = Repository::new(pkgs).map_err(PyValueError::new_err)?;
        Ok(PyRepository {
            inner: Arc::new(repo),
        })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Family names, sorted.
    fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self.inner.families().keys().cloned().collect();
        names.sort();
        names
    }

    fn __repr__(&self) -> String {
        format!(
            "Repository({} packages in {} families)",
            self.inner.len(),
            self.inner.families().len()
        )
    }
}

/// One resolved variant.
#[pyclass(name = "ResolvedVariant", module = "pyrer", frozen)]
pub struct PyResolvedVariant {
    #[pyo3(get)]
    name: String,
    #[pyo3(get)]
    version: String,
    #[pyo3(get)]
    variant_index: Option<usize>,
    /// Package requirements followed by this variant's.
    #[pyo3(get)]
    requires: Vec<String>,
    #[pyo3(get)]
    uri: String,
}

#[pymethods]
impl PyResolvedVariant {
    fn __repr__(&self) -> String {
        format!("ResolvedVariant({:?})", self.uri)
    }
}

impl PyResolvedVariant {
    fn new(pkg: &Package, slot: usize) -> PyResolvedVariant {
        let index = pkg.variant_index(slot);
        let mut requires: Vec<String> = pkg.data.requires().map(str::to_string).collect();
        if index.is_some() {
            requires.extend(pkg.data.variant(slot).map(str::to_string));
        }
        let idx = index.map(|i| i.to_string()).unwrap_or_default();
        PyResolvedVariant {
            uri: format!("{}/{}/package.py[{idx}]", pkg.name, pkg.data.version()),
            name: pkg.name.to_string(),
            version: pkg.data.version().to_string(),
            variant_index: index,
            requires,
        }
    }
}

/// What `solve` returns.
#[pyclass(name = "SolveResult", module = "pyrer", frozen)]
pub struct PySolveResult {
    /// "solved", "failed" or "error".
    #[pyo3(get)]
    status: &'static str,
    #[pyo3(get)]
    failure_description: Option<String>,
    #[pyo3(get)]
    solve_time_ms: f64,
    /// The part of `solve_time_ms` spent loading families.
    #[pyo3(get)]
    load_time_ms: f64,
    #[pyo3(get)]
    num_iterations: usize,
    /// How many times `load_family` was called.
    #[pyo3(get)]
    load_family_calls: usize,
    #[pyo3(get)]
    resolved_ephemerals: Vec<String>,
    /// The final phase's extractions `(scope family, requirement)` in rez's
    /// order, for rebuilding rez's resolve graph (solved resolves only).
    #[pyo3(get)]
    extractions: Vec<(String, String)>,
    /// The final phase's scope families, packages and ephemerals together,
    /// in rez's order (solved resolves only).
    #[pyo3(get)]
    scope_order: Vec<String>,
    variants: Vec<Py<PyResolvedVariant>>,
}

#[pymethods]
impl PySolveResult {
    #[getter]
    fn resolved_packages(&self, py: Python<'_>) -> Vec<Py<PyResolvedVariant>> {
        self.variants.iter().map(|v| v.clone_ref(py)).collect()
    }

    /// `(name, version, variant_index)` per resolved package.
    #[getter]
    fn resolved(&self, py: Python<'_>) -> Vec<(String, String, Option<usize>)> {
        self.variants
            .iter()
            .map(|v| {
                let v = v.bind(py).get();
                (v.name.clone(), v.version.clone(), v.variant_index)
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "SolveResult(status={:?}, {} packages, {:.2} ms)",
            self.status,
            self.variants.len(),
            self.solve_time_ms
        )
    }
}

fn build_result(
    py: Python<'_>,
    outcome: SolveOutcome,
    elapsed_ms: f64,
    load_time_ms: f64,
) -> PyResult<PySolveResult> {
    let variants = outcome
        .variants
        .iter()
        .map(|(pkg, slot)| Py::new(py, PyResolvedVariant::new(pkg, *slot)))
        .collect::<PyResult<_>>()?;
    Ok(PySolveResult {
        status: outcome.status.as_str(),
        failure_description: outcome.failure_description,
        solve_time_ms: elapsed_ms,
        load_time_ms,
        num_iterations: outcome.num_iterations,
        load_family_calls: outcome.load_calls,
        resolved_ephemerals: outcome.ephemerals,
        extractions: outcome.extractions,
        scope_order: outcome.scope_order,
        variants,
    })
}

fn error_result(message: String) -> PySolveResult {
    PySolveResult {
        status: SolveStatus::Error.as_str(),
        failure_description: Some(message),
        solve_time_ms: 0.0,
        load_time_ms: 0.0,
        num_iterations: 0,
        load_family_calls: 0,
        resolved_ephemerals: Vec::new(),
        extractions: Vec::new(),
        scope_order: Vec::new(),
        variants: Vec::new(),
    }
}

/// Resolves `package_requests` as rez 3.4 would.
#[pyfunction]
#[pyo3(signature = (package_requests, packages = None, *, load_family = None, variant_select_mode = "version_priority", package_filter = None, package_orderers = None))]
pub fn solve(
    py: Python<'_>,
    package_requests: &Bound<'_, PyAny>,
    packages: Option<&Bound<'_, PyAny>>,
    load_family: Option<&Bound<'_, PyAny>>,
    variant_select_mode: &str,
    package_filter: Option<PyRef<'_, PyPackageFilter>>,
    package_orderers: Option<Py<PyPackageOrderers>>,
) -> PyResult<PySolveResult> {
    // The packages: a Repository (no conversion), or a list of PackageData.
    let mut owned_repo: Option<Repository> = None;
    let mut shared_repo: Option<Arc<Repository>> = None;
    match packages.filter(|p| !p.is_none()) {
        None => owned_repo = Some(Repository::default()),
        Some(p) => {
            if let Ok(r) = p.cast::<PyRepository>() {
                shared_repo = Some(r.get().inner.clone());
            } else if p.is_instance_of::<PyList>() || p.is_instance_of::<PyTuple>() {
                match packages_of(p)?.and_then(Repository::new) {
                    Ok(repo) => owned_repo = Some(repo),
                    Err(e) => return Ok(error_result(e)),
                }
            } else {
                return Err(PyTypeError::new_err(format!(
                    "packages must be a list of PackageData or a Repository, not {}",
                    p.get_type().name()?
                )));
            }
        }
    }
    let requests: Vec<String> = match package_requests.try_iter().and_then(|it| {
        it.map(|r| r.and_then(|r| to_str(&r)))
            .collect::<PyResult<_>>()
    }) {
        Ok(r) => r,
        Err(e) => {
            return Ok(error_result(format!(
                "invalid package_requests: {}",
                e.value(py)
            )))
        }
    };
    let Some(mode) = VariantSelectMode::parse(variant_select_mode) else {
        return Ok(error_result(format!(
            "invalid variant_select_mode {variant_select_mode:?}: expected 'version_priority' or 'intersection_priority'"
        )));
    };
    let repo: &Repository = match (&shared_repo, &owned_repo) {
        (Some(r), _) => r,
        (None, Some(r)) => r,
        (None, None) => unreachable!("one repository is always set"),
    };
    let mut loader = ChainLoader::new(py, load_family.filter(|f| !f.is_none()))?;
    let families: &HashMap<String, Vec<Arc<Package>>> = repo.families();
    let start = Instant::now();
    let filter = package_filter.map(|f| f.inner.clone());
    let orderers = package_orderers.as_ref().map(|o| o.get());
    let outcome = py.detach(|| {
        let orderers = orderers.map(|o| o as &dyn PackageOrder);
        let run = |loader: &mut ChainLoader<'_>| {
            solver::solve_filtered(
                &requests,
                families,
                loader,
                mode,
                filter.as_deref(),
                orderers,
            )
        };
        let outcome = run(&mut loader);
        // The answer stands only if every file served with its stamp left
        // for later is unchanged; otherwise the solve runs again reading
        // each stamp as it loads (see `memo::stamp_check`).
        if loader.pending.is_some() || loader.stamps_held() {
            return outcome;
        }
        drop(outcome);
        loader.check_stamps_now();
        run(&mut loader)
    });
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    if let Some(e) = loader.pending.take() {
        return Err(e);
    }
    let load_time_ms = loader.load_time.as_secs_f64() * 1e3;
    build_result(py, outcome, elapsed, load_time_ms)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPackageData>()?;
    m.add_class::<PyRepository>()?;
    m.add_class::<PyResolvedVariant>()?;
    m.add_class::<PySolveResult>()?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    Ok(())
}
