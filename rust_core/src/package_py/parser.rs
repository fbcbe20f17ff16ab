//! The statement-level parser: turns the token stream of a static
//! `package.py` into the names it binds at top level, mirroring what
//! `exec` would leave in rez's globals dict.
//!
//! Accepted statements: assignments (`a = b = <value>`), literal expression
//! statements (docstrings), `pass`, plain `def`s (body checked, not run),
//! `@early()` functions with static bodies (`early`, run once the module
//! has), `with scope("...") [as x]:` blocks of literal assignments, quiet
//! imports, and loader names re-read from `globals()`. Values are literals,
//! names bound above, string building (`strings`), f-strings with plain
//! fields, list `+`, conditional expressions and list comprehensions
//! (`comprehension`). Everything else bails.

use super::bail::{Bail, Construct};
use super::body::BodyCheck;
use super::fields;
use std::borrow::Cow;

use super::lexer::{is_keyword, Lexer, NumKind, StrLit, Tok};
use super::literal;
use super::strings;
use super::value::{int_value, Binding, Items, Value};

mod comprehension;
mod early;
use early::{EarlyDef, Frame};

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
    /// The items of every list literal, each list contiguous.
    pub items: Vec<Value<'a>>,
    /// The `@early()` functions, run once the whole module has run.
    pub(super) early: Vec<EarlyDef<'a>>,
}

impl<'a> Module<'a> {
    pub fn items(&self, list: Items) -> &[Value<'a>] {
        &self.items[list.start..list.start + list.len]
    }

    pub fn get(&self, name: &str) -> Option<&Binding<'a>> {
        self.bindings
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b)
    }

    pub(super) fn bind(&mut self, name: &'a str, value: Binding<'a>) {
        match self.bindings.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.bindings.push((name, value)),
        }
    }
}

/// Runs the static module in `src`. A tokenizer error anywhere wins over
/// any other reason to bail, as it would when Python compiles the file.
pub fn parse_module(src: &str) -> Result<Module<'_>, Bail> {
    let module = Module {
        bindings: Vec::with_capacity(8),
        scopes: Vec::new(),
        // sized for a typical file's requires and variants: one
        // allocation each instead of a series of regrowths
        items: Vec::with_capacity(16),
        early: Vec::new(),
    };
    let mut p = Parser::over(src, module);
    p.cur = p.lex();
    let result = p.module();
    if let Some(e) = p.lexer.error() {
        return Err(e);
    }
    result?;
    if p.module.early.is_empty() {
        Ok(p.module)
    } else {
        early::run_early_functions(src, p.module)
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    /// The current token: one token of lookahead is all the grammar needs.
    cur: Tok<'a>,
    depth: usize,
    module: Module<'a>,
    /// The `as` name of the innermost enclosing scope block.
    alias: Option<&'a str>,
    /// The names of the enclosing scope blocks, outermost first: rez keeps
    /// one scope object per such path, shared by every block that opens it.
    scope_path: Vec<String>,
    /// Names bound plainly in the innermost block (rez moves them into the
    /// scope's data when the block ends).
    block_names: Vec<&'a str>,
    /// (scope path, attribute path) set to a value so far: reading through
    /// one later fails in rez (`c.a = 1` then `c.a.b = 2`).
    set_paths: Vec<(Vec<String>, Vec<&'a str>)>,
    /// Items of the list literals still open, innermost last.
    pending: Vec<Value<'a>>,
    /// The `@early` function being run, if any: its locals.
    frame: Option<Frame<'a>>,
    /// The variables of the list comprehensions being evaluated, innermost last.
    loop_vars: Vec<(&'a str, Value<'a>)>,
    /// `scope` was imported from `rez.utils.lint_helper` (so it is None).
    scope_rebound: bool,
    /// A top-level assignment's value is being read: names bound to strings
    /// so far, and string building over them, are values (`strings`).
    names_allowed: bool,
}

/// Standard-library modules whose import has no effect a package file could
/// see, in every Python rez 3 runs on.
const QUIET_STDLIB_MODULES: [&str; 24] = [
    "os",
    "os.path",
    "sys",
    "re",
    "platform",
    "json",
    "glob",
    "shutil",
    "getpass",
    "socket",
    "datetime",
    "time",
    "string",
    "textwrap",
    "itertools",
    "functools",
    "collections",
    "copy",
    "math",
    "subprocess",
    "fnmatch",
    "uuid",
    "hashlib",
    "tempfile",
];

/// What a name read from rez's scope object (`rez.utils.scope._Scope`, a
/// `RecursiveAttribute` and `UserDict`) finds before its attribute hook runs:
/// its methods and its own state. Reading one in `c.x.y = ...` is not a child
/// scope (rez 3.4; the module has not changed since rez 2).
const SCOPE_ATTRIBUTES: [&str; 21] = [
    "clear",
    "context",
    "copy",
    "data",
    "format",
    "format_expand",
    "format_pretty",
    "fromkeys",
    "get",
    "items",
    "keys",
    "locals",
    "name",
    "pending",
    "pop",
    "popitem",
    "read_only",
    "setdefault",
    "to_dict",
    "update",
    "values",
];

/// Whether `name = ...` may be modelled as a plain binding.
pub(super) fn check_target(name: &str) -> Result<(), Bail> {
    if is_keyword(name) || name == "__debug__" {
        return Err(Bail::Syntax);
    }
    if is_loader_name(name) {
        return Err(Bail::Unsupported(Construct::RebindsLoaderName));
    }
    Ok(())
}

fn starts_literal(t: &Tok<'_>) -> bool {
    match t {
        Tok::Str(_) | Tok::Number(..) => true,
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

impl<'a> Parser<'a> {
    /// A parser of `src` that binds into `module`; call `lex` to start.
    fn over(src: &'a str, module: Module<'a>) -> Self {
        Parser {
            lexer: Lexer::new(src),
            cur: Tok::End,
            depth: 0,
            module,
            pending: Vec::with_capacity(8),
            frame: None,
            loop_vars: Vec::new(),
            alias: None,
            scope_path: Vec::new(),
            block_names: Vec::new(),
            set_paths: Vec::new(),
            scope_rebound: false,
            names_allowed: false,
        }
    }

    /// A tokenizer error ends the stream: the parser then sees `End`.
    #[inline(always)]
    fn lex(&mut self) -> Tok<'a> {
        self.lexer.next_tok()
    }

    fn peek(&self) -> Tok<'a> {
        self.cur
    }

    #[inline(always)]
    fn bump(&mut self) -> Tok<'a> {
        let t = self.cur;
        if t != Tok::End {
            self.cur = self.lex();
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
                    self.bump();
                }
                Tok::Indent | Tok::Dedent => return Err(Bail::Syntax),
                Tok::Op("@") => self.early_def()?,
                Tok::Name("def") => self.def()?,
                Tok::Name("with") => {
                    let name = self.with_scope()?;
                    self.module.scopes.push(name);
                }
                Tok::Name("from") => self.lint_helper_import()?,
                Tok::Name("import") => self.stdlib_import()?,
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
        match self.peek() {
            Tok::Name("pass") => {
                self.bump();
                Ok(())
            }
            Tok::Name(n) if !is_keyword(n) => {
                self.bump();
                match self.peek() {
                    Tok::Op("=") if is_loader_name(n) => self.loader_name_from_globals(n),
                    Tok::Op("=") => self.assignment(n),
                    Tok::Op(op) if is_augmented(op) => Err(Bail::AugmentedAssignment),
                    Tok::Op(":") => Err(Bail::Unsupported(Construct::AnnotatedAssignment)),
                    _ => Err(Bail::NonLiteral),
                }
            }
            t if starts_literal(&t) => self.expr_list().map(|_| ()),
            _ => Err(Bail::NonLiteral),
        }
    }

    /// `first = [more =]* value`, with `first` consumed and `=` current.
    fn assignment(&mut self, first: &'a str) -> Result<(), Bail> {
        check_target(first)?;
        self.bump(); // =
                     // chained targets are rare: only they pay for a Vec
        let mut more = Vec::new();
        let mut leading_name = None;
        while let Tok::Name(n) = self.peek() {
            if matches!(n, "True" | "False" | "None") {
                break; // the value
            }
            self.bump();
            if self.peek() != Tok::Op("=") {
                leading_name = Some(n); // the value starts with a name
                break;
            }
            check_target(n)?;
            more.push(n);
            self.bump();
        }
        // names are values only here: a scope block's names are not the module's
        self.names_allowed = true;
        let value = match leading_name {
            None => self.expr_list(),
            Some(n) => self.sum(Some(n)),
        };
        self.names_allowed = false;
        let value = value?;
        // Python binds left to right
        if more.is_empty() {
            self.module.bind(first, Binding::Value(value));
        } else {
            self.module.bind(first, Binding::Value(value.clone()));
            for target in more {
                self.module.bind(target, Binding::Value(value.clone()));
            }
        }
        Ok(())
    }

    /// `late = globals()["late"]` (or `globals().get("late")`), which files
    /// write to keep linters quiet: rebinds a loader name to the object it
    /// already is, so the rest of the file runs the same. `=` is current.
    fn loader_name_from_globals(&mut self, name: &'a str) -> Result<(), Bail> {
        const OTHER: Bail = Bail::Unsupported(Construct::RebindsLoaderName);
        self.bump(); // =
        if self.module.get("globals").is_some() {
            return Err(OTHER); // not the builtin
        }
        for want in [Tok::Name("globals"), Tok::Op("("), Tok::Op(")")] {
            self.expect(want, OTHER)?;
        }
        let closing = match self.bump() {
            Tok::Op("[") => "]",
            Tok::Op(".") if self.bump() == Tok::Name("get") && self.bump() == Tok::Op("(") => ")",
            _ => return Err(OTHER),
        };
        match self.string_atom() {
            Ok(Value::Str(key)) if key == name => {}
            _ => return Err(OTHER),
        }
        self.expect(Tok::Op(closing), OTHER)
    }

    /// `def name(a, b):` followed by a body that is checked but not run.
    fn def(&mut self) -> Result<(), Bail> {
        self.bump(); // def
        let name = self.identifier()?;
        if is_loader_name(name) {
            return Err(Bail::Unsupported(Construct::RebindsLoaderName));
        }
        if fields::def_would_change_data(name) {
            return Err(Bail::Unsupported(Construct::DefOfPackageAttribute));
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
                    _ => return Err(Bail::Unsupported(Construct::FunctionParameters)),
                }
                match self.peek() {
                    Tok::Op(",") => {
                        self.bump();
                        if self.peek() == Tok::Op(")") {
                            break;
                        }
                    }
                    Tok::Op(")") => break,
                    _ => return Err(Bail::Unsupported(Construct::FunctionParameters)),
                }
            }
        }
        self.expect(Tok::Op(")"), Bail::Syntax)?;
        self.return_annotation()?;
        self.expect(Tok::Op(":"), Bail::Syntax)?;
        self.skip_suite(|_| {})?;
        self.module.bind(name, Binding::Function);
        Ok(())
    }

    /// `-> T` after a `def`'s parameters, if present. It is evaluated when
    /// the `def` runs: `None`, a string, or a builtin type the file has not
    /// rebound is known to evaluate without effect.
    fn return_annotation(&mut self) -> Result<(), Bail> {
        const OTHER: Bail = Bail::Unsupported(Construct::ReturnAnnotation);
        if self.peek() != Tok::Op("->") {
            return Ok(());
        }
        self.bump();
        match self.bump() {
            Tok::Name("None") => Ok(()),
            Tok::Name(
                t @ ("str" | "list" | "dict" | "int" | "bool" | "float" | "tuple" | "bytes"
                | "object"),
            ) if self.module.get(t).is_none() => Ok(()),
            Tok::Str(lit) => {
                // must still be a valid literal
                literal::decode(&lit).map(|_| ())?;
                if self.peek() == Tok::Op(":") {
                    Ok(())
                } else {
                    Err(OTHER)
                }
            }
            _ => Err(OTHER),
        }
    }

    /// Passes over tokens that are not evaluated, up to (not including) the
    /// first one at this bracket level that `stop` accepts.
    fn skip_to(&mut self, stop: impl Fn(Tok<'a>) -> bool) -> Result<(), Bail> {
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            match t {
                _ if depth == 0 && stop(t) => return Ok(()),
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")" | "]" | "}") => depth = depth.checked_sub(1).ok_or(Bail::Syntax)?,
                Tok::End | Tok::Newline => return Err(Bail::Syntax),
                _ => {}
            }
            self.bump();
        }
    }

    /// Skips (and checks) the suite after a `:` that is compiled, not run,
    /// showing each token to `seen`.
    fn skip_suite(&mut self, mut seen: impl FnMut(Tok<'a>)) -> Result<(), Bail> {
        if self.peek() == Tok::Newline {
            self.bump();
            self.expect(Tok::Indent, Bail::Syntax)?;
            let mut check = BodyCheck::block();
            let mut level = 1usize;
            loop {
                let t = self.bump();
                match t {
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
                seen(t);
                check.token(t)?;
            }
            check.finish()
        } else {
            let mut check = BodyCheck::inline();
            let mut empty = true;
            loop {
                let t = self.bump();
                match t {
                    Tok::Newline => break,
                    Tok::End | Tok::Indent | Tok::Dedent => return Err(Bail::Syntax),
                    _ => {}
                }
                empty = false;
                seen(t);
                check.token(t)?;
            }
            if empty {
                return Err(Bail::Syntax); // `def f():` then nothing
            }
            check.finish()
        }
    }

    /// `with scope("name") [as x]:` and its block. Returns the scope name.
    ///
    /// rez's `_Scope.__exit__` moves every name bound in the block into the
    /// scope's dict and restores the module globals, so the block's own
    /// assignments never reach the top level.
    /// `from rez.utils.lint_helper import a, b as c`: that module lets any
    /// name be imported and binds it to None (it only keeps linters quiet).
    /// Other imports, `*`, and names whose rebinding would change the
    /// package (schema fields, loader names other than `scope`) decline.
    fn lint_helper_import(&mut self) -> Result<(), Bail> {
        self.bump(); // from
        for part in ["rez", ".", "utils", ".", "lint_helper", "import"] {
            let matches = match self.bump() {
                Tok::Name(n) => n == part,
                Tok::Op(op) => op == part,
                _ => false,
            };
            if !matches {
                return Err(Bail::Import);
            }
        }
        let parenthesized = self.peek() == Tok::Op("(");
        if parenthesized {
            self.bump();
        }
        loop {
            let imported = match self.bump() {
                Tok::Name(n) if !is_keyword(n) => n,
                _ => return Err(Bail::Import), // `*`, or not a name
            };
            let bound = if self.peek() == Tok::Name("as") {
                self.bump();
                self.identifier()?
            } else {
                imported
            };
            if bound == "__debug__" {
                return Err(Bail::Syntax);
            }
            match bound {
                // `with scope(...)` after this fails in rez: declined there
                "scope" => self.scope_rebound = true,
                n if is_loader_name(n) || fields::is_schema_key(n) => return Err(Bail::Import),
                n => self.module.bind(n, Binding::Value(Value::None)),
            }
            match self.bump() {
                Tok::Op(",") if parenthesized && self.peek() == Tok::Op(")") => {
                    self.bump();
                    break;
                }
                Tok::Op(",") => continue,
                Tok::Op(")") if parenthesized => break,
                Tok::Newline if !parenthesized => return Ok(()),
                _ => return Err(Bail::Import),
            }
        }
        match self.bump() {
            Tok::Newline => Ok(()),
            _ => Err(Bail::Import),
        }
    }

    /// `import a[.b] [as c], ...` of standard-library modules that do
    /// nothing when imported: the module is bound (and dropped from the
    /// package's data by rez's loader, as every module is). A name rez's
    /// schema knows, or a loader name, is not rebound here; other modules
    /// (a studio's own, anything whose import could run code of the
    /// studio's) decline.
    fn stdlib_import(&mut self) -> Result<(), Bail> {
        self.bump(); // import
        loop {
            let first = self.identifier().map_err(|_| Bail::Import)?;
            let mut dotted = first.to_string();
            while self.peek() == Tok::Op(".") {
                self.bump();
                dotted.push('.');
                dotted.push_str(self.identifier().map_err(|_| Bail::Import)?);
            }
            if !QUIET_STDLIB_MODULES.contains(&dotted.as_str()) {
                return Err(Bail::Import);
            }
            let bound = if self.peek() == Tok::Name("as") {
                self.bump();
                self.identifier().map_err(|_| Bail::Import)?
            } else {
                first
            };
            if is_loader_name(bound) || fields::is_schema_key(bound) || bound.starts_with("__") {
                return Err(Bail::Import);
            }
            if bound == "str" {
                return Err(Bail::Import); // `str(...)` must stay the builtin
            }
            self.module.bind(bound, Binding::Module);
            match self.bump() {
                Tok::Op(",") => {}
                Tok::Newline => return Ok(()),
                _ => return Err(Bail::Import),
            }
        }
    }

    fn with_scope(&mut self) -> Result<String, Bail> {
        self.bump(); // with
        if self.bump() != Tok::Name("scope") || self.scope_rebound {
            return Err(Bail::Unsupported(Construct::WithStatement));
        }
        self.expect(Tok::Op("("), Bail::Unsupported(Construct::WithStatement))?;
        let name = match self.string_atom()? {
            Value::Str(s) => s.into_owned(),
            _ => return Err(Bail::Unsupported(Construct::WithStatement)),
        };
        self.expect(Tok::Op(")"), Bail::Unsupported(Construct::WithStatement))?;
        let alias = if self.peek() == Tok::Name("as") {
            self.bump();
            let a = self.identifier()?;
            if is_loader_name(a) || a == "__debug__" {
                return Err(Bail::Unsupported(Construct::RebindsLoaderName));
            }
            Some(a)
        } else {
            None
        };
        self.expect(Tok::Op(":"), Bail::Unsupported(Construct::WithStatement))?;
        let saved = std::mem::replace(&mut self.alias, alias);
        let saved_names = std::mem::take(&mut self.block_names);
        self.scope_path.push(name.clone());
        let result = self.scope_suite();
        // the block's plain names are now values of its scope
        let names = std::mem::replace(&mut self.block_names, saved_names);
        let scope = self.scope_path.clone();
        self.set_paths
            .extend(names.into_iter().map(|n| (scope.clone(), vec![n])));
        self.scope_path.pop();
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
    /// or `alias.attr[.attr]* = <literal>`.
    fn scope_statement(&mut self) -> Result<(), Bail> {
        const OTHER: Bail = Bail::Unsupported(Construct::StatementInScopeBlock);
        match self.peek() {
            Tok::Name("pass") => {
                self.bump();
                Ok(())
            }
            Tok::Name(n) if !is_keyword(n) => {
                self.bump();
                match self.bump() {
                    Tok::Op("=") => {
                        if is_loader_name(n) || Some(n) == self.alias || n == "__debug__" {
                            return Err(OTHER);
                        }
                        self.expr_list()?;
                        self.block_names.push(n);
                        Ok(())
                    }
                    Tok::Op(".") if Some(n) == self.alias => {
                        let path = self.attribute_path()?;
                        self.expr_list().map(|_| ())?;
                        self.set_paths.push((self.scope_path.clone(), path));
                        Ok(())
                    }
                    _ => Err(OTHER),
                }
            }
            t if starts_literal(&t) => self.expr_list().map(|_| ()),
            _ => Err(OTHER),
        }
    }

    /// `attr[.attr]* =` after `alias.`, as rez's scope object takes it: each
    /// name but the last is read (`RecursiveAttribute.__getattr__` makes a
    /// child scope), the last is set. Declined where rez's load would fail or
    /// read something else: a read of a name the scope object has as a real
    /// attribute (a method, its own state), of a private or special name, or
    /// of a path this block already set to a value (`c.a = 1; c.a.b = 2`).
    fn attribute_path(&mut self) -> Result<Vec<&'a str>, Bail> {
        const OTHER: Bail = Bail::Unsupported(Construct::StatementInScopeBlock);
        let mut path = Vec::with_capacity(2);
        loop {
            match self.bump() {
                Tok::Name(attr) if !is_keyword(attr) => path.push(attr),
                _ => return Err(OTHER),
            }
            match self.bump() {
                Tok::Op("=") => break,
                Tok::Op(".") => {
                    let read = path.last().copied().unwrap_or_default();
                    if read.starts_with('_')
                        || SCOPE_ATTRIBUTES.contains(&read)
                        || self
                            .set_paths
                            .iter()
                            .any(|(scope, p)| *scope == self.scope_path && p[..] == path[..])
                    {
                        return Err(OTHER);
                    }
                }
                _ => return Err(OTHER),
            }
        }
        Ok(path)
    }

    fn enter(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Bail::Unsupported(Construct::DeepNesting));
        }
        Ok(())
    }

    /// `expr (, expr)* [,]`: a bare tuple when there is a comma.
    fn expr_list(&mut self) -> Result<Value<'a>, Bail> {
        let first = self.expr()?;
        if self.peek() != Tok::Op(",") {
            return Ok(first);
        }
        while self.peek() == Tok::Op(",") {
            self.bump();
            if !starts_literal(&self.peek()) {
                break;
            }
            self.expr()?;
        }
        Ok(Value::Tuple)
    }

    /// Adjacent string literals, concatenated.
    fn string_atom(&mut self) -> Result<Value<'a>, Bail> {
        let Tok::Str(first) = self.bump() else {
            return Err(Bail::NonLiteral);
        };
        let mut text = if self.has_fields(&first) {
            let mut out = String::new();
            self.fstring_into(&first, &mut out)?;
            Cow::Owned(out)
        } else {
            literal::decode(&first)?
        };
        while let Tok::Str(lit) = self.peek() {
            self.bump();
            if lit.bytes != first.bytes {
                return Err(Bail::Syntax); // cannot mix bytes and nonbytes literals
            }
            if self.has_fields(&lit) {
                self.fstring_into(&lit, text.to_mut())?;
            } else {
                literal::decode_into(&lit, text.to_mut())?;
            }
        }
        Ok(if first.bytes {
            Value::Bytes
        } else {
            Value::Str(text)
        })
    }

    /// An f-string with replacement fields, in a value where names are read.
    fn has_fields(&self, lit: &StrLit<'_>) -> bool {
        self.names_allowed && lit.format && lit.body.contains(['{', '}'])
    }

    /// Appends an f-string whose fields are plain names (`{name}`, and
    /// `{this.attr}` in an `@early` function) bound to strings or numbers,
    /// which Python formats as `str()` does. Conversions, format specs,
    /// expressions and backslashes decline.
    fn fstring_into(&mut self, lit: &StrLit<'a>, out: &mut String) -> Result<(), Bail> {
        const OTHER: Bail = Bail::Unsupported(Construct::FString);
        let body = lit.body;
        if body.contains('\\') {
            return Err(OTHER);
        }
        let text = |part: &'a str, out: &mut String| {
            let piece = StrLit {
                format: false,
                body: part,
                ..*lit
            };
            literal::decode_into(&piece, out)
        };
        let mut rest = body;
        while let Some(at) = rest.find(['{', '}']) {
            text(&rest[..at], out)?;
            let brace = rest.as_bytes()[at];
            if rest.as_bytes().get(at + 1) == Some(&brace) {
                out.push(char::from(brace)); // `{{` or `}}`
                rest = &rest[at + 2..];
                continue;
            }
            if brace == b'}' {
                return Err(Bail::Syntax); // a single `}`
            }
            let end = rest[at..].find('}').ok_or(Bail::Syntax)? + at;
            let field = rest[at + 1..end].trim_matches([' ', '\t']);
            let (ident, attr) = match field.split_once('.') {
                Some((i, a)) => (i, Some(a)),
                None => (field, None),
            };
            let is_name = |n: &str| {
                n.bytes()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                    && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                    && !is_keyword(n)
            };
            if !is_name(ident) || !attr.is_none_or(is_name) {
                return Err(OTHER);
            }
            let value = self.field_value(ident, attr)?;
            match strings::to_str(value)? {
                Value::Str(s) => out.push_str(&s),
                _ => return Err(OTHER),
            }
            rest = &rest[end + 1..];
        }
        text(rest, out)
    }

    /// The value of an f-string field `ident[.attr]`.
    fn field_value(&mut self, ident: &'a str, attr: Option<&'a str>) -> Result<Value<'a>, Bail> {
        if let Some(v) = self.loop_var(ident) {
            return match attr {
                None => Ok(v.clone()),
                Some(_) => Err(Bail::NonLiteral),
            };
        }
        if self.frame.is_some() {
            if let Some(v) = self.function_field(ident, attr)? {
                return Ok(v);
            }
        }
        match (self.module.get(ident), attr) {
            (Some(Binding::Value(v)), None) => Ok(v.clone()),
            _ => Err(Bail::NonLiteral),
        }
    }

    fn expr(&mut self) -> Result<Value<'a>, Bail> {
        if self.names_allowed {
            let v = self.sum(None)?;
            if self.peek() != Tok::Name("if") {
                return Ok(v);
            }
            // `a if c else b`: both sides are pure, so reading `a` before
            // the condition only matters when it fails, which declines
            self.bump();
            let taken = self.condition()?;
            self.expect(Tok::Name("else"), Bail::NonLiteral)?;
            let other = self.expr()?;
            return Ok(if taken { v } else { other });
        }
        self.enter()?;
        let v = self.atom();
        self.depth -= 1;
        v
    }

    /// `term (+ term)*`; `first`: a name already read, the first operand's
    /// start. Counts as a nesting level (string building nests too).
    fn sum(&mut self, first: Option<&'a str>) -> Result<Value<'a>, Bail> {
        self.enter()?;
        let v = self.sum_inner(first);
        self.depth -= 1;
        v
    }

    fn sum_inner(&mut self, first: Option<&'a str>) -> Result<Value<'a>, Bail> {
        let mut v = self.term(first)?;
        while self.peek() == Tok::Op("+") {
            self.bump();
            let rhs = self.term(None)?;
            v = match (v, rhs) {
                // a new list, as Python's `+` makes
                (Value::List(a), Value::List(b)) => {
                    let start = self.module.items.len();
                    self.module
                        .items
                        .extend_from_within(a.start..a.start + a.len);
                    self.module
                        .items
                        .extend_from_within(b.start..b.start + b.len);
                    Value::List(Items {
                        start,
                        len: a.len + b.len,
                    })
                }
                (a, b) => strings::concat(a, &b)?,
            };
        }
        Ok(v)
    }

    /// `postfix (% args)*`: Python's `%` binds tighter than `+`.
    fn term(&mut self, first: Option<&'a str>) -> Result<Value<'a>, Bail> {
        let mut v = self.postfix(first)?;
        while self.peek() == Tok::Op("%") {
            self.bump();
            let args = self.percent_args()?;
            v = strings::percent(&v, &args)?;
        }
        Ok(v)
    }

    /// The right-hand side of `%`: a parenthesised tuple's items, or one value.
    fn percent_args(&mut self) -> Result<Vec<Value<'a>>, Bail> {
        if self.peek() != Tok::Op("(") {
            return Ok(vec![self.postfix(None)?]);
        }
        self.bump();
        let mut items = Vec::new();
        while self.peek() != Tok::Op(")") {
            items.push(self.sum(None)?);
            self.item_separator()?;
        }
        self.bump();
        // `(x)` is x itself and `(x,)` a tuple of it: one argument either way
        Ok(items)
    }

    /// After an item in parentheses: a `,` (read) or the closing `)` (left).
    fn item_separator(&mut self) -> Result<(), Bail> {
        match self.peek() {
            Tok::Op(",") => {
                self.bump();
                Ok(())
            }
            Tok::Op(")") => Ok(()),
            _ => Err(Bail::NonLiteral),
        }
    }

    /// `primary (.method(args))*`: `format` and the string methods of
    /// `strings::method`.
    fn postfix(&mut self, first: Option<&'a str>) -> Result<Value<'a>, Bail> {
        let mut v = match first {
            Some(n) => self.name_value(n)?,
            None => match self.peek() {
                Tok::Name(n) if !is_keyword(n) => {
                    self.bump();
                    self.name_value(n)?
                }
                _ => self.atom()?,
            },
        };
        while self.peek() == Tok::Op(".") {
            self.bump();
            let method = match self.bump() {
                Tok::Name(m) if !is_keyword(m) => m,
                _ => return Err(Bail::Syntax),
            };
            if self.bump() != Tok::Op("(") {
                return Err(Bail::NonLiteral);
            }
            let mut positional = Vec::new();
            let mut keywords: Vec<(&'a str, Value<'a>)> = Vec::new();
            while self.peek() != Tok::Op(")") {
                let value = match self.peek() {
                    Tok::Name(k) if !is_keyword(k) => {
                        self.bump();
                        if self.peek() == Tok::Op("=") {
                            self.bump();
                            if keywords.iter().any(|(seen, _)| *seen == k) {
                                return Err(Bail::Syntax); // repeated keyword
                            }
                            let value = self.sum(None)?;
                            keywords.push((k, value));
                            None
                        } else {
                            Some(self.sum(Some(k))?)
                        }
                    }
                    _ => Some(self.sum(None)?),
                };
                if let Some(value) = value {
                    if !keywords.is_empty() {
                        return Err(Bail::Syntax); // positional after keyword
                    }
                    positional.push(value);
                }
                self.item_separator()?;
            }
            self.bump();
            v = match method {
                "format" => strings::format(&v, &positional, &keywords)?,
                _ if !keywords.is_empty() => return Err(Bail::NonLiteral),
                "join" => self.join(&v, &positional)?,
                _ => strings::method(&v, method, &positional)?,
            };
        }
        Ok(v)
    }

    /// A comprehension variable in scope, innermost first.
    fn loop_var(&self, name: &str) -> Option<&Value<'a>> {
        self.loop_vars
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// `sep.join([...])` over a list of strings.
    fn join(&self, sep: &Value<'a>, args: &[Value<'a>]) -> Result<Value<'a>, Bail> {
        let (Value::Str(sep), [Value::List(items)]) = (sep, args) else {
            return Err(Bail::NonLiteral);
        };
        let mut out = String::new();
        for (k, item) in self.module.items(*items).iter().enumerate() {
            let Value::Str(s) = item else {
                return Err(Bail::NonLiteral); // TypeError
            };
            if k > 0 {
                out.push_str(sep);
            }
            out.push_str(s);
        }
        Ok(Value::Str(Cow::Owned(out)))
    }

    /// A name in a value: a value bound above at top level (or, in an
    /// `@early` function, see `function_name`), or `str(x)` (the builtin,
    /// when the file has not rebound it).
    fn name_value(&mut self, name: &'a str) -> Result<Value<'a>, Bail> {
        if !self.names_allowed {
            return Err(Bail::NonLiteral);
        }
        if let Some(v) = self.loop_var(name) {
            return Ok(v.clone());
        }
        if self.frame.is_some() {
            if let Some(v) = self.function_name(name)? {
                return Ok(v);
            }
        }
        if name == "str" && self.module.get("str").is_none() && self.peek() == Tok::Op("(") {
            self.bump();
            let v = self.sum(None)?;
            self.expect(Tok::Op(")"), Bail::NonLiteral)?;
            return strings::to_str(v);
        }
        match self.module.get(name) {
            Some(Binding::Value(v)) => Ok(v.clone()),
            _ => Err(Bail::NonLiteral),
        }
    }

    /// Moves the items a literal pushed on `pending` since `mark` into the
    /// module's arena. Inner literals were moved out when they closed, so
    /// this one's items are the tail of `pending`.
    fn close_items(&mut self, mark: usize) -> Items {
        let start = self.module.items.len();
        let len = self.pending.len() - mark;
        self.module.items.extend(self.pending.drain(mark..));
        Items { start, len }
    }

    fn atom(&mut self) -> Result<Value<'a>, Bail> {
        match self.peek() {
            Tok::Str(_) => return self.string_atom(),
            Tok::Op("-" | "+") => {
                // only signed numbers are literals we accept
                let mut negative = false;
                while let Tok::Op(sign @ ("-" | "+")) = self.peek() {
                    negative ^= sign == "-";
                    self.bump();
                }
                return match self.bump() {
                    Tok::Number(NumKind::Int, text) => {
                        Ok(Value::Int(int_value(text).and_then(|v| {
                            if negative {
                                v.checked_neg()
                            } else {
                                Some(v)
                            }
                        })))
                    }
                    Tok::Number(NumKind::Float, _) => Ok(Value::Float),
                    Tok::Number(NumKind::Imaginary, _) => Ok(Value::Complex),
                    _ => Err(Bail::NonLiteral),
                };
            }
            _ => {}
        }
        // a list display where names are read may be a comprehension, which
        // reads its text again from just after the `[`
        let mut list_start = (self.names_allowed && self.cur == Tok::Op("["))
            .then(|| (self.lexer.pos(), self.lexer.clone()));
        match self.bump() {
            Tok::Number(NumKind::Int, text) => Ok(Value::Int(int_value(text))),
            Tok::Number(NumKind::Float, _) => Ok(Value::Float),
            Tok::Number(NumKind::Imaginary, _) => Ok(Value::Complex),
            Tok::Name("True") => Ok(Value::Bool(true)),
            Tok::Name("False") => Ok(Value::Bool(false)),
            Tok::Name("None") => Ok(Value::None),
            Tok::Op("...") => Ok(Value::Ellipsis),
            Tok::Op("(") => {
                if self.peek() == Tok::Op(")") {
                    self.bump();
                    return Ok(Value::Tuple);
                }
                let first = self.expr()?;
                match self.bump() {
                    Tok::Op(")") => Ok(first),
                    Tok::Op(",") => loop {
                        if self.peek() == Tok::Op(")") {
                            self.bump();
                            return Ok(Value::Tuple);
                        }
                        self.expr()?;
                        match self.bump() {
                            Tok::Op(",") => {}
                            Tok::Op(")") => return Ok(Value::Tuple),
                            _ => return Err(Bail::NonLiteral),
                        }
                    },
                    _ => Err(Bail::NonLiteral),
                }
            }
            Tok::Op("[") => {
                let mark = self.pending.len();
                loop {
                    if self.peek() == Tok::Op("]") {
                        self.bump();
                        break;
                    }
                    let item = self.expr();
                    // only the first item may start a comprehension
                    if let Some((start, lexer)) = list_start.take() {
                        if let Some(list) = self.comprehension(start, mark, &item, lexer)? {
                            return Ok(list);
                        }
                    }
                    self.pending.push(item?);
                    match self.bump() {
                        Tok::Op(",") => {}
                        Tok::Op("]") => break,
                        _ => return Err(Bail::NonLiteral),
                    }
                }
                Ok(Value::List(self.close_items(mark)))
            }
            Tok::Op("{") => {
                let mark = self.pending.len();
                loop {
                    if self.peek() == Tok::Op("}") {
                        self.bump();
                        break;
                    }
                    let key = self.expr()?;
                    match self.bump() {
                        Tok::Op(":") => {}
                        Tok::Op("," | "}") => return Err(Bail::Unsupported(Construct::SetLiteral)),
                        _ => return Err(Bail::NonLiteral),
                    }
                    if !matches!(key, Value::Str(_)) {
                        // A non-str key is unhashable (TypeError) or crashes
                        // rez's post-processing (`k.startswith`).
                        return Err(Bail::Unsupported(Construct::NonStrDictKey));
                    }
                    let value = self.expr()?;
                    self.pending.push(key);
                    self.pending.push(value);
                    match self.bump() {
                        Tok::Op(",") => {}
                        Tok::Op("}") => break,
                        _ => return Err(Bail::NonLiteral),
                    }
                }
                Ok(Value::Dict(self.close_items(mark)))
            }
            _ => Err(Bail::NonLiteral),
        }
    }
}
