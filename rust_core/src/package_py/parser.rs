//! The statement-level parser: turns the token stream of a static
//! `package.py` into the names it binds at top level, mirroring what
//! `exec` would leave in rez's globals dict.
//!
//! Accepted statements: literal assignments (`a = b = <literal>`), literal
//! expression statements (docstrings), `pass`, plain `def`s (body checked,
//! not run) and `with scope("...") [as x]:` blocks of literal assignments.
//! Everything else bails.

use super::bail::Bail;
use super::body;
use super::lexer::{is_keyword, NumKind, Tok};
use super::literal;
use super::value::{Binding, Value};

/// Deeper literal nesting than this is declined (CPython allows up to ~200).
const MAX_NESTING: usize = 100;

/// Names rez's loader puts in the globals; rebinding one changes how the rest
/// of the file behaves.
fn is_loader_name(name: &str) -> bool {
    matches!(
        name,
        "scope" | "early" | "late" | "include" | "ModifyList" | "InvalidPackageError"
    )
}

/// The result of running a static module.
#[derive(Debug, Default)]
pub struct Module<'a> {
    /// Top-level names in binding order; a rebinding replaces in place.
    pub bindings: Vec<(&'a str, Binding<'a>)>,
    /// Names of top-level `with scope("name")` blocks (each becomes a dict).
    pub scopes: Vec<String>,
}

impl<'a> Module<'a> {
    pub fn get(&self, name: &str) -> Option<&Binding<'a>> {
        self.bindings
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b)
    }

    fn bind(&mut self, name: &'a str, value: Binding<'a>) {
        match self.bindings.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.bindings.push((name, value)),
        }
    }
}

pub fn parse_module<'a>(toks: &[Tok<'a>]) -> Result<Module<'a>, Bail> {
    let mut p = Parser {
        t: toks,
        i: 0,
        depth: 0,
        module: Module::default(),
        alias: None,
    };
    p.module()?;
    Ok(p.module)
}

struct Parser<'t, 'a> {
    t: &'t [Tok<'a>],
    i: usize,
    depth: usize,
    module: Module<'a>,
    /// The `as` name of the innermost enclosing scope block.
    alias: Option<&'a str>,
}

fn starts_literal(t: &Tok<'_>) -> bool {
    match t {
        Tok::Str(_) | Tok::Number(_) => true,
        Tok::Name(n) => matches!(*n, "True" | "False" | "None"),
        Tok::Op(op) => matches!(*op, "(" | "[" | "{" | "-" | "+" | "..."),
        _ => false,
    }
}

fn is_augmented(op: &str) -> bool {
    matches!(
        op,
        "+=" | "-="
            | "*="
            | "/="
            | "//="
            | "%="
            | "@="
            | "&="
            | "|="
            | "^="
            | ">>="
            | "<<="
            | "**="
    )
}

impl<'t, 'a> Parser<'t, 'a> {
    fn peek(&self) -> Tok<'a> {
        self.t.get(self.i).copied().unwrap_or(Tok::End)
    }

    fn peek_at(&self, off: usize) -> Tok<'a> {
        self.t.get(self.i + off).copied().unwrap_or(Tok::End)
    }

    fn bump(&mut self) -> Tok<'a> {
        let t = self.peek();
        if t != Tok::End {
            self.i += 1;
        }
        t
    }

    fn expect(&mut self, want: Tok<'_>, otherwise: Bail) -> Result<(), Bail> {
        if self.bump() == want {
            Ok(())
        } else {
            Err(otherwise)
        }
    }

    /// A name that may be bound: an identifier, not a keyword.
    fn identifier(&mut self) -> Result<&'a str, Bail> {
        match self.bump() {
            Tok::Name(n) if !is_keyword(n) => Ok(n),
            _ => Err(Bail::Syntax),
        }
    }

    fn module(&mut self) -> Result<(), Bail> {
        loop {
            match self.peek() {
                Tok::End => return Ok(()),
                Tok::Newline => {
                    self.i += 1;
                }
                Tok::Indent | Tok::Dedent => return Err(Bail::Syntax),
                Tok::Op("@") => return Err(Bail::Decorator),
                Tok::Name("def") => self.def()?,
                Tok::Name("with") => {
                    let name = self.with_scope()?;
                    self.module.scopes.push(name);
                }
                Tok::Name("import" | "from") => return Err(Bail::Import),
                Tok::Name(
                    "if" | "elif" | "else" | "for" | "while" | "try" | "except" | "finally"
                    | "class" | "async" | "return" | "raise" | "assert" | "del" | "global"
                    | "nonlocal" | "break" | "continue" | "yield" | "await",
                ) => return Err(Bail::ControlFlow),
                _ => self.simple_line(false)?,
            }
        }
    }

    /// Simple statements separated by `;`, up to and including the NEWLINE.
    fn simple_line(&mut self, in_scope: bool) -> Result<(), Bail> {
        loop {
            if in_scope {
                self.scope_statement()?;
            } else {
                self.simple_statement()?;
            }
            match self.bump() {
                Tok::Op(";") => {
                    if self.peek() == Tok::Newline {
                        self.bump();
                        return Ok(());
                    }
                }
                Tok::Newline => return Ok(()),
                Tok::Op("=") | Tok::Op(":") => return Err(Bail::NonLiteral),
                Tok::Op(op) if is_augmented(op) => return Err(Bail::AugmentedAssignment),
                _ => return Err(Bail::NonLiteral),
            }
        }
    }

    fn simple_statement(&mut self) -> Result<(), Bail> {
        match (self.peek(), self.peek_at(1)) {
            (Tok::Name("pass"), _) => {
                self.bump();
                Ok(())
            }
            (Tok::Name(n), Tok::Op("=")) if !is_keyword(n) => {
                let mut targets = Vec::with_capacity(1);
                while let (Tok::Name(n), Tok::Op("=")) = (self.peek(), self.peek_at(1)) {
                    if is_keyword(n) {
                        return Err(Bail::Syntax);
                    }
                    if n == "__debug__" {
                        return Err(Bail::Syntax);
                    }
                    if is_loader_name(n) {
                        return Err(Bail::Unsupported("rebinds a loader name"));
                    }
                    targets.push(n);
                    self.i += 2;
                }
                let value = self.expr_list()?;
                let last = targets.len() - 1;
                let mut value = Some(value);
                for (k, target) in targets.into_iter().enumerate() {
                    let v = if k == last {
                        value.take().unwrap_or(Value::None)
                    } else {
                        value.clone().unwrap_or(Value::None)
                    };
                    self.module.bind(target, Binding::Value(v));
                }
                Ok(())
            }
            (Tok::Name(n), Tok::Op(op)) if !is_keyword(n) && is_augmented(op) => {
                Err(Bail::AugmentedAssignment)
            }
            (Tok::Name(n), Tok::Op(":")) if !is_keyword(n) => {
                Err(Bail::Unsupported("annotated assignment"))
            }
            (t, _) if starts_literal(&t) => self.expr_list().map(|_| ()),
            _ => Err(Bail::NonLiteral),
        }
    }

    /// `def name(a, b):` followed by a body that is checked but not run.
    fn def(&mut self) -> Result<(), Bail> {
        self.bump(); // def
        let name = self.identifier()?;
        if is_loader_name(name) {
            return Err(Bail::Unsupported("rebinds a loader name"));
        }
        if super::schema::def_would_change_data(name) {
            return Err(Bail::Unsupported("def of a package attribute"));
        }
        self.expect(Tok::Op("("), Bail::Syntax)?;
        let mut params: Vec<&str> = Vec::new();
        if self.peek() != Tok::Op(")") {
            loop {
                match self.bump() {
                    Tok::Name(p) if !is_keyword(p) => {
                        if params.contains(&p) {
                            return Err(Bail::Syntax); // duplicate argument
                        }
                        params.push(p);
                    }
                    _ => return Err(Bail::Unsupported("function parameters")),
                }
                match self.bump() {
                    Tok::Op(",") if self.peek() == Tok::Op(")") => break,
                    Tok::Op(",") => {}
                    Tok::Op(")") => {
                        self.i -= 1;
                        break;
                    }
                    _ => return Err(Bail::Unsupported("function parameters")),
                }
            }
        }
        self.expect(Tok::Op(")"), Bail::Syntax)?;
        if self.peek() == Tok::Op("->") {
            // The annotation is evaluated at `def` time: only `None` is known safe.
            self.bump();
            if self.bump() != Tok::Name("None") {
                return Err(Bail::Unsupported("return annotation"));
            }
        }
        self.expect(Tok::Op(":"), Bail::Syntax)?;
        self.skip_suite()?;
        self.module.bind(name, Binding::Function);
        Ok(())
    }

    /// Skips (and checks) the suite after a `:` that is compiled, not run.
    fn skip_suite(&mut self) -> Result<(), Bail> {
        if self.peek() == Tok::Newline {
            self.bump();
            self.expect(Tok::Indent, Bail::Syntax)?;
            let start = self.i;
            let mut level = 1usize;
            loop {
                match self.bump() {
                    Tok::Indent => level += 1,
                    Tok::Dedent => {
                        level -= 1;
                        if level == 0 {
                            break;
                        }
                    }
                    Tok::End => return Err(Bail::Syntax),
                    _ => {}
                }
            }
            body::check_block(&self.t[start..self.i - 1])
        } else {
            let start = self.i;
            loop {
                match self.bump() {
                    Tok::Newline => break,
                    Tok::End | Tok::Indent | Tok::Dedent => return Err(Bail::Syntax),
                    _ => {}
                }
            }
            if self.i - 1 == start {
                return Err(Bail::Syntax); // `def f():` then nothing
            }
            body::check_inline(&self.t[start..self.i - 1])
        }
    }

    /// `with scope("name") [as x]:` and its block. Returns the scope name.
    ///
    /// rez's `_Scope.__exit__` moves every name bound in the block into the
    /// scope's dict and restores the module globals, so the block's own
    /// assignments never reach the top level.
    fn with_scope(&mut self) -> Result<String, Bail> {
        self.bump(); // with
        if self.bump() != Tok::Name("scope") {
            return Err(Bail::Unsupported("with statement"));
        }
        self.expect(Tok::Op("("), Bail::Unsupported("with statement"))?;
        let name = match self.string_atom()? {
            Value::Str(s) => s.into_owned(),
            _ => return Err(Bail::Unsupported("with statement")),
        };
        self.expect(Tok::Op(")"), Bail::Unsupported("with statement"))?;
        let alias = if self.peek() == Tok::Name("as") {
            self.bump();
            let a = self.identifier()?;
            if is_loader_name(a) || a == "__debug__" {
                return Err(Bail::Unsupported("rebinds a loader name"));
            }
            Some(a)
        } else {
            None
        };
        self.expect(Tok::Op(":"), Bail::Unsupported("with statement"))?;
        let saved = std::mem::replace(&mut self.alias, alias);
        let result = self.scope_suite();
        self.alias = saved;
        result?;
        Ok(name)
    }

    fn scope_suite(&mut self) -> Result<(), Bail> {
        if self.peek() == Tok::Newline {
            self.bump();
            self.expect(Tok::Indent, Bail::Syntax)?;
            loop {
                match self.peek() {
                    Tok::Dedent => {
                        self.bump();
                        return Ok(());
                    }
                    Tok::Name("with") => {
                        self.with_scope()?;
                    }
                    Tok::End | Tok::Indent => return Err(Bail::Syntax),
                    _ => self.simple_line(true)?,
                }
            }
        } else {
            self.simple_line(true)
        }
    }

    /// One statement inside a scope block: `pass`, a literal, `x = <literal>`
    /// or `alias.attr = <literal>`.
    fn scope_statement(&mut self) -> Result<(), Bail> {
        match (self.peek(), self.peek_at(1)) {
            (Tok::Name("pass"), _) => {
                self.bump();
                Ok(())
            }
            (Tok::Name(n), Tok::Op("=")) if !is_keyword(n) => {
                if is_loader_name(n) || Some(n) == self.alias || n == "__debug__" {
                    return Err(Bail::Unsupported("statement in scope block"));
                }
                self.i += 2;
                self.expr_list().map(|_| ())
            }
            (Tok::Name(n), Tok::Op(".")) if Some(n) == self.alias => {
                self.i += 2;
                match (self.bump(), self.bump()) {
                    (Tok::Name(attr), Tok::Op("=")) if !is_keyword(attr) => {
                        self.expr_list().map(|_| ())
                    }
                    _ => Err(Bail::Unsupported("statement in scope block")),
                }
            }
            (t, _) if starts_literal(&t) => self.expr_list().map(|_| ()),
            _ => Err(Bail::Unsupported("statement in scope block")),
        }
    }

    fn enter(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Bail::Unsupported("deep nesting"));
        }
        Ok(())
    }

    /// `expr (, expr)* [,]`: a bare tuple when there is a comma.
    fn expr_list(&mut self) -> Result<Value<'a>, Bail> {
        let first = self.expr()?;
        if self.peek() != Tok::Op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.peek() == Tok::Op(",") {
            self.bump();
            if !starts_literal(&self.peek()) {
                break;
            }
            items.push(self.expr()?);
        }
        Ok(Value::Tuple(items))
    }

    /// Adjacent string literals, concatenated.
    fn string_atom(&mut self) -> Result<Value<'a>, Bail> {
        let Tok::Str(first) = self.bump() else {
            return Err(Bail::NonLiteral);
        };
        let mut text = literal::decode(&first)?;
        while let Tok::Str(lit) = self.peek() {
            self.bump();
            if lit.bytes != first.bytes {
                return Err(Bail::Syntax); // cannot mix bytes and nonbytes literals
            }
            literal::decode_into(&lit, text.to_mut())?;
        }
        Ok(if first.bytes {
            Value::Bytes
        } else {
            Value::Str(text)
        })
    }

    fn expr(&mut self) -> Result<Value<'a>, Bail> {
        self.enter()?;
        let v = self.atom();
        self.depth -= 1;
        v
    }

    fn atom(&mut self) -> Result<Value<'a>, Bail> {
        match self.peek() {
            Tok::Str(_) => return self.string_atom(),
            Tok::Op("-" | "+") => {
                // only signed numbers are literals we accept
                while matches!(self.peek(), Tok::Op("-" | "+")) {
                    self.bump();
                }
                return match self.bump() {
                    Tok::Number(NumKind::Int) => Ok(Value::Int),
                    Tok::Number(NumKind::Float) => Ok(Value::Float),
                    Tok::Number(NumKind::Imaginary) => Ok(Value::Complex),
                    _ => Err(Bail::NonLiteral),
                };
            }
            _ => {}
        }
        match self.bump() {
            Tok::Number(NumKind::Int) => Ok(Value::Int),
            Tok::Number(NumKind::Float) => Ok(Value::Float),
            Tok::Number(NumKind::Imaginary) => Ok(Value::Complex),
            Tok::Name("True" | "False") => Ok(Value::Bool),
            Tok::Name("None") => Ok(Value::None),
            Tok::Op("...") => Ok(Value::Ellipsis),
            Tok::Op("(") => {
                if self.peek() == Tok::Op(")") {
                    self.bump();
                    return Ok(Value::Tuple(Vec::new()));
                }
                let first = self.expr()?;
                match self.bump() {
                    Tok::Op(")") => Ok(first),
                    Tok::Op(",") => {
                        let mut items = vec![first];
                        loop {
                            if self.peek() == Tok::Op(")") {
                                self.bump();
                                return Ok(Value::Tuple(items));
                            }
                            items.push(self.expr()?);
                            match self.bump() {
                                Tok::Op(",") => {}
                                Tok::Op(")") => return Ok(Value::Tuple(items)),
                                _ => return Err(Bail::NonLiteral),
                            }
                        }
                    }
                    _ => Err(Bail::NonLiteral),
                }
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                loop {
                    if self.peek() == Tok::Op("]") {
                        self.bump();
                        return Ok(Value::List(items));
                    }
                    items.push(self.expr()?);
                    match self.bump() {
                        Tok::Op(",") => {}
                        Tok::Op("]") => return Ok(Value::List(items)),
                        _ => return Err(Bail::NonLiteral),
                    }
                }
            }
            Tok::Op("{") => {
                if self.peek() == Tok::Op("}") {
                    self.bump();
                    return Ok(Value::Dict);
                }
                loop {
                    let key = self.expr()?;
                    match self.bump() {
                        Tok::Op(":") => {}
                        Tok::Op("," | "}") => return Err(Bail::Unsupported("set literal")),
                        _ => return Err(Bail::NonLiteral),
                    }
                    if !matches!(key, Value::Str(_)) {
                        // A non-str key is unhashable (TypeError) or crashes
                        // rez's post-processing (`k.startswith`).
                        return Err(Bail::Unsupported("non-str dict key"));
                    }
                    self.expr()?;
                    match self.bump() {
                        Tok::Op(",") => {
                            if self.peek() == Tok::Op("}") {
                                self.bump();
                                return Ok(Value::Dict);
                            }
                        }
                        Tok::Op("}") => return Ok(Value::Dict),
                        _ => return Err(Bail::NonLiteral),
                    }
                }
            }
            _ => Err(Bail::NonLiteral),
        }
    }
}
