//! Package data as the solver consumes it: one (family, version) with its
//! requirement strings and variants, plus the per-variant merged requirement
//! lists the solver reads (computed lazily, once, and shared across solves).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::names::FamId;
use crate::requirement::{Requirement, RequirementList};
use crate::version::Version;

/// The plain input record, as given by Python (`PackageData`): name,
/// version, requirement strings and variants.
///
/// All its strings live back to back in one buffer (name, version, the
/// package requirements, then each variant's), so a record costs two or three
/// allocations however many requirements it has, and is cheap to build from
/// borrowed text (the parser, a binary memo). Equal contents give equal
/// records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageData {
    text: String,
    /// The end offset in `text` of each string, in order.
    ends: Vec<usize>,
    /// The index (into `ends`) of each variant's first string.
    variant_starts: Vec<usize>,
}

/// Builds a [`PackageData`] string by string: name and version first, then
/// the package requirements, then each variant's after `start_variant`.
#[derive(Debug)]
pub struct PackageDataBuilder {
    data: PackageData,
}

impl PackageDataBuilder {
    /// Appends one string written by `write` into the shared buffer. On an
    /// error nothing is appended.
    #[inline]
    pub fn push_with<E>(
        &mut self,
        write: impl FnOnce(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = self.data.text.len();
        match write(&mut self.data.text) {
            Ok(()) => {
                self.data.ends.push(self.data.text.len());
                Ok(())
            }
            Err(e) => {
                self.data.text.truncate(start);
                Err(e)
            }
        }
    }

    #[inline]
    pub fn push(&mut self, s: &str) {
        self.data.text.push_str(s);
        self.data.ends.push(self.data.text.len());
    }

    /// Starts a variant: the strings pushed from now on belong to it.
    pub fn start_variant(&mut self) {
        self.data.variant_starts.push(self.data.ends.len());
    }

    pub fn build(self) -> PackageData {
        self.data
    }
}

impl PackageData {
    /// A builder, with room for `text_capacity` bytes of text.
    pub fn builder(name: &str, version: &str, text_capacity: usize) -> PackageDataBuilder {
        let mut text = String::with_capacity(text_capacity.max(name.len() + version.len()));
        text.push_str(name);
        let name_end = text.len();
        text.push_str(version);
        let mut ends = Vec::with_capacity(8);
        ends.extend([name_end, text.len()]);
        PackageDataBuilder {
            data: PackageData {
                text,
                ends,
                variant_starts: Vec::new(),
            },
        }
    }

    /// A record from its parts.
    pub fn new<R, V>(name: &str, version: &str, requires: R, variants: V) -> PackageData
    where
        R: IntoIterator,
        R::Item: AsRef<str>,
        V: IntoIterator,
        V::Item: IntoIterator,
        <V::Item as IntoIterator>::Item: AsRef<str>,
    {
        let mut b = PackageData::builder(name, version, 0);
        for r in requires {
            b.push(r.as_ref());
        }
        for v in variants {
            b.start_variant();
            for r in v {
                b.push(r.as_ref());
            }
        }
        b.build()
    }

    /// String `i` (0 is the name, 1 the version).
    #[inline]
    fn string(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn strings(&self, from: usize, to: usize) -> Strings<'_> {
        Strings {
            data: self,
            range: from..to,
        }
    }

    pub fn name(&self) -> &str {
        self.string(0)
    }

    pub fn version(&self) -> &str {
        self.string(1)
    }

    /// The package requirements.
    pub fn requires(&self) -> Strings<'_> {
        let end = self
            .variant_starts
            .first()
            .copied()
            .unwrap_or(self.ends.len());
        self.strings(2, end)
    }

    pub fn num_variants(&self) -> usize {
        self.variant_starts.len()
    }

    /// The requirements of variant `i` (`i < num_variants()`).
    pub fn variant(&self, i: usize) -> Strings<'_> {
        let start = self.variant_starts[i];
        let end = self
            .variant_starts
            .get(i + 1)
            .copied()
            .unwrap_or(self.ends.len());
        self.strings(start, end)
    }

    pub fn variants(&self) -> impl ExactSizeIterator<Item = Strings<'_>> + Clone {
        (0..self.num_variants()).map(|i| self.variant(i))
    }
}

/// A run of a [`PackageData`]'s strings (a requirement list).
#[derive(Clone, Debug)]
pub struct Strings<'a> {
    data: &'a PackageData,
    range: std::ops::Range<usize>,
}

impl<'a> Iterator for Strings<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        self.range.next().map(|i| self.data.string(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl ExactSizeIterator for Strings<'_> {}

/// The requirements of one variant, merged as rez's `RequirementList`,
/// indexed by interned family for the solver.
#[derive(Debug)]
pub struct VariantRequires {
    pub list: RequirementList,
    /// (family, index into `list.requirements()`, key), sorted by family.
    /// Equal keys mean equal requirements (same source text), which lets the
    /// solver cache conflict tests and deduplicate ranges cheaply.
    by_fam: Vec<(FamId, u32, u32)>,
    /// Families of non-conflict requirements (rez's `request_fams`), sorted.
    pub request_fams: Vec<FamId>,
    /// Families of conflict requirements (rez's `conflict_request_fams`), sorted.
    pub conflict_fams: Vec<FamId>,
    /// `request_fams` with their names, sorted by name (rez's extraction order).
    pub request_fams_by_name: Vec<(Arc<str>, FamId)>,
}

/// A key per distinct requirement text; merged requirements get fresh keys.
fn requirement_key(text: Option<&str>) -> u32 {
    static KEYS: OnceLock<Mutex<(HashMap<String, u32>, u32)>> = OnceLock::new();
    let mut keys = KEYS.get_or_init(Default::default).lock().expect("key lock");
    let (map, next) = &mut *keys;
    let fresh = |next: &mut u32| {
        *next += 1;
        *next
    };
    match text {
        Some(t) => match map.get(t) {
            Some(&k) => k,
            None => {
                let k = fresh(next);
                map.insert(t.to_string(), k);
                k
            }
        },
        None => fresh(next),
    }
}

impl VariantRequires {
    /// `sources` are the unmerged requirement texts, in order.
    fn new(list: RequirementList, sources: &[&str]) -> VariantRequires {
        let mut by_fam: Vec<(FamId, u32, u32)> = list
            .requirements()
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut texts = sources.iter().filter(|s| source_name(s) == r.name());
                let only = match (texts.next(), texts.next()) {
                    (Some(t), None) => Some(*t),
                    _ => None,
                };
                (FamId::of(r.name()), i as u32, requirement_key(only))
            })
            .collect();
        by_fam.sort_unstable();
        let fams = |conflict: bool| -> Vec<FamId> {
            by_fam
                .iter()
                .filter(|&&(_, i, _)| list.requirements()[i as usize].conflict() == conflict)
                .map(|&(f, _, _)| f)
                .collect()
        };
        let request_fams = fams(false);
        let conflict_fams = fams(true);
        let mut request_fams_by_name: Vec<(Arc<str>, FamId)> = list
            .requirements()
            .iter()
            .filter(|r| !r.conflict())
            .map(|r| (Arc::from(r.name()), FamId::of(r.name())))
            .collect();
        request_fams_by_name.sort_unstable();
        VariantRequires {
            list,
            by_fam,
            request_fams,
            conflict_fams,
            request_fams_by_name,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Requirement> {
        self.get_fam(FamId::of(name)).map(|(r, _)| r)
    }

    /// The position (for `requirement`) and key of the requirement on `fam`.
    pub fn find_fam(&self, fam: FamId) -> Option<(u32, u32)> {
        self.by_fam
            .binary_search_by(|&(f, _, _)| f.cmp(&fam))
            .ok()
            .map(|pos| (self.by_fam[pos].1, self.by_fam[pos].2))
    }

    pub fn requirement(&self, position: u32) -> &Requirement {
        &self.list.requirements()[position as usize]
    }

    /// The requirement on `fam` and its key.
    pub fn get_fam(&self, fam: FamId) -> Option<(&Requirement, u32)> {
        self.by_fam
            .binary_search_by(|&(f, _, _)| f.cmp(&fam))
            .ok()
            .map(|pos| {
                let (_, i, key) = self.by_fam[pos];
                (&self.list.requirements()[i as usize], key)
            })
    }

    pub fn has_request_fam(&self, fam: FamId) -> bool {
        self.request_fams.binary_search(&fam).is_ok()
    }

    pub fn has_any_fam(&self, fam: FamId) -> bool {
        self.by_fam
            .binary_search_by(|&(f, _, _)| f.cmp(&fam))
            .is_ok()
    }
}

/// The family name a requirement text names (rez's split on `-@#=<>`).
fn source_name(text: &str) -> &str {
    let text = text
        .strip_prefix('!')
        .or_else(|| text.strip_prefix('~'))
        .unwrap_or(text);
    match text.find(['-', '@', '#', '=', '<', '>']) {
        Some(i) => &text[..i],
        None => text,
    }
}

/// One package (family + version) ready for solving.
#[derive(Debug)]
pub struct Package {
    pub name: String,
    pub version: Version,
    pub data: PackageData,
    /// Parsed package-level requirements, or the parse error.
    requires: Result<Vec<Requirement>, String>,
    /// Parsed variant requirement lists; empty when the package has none.
    variants: Result<Vec<Vec<Requirement>>, String>,
    /// Lazily merged requirements per variant slot.
    merged: Vec<OnceLock<Result<VariantRequires, String>>>,
}

/// rez's package-name rule (`is_valid_package_name`): tokens of
/// `[a-zA-Z0-9_]` joined by single dots, and not `__pycache__`.
pub fn is_valid_package_name(name: &str) -> bool {
    let token_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    !name.is_empty()
        && name != "__pycache__"
        && name
            .split('.')
            .all(|t| !t.is_empty() && t.chars().all(token_char))
}

/// Parses requirement strings as rez's package schema does (`PackageRequest`):
/// a valid requirement whose name (less a leading `.` for an ephemeral) is a
/// valid package name. `key` names the field in the error, as rez does.
fn parse_all(reqs: Strings<'_>, key: &str) -> Result<Vec<Requirement>, String> {
    reqs.map(|s| {
        let req =
            Requirement::parse(s).map_err(|e| format!("Validation of key '{key}' failed: {e}"))?;
        let name = if s.starts_with('.') {
            &req.name()[1..]
        } else {
            req.name()
        };
        if !is_valid_package_name(name) {
            return Err(format!(
                "Validation of key '{key}' failed: Not a valid package name: '{name}'"
            ));
        }
        Ok(req)
    })
    .collect()
}

impl Package {
    /// Builds a package; an invalid version is an error now, invalid
    /// requirement strings only when the solver reads them (as in rez).
    pub fn new(data: PackageData) -> Result<Package, String> {
        let version =
            Version::parse(data.version()).map_err(|e| format!("package {}: {e}", data.name()))?;
        let requires = parse_all(data.requires(), "requires");
        let variants = data.variants().map(|v| parse_all(v, "variants")).collect();
        let slots = data.num_variants().max(1);
        Ok(Package {
            name: data.name().to_string(),
            version,
            data,
            requires,
            variants,
            merged: (0..slots).map(|_| OnceLock::new()).collect(),
        })
    }

    /// Number of variants rez sees: a package without variants has one,
    /// whose index is None.
    pub fn num_variants(&self) -> usize {
        self.merged.len()
    }

    pub fn has_variants(&self) -> bool {
        self.data.num_variants() > 0
    }

    /// rez's variant index for variant slot `i`.
    pub fn variant_index(&self, i: usize) -> Option<usize> {
        self.has_variants().then_some(i)
    }

    /// Package requirements followed by those of variant slot `i`, unmerged.
    pub fn variant_requirements(&self, i: usize) -> Result<Vec<Requirement>, String> {
        let mut out = self.requires.clone()?;
        if self.has_variants() {
            let variants = self.variants.as_ref().map_err(Clone::clone)?;
            out.extend(variants[i].iter().cloned());
        }
        Ok(out)
    }

    /// The requirement texts of variant slot `i`: package, then variant.
    fn variant_texts(&self, i: usize) -> impl Iterator<Item = &str> {
        let variant = self.has_variants().then(|| self.data.variant(i));
        self.data.requires().chain(variant.into_iter().flatten())
    }

    /// The merged requirement list of variant slot `i` (rez's
    /// `PackageVariant.requires_list`), or rez's internal-conflict error.
    pub fn requires_of(&self, i: usize) -> Result<&VariantRequires, String> {
        self.merged[i]
            .get_or_init(|| {
                let reqs = self.variant_requirements(i)?;
                let list = RequirementList::try_new(&reqs).map_err(|e| e.to_string())?;
                if list.conflict().is_some() {
                    return Err(format!(
                        "The package {} has an internal requirements conflict: {}",
                        self.variant_label(i),
                        list
                    ));
                }
                let sources: Vec<&str> = self.variant_texts(i).collect();
                Ok(VariantRequires::new(list, &sources))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// `name-version[idx]` as rez prints a `PackageVariant`.
    pub fn variant_label(&self, i: usize) -> String {
        let idx = self
            .variant_index(i)
            .map(|x| x.to_string())
            .unwrap_or_default();
        format!("{}[{idx}]", self.qualified_name())
    }

    /// `name-version` (just `name` for the empty version), as rez's
    /// `VersionedObject`.
    pub fn qualified_name(&self) -> String {
        if self.version.is_truthy() {
            format!("{}-{}", self.name, self.version)
        } else {
            self.name.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_layout() {
        let d = PackageData::new("a", "1.0", ["b", "c-2"], [vec![], vec!["d", ""]]);
        assert_eq!((d.name(), d.version()), ("a", "1.0"));
        assert_eq!(d.requires().collect::<Vec<_>>(), ["b", "c-2"]);
        assert_eq!(d.requires().len(), 2);
        assert_eq!(d.num_variants(), 2);
        assert_eq!(d.variant(0).len(), 0);
        assert_eq!(d.variant(1).collect::<Vec<_>>(), ["d", ""]);
        let same = PackageData::new("a", "1.0", vec!["b", "c-2"], [vec![], vec!["d", ""]]);
        assert_eq!(d, same);
        // the same text split differently is a different record
        let other = PackageData::new("a", "1.0", ["b"], [vec!["c-2"], vec!["d", ""]]);
        assert_ne!(d, other);
        let empty = PackageData::new("", "", [] as [&str; 0], [] as [[&str; 0]; 0]);
        assert_eq!(
            (empty.name(), empty.version(), empty.requires().len()),
            ("", "", 0)
        );
    }

    #[test]
    fn builder_rolls_back_a_failed_string() {
        let mut b = PackageData::builder("a", "1", 0);
        b.push("x");
        assert_eq!(
            b.push_with(|t| {
                t.push_str("junk");
                Err(())
            }),
            Err(())
        );
        b.start_variant();
        b.push_with::<()>(|t| {
            t.push_str("yz");
            Ok(())
        })
        .unwrap();
        let d = b.build();
        assert_eq!(d, PackageData::new("a", "1", ["x"], [["yz"]]));
    }

    #[test]
    fn package_names() {
        for ok in ["maya", "a.b", "_x9", "a_b.c1"] {
            assert!(is_valid_package_name(ok), "{ok}");
        }
        for bad in ["", ".e", "a.", "a..b", "a-b", "__pycache__", "é"] {
            assert!(!is_valid_package_name(bad), "{bad}");
        }
    }

    #[test]
    fn invalid_requirement_names_fail_when_read() {
        let data = PackageData::new("g", "6", ["~.e<=5.1"], [] as [[&str; 0]; 0]);
        let pkg = Package::new(data).unwrap();
        let err = pkg.requires_of(0).unwrap_err();
        assert!(err.contains("Not a valid package name: '.e'"), "{err}");
    }
}
