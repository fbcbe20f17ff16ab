//! The error raised for invalid versions, ranges and requirements.

use std::fmt;

/// rez's `VersionError`: an invalid version, range or requirement string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionError {
    message: String,
}

impl VersionError {
    pub fn new(message: impl Into<String>) -> VersionError {
        VersionError {
            message: message.into(),
        }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VersionError {}
