//! A fast path for the commonest shape of `package.py`: top-level lines of
//! `name = <literal>`, where the literal is a plain string, a decimal integer
//! or a (nested) list of those, with blank and comment lines between them
//! (all but 43 of the 18,226 files of rez's benchmark repository).
//!
//! It builds the same [`Module`] the full tokenizer and parser would, for a
//! strict subset of Python in which their work is trivial. On anything else
//! (another statement or literal, a string with a prefix, an escape or
//! triple quotes, indentation, tabs or form feeds outside strings and
//! comments, a `\r` anywhere it looks, a continuation line, a rebinding the
//! parser would refuse) it gives up and the caller
//! runs the full pipeline, which then decides. So it never bails itself, and
//! never accepts what the full parser would decline or read differently.

use std::borrow::Cow;
use std::cell::RefCell;

use super::parser::{check_target, Module};
use super::value::{int_value, Binding, Items, Value};

/// Nesting deeper than this is left to the full parser.
const MAX_DEPTH: usize = 16;

/// Vectors kept per thread between files, empty: a module's allocations
/// are made once per thread instead of once per file.
#[derive(Default)]
struct Spare {
    bindings: Vec<(&'static str, Binding<'static>)>,
    items: Vec<Value<'static>>,
    pending: Vec<Value<'static>>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// Empties `v` and gives back its allocation for items of another lifetime.
/// (The collect reuses the buffer in place: the types differ only in
/// lifetimes. Were it not to, this would allocate, nothing worse.)
fn relabel<A, B>(mut v: Vec<A>) -> Vec<B> {
    v.clear();
    v.into_iter().map(|_| unreachable!("empty")).collect()
}

/// Spare vectors larger than this are dropped rather than kept.
const SPARE_LIMIT: usize = 1024;

fn keep<A, B>(v: Vec<A>) -> Vec<B> {
    if v.capacity() > SPARE_LIMIT {
        Vec::new()
    } else {
        relabel(v)
    }
}

/// The module bound by `src` (already past [`super::encoding`]), or None
/// when `src` is outside the subset this path reads. Hand the module back
/// with [`recycle`] when done with it.
pub fn parse_simple_module(src: &str) -> Option<Module<'_>> {
    let spare = SPARE.with_borrow_mut(std::mem::take);
    let mut s = Scanner {
        src,
        b: src.as_bytes(),
        pos: 0,
        module: Module {
            bindings: relabel(spare.bindings),
            scopes: Vec::new(),
            items: relabel(spare.items),
            early: Vec::new(),
        },
        pending: relabel(spare.pending),
    };
    let done = s.module();
    let pending = std::mem::take(&mut s.pending);
    SPARE.with_borrow_mut(|spare| spare.pending = keep(pending));
    match done {
        Some(()) => Some(s.module),
        None => {
            recycle(s.module);
            None
        }
    }
}

/// Keeps a module's vectors for the next file on this thread.
pub fn recycle(module: Module<'_>) {
    let Module {
        bindings, items, ..
    } = module;
    SPARE.with_borrow_mut(|spare| {
        spare.bindings = keep(bindings);
        spare.items = keep(items);
    });
}

struct Scanner<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    module: Module<'a>,
    /// Items of the lists still open, innermost last.
    pending: Vec<Value<'a>>,
}

/// The position of the first byte of `b` that is one of `targets`, eight
/// bytes at a time: a byte of `word ^ splat(target)` is zero where the word
/// holds the target; the borrow trick below flags every zero byte, and may
/// also flag bytes above one, so the lowest flag is exact.
#[inline]
fn find_any<const N: usize>(b: &[u8], targets: [u8; N]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    for (k, chunk) in chunks.by_ref().enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        let mut found = 0;
        for t in targets {
            let x = word ^ (LO * u64::from(t));
            found |= x.wrapping_sub(LO) & !x & HI;
        }
        if found != 0 {
            return Some(k * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    let done = b.len() - chunks.remainder().len();
    chunks
        .remainder()
        .iter()
        .position(|c| targets.contains(c))
        .map(|p| done + p)
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skips to the end of a comment (not past its `\n`). A `\r` ends a
    /// comment line in Python: not this path's business.
    fn comment(&mut self) -> Option<()> {
        match find_any(&self.b[self.pos..], [b'\n', b'\r']) {
            Some(i) if self.b[self.pos + i] == b'\r' => None,
            Some(i) => {
                self.pos += i;
                Some(())
            }
            None => {
                self.pos = self.b.len();
                Some(())
            }
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn module(&mut self) -> Option<()> {
        loop {
            // a line: blank (spaces, then a comment or nothing), or a statement
            // starting at column 0
            let line = self.pos;
            self.skip_spaces();
            match self.peek() {
                None => return Some(()),
                Some(b'\n') => {
                    self.pos += 1;
                    continue;
                }
                Some(b'#') => {
                    self.comment()?;
                    continue;
                }
                Some(c) if is_name_start(c) && self.pos == line => {}
                _ => return None,
            }
            self.assignment()?;
            // the rest of the line
            self.skip_spaces();
            match self.peek() {
                None => return Some(()),
                Some(b'\n') => self.pos += 1,
                Some(b'#') => self.comment()?,
                _ => return None,
            }
        }
    }

    fn name(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// `name = <literal>`, with the name current.
    fn assignment(&mut self) -> Option<()> {
        let name = self.name();
        // non-ASCII identifiers, keywords and names the parser refuses to
        // rebind: the full parser decides
        if self.peek().is_some_and(|c| c >= 0x80) || check_target(name).is_err() {
            return None;
        }
        self.skip_spaces();
        if self.peek() != Some(b'=') {
            return None;
        }
        self.pos += 1;
        if self.peek() == Some(b'=') {
            return None; // `==`
        }
        self.skip_spaces();
        let value = self.value(0)?;
        self.module.bind(name, Binding::Value(value));
        Some(())
    }

    fn value(&mut self, depth: usize) -> Option<Value<'a>> {
        match self.peek()? {
            q @ (b'\'' | b'"') => self.string(q),
            b'0'..=b'9' => self.integer(),
            b'[' if depth < MAX_DEPTH => self.list(depth + 1),
            _ => None,
        }
    }

    /// A string without prefix, escapes or triple quotes, on one line.
    fn string(&mut self, quote: u8) -> Option<Value<'a>> {
        let start = self.pos + 1;
        let len = find_any(&self.b[start..], [quote, b'\\', b'\n', b'\r'])?;
        let end = start + len;
        if self.b[end] != quote || (len == 0 && self.b.get(end + 1) == Some(&quote)) {
            return None; // escape, line end, or `'''`
        }
        self.pos = end + 1;
        // adjacent literals concatenate: not handled here
        if matches!(self.peek(), Some(b'\'' | b'"')) {
            return None;
        }
        Some(Value::Str(Cow::Borrowed(&self.src[start..end])))
    }

    /// `0` or a decimal integer without leading zero or underscores.
    fn integer(&mut self) -> Option<Value<'a>> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.b[start] == b'0' && self.pos - start > 1 {
            return None;
        }
        // `1.5`, `1e3`, `1j`, `0x1`, `1_000`, `1if`: the full lexer decides
        if self
            .peek()
            .is_some_and(|c| is_name_char(c) || c == b'.' || c >= 0x80)
        {
            return None;
        }
        let digits = std::str::from_utf8(&self.b[start..self.pos]).ok()?;
        Some(Value::Int(int_value(digits)))
    }

    /// Inside brackets: spaces, newlines and comments are insignificant.
    fn skip_insignificant(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\n') => self.pos += 1,
                Some(b'#') => self.comment()?,
                _ => return Some(()),
            }
        }
    }

    /// `[` item (`,` item)* [`,`] `]`, with `[` current.
    fn list(&mut self, depth: usize) -> Option<Value<'a>> {
        self.pos += 1;
        let mark = self.pending.len();
        loop {
            self.skip_insignificant()?;
            if self.peek() == Some(b']') {
                self.pos += 1;
                break;
            }
            let item = self.value(depth)?;
            self.pending.push(item);
            self.skip_insignificant()?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        // as in the full parser: inner lists were moved out when they closed
        let start = self.module.items.len();
        let len = self.pending.len() - mark;
        self.module.items.extend(self.pending.drain(mark..));
        // `[...]` followed by `[`, `(` or `.` is a subscript, call or attribute
        if matches!(self.peek(), Some(b'[' | b'(' | b'.')) {
            return None;
        }
        Some(Value::List(Items { start, len }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{encoding, parser, schema};
    use super::*;

    /// What the full pipeline gives for `src`.
    fn full(src: &str) -> Result<crate::package::PackageData, super::super::Bail> {
        let text = encoding::python_source(src)?;
        schema::extract(&parser::parse_module(text)?, schema::VersionFallback::None)
    }

    fn fast(src: &str) -> Option<Result<crate::package::PackageData, super::super::Bail>> {
        let text = encoding::python_source(src).ok()?;
        parse_simple_module(text).map(|m| schema::extract(&m, schema::VersionFallback::None))
    }

    #[test]
    fn finds_bytes_like_a_plain_search() {
        let text = b"abc\ndef'gh\\ij\rklmnopqrstuvwxyz\x80\xff\x00'\n";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let b = &text[start..end];
                let plain = |t: &[u8]| b.iter().position(|c| t.contains(c));
                assert_eq!(find_any(b, [b'\n', b'\r']), plain(b"\n\r"));
                assert_eq!(find_any(b, [b'\'', b'\\', b'\n', b'\r']), plain(b"'\\\n\r"));
                assert_eq!(find_any(b, [0x80]), plain(&[0x80]));
                assert_eq!(find_any(b, [0x00]), plain(&[0x00]));
                assert_eq!(find_any(b, [0xff, 0x01]), plain(&[0xff, 0x01]));
            }
        }
    }

    #[test]
    fn reads_the_release_shape() {
        let src = "# -*- coding: utf-8 -*-\n\nname = 'cope'\n\nversion = \"3.79.3\"\n\n\
                   requires = ['bonus-18.2.0+<19']\n\nvariants = [\n    ['wave-2.7', 'cartload-1.1.6'],\n    ['wave-3.6']  # py3\n]\n\n\
                   timestamp = 1600129484\n\nformat_version = 2\n   \n  # note\nx = []";
        assert!(parse_simple_module(src).is_some());
        assert_eq!(fast(src), Some(full(src)));
        let p = full(src).unwrap();
        assert_eq!(
            p.variant(0).collect::<Vec<_>>(),
            ["wave-2.7", "cartload-1.1.6"]
        );
    }

    #[test]
    fn schema_errors_come_from_the_same_checks() {
        for src in [
            "name = 'a'\nversion = '1'\nrequires = [1]\n",
            "name = 'a'\nversion = 1\n",
            "name = 'a'\nversion = 'x..y'\n",
            "name = 'a'\n",
            "name = 'a'\nversion = '1'\nrequires = ['a', 'a']\nrequires = []\n",
            "name = 'a'\nversion = '1'\nvariants = [['b>1'], []]\ntimestamp = '1'\n",
        ] {
            assert!(parse_simple_module(src).is_some(), "{src}");
            assert_eq!(fast(src), Some(full(src)), "{src}");
        }
    }

    #[test]
    fn leaves_everything_else_to_the_full_parser() {
        for src in [
            "name = 'a'\r\nversion = '1'\n",
            "name = 'a' # c\rversion = '1'\n",
            " name = 'a'\n",
            "\tname = 'a'\n",
            "name = r'a'\n",
            "name = 'a\\n'\n",
            "name = '''a'''\n",
            "name = 'a' 'b'\n",
            "name = 'a'; version = '1'\n",
            "name = version = 'a'\n",
            "name = 'a',\n",
            "name == 'a'\n",
            "name = 01\n",
            "name = 1.5\n",
            "name = 1_0\n",
            "name = 1j\n",
            "name = -1\n",
            "name = None\n",
            "name = ['a'][0]\n",
            "name = ['a'].pop()\n",
            "name = ['a'\\\n]\n",
            "name = ['a'\n",
            "name = 'a\n",
            "def f():\n    pass\n",
            "if = 1\n",
            "scope = 1\n",
            "__debug__ = 1\n",
            "naïve = 1\n",
            "name: str = 'a'\n",
            "name += 'a'\n",
            "name = {'a': 1}\n",
            "name = ('a')\n",
            "'''doc'''\n",
            "import os\n",
            "name = [[[[[[[[[[[[[[[[[['a']]]]]]]]]]]]]]]]]]\n",
            "name = [\t'a']\n",
        ] {
            assert!(parse_simple_module(src).is_none(), "{src:?}");
        }
    }

    #[test]
    fn agrees_with_the_full_parser_where_it_reads() {
        for src in [
            "",
            "\n\n# only comments\n",
            "x = 0\ny = 00\n",
            "x = 0\n",
            "a = 'é'\nname = \"ü\"\nversion = '1'\n",
            "name = 'a'\nversion = '1'\nrequires = [\n  # c\n  'b',\n  'c' ,\n]\n",
            "name = 'a'\nversion = '1'\nvariants = [[], ['x'], [['y']]]\n",
            "name = 'a'\nversion = ''\n",
            "name = ''\nversion = '1'",
            "name = 'a'\nname = 'b'\nversion = '1'\nname = 'c'\n",
            "name = 'a'\nversion = '1'\n__x = 1\nformat_version = 'x'\n",
            "name = 'a'\nversion = '1'\nconfig = 1\n",
            "name = 'a'\nversion = '1'\ntests = []\n",
        ] {
            if let Some(r) = fast(src) {
                assert_eq!(r, full(src), "{src:?}");
            }
        }
    }

    /// Every file of the adversarial corpus: where the fast path reads one,
    /// it gives what the full pipeline gives.
    #[test]
    fn agrees_on_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data/package_py_corpus");
        let mut read = 0;
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("corpus entry").path();
            let Ok(src) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Some(r) = fast(&src) {
                assert_eq!(r, full(&src), "{}", path.display());
                read += 1;
            }
        }
        assert!(read > 0);
        println!("fast path read {read} corpus files");
    }

    /// The same over a whole repository (rez's benchmark, say):
    /// `PYRER_PACKAGES_DIR=DIR cargo test -- --ignored fast`.
    #[test]
    #[ignore = "needs PYRER_PACKAGES_DIR"]
    fn agrees_on_a_repository() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("directory").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "py") {
                    out.push(path);
                }
            }
        }
        let dir = std::env::var("PYRER_PACKAGES_DIR").expect("PYRER_PACKAGES_DIR");
        let mut paths = Vec::new();
        walk(std::path::Path::new(&dir), &mut paths);
        let mut read = 0;
        for path in &paths {
            let Ok(src) = std::fs::read_to_string(path) else {
                continue;
            };
            if let Some(r) = fast(&src) {
                assert_eq!(r, full(&src), "{}", path.display());
                read += 1;
            }
        }
        println!("fast path read {read} of {} files", paths.len());
    }
}
