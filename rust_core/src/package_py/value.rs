//! The values a static `package.py` can bind at top level.

use std::borrow::Cow;

/// A Python literal value. Strings, integers, booleans, lists and dicts keep
/// their contents (schema checks, conditions of `@early` functions); the
/// type is enough for anything else (a tuple is never a valid value for a
/// field whose items are checked).
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Borrowed from the source when the literal has no escapes.
    Str(Cow<'a, str>),
    Bytes,
    /// The value, when it fits 64 bits.
    Int(Option<i64>),
    Bool(bool),
    Float,
    Complex,
    None,
    Ellipsis,
    List(Items),
    Tuple,
    /// Keys and values alternately, in source order; a repeated key's last
    /// value is the one Python keeps.
    Dict(Items),
}

/// What a top-level name is bound to once the module has run.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding<'a> {
    Value(Value<'a>),
    /// A plain `def` (no decorator).
    Function,
    /// An imported standard-library module (rez drops modules from the data).
    Module,
    /// An `@early()` function (index into `Module::early`), replaced by its
    /// return value before the module is handed on.
    Early(usize),
}

/// The items of a list literal: a range of the module's item arena, so a
/// list costs no allocation of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Items {
    pub start: usize,
    pub len: usize,
}

impl Items {
    pub const EMPTY: Items = Items { start: 0, len: 0 };
}

/// The value of a Python integer literal (`1_000`, `0x1f`, `0o17`, `0b1`):
/// None beyond 64 bits.
pub fn int_value(text: &str) -> Option<i64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = match lower.get(..2) {
        Some("0x") => (16, &lower[2..]),
        Some("0o") => (8, &lower[2..]),
        Some("0b") => (2, &lower[2..]),
        _ => (10, lower.as_str()),
    };
    i64::from_str_radix(body, radix).ok()
}

#[cfg(test)]
mod int_tests {
    use super::int_value;

    #[test]
    fn python_int_literals() {
        assert_eq!(int_value("1_600_000"), Some(1_600_000));
        assert_eq!(int_value("0x_ff"), Some(255));
        assert_eq!(int_value("0O17"), Some(15));
        assert_eq!(int_value("0b101"), Some(5));
        assert_eq!(int_value("0"), Some(0));
        assert_eq!(int_value("99999999999999999999"), None);
    }
}
