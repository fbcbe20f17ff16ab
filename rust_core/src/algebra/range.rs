//! rez's `VersionRange`: an ordered list of disjoint bounds.
//!
//! The set operations follow rez's algorithms step by step (including which
//! of two equal bounds survives, and the structural, not set-theoretic,
//! `issuperset`), because `str()` and the solver's decisions must match rez.

use std::fmt;

use crate::algebra::bound::{py_max, Bound, LowerBound, UpperBound};
use crate::algebra::error::VersionError;
use crate::algebra::range_parser::{is_valid_syntax, parse_part, PartError};
use crate::algebra::version::Version;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionRange {
    /// Never empty: rez represents "no versions" as `None`, not as a range.
    bounds: Bounds,
}

/// A range's bounds. Most ranges have one, kept inline: copying a range,
/// which the solver does constantly, then allocates nothing.
#[derive(Clone)]
enum Bounds {
    One(Bound),
    Many(Vec<Bound>),
}

impl std::ops::Deref for Bounds {
    type Target = [Bound];

    fn deref(&self) -> &[Bound] {
        match self {
            Bounds::One(b) => std::slice::from_ref(b),
            Bounds::Many(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Bounds {
    type Item = &'a Bound;
    type IntoIter = std::slice::Iter<'a, Bound>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<Vec<Bound>> for Bounds {
    fn from(mut v: Vec<Bound>) -> Bounds {
        match v.len() {
            1 => Bounds::One(v.pop().expect("one bound")),
            _ => Bounds::Many(v),
        }
    }
}

// Equality, order and hash are those of the bound list, however it is held.
impl PartialEq for Bounds {
    fn eq(&self, other: &Bounds) -> bool {
        **self == **other
    }
}

impl Eq for Bounds {}

impl PartialOrd for Bounds {
    fn partial_cmp(&self, other: &Bounds) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bounds {
    fn cmp(&self, other: &Bounds) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl std::hash::Hash for Bounds {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl fmt::Debug for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// Python's `bisect_left(items, x, lo)`.
fn bisect_left(items: &[Bound], x: &Bound, lo: usize) -> usize {
    lo + items[lo..].partition_point(|b| b < x)
}

impl VersionRange {
    /// The "any" range (`""`).
    pub fn any() -> VersionRange {
        VersionRange {
            bounds: Bounds::One(Bound::any()),
        }
    }

    fn from_bounds(bounds: Vec<Bound>) -> VersionRange {
        debug_assert!(!bounds.is_empty());
        VersionRange {
            bounds: bounds.into(),
        }
    }

    /// Parses a range string exactly as `rez.version.VersionRange(s)`.
    pub fn parse(s: &str) -> Result<VersionRange, VersionError> {
        let mut bounds = Vec::new();
        let mut is_any = false;
        for part in s.split('|') {
            if part.is_empty() {
                // OR-ing with "any" gives "any"; later parts are only syntax-checked.
                is_any = true;
                bounds.clear();
                continue;
            }
            if is_any {
                if !is_valid_syntax(part) {
                    return Err(syntax_error(s, part));
                }
                continue;
            }
            match parse_part(part) {
                Ok(Some(b)) => bounds.push(b),
                Ok(None) => {}
                Err(PartError::Syntax) => return Err(syntax_error(s, part)),
                Err(PartError::Invalid(e)) => {
                    return Err(VersionError::new(format!(
                        "Invalid version range '{s}': {e}"
                    )))
                }
            }
        }
        if bounds.is_empty() {
            return Ok(VersionRange::any());
        }
        Ok(VersionRange::from_bounds(union_bounds(bounds)))
    }

    /// A range holding exactly `version` (`==version`).
    pub fn exact(version: Version) -> VersionRange {
        VersionRange::from_bounds(vec![Bound::new_unchecked(
            LowerBound {
                version: version.clone(),
                inclusive: true,
            },
            UpperBound {
                version,
                inclusive: true,
            },
        )])
    }

    /// A range from bounds already sorted and disjoint (e.g. `==v` bounds of
    /// ascending, distinct versions: rez's `from_versions`).
    pub fn from_sorted_bounds(bounds: Vec<Bound>) -> VersionRange {
        VersionRange::from_bounds(bounds)
    }

    /// rez's `ranges[0].union(ranges[1:])`: all bounds, re-normalised (even
    /// for a single range, whose bounds may merge further).
    pub fn union_all<'r>(ranges: impl IntoIterator<Item = &'r VersionRange>) -> VersionRange {
        let bounds: Vec<Bound> = ranges
            .into_iter()
            .flat_map(|r| r.bounds.iter().cloned())
            .collect();
        VersionRange::from_bounds(union_bounds(bounds))
    }

    pub fn bounds(&self) -> &[Bound] {
        &self.bounds
    }

    pub fn is_any(&self) -> bool {
        self.bounds.len() == 1 && self.bounds[0].is_any()
    }

    pub fn lower_bounded(&self) -> bool {
        self.bounds[0].lower_bounded()
    }

    pub fn upper_bounded(&self) -> bool {
        self.bounds[self.bounds.len() - 1].upper_bounded()
    }

    pub fn bounded(&self) -> bool {
        self.lower_bounded() && self.upper_bounded()
    }

    pub fn contains_version(&self, v: &Version) -> bool {
        if self.bounds.len() < 5 {
            for b in &self.bounds {
                match b.version_containment(v) {
                    0 => return true,
                    -1 => return false,
                    _ => {}
                }
            }
            return false;
        }
        let probe = Bound::new_unchecked(
            LowerBound {
                version: v.clone(),
                inclusive: true,
            },
            UpperBound::inf(),
        );
        let i = bisect_left(&self.bounds, &probe, 0);
        (i > 0 && self.bounds[i - 1].contains_version(v))
            || (i < self.bounds.len() && self.bounds[i].contains_version(v))
    }

    /// rez's `issuperset`: every bound of `other` lies inside one bound of self.
    pub fn issuperset(&self, other: &VersionRange) -> bool {
        let mut lo = 0;
        for b2 in &other.bounds {
            let i = bisect_left(&self.bounds, b2, lo);
            if i > 0 && self.bounds[i - 1].contains_bound(b2) {
                lo = i - 1;
            } else if i < self.bounds.len() && self.bounds[i].contains_bound(b2) {
                lo = i;
            } else {
                return false;
            }
        }
        true
    }

    pub fn issubset(&self, other: &VersionRange) -> bool {
        other.issuperset(self)
    }

    pub fn intersects(&self, other: &VersionRange) -> bool {
        // rez puts the shorter list first (a stable sort on length).
        let (b1, b2) = if other.bounds.len() < self.bounds.len() {
            (&other.bounds, &self.bounds)
        } else {
            (&self.bounds, &other.bounds)
        };
        if b2.len() < 5 {
            return b1.iter().any(|x| b2.iter().any(|y| x.intersects(y)));
        }
        let mut lo = 0;
        for x in b1 {
            let i = bisect_left(b2, x, lo);
            if (i > 0 && b2[i - 1].intersects(x)) || (i < b2.len() && b2[i].intersects(x)) {
                return true;
            }
            lo = i.saturating_sub(1);
        }
        false
    }

    pub fn union(&self, other: &VersionRange) -> VersionRange {
        let mut bounds = self.bounds.to_vec();
        bounds.extend(other.bounds.iter().cloned());
        VersionRange::from_bounds(union_bounds(bounds))
    }

    /// `None` when the ranges share no version.
    pub fn intersection(&self, other: &VersionRange) -> Option<VersionRange> {
        let mut out = Vec::new();
        for b1 in &self.bounds {
            for b2 in &other.bounds {
                if let Some(b) = b1.intersection(b2) {
                    out.push(b);
                }
            }
        }
        (!out.is_empty()).then(|| VersionRange::from_bounds(out))
    }

    /// The gaps between the bounds, as rez's `_inverse` pairs them up: one
    /// `(lower, upper)` per gap, `Err` for a pair that holds no version.
    ///
    /// A pair is empty only for two bounds that touch without having been
    /// merged (`><=2|>2`, which rez's union leaves split because it reads the
    /// previous bound's inclusivity): rez's `_Bound` then raises "Invalid bound".
    fn gaps(&self) -> impl Iterator<Item = Result<Bound, VersionError>> + '_ {
        let n = self.bounds.len();
        (0..=n).filter_map(move |i| {
            let lower = (i > 0)
                .then(|| &self.bounds[i - 1].upper)
                .filter(|up| !up.version.is_inf())
                .map(|up| LowerBound {
                    version: up.version.clone(),
                    inclusive: !up.inclusive,
                });
            let upper = self
                .bounds
                .get(i)
                .filter(|b| !b.lower.is_min())
                // Never `<''`: an exclusive bound on '' is excluded by is_min.
                .map(|b| UpperBound {
                    version: b.lower.version.clone(),
                    inclusive: !b.lower.inclusive,
                });
            if lower.is_none() && upper.is_none() {
                return None;
            }
            Some(Bound::new(
                lower.unwrap_or_else(LowerBound::min),
                upper.unwrap_or_else(UpperBound::inf),
            ))
        })
    }

    /// rez's `~range`: `None` for the inverse of "any", and rez's "Invalid
    /// bound" error where rez raises it (see `gaps`).
    pub fn try_inverse(&self) -> Result<Option<VersionRange>, VersionError> {
        if self.is_any() {
            return Ok(None);
        }
        let bounds = self.gaps().collect::<Result<Vec<_>, _>>()?;
        Ok(Some(VersionRange::from_bounds(bounds)))
    }

    /// The inverse, for callers that cannot fail: as `try_inverse`, but where
    /// rez raises, the empty gaps are left out (the set-theoretic inverse), and
    /// `None` stands for "no versions" as it does for the inverse of "any".
    pub fn inverse(&self) -> Option<VersionRange> {
        if self.is_any() {
            return None;
        }
        let bounds: Vec<Bound> = self.gaps().filter_map(Result::ok).collect();
        (!bounds.is_empty()).then(|| VersionRange::from_bounds(bounds))
    }

    /// rez's `a - b`: `a & ~b`, including rez's "Invalid bound" error.
    pub fn try_subtract(&self, other: &VersionRange) -> Result<Option<VersionRange>, VersionError> {
        Ok(other.try_inverse()?.and_then(|inv| self.intersection(&inv)))
    }

    /// `a & ~b` with the infallible `inverse`.
    pub fn subtract(&self, other: &VersionRange) -> Option<VersionRange> {
        other.inverse().and_then(|inv| self.intersection(&inv))
    }

    /// The smallest contiguous range covering this one.
    pub fn span(&self) -> VersionRange {
        let lower = self.bounds[0].lower.clone();
        let upper = self.bounds[self.bounds.len() - 1].upper.clone();
        VersionRange::from_bounds(vec![Bound::new_unchecked(lower, upper)])
    }
}

fn syntax_error(range: &str, part: &str) -> VersionError {
    VersionError::new(format!(
        "Syntax error in version range '{range}': Syntax error in version range '{part}'"
    ))
}

/// rez's `VersionRange._union`: sort, then merge overlapping neighbours.
/// The merge test reads the previous bound's upper inclusivity (not the
/// running maximum's), as rez does.
fn union_bounds(mut bounds: Vec<Bound>) -> Vec<Bound> {
    if bounds.len() < 2 {
        return bounds;
    }
    bounds.sort(); // stable, like Python's sorted()
    let mut merged = Vec::new();
    let mut start = 0;
    let mut upper: Option<UpperBound> = None;
    for i in 0..bounds.len() {
        if let Some(up) = &upper {
            let b = &bounds[i];
            let split = b.lower.version > up.version
                || (b.lower.version == up.version
                    && !b.lower.inclusive
                    && !bounds[i - 1].upper.inclusive);
            if split {
                merged.push(Bound::new_unchecked(
                    bounds[start].lower.clone(),
                    up.clone(),
                ));
                start = i;
            }
        }
        upper = Some(match upper {
            None => bounds[i].upper.clone(),
            Some(up) => py_max(up, bounds[i].upper.clone()),
        });
    }
    let up = upper.unwrap_or_else(UpperBound::inf);
    merged.push(Bound::new_unchecked(bounds[start].lower.clone(), up));
    merged
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.bounds.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(f, "{b}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> VersionRange {
        VersionRange::parse(s).unwrap()
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn normalised_strings() {
        assert_eq!(r("").to_string(), "");
        assert_eq!(r("3+<6|4+<8").to_string(), "3+<8");
        assert_eq!(r("4|6+").to_string(), "4|6+");
        assert_eq!(r("|3+<2").to_string(), "");
        assert_eq!(r("1.0|1-0").to_string(), "1.0");
        assert!(r("").is_any());
        assert!(!r("1").is_any());
    }

    #[test]
    fn set_operations() {
        let x = r("1+<2").intersection(&r("1.5+")).unwrap();
        assert_eq!(x.to_string(), "1.5+<2");
        assert!(r("1").intersection(&r("2")).is_none());
        assert_eq!(r("1").union(&r("2")).to_string(), "1|2");
        assert_eq!(r("1+").inverse().unwrap().to_string(), "<1");
        assert!(r("").inverse().is_none());
        assert_eq!(
            r("1+<2|3").try_inverse().unwrap().unwrap().to_string(),
            "<1|2+<3|3_+"
        );
        assert_eq!(
            r("1+<3").subtract(&r("2")).unwrap().to_string(),
            "1+<2|2_+<3"
        );
        assert!(r("1+").issuperset(&r("2+<3")));
        assert!(!r("2+<3").issuperset(&r("1+")));
        assert!(r("1|3").intersects(&r("3.5")));
    }

    #[test]
    fn inverse_of_touching_bounds_fails_like_rez() {
        // rez's union leaves these two bounds split; its inverse then raises.
        let touching = r("0|><=2.0|>2.0");
        assert_eq!(touching.to_string(), "><=2.0|>2.0");
        assert!(touching.try_inverse().is_err());
        assert!(r("1").try_subtract(&touching).is_err());
        // The infallible inverse keeps the gaps that exist.
        assert_eq!(touching.inverse().unwrap().to_string(), "==");
        assert!(r("<=2.0|0|>2.0").inverse().is_none());
    }

    #[test]
    fn containment() {
        assert!(r("1").contains_version(&v("1.5")));
        assert!(!r("1").contains_version(&v("2")));
        assert!(r("==1").contains_version(&v("1")));
        assert!(!r("==1").contains_version(&v("1.0")));
        let many = r("1|3|5|7|9|11");
        assert!(many.contains_version(&v("9.1")));
        assert!(!many.contains_version(&v("10")));
    }

    #[test]
    fn errors_name_the_text() {
        let e = VersionRange::parse("1+<<2").unwrap_err();
        assert!(e.message().contains("1+<<2"));
        let e = VersionRange::parse("3+<2").unwrap_err();
        assert!(e.message().contains("3+<2"));
        assert!(VersionRange::parse("3+<2|").is_err());
    }
}
