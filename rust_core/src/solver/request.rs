//! rez's `_PackageScope.package_request`. For a scope holding variants it is
//! `name==v1|==v2|...` over the slice's versions; that requirement is only
//! built when printed, and conflict tests against it run on the versions.

use std::fmt;
use std::rc::Rc;

use super::slice::{ConflictTest, Slice};
use crate::algebra::requirement::Requirement;

#[derive(Clone)]
pub enum ScopeRequest {
    /// The request itself (conflict and ephemeral scopes).
    Given(Rc<Requirement>),
    /// Exactly the versions of a slice.
    Versions { name: Rc<str>, slice: Rc<Slice> },
}

impl ScopeRequest {
    pub fn conflict(&self) -> bool {
        match self {
            ScopeRequest::Given(r) => r.conflict(),
            ScopeRequest::Versions { .. } => false,
        }
    }

    pub fn to_requirement(&self) -> Requirement {
        match self {
            ScopeRequest::Given(r) => (**r).clone(),
            ScopeRequest::Versions { name, slice } => {
                Requirement::construct(name, Some(slice.range().clone()))
            }
        }
    }
}

impl ConflictTest for ScopeRequest {
    /// False only for a weak request that constrains nothing (`~foo`).
    fn has_range(&self) -> bool {
        match self {
            ScopeRequest::Given(r) => r.range().is_some(),
            ScopeRequest::Versions { .. } => true,
        }
    }

    /// rez's `req.conflicts_with(self)` for a requirement on the same family.
    fn conflicted_by(&self, req: &Requirement) -> bool {
        match self {
            ScopeRequest::Given(r) => req.conflicts_with(r),
            ScopeRequest::Versions { slice, .. } => match req.range() {
                None => false,
                // A conflict requirement clashes when it covers every version.
                Some(range) if req.conflict() => slice.all_versions_in(range),
                Some(range) => !slice.any_version_in(range),
            },
        }
    }
}

impl fmt::Display for ScopeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeRequest::Given(r) => write!(f, "{r}"),
            ScopeRequest::Versions { .. } => write!(f, "{}", self.to_requirement()),
        }
    }
}
