//! A static reader for rez `package.py` files: reads `name`, `version`,
//! `requires` and `variants` without a Python interpreter, for the files whose
//! meaning does not depend on running them.
//!
//! The pipeline is `encoding` (BOM, coding cookie) → `lexer` (tokens) →
//! `parser` (top-level bindings, with `literal` decoding strings and `body`
//! checking function bodies that are compiled but not run) → `schema` (rez's
//! package schema and requirement normalisation). `fast` stands in for
//! `lexer` and `parser` on files made only of simple literal assignments, and
//! hands anything else to them. Any step may [`Bail`]: the
//! file is then left to rez's own loader. A bail is always acceptable; a
//! value that differs from rez's is not.

mod bail;
mod body;
mod encoding;
mod fast;
mod fields;
mod lexer;
mod literal;
mod parser;
mod schema;
mod strings;
mod value;

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

pub use bail::{Bail, Construct, Violation};
pub use schema::VersionFallback;

/// The solver's fields of a package, exactly as rez loads them: `version` is
/// `str(pkg.version)`, requirements are rez's normalised strings.
pub use crate::package::PackageData as StaticPackage;

/// Parses the source of a `package.py`.
pub fn parse_static_package(source: &str) -> Result<StaticPackage, Bail> {
    parse_static_package_in(source, VersionFallback::None)
}

/// Parses the source of a `package.py` whose place in a repository gives
/// the version when the file binds none (see [`VersionFallback`]).
pub fn parse_static_package_in(
    source: &str,
    fallback: VersionFallback<'_>,
) -> Result<StaticPackage, Bail> {
    let text = encoding::python_source(source)?;
    match fast::parse_simple_module(text) {
        Some(module) => {
            let result = schema::extract(&module, fallback);
            fast::recycle(module);
            result
        }
        None => schema::extract(&parser::parse_module(text)?, fallback),
    }
}

/// The version fallback of a file at `path`, from its directories.
fn directories_of(path: &Path) -> VersionFallback<'_> {
    fn name(p: Option<&Path>) -> Option<&str> {
        p.and_then(Path::file_name).and_then(|n| n.to_str())
    }
    let parent = path.parent();
    match (name(parent), name(parent.and_then(Path::parent))) {
        (Some(parent), Some(grandparent)) => VersionFallback::Directories {
            parent,
            grandparent,
        },
        _ => VersionFallback::None,
    }
}

/// Whether executing `source` depends on nothing but its text: every
/// statement is one the static parser runs itself (literal assignments,
/// `def`s, `with scope(...)` blocks, lint-helper imports). rez's loader then
/// returns the same data for the same bytes in every process, whatever the
/// schema makes of it later.
pub fn runs_statically(source: &str) -> bool {
    encoding::python_source(source).is_ok_and(|text| parser::parse_module(text).is_ok())
}

/// Reads and parses one file; a file without `version` takes it from its
/// directories, as rez's filesystem repository does ([`VersionFallback`]).
pub fn parse_static_package_file(path: &Path) -> Result<StaticPackage, Bail> {
    if path.extension().and_then(|e| e.to_str()) != Some("py") {
        return Err(Bail::NotPy);
    }
    READ_BUFFER.with_borrow_mut(|buf| {
        let len = read_into(path, buf).map_err(|_| Bail::Unreadable)?;
        let text = std::str::from_utf8(&buf[..len]).map_err(|_| Bail::NotUtf8)?;
        let result = parse_static_package_in(text, directories_of(path));
        if buf.len() > 16 * READ_CHUNK {
            // do not keep a buffer sized for one unusually large file
            *buf = Vec::new();
        }
        result
    })
}

thread_local! {
    /// One read buffer per thread, reused across files and calls.
    static READ_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Reads the whole file into `buf`, returning the length read.
fn read_into(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut file = File::open(path)?;
    if buf.len() < READ_CHUNK {
        buf.resize(READ_CHUNK, 0);
    }
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[len..]) {
            Ok(0) => return Ok(len),
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

const READ_CHUNK: usize = 16 * 1024;

/// Reads and parses files on the rayon pool (on this thread in a forked
/// child); the output is aligned with `paths`.
pub fn parse_static_package_files<P: AsRef<Path> + Sync>(
    paths: &[P],
) -> Vec<Result<StaticPackage, Bail>> {
    let parse = |p: &P| parse_static_package_file(p.as_ref());
    if crate::fork_guard::pool_usable() {
        paths.par_iter().map(parse).collect()
    } else {
        paths.iter().map(parse).collect()
    }
}

#[cfg(test)]
mod tests;
