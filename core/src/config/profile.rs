//! `profiles.NAME`: a band, its source folder, its strategy and who may see it.

use std::path::PathBuf;

use serde::Deserialize;

/// The role names stored in the database for a member of a profile.
pub const ROLE_OWNER: &str = "owner";
pub const ROLE_MEMBER: &str = "member";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Folder scanned by `stemset process`.
    pub source: PathBuf,
    pub strategy: String,
    /// Separate on a remote GPU worker instead of locally.
    #[serde(default)]
    pub remote: bool,
    #[serde(default)]
    pub display_name: Option<String>,
    /// Emails of the band's owners and members: who may see and change it in the web app
    /// and the API. Listed emails may sign in even when not in `auth.allowed_emails`.
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub members: Vec<String>,
}

impl ProfileConfig {
    /// The role of `email` in this profile, if any (`owner` wins over `member`).
    pub fn role_of(&self, email: &str) -> Option<&'static str> {
        let is = |list: &[String]| list.iter().any(|e| e.eq_ignore_ascii_case(email));
        if is(&self.owners) {
            Some(ROLE_OWNER)
        } else if is(&self.members) {
            Some(ROLE_MEMBER)
        } else {
            None
        }
    }
}

/// A loose check: something@host.tld without spaces (the provider verifies the rest).
pub fn looks_like_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.') && !s.contains(char::is_whitespace))
}
