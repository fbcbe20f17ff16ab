//! The `pyrer._native` extension module. Errors become Python exceptions here,
//! once; nothing below this module knows about Python.

use pyo3::prelude::*;

mod errors;
mod family_source;
mod memo;
mod package_filter;
mod package_order;
mod package_py;
mod solve;
mod version_algebra;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::fork_guard::record_owner();
    crate::memory_ahead::fault_in_background();
    m.add("VersionError", m.py().get_type::<errors::VersionError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    version_algebra::register(m)?;
    solve::register(m)?;
    package_py::register(m)?;
    memo::register(m)?;
    family_source::register(m)?;
    package_filter::register(m)?;
    package_order::register(m)?;
    Ok(())
}
