//! Small TorchScript models with the signatures of real exports and outputs that tests
//! can compute exactly, made by tracing tch operations (no Python needed). Used by the
//! tests of this crate and of the CLI.

use std::path::Path;

use tch::{CModule, Kind, Tensor};

fn err(e: tch::TchError) -> String {
    e.to_string()
}

/// The gains as a `[1, S, 1, 1]` tensor, or with `positional` the `[1, S, 1, len]` of
/// [`positional_gain`].
fn gain(gains: &[f32], len: usize, positional: bool) -> Result<Tensor, String> {
    let stems = gains.len() as i64;
    let t = if positional {
        Tensor::f_from_slice(&positional_gain(gains, len))
            .and_then(|t| t.f_reshape([1, stems, 1, len as i64]))
    } else {
        Tensor::f_from_slice(gains).and_then(|t| t.f_reshape([1, stems, 1, 1]))
    };
    t.map_err(err)
}

fn silence(len: usize) -> Result<Tensor, String> {
    Tensor::f_zeros([1, 2, len as i64], (Kind::Float, tch::Device::Cpu)).map_err(err)
}

/// `r_s[j] = g_s · (1 + j / len)`, as `[1, S, 1, len]`: a gain that depends on the
/// position inside the window, so any misaligned window changes the output.
pub fn positional_gain(gains: &[f32], len: usize) -> Vec<f32> {
    let mut r = Vec::with_capacity(gains.len() * len);
    for &g in gains {
        r.extend((0..len).map(|j| g * (1.0 + j as f32 / len as f32)));
    }
    r
}

fn trace(
    name: &str,
    example: Tensor,
    f: impl Fn(&Tensor) -> Result<Tensor, tch::TchError>,
    path: &Path,
) -> Result<(), String> {
    let mut failure = None;
    let module = CModule::create_by_tracing(name, "forward", &[example], &mut |inputs| match f(
        &inputs[0],
    ) {
        Ok(t) => vec![t],
        Err(e) => {
            failure = Some(e.to_string());
            vec![inputs[0].shallow_clone()]
        }
    })
    .map_err(err)?;
    if let Some(f) = failure {
        return Err(f);
    }
    module.save(path).map_err(err)
}

/// HTDemucs-shaped `mix [1, 2, seg] → [1, S, 2, seg]`: `stems = mix.unsqueeze(1) · g`,
/// or with `positional`, `· r` of [`positional_gain`].
pub fn demucs(path: &Path, seg: usize, gains: &[f32], positional: bool) -> Result<(), String> {
    let gain = gain(gains, seg, positional)?;
    trace(
        "demucs",
        silence(seg)?,
        |x| x.f_unsqueeze(1)?.f_mul(&gain),
        path,
    )
}

/// Waveform-contract `mix [B, 2, C] → [B, S, 2, C]` (as [`demucs`]); with one gain and
/// `single`, `[B, 2, C]` (a single-target Roformer).
pub fn waveform(
    path: &Path,
    chunk: usize,
    gains: &[f32],
    positional: bool,
    single: bool,
) -> Result<(), String> {
    let example = silence(chunk)?;
    let gain = gain(gains, chunk, positional)?;
    if single {
        if gains.len() != 1 {
            return Err("a single-target model has one gain".into());
        }
        let flat = gain.f_reshape([1, 1, -1]).map_err(err)?;
        trace("waveform", example, |x| x.f_mul(&flat), path)
    } else {
        trace(
            "waveform",
            example,
            |x| x.f_unsqueeze(1)?.f_mul(&gain),
            path,
        )
    }
}

/// A module whose forward takes two tensors (like sevagh's HTDemucs core): the wrong
/// signature for both architectures.
pub fn two_inputs(path: &Path, len: usize) -> Result<(), String> {
    let a = silence(len)?;
    let b = a.shallow_clone();
    let module = CModule::create_by_tracing("two", "forward", &[a, b], &mut |inputs| {
        vec![(&inputs[0] + &inputs[1])]
    })
    .map_err(err)?;
    module.save(path).map_err(err)
}
