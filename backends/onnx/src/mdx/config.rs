//! Resolving an MDX-Net model's parameters: `[models.NAME.params]` in plugins.toml, then
//! a UVR sidecar JSON beside the file, then the built-in table keyed by the model hash;
//! checked against the ONNX graph's signature.

use std::path::Path;

use stemset_sdk::params::Params;

use super::model_data::{self, MdxModelData};
use super::schedule::Overlap;
use crate::session::{TensorSig, shape_text};
use stemset_sdk::audio::hashing::model_hash;
use stemset_sdk::stems;

/// Everything the MDX separator needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct MdxConfig {
    pub n_fft: usize,
    pub hop: usize,
    pub dim_f: usize,
    /// Frames per chunk (UVR's segment size).
    pub segment: usize,
    pub compensate: f32,
    pub primary: String,
    pub secondary: String,
    pub overlap: Overlap,
    pub denoise: bool,
    pub batch_size: usize,
}

/// The dimensions the graph fixes: `[batch, 4, dim_f, dim_t]`, `None` where dynamic.
struct GraphDims {
    batch: Option<usize>,
    dim_f: Option<usize>,
    dim_t: Option<usize>,
}

fn graph_dims(
    file: &Path,
    inputs: &[TensorSig],
    outputs: &[TensorSig],
) -> Result<GraphDims, String> {
    let expected = "one input [batch, 4, dim_f, dim_t] and an output of the same shape \
                    (an MDX-Net export such as UVR-MDX-NET-*.onnx)";
    let (Some(input), Some(output)) = (inputs.first(), outputs.first()) else {
        return Err(format!(
            "{}: the graph has no inputs or outputs; expected {expected}",
            file.display()
        ));
    };
    if inputs.len() != 1 || input.shape.len() != 4 || input.shape[1] != 4 {
        let got: Vec<String> = inputs.iter().map(|s| s.to_string()).collect();
        return Err(format!(
            "{}: not an MDX-Net model: inputs are {}; expected {expected}",
            file.display(),
            got.join(", ")
        ));
    }
    let compatible = output.shape.len() == 4
        && input
            .shape
            .iter()
            .zip(&output.shape)
            .all(|(a, b)| *a < 0 || *b < 0 || a == b);
    if !compatible {
        return Err(format!(
            "{}: output {} does not match input {}; expected {expected}",
            file.display(),
            output,
            shape_text(&input.shape)
        ));
    }
    let dim = |d: i64| usize::try_from(d).ok().filter(|&v| v > 0);
    Ok(GraphDims {
        batch: dim(input.shape[0]),
        dim_f: dim(input.shape[2]),
        dim_t: dim(input.shape[3]),
    })
}

fn parse_overlap(value: Option<&toml::Value>) -> Result<Overlap, String> {
    match value {
        None => Ok(Overlap::Default),
        Some(toml::Value::String(s)) if s == "default" => Ok(Overlap::Default),
        Some(v) => {
            let f = match v {
                toml::Value::Float(f) => *f,
                toml::Value::Integer(i) => *i as f64,
                _ => f64::NAN,
            };
            if (0.0..1.0).contains(&f) {
                Ok(Overlap::Fraction(f))
            } else {
                Err(format!(
                    "params.overlap = {v}: use \"default\" (UVR: step = chunk − n_fft) or a fraction in [0, 1), e.g. 0.25"
                ))
            }
        }
    }
}

impl MdxConfig {
    /// `params` is the catalog entry's table; `inputs`/`outputs` the opened graph's.
    pub fn resolve(
        file: &Path,
        params: &toml::Table,
        inputs: &[TensorSig],
        outputs: &[TensorSig],
    ) -> Result<Self, String> {
        let graph = graph_dims(file, inputs, outputs)?;
        let mut p = Params::new(params);
        let n_fft = p.opt_int("n_fft", 256..=65_536)?.map(|v| v as usize);
        let hop = p.int("hop", 1024, 64..=16_384)? as usize;
        let dim_f = p.opt_int("dim_f", 1..=32_769)?.map(|v| v as usize);
        let segment = p.opt_int("segment", 2..=4096)?.map(|v| v as usize);
        let compensate = p.opt_float("compensate", 0.0..=10.0)?;
        let primary = p.opt_string("primary_stem")?;
        let overlap = parse_overlap(p.raw("overlap"))?;
        let denoise = p.bool("denoise", false)?;
        let batch_size = p.int("batch_size", 1, 1..=64)? as usize;
        p.finish()?;

        // Known models by hash (or a UVR sidecar) fill what the catalog does not say.
        let needs_lookup = n_fft.is_none() || compensate.is_none() || primary.is_none();
        let known: Option<MdxModelData> = if needs_lookup {
            let hash =
                model_hash(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            match model_data::sidecar(file, &hash)? {
                Some(d) => Some(d),
                None => {
                    let found = model_data::lookup(&hash);
                    let known_as = found.as_ref().map(|(_, name)| *name);
                    tracing::debug!(file = %file.display(), %hash, ?known_as, "MDX model table lookup");
                    found.map(|(d, _)| d)
                }
            }
        } else {
            None
        };
        let missing = |what: &str| {
            format!(
                "{}: {what} is unknown: the file is not one of the known MDX-Net models (by hash) and has no \
                 UVR parameter file ({}.json); set params.n_fft, params.compensate and params.primary_stem \
                 for it in plugins.toml",
                file.display(),
                file.file_stem()
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default()
            )
        };
        let n_fft = n_fft
            .or(known.as_ref().map(|k| k.n_fft))
            .ok_or_else(|| missing("n_fft"))?;
        let primary = primary
            .or(known.as_ref().map(|k| k.primary_stem.clone()))
            .ok_or_else(|| missing("the primary stem"))?;
        let compensate = compensate
            .or(known.as_ref().map(|k| k.compensate))
            .unwrap_or(1.0) as f32;

        let dim_f = match (graph.dim_f, dim_f.or(known.as_ref().map(|k| k.dim_f))) {
            (Some(g), Some(c)) if g != c => {
                return Err(format!(
                    "{}: the graph has dim_f = {g} but the parameters say {c}",
                    file.display()
                ));
            }
            (Some(g), _) => g,
            (None, Some(c)) => c,
            (None, None) => return Err(missing("dim_f")),
        };
        let segment = match (graph.dim_t, segment) {
            (Some(g), Some(s)) if g != s => {
                return Err(format!(
                    "{}: the graph has a fixed time dimension of {g} frames, so params.segment must be {g} (got {s})",
                    file.display()
                ));
            }
            (Some(g), _) => g,
            (None, Some(s)) => s,
            (None, None) => known
                .as_ref()
                .map(|k| k.dim_t)
                .ok_or_else(|| missing("the segment size (dim_t)"))?,
        };
        if graph.batch == Some(1) && batch_size > 1 {
            return Err(format!(
                "{}: the graph's batch dimension is fixed to 1, so params.batch_size must be 1",
                file.display()
            ));
        }
        if n_fft % 2 != 0 || dim_f > n_fft / 2 + 1 {
            return Err(format!(
                "{}: n_fft = {n_fft} must be even and give at least dim_f = {dim_f} bins",
                file.display()
            ));
        }
        if hop * (segment - 1) <= n_fft {
            return Err(format!(
                "{}: a chunk of hop·(segment − 1) = {} samples must be longer than n_fft = {n_fft}",
                file.display(),
                hop * (segment - 1)
            ));
        }
        let secondary = stems::secondary_of(&primary);
        Ok(Self {
            n_fft,
            hop,
            dim_f,
            segment,
            compensate,
            primary,
            secondary,
            overlap,
            denoise,
            batch_size,
        })
    }
}
