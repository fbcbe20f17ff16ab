//! Where the solver gets packages from: a per-solve cache of families, filled
//! from pre-seeded packages or a loader (the Python `load_family` callback),
//! with rez's "family not found" / "no version in range" distinction.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use crate::algebra::range::VersionRange;
use crate::algebra::version::Version;
use crate::package::filter::PackageFilterList;
use crate::package::Package;

use super::Phases;

/// Loads the packages of one family. `range` is a hint (`None`: every
/// version); returning more is allowed, the solver filters.
pub trait FamilyLoader {
    fn load(
        &mut self,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, String>;

    /// The requirements whose families a solve is about to ask for, in the
    /// order it will ask (its request's): a loader with a thread of its own
    /// may start on them. A hint only: each is still asked for through `load`.
    fn expect(&mut self, _requirements: &[String]) {}

    /// Asked now and then during a solve: true stops it with an error (the
    /// caller's Ctrl-C, say). Cheap to call often; the loader throttles.
    fn interrupted(&mut self) -> bool {
        false
    }

    /// Takes the packages a finished solve loaded, to free (see [`release`];
    /// a loader with a thread of its own may free them there).
    fn release(&mut self, loaded: Loaded) {
        release(loaded)
    }
}

/// A loader that knows nothing: every family is missing.
pub struct NoLoader;

impl FamilyLoader for NoLoader {
    fn load(&mut self, _: &str, _: Option<&VersionRange>) -> Result<Vec<Arc<Package>>, String> {
        Ok(Vec::new())
    }
}

/// What is known of one family in this solve.
struct Family {
    /// Versions descending (rez's default order), no duplicates.
    packages: Vec<Arc<Package>>,
    /// `None`: every version is loaded; otherwise the ranges asked so far.
    loaded: Option<VersionRange>,
}

/// The families a finished solve loaded, as the solve kept them, and its
/// phases: handed to the loader only to be freed, so nothing is copied or
/// rehashed first.
pub struct Loaded {
    families: HashMap<String, Family>,
    _phases: Phases,
}

impl Loaded {
    fn package_count(&self) -> usize {
        self.families.values().map(|f| f.packages.len()).sum()
    }
}

/// The items of `items` (versions strictly descending) whose version is in
/// `range`, still descending: one binary search per bound instead of a
/// containment test per item.
pub fn in_range<'i, T>(
    items: &'i [T],
    version: impl Fn(&T) -> &Version + Copy + 'i,
    range: &'i VersionRange,
) -> impl Iterator<Item = &'i T> + 'i {
    range.bounds().iter().rev().flat_map(move |b| {
        let i = items.partition_point(|x| !b.upper.contains_version(version(x)));
        let n = items[i..].partition_point(|x| b.lower.contains_version(version(x)));
        &items[i..i + n]
    })
}

/// Frees the packages a solve loaded. Thousands of them, each with parsed
/// requirements, take milliseconds to free: a fresh process's solve hands
/// them to the thread pool and returns at once.
pub fn release(families: Loaded) {
    const IN_BACKGROUND_FROM: usize = 512;
    if families.package_count() >= IN_BACKGROUND_FROM && crate::fork_guard::pool_usable() {
        rayon::spawn(move || drop(families));
    }
}

/// rez's error for a family with no package at all.
pub fn family_not_found(name: &str) -> String {
    format!("package family not found: {name}")
}

pub struct FamilyStore<'a> {
    /// Complete families given up front (borrowed: a solve copies nothing).
    seed: &'a HashMap<String, Vec<Arc<Package>>>,
    /// Families fetched from the loader during this solve.
    families: HashMap<String, Family>,
    loader: &'a mut dyn FamilyLoader,
    /// rez's package filter, if the resolve has one.
    filter: Option<&'a PackageFilterList>,
    pub load_calls: usize,
}

/// Adds `new` to the sorted `packages`, keeping versions unique. A version
/// repeated inside one batch is an error, as the API promises.
fn merge_packages(
    name: &str,
    packages: &mut Vec<Arc<Package>>,
    mut new: Vec<Arc<Package>>,
) -> Result<(), String> {
    new.retain(|p| &*p.name == name);
    new.sort_by(|a, b| b.version.cmp(&a.version));
    if let Some(w) = new.windows(2).find(|w| w[0].version == w[1].version) {
        return Err(format!("duplicate package: {}-{}", name, w[1].version));
    }
    for p in new {
        match packages.binary_search_by(|q| p.version.cmp(&q.version)) {
            Ok(_) => {} // already loaded by an earlier call
            Err(pos) => packages.insert(pos, p),
        }
    }
    Ok(())
}

impl<'a> FamilyStore<'a> {
    /// A store pre-seeded with complete families (the `packages` argument).
    pub fn new(
        seed: &'a HashMap<String, Vec<Arc<Package>>>,
        loader: &'a mut dyn FamilyLoader,
        filter: Option<&'a PackageFilterList>,
    ) -> FamilyStore<'a> {
        FamilyStore {
            seed,
            families: HashMap::default(),
            loader,
            filter: filter.filter(|f| !f.is_empty()),
            load_calls: 0,
        }
    }

    fn call_loader(
        &mut self,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, String> {
        self.load_calls += 1;
        self.loader.load(name, range)
    }

    pub fn interrupted(&mut self) -> bool {
        self.loader.interrupted()
    }

    /// Hands the families loaded during this solve, and its `phases`, to
    /// the loader to free, leaving no family.
    pub fn release_loaded(&mut self, phases: Phases) {
        let families = std::mem::take(&mut self.families);
        self.loader.release(Loaded {
            families,
            _phases: phases,
        });
    }

    /// Makes sure every version of `name` inside `range` is loaded. Errors
    /// with rez's "family not found" if the family has no package at all.
    fn ensure(&mut self, name: &str, range: &VersionRange) -> Result<(), String> {
        let hint = (!range.is_any()).then_some(range);
        match self.families.get(name) {
            Some(f) => {
                let covered = match &f.loaded {
                    None => true,
                    Some(r) => r.issuperset(range),
                };
                if covered {
                    return Ok(());
                }
                let new = self.call_loader(name, hint)?;
                let f = self.families.get_mut(name).expect("family present");
                merge_packages(name, &mut f.packages, new)?;
                f.loaded = match (&f.loaded, hint) {
                    (Some(r), Some(h)) => Some(r.union(h)),
                    _ => None,
                };
                Ok(())
            }
            None => {
                let mut packages = Vec::new();
                merge_packages(name, &mut packages, self.call_loader(name, hint)?)?;
                let mut loaded = hint.cloned();
                if packages.is_empty() && hint.is_some() {
                    // Nothing in range: ask for the whole family to tell
                    // "no such family" from "no version in range".
                    merge_packages(name, &mut packages, self.call_loader(name, None)?)?;
                    loaded = None;
                }
                if packages.is_empty() {
                    return Err(family_not_found(name));
                }
                self.families
                    .insert(name.to_string(), Family { packages, loaded });
                Ok(())
            }
        }
    }

    /// rez's `_PackageVariantList(name).get_intersection(range)`: the
    /// packages of `name` in `range` the filter lets through, versions
    /// descending; empty if none. (A family whose every package is filtered
    /// out still exists: rez tells the two apart the same way.)
    pub fn packages_in(
        &mut self,
        name: &str,
        range: &VersionRange,
    ) -> Result<Vec<Arc<Package>>, String> {
        let packages = match self.seed.get(name) {
            Some(pkgs) => pkgs,
            None => {
                self.ensure(name, range)?;
                &self.families[name].packages
            }
        };
        let visible = |p: &&Arc<Package>| {
            !self
                .filter
                .is_some_and(|f| f.excludes(&p.name, &p.version, p.data.timestamp()))
        };
        Ok(in_range(packages, |p| &p.version, range)
            .filter(visible)
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::PackageData;
    use crate::solver::context::INTERRUPTED;
    use crate::solver::{solve, SolveStatus, VariantSelectMode};

    /// Serves an endless chain `p0 -> p1 -> ...`, and asks to stop once it
    /// has served `stop_after` families.
    struct EndlessChain {
        loads: usize,
        stop_after: usize,
    }

    impl FamilyLoader for EndlessChain {
        fn load(
            &mut self,
            name: &str,
            _: Option<&VersionRange>,
        ) -> Result<Vec<Arc<Package>>, String> {
            self.loads += 1;
            let next = name[1..].parse::<usize>().map_err(|e| e.to_string())? + 1;
            let data = PackageData::new(name, "1", [format!("p{next}")], [] as [[&str; 0]; 0]);
            Ok(vec![Arc::new(Package::new(data)?)])
        }

        fn interrupted(&mut self) -> bool {
            self.loads >= self.stop_after
        }
    }

    /// Records what the solve tells it to expect, and serves `a` and `e`.
    #[derive(Default)]
    struct Expecting {
        expected: Vec<String>,
        loaded: Vec<String>,
    }

    impl FamilyLoader for Expecting {
        fn expect(&mut self, requirements: &[String]) {
            assert!(self.loaded.is_empty(), "told after loading");
            self.expected.extend_from_slice(requirements);
        }

        fn load(
            &mut self,
            name: &str,
            _: Option<&VersionRange>,
        ) -> Result<Vec<Arc<Package>>, String> {
            self.loaded.push(name.to_string());
            let data = PackageData::new(name, "1", [] as [&str; 0], [] as [[&str; 0]; 0]);
            Ok(vec![Arc::new(Package::new(data)?)])
        }
    }

    #[test]
    fn a_loader_is_told_first_which_families_the_request_loads() {
        let mut seed = HashMap::default();
        let seeded = PackageData::new("s", "1", [] as [&str; 0], [] as [[&str; 0]; 0]);
        seed.insert(
            "s".to_string(),
            vec![Arc::new(Package::new(seeded).unwrap())],
        );
        let mut loader = Expecting::default();
        let request = ["a-1", "!b", ".c-1", "~d-2", "s", "e"].map(String::from);
        let out = solve(
            &request,
            &seed,
            &mut loader,
            VariantSelectMode::VersionPriority,
        );
        assert_eq!(out.status, SolveStatus::Solved);
        // conflicts, weak and ephemeral requirements load nothing; seeded
        // families are not loaded
        assert_eq!(loader.expected, ["a-1", "e"]);
        assert_eq!(loader.loaded, ["a", "e"]);
    }

    /// Serves nothing; keeps what a finished solve hands it to free.
    #[derive(Default)]
    struct Keeping {
        released: Option<Loaded>,
    }

    impl FamilyLoader for Keeping {
        fn load(&mut self, _: &str, _: Option<&VersionRange>) -> Result<Vec<Arc<Package>>, String> {
            Ok(Vec::new())
        }

        fn release(&mut self, loaded: Loaded) {
            self.released = Some(loaded);
        }
    }

    #[test]
    fn a_finished_solves_phases_are_freed_by_the_loader_on_any_thread() {
        // a needs b, whose latest version conflicts with a: the phases hold
        // every seeded package, b-2 as a version reduced away
        let package = |name: &str, version: &str, requires: &[&str]| {
            let data = PackageData::new(name, version, requires.to_vec(), [] as [[&str; 0]; 0]);
            Arc::new(Package::new(data).unwrap())
        };
        let mut seed = HashMap::default();
        seed.insert("a".to_string(), vec![package("a", "1", &["b"])]);
        let b = vec![package("b", "2", &["!a"]), package("b", "1", &[])];
        seed.insert("b".to_string(), b);
        let counts = |seed: &HashMap<String, Vec<Arc<Package>>>| -> Vec<usize> {
            seed.values().flatten().map(Arc::strong_count).collect()
        };
        let mut loader = Keeping::default();
        let out = solve(
            &["a".to_string()],
            &seed,
            &mut loader,
            VariantSelectMode::VersionPriority,
        );
        assert_eq!(out.status, SolveStatus::Solved);
        drop(out);
        // the solve's phases still hold the packages: the loader frees them
        assert!(counts(&seed).iter().all(|&n| n > 1), "{:?}", counts(&seed));
        let released = loader.released.take().expect("released");
        std::thread::spawn(move || drop(released)).join().unwrap();
        assert!(counts(&seed).iter().all(|&n| n == 1), "{:?}", counts(&seed));
    }

    #[test]
    fn a_loader_stops_the_solve() {
        let seed = HashMap::default();
        let mut chain = EndlessChain {
            loads: 0,
            stop_after: 20,
        };
        let out = solve(
            &["p0".to_string()],
            &seed,
            &mut chain,
            VariantSelectMode::VersionPriority,
        );
        assert_eq!(out.status, SolveStatus::Error);
        assert_eq!(out.failure_description.as_deref(), Some(INTERRUPTED));
        assert!(chain.loads < 40, "stopped late: {} loads", chain.loads);
    }
}
