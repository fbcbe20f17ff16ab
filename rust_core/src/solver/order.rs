//! rez's package orderers (`package_orderers`, `rez.package_order`) as the
//! solve consults them: the order of a family's versions when a slice is
//! split (rez's `sort_versions`), and the preference order of a package's
//! variants (rez's `_PackageEntry.sort`, whose keys go through the orderers
//! of the families the variants require).
//!
//! The solver does not re-derive the orderers' keys: whoever holds them
//! (the solver shim, with rez's own orderer objects) answers through this
//! trait, so every orderer rez ships is applied by rez's own code. Without
//! an orderer for any family involved, the solver uses rez's default order
//! itself.

use super::context::{SolveError, VariantSelectMode};

pub trait PackageOrder {
    /// Whether an orderer applies to `family` (else rez's default order).
    fn orders(&self, family: &str) -> bool;

    /// Positions in `versions` (of `family`, descending) in the order rez
    /// tries them.
    fn order_versions(&self, family: &str, versions: &[&str]) -> Result<Vec<usize>, SolveError>;

    /// The variants of one package, each its merged requirement list as rez
    /// prints it, in rez's preference order (positions in `variants`).
    /// `requests` is the solve's merged request list; `indexed` whether the
    /// package has variants (rez's `variant.index` is None otherwise).
    fn order_variants(
        &self,
        requests: &[String],
        variants: &[Vec<String>],
        indexed: bool,
        mode: VariantSelectMode,
    ) -> Result<Vec<usize>, SolveError>;
}

/// Checks that `order` is a permutation of `0..n` (an orderer answering
/// anything else stops the solve with an error rather than a wrong answer).
pub fn checked_permutation(order: Vec<usize>, n: usize) -> Result<Vec<usize>, SolveError> {
    let mut seen = vec![false; n];
    for &i in &order {
        if i >= n || std::mem::replace(&mut seen[i], true) {
            return Err(format!("package orderer returned a bad order: {order:?}"));
        }
    }
    if order.len() != n {
        return Err(format!("package orderer returned a bad order: {order:?}"));
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_checked() {
        assert_eq!(checked_permutation(vec![2, 0, 1], 3), Ok(vec![2, 0, 1]));
        assert!(checked_permutation(vec![0, 0, 1], 3).is_err());
        assert!(checked_permutation(vec![0, 1], 3).is_err());
        assert!(checked_permutation(vec![0, 3, 1], 3).is_err());
    }
}
