//! MDX23C / Roformer waveform exports through the libtorch backend: positional probes
//! against direct implementations of the spec's two schedules (§3.4, §3.5), single-target
//! models with the residual stem, YAML configs, batching, parity with the ONNX backend,
//! and the errors for configs that do not fit the file.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use stemset_backend_libtorch::synthetic;

const C: usize = 8192;
const G2: [f32; 2] = [0.5, 1.5];
const G1: [f32; 1] = [0.75];

fn traced(dir: &Path, name: &str, gains: &[f32], single: bool) -> PathBuf {
    let path = dir.join(name);
    synthetic::waveform(&path, C, gains, true, single).expect("trace");
    path
}

/// The network outputs of a positional probe under each schedule, computed directly
/// from the spec's formulas (spec §5.4), in float64.
fn reference(mix: &[f32], r: &[Vec<f32>], roformer: bool, overlap: usize) -> Vec<Vec<f32>> {
    let n = mix.len() / 2;
    let step = C / overlap;
    let mut out = vec![vec![0.0f32; n * 2]; r.len()];
    if roformer {
        let mut starts = Vec::new();
        let mut s = 0;
        loop {
            if s + C >= n {
                let last = n.saturating_sub(C);
                if starts.last() != Some(&last) {
                    starts.push(last);
                }
                break;
            }
            starts.push(s);
            s += step;
        }
        let w =
            |k: usize| 0.54 - 0.46 * (2.0 * std::f64::consts::PI * k as f64 / (C - 1) as f64).cos();
        for p in 0..n {
            for (s, rs) in r.iter().enumerate() {
                let (mut num, mut den) = (0.0f64, 0.0f64);
                for &st in starts.iter().filter(|&&st| st <= p && p < st + C) {
                    num += w(p - st) * f64::from(rs[p - st]);
                    den += w(p - st);
                }
                for c in 0..2 {
                    out[s][2 * p + c] = (f64::from(mix[2 * p + c]) * num / den) as f32;
                }
            }
        }
    } else {
        let hop = step as i64;
        let (n_i, c_i) = (n as i64, C as i64);
        let pad = hop - (n_i - c_i).rem_euclid(hop);
        let padded = 2 * (c_i - hop) + n_i + pad;
        let starts: Vec<i64> = (0..)
            .map(|k| k * hop)
            .take_while(|t| t + c_i <= padded)
            .collect();
        for p in 0..n {
            let q = p as i64 + c_i - hop;
            for (s, rs) in r.iter().enumerate() {
                let sum: f64 = starts
                    .iter()
                    .filter(|&&t| t <= q && q < t + c_i)
                    .map(|&t| f64::from(rs[(q - t) as usize]))
                    .sum();
                for c in 0..2 {
                    out[s][2 * p + c] = (f64::from(mix[2 * p + c]) * sum / overlap as f64) as f32;
                }
            }
        }
    }
    out
}

fn probe_gains(gains: &[f32]) -> Vec<Vec<f32>> {
    gains
        .iter()
        .map(|&g| synthetic::positional_gain(&[g], C))
        .collect()
}

fn params(mode: &str, overlap: usize, instruments: &str, extra: &str) -> String {
    format!(
        "mode = \"{mode}\"\nchunk = {C}\noverlap = {overlap}\ninstruments = {instruments}\n{extra}"
    )
}

#[test]
fn both_schedules_match_the_spec_for_a_positional_probe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = traced(dir.path(), "probe.pt", &G2, false);
    let r = probe_gains(&G2);
    // Several windows with an end-aligned last one; exactly one window plus a sample;
    // shorter than a window.
    for frames in [30_001usize, C + 1, 5_000] {
        let input = signal(frames);
        for (mode, overlap) in [
            ("roformer", 4),
            ("roformer", 3),
            ("mdx23c", 8),
            ("mdx23c", 3),
        ] {
            let p = params(mode, overlap, "[\"Vocals\", \"Instrumental\"]", "");
            let spec = spec("libtorch", "waveform", &file, &p, &["vocals"]);
            let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(slot_names(sep.as_ref()), ["vocals", "instrumental"]);
            let out = separate(sep.as_mut(), &input);
            let expect = reference(&input, &r, mode == "roformer", overlap);
            for (s, (a, b)) in out.iter().zip(&expect).enumerate() {
                let err = max_abs_diff(a, b);
                assert!(
                    err < 1e-5,
                    "{mode}/{overlap}, {frames} frames, stem {s}: error {err}"
                );
            }
        }
    }
}

#[test]
fn a_single_target_model_from_its_yaml_gets_the_residual_stem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = traced(dir.path(), "mel_band_probe.pt", &G1, true);
    // A Mel-Band Roformer config: C = hop · (dim_t − 1) = 128 · 64 = 8192.
    std::fs::write(
        dir.path().join("mel_band_probe.yaml"),
        "audio:\n  sample_rate: 44100\n  hop_length: 441\nmodel:\n  num_bands: 60\n  stft_hop_length: 128\n\
training:\n  instruments: [vocals, other]\n  target_instrument: other\n\
inference:\n  dim_t: 65\n  num_overlap: 2\n",
    )
    .expect("yaml");
    let spec = spec("libtorch", "waveform", &file, "", &["other", "vocals"]);
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    // The target is the network's output; the other instrument is mix − target.
    assert_eq!(slot_names(sep.as_ref()), ["other", "vocals"]);
    let input = signal(40_000);
    let out = separate(sep.as_mut(), &input);
    let primary = &reference(&input, &probe_gains(&G1), true, 2)[0];
    assert!(max_abs_diff(&out[0], primary) < 1e-5);
    let residual: Vec<f32> = input.iter().zip(primary).map(|(m, p)| m - p).collect();
    assert!(max_abs_diff(&out[1], &residual) < 1e-5);
}

#[test]
fn batching_windows_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = traced(dir.path(), "probe.pt", &G2, false);
    let input = signal(45_000);
    for mode in ["roformer", "mdx23c"] {
        let run = |batch: usize| {
            let p = params(mode, 4, "[\"a\", \"b\"]", &format!("batch_size = {batch}"));
            let mut sep = build(&spec("libtorch", "waveform", &file, &p, &[]))
                .unwrap_or_else(|e| panic!("{e}"));
            separate(sep.as_mut(), &input)
        };
        let (one, three) = (run(1), run(3));
        for (a, b) in one.iter().zip(&three) {
            assert!(max_abs_diff(a, b) < 1e-7, "{mode}");
        }
    }
}

#[test]
fn same_network_same_stems_as_the_onnx_backend() {
    // waveform_probe_{2s,1s}.onnx are the same positional networks (scripts/onnx-fixtures).
    let dir = tempfile::tempdir().expect("tempdir");
    let input = signal(52_345);
    for (gains, single, fixture, instruments) in [
        (
            &G2[..],
            false,
            "waveform_probe_2s.onnx",
            "[\"drums\", \"rest\"]",
        ),
        (
            &G1[..],
            true,
            "waveform_probe_1s.onnx",
            "[\"Vocals\", \"Instrumental\"]\ntarget = \"Vocals\"",
        ),
    ] {
        let file = traced(dir.path(), &format!("{fixture}.pt"), gains, single);
        for (mode, overlap) in [("roformer", 4), ("mdx23c", 8)] {
            let p = params(mode, overlap, instruments, "batch_size = 2");
            let mut a = build(&spec("libtorch", "waveform", &file, &p, &[]))
                .unwrap_or_else(|e| panic!("{e}"));
            let mut b = build(&spec("onnx", "waveform", &onnx_fixture(fixture), &p, &[]))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(slot_names(a.as_ref()), slot_names(b.as_ref()));
            let (x, y) = (separate(a.as_mut(), &input), separate(b.as_mut(), &input));
            assert_eq!(x.len(), 2);
            for (s, (u, v)) in x.iter().zip(&y).enumerate() {
                let err = max_abs_diff(u, v);
                assert!(
                    err < 1e-6,
                    "{fixture} {mode}: stem {s}: libtorch vs onnx {err}"
                );
            }
        }
    }
}

#[test]
fn configs_that_do_not_fit_the_file_are_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let two = traced(d, "two.pt", &G2, false);
    // The config says single-target, the file has two outputs.
    let p = params(
        "roformer",
        4,
        "[\"Vocals\", \"Instrumental\"]",
        "target = \"Vocals\"",
    );
    expect_error(
        build(&spec("libtorch", "waveform", &two, &p, &[])),
        &["two.pt", "2 stems", "expects 1"],
    );
    // The config's window is not the traced one.
    let p = "mode = \"mdx23c\"\nchunk = 4096\ninstruments = [\"a\", \"b\"]";
    expect_error(
        build(&spec("libtorch", "waveform", &two, p, &[])),
        &["two.pt", "4096"],
    );
    // No YAML and no params.
    expect_error(
        build(&spec("libtorch", "waveform", &two, "", &[])),
        &["params.mode", "two.yaml"],
    );
    // A broken YAML next to the model.
    std::fs::write(d.join("two.yaml"), "training: [unclosed").expect("yaml");
    expect_error(
        build(&spec("libtorch", "waveform", &two, "", &[])),
        &["two.yaml", "not valid YAML"],
    );
    // Wrong slots.
    std::fs::remove_file(d.join("two.yaml")).expect("rm");
    let p = params("roformer", 4, "[\"Vocals\", \"Instrumental\"]", "");
    expect_error(
        build(&spec("libtorch", "waveform", &two, &p, &["drums"])),
        &["drums", "vocals, instrumental"],
    );
}
