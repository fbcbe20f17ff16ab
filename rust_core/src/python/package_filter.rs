//! `pyrer.PackageFilter`: rez's package filter list, taken apart by the
//! caller (the solver shim reads rez's own rule objects), applied by `solve`.

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::package::filter::{PackageFilter, PackageFilterList, Rule};

/// One rule as `(kind, family, text)`.
type RuleSpec = (String, Option<String>, String);

/// rez's `PackageFilterList`: a list of filters, each `(excludes, includes)`
/// lists of `(kind, family, text)` rules, `kind` one of `glob`, `regex`,
/// `range`, `before`, `after`. A rule pyrer cannot apply exactly as rez does raises
/// `ValueError` (the caller then lets rez's solver run).
#[pyclass(name = "PackageFilter", module = "pyrer", frozen)]
pub struct PyPackageFilter {
    pub(crate) inner: Arc<PackageFilterList>,
}

fn rules(specs: Vec<RuleSpec>) -> PyResult<Vec<Rule>> {
    specs
        .iter()
        .map(|(kind, family, text)| {
            Rule::new(kind, family.as_deref(), text).map_err(|e| PyValueError::new_err(e.0))
        })
        .collect()
}

#[pymethods]
impl PyPackageFilter {
    #[new]
    fn py_new(filters: Vec<(Vec<RuleSpec>, Vec<RuleSpec>)>) -> PyResult<Self> {
        let filters = filters
            .into_iter()
            .map(|(excludes, includes)| Ok(PackageFilter::new(rules(excludes)?, rules(includes)?)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyPackageFilter {
            inner: Arc::new(PackageFilterList::new(filters)),
        })
    }

    /// Whether the filter hides package `name`-`version`, released at
    /// `timestamp` (0: unknown).
    #[pyo3(signature = (name, version, timestamp = 0))]
    fn excludes(&self, name: &str, version: &str, timestamp: i64) -> PyResult<bool> {
        let version = crate::algebra::version::Version::parse(version)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(self.inner.excludes(name, &version, timestamp))
    }

    fn __bool__(&self) -> bool {
        !self.inner.is_empty()
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPackageFilter>()
}
