//! Python functions over the static `package.py` parser:
//! `parse_static_package_py(source)` and `parse_static_packages_py(paths)`.
//! Neither raises on file contents: a file the parser declines is `None`.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyList;

use super::solve::PyPackageData;
use crate::package::PackageData;
use crate::package_py::{parse_static_package, parse_static_package_files, Bail, StaticPackage};

/// The single conversion of a parsed package to its Python value.
fn to_python(py: Python<'_>, pkg: StaticPackage) -> PyResult<Py<PyAny>> {
    let data = PackageData {
        name: pkg.name,
        version: pkg.version,
        requires: pkg.requires,
        variants: pkg.variants,
    };
    Ok(Py::new(py, PyPackageData::new_from(data))?.into_any())
}

/// Reads `name`, `version`, `requires` and `variants` from the source of a
/// `package.py`, or returns None when the file is not static.
#[pyfunction]
fn parse_static_package_py(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
) -> PyResult<Option<Py<PyAny>>> {
    let Ok(text) = source.extract::<String>() else {
        return Ok(None);
    };
    match parse_static_package(&text) {
        Ok(pkg) => to_python(py, pkg).map(Some),
        Err(_) => Ok(None),
    }
}

/// Collects the argument's items as paths; items that are not paths are None.
fn collect_paths(paths: &Bound<'_, PyAny>) -> PyResult<Vec<Option<PathBuf>>> {
    let mut out = Vec::new();
    for item in paths.try_iter()? {
        out.push(item?.extract::<PathBuf>().ok());
    }
    Ok(out)
}

/// Reads and parses files in parallel with the GIL released.
fn parse_paths(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
) -> PyResult<Vec<Result<StaticPackage, Bail>>> {
    let items = collect_paths(paths)?;
    let valid: Vec<PathBuf> = items.iter().flatten().cloned().collect();
    let mut parsed = py.detach(|| parse_static_package_files(&valid)).into_iter();
    Ok(items
        .iter()
        .map(|item| match item {
            Some(_) => parsed.next().unwrap_or(Err(Bail::Unreadable)),
            None => Err(Bail::Unreadable),
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
    let results = parse_paths(py, paths)?;
    let list = PyList::empty(py);
    for r in results {
        match r {
            Ok(pkg) => list.append(to_python(py, pkg)?)?,
            Err(_) => list.append(py.None())?,
        }
    }
    Ok(list)
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
