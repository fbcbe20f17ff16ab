//! rez's `package_pod_schema` (rez/package_resources.py), applied to the
//! names a static module binds, and the extraction of the solver's fields.
//!
//! rez validates the whole loaded dict (`FileSystemPackageResource` with
//! `package_pod_schema`); a value of the wrong type makes the load fail, so
//! the parser bails rather than return data rez would never produce.

use super::bail::Bail;
use super::parser::Module;
use super::value::{Binding, Value};
use super::StaticPackage;
use crate::requirement::Requirement;
use crate::version::Version;

/// rez's `package_rex_keys`: functions with these names become `SourceCode`.
const REX_KEYS: [&str; 5] = [
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

/// Whether `def name():` would change the loaded data in a way we do not
/// model: rez drops plain functions, so a `def requires():` silently removes
/// `requires`. Functions named after rex keys become commands, which is fine.
pub fn def_would_change_data(name: &str) -> bool {
    SCHEMA_KEYS.contains(&name) && !REX_KEYS.contains(&name)
}

fn is_str(v: &Value) -> bool {
    matches!(v, Value::Str(_))
}

fn is_list_of_str(v: &Value) -> bool {
    matches!(v, Value::List(items) if items.iter().all(is_str))
}

/// rez's `PACKAGE_NAME_REGEX`: `[a-zA-Z_0-9](\.?[a-zA-Z0-9_]+)*`, and not
/// `__pycache__`.
fn is_valid_package_name(name: &str) -> bool {
    let b = name.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    !b.is_empty()
        && word(b[0])
        && *b.last().unwrap_or(&b'.') != b'.'
        && b.iter().all(|&c| word(c) || c == b'.')
        && !name.contains("..")
        && name != "__pycache__"
}

/// `str(PackageRequest(s))`: the normalised requirement string.
pub fn package_request(s: &str) -> Result<String, Bail> {
    let req = Requirement::parse(s).map_err(|_| Bail::InvalidRequirement)?;
    let name = req.name();
    let checked = if s.starts_with('.') { &name[1..] } else { name };
    if !is_valid_package_name(checked) {
        return Err(Bail::InvalidRequirement);
    }
    Ok(req.to_string())
}

fn requests(v: &Value) -> Result<Vec<String>, Bail> {
    match v {
        Value::List(items) => items
            .iter()
            .map(|item| match item {
                Value::Str(s) => package_request(s),
                _ => Err(Bail::Schema("requirement is not a str")),
            })
            .collect(),
        _ => Err(Bail::Schema("requirements are not a list")),
    }
}

fn variants(v: &Value) -> Result<Vec<Vec<String>>, Bail> {
    match v {
        Value::List(items) => items.iter().map(requests).collect(),
        _ => Err(Bail::Schema("variants is not a list")),
    }
}

fn version(v: &Value) -> Result<String, Bail> {
    match v {
        Value::Str(s) => Version::parse(s)
            .map(|v| v.to_string())
            .map_err(|_| Bail::InvalidVersion),
        _ => Err(Bail::Schema("version is not a str")),
    }
}

/// Validates one key of the loaded dict against `package_pod_schema`.
fn check_value(key: &str, v: &Value) -> Result<(), Bail> {
    let ok = match key {
        "name" | "base" | "uuid" | "vcs" | "description" | "changelog" => is_str(v),
        "version" | "previous_version" => return version(v).map(|_| ()),
        "authors" | "plugin_for" | "tools" => is_list_of_str(v),
        "requires" | "build_requires" | "private_build_requires" => return requests(v).map(|_| ()),
        "variants" => return variants(v).map(|_| ()),
        "has_plugins" | "hashed_variants" => matches!(v, Value::Bool),
        "relocatable" | "cachable" => matches!(v, Value::Bool | Value::None),
        "help" => is_str(v) || matches!(v, Value::List(items) if items.iter().all(is_list_of_str)),
        "config" => return Err(Bail::Unsupported("config assignment")),
        "tests" => return Err(Bail::Unsupported("tests")),
        "timestamp" => matches!(v, Value::Int | Value::Bool),
        "release_message" => matches!(v, Value::Str(_) | Value::None),
        k if REX_KEYS.contains(&k) => is_str(v) || is_list_of_str(v),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Bail::Schema("value of the wrong type"))
    }
}

/// Applies rez's post-processing and schema to the module's bindings and
/// returns the solver's fields.
pub fn extract(module: &Module<'_>) -> Result<StaticPackage, Bail> {
    // `with scope("x")` blocks produce dicts that override top-level names.
    for scope in &module.scopes {
        if scope.starts_with("__") || scope == "format_version" {
            continue;
        }
        if scope != "config" {
            check_value(scope, &Value::Dict)?;
        }
    }
    let scoped = |k: &str| module.scopes.iter().any(|s| s == k);
    for (key, binding) in &module.bindings {
        if key.starts_with("__") || *key == "format_version" || scoped(key) {
            continue; // trimmed, popped, or overridden by a scope
        }
        match binding {
            // rex-named functions become SourceCode (valid for those keys);
            // `preprocess` stays a function; other functions are dropped.
            Binding::Function => {}
            Binding::Value(v) => check_value(key, v)?,
        }
    }
    let value = |k: &str| match module.get(k) {
        Some(Binding::Value(v)) if !scoped(k) => Some(v),
        _ => None,
    };
    let name = match value("name") {
        Some(Value::Str(s)) => s.clone(),
        _ => return Err(Bail::MissingName),
    };
    let version = match value("version") {
        Some(v) => version(v)?,
        None => return Err(Bail::MissingVersion),
    };
    let requires = match value("requires") {
        Some(v) => requests(v)?,
        None => Vec::new(),
    };
    let variants = match value("variants") {
        Some(v) => variants(v)?,
        None => Vec::new(),
    };
    Ok(StaticPackage {
        name,
        version,
        requires,
        variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        for ok in ["foo", "foo_bar", "a.b", "_x", "9lives", "Foo.Bar2"] {
            assert!(is_valid_package_name(ok), "{ok}");
        }
        for bad in ["", ".foo", "foo.", "a..b", "foo bar", "__pycache__", "fü"] {
            assert!(!is_valid_package_name(bad), "{bad}");
        }
    }

    #[test]
    fn requests_are_normalised() {
        assert_eq!(package_request("foo>=1").unwrap(), "foo-1+");
        assert_eq!(package_request(".eph-1").unwrap(), ".eph-1");
        assert_eq!(package_request("~foo").unwrap(), "~foo");
        assert_eq!(package_request("foo-1."), Err(Bail::InvalidRequirement));
        assert_eq!(package_request("!.foo"), Err(Bail::InvalidRequirement));
        assert_eq!(package_request("~.foo"), Err(Bail::InvalidRequirement));
        assert_eq!(package_request(""), Err(Bail::InvalidRequirement));
    }
}
