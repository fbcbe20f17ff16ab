//! Python functions over the static `package.py` parser:
//! `parse_static_package_py(source)` and `parse_static_packages_py(paths)`.
//! Neither raises on file contents: a file the parser declines is `None`.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use super::solve::PyPackageData;
use crate::package_py::{parse_static_package, parse_static_package_files, Bail, StaticPackage};

/// The single conversion of a parsed package to its Python value.
fn to_python(py: Python<'_>, pkg: StaticPackage) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyPackageData::new_from(pkg))?.into_any())
}

/// Reads `name`, `version`, `requires` and `variants` from the source of a
/// `package.py`, or returns None when the file is not static.
#[pyfunction]
fn parse_static_package_py(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
) -> PyResult<Option<Py<PyAny>>> {
    // Borrow the UTF-8 bytes of a Python-made copy instead of building a
    // Rust String: one copy fewer per file.
    let Some(utf8) = source
        .cast::<PyString>()
        .ok()
        .and_then(|s| s.encode_utf8().ok())
    else {
        return Ok(None);
    };
    let Ok(text) = std::str::from_utf8(utf8.as_bytes()) else {
        return Ok(None);
    };
    match parse_static_package(text) {
        Ok(pkg) => to_python(py, pkg).map(Some),
        Err(_) => Ok(None),
    }
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
    m.add_function(wrap_pyfunction!(parse_static_packages_py, m)?)?;
    m.add_function(wrap_pyfunction!(_survey_static_packages_py, m)?)?;
    Ok(())
}
