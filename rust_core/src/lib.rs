//! pyrer's Rust core: rez's version algebra, the rez solver port and the
//! package data it consumes, with Python bindings behind the `python` feature.

pub mod bound;
pub mod error;
pub mod fork_guard;
pub mod memo;
pub mod names;
pub mod package;
pub mod package_py;
pub mod range;
mod range_parser;
pub mod repository;
pub mod requirement;
pub mod solver;
pub mod token;
pub mod version;

#[cfg(feature = "python")]
mod python;

/// The solver allocates and frees many small objects; mimalloc is markedly
/// faster at that than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use error::VersionError;
pub use range::VersionRange;
pub use requirement::{Requirement, RequirementList, VersionedObject};
pub use version::Version;
