//! The contiguous pieces a version range is made of: lower bound, upper bound,
//! and the bound pair, with rez's ordering, containment and printing rules.
//!
//! Where rez picks one of two equal bounds (`max`/`min` keep the first
//! argument unless the second is strictly better), these helpers do the same:
//! equal bounds may carry versions with different separators, and `str()`
//! must print the one rez keeps.

use std::cmp::Ordering;
use std::fmt;

use crate::algebra::error::VersionError;
use crate::algebra::version::Version;

/// Python's `max(a, b)`: `b` only if it is strictly greater.
pub fn py_max<T: Ord>(a: T, b: T) -> T {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: `b` only if it is strictly smaller.
pub fn py_min<T: Ord>(a: T, b: T) -> T {
    if b < a {
        b
    } else {
        a
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LowerBound {
    pub version: Version,
    pub inclusive: bool,
}

impl LowerBound {
    /// The lowest bound: the empty version, inclusive.
    pub fn min() -> LowerBound {
        LowerBound {
            version: Version::empty(),
            inclusive: true,
        }
    }

    pub fn is_min(&self) -> bool {
        self.inclusive && self.version.is_empty() && !self.version.is_inf()
    }

    pub fn contains_version(&self, v: &Version) -> bool {
        *v > self.version || (self.inclusive && *v == self.version)
    }
}

impl Ord for LowerBound {
    /// At equal versions, an inclusive lower bound sorts first.
    fn cmp(&self, other: &LowerBound) -> Ordering {
        self.version
            .cmp(&other.version)
            .then_with(|| other.inclusive.cmp(&self.inclusive))
    }
}

impl PartialOrd for LowerBound {
    fn partial_cmp(&self, other: &LowerBound) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for LowerBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.version.is_truthy(), self.inclusive) {
            (true, true) => write!(f, "{}+", self.version),
            (true, false) => write!(f, ">{}", self.version),
            (false, true) => Ok(()),
            (false, false) => f.write_str(">"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UpperBound {
    pub version: Version,
    pub inclusive: bool,
}

impl UpperBound {
    /// rez refuses `<''`: nothing is below the empty version.
    pub fn new(version: Version, inclusive: bool) -> Result<UpperBound, VersionError> {
        if !version.is_truthy() && !inclusive {
            return Err(VersionError::new(format!(
                "Invalid upper bound: '<{version}'"
            )));
        }
        Ok(UpperBound { version, inclusive })
    }

    /// The open upper end: `Version.inf`, inclusive.
    pub fn inf() -> UpperBound {
        UpperBound {
            version: Version::inf(),
            inclusive: true,
        }
    }

    pub fn is_inf(&self) -> bool {
        self.inclusive && self.version.is_inf()
    }

    pub fn contains_version(&self, v: &Version) -> bool {
        *v < self.version || (self.inclusive && *v == self.version)
    }
}

impl Ord for UpperBound {
    /// At equal versions, an exclusive upper bound sorts first.
    fn cmp(&self, other: &UpperBound) -> Ordering {
        self.version
            .cmp(&other.version)
            .then_with(|| self.inclusive.cmp(&other.inclusive))
    }
}

impl PartialOrd for UpperBound {
    fn partial_cmp(&self, other: &UpperBound) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for UpperBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.inclusive { "<=" } else { "<" };
        write!(f, "{op}{}", self.version)
    }
}

/// True when `lower..upper` holds at least one version.
fn non_empty(lower: &LowerBound, upper: &UpperBound) -> bool {
    lower.version < upper.version
        || (lower.version == upper.version && lower.inclusive && upper.inclusive)
}

/// One contiguous range of versions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bound {
    pub lower: LowerBound,
    pub upper: UpperBound,
}

impl Bound {
    /// Builds a bound, refusing an empty one (`3+<2`) as rez does.
    pub fn new(lower: LowerBound, upper: UpperBound) -> Result<Bound, VersionError> {
        if !non_empty(&lower, &upper) {
            return Err(VersionError::new("Invalid bound"));
        }
        Ok(Bound { lower, upper })
    }

    /// A bound whose validity the caller has established.
    pub(crate) fn new_unchecked(lower: LowerBound, upper: UpperBound) -> Bound {
        Bound { lower, upper }
    }

    /// The "any" bound: every version.
    pub fn any() -> Bound {
        Bound {
            lower: LowerBound::min(),
            upper: UpperBound::inf(),
        }
    }

    pub fn is_any(&self) -> bool {
        self.lower.is_min() && self.upper.is_inf()
    }

    pub fn lower_bounded(&self) -> bool {
        !self.lower.is_min()
    }

    pub fn upper_bounded(&self) -> bool {
        !self.upper.is_inf()
    }

    /// -1 below the bound, 0 inside, 1 above (rez's `version_containment`).
    pub fn version_containment(&self, v: &Version) -> i8 {
        if !self.lower.contains_version(v) {
            -1
        } else if !self.upper.contains_version(v) {
            1
        } else {
            0
        }
    }

    pub fn contains_version(&self, v: &Version) -> bool {
        self.version_containment(v) == 0
    }

    pub fn contains_bound(&self, other: &Bound) -> bool {
        self.lower <= other.lower && self.upper >= other.upper
    }

    pub fn intersects(&self, other: &Bound) -> bool {
        let lower = py_max(&self.lower, &other.lower);
        let upper = py_min(&self.upper, &other.upper);
        non_empty(lower, upper)
    }

    pub fn intersection(&self, other: &Bound) -> Option<Bound> {
        let lower = py_max(&self.lower, &other.lower);
        let upper = py_min(&self.upper, &other.upper);
        non_empty(lower, upper).then(|| Bound::new_unchecked(lower.clone(), upper.clone()))
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (lo, up) = (&self.lower, &self.upper);
        if up.version.is_inf() {
            write!(f, "{lo}")
        } else if lo.version == up.version {
            write!(f, "=={}", lo.version)
        } else if lo.inclusive && up.inclusive {
            if lo.version.is_truthy() {
                write!(f, "{}..{}", lo.version, up.version)
            } else {
                write!(f, "<={}", up.version)
            }
        } else if lo.inclusive && !up.inclusive && lo.version.next() == up.version {
            write!(f, "{}", lo.version)
        } else {
            write!(f, "{lo}{up}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lb(v: &str, inc: bool) -> LowerBound {
        LowerBound {
            version: Version::parse(v).unwrap(),
            inclusive: inc,
        }
    }

    fn ub(v: &str, inc: bool) -> UpperBound {
        UpperBound::new(Version::parse(v).unwrap(), inc).unwrap()
    }

    #[test]
    fn printing() {
        let b = |l, u| Bound::new(l, u).unwrap().to_string();
        assert_eq!(b(lb("1", true), UpperBound::inf()), "1+");
        assert_eq!(b(lb("1", false), UpperBound::inf()), ">1");
        assert_eq!(b(lb("1", true), ub("1", true)), "==1");
        assert_eq!(b(lb("1", true), ub("2", true)), "1..2");
        assert_eq!(b(LowerBound::min(), ub("2", true)), "<=2");
        assert_eq!(b(lb("1", true), ub("1_", false)), "1");
        assert_eq!(b(lb("1", false), ub("2", false)), ">1<2");
        assert_eq!(b(lb("", false), ub("2", false)), "><2");
        assert_eq!(Bound::any().to_string(), "");
    }

    #[test]
    fn refuses_empty_bounds() {
        assert!(Bound::new(lb("3", true), ub("2", false)).is_err());
        assert!(Bound::new(lb("2", false), ub("2", true)).is_err());
        assert!(UpperBound::new(Version::empty(), false).is_err());
    }

    #[test]
    fn python_max_keeps_first_of_equals() {
        let a = lb("1.0", true);
        let b = lb("1-0", true);
        assert_eq!(py_max(&a, &b).version.as_str(), "1.0");
        assert_eq!(py_min(&a, &b).version.as_str(), "1.0");
    }
}
