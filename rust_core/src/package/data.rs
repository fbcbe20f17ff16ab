//! The plain package record (`PackageData`): name, version, requirement
//! strings, variants and release timestamp, as Python, the parser and the
//! memo hand them over.

/// The plain input record, as given by Python (`PackageData`): name,
/// version, requirement strings and variants.
///
/// All its strings live back to back in one buffer (name, version, the
/// package requirements, then each variant's), so a record costs two or three
/// allocations however many requirements it has, and is cheap to build from
/// borrowed text (the parser, a binary memo). Equal contents give equal
/// records.
#[derive(Clone, Debug, Default)]
pub struct PackageData {
    text: String,
    /// The end offset in `text` of each string, in order.
    ends: Vec<usize>,
    /// The index (into `ends`) of each variant's first string.
    variant_starts: Vec<usize>,
    /// rez's `timestamp` (release time, epoch seconds); 0 when the package
    /// has none (rez treats both alike: `not package.timestamp`).
    timestamp: i64,
    /// Whether every requirement string is known to pass rez's package
    /// schema (the static parser and the memo check them when they write),
    /// which spares the solver checking them again in each process. Not
    /// part of the record's value: equality ignores it.
    checked: bool,
}

impl PartialEq for PackageData {
    fn eq(&self, other: &PackageData) -> bool {
        (&self.text, &self.ends, &self.variant_starts, self.timestamp)
            == (
                &other.text,
                &other.ends,
                &other.variant_starts,
                other.timestamp,
            )
    }
}

impl Eq for PackageData {}

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

    /// Sets the package's release timestamp (0: none).
    pub fn set_timestamp(&mut self, timestamp: i64) {
        self.data.timestamp = timestamp;
    }

    /// Appends a whole requirement layout at once, as the memo stores it:
    /// strings back to back in `text`, string `i` ending at `ends[i]`
    /// (ascending offsets on char boundaries), variant `j` starting at string
    /// `variant_starts[j]`. For a builder holding only name and version.
    pub fn extend_packed(&mut self, text: &str, ends: &[usize], variant_starts: &[usize]) {
        debug_assert_eq!(self.data.ends.len(), 2, "only name and version so far");
        debug_assert!(ends.windows(2).all(|w| w[0] <= w[1]) && ends.last() <= Some(&text.len()));
        let base = self.data.text.len();
        self.data.text.push_str(text);
        self.data.ends.extend(ends.iter().map(|e| e + base));
        let first = self.data.ends.len() - ends.len();
        self.data
            .variant_starts
            .extend(variant_starts.iter().map(|i| i + first));
    }

    /// Records that every requirement string was checked against rez's
    /// package schema (see [`PackageData::requirements_checked`]).
    pub fn mark_checked(&mut self) {
        self.data.checked = true;
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
        PackageData::builder_for(name, version, text_capacity, 6)
    }

    /// A builder with room for `text_capacity` bytes of text and `strings`
    /// requirement strings: a record whose size is known (a memo hit) is
    /// built without growing a buffer.
    pub fn builder_for(
        name: &str,
        version: &str,
        text_capacity: usize,
        strings: usize,
    ) -> PackageDataBuilder {
        let mut text = String::with_capacity(text_capacity.max(name.len() + version.len()));
        text.push_str(name);
        let name_end = text.len();
        text.push_str(version);
        let mut ends = Vec::with_capacity(2 + strings);
        ends.extend([name_end, text.len()]);
        PackageDataBuilder {
            data: PackageData {
                text,
                ends,
                variant_starts: Vec::new(),
                timestamp: 0,
                checked: false,
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

    /// rez's `timestamp`: release time in epoch seconds, 0 for none.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Whether every requirement string (package and variants) is known to
    /// parse as rez's package schema requires: set only by writers that
    /// checked them.
    pub fn requirements_checked(&self) -> bool {
        self.checked
    }

    /// Whether `other` has the same requirement strings, package and
    /// variants, split the same way (name, version and timestamp aside), and
    /// the same `checked` mark: then everything derived from requirements
    /// is the same for both.
    pub fn same_requirements(&self, other: &PackageData) -> bool {
        let (a, b) = (self.ends[1], other.ends[1]);
        self.checked == other.checked
            && self.variant_starts == other.variant_starts
            && self.ends.len() == other.ends.len()
            && self.text[a..] == other.text[b..]
            && self.ends[2..]
                .iter()
                .zip(&other.ends[2..])
                .all(|(x, y)| x - a == y - b)
    }

    /// This record with `timestamp` as its release time.
    pub fn with_timestamp(mut self, timestamp: i64) -> PackageData {
        self.timestamp = timestamp;
        self
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
    fn same_requirements_ignores_name_version_and_timestamp_only() {
        let reqs = ["b", "c-2"];
        let variants = [vec!["d"], vec!["e", "f"]];
        let d = PackageData::new("a", "1.0", reqs, variants.clone());
        let other = PackageData::new("zz", "10.0.1", reqs, variants.clone()).with_timestamp(5);
        assert!(d.same_requirements(&other) && other.same_requirements(&d));
        let moved = PackageData::new("a", "1.0", ["b"], [vec!["c-2", "d"], vec!["e", "f"]]);
        assert!(
            !d.same_requirements(&moved),
            "the same text split differently"
        );
        let split = PackageData::new("a", "1.0", reqs, [vec!["d", "e"], vec!["f"]]);
        assert!(!d.same_requirements(&split), "variants split differently");
        let joined = PackageData::new("a", "1.0", ["bc-2"], variants.clone());
        assert!(!d.same_requirements(&joined), "strings joined");
        let changed = PackageData::new("a", "1.0", ["b", "c-3"], variants.clone());
        assert!(!d.same_requirements(&changed));
        let mut b = PackageData::builder("a", "1.0", 0);
        reqs.iter().for_each(|r| b.push(r));
        for v in &variants {
            b.start_variant();
            v.iter().for_each(|r| b.push(r));
        }
        b.mark_checked();
        assert!(!d.same_requirements(&b.build()), "checked differs");
    }

    #[test]
    fn a_packed_layout_is_the_same_record() {
        let mut b = PackageData::builder("a", "1.0", 0);
        // "b", "c-2" | (no strings) | "d", "", "é"
        b.extend_packed("bc-2dé", &[1, 4, 5, 5, 7], &[2, 2]);
        let packed = b.build();
        let built = PackageData::new("a", "1.0", ["b", "c-2"], [vec![], vec!["d", "", "é"]]);
        assert_eq!(packed, built);
        assert_eq!(packed.variant(1).collect::<Vec<_>>(), ["d", "", "é"]);
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
}
