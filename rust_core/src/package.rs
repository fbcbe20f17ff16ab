//! Package data as the solver consumes it: one (family, version) with its
//! requirement strings and variants, plus the per-variant merged requirement
//! lists the solver reads (computed lazily, once, and shared across solves).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::requirement::{Requirement, RequirementList};
use crate::version::Version;

/// The plain input record, as given by Python (`PackageData`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageData {
    pub name: String,
    pub version: String,
    pub requires: Vec<String>,
    pub variants: Vec<Vec<String>>,
}

/// The requirements of one variant, merged as rez's `RequirementList`.
#[derive(Debug)]
pub struct VariantRequires {
    pub list: RequirementList,
    /// Index into `list.requirements()` by name.
    by_name: HashMap<String, usize>,
    /// Names of non-conflict requirements (rez's `request_fams`), sorted.
    pub request_fams: Vec<String>,
    /// Names of conflict requirements (rez's `conflict_request_fams`), sorted.
    pub conflict_fams: Vec<String>,
}

impl VariantRequires {
    fn new(list: RequirementList) -> VariantRequires {
        let by_name = list
            .requirements()
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name().to_string(), i))
            .collect();
        let mut request_fams: Vec<String> = list.names().map(str::to_string).collect();
        let mut conflict_fams: Vec<String> = list.conflict_names().map(str::to_string).collect();
        request_fams.sort();
        conflict_fams.sort();
        VariantRequires {
            list,
            by_name,
            request_fams,
            conflict_fams,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Requirement> {
        self.by_name
            .get(name)
            .map(|&i| &self.list.requirements()[i])
    }

    pub fn has_request_fam(&self, name: &str) -> bool {
        self.request_fams
            .binary_search_by(|f| f.as_str().cmp(name))
            .is_ok()
    }
}

/// One package (family + version) ready for solving.
#[derive(Debug)]
pub struct Package {
    pub name: String,
    pub version: Version,
    pub data: PackageData,
    /// Parsed package-level requirements, or the parse error.
    requires: Result<Vec<Requirement>, String>,
    /// Parsed variant requirement lists; empty when the package has none.
    variants: Result<Vec<Vec<Requirement>>, String>,
    /// Lazily merged requirements per variant slot.
    merged: Vec<OnceLock<Result<VariantRequires, String>>>,
}

fn parse_all(reqs: &[String]) -> Result<Vec<Requirement>, String> {
    reqs.iter()
        .map(|s| Requirement::parse(s).map_err(|e| e.to_string()))
        .collect()
}

impl Package {
    /// Builds a package; an invalid version is an error now, invalid
    /// requirement strings only when the solver reads them (as in rez).
    pub fn new(data: PackageData) -> Result<Package, String> {
        let version = Version::parse(&data.version)
            .map_err(|e| format!("package {}: {e}", data.name))?;
        let requires = parse_all(&data.requires);
        let variants = data.variants.iter().map(|v| parse_all(v)).collect();
        let slots = data.variants.len().max(1);
        Ok(Package {
            name: data.name.clone(),
            version,
            data,
            requires,
            variants,
            merged: (0..slots).map(|_| OnceLock::new()).collect(),
        })
    }

    /// Number of variants rez sees: a package without variants has one,
    /// whose index is None.
    pub fn num_variants(&self) -> usize {
        self.merged.len()
    }

    pub fn has_variants(&self) -> bool {
        !self.data.variants.is_empty()
    }

    /// rez's variant index for variant slot `i`.
    pub fn variant_index(&self, i: usize) -> Option<usize> {
        self.has_variants().then_some(i)
    }

    /// Package requirements followed by those of variant slot `i`, unmerged.
    pub fn variant_requirements(&self, i: usize) -> Result<Vec<Requirement>, String> {
        let mut out = self.requires.clone()?;
        if self.has_variants() {
            let variants = self.variants.as_ref().map_err(Clone::clone)?;
            out.extend(variants[i].iter().cloned());
        }
        Ok(out)
    }

    /// The merged requirement list of variant slot `i` (rez's
    /// `PackageVariant.requires_list`), or rez's internal-conflict error.
    pub fn requires_of(&self, i: usize) -> Result<&VariantRequires, String> {
        self.merged[i]
            .get_or_init(|| {
                let reqs = self.variant_requirements(i)?;
                let list = RequirementList::new(&reqs);
                if list.conflict().is_some() {
                    return Err(format!(
                        "The package {} has an internal requirements conflict: {}",
                        self.variant_label(i),
                        list
                    ));
                }
                Ok(VariantRequires::new(list))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// `name-version[idx]` as rez prints a `PackageVariant`.
    pub fn variant_label(&self, i: usize) -> String {
        let idx = self
            .variant_index(i)
            .map(|x| x.to_string())
            .unwrap_or_default();
        format!("{}[{idx}]", self.qualified_name())
    }

    /// `name-version` (just `name` for the empty version), as rez's
    /// `VersionedObject`.
    pub fn qualified_name(&self) -> String {
        if self.version.is_truthy() {
            format!("{}-{}", self.name, self.version)
        } else {
            self.name.clone()
        }
    }
}
