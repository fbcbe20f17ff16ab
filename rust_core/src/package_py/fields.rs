//! The names rez's package schema gives meaning to (rez/package_resources.py),
//! shared by the parser (which declines what would change them) and the
//! schema check (which validates them).

/// rez's `package_rex_keys`: functions with these names become `SourceCode`.
pub const REX_KEYS: [&str; 5] = [
    "pre_commands",
    "commands",
    "post_commands",
    "pre_build_commands",
    "pre_test_commands",
];

/// Every key `package_pod_schema` names explicitly.
const SCHEMA_KEYS: [&str; 32] = [
    "name",
    "base",
    "version",
    "description",
    "authors",
    "requires",
    "build_requires",
    "private_build_requires",
    "variants",
    "has_plugins",
    "plugin_for",
    "uuid",
    "config",
    "tools",
    "help",
    "hashed_variants",
    "relocatable",
    "cachable",
    "tests",
    "pre_commands",
    "commands",
    "post_commands",
    "pre_build_commands",
    "pre_test_commands",
    "timestamp",
    "revision",
    "changelog",
    "release_message",
    "previous_version",
    "previous_revision",
    "vcs",
    "format_version",
];

/// Whether rez's package schema gives `name` a meaning.
pub fn is_schema_key(name: &str) -> bool {
    SCHEMA_KEYS.contains(&name)
}

/// Whether `def name():` would change the loaded data in a way we do not
/// model: rez drops plain functions, so a `def requires():` silently removes
/// `requires`. Functions named after rex keys become commands, which is fine.
pub fn def_would_change_data(name: &str) -> bool {
    SCHEMA_KEYS.contains(&name) && !REX_KEYS.contains(&name)
}
