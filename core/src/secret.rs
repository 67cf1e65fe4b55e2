//! A secret value from the configuration (database URLs carry passwords, keys are keys):
//! it never prints, so no log line or error message can leak it.

use std::fmt;

use serde::Deserialize;

/// A string that never prints (database URLs carry passwords, secrets are secrets).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}
