//! Decoding string literal bodies exactly as CPython 3.11 does: newline
//! normalisation, escape sequences, raw strings, bytes, and f-strings that
//! contain no replacement fields.

use std::borrow::Cow;

use super::bail::{Bail, Construct};
use super::lexer::StrLit;

/// The value of `lit`, borrowed from the source when nothing needs decoding.
pub fn decode<'a>(lit: &StrLit<'a>) -> Result<Cow<'a, str>, Bail> {
    let body = lit.body;
    let special =
        |c: u8| c == b'\r' || (c == b'\\' && !lit.raw) || (lit.format && (c == b'{' || c == b'}'));
    if !lit.bytes && !body.bytes().any(special) {
        return Ok(Cow::Borrowed(body));
    }
    let mut out = String::with_capacity(body.len());
    decode_into(lit, &mut out)?;
    Ok(Cow::Owned(out))
}

/// Appends the value of `lit` to `out`. Bytes literals are validated but
/// append nothing (callers only need to know they are bytes).
pub fn decode_into(lit: &StrLit<'_>, out: &mut String) -> Result<(), Bail> {
    let body = lit.body;
    if lit.bytes {
        if !body.is_ascii() {
            return Err(Bail::Syntax); // bytes can only contain ASCII literal characters
        }
        if !lit.raw {
            let mut sink = String::new();
            escapes(body, true, &mut sink)?;
        }
        return Ok(());
    }
    if lit.format {
        return fstring_without_fields(lit, out);
    }
    if lit.raw {
        push_normalised(body, out);
        Ok(())
    } else {
        escapes(body, false, out)
    }
}

/// Checks a string token that is never evaluated (inside a function body).
/// f-strings with replacement fields are accepted when their fields look
/// well formed under Python 3.11's rules.
pub fn validate(lit: &StrLit<'_>) -> Result<(), Bail> {
    if lit.format && (lit.body.contains('{') || lit.body.contains('}')) {
        return validate_fstring_fields(lit.body);
    }
    let mut sink = String::new();
    decode_into(lit, &mut sink)
}

/// Copies text, turning `\r\n` and `\r` into `\n` as the tokenizer does.
fn push_normalised(text: &str, out: &mut String) {
    if !text.contains('\r') {
        out.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    for &d in digits {
        v = v * 16 + (d as char).to_digit(16)?;
    }
    Some(v)
}

/// Processes backslash escapes (non-raw literal). `bytes` selects the bytes
/// escape set (no `\u`, `\U`, `\N`).
fn escapes(body: &str, bytes: bool, out: &mut String) -> Result<(), Bail> {
    let Some(first) = body.find(['\\', '\r']) else {
        out.push_str(body);
        return Ok(());
    };
    out.push_str(&body[..first]);
    let b = body.as_bytes();
    let mut i = first;
    let mut plain_start = i;
    while i < b.len() {
        let c = b[i];
        if c == b'\r' {
            out.push_str(&body[plain_start..i]);
            out.push('\n');
            i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            plain_start = i;
            continue;
        }
        if c != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&body[plain_start..i]);
        let Some(&e) = b.get(i + 1) else {
            return Err(Bail::Syntax);
        };
        i += 2;
        match e {
            b'\n' => {}
            b'\r' => {
                if b.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\\' => out.push('\\'),
            b'\'' => out.push('\''),
            b'"' => out.push('"'),
            b'a' => out.push('\x07'),
            b'b' => out.push('\x08'),
            b'f' => out.push('\x0c'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'v' => out.push('\x0b'),
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                let mut k = 0;
                while k < 2 && matches!(b.get(i), Some(b'0'..=b'7')) {
                    v = v * 8 + (b[i] - b'0') as u32;
                    i += 1;
                    k += 1;
                }
                if bytes {
                    // b'\777' is 0o777 & 0xff with a warning; value unused.
                } else {
                    out.push(char::from_u32(v).ok_or(Bail::Syntax)?);
                }
            }
            b'x' | b'u' | b'U' if e == b'x' || !bytes => {
                let len = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let digits = b.get(i..i + len).ok_or(Bail::Syntax)?;
                let v = hex_value(digits).ok_or(Bail::Syntax)?;
                i += len;
                if !bytes {
                    if v > 0x10FFFF {
                        return Err(Bail::Syntax);
                    }
                    // lone surrogates are legal in Python but not in a Rust String
                    out.push(
                        char::from_u32(v).ok_or(Bail::Unsupported(Construct::SurrogateEscape))?,
                    );
                }
            }
            b'N' if !bytes => return Err(Bail::Unsupported(Construct::NamedEscape)),
            _ => {
                // An unrecognised escape keeps its backslash (a warning only).
                out.push('\\');
                i -= 1;
            }
        }
        plain_start = i;
    }
    out.push_str(&body[plain_start..]);
    Ok(())
}

/// An f-string with only `{{` / `}}`: its value is the text with those undoubled.
fn fstring_without_fields(lit: &StrLit<'_>, out: &mut String) -> Result<(), Bail> {
    let body = lit.body;
    if body.contains('\\') && (body.contains('{') || body.contains('}')) {
        return Err(Bail::Unsupported(Construct::FString));
    }
    let mut text = String::with_capacity(body.len());
    let b = body.as_bytes();
    let mut i = 0;
    let mut plain = 0;
    while i < b.len() {
        match b[i] {
            c @ (b'{' | b'}') => {
                if b.get(i + 1) != Some(&c) {
                    return Err(Bail::Unsupported(Construct::FString));
                }
                text.push_str(&body[plain..=i]);
                i += 2;
                plain = i;
            }
            _ => i += 1,
        }
    }
    text.push_str(&body[plain..]);
    if lit.raw {
        push_normalised(&text, out);
        Ok(())
    } else {
        escapes(&text, false, out)
    }
}

/// A light check of an f-string's replacement fields (Python 3.11 rules): the
/// braces balance, and no field contains a backslash or a comment.
fn validate_fstring_fields(body: &str) -> Result<(), Bail> {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' if b.get(i + 1) == Some(&b'{') => i += 2,
            b'}' if b.get(i + 1) == Some(&b'}') => i += 2,
            b'}' => return Err(Bail::Syntax),
            b'{' => {
                let mut depth = 0usize;
                i += 1;
                let start = i;
                loop {
                    let Some(&c) = b.get(i) else {
                        return Err(Bail::Syntax);
                    };
                    match c {
                        b'\\' | b'#' => return Err(Bail::Unsupported(Construct::FString)),
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' => depth = depth.checked_sub(1).ok_or(Bail::Syntax)?,
                        b'}' if depth == 0 => break,
                        b'}' => depth -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                if i == 0 || b[i - 1] == b'{' {
                    return Err(Bail::Syntax); // empty expression
                }
                check_field(&body[start..i])?;
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Checks one replacement field, `expr[=][!conv][:spec]`, the way Python
/// compiles it, as far as can be told without a full grammar: the
/// expression must be a well-formed sequence of operands and operators.
/// Anything this does not follow is declined rather than guessed.
fn check_field(field: &str) -> Result<(), Bail> {
    const OTHER: Bail = Bail::Unsupported(Construct::FString);
    if field.contains(['\n', '\r']) {
        return Err(OTHER);
    }
    // the expression ends at the first `!` (not `!=`) or `:` outside brackets
    let b = field.as_bytes();
    let mut depth = 0usize;
    let mut end = b.len();
    for (k, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' if depth == 0 && b.get(k + 1) != Some(&b'=') => {
                end = k;
                break;
            }
            b':' if depth == 0 => {
                end = k;
                break;
            }
            _ => {}
        }
    }
    let (expr, tail) = field.split_at(end);
    let conversion_ok = match tail.as_bytes() {
        [] => true,
        [b'!', c, rest @ ..] => {
            matches!(c, b'r' | b's' | b'a') && (rest.is_empty() || rest[0] == b':')
        }
        [b':', ..] => true,
        _ => false,
    };
    if !conversion_ok || tail.contains(['{', '}']) {
        return Err(OTHER);
    }
    // `{x=}` shows the expression's text too
    let mut expr = expr.trim_matches([' ', '\t']);
    if let Some(e) = expr.strip_suffix('=') {
        if !e.ends_with(['=', '!', '<', '>']) {
            expr = e.trim_end_matches([' ', '\t']);
        }
    }
    if expr.is_empty() {
        return Err(Bail::Syntax);
    }
    check_expression(expr).map_err(|()| OTHER)
}

/// Operands and operators alternate, brackets balance, a `.` is followed
/// by a name, and the expression ends on an operand.
fn check_expression(expr: &str) -> Result<(), ()> {
    use super::lexer::{is_keyword, Lexer, Tok};
    let mut lexer = Lexer::new(expr);
    let mut want_operand = true;
    // an opening bracket, `,` or `:` just read: a closing bracket may follow
    let mut may_close = false;
    let mut brackets: Vec<&str> = Vec::new();
    let mut after_dot = false;
    loop {
        let t = lexer.next_tok();
        if lexer.error().is_some() {
            return Err(());
        }
        if after_dot {
            match t {
                Tok::Name(n) if !is_keyword(n) => {
                    after_dot = false;
                    continue;
                }
                _ => return Err(()),
            }
        }
        let closes = may_close;
        may_close = false;
        match t {
            Tok::End | Tok::Newline => break,
            Tok::Name("not") if want_operand => {}
            Tok::Name("and" | "or" | "in" | "is" | "if" | "else") if !want_operand => {
                want_operand = true
            }
            Tok::Name("not") => {
                // `is not`, `not in`
                want_operand = true;
            }
            Tok::Name(n) if is_keyword(n) && !matches!(n, "True" | "False" | "None") => {
                return Err(())
            }
            Tok::Name(_) | Tok::Number(..) if want_operand => want_operand = false,
            Tok::Str(_) if want_operand => want_operand = false,
            Tok::Op(open @ ("(" | "[" | "{")) => {
                brackets.push(open);
                want_operand = true;
                may_close = true;
            }
            Tok::Op(close @ (")" | "]" | "}")) => {
                let open = brackets.pop().ok_or(())?;
                let pair = matches!((open, close), ("(", ")") | ("[", "]") | ("{", "}"));
                if !pair || (want_operand && !closes) {
                    return Err(());
                }
                want_operand = false;
            }
            Tok::Op(".") if !want_operand => after_dot = true,
            Tok::Op("," | ":") if !want_operand && !brackets.is_empty() => {
                want_operand = true;
                may_close = true;
            }
            Tok::Op("=") if !want_operand && brackets.last() == Some(&"(") => want_operand = true,
            Tok::Op("-" | "+" | "~") if want_operand => {}
            Tok::Op("*" | "**") if want_operand && !brackets.is_empty() => {}
            Tok::Op(
                "+" | "-" | "*" | "/" | "//" | "%" | "@" | "**" | "<<" | ">>" | "&" | "|" | "^"
                | "<" | ">" | "<=" | ">=" | "==" | "!=",
            ) if !want_operand => want_operand = true,
            _ => return Err(()),
        }
    }
    if want_operand || after_dot || !brackets.is_empty() {
        return Err(());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(body: &str, raw: bool, bytes: bool, format: bool) -> StrLit<'_> {
        StrLit {
            raw,
            bytes,
            format,
            body,
        }
    }

    fn dec(body: &str) -> Result<String, Bail> {
        let mut s = String::new();
        decode_into(&lit(body, false, false, false), &mut s).map(|_| s)
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(
            dec(r"a\tb\n\\\'\x41\101\u00e9\U0001F600").unwrap(),
            "a\tb\n\\'AA\u{e9}\u{1F600}"
        );
        assert_eq!(dec("a\\\nb").unwrap(), "ab");
        assert_eq!(dec("a\\\r\nb").unwrap(), "ab");
        assert_eq!(dec(r"\d\w").unwrap(), r"\d\w");
        assert_eq!(dec(r"\0").unwrap(), "\0");
        assert_eq!(dec(r"\777").unwrap(), "\u{1ff}");
        assert_eq!(dec("a\r\nb\rc").unwrap(), "a\nb\nc");
        assert_eq!(dec(r"\x4"), Err(Bail::Syntax));
        assert_eq!(dec(r"\U00110000"), Err(Bail::Syntax));
        assert!(dec(r"\ud800").is_err());
        assert!(dec(r"\N{DASH}").is_err());
    }

    #[test]
    fn raw_and_bytes() {
        let mut s = String::new();
        decode_into(&lit(r"\n\x", true, false, false), &mut s).unwrap();
        assert_eq!(s, r"\n\x");
        assert!(decode_into(&lit(r"\u12", false, true, false), &mut s).is_ok());
        assert_eq!(
            decode_into(&lit(r"\x1", false, true, false), &mut s),
            Err(Bail::Syntax)
        );
        assert_eq!(
            decode_into(&lit("é", false, true, false), &mut s),
            Err(Bail::Syntax)
        );
    }

    #[test]
    fn fstring_fields_are_well_formed_expressions() {
        let ok = |body: &str| validate(&lit(body, false, false, true)).is_ok();
        for good in [
            "{this.root}/bin",
            "{x!r:>4}",
            "{ a }",
            "{os.path.join(a, b)}",
            "{x[1:]}",
            "{f(*a, k=1, **kw)}",
            "{a if b else c}",
            "{x=}",
            "{-1}",
            "{a.b()[0].c}",
            "{x is not None}",
            "{(a, b)}",
            "{[]}",
            "{ {} }",
            "{d[k]!s}",
            "{e['HOME']}",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "{ version.}",
            "{a.}",
            "{a +}",
            "{a b}",
            "{f(}",
            "{a)}",
            "{x!z}",
            "{.a}",
            "{a..b}",
            "{lambda: 1}",
            "{a.1}",
            "{a:{w}}",
            "{e['x}",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[test]
    fn fstrings() {
        let mut s = String::new();
        decode_into(&lit("a{{b}}\n", false, false, true), &mut s).unwrap();
        assert_eq!(s, "a{b}\n");
        assert!(decode_into(&lit("{x}", false, false, true), &mut s).is_err());
        assert!(validate(&lit("{x} {y[1]:>3} {{", false, false, true)).is_ok());
        assert!(validate(&lit("{x[}", false, false, true)).is_err());
        assert!(validate(&lit("{}", false, false, true)).is_err());
        assert!(validate(&lit("}", false, false, true)).is_err());
    }
}
