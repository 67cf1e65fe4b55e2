//! `processing`: where the intermediate files of a run go.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingConfig {
    /// Where intermediate WAVs go; the system temp dir when unset.
    #[serde(default)]
    pub temp_dir: Option<PathBuf>,
}
