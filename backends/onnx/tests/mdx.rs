//! MDX-Net: the Rust pipeline against golden stems from the NumPy reference
//! (scripts/onnx-fixtures), on tiny synthetic models with the real signature.

mod common;

use common::*;
use stemset_backend_onnx::mdx::schedule::{Overlap, Schedule};
use stemset_sdk::audio::hashing::{MODEL_HASH_TAIL as TAIL_BYTES, model_hash};

const PARAMS: &str = "n_fft = 2048\nhop = 1024\ncompensate = 1.0\nprimary_stem = \"Vocals\"\n";

fn mix() -> Vec<f32> {
    let (mix, ch) = read_wav("golden/mix.wav");
    assert_eq!(ch, 2);
    mix
}

fn run(model: &str, extra: &str) -> Vec<Vec<f32>> {
    let spec = spec(
        "test-mdx",
        "mdx",
        fixture(&format!("models/{model}")),
        &format!("{PARAMS}{extra}"),
        &["vocals", "instrumental"],
    );
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    separate(sep.as_mut(), mix())
}

fn golden(name: &str) -> Vec<f32> {
    read_wav(&format!("golden/{name}")).0
}

#[test]
fn gain_model_matches_the_reference() {
    let out = run("mdx_gain.onnx", "");
    let err = max_abs_diff(&out[0], &golden("mdx_gain_default.wav"));
    assert!(err < 1e-4, "primary differs from the reference by {err}");
}

#[test]
fn position_probe_catches_chunk_alignment() {
    for (overlap, file) in [
        ("", "mdx_probe_default.wav"),
        ("overlap = 0.25\n", "mdx_probe_o25.wav"),
    ] {
        let out = run("mdx_probe.onnx", overlap);
        let err = max_abs_diff(&out[0], &golden(file));
        assert!(err < 1e-4, "{file}: differs by {err}");
    }
    // The two overlaps really give different results, so the comparison is meaningful.
    assert!(
        max_abs_diff(
            &golden("mdx_probe_default.wav"),
            &golden("mdx_probe_o25.wav")
        ) > 1e-2
    );
}

#[test]
fn denoise_cancels_the_bias() {
    let plain = run("mdx_bias.onnx", "");
    assert!(max_abs_diff(&plain[0], &golden("mdx_bias_plain.wav")) < 1e-4);
    let denoised = run("mdx_bias.onnx", "denoise = true\n");
    let err = max_abs_diff(&denoised[0], &golden("mdx_gain_default.wav"));
    assert!(err < 1e-4, "denoise left {err} of the bias");
    assert!(max_abs_diff(&plain[0], &denoised[0]) > 1e-3);
}

#[test]
fn compensate_scales_primary_and_secondary_completes_the_mix() {
    let spec = spec(
        "test-mdx",
        "mdx",
        fixture("models/mdx_gain.onnx"),
        "n_fft = 2048\ncompensate = 1.035\nprimary_stem = \"Vocals\"\n",
        &["vocals", "instrumental"],
    );
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sep.output_slots()
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["vocals", "instrumental"]
    );
    let out = separate(sep.as_mut(), mix());
    let expect: Vec<f32> = golden("mdx_gain_default.wav")
        .iter()
        .map(|v| v * 1.035)
        .collect();
    assert!(max_abs_diff(&out[0], &expect) < 1e-4);
    let sum: Vec<f32> = out[0].iter().zip(&out[1]).map(|(a, b)| a + b).collect();
    assert!(
        max_abs_diff(&sum, &mix()) < 1e-6,
        "primary + secondary != mix"
    );
}

#[test]
fn batching_does_not_change_the_result() {
    let one = run("mdx_probe.onnx", "");
    let two = run("mdx_probe.onnx", "batch_size = 3\n");
    assert!(max_abs_diff(&one[0], &two[0]) < 1e-6);
}

#[test]
fn short_and_empty_inputs() {
    let spec = spec(
        "test-mdx",
        "mdx",
        fixture("models/mdx_gain.onnx"),
        PARAMS,
        &[],
    );
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let out = separate(sep.as_mut(), vec![0.25; 2 * 700]);
    assert_eq!(out[0].len(), 1400);
    assert_eq!(out[1].len(), 1400);
    let out = separate(sep.as_mut(), Vec::new());
    assert!(out[0].is_empty() && out[1].is_empty());
}

#[test]
fn schedule_matches_the_reference() {
    let text = std::fs::read_to_string(fixture("golden/mdx_schedule.json")).expect("schedule");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
    assert!(cases.len() >= 10);
    for case in cases {
        let u = |k: &str| case[k].as_u64().unwrap_or_else(|| panic!("{k}")) as usize;
        let overlap = match &case["overlap"] {
            serde_json::Value::String(s) if s == "default" => Overlap::Default,
            v => Overlap::Fraction(v.as_f64().expect("overlap")),
        };
        let s = Schedule::new(u("n"), u("n_fft"), u("hop"), u("seg"), overlap);
        let chunks: Vec<(usize, usize)> = case["chunks"]
            .as_array()
            .expect("chunks")
            .iter()
            .map(|c| {
                (
                    c[0].as_u64().expect("s") as usize,
                    c[1].as_u64().expect("a") as usize,
                )
            })
            .collect();
        assert_eq!(
            (s.trim, s.chunk, s.useful, s.pad, s.total, s.step),
            (u("trim"), u("C"), u("gen"), u("pad"), u("M"), u("step")),
            "{case}"
        );
        assert_eq!(s.chunks, chunks, "{case}");
    }
}

#[test]
fn model_hash_follows_the_tail_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        model_hash(&p).expect("hash")
    };
    let k = TAIL_BYTES as usize;
    assert_eq!(write("abc", b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(write("empty", b""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(
        write("zeros", &vec![0u8; k]),
        "596c35b949baf46b721744a13f76a258"
    );
    let mut prefixed = vec![0xFFu8; 5];
    prefixed.extend(vec![0u8; k]);
    assert_eq!(
        write("prefixed", &prefixed),
        "596c35b949baf46b721744a13f76a258"
    );
    let pattern = |len: usize| (0..len).map(|i| (i % 251) as u8).collect::<Vec<u8>>();
    assert_eq!(
        write("long", &pattern(k + 1000)),
        "a38cebb8f7de55f58ba357266805dc62"
    );
    assert_eq!(
        write("short", &pattern(k - 1)),
        "d205c58e455b6b226c42a02673f034da"
    );
}

#[test]
fn uvr_sidecar_supplies_the_parameters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("my_model.onnx");
    std::fs::copy(fixture("models/mdx_gain.onnx"), &model).expect("copy");
    std::fs::write(
        dir.path().join("my_model.json"),
        r#"{"compensate": 1.0, "mdx_dim_f_set": 1024, "mdx_dim_t_set": 5, "mdx_n_fft_scale_set": 2048, "primary_stem": "Bass"}"#,
    )
    .expect("sidecar");
    let mut sep =
        build(&spec("side", "mdx", model, "", &["bass"])).unwrap_or_else(|e| panic!("{e}"));
    let slots: Vec<&str> = sep.output_slots().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(slots, ["bass", "no-bass"]);
    let out = separate(sep.as_mut(), mix());
    assert!(max_abs_diff(&out[0], &golden("mdx_gain_default.wav")) < 1e-4);
}

#[test]
fn bad_models_and_parameters_are_explained() {
    let err = |file: &str, params: &str, slots: &[&str]| {
        build(&spec("bad", "mdx", fixture(file), params, slots))
            .err()
            .unwrap_or_else(|| panic!("{file} with {params:?} should fail"))
    };
    let e = err("models/demucs_whole_4s.onnx", PARAMS, &[]);
    assert!(
        e.contains("not an MDX-Net model") && e.contains("demucs_whole_4s.onnx"),
        "{e}"
    );
    let e = err("models/mdx_gain.onnx", "", &[]);
    assert!(
        e.contains("n_fft is unknown") && e.contains("plugins.toml"),
        "{e}"
    );
    let e = err(
        "models/mdx_gain.onnx",
        &format!("{PARAMS}segment = 64\n"),
        &[],
    );
    assert!(e.contains("fixed time dimension of 32"), "{e}");
    let e = err(
        "models/mdx_gain.onnx",
        &format!("{PARAMS}overlap = 1.5\n"),
        &[],
    );
    assert!(e.contains("params.overlap"), "{e}");
    let e = err(
        "models/mdx_gain.onnx",
        &format!("{PARAMS}n_fftt = 3\n"),
        &[],
    );
    assert!(
        e.contains("unknown parameter") && e.contains("n_fftt"),
        "{e}"
    );
    let e = err("models/mdx_gain.onnx", PARAMS, &["drums"]);
    assert!(
        e.contains("drums") && e.contains("vocals, instrumental"),
        "{e}"
    );
    let e = err("models/missing.onnx", PARAMS, &[]);
    assert!(e.contains("does not exist"), "{e}");
    let e = err("golden/mdx_schedule.json", PARAMS, &[]);
    assert!(e.contains("not a model ONNX Runtime can load"), "{e}");
}
