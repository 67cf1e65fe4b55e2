//! `output`: the format and bitrate of the stems.

use serde::Deserialize;
use stemset_audio::encode::OutputFormat;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    #[serde(default = "default_format")]
    pub format: OutputFormat,
    /// Opus bitrate in kbit/s (all channels).
    #[serde(default = "default_bitrate")]
    pub bitrate: u32,
}

fn default_format() -> OutputFormat {
    OutputFormat::Opus
}
fn default_bitrate() -> u32 {
    160
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            format: default_format(),
            bitrate: default_bitrate(),
        }
    }
}

impl OutputConfig {
    pub(crate) fn check(&self, file: &str, problems: &mut Vec<String>) {
        if !(6..=510).contains(&self.bitrate) {
            problems.push(format!(
                "{file}: output.bitrate: {} kbit/s is outside Opus's range 6..=510",
                self.bitrate
            ));
        }
    }
}
