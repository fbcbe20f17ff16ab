//! rez's `package_pod_schema` (rez/package_resources.py), applied to the
//! names a static module binds, and the extraction of the solver's fields.
//!
//! rez validates the whole loaded dict (`FileSystemPackageResource` with
//! `package_pod_schema`); a value of the wrong type makes the load fail, so
//! the parser bails rather than return data rez would never produce.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::bail::{Bail, Construct, Violation};
use super::fields::REX_KEYS;
use super::parser::Module;
use super::value::{Binding, Items, Value};
use crate::algebra::requirement::Requirement;
use crate::algebra::version::Version;
use crate::package::{is_valid_package_name, PackageData as StaticPackage, PackageDataBuilder};

fn is_str(v: &Value<'_>) -> bool {
    matches!(v, Value::Str(_))
}

fn is_list_of_str(m: &Module<'_>, v: &Value<'_>) -> bool {
    matches!(v, Value::List(items) if m.items(*items).iter().all(is_str))
}

/// Entries kept per thread before a memo is cleared (bounds memory).
const MEMO_LIMIT: usize = 1 << 16;

/// Keys are short strings from local files, and the memos are bounded: a
/// fast non-cryptographic hash is enough.
type Memo = RefCell<HashMap<Box<str>, Result<String, Bail>, FxBuildHasher>>;

thread_local! {
    // const-initialised: no lazy-initialisation check on each lookup
    static REQUEST_MEMO: Memo = const { RefCell::new(HashMap::with_hasher(FxBuildHasher)) };
    static VERSION_MEMO: Memo = const { RefCell::new(HashMap::with_hasher(FxBuildHasher)) };
}

/// Memoises a pure string function per thread: a repository repeats the same
/// requirement and version strings across thousands of files. The value is
/// appended to `out`.
fn memoised(
    memo: &'static std::thread::LocalKey<Memo>,
    s: &str,
    f: fn(&str) -> Result<String, Bail>,
    out: &mut String,
) -> Result<(), Bail> {
    memo.with(|m| {
        if let Some(r) = m.borrow().get(s) {
            return r.as_ref().map(|v| out.push_str(v)).map_err(Clone::clone);
        }
        let r = f(s);
        let pushed = r.as_ref().map(|v| out.push_str(v)).map_err(Clone::clone);
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_LIMIT {
            m.clear();
        }
        m.insert(s.into(), r);
        pushed
    })
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `token(.token)*` with `token = [A-Za-z0-9_]+`: a version rez prints back
/// unchanged, and a range that means "this version and its sub-versions".
fn is_plain_version(s: &str) -> bool {
    let b = s.as_bytes();
    // no empty token: not empty, no leading, trailing or doubled dot
    !b.is_empty()
        && b[0] != b'.'
        && b[b.len() - 1] != b'.'
        && b.iter().all(|&c| is_word(c) || c == b'.')
        && !b.windows(2).any(|w| w == b"..")
}

/// `name` or `name-version` in their simplest forms, which rez's
/// `PackageRequest` accepts and prints back unchanged.
fn is_plain_request(s: &str) -> bool {
    let b = s.as_bytes();
    let name_end = b.iter().position(|&c| !is_word(c)).unwrap_or(b.len());
    let (name, version) = match b.get(name_end) {
        None => (s, None),
        Some(b'-') => (&s[..name_end], Some(&s[name_end + 1..])),
        Some(_) => return false,
    };
    !name.is_empty() && name != "__pycache__" && version.is_none_or(is_plain_version)
}

/// Appends `str(PackageRequest(s))`, the normalised requirement string.
fn package_request_into(s: &str, out: &mut String) -> Result<(), Bail> {
    if is_plain_request(s) {
        debug_assert_eq!(normalise_request(s).as_deref(), Ok(s));
        out.push_str(s);
        return Ok(());
    }
    memoised(&REQUEST_MEMO, s, normalise_request, out)
}

/// `str(PackageRequest(s))`.
#[cfg(test)]
fn package_request(s: &str) -> Result<String, Bail> {
    let mut out = String::new();
    package_request_into(s, &mut out).map(|()| out)
}

/// `str(Version(s))`, borrowed when `s` is already normalised.
fn normalise_version(s: &str) -> Result<Cow<'_, str>, Bail> {
    if is_plain_version(s) {
        debug_assert_eq!(Version::parse(s).map(|v| v.to_string()).as_deref(), Ok(s));
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::new();
    memoised(
        &VERSION_MEMO,
        s,
        |s| {
            Version::parse(s)
                .map(|v| v.to_string())
                .map_err(|_| Bail::InvalidVersion)
        },
        &mut out,
    )?;
    Ok(Cow::Owned(out))
}

fn normalise_request(s: &str) -> Result<String, Bail> {
    let req = Requirement::parse(s).map_err(|_| Bail::InvalidRequirement)?;
    let name = req.name();
    let checked = if s.starts_with('.') { &name[1..] } else { name };
    if !is_valid_package_name(checked) {
        return Err(Bail::InvalidRequirement);
    }
    Ok(req.to_string())
}

/// Where normalised requirement strings go: a record being built, or
/// nowhere (a field that is only validated).
trait RequestSink {
    fn push_request(&mut self, s: &str) -> Result<(), Bail>;
    fn start_variant(&mut self) {}
}

impl RequestSink for PackageDataBuilder {
    #[inline]
    fn push_request(&mut self, s: &str) -> Result<(), Bail> {
        self.push_with(|out| package_request_into(s, out))
    }

    fn start_variant(&mut self) {
        PackageDataBuilder::start_variant(self)
    }
}

/// Validates only, reusing one buffer.
struct Discard(String);

impl RequestSink for Discard {
    fn push_request(&mut self, s: &str) -> Result<(), Bail> {
        self.0.clear();
        package_request_into(s, &mut self.0)
    }
}

fn requests(m: &Module<'_>, v: &Value<'_>, sink: &mut impl RequestSink) -> Result<(), Bail> {
    match v {
        Value::List(items) => m.items(*items).iter().try_for_each(|item| match item {
            Value::Str(s) => sink.push_request(s),
            _ => Err(Bail::Schema(Violation::RequirementNotStr)),
        }),
        _ => Err(Bail::Schema(Violation::RequirementsNotList)),
    }
}

fn variants(m: &Module<'_>, v: &Value<'_>, sink: &mut impl RequestSink) -> Result<(), Bail> {
    match v {
        Value::List(items) => m.items(*items).iter().try_for_each(|v| {
            sink.start_variant();
            requests(m, v, sink)
        }),
        _ => Err(Bail::Schema(Violation::VariantsNotList)),
    }
}

/// The total length of the strings in a list (or list of lists): room for
/// the normalised requirements, which are rarely longer.
fn text_len(m: &Module<'_>, v: Option<&Value<'_>>) -> usize {
    match v {
        Some(Value::Str(s)) => s.len(),
        Some(Value::List(items)) => m.items(*items).iter().map(|i| text_len(m, Some(i))).sum(),
        _ => 0,
    }
}

fn version<'a>(v: &'a Value<'_>) -> Result<Cow<'a, str>, Bail> {
    match v {
        Value::Str(s) => normalise_version(s),
        _ => Err(Bail::Schema(Violation::VersionNotStr)),
    }
}

/// A dict literal's entries as Python keeps them: each key once, with the
/// last value written for it.
fn dict_entries<'m, 'a>(
    m: &'m Module<'a>,
    items: Items,
) -> impl Iterator<Item = (&'m str, &'m Value<'a>)> {
    let flat = m.items(items);
    flat.chunks_exact(2)
        .enumerate()
        .filter_map(move |(i, pair)| match (&pair[0], &pair[1]) {
            (Value::Str(k), v)
                if !flat[2 * (i + 1)..]
                    .chunks_exact(2)
                    .any(|later| matches!(&later[0], Value::Str(l) if l == k)) =>
            {
                Some((k.as_ref(), v))
            }
            _ => None,
        })
}

/// rez's `tests_schema`, as its vendored `schema` library applies it:
/// `{name: command | {"command": ..., "requires": [...], "run_on": ...,
/// "on_variants": bool | {"type": "requires", "value": [...]}, other: any}}`.
/// An empty key fails there (the library skips a falsy key, then reports
/// it as a wrong key).
fn tests(m: &Module<'_>, v: &Value<'_>) -> Result<(), Bail> {
    let wrong = Err(Bail::Schema(Violation::WrongType));
    let str_or_strs = |v: &Value<'_>| is_str(v) || is_list_of_str(m, v);
    let requests_ok = |v: &Value<'_>| requests(m, v, &mut Discard(String::new())).is_ok();
    let Value::Dict(tests) = v else {
        return wrong;
    };
    for (name, test) in dict_entries(m, *tests) {
        if name.is_empty() {
            return wrong;
        }
        if str_or_strs(test) {
            continue;
        }
        let Value::Dict(fields) = test else {
            return wrong;
        };
        let mut has_command = false;
        for (key, value) in dict_entries(m, *fields) {
            let ok = match key {
                "" => false,
                "command" => {
                    has_command = true;
                    str_or_strs(value)
                }
                "requires" => requests_ok(value),
                "run_on" => str_or_strs(value),
                "on_variants" => match value {
                    Value::Bool(_) => true,
                    Value::Dict(on) => {
                        let entries: Vec<_> = dict_entries(m, *on).collect();
                        entries.len() == 2
                            && entries.iter().all(|(k, v)| match *k {
                                "type" => matches!(v, Value::Str(t) if t == "requires"),
                                "value" => requests_ok(v),
                                _ => false,
                            })
                    }
                    _ => false,
                },
                _ => true, // the schema is extensible
            };
            if !ok {
                return wrong;
            }
        }
        if !has_command {
            return wrong;
        }
    }
    Ok(())
}

/// Validates one key of the loaded dict against `package_pod_schema`.
fn check_value(m: &Module<'_>, key: &str, v: &Value<'_>) -> Result<(), Bail> {
    let is_list_of_str = |v: &Value<'_>| is_list_of_str(m, v);
    let ok = match key {
        "name" | "base" | "uuid" | "vcs" | "description" | "changelog" => is_str(v),
        "version" | "previous_version" => return version(v).map(|_| ()),
        "authors" | "plugin_for" | "tools" => is_list_of_str(v),
        "requires" | "build_requires" | "private_build_requires" => {
            return requests(m, v, &mut Discard(String::new()))
        }
        "variants" => return variants(m, v, &mut Discard(String::new())),
        "has_plugins" | "hashed_variants" => matches!(v, Value::Bool(_)),
        "relocatable" | "cachable" => matches!(v, Value::Bool(_) | Value::None),
        "help" => {
            is_str(v)
                || matches!(v, Value::List(items) if m.items(*items).iter().all(is_list_of_str))
        }
        "config" => return Err(Bail::Unsupported(Construct::ConfigAssignment)),
        "tests" => return tests(m, v),
        "timestamp" => match v {
            Value::Int(Some(_)) => true,
            // rez accepts them (a bool is an int); pyrer keeps 64-bit values
            Value::Int(None) | Value::Bool(_) => {
                return Err(Bail::Unsupported(Construct::UnusualTimestamp))
            }
            _ => false,
        },
        "release_message" => matches!(v, Value::Str(_) | Value::None),
        k if REX_KEYS.contains(&k) => is_str(v) || is_list_of_str(v),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Bail::Schema(Violation::WrongType))
    }
}

/// Where a package's version comes from when its file binds none.
#[derive(Clone, Copy, Debug)]
pub enum VersionFallback<'p> {
    /// The file alone (the per-file form): no `version`, no package.
    None,
    /// rez's filesystem repository names a package by its directories: a
    /// file without `version` at `family/version/package.py` is that version,
    /// one at `family/package.py` an unversioned package. The names of the
    /// file's folder and of the folder above it.
    Directories {
        parent: &'p str,
        grandparent: &'p str,
    },
    /// The repository layout already decided the version (the memo's
    /// loader, which takes name and version from the directories anyway).
    Known(&'p str),
}

/// Applies rez's post-processing and schema to the module's bindings and
/// returns the solver's fields.
pub fn extract(module: &Module<'_>, fallback: VersionFallback<'_>) -> Result<StaticPackage, Bail> {
    // `with scope("x")` blocks produce dicts that override top-level names.
    for scope in &module.scopes {
        if scope.starts_with("__") || scope == "format_version" {
            continue;
        }
        match scope.as_str() {
            "config" => {}
            // a scope's contents are not kept
            "tests" => return Err(Bail::Unsupported(Construct::Tests)),
            _ => check_value(module, scope, &Value::Dict(Items::EMPTY))?,
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
            Binding::Function | Binding::Module => {}
            // run by the parser before this point
            Binding::Early(_) => return Err(Bail::Unsupported(Construct::EarlyFunction)),
            // checked below, while they are extracted
            Binding::Value(_) if matches!(*key, "name" | "version" | "requires" | "variants") => {}
            Binding::Value(v) => check_value(module, key, v)?,
        }
    }
    let value = |k: &str| match module.get(k) {
        Some(Binding::Value(v)) if !scoped(k) => Some(v),
        _ => None,
    };
    let name = match value("name") {
        Some(Value::Str(s)) => s,
        Some(_) => return Err(Bail::Schema(Violation::WrongType)),
        None => return Err(Bail::MissingName),
    };
    let version = match (value("version"), fallback) {
        (Some(v), _) => version(v)?,
        (None, VersionFallback::Known(v)) => Cow::Borrowed(v),
        (
            None,
            VersionFallback::Directories {
                parent,
                grandparent,
            },
        ) if name == grandparent => {
            // rez's repository lists only directories that are versions as it
            // writes them; any other spelling is left to rez
            match normalise_version(parent)? {
                Cow::Borrowed(v) => Cow::Borrowed(v),
                Cow::Owned(_) => return Err(Bail::MissingVersion),
            }
        }
        (None, VersionFallback::Directories { parent, .. }) if name == parent => Cow::Borrowed(""),
        (None, _) => return Err(Bail::MissingVersion),
    };
    let requires = value("requires");
    let variant_list = value("variants");
    let room = text_len(module, requires) + text_len(module, variant_list);
    let mut record = StaticPackage::builder(name, &version, room + name.len() + version.len());
    if let Some(v) = requires {
        requests(module, v, &mut record)?;
    }
    if let Some(v) = variant_list {
        variants(module, v, &mut record)?;
    }
    if let Some(Value::Int(Some(t))) = value("timestamp") {
        record.set_timestamp(*t);
    }
    Ok(record.build())
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
    fn plain_forms_round_trip() {
        for s in [
            "foo",
            "foo-1",
            "foo-01.002_a",
            "_-_",
            "9-9",
            "foo-1._",
            "foo-A.b",
        ] {
            assert!(is_plain_request(s), "{s}");
            assert_eq!(normalise_request(s).as_deref(), Ok(s));
        }
        for s in [
            "foo-1+",
            "foo-1-2",
            "foo-",
            "foo-1.",
            ".foo",
            "~foo",
            "foo.bar",
            "__pycache__",
        ] {
            assert!(!is_plain_request(s), "{s}");
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
