//! MDX23C and BS-/Mel-Band Roformer exports with the waveform contract (spec §3.7.1):
//! one input `[B, 2, C]`, one output `[B, S, 2, C]` (or `[B, 2, C]` for a single-target
//! model). The model's YAML config (the one that came with its checkpoint, next to the
//! export with the same base name, or `params.config`) names the stems and gives the
//! chunk size and overlap; `params` can override every value.

use std::path::Path;

use serde_yaml_ng::Value;

use crate::audio::spool::SpooledAudio;
use crate::audio::{AudioSink, AudioSource};
use crate::chunking::waveform::{Schedule, WaveformOptions, WindowModel, apply_waveform};
use crate::params::Params;
use crate::separator::{AudioSeparator, SeparationError, SeparationProgress, SlotInfo};
use crate::settings::ModelSpec;
use crate::stems::{secondary_of, slot_name};

pub type BoxedWindowModel = Box<dyn WindowModel + Send>;

/// Everything the chunking and the stem naming need, resolved from the YAML and params.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveformConfig {
    pub schedule: Schedule,
    /// C, samples per window: the length the model was exported with.
    pub chunk: usize,
    pub overlap: usize,
    pub batch_size: usize,
    pub sample_rate: u32,
    pub instruments: Vec<String>,
    pub target: Option<String>,
}

impl WaveformConfig {
    /// Stems the network itself outputs (§3.3): 1 with a target, else one per instrument.
    pub fn network_outputs(&self) -> usize {
        if self.target.is_some() {
            1
        } else {
            self.instruments.len()
        }
    }

    /// The separator's slots, network outputs first; a single-target model adds
    /// `mix − target` as the complementary stem.
    pub fn slots(&self) -> Vec<SlotInfo> {
        match &self.target {
            Some(target) => {
                let secondary = match self.instruments.as_slice() {
                    [a, b] if a.eq_ignore_ascii_case(target) => b.clone(),
                    [a, b] if b.eq_ignore_ascii_case(target) => a.clone(),
                    _ => secondary_of(target),
                };
                vec![
                    SlotInfo::new(
                        slot_name(target),
                        format!("{target} (the network's output)"),
                    ),
                    SlotInfo::new(
                        slot_name(&secondary),
                        format!("{secondary} (mix − {target})"),
                    ),
                ]
            }
            None => self
                .instruments
                .iter()
                .map(|i| SlotInfo::new(slot_name(i), format!("{i} (network output)")))
                .collect(),
        }
    }

    /// Reads the YAML (if any) and `params` (`config`, `mode`, `chunk`, `dim_t`, `hop`,
    /// `overlap`, `batch_size`, `sample_rate`, `instruments`, `target`).
    pub fn resolve(model_file: &Path, p: &mut Params<'_>) -> Result<Self, String> {
        let dir = model_file.parent().unwrap_or(Path::new("."));
        let yaml_path = match p.opt_string("config")? {
            Some(c) => {
                let path = dir.join(c);
                if !path.is_file() {
                    return Err(format!("params.config: {} does not exist", path.display()));
                }
                Some(path)
            }
            None => ["yaml", "yml"]
                .iter()
                .map(|ext| model_file.with_extension(ext))
                .find(|p| p.is_file()),
        };
        let yaml = match &yaml_path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let value: Value = serde_yaml_ng::from_str(&text)
                    .map_err(|e| format!("{} is not valid YAML: {e}", path.display()))?;
                Some(value)
            }
            None => None,
        };
        let y = Yaml(yaml.as_ref());
        let from = || match &yaml_path {
            Some(path) => format!("{} or params", path.display()),
            None => format!(
                "params (no {} next to the model)",
                model_file.with_extension("yaml").display()
            ),
        };

        let schedule = match p.opt_string("mode")?.as_deref() {
            Some("roformer") => Schedule::Roformer,
            Some("mdx23c") => Schedule::Mdx23c,
            Some(other) => {
                return Err(format!(
                    "params.mode = \"{other}\": valid values are roformer, mdx23c"
                ));
            }
            None if y.is_roformer(model_file) => Schedule::Roformer,
            None if yaml.is_some() => Schedule::Mdx23c,
            None => {
                return Err(format!(
                    "cannot tell whether {} is a Roformer or an MDX23C model: set params.mode \
                     (roformer or mdx23c) or put its YAML config next to it as {}",
                    model_file.display(),
                    model_file.with_extension("yaml").display()
                ));
            }
        };

        let dim_t = p
            .opt_int("dim_t", 2..=1_000_000)?
            .or(y.int(&["inference", "dim_t"]))
            .or(y.int(&["audio", "dim_t"]));
        let hop = p.opt_int("hop", 1..=1_000_000)?.or(match schedule {
            Schedule::Roformer => y.int(&["model", "stft_hop_length"]),
            Schedule::Mdx23c => y.int(&["audio", "hop_length"]),
        });
        let chunk = match p.opt_int("chunk", 1..=100_000_000)? {
            Some(c) => c,
            None => match (hop, dim_t) {
                (Some(h), Some(t)) if t >= 2 => h * (t - 1),
                _ => {
                    return Err(format!(
                        "no chunk size: give params.chunk (samples per window, the length the \
                         model was exported with) or hop and dim_t in {}",
                        from()
                    ));
                }
            },
        } as usize;
        let overlap = p
            .opt_int("overlap", 1..=64)?
            .or(y.int(&["inference", "num_overlap"]))
            .unwrap_or(8);
        if !(1..=64).contains(&overlap) {
            return Err(format!("num_overlap {overlap} must be between 1 and 64"));
        }
        let batch_size = p.int("batch_size", 1, 1..=64)? as usize;
        let sample_rate = p
            .opt_int("sample_rate", 8_000..=384_000)?
            .or(y.int(&["audio", "sample_rate"]))
            .unwrap_or(44_100);
        let instruments = match p.opt_string_list("instruments")? {
            Some(list) => list,
            None => y.strings(&["training", "instruments"]).ok_or_else(|| {
                format!(
                    "no stem names: give params.instruments or training.instruments in {}",
                    from()
                )
            })?,
        };
        let target = match p.opt_string("target")? {
            Some(t) if t.is_empty() => None,
            Some(t) => Some(t),
            None => y.string(&["training", "target_instrument"]),
        };
        if instruments.is_empty() {
            return Err("instruments must name at least one stem".into());
        }
        Ok(Self {
            schedule,
            chunk,
            overlap: overlap as usize,
            batch_size,
            sample_rate: u32::try_from(sample_rate)
                .map_err(|_| format!("sample_rate {sample_rate} is out of range"))?,
            instruments,
            target,
        })
    }
}

/// Lookups into an optional YAML document.
struct Yaml<'a>(Option<&'a Value>);

impl Yaml<'_> {
    fn get(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.0?;
        for key in path {
            v = v.get(*key)?;
        }
        Some(v)
    }
    fn int(&self, path: &[&str]) -> Option<i64> {
        self.get(path).and_then(Value::as_i64)
    }
    fn string(&self, path: &[&str]) -> Option<String> {
        self.get(path).and_then(Value::as_str).map(str::to_string)
    }
    fn strings(&self, path: &[&str]) -> Option<Vec<String>> {
        self.get(path)?
            .as_sequence()?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    }
    /// audio-separator's rule (§3.1): Roformer if the model section has band settings or
    /// a model type, or the file is named so.
    fn is_roformer(&self, file: &Path) -> bool {
        let named = file
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase().contains("roformer"))
            .unwrap_or(false);
        named
            || self.get(&["model", "freqs_per_bands"]).is_some()
            || self.get(&["model", "num_bands"]).is_some()
            || self.get(&["model_type"]).is_some()
            || self.get(&["is_roformer"]).and_then(Value::as_bool) == Some(true)
    }
}

/// Builds the separator of a `waveform` catalog entry. `p` holds the entry's params
/// (the backend has taken its own keys); `open` loads the model file in the backend's
/// runtime given the resolved config (it checks the chunk and the number of outputs).
pub fn build(
    spec: &ModelSpec,
    mut p: Params<'_>,
    open: impl FnOnce(&Path, &WaveformConfig) -> Result<BoxedWindowModel, String>,
) -> Result<Box<dyn AudioSeparator>, String> {
    let file = spec.model_file()?;
    let config = WaveformConfig::resolve(&file, &mut p)?;
    p.finish()?;
    let model = open(&file, &config)?;
    let expected = config.network_outputs();
    if model.outputs() != expected {
        return Err(format!(
            "{} outputs {} stems but its config expects {expected} ({}); fix instruments/target",
            file.display(),
            model.outputs(),
            match &config.target {
                Some(t) => format!("target {t}"),
                None => format!("instruments {}", config.instruments.join(", ")),
            }
        ));
    }
    if model.chunk() != config.chunk {
        return Err(format!(
            "{} runs windows of {} samples but the config gives {}",
            file.display(),
            model.chunk(),
            config.chunk
        ));
    }
    let slots = config.slots();
    spec.check_slots(&slots)?;
    Ok(Box::new(WaveformSeparator {
        name: spec.name.clone(),
        model,
        options: WaveformOptions {
            schedule: config.schedule,
            overlap: config.overlap,
            batch_size: config.batch_size,
            residual: config.target.is_some(),
        },
        sample_rate: config.sample_rate,
        slots,
    }))
}

pub struct WaveformSeparator {
    name: String,
    model: BoxedWindowModel,
    options: WaveformOptions,
    sample_rate: u32,
    slots: Vec<SlotInfo>,
}

impl AudioSeparator for WaveformSeparator {
    fn output_slots(&self) -> &[SlotInfo] {
        &self.slots
    }

    fn device(&self) -> String {
        self.model.device()
    }

    fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    fn separate(
        &mut self,
        input: &mut dyn AudioSource,
        outputs: &mut [&mut dyn AudioSink],
        progress: &dyn SeparationProgress,
    ) -> Result<(), SeparationError> {
        // Stereo at the model's rate, one output per slot: checked by the executor.
        let spool = SpooledAudio::spool(input)?;
        apply_waveform(
            &self.name,
            self.model.as_mut(),
            &spool,
            &self.options,
            outputs,
            progress,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(dir: &Path, yaml: Option<&str>, params: &str) -> Result<WaveformConfig, String> {
        let file = dir.join("model.pt");
        std::fs::write(&file, b"x").map_err(|e| e.to_string())?;
        if let Some(y) = yaml {
            std::fs::write(dir.join("model.yaml"), y).map_err(|e| e.to_string())?;
        }
        let table: toml::Table = toml::from_str(params).map_err(|e| e.to_string())?;
        let mut p = Params::new(&table);
        let c = WaveformConfig::resolve(&file, &mut p)?;
        p.finish()?;
        Ok(c)
    }

    const ROFORMER: &str = "audio:\n  sample_rate: 44100\n  hop_length: 441\n  dim_t: 801\n\
model:\n  stft_hop_length: 441\n  freqs_per_bands: !!python/tuple [2, 2]\n\
training:\n  instruments: [Vocals, Instrumental]\n  target_instrument: Vocals\n\
inference:\n  dim_t: 801\n  num_overlap: 4\n";

    #[test]
    fn roformer_yaml_gives_chunk_overlap_and_stems() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = resolve(dir.path(), Some(ROFORMER), "").expect("resolves");
        assert_eq!(c.schedule, Schedule::Roformer);
        assert_eq!(c.chunk, 352_800);
        assert_eq!(c.overlap, 4);
        assert_eq!(c.network_outputs(), 1);
        let names: Vec<String> = c.slots().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["vocals", "instrumental"]);
        // params override the YAML.
        let c = resolve(dir.path(), None, "overlap = 2\ndim_t = 101").expect("resolves");
        assert_eq!((c.overlap, c.chunk), (2, 44_100));
    }

    #[test]
    fn mdx23c_yaml_without_target_names_every_instrument() {
        let dir = tempfile::tempdir().expect("tempdir");
        let yaml = "audio:\n  hop_length: 1024\n  sample_rate: 44100\n\
training:\n  instruments: [Vocals, Instrumental]\n  target_instrument: null\n\
inference:\n  dim_t: 256\n  num_overlap: 8\n";
        let c = resolve(dir.path(), Some(yaml), "").expect("resolves");
        assert_eq!(c.schedule, Schedule::Mdx23c);
        assert_eq!(c.chunk, 261_120);
        assert_eq!(c.network_outputs(), 2);
        assert_eq!(c.target, None);
    }

    #[test]
    fn missing_values_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = resolve(dir.path(), None, "").expect_err("no yaml, no mode");
        assert!(e.contains("params.mode"), "{e}");
        let e = resolve(dir.path(), None, "mode = \"roformer\"").expect_err("no chunk");
        assert!(e.contains("params.chunk"), "{e}");
        let e = resolve(dir.path(), None, "mode = \"roformer\"\nchunk = 1000")
            .expect_err("no instruments");
        assert!(e.contains("params.instruments"), "{e}");
        let e = resolve(dir.path(), None, "mode = \"tfc\"").expect_err("bad mode");
        assert!(e.contains("roformer, mdx23c"), "{e}");
    }
}
