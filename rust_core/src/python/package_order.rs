//! `pyrer.PackageOrderers`: rez's package orderers for `solve`, answered by
//! the caller's callbacks (the solver shim calls rez's own orderer objects).

use std::collections::HashSet;

use pyo3::prelude::*;

use crate::solver::order::PackageOrder;
use crate::solver::{SolveError, VariantSelectMode};

/// The families some orderer applies to (`"*"`: all of them), and two
/// callbacks: `order_versions(family, versions) -> list[int]` (versions
/// descending; positions in the order rez tries them) and
/// `order_variants(requests, variants, indexed, mode) -> list[int]` (each
/// variant its merged requirement strings; positions in rez's preference
/// order). An exception in a callback makes the solve an error.
#[pyclass(name = "PackageOrderers", module = "pyrer", frozen)]
pub struct PyPackageOrderers {
    all: bool,
    families: HashSet<String>,
    order_versions: Py<PyAny>,
    order_variants: Py<PyAny>,
}

#[pymethods]
impl PyPackageOrderers {
    #[new]
    fn py_new(families: Vec<String>, order_versions: Py<PyAny>, order_variants: Py<PyAny>) -> Self {
        PyPackageOrderers {
            all: families.iter().any(|f| f == "*"),
            families: families.into_iter().collect(),
            order_versions,
            order_variants,
        }
    }
}

fn raised(py: Python<'_>, what: &str, e: PyErr) -> SolveError {
    format!("package orderer ({what}) raised: {}", e.value(py))
}

impl PackageOrder for PyPackageOrderers {
    fn orders(&self, family: &str) -> bool {
        self.all || self.families.contains(family)
    }

    fn order_versions(&self, family: &str, versions: &[&str]) -> Result<Vec<usize>, SolveError> {
        Python::attach(|py| {
            self.order_versions
                .bind(py)
                .call1((family, versions.to_vec()))
                .and_then(|r| r.extract::<Vec<usize>>())
                .map_err(|e| raised(py, "order_versions", e))
        })
    }

    fn order_variants(
        &self,
        requests: &[String],
        variants: &[Vec<String>],
        indexed: bool,
        mode: VariantSelectMode,
    ) -> Result<Vec<usize>, SolveError> {
        let mode = match mode {
            VariantSelectMode::VersionPriority => "version_priority",
            VariantSelectMode::IntersectionPriority => "intersection_priority",
        };
        Python::attach(|py| {
            self.order_variants
                .bind(py)
                .call1((requests.to_vec(), variants.to_vec(), indexed, mode))
                .and_then(|r| r.extract::<Vec<usize>>())
                .map_err(|e| raised(py, "order_variants", e))
        })
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPackageOrderers>()
}
