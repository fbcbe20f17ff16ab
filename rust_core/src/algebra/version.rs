//! A rez version: tokens separated by single-character separators.
//!
//! Separators are cosmetic (`1.0` == `1-0`) but are kept for `str()`, which
//! must reproduce the text rez would print. The empty version is the smallest
//! version; `Version::inf()` is rez's internal `Version.inf`, larger than all.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use crate::algebra::error::VersionError;
use crate::algebra::parse_memo::{new_memo, parse_memoised, Memo};
use crate::algebra::token::{cmp_tokens, is_token_char};

/// A shared, immutable version: cloning is a reference-count increment,
/// which matters because the solver copies ranges of versions constantly.
#[derive(Clone)]
pub struct Version(Arc<Repr>);

struct Repr {
    /// The text as rez prints it (tokens joined by their separators).
    text: Box<str>,
    /// Byte spans of the tokens inside `text`.
    spans: Box<[(u32, u32)]>,
    /// rez's `Version.inf` (tokens = None).
    inf: bool,
    /// An order-preserving integer for the common versions (see `fast_key`).
    fast: Option<FastKey>,
    /// An order-preserving byte string for the others (see `order_key`).
    key: Option<OrderKey>,
}

/// Bytes of an order key, stored in the version itself when short (most
/// are): comparing versions is memory-bound, one pointer less matters.
enum OrderKey {
    Inline { len: u8, bytes: [u8; 39] },
    Heap(Box<[u8]>),
}

impl OrderKey {
    fn new(key: &[u8]) -> OrderKey {
        if key.len() <= 39 {
            let mut bytes = [0u8; 39];
            bytes[..key.len()].copy_from_slice(key);
            OrderKey::Inline {
                len: key.len() as u8,
                bytes,
            }
        } else {
            OrderKey::Heap(key.into())
        }
    }

    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            OrderKey::Inline { len, bytes } => &bytes[..*len as usize],
            OrderKey::Heap(b) => b,
        }
    }
}

/// Encodes the token list so that comparing encodings byte-wise orders like
/// rez's token comparison: per token `01`, its subtokens, `00`; an alpha run
/// is `02`, its bytes, `00`; a numeric run is `03`, the length and digits of
/// its value, then a byte that orders equal values by their zero padding as
/// rez does ("01" < "1", but "0" < "00"). None for absurdly long numbers.
fn order_key(text: &str, spans: &[(u32, u32)]) -> Option<OrderKey> {
    thread_local! {
        // Built here, then copied into the version (inline when short): a
        // fresh solve makes thousands of versions, one allocation less each.
        static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let mut key = BUFFER.try_with(std::cell::Cell::take).unwrap_or_default();
    key.clear();
    let made = encode_order_key(text, spans, &mut key).then(|| OrderKey::new(&key));
    let _ = BUFFER.try_with(|b| b.set(key));
    made
}

/// Appends `order_key`'s encoding to `key`; false for absurdly long numbers.
fn encode_order_key(text: &str, spans: &[(u32, u32)], key: &mut Vec<u8>) -> bool {
    for &(a, b) in spans {
        let mut tok = &text.as_bytes()[a as usize..b as usize];
        key.push(0x01);
        while !tok.is_empty() {
            let numeric = tok[0].is_ascii_digit();
            let end = tok
                .iter()
                .position(|c| c.is_ascii_digit() != numeric)
                .unwrap_or(tok.len());
            let (run, rest) = tok.split_at(end);
            if numeric {
                let zeros = run.iter().take_while(|&&c| c == b'0').count();
                let digits = &run[zeros..];
                if digits.len() > 0xFFFF || zeros > 254 {
                    return false;
                }
                key.push(0x03);
                key.extend_from_slice(&(digits.len() as u16).to_be_bytes());
                key.extend_from_slice(digits);
                key.push(if digits.is_empty() {
                    zeros as u8
                } else {
                    0xFF - zeros as u8
                });
            } else {
                key.push(0x02);
                key.extend_from_slice(run);
                key.push(0x00);
            }
            tok = rest;
        }
        key.push(0x00);
    }
    true
}

/// `fast_key`'s 128 bits as two words, high first: ordered as the integer,
/// but 8-byte aligned, so a version is an ordinary allocation (16-byte
/// aligned blocks take the allocator's slow path, see `crate::allocator`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct FastKey([u64; 2]);

impl FastKey {
    fn of(key: u128) -> FastKey {
        FastKey([(key >> 64) as u64, key as u64])
    }
}

/// Packs versions of at most 8 purely numeric tokens (no leading zeros,
/// values below 65535) into one integer that orders exactly like rez: each
/// token becomes value+1 in 16 bits, missing tokens 0, so a shorter version
/// sorts before its extensions ("1" < "1.0").
fn fast_key(text: &str, spans: &[(u32, u32)]) -> Option<FastKey> {
    if spans.len() > 8 {
        return None;
    }
    let mut key: u128 = 0;
    for (i, &(a, b)) in spans.iter().enumerate() {
        let tok = &text.as_bytes()[a as usize..b as usize];
        if tok.len() > 5 || (tok.len() > 1 && tok[0] == b'0') || !tok.iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let value = tok.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
        if value >= 0xFFFF {
            return None;
        }
        key |= u128::from(value + 1) << (16 * (7 - i));
    }
    Some(FastKey::of(key))
}

/// Token spans gathered while parsing: on the stack for the usual handful,
/// so that the version's boxed slice is its only allocation.
#[derive(Default)]
struct SpanBuffer {
    inline: [(u32, u32); 12],
    len: usize,
    spilled: Vec<(u32, u32)>,
}

impl SpanBuffer {
    fn push(&mut self, span: (u32, u32)) {
        if self.len < self.inline.len() {
            self.inline[self.len] = span;
            self.len += 1;
        } else {
            if self.spilled.is_empty() {
                self.spilled.extend_from_slice(&self.inline);
            }
            self.spilled.push(span);
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn boxed(&self) -> Box<[(u32, u32)]> {
        match self.spilled.is_empty() {
            true => self.inline[..self.len].into(),
            false => self.spilled.as_slice().into(),
        }
    }
}

impl Version {
    fn from_parts(text: Box<str>, spans: Box<[(u32, u32)]>, inf: bool) -> Version {
        let fast = if inf { None } else { fast_key(&text, &spans) };
        let key = if inf { None } else { order_key(&text, &spans) };
        Version(Arc::new(Repr {
            text,
            spans,
            inf,
            fast,
            key,
        }))
    }

    /// The empty version `''`.
    pub fn empty() -> Version {
        static EMPTY: OnceLock<Version> = OnceLock::new();
        EMPTY
            .get_or_init(|| Version::from_parts("".into(), Box::new([]), false))
            .clone()
    }

    /// rez's internal infinite version, the upper end of every open range.
    pub fn inf() -> Version {
        static INF: OnceLock<Version> = OnceLock::new();
        INF.get_or_init(|| Version::from_parts("[INF]".into(), Box::new([]), true))
            .clone()
    }

    /// Parses a version string exactly as `rez.version.Version(s)` does:
    /// tokens of `[a-zA-Z0-9_]`, separated by exactly one other character
    /// (any character, not only `.` and `-`), no leading or trailing separator.
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        if s.is_empty() {
            return Ok(Version::empty());
        }
        thread_local! {
            static PARSED: Memo<Version> = new_memo();
        }
        parse_memoised(&PARSED, s, Version::parse_new)
    }

    fn parse_new(s: &str) -> Result<Version, VersionError> {
        // spans on the stack: the boxed slice below is their one allocation
        let mut spans = SpanBuffer::default();
        let mut start: Option<usize> = None;
        let mut sep_chars = 0usize; // characters since the last token
        let mut bad_sep = false;
        for (i, c) in s.char_indices() {
            if is_token_char(c) {
                if start.is_none() {
                    if spans.is_empty() && i > 0 {
                        bad_sep = true; // text before the first token
                    }
                    if sep_chars > 1 {
                        bad_sep = true;
                    }
                    start = Some(i);
                    sep_chars = 0;
                }
            } else {
                if let Some(st) = start.take() {
                    spans.push((st as u32, i as u32));
                }
                sep_chars += 1;
            }
        }
        if let Some(st) = start {
            spans.push((st as u32, s.len() as u32));
        }
        if spans.is_empty() {
            return Err(VersionError::new(format!("Invalid version: '{s}'")));
        }
        if bad_sep || sep_chars > 0 {
            return Err(VersionError::new(format!("Invalid version syntax: '{s}'")));
        }
        Ok(Version::from_parts(s.into(), spans.boxed(), false))
    }

    pub fn is_inf(&self) -> bool {
        self.0.inf
    }

    /// rez's truthiness: false for the empty version and for `inf`.
    pub fn is_truthy(&self) -> bool {
        !self.0.spans.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.spans.is_empty()
    }

    pub fn tokens(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.0
            .spans
            .iter()
            .map(move |&(a, b)| &self.0.text[a as usize..b as usize])
    }

    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// rez's `Version.next()`: the smallest version greater than this one
    /// (its last token gains a trailing `_`); the empty version's next is inf.
    pub fn next(&self) -> Version {
        if self.0.inf || self.0.spans.is_empty() {
            return Version::inf();
        }
        let mut text = String::with_capacity(self.0.text.len() + 1);
        text.push_str(&self.0.text);
        text.push('_');
        let mut spans = self.0.spans.to_vec();
        if let Some(last) = spans.last_mut() {
            last.1 += 1;
        }
        Version::from_parts(text.into(), spans.into_boxed_slice(), false)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        if let (Some(a), Some(b)) = (self.0.fast, other.0.fast) {
            return a == b;
        }
        if let (Some(a), Some(b)) = (&self.0.key, &other.0.key) {
            return a.as_bytes() == b.as_bytes();
        }
        self.0.inf == other.0.inf
            && self.0.spans.len() == other.0.spans.len()
            && self.tokens().zip(other.tokens()).all(|(a, b)| a == b)
    }
}

impl Eq for Version {}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            return Ordering::Equal;
        }
        if let (Some(a), Some(b)) = (self.0.fast, other.0.fast) {
            return a.cmp(&b);
        }
        if let (Some(a), Some(b)) = (&self.0.key, &other.0.key) {
            return a.as_bytes().cmp(b.as_bytes());
        }
        match (self.0.inf, other.0.inf) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.tokens().zip(other.tokens()) {
            if a != b {
                return cmp_tokens(a, b);
            }
        }
        self.0.spans.len().cmp(&other.0.spans.len())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.inf.hash(state);
        for t in self.tokens() {
            t.hash(state);
        }
        self.0.spans.len().hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text)
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({:?})", &*self.0.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn a_version_is_an_ordinary_allocation() {
        // no more than pointer alignment: see `FastKey`
        assert!(std::mem::align_of::<Repr>() <= std::mem::size_of::<usize>());
        let keys = [0u128, 1, 1 << 64, (1 << 64) + 1, u128::MAX >> 1, u128::MAX];
        for a in keys {
            for b in keys {
                assert_eq!(FastKey::of(a).cmp(&FastKey::of(b)), a.cmp(&b), "{a} {b}");
            }
        }
    }

    #[test]
    fn separators_are_cosmetic() {
        assert_eq!(v("1.0"), v("1-0"));
        assert_eq!(v("1.0").to_string(), "1.0");
        assert_eq!(v("1 2").to_string(), "1 2");
        assert_eq!(v("1é2").len(), 2);
    }

    #[test]
    fn rejects_what_rez_rejects() {
        for bad in ["1..2", ".1", "1.", " ", "..", "é", "1\n"] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ordering() {
        assert!(v("") < v("0"));
        assert!(v("1") < v("1.0"));
        assert!(v("1.9") < v("1.10"));
        assert!(v("1.0") < Version::inf());
        assert!(v("1.alpha") < v("1.0"));
    }

    #[test]
    fn fast_keys_order_like_tokens() {
        let vs = [
            "",
            "0",
            "0.0",
            "0.1",
            "1",
            "1.0",
            "1.0.0",
            "1.2",
            "1.10",
            "2",
            "65534",
            "10.4.3.2.1.0.9.8",
        ];
        for a in vs {
            for b in vs {
                let (x, y) = (v(a), v(b));
                assert!(x.0.fast.is_some() && y.0.fast.is_some(), "{a} {b}");
                let slow = slow_cmp(&x, &y);
                assert_eq!(x.cmp(&y), slow, "{a} vs {b}");
                assert_eq!(x == y, slow == Ordering::Equal, "{a} == {b}");
            }
        }
        for no_key in ["01", "1.a", "65535", "1.2.3.4.5.6.7.8.9", "100000"] {
            assert!(v(no_key).0.fast.is_none(), "{no_key}");
        }
    }

    /// rez's comparison, token by token, without the precomputed keys.
    fn slow_cmp(x: &Version, y: &Version) -> Ordering {
        x.tokens()
            .zip(y.tokens())
            .map(|(p, q)| cmp_tokens(p, q))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or_else(|| x.len().cmp(&y.len()))
    }

    #[test]
    fn long_versions_keep_every_token() {
        // past the stack buffer's dozen tokens, and past the inline order key
        let text: Vec<String> = (1..=30).map(|i| format!("a{i}")).collect();
        let long = v(&text.join("."));
        assert_eq!(long.tokens().collect::<Vec<_>>(), text);
        assert_eq!(long.as_str(), text.join("."));
        let shorter = v(&text[..29].join("-"));
        assert!(shorter < long && long > v("a1.a2") && v("a1.a3") > long);
    }

    #[test]
    fn order_keys_order_like_tokens() {
        let vs = [
            "",
            "0",
            "00",
            "000",
            "01",
            "001",
            "1",
            "1a",
            "1_",
            "a",
            "A",
            "_",
            "a1",
            "a01",
            "a1b",
            "alpha",
            "alpha3",
            "beta",
            "1.0",
            "1-0",
            "1.0.0",
            "1.a",
            "1.a.0",
            "2.0rc1",
            "2.0rc01",
            "2.0",
            "2.0b",
            "10",
            "9",
            "gamma33",
            "33gamma",
            "1.2_",
            "1.2.0",
            "65535",
            "100000",
            "4.18.1.m1",
            "4.18.1.m10",
            "8.33.0.amazon_intros",
            "8.33.0.amazon_intros_",
        ];
        for a in vs {
            for b in vs {
                let (x, y) = (v(a), v(b));
                assert_eq!(x.cmp(&y), slow_cmp(&x, &y), "{a} vs {b}");
                assert_eq!(x == y, slow_cmp(&x, &y) == Ordering::Equal, "{a} == {b}");
            }
        }
    }

    #[test]
    fn next_appends_underscore() {
        assert_eq!(v("1.2").next().to_string(), "1.2_");
        // "1.2" as a range is [1.2, 1.2_): it holds 1.2.0 but not 1.3.
        assert!(v("1.2").next() > v("1.2.0"));
        assert!(v("1.2").next() < v("1.3"));
        assert!(Version::empty().next().is_inf());
    }
}
