//! Python functions over the static `package.py` parser:
//! `parse_static_package_py(source)` and `parse_static_packages_py(paths)`.
//! Neither raises on file contents: a file the parser declines is `None`.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use super::solve::PyPackageData;
use crate::package_py::{
    parse_static_package, parse_static_package_files, runs_statically, Bail, StaticPackage,
};

/// The single conversion of a parsed package to its Python value.
pub(crate) fn to_python(py: Python<'_>, pkg: StaticPackage) -> PyResult<Py<PyAny>> {
    let obj = Py::new(py, PyPackageData::new_from(pkg))?;
    // A PackageData holds no Python references, so it can never be part of
    // a reference cycle: untracking it spares the cyclic GC from scanning
    // (and re-scanning, as generations age) every parsed package. CPython
    // does the same for tuples of atoms. Deallocation untracks again, which
    // is a no-op for an untracked object.
    // SAFETY: `obj` is a live object of a GC type, and we hold the GIL.
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
    Ok(obj.into_any())
}

extern "C" {
    // Part of CPython's ABI since 3.3 (of the limited API only since 3.10,
    // which is why pyo3-ffi hides it from an abi3-py39 build).
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const std::os::raw::c_char;
}

/// The UTF-8 text of a `str`, borrowed from the object: an ASCII string's
/// own buffer, or the UTF-8 copy CPython caches in the object. None for a
/// string that cannot be encoded (lone surrogates).
fn utf8_of<'a>(s: &'a Bound<'_, PyString>) -> Option<&'a str> {
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a str; the buffer lives as long as the object, which
    // `'a` borrows.
    let ptr = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if ptr.is_null() {
        // clear the UnicodeEncodeError
        drop(PyErr::take(s.py()));
        return None;
    }
    // SAFETY: CPython returns `size` bytes of valid UTF-8 at `ptr`.
    Some(unsafe {
        std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr.cast::<u8>(), size as usize))
    })
}

/// Reads `name`, `version`, `requires` and `variants` from the source of a
/// `package.py`, or returns None when the file is not static.
#[pyfunction]
fn parse_static_package_py(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
) -> PyResult<Option<Py<PyAny>>> {
    // Borrow the string's UTF-8 text: no copy for ASCII sources.
    let Ok(source) = source.cast::<PyString>() else {
        return Ok(None);
    };
    let Some(text) = utf8_of(source) else {
        return Ok(None);
    };
    match parse_static_package(text) {
        Ok(pkg) => to_python(py, pkg).map(Some),
        Err(_) => Ok(None),
    }
}

/// Whether rez's loader gives the same data for `source` in every process:
/// the whole module runs statically (pyrer's parser runs each statement),
/// even where the parser leaves the package's schema to rez.
#[pyfunction(name = "runs_statically")]
fn py_runs_statically(source: &Bound<'_, PyAny>) -> bool {
    let Ok(source) = source.cast::<PyString>() else {
        return false;
    };
    utf8_of(source).is_some_and(runs_statically)
}

/// Reads and parses files in parallel with the GIL released; items that
/// are not paths are `Unreadable`.
fn parse_paths(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
) -> PyResult<Vec<Result<StaticPackage, Bail>>> {
    let mut valid = Vec::new();
    let mut is_path = Vec::new();
    for item in paths.try_iter()? {
        match item?.extract::<PathBuf>() {
            Ok(p) => {
                valid.push(p);
                is_path.push(true);
            }
            Err(_) => is_path.push(false),
        }
    }
    let mut parsed = py.detach(|| parse_static_package_files(&valid)).into_iter();
    Ok(is_path
        .into_iter()
        .map(|ok| match ok {
            true => parsed.next().unwrap_or(Err(Bail::Unreadable)),
            false => Err(Bail::Unreadable),
        })
        .collect())
}

/// Parses many `package.py` files on a thread pool (size from
/// `RAYON_NUM_THREADS`); the result is aligned with `paths`.
#[pyfunction]
fn parse_static_packages_py<'py>(
    py: Python<'py>,
    paths: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let items = parse_paths(py, paths)?
        .into_iter()
        .map(|r| match r {
            Ok(pkg) => to_python(py, pkg),
            Err(_) => Ok(py.None()),
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// For `pyrer.survey`: like `parse_static_packages_py`, but each item is
/// `(package_or_None, bail_reason_or_None, unreadable)`.
#[pyfunction]
fn _survey_static_packages_py<'py>(
    py: Python<'py>,
    paths: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let results = parse_paths(py, paths)?;
    let list = PyList::empty(py);
    for r in results {
        match r {
            Ok(pkg) => list.append((to_python(py, pkg)?, py.None(), false))?,
            Err(bail) => list.append((py.None(), bail.reason(), bail.is_unreadable()))?,
        }
    }
    Ok(list)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_static_package_py, m)?)?;
    m.add_function(wrap_pyfunction!(py_runs_statically, m)?)?;
    m.add_function(wrap_pyfunction!(parse_static_packages_py, m)?)?;
    m.add_function(wrap_pyfunction!(_survey_static_packages_py, m)?)?;
    Ok(())
}
