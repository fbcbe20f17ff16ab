//! Python classes `Version`, `VersionRange`, `Requirement`, `RequirementList`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::basic::CompareOp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PySet, PyString};

use super::errors::{to_py_err, VersionError};
use crate::algebra::range::VersionRange;
use crate::algebra::requirement::{Requirement, RequirementList};
use crate::algebra::version::Version;

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Python's `repr()` of a string, for rez-style reprs like `Version('1.0')`.
fn py_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(pyo3::types::PyString::new(py, s).repr()?.to_string())
}

/// The text of a Python `str`. One holding lone surrogates, which UTF-8
/// cannot carry, is refused with a `VersionError` that names it (rez accepts
/// a few such strings: a surrogate as a version separator or in a name).
fn utf8_text(s: &Bound<'_, PyString>, what: &str) -> PyResult<String> {
    match s.to_cow() {
        Ok(text) => Ok(text.into_owned()),
        Err(_) => {
            let msg = PyString::new(s.py(), &format!("Invalid {what} '"))
                .add(s)?
                .add("': lone surrogates are not supported")?;
            Err(VersionError::new_err(msg.unbind()))
        }
    }
}

/// An optional `str` argument (rez treats `Version(None)` as `Version("")`).
fn opt_text(s: Option<&Bound<'_, PyString>>, what: &str) -> PyResult<String> {
    s.map_or_else(|| Ok(String::new()), |s| utf8_text(s, what))
}

fn compare<T: Ord>(a: &T, b: &T, op: CompareOp) -> bool {
    op.matches(a.cmp(b))
}

/// A rez version, e.g. `Version("1.2.0")`.
#[pyclass(name = "Version", module = "pyrer", frozen)]
pub struct PyVersion {
    inner: Version,
}

#[pymethods]
impl PyVersion {
    #[new]
    #[pyo3(signature = (s = None))]
    fn new(s: Option<&Bound<'_, PyString>>) -> PyResult<Self> {
        Version::parse(&opt_text(s, "version")?)
            .map(|inner| PyVersion { inner })
            .map_err(to_py_err)
    }

    /// The tokens as strings, e.g. `["1", "2", "0"]`.
    #[getter]
    fn tokens(&self) -> Vec<String> {
        self.inner.tokens().map(str::to_string).collect()
    }

    /// The smallest version greater than this one (`1.2` -> `1.2_`).
    fn next(&self) -> Self {
        PyVersion {
            inner: self.inner.next(),
        }
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Version({})", py_repr(py, self.inner.as_str())?))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __bool__(&self) -> bool {
        self.inner.is_truthy()
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.inner)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        match other.cast::<PyVersion>() {
            Ok(o) => Ok(compare(&self.inner, &o.get().inner, op)
                .into_pyobject(py)?
                .to_owned()
                .into_any()
                .unbind()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }
}

/// A rez version range, e.g. `VersionRange("1+<2|3")`.
#[pyclass(name = "VersionRange", module = "pyrer", frozen)]
pub struct PyVersionRange {
    inner: VersionRange,
}

impl PyVersionRange {
    fn wrap(inner: VersionRange) -> Self {
        PyVersionRange { inner }
    }
}

/// Accepts a `VersionRange` or a range string.
fn range_arg(obj: &Bound<'_, PyAny>) -> PyResult<VersionRange> {
    if let Ok(r) = obj.cast::<PyVersionRange>() {
        return Ok(r.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return VersionRange::parse(&utf8_text(s, "version range")?).map_err(to_py_err);
    }
    Err(PyTypeError::new_err(format!(
        "expected a VersionRange or str, got {}",
        obj.get_type().name()?
    )))
}

/// Accepts a `Version` or a version string.
fn version_arg(obj: &Bound<'_, PyAny>) -> PyResult<Version> {
    if let Ok(v) = obj.cast::<PyVersion>() {
        return Ok(v.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Version::parse(&utf8_text(s, "version")?).map_err(to_py_err);
    }
    Err(PyTypeError::new_err(format!(
        "expected a Version or str, got {}",
        obj.get_type().name()?
    )))
}

#[pymethods]
impl PyVersionRange {
    #[new]
    #[pyo3(signature = (s = None))]
    fn new(s: Option<&Bound<'_, PyString>>) -> PyResult<Self> {
        VersionRange::parse(&opt_text(s, "version range")?)
            .map(Self::wrap)
            .map_err(to_py_err)
    }

    fn is_any(&self) -> bool {
        self.inner.is_any()
    }

    fn lower_bounded(&self) -> bool {
        self.inner.lower_bounded()
    }

    fn upper_bounded(&self) -> bool {
        self.inner.upper_bounded()
    }

    fn bounded(&self) -> bool {
        self.inner.bounded()
    }

    fn contains_version(&self, version: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.contains_version(&version_arg(version)?))
    }

    fn issuperset(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.issuperset(&range_arg(other)?))
    }

    fn issubset(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.issubset(&range_arg(other)?))
    }

    fn intersects(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.intersects(&range_arg(other)?))
    }

    /// The shared versions, or None when there are none (as rez).
    fn intersection(&self, other: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        Ok(self.inner.intersection(&range_arg(other)?).map(Self::wrap))
    }

    fn union(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self::wrap(self.inner.union(&range_arg(other)?)))
    }

    /// Every version not in this range, or None for the "any" range.
    fn inverse(&self) -> PyResult<Option<Self>> {
        Ok(self.inner.try_inverse().map_err(to_py_err)?.map(Self::wrap))
    }

    fn span(&self) -> Self {
        Self::wrap(self.inner.span())
    }

    fn __and__(&self, other: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        self.intersection(other)
    }

    fn __or__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.union(other)
    }

    fn __sub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        Ok(self
            .inner
            .try_subtract(&range_arg(other)?)
            .map_err(to_py_err)?
            .map(Self::wrap))
    }

    fn __invert__(&self) -> PyResult<Option<Self>> {
        self.inverse()
    }

    /// `version in range` or `subrange in range`.
    fn __contains__(&self, item: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(r) = item.cast::<PyVersionRange>() {
            return Ok(self.inner.issuperset(&r.get().inner));
        }
        Ok(self.inner.contains_version(&version_arg(item)?))
    }

    fn __len__(&self) -> usize {
        self.inner.bounds().len()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "VersionRange({})",
            py_repr(py, &self.inner.to_string())?
        ))
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.inner)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        match other.cast::<PyVersionRange>() {
            Ok(o) => Ok(compare(&self.inner, &o.get().inner, op)
                .into_pyobject(py)?
                .to_owned()
                .into_any()
                .unbind()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }
}

/// A rez requirement, e.g. `Requirement("foo-1+<2")`, `"!foo"`, `"~foo-2"`.
#[pyclass(name = "Requirement", module = "pyrer", frozen)]
pub struct PyRequirement {
    inner: Requirement,
}

fn requirement_arg(obj: &Bound<'_, PyAny>) -> PyResult<Requirement> {
    if let Ok(r) = obj.cast::<PyRequirement>() {
        return Ok(r.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Requirement::parse(&utf8_text(s, "requirement")?).map_err(to_py_err);
    }
    Err(PyTypeError::new_err(format!(
        "expected a Requirement or str, got {}",
        obj.get_type().name()?
    )))
}

#[pymethods]
impl PyRequirement {
    #[new]
    fn new(s: &Bound<'_, PyString>) -> PyResult<Self> {
        Requirement::parse(&utf8_text(s, "requirement")?)
            .map(|inner| PyRequirement { inner })
            .map_err(to_py_err)
    }

    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The range as rez stores it: for a weak requirement, the inverse of the
    /// written range; None for `~foo`.
    #[getter]
    fn range(&self) -> Option<PyVersionRange> {
        self.inner.range().cloned().map(PyVersionRange::wrap)
    }

    #[getter]
    fn conflict(&self) -> bool {
        self.inner.conflict()
    }

    #[getter]
    fn weak(&self) -> bool {
        self.inner.weak()
    }

    #[getter]
    fn ephemeral(&self) -> bool {
        self.inner.ephemeral()
    }

    fn conflicts_with(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.conflicts_with(&requirement_arg(other)?))
    }

    /// Both requirements as one, or None if they cannot both hold.
    fn merged(&self, other: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        Ok(self
            .inner
            .try_merged(&requirement_arg(other)?)
            .map_err(to_py_err)?
            .map(|inner| PyRequirement { inner }))
    }

    fn __str__(&self) -> PyResult<String> {
        self.inner.try_to_string().map_err(to_py_err)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Requirement({})", py_repr(py, &self.__str__()?)?))
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.inner)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let same = match other.cast::<PyRequirement>() {
            Ok(o) => self.inner == o.get().inner,
            Err(_) => return Ok(py.NotImplemented()),
        };
        match op {
            CompareOp::Eq => Ok(same.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!same).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }
}

/// rez's `RequirementList`: requirements merged per name, or a conflict.
#[pyclass(name = "RequirementList", module = "pyrer", frozen)]
pub struct PyRequirementList {
    inner: RequirementList,
}

fn wrap_req(r: &Requirement) -> PyRequirement {
    PyRequirement { inner: r.clone() }
}

#[pymethods]
impl PyRequirementList {
    #[new]
    fn new(requirements: &Bound<'_, PyAny>) -> PyResult<Self> {
        let reqs = requirements
            .try_iter()?
            .map(|item| requirement_arg(&item?))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyRequirementList {
            inner: RequirementList::try_new(&reqs).map_err(to_py_err)?,
        })
    }

    #[getter]
    fn requirements(&self) -> Vec<PyRequirement> {
        self.inner.requirements().iter().map(wrap_req).collect()
    }

    #[getter]
    fn conflict(&self) -> Option<(PyRequirement, PyRequirement)> {
        self.inner
            .conflict()
            .map(|(a, b)| (wrap_req(a), wrap_req(b)))
    }

    #[getter]
    fn names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        PySet::new(py, self.inner.names())
    }

    #[getter]
    fn conflict_names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        PySet::new(py, self.inner.conflict_names())
    }

    fn __str__(&self) -> PyResult<String> {
        self.inner.try_to_string().map_err(to_py_err)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "RequirementList({})",
            py_repr(py, &self.__str__()?)?
        ))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyVersion>()?;
    m.add_class::<PyVersionRange>()?;
    m.add_class::<PyRequirement>()?;
    m.add_class::<PyRequirementList>()?;
    Ok(())
}
