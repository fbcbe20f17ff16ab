//! The `pyrer._native` extension module. Errors become Python exceptions here,
//! once; nothing below this module knows about Python.

use pyo3::prelude::*;

mod memo;
mod package_py;
mod solve;
mod version_algebra;

pyo3::create_exception!(
    pyrer,
    VersionError,
    pyo3::exceptions::PyValueError,
    "An invalid version, version range or requirement string."
);

pub(crate) fn to_py_err(e: crate::error::VersionError) -> PyErr {
    VersionError::new_err(e.message().to_string())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::fork_guard::record_owner();
    m.add("VersionError", m.py().get_type::<VersionError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    version_algebra::register(m)?;
    solve::register(m)?;
    package_py::register(m)?;
    memo::register(m)?;
    Ok(())
}
