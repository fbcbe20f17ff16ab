//! Rust errors as Python exceptions, converted once at the FFI edge.

use pyo3::prelude::*;

pyo3::create_exception!(
    pyrer,
    VersionError,
    pyo3::exceptions::PyValueError,
    "An invalid version, version range or requirement string."
);

pub(crate) fn to_py_err(e: crate::algebra::VersionError) -> PyErr {
    VersionError::new_err(e.message().to_string())
}
