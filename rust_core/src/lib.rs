//! pyrer's Rust core: rez's version algebra (this crate's first layer), with
//! Python bindings behind the `python` feature.

pub mod bound;
pub mod error;
pub mod package_py;
pub mod range;
mod range_parser;
pub mod requirement;
pub mod token;
pub mod version;

#[cfg(feature = "python")]
mod python;

pub use error::VersionError;
pub use range::VersionRange;
pub use requirement::{Requirement, RequirementList, VersionedObject};
pub use version::Version;
