//! rez's package filters (`rez.package_filter`): which packages a resolve
//! may see. A `PackageFilterList` excludes a package when any of its filters
//! does; a `PackageFilter` excludes it when an exclusion rule matches and no
//! inclusion rule does. A rule applies to one family (its `family()`), or to
//! every family when it has none.
//!
//! The rules come already taken apart by rez (kind, family, text), so that
//! pyrer never has to re-derive rez's family extraction. Glob rules match the
//! qualified name as `fnmatch` does; regex rules as Python's `re.match`,
//! through the `regex` crate, only for patterns that crate reads the same way
//! (anything else is refused, and rez's solver runs); range rules as
//! `not requirement.conflicts_with(VersionedObject(name, version))`;
//! timestamp rules (`before` / `after`, what `rez env --time` adds) on the
//! package's release timestamp, an untimestamped package matching none.

use std::fmt;

use crate::algebra::requirement::{Requirement, VersionedObject};
use crate::algebra::version::Version;

/// A rule pyrer cannot apply as rez would; the resolve goes to rez.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsupportedRule(pub String);

impl fmt::Display for UnsupportedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug)]
enum Matcher {
    Glob(Vec<GlobPart>),
    Regex(regex::Regex),
    Range(Requirement),
    /// rez's `TimestampRule` (`match_untimestamped` False, as rez parses
    /// and as `--time` builds them): `after` when `reverse`.
    Timestamp {
        timestamp: i64,
        reverse: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GlobPart {
    /// `*`: any run of characters (newlines too: `fnmatch` uses `(?s:...)`).
    Any,
    /// `?`: one character.
    One,
    Literal(char),
}

/// One rule: what it matches and the family it is filed under.
#[derive(Debug)]
pub struct Rule {
    family: Option<String>,
    matcher: Matcher,
}

impl Rule {
    /// A rule from rez's parts: `kind` is `glob`, `regex`, `range`, `before`
    /// or `after`; `family` is rez's `rule.family()`; `text` the glob, the
    /// regex, the requirement string or the timestamp.
    pub fn new(kind: &str, family: Option<&str>, text: &str) -> Result<Rule, UnsupportedRule> {
        let matcher = match kind {
            "glob" => Matcher::Glob(glob_parts(text)?),
            "regex" => Matcher::Regex(python_match_regex(text)?),
            "range" => Matcher::Range(
                Requirement::parse(text)
                    .map_err(|e| UnsupportedRule(format!("range rule {text:?}: {e}")))?,
            ),
            "before" | "after" => Matcher::Timestamp {
                timestamp: text
                    .parse()
                    .map_err(|_| UnsupportedRule(format!("timestamp rule {text:?}")))?,
                reverse: kind == "after",
            },
            other => {
                return Err(UnsupportedRule(format!(
                    "{other} rules are applied by rez's solver"
                )))
            }
        };
        Ok(Rule {
            family: family.map(String::from),
            matcher,
        })
    }

    fn matches(&self, p: &Candidate<'_>) -> bool {
        let (name, version) = (p.name, p.version);
        match &self.matcher {
            Matcher::Glob(parts) => glob_matches(parts, p.qualified()),
            Matcher::Regex(re) => re.is_match(p.qualified()),
            Matcher::Range(req) => {
                let object = VersionedObject {
                    name: name.to_string(),
                    version: version.clone(),
                    sep: '-',
                };
                !req.conflicts_with_object(&object)
            }
            // rez: `if not package.timestamp: return self.match_untimestamped`
            Matcher::Timestamp { .. } if p.timestamp == 0 => false,
            Matcher::Timestamp { timestamp, reverse } => match reverse {
                true => p.timestamp > *timestamp,
                false => p.timestamp <= *timestamp,
            },
        }
    }

    fn applies_to(&self, name: &str) -> Option<bool> {
        self.family.as_ref().map(|f| f == name)
    }
}

/// What rules read of a package.
struct Candidate<'p> {
    name: &'p str,
    version: &'p Version,
    /// rez's `qualified_name`, built if a glob or regex rule reads it.
    qualified: std::cell::OnceCell<String>,
    timestamp: i64,
}

impl Candidate<'_> {
    /// rez's `qualified_name`: just the name for the empty version.
    fn qualified(&self) -> &str {
        self.qualified
            .get_or_init(|| match self.version.is_truthy() {
                true => format!("{}-{}", self.name, self.version),
                false => self.name.to_string(),
            })
    }
}

/// `fnmatch`'s pattern: `*`, `?` and literal characters. A `[` set is
/// refused: its corner cases (ranges, `!`, a leading `]`) are not worth
/// re-deriving for a rule studios do not write.
fn glob_parts(text: &str) -> Result<Vec<GlobPart>, UnsupportedRule> {
    text.chars()
        .map(|c| match c {
            '*' => Ok(GlobPart::Any),
            '?' => Ok(GlobPart::One),
            '[' => Err(UnsupportedRule(format!(
                "glob rule {text:?}: character sets are applied by rez's solver"
            ))),
            c => Ok(GlobPart::Literal(c)),
        })
        .collect()
}

/// Whether `parts` match the whole of `text` (classic backtracking on the
/// last `*`: linear for the patterns filters use).
fn glob_matches(parts: &[GlobPart], text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < chars.len() {
        match parts.get(p) {
            Some(GlobPart::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(GlobPart::One) => {
                p += 1;
                t += 1;
            }
            Some(GlobPart::Literal(c)) if *c == chars[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    parts[p..].iter().all(|x| *x == GlobPart::Any)
}

/// A regex that matches as Python's `re.compile(text).match(s)` (anchored
/// at the start only), for the syntax both engines read alike. Python-only
/// syntax (look-around, back-references, `\Z`, ...) fails to compile here
/// and is refused; so are the few constructs both accept but read
/// differently.
fn python_match_regex(text: &str) -> Result<regex::Regex, UnsupportedRule> {
    let refuse = |why: &str| Err(UnsupportedRule(format!("regex rule {text:?}: {why}")));
    // Rust reads these as classes or escapes Python does not have (or reads
    // otherwise); Python's `$` also matches before a final newline, which a
    // package name never has.
    for bad in [
        "\\p", "\\P", "\\z", "\\A", "[[", "&&", "--", "~~", "(?x", "(?u", "(?U",
    ] {
        if text.contains(bad) {
            return refuse("syntax rez's engine reads differently");
        }
    }
    match regex::Regex::new(&format!("^(?:{text})")) {
        Ok(re) => Ok(re),
        Err(_) => refuse("syntax only Python's engine reads"),
    }
}

/// One `PackageFilter`: its exclusion and inclusion rules.
#[derive(Debug, Default)]
pub struct PackageFilter {
    excludes: Vec<Rule>,
    includes: Vec<Rule>,
}

impl PackageFilter {
    pub fn new(excludes: Vec<Rule>, includes: Vec<Rule>) -> PackageFilter {
        PackageFilter { excludes, includes }
    }

    /// rez's `PackageFilter.excludes`: the family's rules, then the global
    /// ones; an exclusion stands unless an inclusion matches.
    fn excludes(&self, p: &Candidate<'_>) -> bool {
        let any = |rules: &[Rule]| {
            rules
                .iter()
                .filter(|r| r.applies_to(p.name) != Some(false))
                .any(|r| r.matches(p))
        };
        any(&self.excludes) && !any(&self.includes)
    }
}

/// rez's `PackageFilterList`: a package is excluded if any filter excludes it.
#[derive(Debug, Default)]
pub struct PackageFilterList {
    filters: Vec<PackageFilter>,
}

impl PackageFilterList {
    pub fn new(filters: Vec<PackageFilter>) -> PackageFilterList {
        PackageFilterList { filters }
    }

    pub fn is_empty(&self) -> bool {
        self.filters.iter().all(|f| f.excludes.is_empty())
    }

    /// Whether the package `name`-`version`, released at `timestamp` (0:
    /// unknown), is hidden from the resolve.
    pub fn excludes(&self, name: &str, version: &Version, timestamp: i64) -> bool {
        if self.is_empty() {
            return false;
        }
        let candidate = Candidate {
            name,
            version,
            qualified: std::cell::OnceCell::new(),
            timestamp,
        };
        self.filters.iter().any(|f| f.excludes(&candidate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn glob(p: &str, s: &str) -> bool {
        glob_matches(&glob_parts(p).unwrap(), s)
    }

    #[test]
    fn globs_match_whole_names() {
        assert!(glob("*.beta", "foo-1.beta"));
        assert!(!glob("*.beta", "foo-1.beta.2"));
        assert!(glob("*.beta*", "foo-1.beta.2"));
        assert!(glob("foo-?.*", "foo-1.2"));
        assert!(!glob("foo-?.*", "foo-12.2"));
        assert!(glob("*", ""));
        assert!(glob("**a*", "xxa"));
        assert!(!glob("a", "ab"));
        assert!(glob_parts("foo-[12]").is_err());
    }

    #[test]
    fn regexes_anchor_at_the_start_only() {
        let re = python_match_regex(r".*\.beta").unwrap();
        assert!(re.is_match("foo-1.beta.2"));
        let re = python_match_regex("oo").unwrap();
        assert!(!re.is_match("foo"));
        assert!(python_match_regex(r"foo(?=-1)").is_err());
        assert!(python_match_regex(r"foo-1\Z").is_err());
    }

    #[test]
    fn exclusions_yield_to_inclusions() {
        let rule = |kind: &str, fam: Option<&str>, text: &str| Rule::new(kind, fam, text).unwrap();
        let list = PackageFilterList::new(vec![PackageFilter::new(
            vec![
                rule("glob", None, "*.beta"),
                rule("range", Some("bar"), "bar<2"),
            ],
            vec![rule("glob", Some("foo"), "foo-*")],
        )]);
        assert!(!list.excludes("foo", &v("1.beta"), 0));
        assert!(list.excludes("baz", &v("1.beta"), 0));
        assert!(list.excludes("bar", &v("1.5"), 0));
        assert!(!list.excludes("bar", &v("2.5"), 0));
        assert!(!list.excludes("baz", &v("1"), 0));
        assert!(Rule::new("when", None, "12").is_err());
        assert!(Rule::new("before", None, "soon").is_err());
    }

    #[test]
    fn timestamp_rules_skip_untimestamped_packages() {
        let after = PackageFilterList::new(vec![PackageFilter::new(
            vec![Rule::new("after", None, "1500").unwrap()],
            vec![Rule::new("before", Some("old"), "3000").unwrap()],
        )]);
        assert!(after.excludes("new", &v("1"), 2000));
        assert!(!after.excludes("new", &v("1"), 1500));
        assert!(!after.excludes("new", &v("1"), 0));
        assert!(!after.excludes("old", &v("1"), 2000)); // included again
    }
}
