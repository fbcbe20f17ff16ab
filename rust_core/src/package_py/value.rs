//! The values a static `package.py` can bind at top level.

use std::borrow::Cow;

/// A Python literal value. Only strings and lists keep their contents: the
/// schema checks need nothing more than the type of anything else (a tuple
/// is never a valid value for a field whose items are checked).
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Borrowed from the source when the literal has no escapes.
    Str(Cow<'a, str>),
    Bytes,
    Int,
    Bool,
    Float,
    Complex,
    None,
    Ellipsis,
    List(Items),
    Tuple,
    Dict,
}

/// What a top-level name is bound to once the module has run.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding<'a> {
    Value(Value<'a>),
    /// A plain `def` (no decorator).
    Function,
}

/// The items of a list literal: a range of the module's item arena, so a
/// list costs no allocation of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Items {
    pub start: usize,
    pub len: usize,
}
