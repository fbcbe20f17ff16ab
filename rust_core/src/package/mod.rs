//! Package data as the solver's input: the plain record ([`PackageData`]),
//! a package parsed into the solver's form ([`Package`]), process-wide
//! family names ([`names`]), a reusable set of packages ([`repository`]) and
//! rez's package filters ([`filter`]).

mod data;
pub mod filter;
pub mod names;
pub mod repository;
mod solvable;

pub use data::{PackageData, PackageDataBuilder, Strings};
pub use names::is_valid_package_name;
pub use solvable::{is_schema_requirement, Package, VariantRequires};
