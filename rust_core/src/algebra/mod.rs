//! rez's version algebra (`rez.version`): versions and their tokens, bounds,
//! ranges and requirements, with rez 3.4's parsing, ordering, set operations
//! and string forms. Everything else in the crate builds on this layer; it
//! depends on nothing else in the crate.
//!
//! `token` → `version` → `bound` → `range_parser` → `range` → `requirement`,
//! with `error` (rez's `VersionError`) and `parse_memo` (each text parsed
//! once per thread) beside them.

pub mod bound;
pub mod error;
pub(crate) mod parse_memo;
pub mod range;
mod range_parser;
pub mod requirement;
pub mod token;
pub mod version;

pub use error::VersionError;
pub use range::VersionRange;
pub use requirement::{Requirement, RequirementList, VersionedObject};
pub use version::Version;
