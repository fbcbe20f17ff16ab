//! rez's `Requirement` (`foo-1+<2`, `!foo`, `~foo-2`, `.eph`), its merge and
//! conflict rules, `RequirementList` and `VersionedObject`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::algebra::error::VersionError;
use crate::algebra::parse_memo::{new_memo, parse_memoised, Memo};
use crate::algebra::range::VersionRange;
use crate::algebra::version::Version;

/// A requirement, shared: the solver stores one per variant requirement of
/// every package it reads and copies them constantly, so a copy is a
/// reference count (and a stored list costs a pointer per requirement).
#[derive(Clone, Debug)]
pub struct Requirement(Arc<RequirementFields>);

/// What a [`Requirement`] holds (read through `Deref` inside this module).
#[derive(Clone, Debug)]
pub struct RequirementFields {
    name: Arc<str>,
    /// `None` only for weak requirements that constrain nothing (`~foo`).
    /// A weak requirement stores the inverse of its written range, as rez.
    range: Option<VersionRange>,
    /// Weak (`~`); a weak requirement is also a conflict.
    negate: bool,
    conflict: bool,
    /// The cosmetic name/range separator (`-`, `@` or `#`).
    sep: char,
}

impl std::ops::Deref for Requirement {
    type Target = RequirementFields;

    fn deref(&self) -> &RequirementFields {
        &self.0
    }
}

impl From<RequirementFields> for Requirement {
    fn from(fields: RequirementFields) -> Requirement {
        Requirement(Arc::new(fields))
    }
}

impl Requirement {
    /// Parses a requirement exactly as `rez.version.Requirement(s)`.
    pub fn parse(s: &str) -> Result<Requirement, VersionError> {
        thread_local! {
            static PARSED: Memo<Requirement> = new_memo();
        }
        parse_memoised(&PARSED, s, Requirement::parse_new)
    }

    fn parse_new(s: &str) -> Result<Requirement, VersionError> {
        let (rest, negate, conflict) = if let Some(r) = s.strip_prefix('!') {
            (r, false, true)
        } else if let Some(r) = s.strip_prefix('~') {
            (r, true, true)
        } else {
            (s, false, false)
        };
        let mut req = RequirementFields {
            name: Arc::from(""),
            range: None,
            negate,
            conflict,
            sep: '-',
        };
        match rest.find(['-', '@', '#', '=', '<', '>']) {
            Some(i) => {
                req.name = Arc::from(&rest[..i]);
                let mut range_str = &rest[i..];
                let first = range_str.as_bytes()[0];
                if matches!(first, b'-' | b'@' | b'#') {
                    req.sep = first as char;
                    range_str = &range_str[1..];
                }
                let invalid =
                    |e: VersionError| VersionError::new(format!("Invalid requirement '{s}': {e}"));
                let range = VersionRange::parse(range_str).map_err(invalid)?;
                req.range = if negate {
                    range.try_inverse().map_err(invalid)?
                } else {
                    Some(range)
                };
            }
            None => {
                req.name = Arc::from(rest);
                // '~foo' has no effect: rez gives it no range at all.
                req.range = (!negate).then(VersionRange::any);
            }
        }
        Ok(req.into())
    }

    /// rez's `Requirement.construct(name, range)`.
    pub fn construct(name: &str, range: Option<VersionRange>) -> Requirement {
        RequirementFields {
            name: Arc::from(name),
            range: Some(range.unwrap_or_else(VersionRange::any)),
            negate: false,
            conflict: false,
            sep: '-',
        }
        .into()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stored range (for a weak requirement, the inverse of the written one).
    pub fn range(&self) -> Option<&VersionRange> {
        self.range.as_ref()
    }

    pub fn conflict(&self) -> bool {
        self.conflict
    }

    pub fn weak(&self) -> bool {
        self.negate
    }

    /// Ephemeral requirements name a package-less flag, written `.name`.
    pub fn ephemeral(&self) -> bool {
        self.name.starts_with('.')
    }

    pub fn conflicts_with(&self, other: &Requirement) -> bool {
        let (Some(a), Some(b)) = (&self.range, &other.range) else {
            return false;
        };
        if self.name != other.name {
            false
        } else if self.conflict {
            !other.conflict && a.issuperset(b)
        } else if other.conflict {
            b.issuperset(a)
        } else {
            !a.intersects(b)
        }
    }

    pub fn conflicts_with_object(&self, other: &VersionedObject) -> bool {
        let Some(range) = &self.range else {
            return false;
        };
        if *self.name != *other.name {
            return false;
        }
        range.contains_version(&other.version) == self.conflict
    }

    /// A copy carrying this requirement's flags and a new range.
    fn with_range(&self, range: VersionRange) -> RequirementFields {
        RequirementFields {
            name: self.name.clone(),
            range: Some(range),
            negate: self.negate,
            conflict: self.conflict,
            sep: self.sep,
        }
    }

    /// rez's `Requirement.merged`: `None` when the two cannot both hold (or
    /// name different objects), and rez's "Invalid bound" error where rez
    /// raises it (subtracting a range whose inverse rez cannot build).
    pub fn try_merged(&self, other: &Requirement) -> Result<Option<Requirement>, VersionError> {
        self.merged_with(other, VersionRange::try_subtract)
    }

    /// `try_merged` for callers that cannot fail, using the infallible
    /// `VersionRange::subtract` where rez would raise.
    pub fn merged(&self, other: &Requirement) -> Option<Requirement> {
        self.merged_with(other, |a, b| Ok(a.subtract(b)))
            .unwrap_or(None)
    }

    fn merged_with(
        &self,
        other: &Requirement,
        subtract: impl Fn(&VersionRange, &VersionRange) -> Result<Option<VersionRange>, VersionError>,
    ) -> Result<Option<Requirement>, VersionError> {
        if self.name != other.name {
            return Ok(None);
        }
        let (a, b) = match (&self.range, &other.range) {
            (None, _) => return Ok(Some(other.clone())),
            (_, None) => return Ok(Some(self.clone())),
            (Some(a), Some(b)) => (a, b),
        };
        Ok(if self.conflict {
            if other.conflict {
                let mut r = self.with_range(a.union(b));
                r.negate =
                    self.negate && other.negate && !r.range.as_ref().is_some_and(|x| x.is_any());
                Some(r.into())
            } else {
                subtract(b, a)?.map(|range| other.with_range(range).into())
            }
        } else if other.conflict {
            subtract(a, b)?.map(|range| self.with_range(range).into())
        } else {
            a.intersection(b).map(|range| self.with_range(range).into())
        })
    }

    /// rez's `str(requirement)`, which fails where rez's does: printing a weak
    /// requirement inverts its stored range, and rez raises "Invalid bound"
    /// when that range (a union of two weak ranges) has touching bounds.
    pub fn try_to_string(&self) -> Result<String, VersionError> {
        if self.negate {
            if let Some(range) = &self.range {
                range.try_inverse()?;
            }
        }
        Ok(self.to_string())
    }
}

impl PartialEq for Requirement {
    fn eq(&self, other: &Requirement) -> bool {
        self.name == other.name && self.range == other.range && self.conflict == other.conflict
    }
}

impl Eq for Requirement {}

impl Hash for Requirement {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.range.hash(state);
        self.conflict.hash(state);
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pre = if self.negate {
            "~"
        } else if self.conflict {
            "!"
        } else {
            ""
        };
        let shown = if self.negate || self.range.is_none() {
            self.range
                .as_ref()
                .and_then(VersionRange::inverse)
                .unwrap_or_else(VersionRange::any)
        } else {
            self.range.clone().unwrap_or_else(VersionRange::any)
        };
        write!(f, "{pre}{}", self.name)?;
        if !shown.is_any() {
            let range_str = shown.to_string();
            if !range_str.starts_with(['=', '<', '>']) {
                write!(f, "{}", self.sep)?;
            }
            f.write_str(&range_str)?;
        }
        Ok(())
    }
}

/// A name with an exact version (`foo-1.0`), rez's `VersionedObject`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VersionedObject {
    pub name: String,
    pub version: Version,
    pub sep: char,
}

impl VersionedObject {
    pub fn parse(s: &str) -> Result<VersionedObject, VersionError> {
        match s.find(['-', '@', '#']) {
            Some(i) => Ok(VersionedObject {
                name: s[..i].to_string(),
                version: Version::parse(&s[i + 1..])?,
                sep: s.as_bytes()[i] as char,
            }),
            None => Ok(VersionedObject {
                name: s.to_string(),
                version: Version::empty(),
                sep: '-',
            }),
        }
    }
}

impl fmt::Display for VersionedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.version.is_truthy() {
            write!(f, "{}{}{}", self.name, self.sep, self.version)
        } else {
            f.write_str(&self.name)
        }
    }
}

/// rez's `RequirementList`: requirements merged per name, in first-seen order,
/// or the first pair that cannot be merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequirementList {
    requirements: Vec<Requirement>,
    /// Boxed: rare, and a list is stored per variant of every package.
    conflict: Option<Box<(Requirement, Requirement)>>,
}

impl RequirementList {
    /// rez's `RequirementList(reqs)`, failing where rez's constructor does
    /// (a merge that raises, see `Requirement::try_merged`).
    pub fn try_new(reqs: &[Requirement]) -> Result<RequirementList, VersionError> {
        Self::build(reqs, Requirement::try_merged)
    }

    /// `try_new` for callers that cannot fail, merging with the infallible
    /// `Requirement::merged`.
    pub fn new(reqs: &[Requirement]) -> RequirementList {
        Self::build(reqs, |a, b| Ok(a.merged(b))).unwrap_or_else(|_| RequirementList {
            requirements: Vec::new(),
            conflict: None,
        })
    }

    fn build(
        reqs: &[Requirement],
        merge: impl Fn(&Requirement, &Requirement) -> Result<Option<Requirement>, VersionError>,
    ) -> Result<RequirementList, VersionError> {
        let mut merged: Vec<Requirement> = Vec::with_capacity(reqs.len());
        for req in reqs {
            match merged.iter_mut().find(|m| m.name == req.name) {
                None => merged.push(req.clone()),
                Some(existing) => match merge(existing, req)? {
                    Some(m) => *existing = m,
                    None => {
                        return Ok(RequirementList {
                            requirements: Vec::new(),
                            conflict: Some(Box::new((existing.clone(), req.clone()))),
                        })
                    }
                },
            }
        }
        // `merged` is already in first-seen order of names.
        Ok(RequirementList {
            requirements: merged,
            conflict: None,
        })
    }

    /// rez's `str(list)`, failing where printing one of its requirements does
    /// (see `Requirement::try_to_string`).
    pub fn try_to_string(&self) -> Result<String, VersionError> {
        if let Some((a, b)) = self.conflict.as_deref() {
            a.try_to_string()?;
            b.try_to_string()?;
        }
        for r in &self.requirements {
            r.try_to_string()?;
        }
        Ok(self.to_string())
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    pub fn conflict(&self) -> Option<&(Requirement, Requirement)> {
        self.conflict.as_deref()
    }

    /// Names of the non-conflict requirements.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.requirements
            .iter()
            .filter(|r| !r.conflict)
            .map(|r| r.name())
    }

    /// Names of the conflict (and weak) requirements.
    pub fn conflict_names(&self) -> impl Iterator<Item = &str> {
        self.requirements
            .iter()
            .filter(|r| r.conflict)
            .map(|r| r.name())
    }
}

impl fmt::Display for RequirementList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((a, b)) = self.conflict.as_deref() {
            return write!(f, "{a} <--!--> {b}");
        }
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Requirement {
        Requirement::parse(s).unwrap()
    }

    #[test]
    fn round_trips() {
        for (input, shown) in [
            ("foo", "foo"),
            ("foo-1.0", "foo-1.0"),
            ("foo@1.0", "foo@1.0"),
            ("foo<3", "foo<3"),
            ("foo==1.0.1", "foo==1.0.1"),
            ("!foo", "!foo"),
            ("!foo-2", "!foo-2"),
            ("~foo", "~foo"),
            ("~foo-2+", "~foo-2+"),
            (".eph-1", ".eph-1"),
            ("foo-1+<2|3", "foo-1+<2|3"),
        ] {
            assert_eq!(req(input).to_string(), shown, "{input}");
        }
        assert!(req("~foo").range().is_none());
        assert!(req("~foo-2").weak() && req("~foo-2").conflict());
        assert!(req(".eph").ephemeral());
    }

    #[test]
    fn merge_rules() {
        let m = |a: &str, b: &str| req(a).merged(&req(b)).map(|r| r.to_string());
        assert_eq!(m("foo-3+", "!foo-5+").as_deref(), Some("foo-3+<5"));
        assert_eq!(m("foo-1", "foo-1.5").as_deref(), Some("foo-1.5"));
        assert_eq!(m("!foo-2", "!foo-5").as_deref(), Some("!foo-2|5"));
        assert_eq!(m("foo-4", "foo-6"), None);
    }

    #[test]
    fn conflicts() {
        assert!(req("foo-1").conflicts_with(&req("foo-2")));
        assert!(!req("foo-1").conflicts_with(&req("foo-1.5")));
        assert!(req("!foo-1").conflicts_with(&req("foo-1.5")));
        assert!(!req("!foo-1").conflicts_with(&req("!foo-1.5")));
        let obj = VersionedObject::parse("foo-1.5").unwrap();
        assert!(req("!foo-1").conflicts_with_object(&obj));
        assert!(req("foo-2").conflicts_with_object(&obj));
        assert!(!req("foo-1").conflicts_with_object(&obj));
    }

    #[test]
    fn requirement_list() {
        let list = RequirementList::new(&[req("foo-1+"), req("bar"), req("foo<3")]);
        assert_eq!(list.to_string(), "foo-1+<3 bar");
        let bad = RequirementList::new(&[req("foo-1"), req("foo-2")]);
        assert_eq!(bad.to_string(), "foo-1 <--!--> foo-2");
    }

    #[test]
    fn fails_where_rez_raises_invalid_bound() {
        // rez's union leaves "<=2.0" and ">2.0" split here; inverting fails.
        assert!(Requirement::parse("~foo-0|><=2.0|>2.0").is_err());
        let touching = req("!foo-0|><=2.0|>2.0");
        assert!(req("foo-1").try_merged(&touching).is_err());
        assert!(RequirementList::try_new(&[req("foo-1"), touching]).is_err());
        // Two weak requirements whose union has touching bounds: the merge
        // works, printing it (which inverts the range) fails, as in rez.
        let weak = req("~foo>2").try_merged(&req("~foo<1|1.5..2")).unwrap();
        let weak = weak.unwrap();
        assert_eq!(weak.range().unwrap().to_string(), "<=2|>2");
        assert!(weak.try_to_string().is_err());
        let list = RequirementList::try_new(&[req("~foo>2"), req("~foo<1|1.5..2")]).unwrap();
        assert!(list.try_to_string().is_err());
    }
}
