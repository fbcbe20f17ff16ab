//! rez's `_PackageEntry` and `_PackageVariantSlice`: the variants of one
//! family still possible in a phase, with extraction, intersection,
//! reduction and splitting.
//!
//! Entries are kept in descending version order from the start (rez sorts
//! them before the first split, and nothing before a split depends on their
//! order); variants inside an entry are kept in slot order and put in rez's
//! preference order where the order matters.

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

use super::context::{Context, SolveError};
use super::failure::Reduction;
use super::request::ScopeRequest;
use crate::bound::{Bound, LowerBound, UpperBound};
use crate::names::FamId;
use crate::package::{Package, VariantRequires};
use crate::range::VersionRange;
use crate::requirement::Requirement;

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
    /// Families any variant requires or conflicts with, sorted.
    any: Vec<FamId>,
    /// `FamId::bit` of every family in `any`: a quick "surely not" filter.
    any_mask: u64,
}

pub struct Slice {
    pub name: Rc<str>,
    pub entries: Rc<Vec<Entry>>,
    extracted: Rc<BTreeSet<FamId>>,
    len: usize,
    fam_info: OnceCell<FamInfo>,
    range: OnceCell<VersionRange>,
    /// Position in `fam_info.common` of the next family to extract, if any.
    next_extract: OnceCell<Option<usize>>,
    first: OnceCell<(Arc<Package>, usize)>,
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
        Some(Slice::with_entries(
            name.into(),
            entries,
            Rc::new(BTreeSet::new()),
        ))
    }

    fn with_entries(name: Rc<str>, entries: Vec<Entry>, extracted: Rc<BTreeSet<FamId>>) -> Slice {
        let len = entries.iter().map(|e| e.slots.len()).sum();
        Slice {
            name,
            entries: Rc::new(entries),
            extracted,
            len,
            fam_info: OnceCell::new(),
            range: OnceCell::new(),
            next_extract: OnceCell::new(),
            first: OnceCell::new(),
        }
    }

    /// rez's `_copy`: new entries, and (as in rez) no extracted families.
    fn copy_with(&self, entries: Vec<Entry>) -> Slice {
        Slice::with_entries(self.name.clone(), entries, Rc::new(BTreeSet::new()))
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
        let mut common: Vec<FamId> = pkg.requires_of(slot)?.request_fams.clone();
        let mut any = Vec::new();
        for (e, s) in self.iter_variants() {
            let r = e.requires(s)?;
            common.retain(|&f| r.has_request_fam(f));
            any.extend(r.request_fams.iter().copied());
            any.extend(r.conflict_fams.iter().copied());
        }
        any.sort_unstable();
        any.dedup();
        let mut common: Vec<(Arc<str>, FamId)> =
            common.into_iter().map(|f| (f.name(), f)).collect();
        common.sort_unstable();
        let any_mask = any.iter().fold(0, |m, f| m | f.bit());
        Ok(self.fam_info.get_or_init(|| FamInfo {
            common,
            any,
            any_mask,
        }))
    }

    /// The next family to extract (its name and id), if any.
    fn next_extract(&self, ctx: &Context) -> Result<Option<&(Arc<str>, FamId)>, SolveError> {
        let info = self.fam_info(ctx)?;
        let pos = self.next_extract.get_or_init(|| {
            info.common
                .iter()
                .position(|(_, f)| !self.extracted.contains(f))
        });
        Ok(pos.map(|i| &info.common[i]))
    }

    pub fn extractable(&self, ctx: &Context) -> Result<bool, SolveError> {
        Ok(self.next_extract(ctx)?.is_some())
    }

    /// rez's `extract`: the smallest-named common dependency not yet
    /// extracted, as one requirement spanning every variant's range.
    pub fn extract(&self, ctx: &Context) -> Result<Option<(Slice, Requirement)>, SolveError> {
        let Some((fam_name, fam)) = self.next_extract(ctx)? else {
            return Ok(None);
        };
        let fam = *fam;
        let mut seen: Vec<u32> = Vec::new();
        let mut ranges: Vec<&VersionRange> = Vec::new();
        for (e, s) in self.iter_variants() {
            let (req, key) = e.requires(s)?.get_fam(fam).expect("common family present");
            if seen.last() == Some(&key) || seen.contains(&key) {
                continue;
            }
            seen.push(key);
            ranges.push(req.range().expect("non-conflict requirement has a range"));
        }
        let range = VersionRange::union_all(ranges.iter().copied());
        let mut extracted = (*self.extracted).clone();
        extracted.insert(fam);
        let slice = Slice {
            name: self.name.clone(),
            entries: self.entries.clone(),
            extracted: Rc::new(extracted),
            len: self.len,
            fam_info: self.fam_info.clone_info(),
            range: self.range.clone(),
            next_extract: OnceCell::new(),
            first: self.first.clone(),
        };
        Ok(Some((slice, Requirement::construct(fam_name, Some(range)))))
    }

    /// rez's `intersect`: drop versions outside `range`.
    pub fn intersect(&self, range: &VersionRange) -> Narrowed<Slice> {
        if range.is_any() {
            return Narrowed::Unchanged;
        }
        let entries: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| range.contains_version(&e.pkg.version))
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
    #[inline]
    pub fn surely_ignores(&self, fam: FamId) -> bool {
        self.fam_info
            .get()
            .is_some_and(|info| info.any_mask & fam.bit() == 0)
    }

    /// rez's `reduce_by`: drop variants whose requirements conflict with
    /// `request` (on family `fam`), recording each removal.
    pub fn reduce_by(
        &self,
        ctx: &Context,
        fam: FamId,
        request: &ScopeRequest,
    ) -> Result<(Narrowed<Slice>, Vec<Reduction>), SolveError> {
        if !request.has_range() || self.fam_info(ctx)?.any.binary_search(&fam).is_err() {
            return Ok((Narrowed::Unchanged, Vec::new()));
        }
        // Variants often share requirements: test each distinct one once.
        let mut tested: Vec<(u32, bool)> = Vec::new();
        let mut reductions = Vec::new();
        for e in self.entries.iter() {
            for &s in &e.slots {
                let Some((req, key)) = e.requires(s)?.get_fam(fam) else {
                    continue;
                };
                let conflicts = match tested.iter().find(|(k, _)| *k == key) {
                    Some(&(_, c)) => c,
                    None => {
                        let c = request.conflicted_by(req);
                        tested.push((key, c));
                        c
                    }
                };
                if conflicts {
                    reductions.push(Reduction {
                        pkg: e.pkg.clone(),
                        slot: s,
                        dependency: req.clone(),
                        conflicting_request: request.clone(),
                    });
                }
            }
        }
        if reductions.is_empty() {
            return Ok((Narrowed::Unchanged, reductions));
        }
        // Rebuild the entries without the reduced variants.
        let mut entries = Vec::new();
        let mut removed = reductions.iter().peekable();
        for e in self.entries.iter() {
            let mut kept = Vec::with_capacity(e.slots.len());
            for &s in &e.slots {
                match removed.peek() {
                    Some(r) if Arc::ptr_eq(&r.pkg, &e.pkg) && r.slot == s => {
                        removed.next();
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
        let narrowed = if entries.is_empty() {
            Narrowed::Empty
        } else {
            Narrowed::Changed(self.copy_with(entries))
        };
        Ok((narrowed, reductions))
    }

    /// rez's `split`: the preferred part (sharing a dependency) and the rest.
    pub fn split(&self, ctx: &Context) -> Result<(Slice, Slice), SolveError> {
        let mut fams: Option<BTreeSet<FamId>> = None;
        if self.len > 2 {
            let (pkg, slot) = self.first_variant(ctx)?;
            let f: BTreeSet<FamId> = pkg
                .requires_of(slot)?
                .request_fams
                .iter()
                .filter(|f| !self.extracted.contains(*f))
                .copied()
                .collect();
            fams = Some(f);
        }
        let Some(mut fams) = fams.filter(|f| !f.is_empty()) else {
            return self.split_at(ctx, 0, 1);
        };
        let mut prev: Option<(usize, usize)> = None;
        for (i, e) in self.entries.iter().enumerate() {
            for (j, s) in e.sorted_slots(ctx)?.into_iter().enumerate() {
                let r = e.requires(s)?;
                fams.retain(|&f| r.has_request_fam(f));
                if fams.is_empty() {
                    let (pi, pj) = prev.expect("first variant shares its own families");
                    return self.split_at(ctx, pi, pj);
                }
                prev = Some((i, j + 1));
            }
        }
        Err(format!(
            "Unexpected solver error: common family(s) still in slice being split: {}",
            self.name
        ))
    }

    /// Splits after `n` variants of entry `i` (variants in preference order).
    fn split_at(&self, ctx: &Context, i: usize, n: usize) -> Result<(Slice, Slice), SolveError> {
        let e = &self.entries[i];
        let mut first: Vec<Entry> = self.entries[..i].to_vec();
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
        rest.extend(self.entries[i + 1..].iter().cloned());
        Ok((self.copy_with(first), self.copy_with(rest)))
    }
}

/// `OnceCell<FamInfo>` is not `Clone`; a shallow slice copy keeps the info.
trait CloneInfo {
    fn clone_info(&self) -> Self;
}

impl CloneInfo for OnceCell<FamInfo> {
    fn clone_info(&self) -> Self {
        let cell = OnceCell::new();
        if let Some(info) = self.get() {
            let _ = cell.set(FamInfo {
                common: info.common.clone(),
                any: info.any.clone(),
                any_mask: info.any_mask,
            });
        }
        cell
    }
}
