//! Checks for code that Python compiles but rez does not run at load: the
//! bodies of `def commands():` and friends.
//!
//! A syntax error anywhere makes rez's load fail, so these bodies cannot just
//! be skipped. Full grammar validation is out of scope; instead the tokens
//! are checked for the errors that occur in real files (Python 2 `print`
//! and `exec` statements, `except X, e:`, stray or missing indentation, a
//! block header without a colon, two operands in a row, bad string escapes).

use super::bail::Bail;
use super::lexer::{is_keyword, Tok};
use super::literal;

/// An operand-like token: two in a row (outside string concatenation) is a
/// syntax error.
fn is_operand(t: &Tok<'_>) -> bool {
    match t {
        Tok::Name(n) => {
            matches!(*n, "True" | "False" | "None")
                || !(is_keyword(n) || matches!(*n, "match" | "case" | "type" | "_"))
        }
        Tok::Number(..) | Tok::Str(_) => true,
        _ => false,
    }
}

fn is_closer(t: &Tok<'_>) -> bool {
    matches!(t, Tok::Op(")" | "]" | "}"))
}

fn is_block_keyword(name: &str) -> bool {
    matches!(
        name,
        "if" | "elif"
            | "else"
            | "for"
            | "while"
            | "try"
            | "except"
            | "finally"
            | "with"
            | "def"
            | "class"
    )
}

/// Validates a suite token by token, as the parser skips over it.
pub struct BodyCheck<'a> {
    /// A suite on the header line (`def f(): pass`): no compound statements.
    inline: bool,
    prev: Option<Tok<'a>>,
    line_start: bool,
    line_keyword: Option<&'a str>,
    line_has_colon: bool,
    line_has_comma: bool,
    depth: usize,
    expect_indent: bool,
}

impl<'a> BodyCheck<'a> {
    /// For a suite that follows `:` on its own lines: fed the tokens after
    /// the INDENT, up to and not including the matching DEDENT.
    pub fn block() -> Self {
        Self::new(false)
    }

    /// For a simple-statement suite on the header line: fed the tokens up
    /// to, not including, the NEWLINE.
    pub fn inline() -> Self {
        Self::new(true)
    }

    fn new(inline: bool) -> Self {
        BodyCheck {
            inline,
            prev: None,
            line_start: true,
            line_keyword: None,
            line_has_colon: false,
            line_has_comma: false,
            depth: 0,
            expect_indent: false,
        }
    }

    pub fn token(&mut self, t: Tok<'a>) -> Result<(), Bail> {
        if self.expect_indent && t != Tok::Indent {
            return Err(Bail::Syntax); // expected an indented block
        }
        match t {
            Tok::Indent => {
                if !self.expect_indent {
                    return Err(Bail::Syntax); // unexpected indent
                }
                self.expect_indent = false;
                self.prev = None;
                return Ok(());
            }
            Tok::Dedent => {
                self.prev = None;
                return Ok(());
            }
            Tok::Newline => {
                if let Some(kw) = self.line_keyword {
                    if !self.line_has_colon || (kw == "except" && self.line_has_comma) {
                        return Err(Bail::Syntax);
                    }
                }
                self.expect_indent = self.prev == Some(Tok::Op(":"));
                self.line_start = true;
                self.line_keyword = None;
                self.line_has_colon = false;
                self.line_has_comma = false;
                self.prev = None;
                return Ok(());
            }
            Tok::End => return Err(Bail::Syntax),
            // a compound statement cannot start there (`if` inside an
            // expression is a conditional expression)
            Tok::Name(n) if self.inline && self.line_start && is_block_keyword(n) => {
                return Err(Bail::Syntax)
            }
            _ => {}
        }
        let starts_statement =
            self.line_start || (self.prev == Some(Tok::Op(":")) && self.depth == 0);
        if self.line_start {
            self.line_start = false;
            if let Tok::Name(n) = t {
                if is_block_keyword(n) {
                    self.line_keyword = Some(n);
                }
            }
        }
        match t {
            // words that only ever begin a simple statement
            Tok::Name(
                "return" | "pass" | "break" | "continue" | "global" | "nonlocal" | "del" | "assert",
            ) if !starts_statement => return Err(Bail::Syntax),
            // a decorator only begins a line of a block
            Tok::Op("@") if self.inline && starts_statement => return Err(Bail::Syntax),
            // a statement never begins with another operator, nor with these words
            Tok::Op(op)
                if starts_statement
                    && !matches!(op, "(" | "[" | "{" | "-" | "+" | "~" | "*" | "..." | "@") =>
            {
                return Err(Bail::Syntax)
            }
            Tok::Name("in" | "and" | "or" | "is" | "as") if starts_statement => {
                return Err(Bail::Syntax)
            }
            _ => {}
        }
        match t {
            Tok::Op("(" | "[" | "{") => self.depth += 1,
            Tok::Op(")" | "]" | "}") => self.depth = self.depth.saturating_sub(1),
            Tok::Op(":") if self.depth == 0 => self.line_has_colon = true,
            Tok::Op(",") if self.depth == 0 && !self.line_has_colon => self.line_has_comma = true,
            Tok::Op(";") if self.depth == 0 => {
                self.line_start = true;
                self.prev = None;
                return Ok(());
            }
            Tok::Str(lit) => literal::validate(&lit)?,
            _ => {}
        }
        if let Some(p) = self.prev {
            let concat = matches!((p, t), (Tok::Str(_), Tok::Str(_)));
            if (is_operand(&p) || is_closer(&p)) && is_operand(&t) && !concat {
                return Err(Bail::Syntax);
            }
        }
        self.prev = Some(t);
        Ok(())
    }

    pub fn finish(self) -> Result<(), Bail> {
        if self.expect_indent {
            return Err(Bail::Syntax);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    /// Tokenizes `def f():` + `body` and checks the body block.
    fn body_ok(body: &str) -> bool {
        let src = format!("def f():\n{body}\n");
        let Ok(toks) = tokenize(&src) else {
            return false;
        };
        // tokens: def f ( ) : NEWLINE INDENT ... DEDENT END
        let mut check = BodyCheck::block();
        toks[7..toks.len() - 2]
            .iter()
            .try_for_each(|t| check.token(*t))
            .and_then(|()| check.finish())
            .is_ok()
    }

    #[test]
    fn statement_words_after_a_colon_or_semicolon() {
        assert!(body_ok(
            "    if x: return 1\n    else: pass\n    a = 1; del a"
        ));
        assert!(body_ok("    while x:\n        break\n    assert a, 'b'"));
        assert!(body_ok(
            "    f = lambda x: -x\n    y: int = 1\n    *a, b = c\n    ...\n    -x"
        ));
    }

    #[test]
    fn accepts_ordinary_commands() {
        assert!(body_ok(
            "    env.PATH.append('{root}/bin')\n    if building:\n        env.X = f\"{this.root}/x\"\n    else:\n        pass\n    try:\n        x = [i for i in y]\n    except (A, B) as e:\n        raise\n    match = re.match('a', b)"
        ));
    }

    #[test]
    fn rejects_python2_and_broken_blocks() {
        assert!(!body_ok("    print 'hello'"));
        assert!(!body_ok("    exec code in ns"));
        assert!(!body_ok(
            "    try:\n        x\n    except Exception, e:\n        pass"
        ));
        assert!(!body_ok("    if x\n        y"));
        assert!(!body_ok("    if x:\n    y"));
        assert!(!body_ok("    x = 1\n        y = 2"));
        assert!(!body_ok("    x = '\\x4'"));
        assert!(!body_ok("    f(a) b"));
        assert!(!body_ok("    x = 1 return x"));
        assert!(!body_ok("    f() pass"));
        assert!(!body_ok("    if x: y return"));
        assert!(!body_ok("    % x"));
        assert!(!body_ok("    if x:: pass"));
        assert!(!body_ok("    in x"));
        assert!(!body_ok("    a = 1; ; b = 2"));
    }
}
