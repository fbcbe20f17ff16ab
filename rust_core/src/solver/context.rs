//! State shared by every phase of one solve: the request, the family store,
//! the variant-selection mode and the per-package variant preference order.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::Arc;

use super::family::FamilyStore;
use super::order::{checked_permutation, PackageOrder};
use crate::algebra::range::VersionRange;
use crate::algebra::requirement::RequirementList;
use crate::package::names::FamId;
use crate::package::Package;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VariantSelectMode {
    VersionPriority,
    IntersectionPriority,
}

impl VariantSelectMode {
    pub fn parse(s: &str) -> Option<VariantSelectMode> {
        match s {
            "version_priority" => Some(VariantSelectMode::VersionPriority),
            "intersection_priority" => Some(VariantSelectMode::IntersectionPriority),
            _ => None,
        }
    }
}

pub type SolveError = String;

/// The error of a solve its caller stopped (see `FamilyLoader::interrupted`).
pub const INTERRUPTED: &str = "solve interrupted";

/// What every phase of a solve reads. It keeps no `Rc` of a phase's (see
/// `Phases`, which a finished solve's phases are freed in on another thread).
pub struct Context<'a> {
    pub request_list: RequirementList,
    /// The family of each merged request, in order.
    request_fams: Vec<FamId>,
    pub mode: VariantSelectMode,
    pub families: RefCell<FamilyStore<'a>>,
    /// Variant slots of a package, most preferred first (rez's
    /// `_PackageEntry.sort`), keyed by package address.
    variant_order: RefCell<HashMap<usize, Rc<Vec<usize>>>>,
    /// Scratch marks by family index, for deduplicating families quickly:
    /// a family is marked when its entry equals the current generation.
    marks: RefCell<(Vec<u32>, u32)>,
    /// Requirement key -> its range as rez's union re-normalises it.
    normalised: RefCell<HashMap<u32, VersionRange>>,
    /// rez's package orderers, when the resolve has any.
    orderers: Option<&'a dyn PackageOrder>,
}

/// rez sorts on `orderer.sort_key(name, range)`: with the default orderer
/// this orders like the range's bounds, and a missing range (a weak `~foo`)
/// becomes the int 0, which Python cannot compare with a tuple.
#[derive(Clone, Copy)]
enum RangeKey<'r> {
    Zero,
    Range(&'r VersionRange),
}

fn cmp_range_key(a: RangeKey, b: RangeKey, incomparable: &mut bool) -> Ordering {
    match (a, b) {
        (RangeKey::Zero, RangeKey::Zero) => Ordering::Equal,
        (RangeKey::Range(x), RangeKey::Range(y)) => x.cmp(y),
        _ => {
            *incomparable = true;
            Ordering::Equal
        }
    }
}

struct VariantKey<'r> {
    requested: Vec<(i64, RangeKey<'r>)>,
    additional: Vec<(RangeKey<'r>, &'r str)>,
    slot: usize,
}

impl<'a> Context<'a> {
    pub fn new(
        request_list: RequirementList,
        mode: VariantSelectMode,
        families: FamilyStore<'a>,
        orderers: Option<&'a dyn PackageOrder>,
    ) -> Context<'a> {
        Context {
            request_fams: request_list
                .requirements()
                .iter()
                .map(|r| FamId::of(r.name()))
                .collect(),
            request_list,
            mode,
            families: RefCell::new(families),
            variant_order: RefCell::new(HashMap::default()),
            normalised: RefCell::new(HashMap::default()),
            marks: RefCell::new((Vec::new(), 0)),
            orderers,
        }
    }

    /// Whether an orderer applies to `family` (else rez's default order).
    pub fn has_orderer(&self, family: &str) -> bool {
        self.orderers.is_some_and(|o| o.orders(family))
    }

    /// The order in which rez tries the versions `versions` (descending) of
    /// `family`: None for rez's default (descending), else positions.
    pub fn version_order(
        &self,
        family: &str,
        versions: &[&str],
    ) -> Result<Option<Vec<usize>>, SolveError> {
        match self.orderers {
            Some(o) if o.orders(family) => {
                let order = o.order_versions(family, versions)?;
                checked_permutation(order, versions.len()).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Runs `f` with a fresh "seen for the first time?" test over families.
    pub fn with_family_marks<R>(&self, f: impl FnOnce(&mut dyn FnMut(FamId) -> bool) -> R) -> R {
        let mut marks = self.marks.borrow_mut();
        let (table, generation) = &mut *marks;
        *generation = generation.wrapping_add(1);
        if *generation == 0 {
            table.iter_mut().for_each(|m| *m = 0);
            *generation = 1;
        }
        let generation = *generation;
        let mut first_time = |fam: FamId| {
            let i = fam.index();
            if i >= table.len() {
                table.resize(i + 1, 0);
            }
            let new = table[i] != generation;
            table[i] = generation;
            new
        };
        f(&mut first_time)
    }

    /// `range` (the range of the requirement with `key`) re-normalised as
    /// rez's `union` does, computed once per solve.
    pub fn normalised_range(&self, key: u32, range: &VersionRange) -> VersionRange {
        self.normalised
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| VersionRange::union_all([range]))
            .clone()
    }

    /// The package's variant slots in rez's preference order.
    /// Stops the solve when the caller asks (checked once per phase step).
    pub fn check_interrupt(&self) -> Result<(), SolveError> {
        match self.families.borrow_mut().interrupted() {
            true => Err(INTERRUPTED.to_string()),
            false => Ok(()),
        }
    }

    pub fn variant_order(&self, pkg: &Arc<Package>) -> Result<Rc<Vec<usize>>, SolveError> {
        let id = Arc::as_ptr(pkg) as usize;
        if let Some(order) = self.variant_order.borrow().get(&id) {
            return Ok(order.clone());
        }
        let order = Rc::new(self.sort_variants(pkg)?);
        self.variant_order.borrow_mut().insert(id, order.clone());
        Ok(order)
    }

    fn sort_variants(&self, pkg: &Package) -> Result<Vec<usize>, SolveError> {
        let n = pkg.num_variants();
        if n == 1 {
            pkg.requires_of(0)?;
            return Ok(vec![0]);
        }
        if let Some(order) = self.orderer_variant_order(pkg)? {
            return Ok(order);
        }
        let mut keys = Vec::with_capacity(n);
        for slot in 0..n {
            let reqs = pkg.requires_of(slot)?;
            let mut requested = Vec::new();
            let mut names: Vec<&str> = Vec::new();
            for (i, request) in self.request_list.requirements().iter().enumerate() {
                if request.conflict() {
                    continue;
                }
                if let Some((req, _)) = reqs.get_fam(self.request_fams[i]) {
                    let key = req.range().map_or(RangeKey::Zero, RangeKey::Range);
                    requested.push((-(i as i64), key));
                    names.push(req.name());
                }
            }
            let additional = reqs
                .list
                .requirements()
                .iter()
                .filter(|r| !r.conflict() && !names.contains(&r.name()))
                .map(|r| (r.range().map_or(RangeKey::Zero, RangeKey::Range), r.name()))
                .collect();
            keys.push(VariantKey {
                requested,
                additional,
                slot,
            });
        }
        let mut incomparable = false;
        let mode = self.mode;
        keys.sort_by(|a, b| {
            // Descending: rez sorts with reverse=True.
            cmp_variant_keys(b, a, mode, pkg.has_variants(), &mut incomparable)
        });
        if incomparable {
            return Err("'<' not supported between instances of 'int' and 'tuple'".to_string());
        }
        Ok(keys.into_iter().map(|k| k.slot).collect())
    }
}

impl Context<'_> {
    /// rez's variant order through the orderers, when one applies to a
    /// family the package's variants require or the request names.
    fn orderer_variant_order(&self, pkg: &Package) -> Result<Option<Vec<usize>>, SolveError> {
        let Some(orderers) = self.orderers else {
            return Ok(None);
        };
        let n = pkg.num_variants();
        let mut lists = Vec::with_capacity(n);
        let mut ordered = false;
        for slot in 0..n {
            let reqs = pkg.requires_of(slot)?.list.requirements();
            ordered |= reqs
                .iter()
                .any(|r| !r.conflict() && orderers.orders(r.name()));
            lists.push(reqs.iter().map(|r| r.to_string()).collect::<Vec<_>>());
        }
        if !ordered {
            return Ok(None);
        }
        let requests: Vec<String> = self
            .request_list
            .requirements()
            .iter()
            .map(|r| r.to_string())
            .collect();
        let order = orderers.order_variants(&requests, &lists, pkg.has_variants(), self.mode)?;
        checked_permutation(order, n).map(Some)
    }
}

fn cmp_lists<T>(a: &[T], b: &[T], mut cmp: impl FnMut(&T, &T) -> Ordering) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_variant_keys(
    a: &VariantKey,
    b: &VariantKey,
    mode: VariantSelectMode,
    indexed: bool,
    bad: &mut bool,
) -> Ordering {
    if mode == VariantSelectMode::IntersectionPriority {
        let o = a.requested.len().cmp(&b.requested.len());
        if o != Ordering::Equal {
            return o;
        }
    }
    let o = cmp_lists(&a.requested, &b.requested, |x, y| {
        x.0.cmp(&y.0).then_with(|| cmp_range_key(x.1, y.1, bad))
    });
    if o != Ordering::Equal {
        return o;
    }
    // Fewer additional packages is better: rez keys on -len(additional).
    let o = b.additional.len().cmp(&a.additional.len());
    if o != Ordering::Equal {
        return o;
    }
    let o = cmp_lists(&a.additional, &b.additional, |x, y| {
        cmp_range_key(x.0, y.0, bad).then_with(|| x.1.cmp(y.1))
    });
    if o != Ordering::Equal || !indexed {
        return o;
    }
    a.slot.cmp(&b.slot)
}
