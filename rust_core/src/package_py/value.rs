//! The values a static `package.py` can bind at top level.

use std::borrow::Cow;

/// A Python literal value. Only strings keep their contents: the schema
/// checks need nothing more than the type of any other scalar.
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
    List(Vec<Value<'a>>),
    Tuple(Vec<Value<'a>>),
    Dict,
}

/// What a top-level name is bound to once the module has run.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding<'a> {
    Value(Value<'a>),
    /// A plain `def` (no decorator).
    Function,
}
