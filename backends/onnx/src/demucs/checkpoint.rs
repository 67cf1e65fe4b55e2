//! Demucs' own checkpoint files (`.th`, written by `demucs.states.serialize_model`): a
//! PyTorch zip whose pickle is `{klass, args, kwargs, state, training_args}`. Only
//! HTDemucs (v4) is read; its constructor arguments come from the file (every one that
//! changes the forward pass is honoured or refused by name, none is assumed), and the
//! state's tensors, float16 in the published files, become float32.

use std::collections::HashMap;
use std::path::Path;

use crate::checkpoint::pickle::Value;
use crate::checkpoint::{CheckpointError, Tensor, TorchFile};

pub const HTDEMUCS_CLASS: &str = "demucs.htdemucs.HTDemucs";
/// Other Demucs classes: recognised, so that they are refused by name.
const OTHER_CLASSES: [&str; 4] = [
    "demucs.hdemucs.HDemucs",
    "demucs.demucs.Demucs",
    "demucs.wdemucs.WDemucs",
    "demucs.transformer.CrossTransformerEncoder",
];

/// HTDemucs' constructor arguments that shape the forward pass (names as in
/// `demucs/htdemucs.py`, defaults as there).
#[derive(Debug, Clone, PartialEq)]
pub struct HtConfig {
    pub sources: Vec<String>,
    pub audio_channels: usize,
    pub channels: usize,
    pub channels_time: Option<usize>,
    pub growth: f64,
    pub nfft: usize,
    pub depth: usize,
    pub rewrite: bool,
    pub freq_emb: f64,
    pub emb_scale: f64,
    pub kernel_size: usize,
    pub stride: usize,
    pub context: usize,
    pub context_enc: usize,
    pub norm_starts: usize,
    pub norm_groups: usize,
    pub dconv_mode: u8,
    pub dconv_depth: i64,
    pub dconv_comp: f64,
    pub bottom_channels: usize,
    pub t_layers: usize,
    pub t_hidden_scale: f64,
    pub t_heads: usize,
    pub t_norm_in: bool,
    pub t_norm_out: bool,
    pub t_max_period: f64,
    pub t_layer_scale: bool,
    pub t_gelu: bool,
    pub t_weight_pos_embed: f64,
    pub t_cross_first: bool,
    pub samplerate: u32,
    /// The training segment in seconds, as a fraction (numerator, denominator).
    pub segment: (i64, i64),
    pub use_train_segment: bool,
}

impl Default for HtConfig {
    fn default() -> Self {
        Self {
            sources: Vec::new(),
            audio_channels: 2,
            channels: 48,
            channels_time: None,
            growth: 2.0,
            nfft: 4096,
            depth: 4,
            rewrite: true,
            freq_emb: 0.2,
            emb_scale: 10.0,
            kernel_size: 8,
            stride: 4,
            context: 1,
            context_enc: 0,
            norm_starts: 4,
            norm_groups: 4,
            dconv_mode: 1,
            dconv_depth: 2,
            dconv_comp: 8.0,
            bottom_channels: 0,
            t_layers: 5,
            t_hidden_scale: 4.0,
            t_heads: 8,
            t_norm_in: true,
            t_norm_out: true,
            t_max_period: 10000.0,
            t_layer_scale: true,
            t_gelu: true,
            t_weight_pos_embed: 1.0,
            t_cross_first: false,
            samplerate: 44_100,
            segment: (10, 1),
            use_train_segment: true,
        }
    }
}

impl HtConfig {
    /// The window the model runs on: `int(segment · samplerate)`, as HTDemucs computes
    /// its training length (a float segment is truncated the way Python's `int` does).
    pub fn segment_samples(&self) -> usize {
        let (n, d) = self.segment;
        ((n as i128 * self.samplerate as i128) / d as i128) as usize
    }
}

/// A checkpoint's config and state.
pub struct HtCheckpoint {
    pub config: HtConfig,
    pub state: HashMap<String, Tensor>,
}

fn content(file: &Path, what: impl Into<String>) -> CheckpointError {
    CheckpointError::Content {
        file: file.to_path_buf(),
        what: what.into(),
    }
}

/// Reads `path` as a Demucs package holding an HTDemucs.
pub fn read(path: &Path) -> Result<HtCheckpoint, CheckpointError> {
    let mut classes = vec![HTDEMUCS_CLASS];
    classes.extend(OTHER_CLASSES);
    let mut torch = TorchFile::open(path, &classes)?;
    let mut tensors = std::mem::take(&mut torch.tensors);
    let root = &torch.root;
    let klass = match root.get("klass") {
        Some(Value::Global(k)) => k.clone(),
        Some(_) | None => {
            return Err(content(
                path,
                "not a Demucs model package: no `klass` (expected the dict demucs.states.serialize_model writes)",
            ));
        }
    };
    if klass != HTDEMUCS_CLASS {
        return Err(content(
            path,
            format!(
                "architecture {klass} is not supported: only HTDemucs ({HTDEMUCS_CLASS}, Demucs v4) checkpoints are read"
            ),
        ));
    }
    let args = root.get("args").and_then(Value::items).unwrap_or(&[]);
    let no_kwargs = Value::Dict(Vec::new());
    let kwargs = root.get("kwargs").unwrap_or(&no_kwargs);
    let config = parse_config(args, kwargs).map_err(|w| content(path, w))?;
    let state_value = root
        .get("state")
        .ok_or_else(|| content(path, "no `state` (the model's weights) in the package"))?;
    let entries = state_value
        .dict_entries()
        .ok_or_else(|| content(path, "`state` is not a dict of tensors"))?;
    let mut state = HashMap::new();
    for (name, v) in entries {
        let t = TorchFile::tensor_index(v)
            .and_then(|i| tensors.get_mut(i))
            .ok_or_else(|| content(path, format!("state entry {name} is not a tensor")))?;
        // Moved out, not copied: the state is the bulk of the file.
        let t = Tensor {
            shape: std::mem::take(&mut t.shape),
            data: std::mem::take(&mut t.data),
        };
        state.insert(name.to_string(), t);
    }
    Ok(HtCheckpoint { config, state })
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) => Some(*b as i64 as f64),
        Value::Fraction(n, d) => Some(*n as f64 / *d as f64),
        _ => None,
    }
}

/// Parses the constructor's arguments. Returns a message naming the argument that is
/// unknown, malformed or has a value this reader does not implement.
pub fn parse_config(args: &[Value], kwargs: &Value) -> Result<HtConfig, String> {
    let mut c = HtConfig::default();
    let mut seen_sources = false;
    match args {
        [] => {}
        [sources] => {
            c.sources =
                strings(sources).ok_or("positional argument `sources` is not a list of names")?;
            seen_sources = true;
        }
        _ => {
            return Err(format!(
                "{} positional arguments (HTDemucs takes `sources` only)",
                args.len()
            ));
        }
    }
    let entries = kwargs.dict_entries().ok_or("`kwargs` is not a dict")?;
    for (key, v) in entries {
        let bad = || format!("argument {key} = {v:?} is not a valid value");
        let unsupported = |why: &str| format!("argument {key} = {v:?} is not supported: {why}");
        let uint = || -> Result<usize, String> {
            match v {
                Value::Int(i) if *i >= 0 => Ok(*i as usize),
                _ => Err(bad()),
            }
        };
        let flag = || -> Result<bool, String> {
            match v {
                Value::Bool(b) => Ok(*b),
                Value::Int(i) => Ok(*i != 0),
                _ => Err(bad()),
            }
        };
        let float = || num(v).ok_or_else(bad);
        match key {
            "sources" => {
                c.sources = strings(v).ok_or_else(bad)?;
                seen_sources = true;
            }
            "audio_channels" => {
                c.audio_channels = uint()?;
                if c.audio_channels != 2 {
                    return Err(unsupported("Stemset runs stereo models"));
                }
            }
            "channels" => c.channels = uint()?,
            "channels_time" => {
                c.channels_time = match v {
                    Value::None => None,
                    _ => Some(uint()?),
                }
            }
            "growth" => c.growth = float()?,
            "nfft" => {
                c.nfft = uint()?;
                if c.nfft != 4096 {
                    return Err(unsupported("the spectrogram is HTDemucs v4's (nfft 4096)"));
                }
            }
            "wiener_iters" | "end_iters" => {
                if uint()? != 0 {
                    return Err(unsupported("Wiener filtering is not implemented"));
                }
            }
            "cac" => {
                if !flag()? {
                    return Err(unsupported("only complex-as-channels models are read"));
                }
            }
            "depth" => c.depth = uint()?,
            "rewrite" => c.rewrite = flag()?,
            "multi_freqs" => match v {
                Value::None => {}
                Value::List(l) | Value::Tuple(l) if l.is_empty() => {}
                _ => return Err(unsupported("multi-frequency layers are not implemented")),
            },
            "freq_emb" => c.freq_emb = float()?,
            "emb_scale" => c.emb_scale = float()?,
            "kernel_size" => c.kernel_size = uint()?,
            "stride" => c.stride = uint()?,
            "context" => c.context = uint()?,
            "context_enc" => c.context_enc = uint()?,
            "norm_starts" => c.norm_starts = uint()?,
            "norm_groups" => c.norm_groups = uint()?,
            "dconv_mode" => {
                let m = uint()?;
                if m > 3 {
                    return Err(bad());
                }
                c.dconv_mode = m as u8;
            }
            "dconv_depth" => c.dconv_depth = v.as_int().ok_or_else(bad)?,
            "dconv_comp" => c.dconv_comp = float()?,
            "bottom_channels" => c.bottom_channels = uint()?,
            "t_layers" => c.t_layers = uint()?,
            "t_emb" => {
                if v.as_str() != Some("sin") {
                    return Err(unsupported(
                        "only the \"sin\" positional embedding is implemented",
                    ));
                }
            }
            "t_hidden_scale" => c.t_hidden_scale = float()?,
            "t_heads" => c.t_heads = uint()?,
            "t_norm_in" => c.t_norm_in = flag()?,
            "t_norm_in_group" | "t_group_norm" => {
                if flag()? {
                    return Err(unsupported(
                        "group norms in the transformer are not implemented",
                    ));
                }
            }
            "t_norm_first" => {
                if !flag()? {
                    return Err(unsupported(
                        "only norm-first transformer layers are implemented",
                    ));
                }
            }
            "t_norm_out" => c.t_norm_out = flag()?,
            "t_max_period" => c.t_max_period = float()?,
            "t_layer_scale" => c.t_layer_scale = flag()?,
            "t_gelu" => c.t_gelu = flag()?,
            "t_weight_pos_embed" => c.t_weight_pos_embed = float()?,
            "t_sin_random_shift" => {
                if uint()? != 0 {
                    return Err(unsupported(
                        "a random positional shift makes the output random",
                    ));
                }
            }
            "t_sparse_self_attn" | "t_sparse_cross_attn" => {
                if flag()? {
                    return Err(unsupported("sparse attention is not implemented"));
                }
            }
            "t_cross_first" => c.t_cross_first = flag()?,
            "samplerate" => {
                let r = uint()?;
                if r != 44_100 {
                    return Err(unsupported("Demucs models run at 44.1 kHz here"));
                }
                c.samplerate = r as u32;
            }
            "segment" => {
                c.segment = match v {
                    Value::Fraction(n, d) if *n > 0 && *d > 0 => (*n, *d),
                    Value::Int(i) if *i > 0 => (*i, 1),
                    // A float segment: its exact binary value, so int(segment · rate)
                    // truncates as in Python.
                    Value::Float(f) if *f > 0.0 && f.is_finite() => {
                        let samples = (*f * 44_100.0) as i64;
                        (samples, 44_100)
                    }
                    _ => return Err(bad()),
                }
            }
            "use_train_segment" => c.use_train_segment = flag()?,
            // Training-only: initialisation, regularisation, and the settings of features
            // that are off (cape, sparse masks, wiener residual).
            "wiener_residual"
            | "multi_freqs_depth"
            | "emb_smooth"
            | "time_stride"
            | "dconv_init"
            | "t_dropout"
            | "t_max_positions"
            | "t_weight_decay"
            | "t_lr"
            | "t_cape_mean_normalize"
            | "t_cape_augment"
            | "t_cape_glob_loc_scale"
            | "t_mask_type"
            | "t_mask_random_seed"
            | "t_sparse_attn_window"
            | "t_global_window"
            | "t_sparsity"
            | "t_auto_sparsity"
            | "rescale" => {}
            other => {
                return Err(format!(
                    "argument {other} is not an HTDemucs argument (demucs 4.1.0)"
                ));
            }
        }
    }
    if !seen_sources || c.sources.is_empty() {
        return Err("no `sources` among the arguments".into());
    }
    if c.depth == 0 || c.kernel_size == 0 || c.stride == 0 || c.channels == 0 {
        return Err("depth, kernel_size, stride and channels must be positive".into());
    }
    // Every layer must stay a frequency layer: the merge into the time branch
    // (a layer whose input has ≤ kernel_size bins) is not implemented.
    let mut freqs = c.nfft / 2;
    for index in 0..c.depth {
        if freqs <= c.kernel_size {
            return Err(format!(
                "depth {} with kernel_size {} merges the branches at layer {index}: not supported (HTDemucs v4 uses depth 4)",
                c.depth, c.kernel_size
            ));
        }
        freqs /= c.stride;
    }
    let seg = c.segment_samples();
    if seg <= 1600 {
        return Err(format!(
            "segment {:?} gives a window of {seg} samples: too short",
            c.segment
        ));
    }
    Ok(c)
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.items()?
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}
