//! The values a static `package.py` can bind at top level.

/// A Python literal value. Only strings keep their contents: the schema
/// checks need nothing more than the type of any other scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Bytes,
    Int,
    Bool,
    Float,
    Complex,
    None,
    Ellipsis,
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Dict,
}

impl Value {
    /// Whether Python can hash this value (usable as a dict key).
    pub fn is_hashable(&self) -> bool {
        match self {
            Value::List(_) | Value::Dict => false,
            Value::Tuple(items) => items.iter().all(Value::is_hashable),
            _ => true,
        }
    }
}

/// What a top-level name is bound to once the module has run.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding {
    Value(Value),
    /// A plain `def` (no decorator).
    Function,
}
