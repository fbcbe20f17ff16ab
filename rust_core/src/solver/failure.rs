//! Why a phase failed, worded as rez words it in `failure_description`.

use std::fmt;
use std::sync::Arc;

use super::request::ScopeRequest;
use crate::algebra::requirement::Requirement;
use crate::package::Package;

/// A variant removed because one of its requirements conflicts with a scope.
#[derive(Clone)]
pub struct Reduction {
    pub pkg: Arc<Package>,
    pub slot: usize,
    pub dependency: Requirement,
    pub conflicting_request: ScopeRequest,
}

impl fmt::Display for Reduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let idx = match self.pkg.variant_index(self.slot) {
            Some(i) => format!("[{i}]"),
            None => "[]".to_string(),
        };
        write!(
            f,
            "{}{idx} (dep({}) <--!--> {})",
            self.pkg.qualified_name(),
            self.dependency,
            self.conflicting_request
        )
    }
}

#[derive(Clone)]
pub struct DependencyConflict {
    pub dependency: Requirement,
    pub conflicting_request: Requirement,
}

impl fmt::Display for DependencyConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} <--!--> {}",
            self.dependency, self.conflicting_request
        )
    }
}

#[derive(Clone)]
pub enum FailureReason {
    /// Every variant of a scope was reduced away.
    TotalReduction(Vec<Reduction>),
    DependencyConflicts(Vec<DependencyConflict>),
    /// `name-version` of each package on the cycle.
    Cycle(Vec<String>),
}

fn parenthesised<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|x| format!("({x})"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl FailureReason {
    pub fn description(&self) -> String {
        match self {
            FailureReason::TotalReduction(r) => {
                format!("A package was completely reduced: {}", parenthesised(r))
            }
            FailureReason::DependencyConflicts(c) => {
                format!(
                    "The following package conflicts occurred: {}",
                    parenthesised(c)
                )
            }
            FailureReason::Cycle(pkgs) => {
                let mut chain = pkgs.clone();
                chain.extend(pkgs.first().cloned());
                format!("A cyclic dependency was detected: {}", chain.join(" --> "))
            }
        }
    }
}
