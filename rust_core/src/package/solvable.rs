//! A package in the solver's form: its version parsed, its requirements
//! parsed, and the per-variant merged requirement lists the solver reads
//! (computed lazily, once, and shared across solves).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use super::data::{PackageData, Strings};
use super::names::{is_valid_package_name, requirement_name, FamId};
use crate::algebra::parse_memo::{new_memo, parse_memoised, Memo};
use crate::algebra::requirement::{Requirement, RequirementList};
use crate::algebra::version::Version;

/// The requirements of one variant, merged as rez's `RequirementList`,
/// indexed by interned family for the solver.
#[derive(Debug)]
pub struct VariantRequires {
    pub list: RequirementList,
    /// (family, index into `list.requirements()`, key), sorted by family.
    /// Equal keys mean equal requirements (same source text), which lets the
    /// solver cache conflict tests and deduplicate ranges cheaply.
    by_fam: Vec<(FamId, u32, u32)>,
    /// Families of non-conflict requirements (rez's `request_fams`), sorted.
    pub request_fams: Vec<FamId>,
    /// Families of conflict requirements (rez's `conflict_request_fams`), sorted.
    pub conflict_fams: Vec<FamId>,
}

/// A fresh requirement key (see [`text_ids`]), for a merged requirement.
fn fresh_key() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The key and family of requirement text `text` (`fam` computes the
/// family on its first use). A key stands for one text, so equal keys mean
/// equal requirements, never the converse: texts are keyed per thread (one
/// lock-free lookup on a fresh solve's hottest path), from one process-wide
/// counter, so a text read on two threads may have two keys, which only
/// costs the solver a cached comparison.
fn text_ids(text: &str, fam: impl FnOnce() -> FamId) -> (u32, FamId) {
    thread_local! {
        static IDS: Memo<(u32, FamId)> = new_memo();
    }
    let ids: Result<_, std::convert::Infallible> =
        parse_memoised(&IDS, text, |_| Ok((fresh_key(), fam())));
    ids.unwrap_or_else(|never| match never {})
}

impl VariantRequires {
    /// `sources` are the unmerged requirement texts, in order.
    fn new(list: RequirementList, sources: &[&str]) -> VariantRequires {
        let requirements = list.requirements();
        // The merge keeps the first of each name in place: with as many
        // requirements as texts, nothing merged and each is its own text.
        let mut by_fam: Vec<(FamId, u32, u32)> = if requirements.len() == sources.len() {
            let ids = requirements.iter().zip(sources).enumerate();
            ids.map(|(i, (r, text))| {
                let (key, fam) = text_ids(text, || FamId::of(r.name()));
                (fam, i as u32, key)
            })
            .collect()
        } else {
            let named: Vec<(&str, &str)> =
                sources.iter().map(|s| (requirement_name(s), *s)).collect();
            let ids = requirements.iter().enumerate();
            ids.map(|(i, r)| {
                let fam = FamId::of(r.name());
                let mut texts = named.iter().filter(|(n, _)| *n == r.name());
                match (texts.next(), texts.next()) {
                    (Some(&(_, text)), None) => (fam, i as u32, text_ids(text, || fam).0),
                    _ => (fam, i as u32, fresh_key()),
                }
            })
            .collect()
        };
        by_fam.sort_unstable();
        let fams = |conflict: bool| -> Vec<FamId> {
            by_fam
                .iter()
                .filter(|&&(_, i, _)| list.requirements()[i as usize].conflict() == conflict)
                .map(|&(f, _, _)| f)
                .collect()
        };
        let request_fams = fams(false);
        let conflict_fams = fams(true);
        VariantRequires {
            list,
            by_fam,
            request_fams,
            conflict_fams,
        }
    }

    /// `request_fams` with their names, sorted by name (rez's extraction
    /// order). Built when asked (once per slice), not kept per variant.
    pub fn request_fams_by_name(&self) -> Vec<(Arc<str>, FamId)> {
        // the interned names: no allocation per requirement
        let mut by_name: Vec<(Arc<str>, FamId)> =
            self.request_fams.iter().map(|&f| (f.name(), f)).collect();
        by_name.sort_unstable();
        by_name
    }

    pub fn get(&self, name: &str) -> Option<&Requirement> {
        self.get_fam(FamId::of(name)).map(|(r, _)| r)
    }

    /// The position (for `requirement`) and key of the requirement on `fam`.
    pub fn find_fam(&self, fam: FamId) -> Option<(u32, u32)> {
        self.by_fam
            .binary_search_by(|&(f, _, _)| f.cmp(&fam))
            .ok()
            .map(|pos| (self.by_fam[pos].1, self.by_fam[pos].2))
    }

    pub fn requirement(&self, position: u32) -> &Requirement {
        &self.list.requirements()[position as usize]
    }

    /// The requirement on `fam` and its key.
    pub fn get_fam(&self, fam: FamId) -> Option<(&Requirement, u32)> {
        self.by_fam
            .binary_search_by(|&(f, _, _)| f.cmp(&fam))
            .ok()
            .map(|pos| {
                let (_, i, key) = self.by_fam[pos];
                (&self.list.requirements()[i as usize], key)
            })
    }

    pub fn has_request_fam(&self, fam: FamId) -> bool {
        self.request_fams.binary_search(&fam).is_ok()
    }

    pub fn has_any_fam(&self, fam: FamId) -> bool {
        self.by_fam
            .binary_search_by(|&(f, _, _)| f.cmp(&fam))
            .is_ok()
    }
}

/// Per-thread memo of merged variant requirement lists, keyed by their
/// requirement texts in order (package requirements, then the variant's).
///
/// Most packages repeat the lists of their neighbours (the benchmark
/// repository's 25,200 variants have 7,036 distinct lists), and merging is a
/// fresh solve's main per-package cost once its files are read (issue 12).
/// A merged list depends on nothing but those texts, so sharing it is
/// invisible; only successes are kept (an internal conflict's error names
/// its package). Bounded: past `LIMIT` lists it starts over.
mod merged_lists {
    use std::cell::{Cell, RefCell};
    use std::sync::Arc;

    use rustc_hash::FxHashMap;

    use super::VariantRequires;

    const LIMIT: usize = 1 << 16;

    thread_local! {
        static LISTS: RefCell<FxHashMap<Box<[u8]>, Arc<VariantRequires>>> =
            RefCell::new(FxHashMap::default());
    }

    thread_local! {
        // The buffer of the last key built, reused: a fresh solve builds a
        // key per variant it reads, most of them hits.
        static KEY: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    }

    /// Calls `with` on the texts as one key, each prefixed by its length (so
    /// that no two sequences share a key, whatever the texts hold).
    pub(super) fn with_key<'a, R>(
        texts: impl Iterator<Item = &'a str>,
        with: impl FnOnce(&[u8]) -> R,
    ) -> R {
        let mut key = KEY.try_with(Cell::take).unwrap_or_default();
        key.clear();
        for t in texts {
            key.extend_from_slice(&(t.len() as u32).to_le_bytes());
            key.extend_from_slice(t.as_bytes());
        }
        let result = with(&key);
        let _ = KEY.try_with(|k| k.set(key));
        result
    }

    pub(super) fn get(key: &[u8]) -> Option<Arc<VariantRequires>> {
        LISTS
            .try_with(|m| m.borrow().get(key).cloned())
            .ok()
            .flatten()
    }

    pub(super) fn put(key: &[u8], merged: Arc<VariantRequires>) {
        let _ = LISTS.try_with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= LIMIT {
                m.clear();
            }
            m.insert(key.into(), merged);
        });
    }
}

/// One package (family + version) ready for solving.
#[derive(Debug)]
pub struct Package {
    /// Shared by the packages of a family loaded together.
    pub name: Arc<str>,
    pub version: Version,
    pub data: PackageData,
    /// Whether every requirement string parses (else the first error);
    /// checked when the solver first reads a variant's requirements (most
    /// packages a solve loads are only compared by version). The parsed
    /// values are not kept: parsing is memoised per text, and only the
    /// merged lists are stored (keeping both doubled a fresh solve's memory).
    valid: OnceLock<Result<(), String>>,
    /// Lazily merged requirements per variant slot, shared with every other
    /// variant of the same requirement texts (see [`merged_lists`]); the
    /// slots themselves are shared with the packages of the same family that
    /// have the same requirements (see [`Package::share_requirements`]).
    merged: MergedSlots,
}

/// One package's merged requirement lists, a slot per variant.
type MergedSlots = Arc<[OnceLock<Result<Arc<VariantRequires>, MergeError>>]>;

/// Why a variant's requirements cannot be merged. An internal conflict's
/// message names the package, so a slot shared by several packages keeps
/// only the list and each names itself.
#[derive(Clone, Debug)]
enum MergeError {
    Invalid(String),
    InternalConflict(String),
}

/// Parses requirement strings as rez's package schema does (`PackageRequest`):
/// a valid requirement whose name (less a leading `.` for an ephemeral) is a
/// valid package name. `key` names the field in the error, as rez does.
fn parse_all<'a>(
    reqs: Strings<'a>,
    key: &'a str,
) -> impl Iterator<Item = Result<Requirement, String>> + 'a {
    reqs.map(move |s| schema_requirement(s, key))
}

fn schema_requirement(s: &str, key: &str) -> Result<Requirement, String> {
    let req =
        Requirement::parse(s).map_err(|e| format!("Validation of key '{key}' failed: {e}"))?;
    let name = if s.starts_with('.') {
        &req.name()[1..]
    } else {
        req.name()
    };
    if !is_valid_package_name(name) {
        return Err(format!(
            "Validation of key '{key}' failed: Not a valid package name: '{name}'"
        ));
    }
    Ok(req)
}

/// Whether `s` passes rez's package schema as a requirement (what the
/// solver checks before reading a package's requirements). Writers of
/// [`PackageData::requirements_checked`] records use it.
pub fn is_schema_requirement(s: &str) -> bool {
    schema_requirement(s, "").is_ok()
}

impl Package {
    /// Builds a package; an invalid version is an error now, invalid
    /// requirement strings only when the solver reads them (as in rez).
    pub fn new(data: PackageData) -> Result<Package, String> {
        let version =
            Version::parse(data.version()).map_err(|e| format!("package {}: {e}", data.name()))?;
        let name = data.name().into();
        Ok(Package::build(data, version, name))
    }

    /// A package whose version string was already parsed into `version`.
    pub fn with_version(data: PackageData, version: Version) -> Package {
        debug_assert_eq!(version.as_str(), data.version());
        let name = data.name().into();
        Package::build(data, version, name)
    }

    /// [`Package::with_version`], its name shared with its family's others.
    pub fn with_shared_name(data: PackageData, version: Version, name: Arc<str>) -> Package {
        debug_assert_eq!(&*name, data.name());
        debug_assert_eq!(version.as_str(), data.version());
        Package::build(data, version, name)
    }

    fn build(data: PackageData, version: Version, name: Arc<str>) -> Package {
        let slots = data.num_variants().max(1);
        // checked by the record's writer: nothing to check again
        let valid = OnceLock::new();
        if data.requirements_checked() {
            let _ = valid.set(Ok(()));
        }
        Package {
            name,
            version,
            data,
            valid,
            merged: (0..slots).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Shares `earlier`'s merged requirement slots if both have the same
    /// requirements (most versions of a family repeat their neighbour's:
    /// 68% of the benchmark repository's packages), so that a solve merges,
    /// or looks up, each list once; true if shared. Call before the solve
    /// reads either package.
    pub fn share_requirements(&mut self, earlier: &Package) -> bool {
        let same = self.data.same_requirements(&earlier.data);
        if same {
            self.merged = earlier.merged.clone();
        }
        same
    }

    /// Whether `other` has the same requirements and shares this package's
    /// merged slots (see [`Package::share_requirements`]).
    pub fn shares_requirements_with(&self, other: &Package) -> bool {
        Arc::ptr_eq(&self.merged, &other.merged)
    }

    /// Number of variants rez sees: a package without variants has one,
    /// whose index is None.
    pub fn num_variants(&self) -> usize {
        self.merged.len()
    }

    /// Whether a solve has read this package's requirements yet (most
    /// loaded packages are only compared by version).
    pub fn requirements_read(&self) -> bool {
        self.valid.get().is_some()
    }

    pub fn has_variants(&self) -> bool {
        self.data.num_variants() > 0
    }

    /// rez's variant index for variant slot `i`.
    pub fn variant_index(&self, i: usize) -> Option<usize> {
        self.has_variants().then_some(i)
    }

    /// Whether the package's requirements parse as rez's package schema
    /// validates them: an invalid string in any variant fails the whole
    /// package.
    fn validate(&self) -> Result<(), String> {
        self.valid
            .get_or_init(|| {
                parse_all(self.data.requires(), "requires").try_for_each(|r| r.map(drop))?;
                self.data
                    .variants()
                    .try_for_each(|v| parse_all(v, "variants").try_for_each(|r| r.map(drop)))
            })
            .clone()
    }

    /// Package requirements followed by those of variant slot `i`, unmerged.
    fn variant_requirements(&self, i: usize) -> Result<Vec<Requirement>, String> {
        self.validate()?;
        if self.data.requirements_checked() {
            // the names were checked when the record was written
            let parse = |s: &str| Requirement::parse(s).map_err(|e| e.to_string());
            return self.variant_texts(i).map(parse).collect();
        }
        let mut out: Vec<Requirement> =
            parse_all(self.data.requires(), "requires").collect::<Result<_, _>>()?;
        if self.has_variants() {
            for r in parse_all(self.data.variant(i), "variants") {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// The requirement texts of variant slot `i`: package, then variant.
    fn variant_texts(&self, i: usize) -> impl Iterator<Item = &str> {
        let variant = self.has_variants().then(|| self.data.variant(i));
        self.data.requires().chain(variant.into_iter().flatten())
    }

    /// The merged requirement list of variant slot `i` (rez's
    /// `PackageVariant.requires_list`), or rez's internal-conflict error.
    pub fn requires_of(&self, i: usize) -> Result<&VariantRequires, String> {
        self.merged[i]
            .get_or_init(|| {
                self.validate().map_err(MergeError::Invalid)?;
                merged_lists::with_key(self.variant_texts(i), |key| {
                    if let Some(shared) = merged_lists::get(key) {
                        return Ok(shared);
                    }
                    let merged = Arc::new(self.merge(i)?);
                    merged_lists::put(key, merged.clone());
                    Ok(merged)
                })
            })
            .as_ref()
            .map(|m| &**m)
            .map_err(|e| match e {
                MergeError::Invalid(why) => why.clone(),
                MergeError::InternalConflict(list) => format!(
                    "The package {} has an internal requirements conflict: {list}",
                    self.variant_label(i)
                ),
            })
    }

    /// Merges the requirements of variant slot `i` (rez's `RequirementList`).
    fn merge(&self, i: usize) -> Result<VariantRequires, MergeError> {
        let reqs = self.variant_requirements(i).map_err(MergeError::Invalid)?;
        let list =
            RequirementList::try_new(&reqs).map_err(|e| MergeError::Invalid(e.to_string()))?;
        if list.conflict().is_some() {
            return Err(MergeError::InternalConflict(list.to_string()));
        }
        let sources: Vec<&str> = self.variant_texts(i).collect();
        Ok(VariantRequires::new(list, &sources))
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
            self.name.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(pkg: &Package) -> Vec<(String, u32)> {
        let requires = pkg.requires_of(0).unwrap();
        let names = requires
            .list
            .requirements()
            .iter()
            .map(|r| r.name().to_string());
        let fams = names.map(|n| {
            let (_, key) = requires.find_fam(FamId::of(&n)).unwrap();
            (n, key)
        });
        fams.collect()
    }

    fn package_requiring(texts: &[&str]) -> Package {
        let mut b = PackageData::builder("k", "1", 0);
        texts.iter().for_each(|t| b.push(t));
        Package::new(b.build()).unwrap()
    }

    #[test]
    fn requirement_keys_stand_for_one_text() {
        let one = keys_of(&package_requiring(&["a-1", "b-2"]));
        let two = keys_of(&package_requiring(&["b-2", "a-1", "c"]));
        assert_eq!(one[0], two[1], "the same text, the same key");
        assert_eq!(one[1], two[0]);
        let other = keys_of(&package_requiring(&["a-1.0", "b-2"]));
        assert_ne!(other[0].1, one[0].1, "another text, another key");
        // merged from two texts: a key of its own
        let merged = keys_of(&package_requiring(&["a-1+", "b-2", "a-1"]));
        assert_eq!(merged[1], one[1]);
        assert!(![one[0].1, other[0].1].contains(&merged[0].1));
        let again = keys_of(&package_requiring(&["a-1+", "b-2", "a<3"]));
        assert_ne!(again[0].1, merged[0].1, "each merge a fresh key");
        // another thread keys its own texts, never with a key used here
        let there = std::thread::spawn(|| keys_of(&package_requiring(&["a-1", "b-2"])));
        let there = there.join().unwrap();
        let here: Vec<u32> = [&one, &two, &other, &merged, &again]
            .iter()
            .flat_map(|k| k.iter().map(|(_, key)| *key))
            .collect();
        assert!(there.iter().all(|(_, key)| !here.contains(key)));
    }

    #[test]
    fn checked_records_are_not_checked_again() {
        let mut b = PackageData::builder("g", "6", 0);
        b.push("a-1");
        let plain = Package::new(b.build()).unwrap();
        assert!(!plain.requirements_read());
        let mut b = PackageData::builder("g", "6", 0);
        b.push("a-1");
        b.mark_checked();
        let checked = Package::new(b.build()).unwrap();
        assert!(checked.requirements_read());
        assert_eq!(
            checked.data, plain.data,
            "the mark is not part of the value"
        );
        assert_eq!(checked.requires_of(0).unwrap().list.to_string(), "a-1");
    }

    #[test]
    fn packages_with_the_same_requirements_share_merges_not_messages() {
        let data = |version: &str, reqs: &[&str]| {
            PackageData::new("g", version, reqs, [vec!["x-1"], vec!["x-2"]])
        };
        let conflicting = ["a-1", "a-2"];
        let first = Package::new(data("2", &conflicting)).unwrap();
        let mut second = Package::new(data("1", &conflicting)).unwrap();
        let mut other = Package::new(data("0", &["a-1"])).unwrap();
        assert!(second.share_requirements(&first) && second.shares_requirements_with(&first));
        assert!(!other.share_requirements(&first) && !other.shares_requirements_with(&first));
        // the shared slot is filled once; each package names itself
        let e1 = first.requires_of(1).unwrap_err();
        let e2 = second.requires_of(1).unwrap_err();
        assert!(e1.contains("The package g-2[1] has an internal"), "{e1}");
        assert!(e2.contains("The package g-1[1] has an internal"), "{e2}");
        assert_eq!(e1.replace("g-2[1]", "g-1[1]"), e2);
        assert_eq!(other.requires_of(0).unwrap().list.to_string(), "a-1 x-1");
        let unshared = Package::new(data("1", &conflicting)).unwrap();
        assert_eq!(unshared.requires_of(1).unwrap_err(), e2);
    }

    #[test]
    fn invalid_requirement_names_fail_when_read() {
        let data = PackageData::new("g", "6", ["~.e<=5.1"], [] as [[&str; 0]; 0]);
        let pkg = Package::new(data).unwrap();
        let err = pkg.requires_of(0).unwrap_err();
        assert!(err.contains("Not a valid package name: '.e'"), "{err}");
    }
}
