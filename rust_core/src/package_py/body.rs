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
        Tok::Number(_) | Tok::Str(_) => true,
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

/// Validates the tokens of a suite that follows `:` on its own lines: `toks`
/// starts right after the INDENT and ends before the matching DEDENT.
pub fn check_block(toks: &[Tok<'_>]) -> Result<(), Bail> {
    check(toks)
}

/// Validates a simple-statement suite on the header line (`def f(): pass`):
/// `toks` runs up to, not including, the NEWLINE.
pub fn check_inline(toks: &[Tok<'_>]) -> Result<(), Bail> {
    if toks
        .iter()
        .any(|t| matches!(t, Tok::Name(k) if is_block_keyword(k)))
    {
        return Err(Bail::Syntax);
    }
    check(toks)
}

fn check(toks: &[Tok<'_>]) -> Result<(), Bail> {
    let mut prev: Option<&Tok<'_>> = None;
    let mut line_start = true;
    let mut line_keyword: Option<&str> = None;
    let mut line_has_colon = false;
    let mut line_has_comma = false;
    let mut depth = 0usize;
    let mut expect_indent = false;
    for t in toks {
        if expect_indent && *t != Tok::Indent {
            return Err(Bail::Syntax); // expected an indented block
        }
        match t {
            Tok::Indent => {
                if !expect_indent {
                    return Err(Bail::Syntax); // unexpected indent
                }
                expect_indent = false;
                prev = None;
                continue;
            }
            Tok::Dedent => {
                prev = None;
                continue;
            }
            Tok::Newline => {
                if let Some(kw) = line_keyword {
                    if !line_has_colon || (kw == "except" && line_has_comma) {
                        return Err(Bail::Syntax);
                    }
                }
                expect_indent = prev == Some(&Tok::Op(":"));
                line_start = true;
                line_keyword = None;
                line_has_colon = false;
                line_has_comma = false;
                prev = None;
                continue;
            }
            Tok::End => return Err(Bail::Syntax),
            _ => {}
        }
        if line_start {
            line_start = false;
            if let Tok::Name(n) = t {
                if is_block_keyword(n) {
                    line_keyword = Some(n);
                }
            }
        }
        match t {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
            Tok::Op(":") if depth == 0 => line_has_colon = true,
            Tok::Op(",") if depth == 0 && !line_has_colon => line_has_comma = true,
            Tok::Op(";") if depth == 0 => {
                line_start = true;
                prev = None;
                continue;
            }
            Tok::Str(lit) => literal::validate(lit)?,
            _ => {}
        }
        if let Some(p) = prev {
            let concat = matches!((p, t), (Tok::Str(_), Tok::Str(_)));
            if (is_operand(p) || is_closer(p)) && is_operand(t) && !concat {
                return Err(Bail::Syntax);
            }
        }
        prev = Some(t);
    }
    if expect_indent {
        return Err(Bail::Syntax);
    }
    Ok(())
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
        // tokens: def f ( ) : NEWLINE INDENT ... DEDENT NEWLINE? END
        let start = 7;
        let end = toks.len() - 2;
        check_block(&toks[start..end]).is_ok()
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
    }
}
