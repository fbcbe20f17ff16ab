//! rez's `_PackageEntry` and `_PackageVariantSlice`: the variants of one
//! family still possible in a phase, with extraction, intersection,
//! reduction and splitting.
//!
//! Entries are kept in descending version order from the start (rez sorts
//! them before the first split, and nothing before a split depends on their
//! order); variants inside an entry are kept in slot order and put in rez's
//! preference order where the order matters.

use std::cell::{OnceCell, RefCell};

use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

use super::context::{Context, SolveError};
use super::family::in_range;
use crate::algebra::bound::{Bound, LowerBound, UpperBound};
use crate::algebra::range::VersionRange;
use crate::algebra::requirement::Requirement;
use crate::package::names::{FamFilter, FamId};
use crate::package::{Package, VariantRequires};

/// What a slice is reduced by, seen from the slice: whether it constrains
/// anything, and rez's `dependency.conflicts_with(request)` test. (The scope
/// request implements it; the slice does not need to know its form.)
pub trait ConflictTest {
    fn has_range(&self) -> bool;
    fn conflicted_by(&self, dependency: &Requirement) -> bool;
}

/// A variant a reduction removed, with the dependency that conflicted.
pub struct Removed {
    pub pkg: Arc<Package>,
    pub slot: usize,
    pub dependency: Requirement,
}

/// The variants of one package still in a slice.
#[derive(Clone)]
pub struct Entry {
    pub pkg: Arc<Package>,
    /// Variant slots, in slot order.
    pub slots: Vec<usize>,
}

impl Entry {
    fn full(pkg: Arc<Package>) -> Entry {
        let slots = (0..pkg.num_variants()).collect();
        Entry { pkg, slots }
    }

    /// The slots in rez's preference order.
    fn sorted_slots(&self, ctx: &Context) -> Result<Vec<usize>, SolveError> {
        if self.slots.len() == 1 {
            return Ok(self.slots.clone());
        }
        let order = ctx.variant_order(&self.pkg)?;
        Ok(order
            .iter()
            .copied()
            .filter(|s| self.slots.contains(s))
            .collect())
    }

    fn requires(&self, slot: usize) -> Result<&VariantRequires, SolveError> {
        self.pkg.requires_of(slot)
    }
}

struct FamInfo {
    /// Families every variant requires, sorted by name (extraction order).
    common: Vec<(Arc<str>, FamId)>,
}

/// Families that some variant requires or conflicts with (rez's
/// `fam_requires`), possibly more: a narrowed slice keeps its parent's set,
/// which is only used to skip reductions that cannot apply.
struct AnyFams {
    /// Sorted.
    fams: Vec<FamId>,
    filter: FamFilter,
}

pub struct Slice {
    pub name: Rc<str>,
    pub entries: Rc<Vec<Entry>>,
    /// How many of the common families (`fam_info.common`, in name order)
    /// have been extracted: rez always extracts the smallest name left, so
    /// the extracted families are always a prefix of that list.
    extracted: usize,
    len: usize,
    /// Shared with the slices extracted from this one (same variants).
    fam_info: OnceCell<Rc<FamInfo>>,
    any: OnceCell<Rc<AnyFams>>,
    /// Per family, the distinct requirements the variants have on it; shared
    /// with the slices extracted from this one (same variants).
    fam_keys: Rc<RefCell<HashMap<FamId, Rc<FamKeys>>>>,
    single: Rc<SingleKeys>,
    range: OnceCell<VersionRange>,
    first: OnceCell<(Arc<Package>, usize)>,
}

/// A dependency extracted from a slice: rez's `Requirement.construct(fam,
/// range)`, kept as parts until a requirement has to be printed.
pub struct Extraction {
    pub fam: FamId,
    pub name: Arc<str>,
    pub range: VersionRange,
}

impl Extraction {
    pub fn requirement(&self) -> Requirement {
        Requirement::construct(&self.name, Some(self.range.clone()))
    }
}

/// The variants of a slice that have a requirement on one family, grouped by
/// requirement (key): conflict tests then run once per distinct requirement.
struct FamKeys {
    /// Distinct keys, with the (entry, slot, position) of one variant each,
    /// to read the requirement from.
    keys: Vec<(u32, usize, usize, u32)>,
    /// (index into `keys`, entry, slot) of every variant with a requirement.
    members: Vec<(usize, usize, usize)>,
}

/// A requirement shared by every variant that has one on some family:
/// (key, package, slot, position) of one such variant.
type SingleKey = (u32, Arc<Package>, usize, u32);

/// Families on which all the slice's variants with a requirement have the
/// same one. A narrowed slice's variants are a subset of its parent's, so
/// the parent's facts hold for it too: lookups walk up the lineage.
#[derive(Default)]
struct SingleKeys {
    map: RefCell<HashMap<FamId, SingleKey>>,
    parent: Option<Rc<SingleKeys>>,
}

impl SingleKeys {
    fn get(&self, fam: FamId) -> Option<SingleKey> {
        let mut node = Some(self);
        // A few generations are enough; deeper lineages just rescan.
        for _ in 0..8 {
            let n = node?;
            if let Some(k) = n.map.borrow().get(&fam) {
                return Some(k.clone());
            }
            node = n.parent.as_deref();
        }
        None
    }
}

/// What an operation did to a slice (rez compares object identity).
pub enum Narrowed<T> {
    Unchanged,
    Changed(T),
    Empty,
}

impl Slice {
    pub fn from_packages(name: &str, pkgs: Vec<Arc<Package>>) -> Option<Slice> {
        if pkgs.is_empty() {
            return None;
        }
        let entries = pkgs.into_iter().map(Entry::full).collect();
        Some(Slice::with_entries(name.into(), entries))
    }

    fn with_entries(name: Rc<str>, entries: Vec<Entry>) -> Slice {
        let len = entries.iter().map(|e| e.slots.len()).sum();
        Slice {
            name,
            entries: Rc::new(entries),
            extracted: 0,
            len,
            fam_info: OnceCell::new(),
            any: OnceCell::new(),
            fam_keys: Rc::default(),
            single: Rc::default(),
            range: OnceCell::new(),
            first: OnceCell::new(),
        }
    }

    /// rez's `_copy`: new entries, and (as in rez) no extracted families.
    /// `entries` are a subset of this slice's, so its `any` set still covers.
    fn copy_with(&self, entries: Vec<Entry>) -> Slice {
        let mut slice = Slice::with_entries(self.name.clone(), entries);
        if let Some(any) = self.any.get() {
            let _ = slice.any.set(any.clone());
        }
        slice.single = Rc::new(SingleKeys {
            map: RefCell::default(),
            parent: Some(self.single.clone()),
        });
        slice
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// `==v1|==v2|...` over the versions present (rez's `range_`).
    pub fn range(&self) -> &VersionRange {
        self.range.get_or_init(|| {
            // Entries hold distinct versions, descending.
            let bounds = self
                .entries
                .iter()
                .rev()
                .map(|e| {
                    let v = e.pkg.version.clone();
                    Bound::new_unchecked(
                        LowerBound {
                            version: v.clone(),
                            inclusive: true,
                        },
                        UpperBound {
                            version: v,
                            inclusive: true,
                        },
                    )
                })
                .collect();
            VersionRange::from_sorted_bounds(bounds)
        })
    }

    /// Whether any version of the slice is in `range`. Entries are in
    /// descending version order, so each bound is a binary search.
    pub fn any_version_in(&self, range: &VersionRange) -> bool {
        let e = &self.entries;
        range.bounds().iter().any(|b| {
            let i = e.partition_point(|x| !b.upper.contains_version(&x.pkg.version));
            i < e.len() && b.lower.contains_version(&e[i].pkg.version)
        })
    }

    /// Whether every version of the slice is in `range` (disjoint bounds).
    pub fn all_versions_in(&self, range: &VersionRange) -> bool {
        let e = &self.entries;
        let inside: usize = range
            .bounds()
            .iter()
            .map(|b| {
                let i = e.partition_point(|x| !b.upper.contains_version(&x.pkg.version));
                e[i..].partition_point(|x| b.lower.contains_version(&x.pkg.version))
            })
            .sum();
        inside == e.len()
    }

    pub fn iter_variants(&self) -> impl Iterator<Item = (&Entry, usize)> {
        self.entries
            .iter()
            .flat_map(|e| e.slots.iter().map(move |&s| (e, s)))
    }

    /// rez's `first_variant`: the preferred variant of the first entry.
    pub fn first_variant(&self, ctx: &Context) -> Result<(Arc<Package>, usize), SolveError> {
        if let Some(first) = self.first.get() {
            return Ok(first.clone());
        }
        let e = &self.entries[0];
        let slot = e.sorted_slots(ctx)?[0];
        Ok(self.first.get_or_init(|| (e.pkg.clone(), slot)).clone())
    }

    fn fam_info(&self, ctx: &Context) -> Result<&FamInfo, SolveError> {
        if let Some(info) = self.fam_info.get() {
            return Ok(info);
        }
        let (pkg, slot) = self.first_variant(ctx)?;
        let mut common = pkg.requires_of(slot)?.request_fams_by_name();
        if self.any.get().is_some() {
            for (e, s) in self.iter_variants() {
                let r = e.requires(s)?;
                common.retain(|&(_, f)| r.has_request_fam(f));
            }
        } else {
            let mut fams = Vec::new();
            ctx.with_family_marks(|first_time| -> Result<(), SolveError> {
                for (e, s) in self.iter_variants() {
                    let r = e.requires(s)?;
                    common.retain(|&(_, f)| r.has_request_fam(f));
                    let all = r.request_fams.iter().chain(&r.conflict_fams);
                    fams.extend(all.copied().filter(|&f| first_time(f)));
                }
                Ok(())
            })?;
            fams.sort_unstable();
            let mut filter = FamFilter::default();
            fams.iter().for_each(|&f| filter.insert(f));
            let _ = self.any.set(Rc::new(AnyFams { fams, filter }));
        }
        Ok(self.fam_info.get_or_init(|| Rc::new(FamInfo { common })))
    }

    /// The next family to extract (its name and id), if any.
    fn next_extract(&self, ctx: &Context) -> Result<Option<&(Arc<str>, FamId)>, SolveError> {
        Ok(self.fam_info(ctx)?.common.get(self.extracted))
    }

    /// Whether `fam` has been extracted from this slice.
    fn is_extracted(&self, fam: FamId) -> bool {
        self.fam_info
            .get()
            .is_some_and(|info| info.common[..self.extracted].iter().any(|(_, f)| *f == fam))
    }

    pub fn extractable(&self, ctx: &Context) -> Result<bool, SolveError> {
        Ok(self.next_extract(ctx)?.is_some())
    }

    /// rez's `extract`: the smallest-named common dependency not yet
    /// extracted, with one range spanning every variant's.
    pub fn extract(&self, ctx: &Context) -> Result<Option<(Slice, Extraction)>, SolveError> {
        let Some((fam_name, fam)) = self.next_extract(ctx)? else {
            return Ok(None);
        };
        let fam = *fam;
        let range = match self.single.get(fam) {
            // every variant requires `fam` (it is common), all alike
            Some((key, pkg, slot, position)) => {
                let req = pkg.requires_of(slot)?.requirement(position);
                ctx.normalised_range(key, req.range().expect("non-conflict requirement"))
            }
            None => {
                let mut keys: Vec<u32> = Vec::new();
                let mut ranges: Vec<&VersionRange> = Vec::new();
                let mut first: Option<SingleKey> = None;
                for (e, s) in self.iter_variants() {
                    let requires = e.requires(s)?;
                    let (position, key) = requires.find_fam(fam).expect("common family present");
                    if keys.last() == Some(&key) || keys.contains(&key) {
                        continue;
                    }
                    keys.push(key);
                    first.get_or_insert_with(|| (key, e.pkg.clone(), s, position));
                    let req = requires.requirement(position);
                    ranges.push(req.range().expect("non-conflict requirement has a range"));
                }
                match (keys.as_slice(), first) {
                    ([key], Some(single)) => {
                        let range = ctx.normalised_range(*key, ranges[0]);
                        self.single.map.borrow_mut().insert(fam, single);
                        range
                    }
                    _ => VersionRange::union_all(ranges.iter().copied()),
                }
            }
        };
        let slice = Slice {
            name: self.name.clone(),
            entries: self.entries.clone(),
            extracted: self.extracted + 1,
            len: self.len,
            fam_info: self.fam_info.clone(),
            any: self.any.clone(),
            fam_keys: self.fam_keys.clone(),
            single: self.single.clone(),
            range: self.range.clone(),
            first: self.first.clone(),
        };
        let extraction = Extraction {
            fam,
            name: fam_name.clone(),
            range,
        };
        Ok(Some((slice, extraction)))
    }

    /// rez's `intersect`: drop versions outside `range`.
    pub fn intersect(&self, range: &VersionRange) -> Narrowed<Slice> {
        if range.is_any() {
            return Narrowed::Unchanged;
        }
        let entries: Vec<Entry> = in_range(&self.entries, |e| &e.pkg.version, range)
            .cloned()
            .collect();
        if entries.is_empty() {
            Narrowed::Empty
        } else if entries.len() < self.entries.len() {
            Narrowed::Changed(self.copy_with(entries))
        } else {
            Narrowed::Unchanged
        }
    }

    /// True when no variant can mention `fam`, so reducing by a request on
    /// it changes nothing (known once the family info has been computed).
    pub fn surely_ignores(&self, fam: FamId) -> bool {
        self.any
            .get()
            .is_some_and(|any| !any.filter.may_contain(fam))
    }

    /// The families some variant may require or conflict with (a sorted
    /// superset), once the family info is known; None before.
    pub fn mentioned_fams(&self) -> Option<&[FamId]> {
        self.any.get().map(|any| any.fams.as_slice())
    }

    /// The variants' requirements on `fam`, grouped by requirement.
    fn fam_keys(&self, fam: FamId) -> Result<Rc<FamKeys>, SolveError> {
        if let Some(k) = self.fam_keys.borrow().get(&fam) {
            return Ok(k.clone());
        }
        let mut keys: Vec<(u32, usize, usize, u32)> = Vec::new();
        let mut members = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            for &s in &e.slots {
                let Some((position, key)) = e.requires(s)?.find_fam(fam) else {
                    continue;
                };
                let k = match keys.iter().rposition(|k| k.0 == key) {
                    Some(k) => k,
                    None => {
                        keys.push((key, i, s, position));
                        keys.len() - 1
                    }
                };
                members.push((k, i, s));
            }
        }
        if let [(key, entry, slot, position)] = keys.as_slice() {
            let single = (*key, self.entries[*entry].pkg.clone(), *slot, *position);
            self.single.map.borrow_mut().insert(fam, single);
        }
        let fk = Rc::new(FamKeys { keys, members });
        self.fam_keys.borrow_mut().insert(fam, fk.clone());
        Ok(fk)
    }

    /// rez's `reduce_by`: drop variants whose requirements conflict with
    /// `request` (on family `fam`). The removals are returned only when
    /// nothing is left: that is when rez reports them.
    pub fn reduce_by(
        &self,
        ctx: &Context,
        fam: FamId,
        request: &impl ConflictTest,
    ) -> Result<(Narrowed<Slice>, Vec<Removed>), SolveError> {
        self.fam_info(ctx)?; // also sets `any`
        let any = self.any.get().expect("set with the family info");
        if !request.has_range() || any.fams.binary_search(&fam).is_err() {
            return Ok((Narrowed::Unchanged, Vec::new()));
        }
        // A requirement shared by all variants of an ancestor slice that does
        // not conflict: nothing to remove, no need to look at each variant.
        if !self.fam_keys.borrow().contains_key(&fam) {
            if let Some((_, pkg, slot, position)) = self.single.get(fam) {
                if !request.conflicted_by(pkg.requires_of(slot)?.requirement(position)) {
                    return Ok((Narrowed::Unchanged, Vec::new()));
                }
            }
        }
        let fk = self.fam_keys(fam)?;
        let requirement =
            |entry: usize, slot: usize, position: u32| -> Result<&Requirement, SolveError> {
                Ok(self.entries[entry].requires(slot)?.requirement(position))
            };
        let mut conflicting = Vec::with_capacity(fk.keys.len());
        for &(_, entry, slot, position) in &fk.keys {
            conflicting.push(request.conflicted_by(requirement(entry, slot, position)?));
        }
        if !conflicting.contains(&true) {
            return Ok((Narrowed::Unchanged, Vec::new()));
        }
        // (entry, slot) of every removed variant, in slice order
        let removed: Vec<(usize, usize)> = fk
            .members
            .iter()
            .filter(|m| conflicting[m.0])
            .map(|&(_, e, s)| (e, s))
            .collect();
        if removed.len() == self.len {
            let mut reductions = Vec::with_capacity(removed.len());
            for &(_, e, s) in fk.members.iter().filter(|m| conflicting[m.0]) {
                let (position, _) = self.entries[e].requires(s)?.find_fam(fam).expect("member");
                reductions.push(Removed {
                    pkg: self.entries[e].pkg.clone(),
                    slot: s,
                    dependency: requirement(e, s, position)?.clone(),
                });
            }
            return Ok((Narrowed::Empty, reductions));
        }
        // Rebuild the entries without the removed variants.
        let mut entries = Vec::with_capacity(self.entries.len());
        let mut gone = removed.iter().peekable();
        for (i, e) in self.entries.iter().enumerate() {
            let mut kept = Vec::with_capacity(e.slots.len());
            for &s in &e.slots {
                match gone.peek() {
                    Some(&&(gi, gs)) if gi == i && gs == s => {
                        gone.next();
                    }
                    _ => kept.push(s),
                }
            }
            if !kept.is_empty() {
                entries.push(Entry {
                    pkg: e.pkg.clone(),
                    slots: kept,
                });
            }
        }
        Ok((Narrowed::Changed(self.copy_with(entries)), Vec::new()))
    }

    /// rez's `split`: the preferred part (sharing a dependency) and the rest.
    pub fn split(&self, ctx: &Context) -> Result<(Slice, Slice), SolveError> {
        // rez sorts the entries here (`sort_versions`): descending, as they
        // are kept, unless an orderer applies to the family.
        let order = match ctx.has_orderer(&self.name) {
            true => {
                let versions: Vec<&str> = self
                    .entries
                    .iter()
                    .map(|e| e.pkg.version.as_str())
                    .collect();
                ctx.version_order(&self.name, &versions)?
            }
            false => None,
        };
        let entries: Vec<&Entry> = match &order {
            Some(order) => order.iter().map(|&i| &self.entries[i]).collect(),
            None => self.entries.iter().collect(),
        };
        let mut fams: Option<BTreeSet<FamId>> = None;
        if self.len > 2 {
            let first = entries[0];
            let slot = first.sorted_slots(ctx)?[0];
            let f: BTreeSet<FamId> = first
                .pkg
                .requires_of(slot)?
                .request_fams
                .iter()
                .filter(|&&f| !self.is_extracted(f))
                .copied()
                .collect();
            fams = Some(f);
        }
        let Some(mut fams) = fams.filter(|f| !f.is_empty()) else {
            return self.split_at(ctx, &entries, order.is_some(), 0, 1);
        };
        let mut prev: Option<(usize, usize)> = None;
        for (i, e) in entries.iter().enumerate() {
            for (j, s) in e.sorted_slots(ctx)?.into_iter().enumerate() {
                let r = e.requires(s)?;
                fams.retain(|&f| r.has_request_fam(f));
                if fams.is_empty() {
                    let (pi, pj) = prev.expect("first variant shares its own families");
                    return self.split_at(ctx, &entries, order.is_some(), pi, pj);
                }
                prev = Some((i, j + 1));
            }
        }
        Err(format!(
            "Unexpected solver error: common family(s) still in slice being split: {}",
            self.name
        ))
    }

    /// Splits after `n` variants of entry `i` of `entries` (this slice's
    /// entries in rez's order, `reordered` if an orderer changed it;
    /// variants in preference order).
    fn split_at(
        &self,
        ctx: &Context,
        entries: &[&Entry],
        reordered: bool,
        i: usize,
        n: usize,
    ) -> Result<(Slice, Slice), SolveError> {
        let e = entries[i];
        let mut first: Vec<Entry> = entries[..i].iter().map(|&e| e.clone()).collect();
        let mut rest: Vec<Entry> = Vec::new();
        if n < e.slots.len() {
            let sorted = e.sorted_slots(ctx)?;
            let mut head = sorted[..n].to_vec();
            let mut tail = sorted[n..].to_vec();
            head.sort_unstable();
            tail.sort_unstable();
            first.push(Entry {
                pkg: e.pkg.clone(),
                slots: head,
            });
            rest.push(Entry {
                pkg: e.pkg.clone(),
                slots: tail,
            });
        } else {
            first.push(e.clone());
        }
        rest.extend(entries[i + 1..].iter().map(|&e| e.clone()));
        // slices keep their entries descending (an orderer's order is
        // applied again at each split)
        if reordered {
            for part in [&mut first, &mut rest] {
                part.sort_by(|a, b| b.pkg.version.cmp(&a.pkg.version));
            }
        }
        Ok((self.copy_with(first), self.copy_with(rest)))
    }
}
