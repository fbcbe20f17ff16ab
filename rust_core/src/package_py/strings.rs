//! String building as Python runs it, for the forms studio files use at top
//! level: `a + b`, `"...%s..." % args`, `"...{}...".format(...)` and
//! `str(x)`, over strings (and integers where Python prints them the same
//! way). Anything whose result or failure this module cannot reproduce
//! exactly (other conversions, format specs, field attributes) is declined,
//! and so is every form Python would raise on (too few or too many
//! arguments, a missing field), for rez's load would fail there.

use std::borrow::Cow;

use super::bail::Bail;
use super::value::Value;

/// A string value, or what Python's `str()` gives for an integer.
fn text<'v>(v: &'v Value<'_>) -> Option<Cow<'v, str>> {
    match v {
        Value::Str(s) => Some(Cow::Borrowed(s.as_ref())),
        Value::Int(Some(i)) => Some(Cow::Owned(i.to_string())),
        _ => None,
    }
}

/// `a + b` for two strings.
pub fn concat<'a>(a: Value<'a>, b: &Value<'_>) -> Result<Value<'a>, Bail> {
    match (a, b) {
        (Value::Str(a), Value::Str(b)) => {
            let mut out = a.into_owned();
            out.push_str(b);
            Ok(Value::Str(Cow::Owned(out)))
        }
        _ => Err(Bail::NonLiteral),
    }
}

/// Characters Python's `str.isspace` may disagree with Rust about, or that
/// only one of them strips: such strings are left to rez.
fn unsure_space(c: char) -> bool {
    (c.is_whitespace() && !c.is_ascii()) || ('\x1c'..='\x1f').contains(&c)
}

const ASCII_SPACE: [char; 6] = [' ', '\t', '\n', '\r', '\x0b', '\x0c'];

/// `s.strip()`, `s.lstrip()`, `s.rstrip()` (no argument, `None`, or a str
/// of characters), `s.lower()`, `s.upper()` (ASCII text) and
/// `s.replace(old, new)`, exactly as Python computes them.
pub fn method<'a>(v: &Value<'_>, name: &str, args: &[Value<'_>]) -> Result<Value<'a>, Bail> {
    let Value::Str(s) = v else {
        return Err(Bail::NonLiteral);
    };
    let s: &str = s;
    let out = match (name, args) {
        ("strip" | "lstrip" | "rstrip", [] | [Value::None]) => {
            if s.chars().any(unsure_space) {
                return Err(Bail::NonLiteral);
            }
            strip(s, name, &ASCII_SPACE)
        }
        ("strip" | "lstrip" | "rstrip", [Value::Str(chars)]) => {
            let set: Vec<char> = chars.chars().collect();
            strip(s, name, &set)
        }
        ("lower", []) if s.is_ascii() => s.to_ascii_lowercase(),
        ("upper", []) if s.is_ascii() => s.to_ascii_uppercase(),
        ("replace", [Value::Str(old), Value::Str(new)]) => s.replace(old.as_ref(), new),
        _ => return Err(Bail::NonLiteral),
    };
    Ok(Value::Str(Cow::Owned(out)))
}

fn strip(s: &str, name: &str, set: &[char]) -> String {
    match name {
        "lstrip" => s.trim_start_matches(set),
        "rstrip" => s.trim_end_matches(set),
        _ => s.trim_matches(set),
    }
    .to_string()
}

/// `str(v)`.
pub fn to_str<'a>(v: Value<'a>) -> Result<Value<'a>, Bail> {
    match v {
        Value::Str(_) => Ok(v),
        _ => text(&v)
            .map(|t| Value::Str(Cow::Owned(t.into_owned())))
            .ok_or(Bail::NonLiteral),
    }
}

/// `fmt % args` with only `%s` and `%%` conversions; `args` is the
/// right-hand side's items (one item for a value that is not a tuple).
pub fn percent<'a>(fmt: &Value<'_>, args: &[Value<'_>]) -> Result<Value<'a>, Bail> {
    let Value::Str(fmt) = fmt else {
        return Err(Bail::NonLiteral);
    };
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut next = args.iter();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s') => {
                let arg = next.next().ok_or(Bail::NonLiteral)?; // TypeError in Python
                out.push_str(&text(arg).ok_or(Bail::NonLiteral)?);
            }
            _ => return Err(Bail::NonLiteral), // another conversion, a flag, a width...
        }
    }
    if next.next().is_some() {
        return Err(Bail::NonLiteral); // "not all arguments converted"
    }
    Ok(Value::Str(Cow::Owned(out)))
}

/// `fmt.format(*positional, **keywords)` with plain fields only: `{}`,
/// `{0}`, `{name}`, and `{{` / `}}`.
pub fn format<'a>(
    fmt: &Value<'_>,
    positional: &[Value<'_>],
    keywords: &[(&str, Value<'_>)],
) -> Result<Value<'a>, Bail> {
    let Value::Str(fmt) = fmt else {
        return Err(Bail::NonLiteral);
    };
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut auto: Option<usize> = None; // next automatic index, once used
    let mut manual = false;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '}' => return Err(Bail::NonLiteral), // "Single '}' encountered"
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) if c.is_alphanumeric() || c == '_' => field.push(c),
                        _ => return Err(Bail::NonLiteral), // conversion, spec, index...
                    }
                }
                let arg = if field.is_empty() {
                    if manual {
                        return Err(Bail::NonLiteral); // mixing numbering: ValueError
                    }
                    let i = auto.unwrap_or(0);
                    auto = Some(i + 1);
                    positional.get(i)
                } else if field.bytes().all(|b| b.is_ascii_digit()) {
                    if auto.is_some() {
                        return Err(Bail::NonLiteral);
                    }
                    manual = true;
                    field.parse::<usize>().ok().and_then(|i| positional.get(i))
                } else if field.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    return Err(Bail::NonLiteral);
                } else {
                    keywords.iter().find(|(k, _)| *k == field).map(|(_, v)| v)
                };
                let arg = arg.ok_or(Bail::NonLiteral)?; // IndexError / KeyError
                out.push_str(&text(arg).ok_or(Bail::NonLiteral)?);
            }
            c => out.push(c),
        }
    }
    Ok(Value::Str(Cow::Owned(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value<'static> {
        Value::Str(Cow::Owned(x.to_string()))
    }

    fn got(r: Result<Value<'_>, Bail>) -> Option<String> {
        match r {
            Ok(Value::Str(s)) => Some(s.into_owned()),
            _ => None,
        }
    }

    #[test]
    fn percent_as_python() {
        assert_eq!(
            got(percent(&s("repo.%s"), &[s("foo")])).as_deref(),
            Some("repo.foo")
        );
        assert_eq!(
            got(percent(&s("%s-%s%%"), &[s("a"), Value::Int(Some(2))])).as_deref(),
            Some("a-2%")
        );
        assert_eq!(got(percent(&s("plain"), &[])).as_deref(), Some("plain"));
        for bad in [
            percent(&s("%s %s"), &[s("a")]),
            percent(&s("plain"), &[s("a")]),
            percent(&s("%d"), &[Value::Int(Some(1))]),
            percent(&s("%5s"), &[s("a")]),
            percent(&s("%(k)s"), &[s("a")]),
            percent(&s("trailing %"), &[]),
            percent(&s("%s"), &[Value::Float]),
        ] {
            assert_eq!(got(bad), None);
        }
    }

    #[test]
    fn format_as_python() {
        let kw = [("version", s("1.2"))];
        assert_eq!(
            got(format(&s("alembic-{version}"), &[], &kw)).as_deref(),
            Some("alembic-1.2")
        );
        assert_eq!(
            got(format(&s("{}-{}"), &[s("a"), s("b")], &[])).as_deref(),
            Some("a-b")
        );
        assert_eq!(
            got(format(&s("{1}{0}{1}"), &[s("a"), s("b")], &[])).as_deref(),
            Some("bab")
        );
        assert_eq!(
            got(format(&s("{{root}}/{}"), &[s("x"), s("unused")], &[])).as_deref(),
            Some("{root}/x")
        );
        for bad in [
            format(&s("{}{0}"), &[s("a")], &[]),
            format(&s("{0}{}"), &[s("a")], &[]),
            format(&s("{}{}"), &[s("a")], &[]),
            format(&s("{missing}"), &[], &[]),
            format(&s("{0.real}"), &[s("a")], &[]),
            format(&s("{!r}"), &[s("a")], &[]),
            format(&s("{:>4}"), &[s("a")], &[]),
            format(&s("}"), &[], &[]),
            format(&s("{"), &[], &[]),
            format(&s("{1a}"), &[s("a")], &[]),
        ] {
            assert_eq!(got(bad), None);
        }
    }

    #[test]
    fn concat_and_str() {
        assert_eq!(got(concat(s("a"), &s("b"))).as_deref(), Some("ab"));
        assert_eq!(got(concat(s("a"), &Value::Int(Some(1)))), None);
        assert_eq!(got(to_str(Value::Int(Some(-3)))).as_deref(), Some("-3"));
        assert_eq!(got(to_str(Value::Float)), None);
    }
}
