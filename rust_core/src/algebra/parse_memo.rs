//! Per-thread memos of values parsed from text (versions, requirements,
//! the solver's requirement keys).
//!
//! The packages of a solve repeat the same few requirement and version texts
//! thousands of times (`python-2.7`, `maya-2018`, ...). Parsing each text
//! once per thread and sharing the result (a `Version` clone is a reference
//! count) saves most of a fresh process's parsing and allocation, and the
//! memory the solve touches. The values are immutable, so sharing them is
//! invisible to callers. Each memo is bounded: past `LIMIT` texts it starts
//! over, which costs speed, never correctness.

use std::cell::RefCell;
use std::thread::LocalKey;

use rustc_hash::FxHashMap;

/// Texts kept per memo and thread before it starts over.
const LIMIT: usize = 1 << 18;

pub(crate) type Memo<T> = RefCell<FxHashMap<Box<str>, T>>;

/// Texts an empty memo has room for. Small on purpose: a fresh process's
/// first solve faults in every page of a table it inserts into, and tables
/// sized for a heavy solve (4,096 texts, 256 KiB of buckets each) made a
/// third of a small solve's page faults (request 0: 321, now 195), for
/// a few hundred texts; growing step by step costs heavy solves less.
const INITIAL_CAPACITY: usize = 256;

/// An empty memo, grown as it fills.
pub(crate) fn new_memo<T>() -> Memo<T> {
    RefCell::new(FxHashMap::with_capacity_and_hasher(
        INITIAL_CAPACITY,
        Default::default(),
    ))
}

/// The value parsed from `text`: the memo's, or `parse(text)` remembered
/// when it succeeds (errors are not remembered: they are rare and carry the
/// caller's context). A thread being torn down parses without the memo.
pub(crate) fn parse_memoised<T: Clone, E>(
    memo: &'static LocalKey<Memo<T>>,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, E> {
    let hit = memo
        .try_with(|m| m.borrow().get(text).cloned())
        .ok()
        .flatten();
    if let Some(value) = hit {
        return Ok(value);
    }
    let value = parse(text)?;
    let _ = memo.try_with(|m| {
        // `parse` may itself have used this memo: borrow only now.
        let mut m = m.borrow_mut();
        if m.len() >= LIMIT {
            m.clear();
        }
        m.insert(text.into(), value.clone());
    });
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static LENGTHS: Memo<usize> = new_memo();
    }

    #[test]
    fn remembers_successes_only() {
        let mut calls = 0;
        let mut parse = |t: &str| -> Result<usize, ()> {
            calls += 1;
            if t == "bad" {
                Err(())
            } else {
                Ok(t.len())
            }
        };
        assert_eq!(parse_memoised(&LENGTHS, "abc", &mut parse), Ok(3));
        assert_eq!(parse_memoised(&LENGTHS, "abc", &mut parse), Ok(3));
        assert_eq!(parse_memoised(&LENGTHS, "bad", &mut parse), Err(()));
        assert_eq!(parse_memoised(&LENGTHS, "bad", &mut parse), Err(()));
        assert_eq!(calls, 3);
    }
}
