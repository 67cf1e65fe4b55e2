//! `processing`: where the intermediate files of a run go, and whether the models run on
//! the whole recording or only on its takes.

use std::path::PathBuf;

use serde::Deserialize;

use crate::music_only::MusicOnly;

/// What the models separate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Separate {
    /// The whole recording.
    #[default]
    All,
    /// Only the takes (plus `take_margin_seconds`); the gaps get the mix in `gap_stem`.
    Takes,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingConfig {
    /// Where intermediate WAVs go; the system temp dir when unset.
    #[serde(default)]
    pub temp_dir: Option<PathBuf>,
    #[serde(default)]
    pub separate: Separate,
    /// With `separate: takes`: the stem that carries the mix in the gaps (talk and
    /// tuning stay audible there); unset: silence in every stem.
    #[serde(default)]
    pub gap_stem: Option<String>,
    /// With `separate: takes`: seconds of context added before and after each take.
    #[serde(default = "default_margin")]
    pub take_margin_seconds: f64,
}

fn default_margin() -> f64 {
    2.0
}

impl Default for ProcessingConfig {
    fn default() -> Self {
        Self {
            temp_dir: None,
            separate: Separate::All,
            gap_stem: None,
            take_margin_seconds: default_margin(),
        }
    }
}

impl ProcessingConfig {
    /// What a job runs when only the takes are separated.
    pub fn music_only(&self) -> Option<MusicOnly> {
        (self.separate == Separate::Takes).then(|| MusicOnly {
            margin_seconds: self.take_margin_seconds,
            gap_stem: self.gap_stem.clone(),
        })
    }

    pub(crate) fn check(&self, file: &str, takes_enabled: bool, problems: &mut Vec<String>) {
        if !(self.take_margin_seconds.is_finite()
            && (0.0..=60.0).contains(&self.take_margin_seconds))
        {
            problems.push(format!(
                "{file}: processing.take_margin_seconds: must be 0–60 seconds, not {}",
                self.take_margin_seconds
            ));
        }
        if self.separate == Separate::Takes && !takes_enabled {
            problems.push(format!(
                "{file}: processing.separate: takes needs take detection; set takes.enabled: true or separate: all"
            ));
        }
    }
}
