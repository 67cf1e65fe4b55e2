//! Demucs' own checkpoint files (`.th`): random-weight checkpoints written by PyPI demucs
//! in its package layout (float16 state, the published htdemucs geometry), run through
//! the ONNX graph the backend writes from them, against `demucs.apply.apply_model` on the
//! same audio. Needs `.venv-torch` (torch + demucs, installed by scripts/setup.sh) or
//! STEMSET_TORCH_PYTHON; fails with the install hint otherwise, never skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use stemset_backend_onnx::checkpoint::pickle::Value;
use stemset_backend_onnx::demucs::checkpoint::{self, parse_config};
use stemset_backend_onnx::demucs::convert;

const SOURCES_4: [&str; 4] = ["drums", "bass", "other", "vocals"];
const SOURCES_6: [&str; 6] = ["drums", "bass", "other", "vocals", "guitar", "piano"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    std::env::var_os("STEMSET_TORCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-torch/bin/python"))
}

fn script(name: &str) -> PathBuf {
    root().join("scripts/demucs-checkpoint").join(name)
}

fn py(args: &[&str]) -> String {
    let python = python();
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup.sh (it installs torch and demucs into .venv-torch)",
        python.display()
    );
    let out = Command::new(&python)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write_checkpoint(path: &Path, seed: u32, extra: &[&str]) -> String {
    let seed = seed.to_string();
    let mut args = vec![
        script("write_checkpoint.py").to_string_lossy().into_owned(),
        path.to_string_lossy().into_owned(),
        "--seed".into(),
        seed,
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    py(&refs)
}

/// A stereo test signal: two tones, a chirp and noise, different per channel.
fn signal(frames: usize) -> Vec<f32> {
    let mut seed = 12345u32;
    let mut out = Vec::with_capacity(frames * 2);
    for i in 0..frames {
        let t = i as f32 / 44_100.0;
        for ch in 0..2 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            let f = if ch == 0 { 220.0 } else { 330.0 };
            let v = 0.3 * (std::f32::consts::TAU * f * t).sin()
                + 0.2 * (std::f32::consts::TAU * (100.0 + 400.0 * t) * t).sin()
                + 0.1 * noise;
            out.push(v);
        }
    }
    out
}

fn write_wav(path: &Path, interleaved: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("wav");
    for &s in interleaved {
        w.write_sample(s).expect("sample");
    }
    w.finalize().expect("finalize");
}

/// PyTorch demucs' stems, interleaved per source.
fn reference(
    dir: &Path,
    input: &[f32],
    checkpoints: &[&Path],
    weights: Option<&str>,
    sources: usize,
) -> Vec<Vec<f32>> {
    let wav = dir.join("mix.wav");
    write_wav(&wav, input);
    let out = dir.join("ref.f32");
    let mut args: Vec<String> = vec![
        script("reference.py").to_string_lossy().into_owned(),
        wav.to_string_lossy().into_owned(),
    ];
    args.extend(checkpoints.iter().map(|p| p.to_string_lossy().into_owned()));
    if let Some(w) = weights {
        args.push("--weights".into());
        args.push(w.into());
    }
    args.extend(["--threads".into(), "2".into(), "--out".into()]);
    args.push(out.to_string_lossy().into_owned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    py(&refs);
    let bytes = std::fs::read(&out).expect("reference output");
    let planar: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let frames = input.len() / 2;
    assert_eq!(planar.len(), sources * 2 * frames);
    (0..sources)
        .map(|s| {
            let base = s * 2 * frames;
            (0..frames)
                .flat_map(|i| [planar[base + i], planar[base + frames + i]])
                .collect()
        })
        .collect()
}

/// Max |a − b| over the peak of b: the issue's "within 1e-3 of the peak".
fn error_over_peak(a: &[f32], b: &[f32]) -> f32 {
    let peak = b.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
    max_abs_diff(a, b) / peak
}

fn assert_parity(out: &[Vec<f32>], expect: &[Vec<f32>], what: &str) {
    assert_eq!(out.len(), expect.len());
    for (s, (a, b)) in out.iter().zip(expect).enumerate() {
        let err = error_over_peak(a, b);
        eprintln!("{what}: source {s}: max error / peak {err:.2e}");
        assert!(err < 1e-3, "{what}: source {s}: error {err} of the peak");
        // Not trivially equal: the stems differ from each other and from the mix.
        assert!(b.iter().any(|v| v.abs() > 1e-3), "{what}: silent reference");
    }
}

#[test]
fn the_published_geometry_reads_as_demucs_wrote_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let th = dir.path().join("955717e8-8726e21a.th");
    let printed = write_checkpoint(&th, 1, &[]);
    assert!(printed.contains("\"tensors\": 533"), "{printed}");
    assert!(printed.contains("\"values\": 41984456"), "{printed}");
    let ckpt = checkpoint::read(&th).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ckpt.state.len(), 533);
    let values: usize = ckpt.state.values().map(|t| t.numel()).sum();
    assert_eq!(values, 41_984_456);
    let c = &ckpt.config;
    assert_eq!(c.sources, SOURCES_4);
    assert_eq!((c.dconv_mode, c.bottom_channels), (3, 512));
    assert_eq!(c.segment, (39, 5));
    assert_eq!(c.segment_samples(), 343_980);
}

#[test]
fn htdemucs_matches_pytorch_demucs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let th = d.join("955717e8-8726e21a.th");
    write_checkpoint(&th, 2, &[]);
    let older = d.join("955717e8-8726e21a.stemset-v1.onnx");
    std::fs::write(&older, b"a graph of an older writer").expect("older graph");
    // 9 s: two windows, the second short and centred on real audio before it.
    let input = signal(9 * 44_100);
    let expect = reference(d, &input, &[&th], None, 4);
    let spec = spec("htdemucs", "demucs", th.clone(), "", &SOURCES_4);
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let out = separate(sep.as_mut(), input.clone());
    assert_parity(&out, &expect, "htdemucs");
    // The graphs are written once, beside the checkpoint, as a folder of stages (an
    // older writer's single file is removed), and reused.
    let graph = convert::graph_path(&th);
    assert!(graph.is_dir(), "{} is not a folder", graph.display());
    assert!(!older.exists(), "the older graph is left");
    let stages = std::fs::read_dir(&graph).expect("stages").count();
    assert_eq!(
        stages, 10,
        "normalisation, 4 encoder levels, transformer, 4 decoder levels"
    );
    let first = stemset_backend_onnx::session::stage_file(&graph, 0);
    let written = std::fs::metadata(&first)
        .and_then(|m| m.modified())
        .expect("mtime");
    let mut again = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        std::fs::metadata(&first)
            .and_then(|m| m.modified())
            .expect("mtime"),
        written
    );
    assert_parity(
        &separate(again.as_mut(), input),
        &expect,
        "htdemucs (cached graph)",
    );
}

#[test]
fn six_sources_and_a_bag_with_weights_match_pytorch_demucs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // 3 s: one window, centred in zeros.
    let input = signal(3 * 44_100);

    let six = d.join("5c90dfd2-34c22ccb.th");
    write_checkpoint(&six, 3, &["--sources", "6"]);
    let expect = reference(d, &input, &[&six], None, 6);
    let spec6 = spec("htdemucs_6s", "demucs", six, "", &SOURCES_6);
    let mut sep = build(&spec6).unwrap_or_else(|e| panic!("{e}"));
    assert_parity(
        &separate(sep.as_mut(), input.clone()),
        &expect,
        "htdemucs_6s",
    );

    let a = d.join("a.th");
    let b = d.join("b.th");
    write_checkpoint(&a, 4, &[]);
    write_checkpoint(&b, 5, &[]);
    let weights = "[[1.0, 0.5, 0.0, 1.0], [0.0, 0.5, 1.0, 2.0]]";
    let expect = reference(d, &input, &[&a, &b], Some(weights), 4);
    let params = "bag = [\"b.th\"]\nweights = [1.0, 0.5, 0.0, 1.0, 0.0, 0.5, 1.0, 2.0]\n";
    let spec_bag = spec("bag", "demucs", a, params, &SOURCES_4);
    let mut sep = build(&spec_bag).unwrap_or_else(|e| panic!("{e}"));
    assert_parity(&separate(sep.as_mut(), input), &expect, "bag of two");
}

#[test]
fn arguments_that_differ_from_the_defaults_are_honoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A smaller net with other choices everywhere the forward pass depends on them:
    // channels, norms from layer 2 on, DConv only in the encoder, other
    // transformer width, heads, depth, order and feed-forward size.
    let kwargs = r#"{"channels": 16, "norm_starts": 2, "norm_groups": 2, "dconv_mode": 1, "dconv_depth": 1, "dconv_comp": 4, "bottom_channels": 64, "t_layers": 3, "t_heads": 4, "t_hidden_scale": 2.0, "t_cross_first": true, "context": 0, "freq_emb": 0.5}"#;
    let th = d.join("small.th");
    write_checkpoint(&th, 6, &["--kwargs", kwargs, "--float32"]);
    let ckpt = checkpoint::read(&th).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((ckpt.config.channels, ckpt.config.t_layers), (16, 3));
    assert!(ckpt.config.t_cross_first);
    let input = signal(2 * 44_100);
    let expect = reference(d, &input, &[&th], None, 4);
    let spec = spec("small", "demucs", th, "", &SOURCES_4);
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_parity(
        &separate(sep.as_mut(), input),
        &expect,
        "non-default arguments",
    );
}

#[test]
fn foreign_corrupt_and_unsupported_files_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let th = d.join("ok.th");
    write_checkpoint(
        &th,
        7,
        &[
            "--kwargs",
            r#"{"channels": 8, "bottom_channels": 0, "t_layers": 1}"#,
        ],
    );

    // Truncated: the zip's directory is at the end.
    let bytes = std::fs::read(&th).expect("read");
    let cut = d.join("cut.th");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let e = checkpoint::read(&cut)
        .err()
        .expect("truncated file refused")
        .to_string();
    assert!(
        e.contains("cut.th") && e.contains("not a PyTorch checkpoint"),
        "{e}"
    );

    // Not a zip at all.
    let junk = d.join("junk.th");
    std::fs::write(&junk, b"this is not a model").expect("write");
    let e = checkpoint::read(&junk)
        .err()
        .expect("junk refused")
        .to_string();
    assert!(e.contains("junk.th"), "{e}");

    // A pickle that would run code: os.system is not on the allowlist.
    let evil = d.join("evil.th");
    py(&[
        "-c",
        &format!(
            "import torch, os\nclass E:\n    def __reduce__(self):\n        return (os.system, ('true',))\ntorch.save({{'klass': E()}}, {:?})",
            evil.to_string_lossy()
        ),
    ]);
    let e = checkpoint::read(&evil)
        .err()
        .expect("evil refused")
        .to_string();
    assert!(e.contains("posix.system") || e.contains("os.system"), "{e}");
    assert!(e.contains("not allowed"), "{e}");

    // Another Demucs architecture, refused by its class name.
    let v3 = d.join("hdemucs.th");
    py(&[
        "-c",
        &format!(
            "import torch\nfrom demucs.hdemucs import HDemucs\nm = HDemucs(['a', 'b'], channels=8, depth=2)\nargs, kwargs = m._init_args_kwargs\ntorch.save({{'klass': HDemucs, 'args': args, 'kwargs': kwargs, 'state': m.state_dict(), 'training_args': {{}}}}, {:?})",
            v3.to_string_lossy()
        ),
    ]);
    let e = checkpoint::read(&v3)
        .err()
        .expect("hdemucs refused")
        .to_string();
    assert!(
        e.contains("demucs.hdemucs.HDemucs") && e.contains("not supported"),
        "{e}"
    );

    // Through the backend, errors name the file.
    let spec = spec("cut", "demucs", cut, "", &SOURCES_4);
    let e = build(&spec).err().expect("build refused");
    assert!(e.contains("cut.th"), "{e}");
}

#[test]
fn unsupported_arguments_are_refused_by_name() {
    let kw = |pairs: Vec<(&str, Value)>| {
        let mut items = vec![(
            Value::Str("sources".into()),
            Value::List(vec![Value::Str("a".into()), Value::Str("b".into())]),
        )];
        items.extend(pairs.into_iter().map(|(k, v)| (Value::Str(k.into()), v)));
        Value::Dict(items)
    };
    let ok = parse_config(&[], &kw(vec![("segment", Value::Fraction(39, 5))])).expect("defaults");
    assert_eq!(ok.segment_samples(), 343_980);
    // A float segment truncates as Python's int(segment * samplerate).
    let f = parse_config(&[], &kw(vec![("segment", Value::Float(7.8))])).expect("float");
    assert_eq!(f.segment_samples(), 343_980);
    // 0.7 · 44100 is 30869.999999999996 in binary floating point.
    let f = parse_config(&[], &kw(vec![("segment", Value::Float(0.7))])).expect("float");
    assert_eq!(f.segment_samples(), 30_869);
    for (key, value, says) in [
        ("t_emb", Value::Str("cape".into()), "t_emb"),
        ("wiener_iters", Value::Int(1), "wiener_iters"),
        ("cac", Value::Bool(false), "cac"),
        (
            "t_sparse_self_attn",
            Value::Bool(true),
            "t_sparse_self_attn",
        ),
        ("nfft", Value::Int(2048), "nfft"),
        ("depth", Value::Int(5), "depth 5"),
        ("samplerate", Value::Int(48_000), "samplerate"),
        ("unknown_thing", Value::Int(1), "unknown_thing"),
    ] {
        let e = parse_config(&[], &kw(vec![(key, value)])).expect_err(key);
        assert!(e.contains(says), "{key}: {e}");
    }
    let e = parse_config(&[], &Value::Dict(vec![])).expect_err("no sources");
    assert!(e.contains("sources"), "{e}");
}
