//! A reusable set of packages grouped by family, ready for many solves.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use crate::package::Package;

#[derive(Default)]
pub struct Repository {
    /// Family name -> packages, versions descending.
    families: HashMap<String, Vec<Arc<Package>>>,
    len: usize,
}

impl Repository {
    /// Groups packages by family; a repeated (family, version) is an error.
    pub fn new(packages: impl IntoIterator<Item = Arc<Package>>) -> Result<Repository, String> {
        let mut families: HashMap<String, Vec<Arc<Package>>> = HashMap::default();
        let mut len = 0;
        for p in packages {
            families.entry(p.name.to_string()).or_default().push(p);
            len += 1;
        }
        for (name, pkgs) in families.iter_mut() {
            pkgs.sort_by(|a, b| b.version.cmp(&a.version));
            if let Some(w) = pkgs.windows(2).find(|w| w[0].version == w[1].version) {
                return Err(format!("duplicate package: {name}-{}", w[1].version));
            }
        }
        Ok(Repository { families, len })
    }

    pub fn families(&self) -> &HashMap<String, Vec<Arc<Package>>> {
        &self.families
    }

    pub fn family(&self, name: &str) -> Option<&[Arc<Package>]> {
        self.families.get(name).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
