//! A tokenizer for Python source, faithful to CPython 3.11's on the parts the
//! static parser relies on: logical lines, indentation (including the tab
//! consistency rules), bracket nesting, comments, line continuations, string
//! and number literals and operators.
//!
//! Anything CPython would reject at tokenization is a `Bail::Syntax`; anything
//! we choose not to model (non-ASCII identifiers, for example) is
//! `Bail::Unsupported`. String bodies are not decoded here (see `literal`).

use super::bail::{Bail, Construct};

/// The kind of a numeric literal: all the schema checks need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumKind {
    Int,
    Float,
    Imaginary,
}

/// A string literal token: its prefix flags and the text between the quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrLit<'a> {
    pub raw: bool,
    pub bytes: bool,
    pub format: bool,
    pub body: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok<'a> {
    /// An identifier or keyword (ASCII only).
    Name(&'a str),
    /// A number literal and its text.
    Number(NumKind, &'a str),
    Str(StrLit<'a>),
    /// An operator or delimiter.
    Op(&'a str),
    Newline,
    Indent,
    Dedent,
    End,
}

/// Python 3.11's hard keywords.
pub fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "False"
            | "None"
            | "True"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

/// What the start of a physical line produced.
enum LineStart<'a> {
    Eof,
    /// A blank or comment-only line, consumed.
    Blank,
    /// A logical line starts here, possibly after an INDENT or DEDENT.
    Token(Option<Tok<'a>>),
}

const OPS1: &[u8] = b"+-*/%@&|^~<>()[]{},:.;=";

/// Deeper bracket nesting than this is rejected by CPython's tokenizer.
const MAX_BRACKET_DEPTH: usize = 200;
/// CPython's limit on indentation levels.
const MAX_INDENT: usize = 100;

/// All tokens of `src`, ending with `End` (for tests; the parser streams).
#[cfg(test)]
pub fn tokenize(src: &str) -> Result<Vec<Tok<'_>>, Bail> {
    let mut lexer = Lexer::new(src);
    let mut toks = Vec::new();
    loop {
        let t = lexer.next_tok();
        if let Some(e) = lexer.error() {
            return Err(e);
        }
        toks.push(t);
        if t == Tok::End {
            return Ok(toks);
        }
    }
}

/// Produces tokens one at a time, so no token list is ever built.
#[derive(Clone)]
pub struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Open brackets, innermost last: `brackets[..depth]`.
    brackets: [u8; MAX_BRACKET_DEPTH],
    depth: usize,
    /// Indentation levels above column 0: (column with tabs to 8, column
    /// with tabs to 1).
    indents: Vec<(u32, u32)>,
    at_line_start: bool,
    /// DEDENTs still owed (one line can close several blocks).
    pending_dedents: usize,
    /// A token other than NEWLINE was the last one: EOF must close the line.
    line_open: bool,
    error: Option<Bail>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src,
            b: src.as_bytes(),
            pos: 0,
            brackets: [0; MAX_BRACKET_DEPTH],
            depth: 0,
            indents: Vec::new(),
            at_line_start: true,
            pending_dedents: 0,
            line_open: false,
            error: None,
        }
    }

    /// A lexer for text that starts inside an open bracket `open` (so line
    /// breaks join lines), such as the rest of a list display.
    pub fn within_brackets(src: &'a str, open: u8) -> Self {
        let mut lexer = Lexer::new(src);
        lexer.brackets[0] = open;
        lexer.depth = 1;
        lexer.at_line_start = false;
        lexer
    }

    /// The byte offset just past the last token read.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The text being tokenized.
    pub fn source(&self) -> &'a str {
        self.src
    }

    fn peek(&self, off: usize) -> u8 {
        self.b.get(self.pos + off).copied().unwrap_or(0)
    }

    /// Consumes a newline (`\n`, `\r\n` or `\r`) at `pos`, if any.
    fn eat_newline(&mut self) -> bool {
        match self.peek(0) {
            b'\n' => {
                self.pos += 1;
                true
            }
            b'\r' => {
                self.pos += if self.peek(1) == b'\n' { 2 } else { 1 };
                true
            }
            _ => false,
        }
    }

    fn skip_comment(&mut self) {
        while self.pos < self.b.len() && !matches!(self.b[self.pos], b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    /// The next token; after the last one, or after an error (see
    /// [`Lexer::error`]), `End` forever. Errors are kept aside so the token
    /// itself is all that is returned: this is the parser's hottest call.
    #[inline(always)]
    pub fn next_tok(&mut self) -> Tok<'a> {
        if self.error.is_some() {
            return Tok::End;
        }
        match self.scan() {
            Ok(t) => {
                self.line_open = !matches!(t, Tok::Newline | Tok::Dedent | Tok::End);
                t
            }
            Err(e) => {
                self.error = Some(e);
                Tok::End
            }
        }
    }

    /// Why tokenizing stopped early, if it did.
    pub fn error(&self) -> Option<Bail> {
        self.error
    }

    #[inline(always)]
    fn scan(&mut self) -> Result<Tok<'a>, Bail> {
        if self.pending_dedents > 0 {
            self.pending_dedents -= 1;
            return Ok(Tok::Dedent);
        }
        loop {
            if self.at_line_start && self.depth == 0 {
                match self.line_start()? {
                    LineStart::Eof => return self.end_of_input(),
                    LineStart::Blank => continue,
                    LineStart::Token(None) => {}
                    LineStart::Token(Some(t)) => return Ok(t),
                }
            }
            while matches!(self.peek(0), b' ' | b'\t' | b'\x0c') {
                self.pos += 1;
            }
            if self.pos >= self.b.len() {
                return self.end_of_input();
            }
            let c = self.b[self.pos];
            return match c {
                b'#' => {
                    self.skip_comment();
                    continue;
                }
                b'\n' | b'\r' => {
                    self.eat_newline();
                    if self.depth != 0 {
                        continue;
                    }
                    self.at_line_start = true;
                    Ok(Tok::Newline)
                }
                b'\\' => {
                    self.pos += 1;
                    if !self.eat_newline() {
                        return Err(Bail::Syntax);
                    }
                    if self.pos >= self.b.len() {
                        // "unexpected EOF while parsing"
                        return Err(Bail::Syntax);
                    }
                    continue;
                }
                b'"' | b'\'' => self.string(self.pos, false, false, false),
                b'0'..=b'9' => self.number(),
                b'.' if self.peek(1).is_ascii_digit() => self.number(),
                _ if is_ident_start(c) => self.name(),
                _ if c >= 0x80 => Err(Bail::Unsupported(Construct::NonAsciiIdentifier)),
                _ => self.op(),
            };
        }
    }

    /// At end of input: close the logical line, the blocks, then `End`.
    fn end_of_input(&mut self) -> Result<Tok<'a>, Bail> {
        if self.depth != 0 {
            return Err(Bail::Syntax);
        }
        self.at_line_start = false;
        if self.line_open {
            return Ok(Tok::Newline);
        }
        if self.indents.pop().is_some() {
            return Ok(Tok::Dedent);
        }
        Ok(Tok::End)
    }

    /// Handles the start of a physical line outside brackets: skips blank and
    /// comment-only lines, emits INDENT/DEDENT.
    fn line_start(&mut self) -> Result<LineStart<'a>, Bail> {
        let (mut col, mut alt) = (0u32, 0u32);
        loop {
            match self.peek(0) {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                b'\x0c' => {
                    col = 0;
                    alt = 0;
                }
                _ => break,
            }
            self.pos += 1;
        }
        if self.pos >= self.b.len() {
            return Ok(LineStart::Eof);
        }
        match self.b[self.pos] {
            b'#' => {
                self.skip_comment();
                self.eat_newline();
                return Ok(LineStart::Blank);
            }
            b'\n' | b'\r' => {
                self.eat_newline();
                return Ok(LineStart::Blank);
            }
            // A continuation before the first token of a logical line: legal
            // but odd enough that we do not model it.
            b'\\' => return Err(Bail::Unsupported(Construct::LineContinuationAtLineStart)),
            _ => {}
        }
        self.at_line_start = false;
        let (top, top_alt) = self.indents.last().copied().unwrap_or((0, 0));
        if col == top {
            if alt != top_alt {
                return Err(Bail::Syntax); // TabError
            }
            Ok(LineStart::Token(None))
        } else if col > top {
            if alt <= top_alt {
                return Err(Bail::Syntax); // TabError
            }
            if self.indents.len() + 1 >= MAX_INDENT {
                return Err(Bail::Syntax);
            }
            self.indents.push((col, alt));
            Ok(LineStart::Token(Some(Tok::Indent)))
        } else {
            let mut closed = 0;
            while col < self.indents.last().map_or(0, |t| t.0) {
                self.indents.pop();
                closed += 1;
            }
            if self.indents.last().copied().unwrap_or((0, 0)) != (col, alt) {
                return Err(Bail::Syntax); // unindent does not match / TabError
            }
            self.pending_dedents = closed - 1;
            Ok(LineStart::Token(Some(Tok::Dedent)))
        }
    }

    fn name(&mut self) -> Result<Tok<'a>, Bail> {
        let start = self.pos;
        while self.pos < self.b.len() && is_ident_char(self.b[self.pos]) {
            self.pos += 1;
        }
        if self.peek(0) >= 0x80 {
            return Err(Bail::Unsupported(Construct::NonAsciiIdentifier));
        }
        let word = &self.src[start..self.pos];
        if matches!(self.peek(0), b'"' | b'\'') {
            let lower = word.to_ascii_lowercase();
            let (raw, bytes, format) = match lower.as_str() {
                "r" => (true, false, false),
                "u" => (false, false, false),
                "b" => (false, true, false),
                "br" | "rb" => (true, true, false),
                "f" => (false, false, true),
                "fr" | "rf" => (true, false, true),
                _ => return Err(Bail::Syntax),
            };
            return self.string(self.pos, raw, bytes, format);
        }
        Ok(Tok::Name(word))
    }

    /// Lexes a string literal whose opening quote is at `q`.
    fn string(&mut self, q: usize, raw: bool, bytes: bool, format: bool) -> Result<Tok<'a>, Bail> {
        let quote = self.b[q];
        let triple = self.b.get(q + 1) == Some(&quote) && self.b.get(q + 2) == Some(&quote);
        let open = if triple { 3 } else { 1 };
        let start = q + open;
        let mut i = start;
        let n = self.b.len();
        let end = loop {
            if i >= n {
                return Err(Bail::Syntax); // unterminated string
            }
            let c = self.b[i];
            if c == b'\\' {
                i += if self.b.get(i + 1) == Some(&b'\r') && self.b.get(i + 2) == Some(&b'\n') {
                    3
                } else {
                    2
                };
                continue;
            }
            if c == quote {
                if !triple {
                    break i;
                }
                if self.b.get(i + 1) == Some(&quote) && self.b.get(i + 2) == Some(&quote) {
                    break i;
                }
            } else if !triple && (c == b'\n' || c == b'\r') {
                return Err(Bail::Syntax);
            }
            i += 1;
        };
        if end > n {
            return Err(Bail::Syntax);
        }
        self.pos = end + open;
        Ok(Tok::Str(StrLit {
            raw,
            bytes,
            format,
            body: &self.src[start..end],
        }))
    }

    /// `digit (_? digit)*`; returns whether any digit was non-zero.
    fn digit_part(&mut self, radix: u32) -> Result<bool, Bail> {
        if !(self.peek(0) as char).is_digit(radix) {
            return Err(Bail::Syntax);
        }
        let mut nonzero = false;
        loop {
            let c = self.peek(0);
            if (c as char).is_digit(radix) {
                nonzero |= c != b'0';
                self.pos += 1;
            } else if c == b'_' && (self.peek(1) as char).is_digit(radix) {
                self.pos += 1;
            } else if c == b'_' {
                return Err(Bail::Syntax);
            } else {
                return Ok(nonzero);
            }
        }
    }

    fn exponent(&mut self) -> Result<(), Bail> {
        self.pos += 1; // e / E
        if matches!(self.peek(0), b'+' | b'-') {
            self.pos += 1;
        }
        self.digit_part(10).map(|_| ())
    }

    fn number(&mut self) -> Result<Tok<'a>, Bail> {
        let start = self.pos;
        let first = self.peek(0);
        let kind =
            if first == b'0' && matches!(self.peek(1), b'x' | b'X' | b'o' | b'O' | b'b' | b'B') {
                let radix = match self.peek(1) {
                    b'x' | b'X' => 16,
                    b'o' | b'O' => 8,
                    _ => 2,
                };
                self.pos += 2;
                if self.peek(0) == b'_' {
                    self.pos += 1;
                }
                self.digit_part(radix)?;
                NumKind::Int
            } else {
                let mut kind = NumKind::Int;
                let mut leading_zero_int = false;
                if first == b'.' {
                    self.pos += 1;
                    self.digit_part(10)?;
                    kind = NumKind::Float;
                } else {
                    let nonzero = self.digit_part(10)?;
                    leading_zero_int = first == b'0' && nonzero;
                    if self.peek(0) == b'.' {
                        self.pos += 1;
                        kind = NumKind::Float;
                        if self.peek(0).is_ascii_digit() {
                            self.digit_part(10)?;
                        }
                    }
                }
                if matches!(self.peek(0), b'e' | b'E') {
                    self.exponent()?;
                    kind = NumKind::Float;
                }
                if matches!(self.peek(0), b'j' | b'J') {
                    self.pos += 1;
                    kind = NumKind::Imaginary;
                }
                if leading_zero_int && kind == NumKind::Int {
                    return Err(Bail::Syntax); // "leading zeros ... are not permitted"
                }
                kind
            };
        let next = self.peek(0);
        if is_ident_char(next) || next >= 0x80 {
            // `1if x else y` is legal (with a warning); `1abc` is not. Decline both.
            return Err(Bail::Unsupported(Construct::NumberFollowedByName));
        }
        Ok(Tok::Number(kind, &self.src[start..self.pos]))
    }

    fn op(&mut self) -> Result<Tok<'a>, Bail> {
        let (c0, c1, c2) = (self.peek(0), self.peek(1), self.peek(2));
        let len = match (c0, c1) {
            (b'*', b'*') | (b'/', b'/') | (b'>', b'>') | (b'<', b'<') => {
                if c2 == b'=' {
                    3
                } else {
                    2
                }
            }
            (b'.', b'.') if c2 == b'.' => 3,
            (b'<', b'>') => return Err(Bail::Syntax),
            (b'-', b'>') => 2,
            (
                b'<' | b'>' | b'=' | b'!' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^'
                | b'@' | b':',
                b'=',
            ) => 2,
            _ if OPS1.contains(&c0) => 1,
            _ => return Err(Bail::Syntax),
        };
        let op: &'a str = &self.src[self.pos..self.pos + len];
        self.pos += len;
        match op.as_bytes()[0] {
            c @ (b'(' | b'[' | b'{') if op.len() == 1 => {
                if self.depth >= MAX_BRACKET_DEPTH {
                    return Err(Bail::Syntax);
                }
                self.brackets[self.depth] = c;
                self.depth += 1;
            }
            c @ (b')' | b']' | b'}') => {
                let open = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if self.depth == 0 || self.brackets[self.depth - 1] != open {
                    return Err(Bail::Syntax);
                }
                self.depth -= 1;
            }
            _ => {}
        }
        Ok(Tok::Op(op))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        tokenize(src).unwrap()
    }

    #[test]
    fn simple_assignment() {
        assert_eq!(
            kinds("name = 'foo'\n"),
            vec![
                Tok::Name("name"),
                Tok::Op("="),
                Tok::Str(StrLit {
                    raw: false,
                    bytes: false,
                    format: false,
                    body: "foo"
                }),
                Tok::Newline,
                Tok::End
            ]
        );
    }

    #[test]
    fn brackets_join_lines_and_continuations_work() {
        let t = kinds("x = [\n  'a',\n\n  # c\n  'b']\ny = \\\n 1");
        assert_eq!(t.iter().filter(|t| **t == Tok::Newline).count(), 2);
        assert!(!t.contains(&Tok::Indent));
    }

    #[test]
    fn indentation() {
        let t = kinds("def f():\n    x = 1\n\n    if x:\n\t    y = 2\nz = 3\n");
        assert_eq!(t.iter().filter(|t| **t == Tok::Indent).count(), 2);
        assert_eq!(t.iter().filter(|t| **t == Tok::Dedent).count(), 2);
        assert_eq!(tokenize("if x:\n    a\n  b\n"), Err(Bail::Syntax));
        // 8 spaces vs one tab: equal columns with tabsize 8, different with 1
        assert_eq!(tokenize("if x:\n        a\n\tb\n"), Err(Bail::Syntax));
    }

    #[test]
    fn crlf_and_cr_are_newlines() {
        let t = kinds("a = 1\r\nb = 2\rc = 3");
        assert_eq!(t.iter().filter(|t| **t == Tok::Newline).count(), 3);
    }

    #[test]
    fn strings() {
        let t = kinds("x = rb'\\'' + '''a\n'b'''\n");
        match t[2] {
            Tok::Str(s) => assert!(s.raw && s.bytes && s.body == "\\'"),
            _ => panic!(),
        }
        match t[4] {
            Tok::Str(s) => assert_eq!(s.body, "a\n'b"),
            _ => panic!(),
        }
        assert_eq!(tokenize("x = 'abc\n'"), Err(Bail::Syntax));
        assert_eq!(tokenize("x = '''abc"), Err(Bail::Syntax));
        assert_eq!(tokenize("x = ur'a'"), Err(Bail::Syntax));
        assert!(tokenize("x = 'a\\\nb'").is_ok());
    }

    #[test]
    fn numbers() {
        for ok in [
            "0", "00", "0_0", "1_000", "0x_ff", "0o17", "0b1", "1.", ".5", "1e5", "1.5j", "0777.5",
            "09e1", "0j",
        ] {
            assert!(tokenize(ok).is_ok(), "{ok}");
        }
        for bad in ["0777", "1__0", "1_", "0x", "1e", "0b2", "01"] {
            assert_eq!(tokenize(bad), Err(Bail::Syntax), "{bad}");
        }
        assert!(tokenize("10L").is_err());
        assert_eq!(kinds("1.5")[0], Tok::Number(NumKind::Float, "1.5"));
        assert_eq!(kinds("2j")[0], Tok::Number(NumKind::Imaginary, "2j"));
        assert_eq!(kinds("0x_ff")[0], Tok::Number(NumKind::Int, "0x_ff"));
    }

    #[test]
    fn bad_tokens() {
        for bad in [
            "a = $",
            "a = `x`",
            "a <> b",
            "a = (]",
            "a = (",
            "a = )",
            "a ! b",
            "x = 1 \\ 2",
        ] {
            assert!(tokenize(bad).is_err(), "{bad}");
        }
        assert_eq!(
            tokenize("é = 1"),
            Err(Bail::Unsupported(Construct::NonAsciiIdentifier))
        );
    }
}
