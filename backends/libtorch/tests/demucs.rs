//! Traced HTDemucs-shaped modules through the libtorch backend: exact expectations for
//! gain models, a positional probe against a direct (non-streaming) implementation of
//! the spec's apply_model, parity with the ONNX backend on the same network, bags, and
//! the errors users see for wrong files and settings.

mod common;

use std::path::Path;

use common::*;
use stemset_backend_libtorch::synthetic;

const SEG: usize = 22_050;
const G: [f32; 4] = [0.1, 0.2, 0.3, 0.4];

fn track_mean(interleaved: &[f32]) -> f64 {
    interleaved.iter().map(|&v| f64::from(v)).sum::<f64>() / interleaved.len() as f64
}

/// Spec §2.2–2.3 (shifts = 0) on the whole track at once, in float64, for a model that
/// multiplies window sample j of source s by `r[s][j]`.
fn reference(mix: &[f32], seg: usize, r: &[Vec<f32>], overlap: f64) -> Vec<Vec<f32>> {
    let n = mix.len() / 2;
    let chan_mean: Vec<f64> = (0..n)
        .map(|i| (f64::from(mix[2 * i]) + f64::from(mix[2 * i + 1])) / 2.0)
        .collect();
    let mu = chan_mean.iter().sum::<f64>() / n as f64;
    let sigma = (chan_mean.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let x = |i: i64, c: usize| -> f64 {
        if i < 0 || i >= n as i64 {
            0.0
        } else {
            (f64::from(mix[2 * i as usize + c]) - mu) / sigma
        }
    };
    let stride = ((1.0 - overlap) * seg as f64).floor() as usize;
    let half = seg / 2;
    let tri: Vec<f64> = (1..=half)
        .chain((1..=seg - half).rev())
        .map(|v| v as f64)
        .collect();
    let max = tri.iter().cloned().fold(0.0, f64::max);
    let weight: Vec<f64> = tri.iter().map(|v| v / max).collect();
    let sources = r.len();
    let mut out = vec![vec![0.0f64; n * 2]; sources];
    let mut sum_w = vec![0.0f64; n];
    let mut offset = 0;
    while offset < n {
        let chunk = seg.min(n - offset);
        let lead = (seg - chunk) / 2;
        let start = offset as i64 - lead as i64;
        for i in 0..chunk {
            let j = lead + i;
            for (s, rs) in r.iter().enumerate() {
                for c in 0..2 {
                    out[s][(offset + i) * 2 + c] +=
                        weight[i] * f64::from(rs[j]) * x(start + j as i64, c);
                }
            }
            sum_w[offset + i] += weight[i];
        }
        offset += stride;
    }
    out.into_iter()
        .map(|stem| {
            stem.iter()
                .enumerate()
                .map(|(k, v)| (v / sum_w[k / 2] * sigma + mu) as f32)
                .collect()
        })
        .collect()
}

fn traced(dir: &Path, name: &str, gains: &[f32], positional: bool) -> std::path::PathBuf {
    let path = dir.join(name);
    synthetic::demucs(&path, SEG, gains, positional).expect("trace");
    path
}

#[test]
fn gain_model_through_normalisation_with_and_without_shifts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = traced(dir.path(), "gain.pt", &G, false);
    let input = signal(50_000);
    let mu = track_mean(&input) as f32;
    for params in ["segment = 22050", "segment = 22050\nshifts = 2\nseed = 7"] {
        let spec = spec("libtorch", "demucs", &file, params, &["vocals", "drums"]);
        let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            slot_names(sep.as_ref()),
            ["drums", "bass", "other", "vocals"]
        );
        let out = separate(sep.as_mut(), &input);
        for (stem, g) in out.iter().zip(G) {
            let expect: Vec<f32> = input.iter().map(|v| g * (v - mu) + mu).collect();
            let err = max_abs_diff(stem, &expect);
            assert!(err < 2e-5, "{params}: gain {g}: error {err}");
        }
    }
}

#[test]
fn positional_probe_matches_the_spec_split_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = traced(dir.path(), "probe.pt", &G, true);
    let r: Vec<Vec<f32>> = G
        .iter()
        .map(|&g| synthetic::positional_gain(&[g], SEG))
        .collect();
    // Three windows, the last one short and centred; then one shorter than a window.
    for (frames, overlap) in [(50_000usize, 0.25), (61_111, 0.5), (9_000, 0.25)] {
        let input = signal(frames);
        let params = format!("segment = 22050\noverlap = {overlap}");
        let spec = spec("libtorch", "demucs", &file, &params, &[]);
        let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
        let out = separate(sep.as_mut(), &input);
        let expect = reference(&input, SEG, &r, overlap);
        for (s, (a, b)) in out.iter().zip(&expect).enumerate() {
            let err = max_abs_diff(a, b);
            assert!(err < 2e-5, "{frames} frames, source {s}: error {err}");
        }
    }
}

#[test]
fn same_network_same_stems_as_the_onnx_backend() {
    // demucs_whole_probe.onnx is the same positional network (scripts/onnx-fixtures).
    let dir = tempfile::tempdir().expect("tempdir");
    let file = traced(dir.path(), "probe.pt", &G, true);
    let input = signal(70_000);
    for params in [
        "",
        "shifts = 2\nseed = 11",
        "overlap = 0.5\ntransition_power = 2.0",
    ] {
        let torch = spec(
            "libtorch",
            "demucs",
            &file,
            &format!("segment = 22050\n{params}"),
            &[],
        );
        let onnx = spec(
            "onnx",
            "demucs",
            &onnx_fixture("demucs_whole_probe.onnx"),
            params,
            &[],
        );
        let mut a = build(&torch).unwrap_or_else(|e| panic!("{e}"));
        let mut b = build(&onnx).unwrap_or_else(|e| panic!("{e}"));
        let (a, b) = (separate(a.as_mut(), &input), separate(b.as_mut(), &input));
        assert_eq!(a.len(), 4);
        for (s, (x, y)) in a.iter().zip(&b).enumerate() {
            let err = max_abs_diff(x, y);
            assert!(err < 1e-6, "[{params}] source {s}: libtorch vs onnx {err}");
        }
    }
}

#[test]
fn a_bag_of_specialists_takes_each_source_from_its_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Specialist k is only right about source k; one-hot weights pick those rows.
    let specialists: Vec<[f32; 4]> = (0..4)
        .map(|k| {
            let mut g = [9.0f32; 4];
            g[k] = G[k];
            g
        })
        .collect();
    for (k, g) in specialists.iter().enumerate() {
        synthetic::demucs(&dir.path().join(format!("ft_{k}.pt")), SEG, g, false).expect("trace");
    }
    let params = "segment = 22050\nbag = [\"ft_1.pt\", \"ft_2.pt\", \"ft_3.pt\"]\n\
weights = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]";
    let spec = spec(
        "libtorch",
        "demucs",
        &dir.path().join("ft_0.pt"),
        params,
        &[],
    );
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let input = signal(30_000);
    let mu = track_mean(&input) as f32;
    let out = separate(sep.as_mut(), &input);
    for (stem, g) in out.iter().zip(G) {
        let expect: Vec<f32> = input.iter().map(|v| g * (v - mu) + mu).collect();
        assert!(max_abs_diff(stem, &expect) < 2e-5);
    }
}

#[test]
fn wrong_files_and_settings_are_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();

    let missing = spec("libtorch", "demucs", &d.join("nope.pt"), "", &[]);
    expect_error(
        build(&missing),
        &["test-model", "nope.pt", "does not exist"],
    );

    std::fs::write(d.join("junk.pt"), b"this is not a zip archive").expect("write");
    let junk = spec("libtorch", "demucs", &d.join("junk.pt"), "", &[]);
    expect_error(build(&junk), &["junk.pt", "not a TorchScript module"]);

    // Traced at 22 050 samples, run at the default 343 980: the probe names the length.
    let probe = traced(d, "probe.pt", &G, true);
    let default_seg = spec("libtorch", "demucs", &probe, "", &[]);
    expect_error(
        build(&default_seg),
        &["probe.pt", "343980", "params.segment"],
    );

    // A module with two inputs (sevagh's core layout) is not a whole HTDemucs.
    synthetic::two_inputs(&d.join("two.pt"), SEG).expect("trace");
    let two = spec(
        "libtorch",
        "demucs",
        &d.join("two.pt"),
        "segment = 22050",
        &[],
    );
    expect_error(build(&two), &["two.pt", "[1, S, 2, 22050]"]);

    // A waveform single-target module returns [1, 2, SEG], not [1, S, 2, SEG].
    synthetic::waveform(&d.join("single.pt"), SEG, &[0.5], false, true).expect("trace");
    let single = spec(
        "libtorch",
        "demucs",
        &d.join("single.pt"),
        "segment = 22050",
        &[],
    );
    expect_error(build(&single), &["single.pt", "returns [1, 2, 22050]"]);

    let gain = traced(d, "gain.pt", &G, false);
    let slots = spec("libtorch", "demucs", &gain, "segment = 22050", &["voice"]);
    expect_error(build(&slots), &["voice", "drums, bass, other, vocals"]);
    let names = spec(
        "libtorch",
        "demucs",
        &gain,
        "segment = 22050\nsources = [\"a\"]",
        &[],
    );
    expect_error(build(&names), &["params.sources", "4 sources"]);
    let unknown = spec(
        "libtorch",
        "demucs",
        &gain,
        "segment = 22050\nsegments = 3",
        &[],
    );
    expect_error(build(&unknown), &["segments"]);
    let arch = spec("libtorch", "mdx", &gain, "", &[]);
    expect_error(build(&arch), &["mdx", "demucs, waveform"]);

    // Settings: no GPU on this machine (or no CUDA in this build), half without CUDA.
    let ok = spec("libtorch", "demucs", &gain, "segment = 22050", &[]);
    if !tch::Cuda::is_available() {
        expect_error(
            build_with(&ok, "device = \"cuda:0\""),
            &["cuda:0", "no CUDA device"],
        );
    }
    expect_error(build_with(&ok, "half = true"), &["half", "CUDA"]);
    expect_error(
        build_with(&ok, "device = \"gpu\""),
        &["gpu", "cpu, cuda, cuda:N"],
    );
}
