//! Process-wide interning of package family names, so the solver compares
//! and hashes families as integers.

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, OnceLock, RwLock};

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

    /// A bit standing for this family in a 64-bit family filter.
    #[inline]
    pub fn bit(self) -> u64 {
        1 << (self.0 & 63)
    }

    pub fn name(self) -> Arc<str> {
        interner().read().expect("interner lock").names[self.0 as usize].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_id() {
        let a = FamId::of("maya");
        assert_eq!(a, FamId::of("maya"));
        assert_ne!(a, FamId::of("nuke"));
        assert_eq!(&*a.name(), "maya");
    }
}
