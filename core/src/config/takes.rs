//! `takes`: take detection on every processed recording (issue 16). On by default; every
//! detection setting of `stemset_audio::takes::TakeSettings` may be set beside `enabled`.

use serde::Deserialize;
use stemset_audio::takes::TakeSettings;

#[derive(Debug, Clone, PartialEq)]
pub struct TakesConfig {
    pub enabled: bool,
    pub detection: TakeSettings,
}

/// `enabled` beside the analysis settings in one mapping. (serde's `flatten` would
/// silently drop a misspelt setting; this way it is refused by name.)
impl<'de> Deserialize<'de> for TakesConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = serde_yaml_ng::Mapping::deserialize(d)?;
        let enabled = match map.remove("enabled") {
            None => true,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| D::Error::custom("enabled: must be true or false"))?,
        };
        let detection = serde_yaml_ng::from_value(serde_yaml_ng::Value::Mapping(map))
            .map_err(D::Error::custom)?;
        Ok(Self { enabled, detection })
    }
}

impl Default for TakesConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            detection: TakeSettings::default(),
        }
    }
}

impl TakesConfig {
    /// What a job runs: the settings, or None when detection is off.
    pub fn settings(&self) -> Option<TakeSettings> {
        self.enabled.then(|| self.detection.clone())
    }

    pub(crate) fn check(&self, file: &str, problems: &mut Vec<String>) {
        let d = &self.detection;
        let mut positive = |name: &str, v: f64| {
            if !(v.is_finite() && v > 0.0) {
                problems.push(format!(
                    "{file}: takes.{name}: must be a positive number of seconds, not {v}"
                ));
            }
        };
        positive("min_take_seconds", d.min_take_seconds);
        positive("false_start_seconds", d.false_start_seconds);
        positive("merge_gap_seconds", d.merge_gap_seconds);
        for (name, v) in [
            ("start_margin_seconds", d.start_margin_seconds),
            ("end_margin_seconds", d.end_margin_seconds),
            ("restart_within_seconds", d.restart_within_seconds),
        ] {
            if !(v.is_finite() && (0.0..=600.0).contains(&v)) {
                problems.push(format!(
                    "{file}: takes.{name}: must be 0–600 seconds, not {v}"
                ));
            }
        }
        if !(0.0 < d.off_threshold && d.off_threshold <= d.on_threshold && d.on_threshold < 1.0) {
            problems.push(format!(
                "{file}: takes: need 0 < off_threshold <= on_threshold < 1 (got {} and {})",
                d.off_threshold, d.on_threshold
            ));
        }
        if d.smooth_seconds == 0 || d.smooth_seconds > 61 {
            problems.push(format!(
                "{file}: takes.smooth_seconds: must be 1–61, not {}",
                d.smooth_seconds
            ));
        }
        if !(20.0 <= d.min_bpm && d.min_bpm < d.max_bpm && d.max_bpm <= 400.0) {
            problems.push(format!(
                "{file}: takes: need 20 <= min_bpm < max_bpm <= 400 (got {} and {})",
                d.min_bpm, d.max_bpm
            ));
        }
    }
}
