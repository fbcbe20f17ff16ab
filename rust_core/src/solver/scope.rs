//! rez's `_PackageScope`: what one family (or conflict, or ephemeral) may
//! still be in a phase.

use std::rc::Rc;
use std::sync::Arc;

use super::context::{Context, SolveError};
use super::failure::Reduction;
use super::request::ScopeRequest;
use super::slice::{Extraction, Narrowed, Slice};
use crate::algebra::range::VersionRange;
use crate::algebra::requirement::Requirement;
use crate::package::names::FamId;
use crate::package::Package;

/// A scope is shared between phases (a phase copies its list of scopes at
/// every step), so it is one reference-counted allocation.
#[derive(Clone)]
pub struct Scope(Rc<ScopeData>);

impl std::ops::Deref for Scope {
    type Target = ScopeData;

    fn deref(&self) -> &ScopeData {
        &self.0
    }
}

#[derive(Clone)]
pub struct ScopeData {
    pub name: Rc<str>,
    pub fam: FamId,
    pub slice: Option<Rc<Slice>>,
    /// rez's `package_request`: the request for a conflict or ephemeral
    /// scope, else `name==v1|==v2...` over the slice's versions.
    pub request: ScopeRequest,
    pub is_ephemeral: bool,
}

/// Which requests may reduce a scope: none, those on one of some families
/// (sorted), or any (not known yet).
pub enum Mentions<'s> {
    Nothing,
    Fams(&'s [FamId]),
    Unknown,
}

/// rez's `PackageNotFoundError` text.
pub fn package_not_found(name: &str, range: Option<&VersionRange>) -> String {
    format!(
        "Package could not be found: {}",
        Requirement::construct(name, range.cloned())
    )
}

/// The slice of `name` within `range`, or None if no version is in it.
fn variant_slice(
    ctx: &Context,
    name: &str,
    range: &VersionRange,
) -> Result<Option<Slice>, SolveError> {
    let pkgs = ctx.families.borrow_mut().packages_in(name, range)?;
    Ok(Slice::from_packages(name, pkgs))
}

impl From<ScopeData> for Scope {
    fn from(data: ScopeData) -> Scope {
        Scope(Rc::new(data))
    }
}

impl Scope {
    pub fn new(ctx: &Context, request: &Requirement) -> Result<Scope, SolveError> {
        let is_ephemeral = request.ephemeral();
        if request.conflict() || is_ephemeral {
            return Ok(Scope::from(ScopeData {
                name: request.name().into(),
                fam: FamId::of(request.name()),
                slice: None,
                request: ScopeRequest::Given(Rc::new(request.clone())),
                is_ephemeral,
            }));
        }
        let range = request
            .range()
            .expect("non-conflict requirement has a range");
        match variant_slice(ctx, request.name(), range)? {
            None => Err(package_not_found(request.name(), Some(range))),
            Some(slice) => Ok(Scope::with_slice(
                request.name().into(),
                FamId::of(request.name()),
                slice,
            )),
        }
    }

    fn with_slice(name: Rc<str>, fam: FamId, slice: Slice) -> Scope {
        let slice = Rc::new(slice);
        Scope::from(ScopeData {
            request: ScopeRequest::Versions {
                name: name.clone(),
                slice: slice.clone(),
            },
            name,
            fam,
            slice: Some(slice),
            is_ephemeral: false,
        })
    }

    /// The slice of a scope that holds variants (not a conflict or an
    /// ephemeral): what extraction, reduction and splitting work on.
    fn variants(&self) -> Option<&Rc<Slice>> {
        self.slice
            .as_ref()
            .filter(|_| !self.is_conflict() && !self.is_ephemeral)
    }

    pub fn is_conflict(&self) -> bool {
        self.request.conflict()
    }

    pub fn intersect(
        &self,
        ctx: &Context,
        range: &VersionRange,
    ) -> Result<Narrowed<Scope>, SolveError> {
        if self.is_ephemeral {
            let ScopeRequest::Given(own_req) = &self.request else {
                unreachable!("an ephemeral scope keeps its request")
            };
            let own = own_req.range();
            let new_range = if self.is_conflict() {
                let own = own.ok_or("'NoneType' object has no attribute 'inverse'")?;
                range.try_subtract(own).map_err(|e| e.to_string())?
            } else {
                own.and_then(|o| range.intersection(o))
            };
            return Ok(match new_range {
                None => Narrowed::Empty,
                Some(r) if Some(&r) == own => Narrowed::Unchanged,
                Some(r) => Narrowed::Changed(Scope::from(ScopeData {
                    request: ScopeRequest::Given(Rc::new(Requirement::construct(
                        &self.name,
                        Some(r),
                    ))),
                    ..(*self.0).clone()
                })),
            });
        }
        let new_slice = if self.is_conflict() {
            let ScopeRequest::Given(own_req) = &self.request else {
                unreachable!("a conflict scope keeps its request")
            };
            let wanted = match own_req.range() {
                None => Some(range.clone()),
                Some(own) => range.try_subtract(own).map_err(|e| e.to_string())?,
            };
            match wanted {
                Some(r) => variant_slice(ctx, &self.name, &r)?,
                None => None,
            }
        } else {
            match self
                .slice
                .as_ref()
                .expect("non-conflict scope has a slice")
                .intersect(range)
            {
                Narrowed::Unchanged => return Ok(Narrowed::Unchanged),
                Narrowed::Empty => None,
                Narrowed::Changed(s) => Some(s),
            }
        };
        Ok(match new_slice {
            None => Narrowed::Empty,
            Some(s) => Narrowed::Changed(Scope::with_slice(self.name.clone(), self.fam, s)),
        })
    }

    pub fn reduce_by(
        &self,
        ctx: &Context,
        fam: FamId,
        request: &ScopeRequest,
    ) -> Result<(Narrowed<Scope>, Vec<Reduction>), SolveError> {
        let Some(slice) = self.variants() else {
            return Ok((Narrowed::Unchanged, Vec::new()));
        };
        let (narrowed, removed) = slice.reduce_by(ctx, fam, request)?;
        let reductions = removed
            .into_iter()
            .map(|r| Reduction {
                pkg: r.pkg,
                slot: r.slot,
                dependency: r.dependency,
                conflicting_request: request.clone(),
            })
            .collect();
        let narrowed = match narrowed {
            Narrowed::Unchanged => Narrowed::Unchanged,
            Narrowed::Empty => Narrowed::Empty,
            Narrowed::Changed(s) => {
                Narrowed::Changed(Scope::with_slice(self.name.clone(), self.fam, s))
            }
        };
        Ok((narrowed, reductions))
    }

    /// True when reducing this scope by a request on `fam` surely changes
    /// nothing (a cheap filter before `reduce_by`).
    pub fn surely_unreduced_by(&self, fam: FamId) -> bool {
        self.is_conflict()
            || self.is_ephemeral
            || self.slice.as_ref().is_some_and(|s| s.surely_ignores(fam))
    }

    /// The families a request must be on to possibly reduce this scope
    /// (what `surely_unreduced_by` tests, as a list).
    pub fn mentions(&self) -> Mentions<'_> {
        if self.is_conflict() || self.is_ephemeral {
            return Mentions::Nothing;
        }
        match self.slice.as_ref().and_then(|s| s.mentioned_fams()) {
            Some(fams) => Mentions::Fams(fams),
            None => Mentions::Unknown,
        }
    }

    pub fn extract(&self, ctx: &Context) -> Result<Option<(Scope, Extraction)>, SolveError> {
        let Some(slice) = self.variants() else {
            return Ok(None);
        };
        Ok(slice.extract(ctx)?.map(|(s, extraction)| {
            let scope = Scope::from(ScopeData {
                slice: Some(Rc::new(s)),
                ..(*self.0).clone()
            });
            (scope, extraction)
        }))
    }

    pub fn split(&self, ctx: &Context) -> Result<Option<(Scope, Scope)>, SolveError> {
        let Some(slice) = self.variants() else {
            return Ok(None);
        };
        if slice.len() == 1 {
            return Ok(None);
        }
        let (a, b) = slice.split(ctx)?;
        Ok(Some((
            Scope::with_slice(self.name.clone(), self.fam, a),
            Scope::with_slice(self.name.clone(), self.fam, b),
        )))
    }

    pub fn is_solved(&self, ctx: &Context) -> Result<bool, SolveError> {
        if self.is_conflict() || self.is_ephemeral {
            return Ok(true);
        }
        let slice = self.slice.as_ref().expect("non-conflict scope has a slice");
        Ok(slice.len() == 1 && !slice.extractable(ctx)?)
    }

    pub fn solved_variant(
        &self,
        ctx: &Context,
    ) -> Result<Option<(Arc<Package>, usize)>, SolveError> {
        match &self.slice {
            Some(slice) if slice.len() == 1 && !slice.extractable(ctx)? => {
                Ok(Some(slice.first_variant(ctx)?))
            }
            _ => Ok(None),
        }
    }

    pub fn solved_ephemeral(&self) -> Option<&Requirement> {
        match &self.request {
            ScopeRequest::Given(r) if self.is_ephemeral && !r.conflict() => Some(r),
            _ => None,
        }
    }
}
