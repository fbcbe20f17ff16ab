//! pyrer's Rust core, in layers that only depend downwards:
//!
//! - [`algebra`]: rez's version, range and requirement rules;
//! - [`package`]: package data as the solver's input (records, interned
//!   family names, a reusable repository);
//! - [`solver`] (the rez solver port), [`package_py`] (the static
//!   `package.py` reader) and [`memo`] (the LMDB package memo), each built on
//!   the two layers above;
//! - `python`: the PyO3 bindings (feature `python`), the only place that
//!   knows about Python.

pub mod algebra;
mod allocator;
pub mod fork_guard;
pub mod memo;
mod memory_ahead;
pub mod package;
pub mod package_py;
pub mod solver;
#[cfg(test)]
mod test_rng;

#[cfg(feature = "python")]
mod python;

/// The solver allocates and frees many small objects; mimalloc is markedly
/// faster at that than the system allocator.
#[global_allocator]
static GLOBAL: allocator::Mimalloc = allocator::Mimalloc;

pub use algebra::{
    Requirement, RequirementList, Version, VersionError, VersionRange, VersionedObject,
};
