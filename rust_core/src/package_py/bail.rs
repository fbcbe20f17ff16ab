//! Why the static parser declined a file. A bail is never an error in the
//! package: it means "let rez evaluate this one".

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bail {
    /// The path does not end in `.py`.
    NotPy,
    /// The file is missing or could not be read.
    Unreadable,
    /// The file is not valid UTF-8 (rez could still load it with a coding cookie).
    NotUtf8,
    /// A coding cookie other than UTF-8, or a NUL byte.
    Encoding,
    /// Python would reject the source (or we cannot prove it would not).
    Syntax,
    /// A decorator (`@early`, `@late`, `@include`, ...).
    Decorator,
    /// `import` / `from ... import`.
    Import,
    /// Top-level `if`, `for`, `while`, `try`, `class`, ... .
    ControlFlow,
    /// An assignment whose value is not a literal (a name, call, operator, ...).
    NonLiteral,
    /// `x += ...`.
    AugmentedAssignment,
    /// A construct outside the static subset that is not covered above.
    Unsupported(Construct),
    /// A value rez's package schema rejects, so rez fails to load the file.
    Schema(Violation),
    /// `name` is missing.
    MissingName,
    /// `version` is missing: rez takes it from elsewhere (the directory).
    MissingVersion,
    /// `version` (or `previous_version`) is not a valid rez version.
    InvalidVersion,
    /// A requirement rez's `PackageRequest` rejects.
    InvalidRequirement,
}

impl Bail {
    /// A short, stable label for surveys.
    pub fn reason(&self) -> String {
        match self {
            Bail::NotPy => "not a .py file".into(),
            Bail::Unreadable => "unreadable".into(),
            Bail::NotUtf8 => "not UTF-8".into(),
            Bail::Encoding => "source encoding".into(),
            Bail::Syntax => "syntax error".into(),
            Bail::Decorator => "decorator".into(),
            Bail::Import => "import".into(),
            Bail::ControlFlow => "top-level control flow".into(),
            Bail::NonLiteral => "non-literal value".into(),
            Bail::AugmentedAssignment => "augmented assignment".into(),
            Bail::Unsupported(what) => format!("unsupported: {}", what.text()),
            Bail::Schema(what) => format!("schema: {}", what.text()),
            Bail::MissingName => "missing name".into(),
            Bail::MissingVersion => "missing version".into(),
            Bail::InvalidVersion => "invalid version".into(),
            Bail::InvalidRequirement => "invalid requirement".into(),
        }
    }

    /// True when the file could not be read at all (as opposed to read and
    /// found dynamic).
    pub fn is_unreadable(&self) -> bool {
        matches!(self, Bail::NotPy | Bail::Unreadable | Bail::NotUtf8)
    }
}

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
    }
}

/// A construct the static subset leaves to rez.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Construct {
    AnnotatedAssignment,
    ConfigAssignment,
    DeepNesting,
    DefOfPackageAttribute,
    /// An `@early()` function whose result the parser cannot fix statically.
    EarlyFunction,
    FString,
    FunctionParameters,
    /// `@include(...)`: the function needs a module from the studio's path.
    IncludeDecorator,
    /// `@late()`: rez keeps the function and runs it when the field is read.
    LateFunction,
    LineContinuationAtLineStart,
    NamedEscape,
    NonAsciiIdentifier,
    NonStrDictKey,
    NumberFollowedByName,
    RebindsLoaderName,
    ReturnAnnotation,
    SetLiteral,
    StatementInScopeBlock,
    SurrogateEscape,
    Tests,
    /// `timestamp` as a bool or an integer beyond 64 bits.
    UnusualTimestamp,
    WithStatement,
}

impl Construct {
    pub fn text(self) -> &'static str {
        match self {
            Construct::AnnotatedAssignment => "annotated assignment",
            Construct::ConfigAssignment => "config assignment",
            Construct::DeepNesting => "deep nesting",
            Construct::DefOfPackageAttribute => "def of a package attribute",
            Construct::EarlyFunction => "@early function not static",
            Construct::FString => "f-string",
            Construct::FunctionParameters => "function parameters",
            Construct::IncludeDecorator => "@include decorator",
            Construct::LateFunction => "@late function",
            Construct::LineContinuationAtLineStart => "line continuation at line start",
            Construct::NamedEscape => "\\N{...} escape",
            Construct::NonAsciiIdentifier => "non-ASCII identifier",
            Construct::NonStrDictKey => "non-str dict key",
            Construct::NumberFollowedByName => "number followed by a name",
            Construct::RebindsLoaderName => "rebinds a loader name",
            Construct::ReturnAnnotation => "return annotation",
            Construct::SetLiteral => "set literal",
            Construct::StatementInScopeBlock => "statement in scope block",
            Construct::SurrogateEscape => "surrogate escape",
            Construct::Tests => "tests",
            Construct::UnusualTimestamp => "timestamp not a 64-bit integer",
            Construct::WithStatement => "with statement",
        }
    }
}

/// How a value breaks rez's package schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Violation {
    RequirementNotStr,
    RequirementsNotList,
    VariantsNotList,
    VersionNotStr,
    WrongType,
}

impl Violation {
    pub fn text(self) -> &'static str {
        match self {
            Violation::RequirementNotStr => "requirement is not a str",
            Violation::RequirementsNotList => "requirements are not a list",
            Violation::VariantsNotList => "variants is not a list",
            Violation::VersionNotStr => "version is not a str",
            Violation::WrongType => "value of the wrong type",
        }
    }
}
