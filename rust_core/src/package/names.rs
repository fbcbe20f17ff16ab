//! Process-wide interning of package family names, so the solver compares
//! and hashes families as integers.

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// The family name a requirement text names (rez's split on `-@#=<>`,
/// after a leading `!` or `~`; an ephemeral keeps its `.`).
pub fn requirement_name(text: &str) -> &str {
    let text = text
        .strip_prefix('!')
        .or_else(|| text.strip_prefix('~'))
        .unwrap_or(text);
    // the delimiters are ASCII: a byte scan finds them without decoding
    let delimiter = |b: &u8| matches!(b, b'-' | b'@' | b'#' | b'=' | b'<' | b'>');
    match text.bytes().position(|b| delimiter(&b)) {
        Some(i) => &text[..i],
        None => text,
    }
}

/// rez's package-name rule (`PACKAGE_NAME_REGEX`,
/// `[a-zA-Z_0-9](\\.?[a-zA-Z0-9_]+)*`, and not `__pycache__`): ASCII word
/// tokens joined by single dots. Checked bytewise: it runs for every
/// requirement a fresh solve reads.
pub fn is_valid_package_name(name: &str) -> bool {
    let b = name.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut after_dot = true; // no leading dot
    for &c in b {
        if c == b'.' {
            if after_dot {
                return false; // leading or doubled
            }
            after_dot = true;
        } else if word(c) {
            after_dot = false;
        } else {
            return false;
        }
    }
    !after_dot && name != "__pycache__"
}

/// An interned family name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FamId(u32);

#[derive(Default)]
struct Interner {
    ids: HashMap<Arc<str>, FamId>,
    names: Vec<Arc<str>>,
}

fn interner() -> &'static RwLock<Interner> {
    static INTERNER: OnceLock<RwLock<Interner>> = OnceLock::new();
    INTERNER.get_or_init(Default::default)
}

impl FamId {
    pub fn of(name: &str) -> FamId {
        if let Some(&id) = interner().read().expect("interner lock").ids.get(name) {
            return id;
        }
        let mut w = interner().write().expect("interner lock");
        if let Some(&id) = w.ids.get(name) {
            return id;
        }
        let id = FamId(w.names.len() as u32);
        let name: Arc<str> = Arc::from(name);
        w.names.push(name.clone());
        w.ids.insert(name, id);
        id
    }

    /// A dense index (0, 1, 2, ...) for tables indexed by family.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The word and bit standing for this family in a `FamFilter`.
    #[inline]
    fn filter_bit(self) -> (usize, u64) {
        let h = self.0.wrapping_mul(0x9E37_79B9) >> 24; // spread ids over the bits
        ((h as usize >> 6) & 3, 1 << (h & 63))
    }

    pub fn name(self) -> Arc<str> {
        interner().read().expect("interner lock").names[self.0 as usize].clone()
    }
}

/// A 256-bit Bloom-style filter over families: "surely absent" or "maybe".
#[derive(Clone, Copy, Default, Debug)]
pub struct FamFilter([u64; 4]);

impl FamFilter {
    pub fn insert(&mut self, fam: FamId) {
        let (w, b) = fam.filter_bit();
        self.0[w] |= b;
    }

    #[inline]
    pub fn may_contain(&self, fam: FamId) -> bool {
        let (w, b) = fam.filter_bit();
        self.0[w] & b != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        for ok in ["maya", "a.b", "_x9", "a_b.c1", "_", "9", "a.b.c"] {
            assert!(is_valid_package_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            ".e",
            "a.",
            "a..b",
            "a-b",
            "__pycache__",
            "é",
            "a b",
            "a.-",
        ] {
            assert!(!is_valid_package_name(bad), "{bad}");
        }
    }

    #[test]
    fn same_name_same_id() {
        let a = FamId::of("maya");
        assert_eq!(a, FamId::of("maya"));
        assert_ne!(a, FamId::of("nuke"));
        assert_eq!(&*a.name(), "maya");
        let mut filter = FamFilter::default();
        filter.insert(a);
        assert!(filter.may_contain(a));
    }
}
