//! List comprehensions, `[item for name in iterable if condition]`, over a
//! list whose items are known: Python evaluates the iterable once, in the
//! enclosing scope, then the conditions and the item once per element with
//! `name` bound in the comprehension's own scope. The parser streams its
//! tokens, so the item and conditions are read again from the source for
//! each element. Tuple targets, nested `for`s and anything Python could
//! raise on decline.

use super::super::bail::Bail;
use super::super::lexer::{is_keyword, Lexer, Tok};
use super::super::value::{Items, Value};
use super::Parser;

impl<'a> Parser<'a> {
    /// Called after the first item of a list display was read (`item`, an
    /// error if it could not be; `restart`, the lexer just after the `[`): if a
    /// `for` follows, evaluates the comprehension whose text starts at
    /// `start` and returns its list. None: an ordinary list display, to be
    /// read on.
    pub(super) fn comprehension(
        &mut self,
        start: usize,
        mark: usize,
        item: &Result<Value<'a>, Bail>,
        restart: Lexer<'a>,
    ) -> Result<Option<Value<'a>>, Bail> {
        if let Err(e) = item {
            // the item may have failed only for want of its loop variable:
            // look for a `for` from the item's start
            if self.lexer.error().is_some() {
                return Err(*e);
            }
            self.pending.truncate(mark);
            self.lexer = restart;
            self.cur = self.lex(); // the item's first token
            if !self.skip_to_for() {
                return Err(*e);
            }
        } else if self.peek() != Tok::Name("for") {
            return Ok(None);
        }
        self.bump(); // for
        let name = match self.bump() {
            Tok::Name(n) if !is_keyword(n) => n,
            _ => return Err(Bail::NonLiteral), // a tuple target, or worse
        };
        if self.bump() != Tok::Name("in") {
            return Err(Bail::NonLiteral);
        }
        let iterable = match self.sum(None)? {
            Value::List(items) => items,
            _ => return Err(Bail::NonLiteral),
        };
        // conditions are read again per element; only check they end
        while self.peek() == Tok::Name("if") {
            self.bump();
            self.skip_condition_in_brackets()?;
        }
        if self.bump() != Tok::Op("]") {
            return Err(Bail::NonLiteral); // a nested `for`, or a syntax error
        }
        let elements: Vec<Value<'a>> = self.module.items(iterable).to_vec();
        let mut out = Vec::with_capacity(elements.len());
        for element in elements {
            if let Some(v) = self.comprehension_item(start, name, element)? {
                out.push(v);
            }
        }
        let start = self.module.items.len();
        let len = out.len();
        self.module.items.extend(out);
        Ok(Some(Value::List(Items { start, len })))
    }

    /// Passes over the rest of a failed item, to a `for` at this bracket's
    /// level (true) or the item's end (false).
    fn skip_to_for(&mut self) -> bool {
        let end = |t| {
            matches!(
                t,
                Tok::Name("for") | Tok::Op(",") | Tok::Op(")" | "]" | "}")
            )
        };
        self.skip_to(end).is_ok() && self.peek() == Tok::Name("for")
    }

    /// Passes over an `if` condition of a comprehension, up to the next
    /// `if`, `for` or the closing `]`.
    fn skip_condition_in_brackets(&mut self) -> Result<(), Bail> {
        self.skip_to(|t| matches!(t, Tok::Name("if" | "for") | Tok::Op("]")))
    }

    /// One element: the item's value with `name` bound to `element`, or
    /// None when a condition filters it out.
    fn comprehension_item(
        &mut self,
        start: usize,
        name: &'a str,
        element: Value<'a>,
    ) -> Result<Option<Value<'a>>, Bail> {
        let src = self.lexer.source();
        let mut p = Parser::over(&src[start..], std::mem::take(&mut self.module));
        p.lexer = Lexer::within_brackets(&src[start..], b'[');
        p.names_allowed = true;
        p.depth = self.depth;
        p.frame = self.frame.take();
        p.loop_vars = std::mem::take(&mut self.loop_vars);
        p.loop_vars.push((name, element));
        p.cur = p.lex();
        let result = p.run_comprehension_item();
        p.loop_vars.pop();
        self.loop_vars = std::mem::take(&mut p.loop_vars);
        self.frame = p.frame.take();
        self.module = std::mem::take(&mut p.module);
        result
    }

    fn run_comprehension_item(&mut self) -> Result<Option<Value<'a>>, Bail> {
        let item = self.expr()?;
        // `for name in iterable`: the iterable was evaluated once already
        if self.bump() != Tok::Name("for") {
            return Err(Bail::NonLiteral);
        }
        self.skip_condition_in_brackets()?;
        let mut keep = true;
        while self.peek() == Tok::Name("if") {
            self.bump();
            // Python stops at the first false condition; later ones must
            // still be read, but are not evaluated
            if keep {
                keep = self.condition()?;
            } else {
                self.skip_condition_in_brackets()?;
            }
        }
        if self.peek() != Tok::Op("]") {
            return Err(Bail::NonLiteral); // more to a condition than we read
        }
        Ok(keep.then_some(item))
    }
}
