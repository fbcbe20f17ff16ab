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

use crate::algebra::bound::{Bound, LowerBound, UpperBound};
use crate::algebra::error::VersionError;
use crate::algebra::token::is_token_char;
use crate::algebra::version::Version;

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

/// An optional version `V?` at `pos` that ends the part, if one does.
fn version_to_end(s: &[u8], pos: usize) -> Option<Span> {
    opt_version(s, pos)
        .find(|&(_, end)| end == s.len())
        .map(|(v, _)| v)
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
    version_to_end(s, 2).map(Part::Exact)
}

fn match_inclusive(s: &[u8]) -> Option<Part> {
    for (lo, p) in opt_version(s, 0) {
        if !starts(s, p, "..") {
            continue;
        }
        if let Some(up) = version_to_end(s, p + 2) {
            return Some(Part::Inclusive(lo, up));
        }
    }
    None
}

/// One way the head shared by the lower-bound and range alternatives,
/// `(P1|P2)? V? (+ unless prefixed)?`, matches at the start of a part.
struct Head {
    prefix: Option<&'static str>,
    version: Span,
    plus: bool,
    /// Where the head ends.
    end: usize,
}

/// Every way the head matches, in the order Python's regex engine tries
/// them: the prefixes in the given order then none, for each the longest
/// version then none, for each (only without a prefix) `+` then no `+`.
fn heads<'a>(s: &'a [u8], prefixes: [&'static str; 2]) -> impl Iterator<Item = Head> + 'a {
    let with_prefix = prefixes
        .into_iter()
        .filter(move |lit| starts(s, 0, lit))
        .map(|lit| (Some(lit), lit.len()));
    with_prefix
        .chain(std::iter::once((None, 0)))
        .flat_map(move |(prefix, p0)| {
            opt_version(s, p0).flat_map(move |(version, p1)| {
                let plus_choices: &'static [bool] = if prefix.is_none() {
                    &[true, false]
                } else {
                    &[false]
                };
                plus_choices
                    .iter()
                    .filter(move |&&plus| !plus || starts(s, p1, "+"))
                    .map(move |&plus| Head {
                        prefix,
                        version,
                        plus,
                        end: p1 + plus as usize,
                    })
            })
        })
}

/// `(>|>=) V?` or `V? +`
fn match_lower(s: &[u8]) -> Option<Part> {
    heads(s, [">", ">="])
        .find(|h| (h.prefix.is_some() || h.plus) && h.end == s.len())
        .map(|h| Part::Lower {
            exclusive: h.prefix == Some(">"),
            version: h.version,
        })
}

/// The tail shared by the upper-bound and range alternatives: the first of
/// `operators` found at `pos` and followed by an optional version that ends
/// the part. `<` stands for the regex's `<(?=V)`.
fn tail(s: &[u8], pos: usize, operators: &[&'static str]) -> Option<(&'static str, Span)> {
    operators.iter().find_map(|&op| {
        let found = match op {
            "<" => lt_before_version(s, pos),
            _ => starts(s, pos, op),
        };
        found
            .then(|| version_to_end(s, pos + op.len()))
            .flatten()
            .map(|v| (op, v))
    })
}

/// `(<(?=V)|<=)? V?` (also the empty string)
fn match_upper(s: &[u8]) -> Option<Part> {
    let (exclusive, version) = match tail(s, 0, &["<", "<="]) {
        Some((op, v)) => (op == "<", v),
        None => (false, version_to_end(s, 0)?),
    };
    Some(Part::Upper {
        matched_text: !s.is_empty(),
        exclusive,
        version,
    })
}

/// `(>|>=)? V? (+ unless prefixed)? ((,)? if V) (<(?=V)|<=) V?`
fn match_asc(s: &[u8]) -> Option<Part> {
    for h in heads(s, [">", ">="]) {
        let comma_choices: &[bool] = if h.version.is_some() {
            &[true, false]
        } else {
            &[false]
        };
        for &comma in comma_choices {
            if comma && !starts(s, h.end, ",") {
                continue;
            }
            if let Some((op, uv)) = tail(s, h.end + comma as usize, &["<", "<="]) {
                let lower = (h.end > 0).then_some((h.prefix == Some(">"), h.version));
                return Some(Part::Asc {
                    lower,
                    upper: (op == "<", uv),
                });
            }
        }
    }
    None
}

/// `(<|<=)? V? (+ unless prefixed)? (, if V) (<(?=V)|>=|>) V?`
fn match_desc(s: &[u8]) -> Option<Part> {
    for h in heads(s, ["<", "<="]) {
        let p = match h.version {
            Some(_) if starts(s, h.end, ",") => h.end + 1,
            Some(_) => continue,
            None => h.end,
        };
        if let Some((op, lv)) = tail(s, p, &["<", ">=", ">"]) {
            let upper = (h.end > 0).then_some((h.prefix == Some("<"), h.version));
            return Some(Part::Desc {
                upper,
                lower: (op == ">", lv),
            });
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
