//! Parser for one `|`-separated part of a version range string.
//!
//! rez parses each part with one verbose regex of seven anchored alternatives
//! (version, `==v`, `a..b`, lower bound, upper bound, ascending range,
//! descending range) and builds bounds from the named groups of the first
//! alternative that matches. This module matches the same language in the
//! same order, backtracking through the optional pieces in the order Python's
//! regex engine tries them, so that every string gets the same bounds, the
//! same error, or the same acceptance as in rez. Like Python's `$`, a part may
//! end with one extra newline.

use crate::bound::{Bound, LowerBound, UpperBound};
use crate::error::VersionError;
use crate::token::is_token_char;
use crate::version::Version;

/// End of the longest version (`token([.-]token)*`) starting at `pos`.
/// A shorter match never helps: what follows a version in the grammar never
/// starts with a token character or with a separator followed by one.
fn version_end(s: &[u8], pos: usize) -> Option<usize> {
    let tok = |mut i: usize| {
        let start = i;
        while i < s.len() && is_token_char(s[i] as char) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    let mut end = tok(pos)?;
    while end + 1 < s.len() && (s[end] == b'.' || s[end] == b'-') {
        match tok(end + 1) {
            Some(e) => end = e,
            None => break,
        }
    }
    Some(end)
}

/// The choices for an optional version `V?` at `pos`: the version, then none.
fn opt_version(s: &[u8], pos: usize) -> impl Iterator<Item = (Option<(usize, usize)>, usize)> {
    let v = version_end(s, pos).map(|e| (Some((pos, e)), e));
    v.into_iter().chain(std::iter::once((None, pos)))
}

fn starts(s: &[u8], pos: usize, lit: &str) -> bool {
    s[pos..].starts_with(lit.as_bytes())
}

/// `<` followed by a version (the regex's `<(?=V)`).
fn lt_before_version(s: &[u8], pos: usize) -> bool {
    starts(s, pos, "<") && pos + 1 < s.len() && is_token_char(s[pos + 1] as char)
}

type Span = Option<(usize, usize)>;

/// Which alternative matched and what its groups captured.
#[derive(Debug)]
enum Part {
    Version((usize, usize)),
    Exact(Span),
    Inclusive(Span, Span),
    Lower {
        exclusive: bool,
        version: Span,
    },
    /// `upper_bound` also matches the empty string; rez then adds no bound.
    Upper {
        matched_text: bool,
        exclusive: bool,
        version: Span,
    },
    Asc {
        lower: Option<(bool, Span)>,
        upper: (bool, Span),
    },
    Desc {
        upper: Option<(bool, Span)>,
        lower: (bool, Span),
    },
}

fn match_version(s: &[u8]) -> Option<Part> {
    match version_end(s, 0) {
        Some(e) if e == s.len() => Some(Part::Version((0, e))),
        _ => None,
    }
}

fn match_exact(s: &[u8]) -> Option<Part> {
    if !starts(s, 0, "==") {
        return None;
    }
    opt_version(s, 2)
        .find(|&(_, p)| p == s.len())
        .map(|(v, _)| Part::Exact(v))
}

fn match_inclusive(s: &[u8]) -> Option<Part> {
    for (lo, p) in opt_version(s, 0) {
        if !starts(s, p, "..") {
            continue;
        }
        if let Some((up, _)) = opt_version(s, p + 2).find(|&(_, q)| q == s.len()) {
            return Some(Part::Inclusive(lo, up));
        }
    }
    None
}

fn match_lower(s: &[u8]) -> Option<Part> {
    for prefix in [Some(">"), Some(">="), None] {
        let p = match prefix {
            Some(lit) if starts(s, 0, lit) => lit.len(),
            Some(_) => continue,
            None => 0,
        };
        for (v, q) in opt_version(s, p) {
            let end = if prefix.is_some() {
                q
            } else if starts(s, q, "+") {
                q + 1
            } else {
                continue;
            };
            if end == s.len() {
                return Some(Part::Lower {
                    exclusive: prefix == Some(">"),
                    version: v,
                });
            }
        }
    }
    None
}

fn match_upper(s: &[u8]) -> Option<Part> {
    for prefix in [Some("<"), Some("<="), None] {
        let p = match prefix {
            Some("<") if lt_before_version(s, 0) => 1,
            Some("<=") if starts(s, 0, "<=") => 2,
            Some(_) => continue,
            None => 0,
        };
        for (v, q) in opt_version(s, p) {
            if q == s.len() {
                return Some(Part::Upper {
                    matched_text: !s.is_empty(),
                    exclusive: prefix == Some("<"),
                    version: v,
                });
            }
        }
    }
    None
}

/// `(>|>=)? V? (+ unless prefixed)? ((,)? if V) (<(?=V)|<=) V?`
fn match_asc(s: &[u8]) -> Option<Part> {
    for prefix in [Some(">"), Some(">="), None] {
        let p0 = match prefix {
            Some(lit) if starts(s, 0, lit) => lit.len(),
            Some(_) => continue,
            None => 0,
        };
        for (lv, p1) in opt_version(s, p0) {
            let plus_choices: &[bool] = if prefix.is_none() {
                &[true, false]
            } else {
                &[false]
            };
            for &plus in plus_choices {
                if plus && !starts(s, p1, "+") {
                    continue;
                }
                let p2 = p1 + plus as usize;
                let comma_choices: &[bool] = if lv.is_some() {
                    &[true, false]
                } else {
                    &[false]
                };
                for &comma in comma_choices {
                    if comma && !starts(s, p2, ",") {
                        continue;
                    }
                    let p3 = p2 + comma as usize;
                    for up in ["<", "<="] {
                        let p4 = match up {
                            "<" if lt_before_version(s, p3) => p3 + 1,
                            "<=" if starts(s, p3, "<=") => p3 + 2,
                            _ => continue,
                        };
                        if let Some((uv, _)) = opt_version(s, p4).find(|&(_, q)| q == s.len()) {
                            let lower = (p2 > 0).then_some((prefix == Some(">"), lv));
                            return Some(Part::Asc {
                                lower,
                                upper: (up == "<", uv),
                            });
                        }
                    }
                }
            }
        }
    }
    None
}

/// `(<|<=)? V? (+ unless prefixed)? (, if V) (<(?=V)|>=|>) V?`
fn match_desc(s: &[u8]) -> Option<Part> {
    for prefix in [Some("<"), Some("<="), None] {
        let p0 = match prefix {
            Some(lit) if starts(s, 0, lit) => lit.len(),
            Some(_) => continue,
            None => 0,
        };
        for (uv, p1) in opt_version(s, p0) {
            let plus_choices: &[bool] = if prefix.is_none() {
                &[true, false]
            } else {
                &[false]
            };
            for &plus in plus_choices {
                if plus && !starts(s, p1, "+") {
                    continue;
                }
                let p2 = p1 + plus as usize;
                let p3 = if uv.is_some() {
                    if !starts(s, p2, ",") {
                        continue;
                    }
                    p2 + 1
                } else {
                    p2
                };
                for lp in ["<", ">=", ">"] {
                    let p4 = match lp {
                        "<" if lt_before_version(s, p3) => p3 + 1,
                        ">=" | ">" if starts(s, p3, lp) => p3 + lp.len(),
                        _ => continue,
                    };
                    if let Some((lv, _)) = opt_version(s, p4).find(|&(_, q)| q == s.len()) {
                        let upper = (p2 > 0).then_some((prefix == Some("<"), uv));
                        return Some(Part::Desc {
                            upper,
                            lower: (lp == ">", lv),
                        });
                    }
                }
            }
        }
    }
    None
}

fn version_of(s: &str, span: Span) -> Version {
    match span {
        // The grammar only captures valid versions.
        Some((a, b)) => Version::parse(&s[a..b]).unwrap_or_else(|_| Version::empty()),
        None => Version::empty(),
    }
}

fn lower(s: &str, exclusive: bool, span: Span) -> LowerBound {
    LowerBound {
        version: version_of(s, span),
        inclusive: !exclusive,
    }
}

fn upper(s: &str, exclusive: bool, span: Span) -> Result<UpperBound, VersionError> {
    UpperBound::new(version_of(s, span), !exclusive)
}

/// Whether `part` is valid range syntax (rez checks this even for the parts
/// it then ignores, after an empty "any" part).
pub fn is_valid_syntax(part: &str) -> bool {
    match_part(part).is_some()
}

fn strip_final_newline(part: &str) -> &str {
    part.strip_suffix('\n').unwrap_or(part)
}

fn match_part(part: &str) -> Option<Part> {
    let s = strip_final_newline(part).as_bytes();
    match_version(s)
        .or_else(|| match_exact(s))
        .or_else(|| match_inclusive(s))
        .or_else(|| match_lower(s))
        .or_else(|| match_upper(s))
        .or_else(|| match_asc(s))
        .or_else(|| match_desc(s))
}

/// Why a part was refused: rez words the two cases differently.
#[derive(Debug)]
pub enum PartError {
    /// No alternative of the grammar matches.
    Syntax,
    /// Well-formed, but describes an impossible bound (`3+<2`).
    Invalid(VersionError),
}

impl From<VersionError> for PartError {
    fn from(e: VersionError) -> Self {
        PartError::Invalid(e)
    }
}

/// Parses one non-empty part into at most one bound.
pub fn parse_part(part: &str) -> Result<Option<Bound>, PartError> {
    let part_match = match_part(part).ok_or(PartError::Syntax)?;
    let s = strip_final_newline(part);
    let bound = match part_match {
        Part::Version(span) => {
            let v = version_of(s, Some(span));
            let up = UpperBound::new(v.next(), false)?;
            Bound::new(
                LowerBound {
                    version: v,
                    inclusive: true,
                },
                up,
            )?
        }
        Part::Exact(span) => {
            let v = version_of(s, span);
            Bound::new(lower(s, false, span), UpperBound::new(v, true)?)?
        }
        Part::Inclusive(lo, up) => Bound::new(lower(s, false, lo), upper(s, false, up)?)?,
        Part::Lower { exclusive, version } => {
            Bound::new(lower(s, exclusive, version), UpperBound::inf())?
        }
        Part::Upper {
            matched_text: false,
            ..
        } => return Ok(None),
        Part::Upper {
            exclusive, version, ..
        } => Bound::new(LowerBound::min(), upper(s, exclusive, version)?)?,
        Part::Asc {
            lower: lo,
            upper: (ux, uv),
        } => {
            let lb = lo.map_or_else(LowerBound::min, |(x, v)| lower(s, x, v));
            Bound::new(lb, upper(s, ux, uv)?)?
        }
        Part::Desc {
            upper: up,
            lower: (lx, lv),
        } => {
            let ub = match up {
                Some((x, v)) => upper(s, x, v)?,
                None => UpperBound::inf(),
            };
            Bound::new(lower(s, lx, lv), ub)?
        }
    };
    Ok(Some(bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(part: &str) -> String {
        match parse_part(part) {
            Ok(Some(b)) => b.to_string(),
            Ok(None) => "<none>".into(),
            Err(PartError::Syntax) => "<syntax>".into(),
            Err(PartError::Invalid(_)) => "<invalid>".into(),
        }
    }

    #[test]
    fn every_alternative() {
        assert_eq!(show("1.2"), "1.2");
        assert_eq!(show("==1.2"), "==1.2");
        assert_eq!(show("=="), "==");
        assert_eq!(show("1..2"), "1..2");
        assert_eq!(show(".."), "==");
        assert_eq!(show("1+"), "1+");
        assert_eq!(show(">1"), ">1");
        assert_eq!(show(">=1"), "1+");
        assert_eq!(show("+"), "");
        assert_eq!(show("<2"), "<2");
        assert_eq!(show("<=2"), "<=2");
        assert_eq!(show("1+<2"), "1+<2");
        assert_eq!(show("1<2"), "1+<2");
        assert_eq!(show(">=1,<2"), "1+<2");
        assert_eq!(show(">1<=2"), ">1<=2");
        assert_eq!(show("<=4,>2"), ">2<=4");
        assert_eq!(show("<4,>=2"), "2+<4");
        assert_eq!(show("3,>1"), ">1<=3");
    }

    #[test]
    fn syntax_and_bound_errors() {
        assert_eq!(show("<"), "<syntax>");
        assert_eq!(show("<2>1"), "<syntax>");
        assert_eq!(show("1...2"), "<syntax>");
        assert_eq!(show("3+<2"), "<invalid>");
        assert_eq!(show("1.."), "<invalid>");
        assert_eq!(show("<>1"), "<invalid>");
    }

    #[test]
    fn trailing_newline_like_python_dollar() {
        assert_eq!(show("1.2\n"), "1.2");
        assert_eq!(show("\n"), "<none>");
        assert_eq!(show("1\n\n"), "<syntax>");
    }
}
