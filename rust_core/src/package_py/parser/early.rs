//! `@early()` functions, run as rez's loader runs them (`rez.serialise.
//! process_python_objects`): after the whole module has run, each one is
//! called once, with a copy of the module's final globals plus `this` (the
//! package's data) and the defaults rez binds for a load outside a build
//! (`building` and `testing` False, `build_variant_index` 0,
//! `build_variant_requires` []), and its name is bound to what it returns.
//!
//! Only bodies whose result is fixed by the file's text are run: a
//! docstring, `pass`, `x = <value>`, `return <value>`, and `if`/`elif`/
//! `else` over conditions on such values; values are the parser's (literals,
//! names, string building, list `+`, `a if c else b`). Anything else, and
//! anything Python would raise on, declines the file, for it may read the
//! environment, or make rez's load fail.

use super::super::bail::{Bail, Construct};
use super::super::lexer::{is_keyword, Tok};
use super::super::value::{Binding, Items, Value};
use super::{check_target, Module, Parser};

/// Why an `@early` function was left to rez.
const EARLY: Bail = Bail::Unsupported(Construct::EarlyFunction);

/// An `@early()` function found while the module ran.
#[derive(Debug)]
pub(in super::super) struct EarlyDef<'a> {
    /// Where its `@` starts in the source: it is read again from there.
    offset: usize,
    /// The names it assigns (Python makes them local to the whole body).
    locals: Vec<&'a str>,
    /// What it returned, once it has run.
    result: Option<Value<'a>>,
}

/// The state of the function being run.
#[derive(Debug)]
pub(super) struct Frame<'a> {
    local_names: Vec<&'a str>,
    /// The locals assigned so far, latest last.
    locals: Vec<(&'a str, Value<'a>)>,
}

/// Words whose statement could bind a name, or open a scope, in ways the
/// local-name scan does not follow: a body holding one is declined.
fn is_unfollowed_word(name: &str) -> bool {
    matches!(
        name,
        "global"
            | "nonlocal"
            | "for"
            | "while"
            | "import"
            | "from"
            | "with"
            | "lambda"
            | "del"
            | "try"
            | "except"
            | "class"
            | "def"
            | "yield"
            | "await"
            | "async"
            | "as"
            | "match"
            | "case"
    )
}

/// Finds the names a function body assigns, erring towards too many (a
/// name wrongly thought local is only ever read as "unassigned", which
/// declines). Every name before an `=` of its statement counts, so an
/// annotated `x: int = 1` makes both names local.
#[derive(Debug, Default)]
pub(super) struct LocalScan<'a> {
    names: Vec<&'a str>,
    statement: Vec<&'a str>,
    depth: usize,
    /// At the first token of a statement.
    starting: bool,
    /// The statement is an `if`/`elif`/`else` header: its `:` ends it.
    header: bool,
    /// The statement is an `import`: every name in it may be bound.
    importing: bool,
    unfollowed: bool,
}

impl<'a> LocalScan<'a> {
    pub(super) fn token(&mut self, t: Tok<'a>) {
        let starting = std::mem::replace(&mut self.starting, false);
        if starting {
            self.header = matches!(t, Tok::Name("if" | "elif" | "else"));
            self.importing = t == Tok::Name("import");
        }
        match t {
            Tok::Newline | Tok::Indent | Tok::Dedent | Tok::Op(";") => self.end_statement(),
            Tok::Op(":") if self.depth == 0 && self.header => self.end_statement(),
            Tok::Op("(" | "[" | "{") => self.depth += 1,
            Tok::Op(")" | "]" | "}") => self.depth = self.depth.saturating_sub(1),
            // `x = ...`, and `x: T` with or without a value
            Tok::Op("=") if self.depth == 0 => self.names.append(&mut self.statement),
            Tok::Op(":") if self.depth == 0 => self.names.append(&mut self.statement),
            Tok::Op(op)
                if op.len() > 1
                    && op.ends_with('=')
                    && !matches!(op, "==" | "!=" | "<=" | ">=") =>
            {
                self.unfollowed = true; // `x += 1`, `(y := 2)`
            }
            Tok::Name("import" | "as") if self.importing => {}
            // a comprehension's `for` binds in the comprehension's own scope
            Tok::Name("for" | "in") if self.depth > 0 => {}
            Tok::Name(n) if self.importing && !is_keyword(n) => self.names.push(n),
            Tok::Name(n) if is_unfollowed_word(n) => self.unfollowed = true,
            Tok::Name(n) if !is_keyword(n) && self.depth == 0 => self.statement.push(n),
            _ => {}
        }
    }

    fn end_statement(&mut self) {
        self.statement.clear();
        self.starting = true;
        self.header = false;
        self.importing = false;
    }
}

impl<'a> Parser<'a> {
    /// `@early()` then `def name():` and its suite, with `@` current. Other
    /// decorators (`@late`, `@include`, ...) decline: rez keeps those
    /// functions to run later.
    pub(super) fn early_def(&mut self) -> Result<(), Bail> {
        // `@` starts its line at top level: the lexer has just read it
        let offset = self.lexer.pos() - 1;
        if self.lexer.source().as_bytes().get(offset) != Some(&b'@') {
            return Err(Bail::Decorator);
        }
        self.bump(); // @
        match self.peek() {
            Tok::Name("late") => return Err(Bail::Unsupported(Construct::LateFunction)),
            Tok::Name("include") => return Err(Bail::Unsupported(Construct::IncludeDecorator)),
            _ => {}
        }
        for want in [Tok::Name("early"), Tok::Op("("), Tok::Op(")"), Tok::Newline] {
            if self.bump() != want {
                return Err(Bail::Decorator);
            }
        }
        if self.bump() != Tok::Name("def") {
            return Err(Bail::Decorator); // another decorator, or a class
        }
        let name = self.identifier()?;
        check_target(name)?;
        self.expect(Tok::Op("("), Bail::Syntax)?;
        if self.bump() != Tok::Op(")") {
            // rez would pass the package's data as the one argument
            return Err(EARLY);
        }
        self.return_annotation()?;
        self.expect(Tok::Op(":"), Bail::Syntax)?;
        let mut scan = LocalScan {
            starting: true,
            ..LocalScan::default()
        };
        self.skip_suite(|t| scan.token(t))?;
        if scan.unfollowed {
            return Err(EARLY);
        }
        let index = self.module.early.len();
        self.module.early.push(EarlyDef {
            offset,
            locals: scan.names,
            result: None,
        });
        self.module.bind(name, Binding::Early(index));
        Ok(())
    }

    /// A name read inside an `@early` function, before the module's globals
    /// are looked at: its locals, `this.<attr>`, and rez's default objects
    /// (which override globals of the same name). None: a global.
    pub(super) fn function_name(&mut self, name: &'a str) -> Result<Option<Value<'a>>, Bail> {
        let Some(frame) = &self.frame else {
            return Ok(None);
        };
        if frame.local_names.contains(&name) {
            return match frame.locals.iter().rev().find(|(n, _)| *n == name) {
                Some((_, v)) => Ok(Some(v.clone())),
                None => Err(EARLY), // UnboundLocalError
            };
        }
        Ok(Some(match name {
            "this" => self.this_attribute()?,
            "building" | "testing" => Value::Bool(false),
            "build_variant_index" => Value::Int(Some(0)),
            "build_variant_requires" => Value::List(Items::EMPTY),
            _ => return Ok(None),
        }))
    }

    /// An f-string field `ident[.attr]` inside an `@early` function, as
    /// `function_name` reads names. None: a global.
    pub(super) fn function_field(
        &mut self,
        ident: &'a str,
        attr: Option<&'a str>,
    ) -> Result<Option<Value<'a>>, Bail> {
        let is_local = self
            .frame
            .as_ref()
            .is_some_and(|f| f.local_names.contains(&ident));
        match (ident, attr) {
            (_, Some(_)) if is_local => Err(EARLY),
            ("this", Some(attr)) => self.this_value(attr).map(Some),
            (_, Some(_)) => Err(EARLY),
            (ident, None) => match ident {
                // reads no tokens for these names
                "this" if !is_local => Err(EARLY),
                _ => self.function_name(ident),
            },
        }
    }

    /// `this.attr`: the package's data as rez is processing it. Another
    /// `@early` function is its result once it has run (rez runs them in the
    /// data's order, which is binding order), and raises before that:
    /// declined, as are scopes, functions and modules.
    fn this_attribute(&mut self) -> Result<Value<'a>, Bail> {
        if self.bump() != Tok::Op(".") {
            return Err(EARLY);
        }
        let attr = self.identifier()?;
        self.this_value(attr)
    }

    fn this_value(&self, attr: &str) -> Result<Value<'a>, Bail> {
        if self.module.scopes.iter().any(|s| s == attr) {
            return Err(EARLY);
        }
        match self.module.get(attr) {
            Some(Binding::Value(v)) => Ok(v.clone()),
            Some(Binding::Early(i)) => self.module.early[*i].result.clone().ok_or(EARLY),
            _ => Err(EARLY),
        }
    }

    /// Runs the suite after a `:`. Some(value): it returned.
    fn run_suite(&mut self) -> Result<Option<Value<'a>>, Bail> {
        if self.peek() != Tok::Newline {
            return self.run_simple_line();
        }
        self.bump();
        self.expect(Tok::Indent, Bail::Syntax)?;
        loop {
            let returned = match self.peek() {
                Tok::Dedent => {
                    self.bump();
                    return Ok(None);
                }
                Tok::Name("if") => self.run_if()?,
                Tok::End | Tok::Indent => return Err(Bail::Syntax),
                _ => self.run_simple_line()?,
            };
            if returned.is_some() {
                return Ok(returned);
            }
        }
    }

    /// Simple statements separated by `;`, up to the NEWLINE.
    fn run_simple_line(&mut self) -> Result<Option<Value<'a>>, Bail> {
        loop {
            if let Some(v) = self.run_simple_statement()? {
                return Ok(Some(v));
            }
            match self.bump() {
                Tok::Op(";") if self.peek() != Tok::Newline => {}
                Tok::Op(";") => {
                    self.bump();
                    return Ok(None);
                }
                Tok::Newline => return Ok(None),
                _ => return Err(EARLY),
            }
        }
    }

    fn run_simple_statement(&mut self) -> Result<Option<Value<'a>>, Bail> {
        match self.peek() {
            Tok::Name("pass") => {
                self.bump();
                Ok(None)
            }
            Tok::Name("return") => {
                self.bump();
                if matches!(self.peek(), Tok::Newline | Tok::Op(";")) {
                    return Ok(Some(Value::None));
                }
                let value = self.expr_list()?;
                // the statement must end here, as the module's would
                if !matches!(self.peek(), Tok::Newline | Tok::Op(";")) {
                    return Err(EARLY);
                }
                Ok(Some(value))
            }
            Tok::Name(n) if !is_keyword(n) => {
                self.bump();
                if self.bump() != Tok::Op("=") || n == "__debug__" {
                    return Err(EARLY);
                }
                let value = self.expr_list()?;
                if let Some(frame) = &mut self.frame {
                    frame.locals.push((n, value));
                }
                Ok(None)
            }
            Tok::Name("import") => self.run_import().map(|()| None),
            Tok::Str(_) => self.expr_list().map(|_| None), // a docstring
            _ => Err(EARLY),
        }
    }

    /// `import a[.b] [as c], ...` of quiet standard-library modules: no
    /// effect rez could see. The names it binds stay unassigned locals here,
    /// so any use of the module declines.
    fn run_import(&mut self) -> Result<(), Bail> {
        self.bump(); // import
        loop {
            let mut dotted = self.identifier()?.to_string();
            while self.peek() == Tok::Op(".") {
                self.bump();
                dotted.push('.');
                dotted.push_str(self.identifier()?);
            }
            if !super::QUIET_STDLIB_MODULES.contains(&dotted.as_str()) {
                return Err(EARLY);
            }
            if self.peek() == Tok::Name("as") {
                self.bump();
                self.identifier()?;
            }
            if self.peek() != Tok::Op(",") {
                return Ok(());
            }
            self.bump();
        }
    }

    /// `if c: ... [elif c: ...]* [else: ...]`: only the branch taken runs,
    /// and only the conditions up to it are evaluated, as in Python.
    fn run_if(&mut self) -> Result<Option<Value<'a>>, Bail> {
        self.bump(); // if
        let mut taken = self.condition()?;
        self.expect(Tok::Op(":"), EARLY)?;
        if taken {
            if let Some(v) = self.run_suite()? {
                return Ok(Some(v));
            }
        } else {
            self.skip_block()?;
        }
        loop {
            match self.peek() {
                Tok::Name("elif") => {
                    self.bump();
                    if taken {
                        self.skip_condition()?;
                        self.skip_block()?;
                        continue;
                    }
                    taken = self.condition()?;
                    self.expect(Tok::Op(":"), EARLY)?;
                }
                Tok::Name("else") => {
                    self.bump();
                    self.expect(Tok::Op(":"), EARLY)?;
                    if taken {
                        self.skip_block()?;
                        return Ok(None);
                    }
                    return self.run_suite();
                }
                _ => return Ok(None),
            }
            if taken {
                if let Some(v) = self.run_suite()? {
                    return Ok(Some(v));
                }
            } else {
                self.skip_block()?;
            }
        }
    }

    /// `[not]* value [(== | !=) value]`, as Python's truth test takes it.
    pub(super) fn condition(&mut self) -> Result<bool, Bail> {
        let mut negate = false;
        while self.peek() == Tok::Name("not") {
            self.bump();
            negate = !negate;
        }
        let left = self.sum(None)?;
        let result = match self.peek() {
            Tok::Op(op @ ("==" | "!=")) => {
                self.bump();
                let right = self.sum(None)?;
                equal(&left, &right)? == (op == "==")
            }
            _ => truth(&left)?,
        };
        Ok(result != negate)
    }

    /// Passes over a condition that is not evaluated, and its `:`.
    fn skip_condition(&mut self) -> Result<(), Bail> {
        self.skip_to(|t| t == Tok::Op(":"))?;
        self.bump();
        Ok(())
    }

    /// Passes over a suite that is not run (its syntax was checked when the
    /// module ran).
    fn skip_block(&mut self) -> Result<(), Bail> {
        if self.peek() != Tok::Newline {
            loop {
                match self.bump() {
                    Tok::Newline => return Ok(()),
                    Tok::End => return Err(Bail::Syntax),
                    _ => {}
                }
            }
        }
        self.bump();
        self.expect(Tok::Indent, Bail::Syntax)?;
        let mut level = 1usize;
        loop {
            match self.bump() {
                Tok::Indent => level += 1,
                Tok::Dedent => {
                    level -= 1;
                    if level == 0 {
                        return Ok(());
                    }
                }
                Tok::End => return Err(Bail::Syntax),
                _ => {}
            }
        }
    }

    /// Runs the function whose decorator starts the current source: the
    /// value its call returns (None when it falls off its end).
    fn run_function(&mut self) -> Result<Value<'a>, Bail> {
        // the header was checked when the module ran: skip to its `:`
        self.cur = self.lex();
        let mut seen_def = false;
        loop {
            match self.bump() {
                Tok::Name("def") => seen_def = true,
                Tok::Op(":") if seen_def => break,
                Tok::End => return Err(Bail::Syntax),
                _ => {}
            }
        }
        Ok(self.run_suite()?.unwrap_or(Value::None))
    }
}

/// Python's truth value, for the values whose contents are known.
fn truth(v: &Value<'_>) -> Result<bool, Bail> {
    Ok(match v {
        Value::Bool(b) => *b,
        Value::None => false,
        Value::Str(s) => !s.is_empty(),
        Value::Int(Some(i)) => *i != 0,
        Value::Int(None) => true, // beyond 64 bits: not zero
        Value::List(items) | Value::Dict(items) => items.len > 0,
        _ => return Err(EARLY),
    })
}

/// `a == b` where Python's answer is plain: equal types compared by value,
/// a string against anything else unequal. Others (`True == 1`, lists)
/// decline.
fn equal(a: &Value<'_>, b: &Value<'_>) -> Result<bool, Bail> {
    Ok(match (a, b) {
        (Value::Str(a), Value::Str(b)) => a == b,
        (Value::Int(Some(a)), Value::Int(Some(b))) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::None, Value::None) => true,
        (Value::Str(_), Value::Int(_) | Value::Bool(_) | Value::None)
        | (Value::Int(_) | Value::Bool(_) | Value::None, Value::Str(_))
        | (Value::None, Value::Int(_) | Value::Bool(_))
        | (Value::Int(_) | Value::Bool(_), Value::None) => false,
        _ => return Err(EARLY),
    })
}

/// Runs every `@early` function of `module`, in binding order, against the
/// module as it ran (rez gives each a copy of the final globals, where the
/// others are still functions), then binds each name to its result.
pub(super) fn run_early_functions<'a>(
    src: &'a str,
    module: Module<'a>,
) -> Result<Module<'a>, Bail> {
    let calls: Vec<(&'a str, usize)> = module
        .bindings
        .iter()
        .filter_map(|(name, b)| match b {
            Binding::Early(i) => Some((*name, *i)),
            _ => None,
        })
        .collect();
    let mut module = module;
    for &(_, index) in &calls {
        let def = &module.early[index];
        let (offset, locals) = (def.offset, def.locals.clone());
        let mut p = Parser::over(&src[offset..], module);
        p.names_allowed = true;
        p.frame = Some(Frame {
            local_names: locals,
            locals: Vec::new(),
        });
        let value = p.run_function().map_err(|_| EARLY);
        module = p.module;
        module.early[index].result = Some(value?);
    }
    for (name, index) in calls {
        if let Some(value) = module.early[index].result.take() {
            module.bind(name, Binding::Value(value));
        }
    }
    Ok(module)
}
