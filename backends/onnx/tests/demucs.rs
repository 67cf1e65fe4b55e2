//! HTDemucs exports (both styles) through core's apply_model: exact expectations for
//! the time branch and whole-model gains, golden data for the spectral branch.

mod common;

use common::*;

const B: [f32; 4] = [0.1, 0.2, 0.3, 0.4];

fn mix() -> Vec<f32> {
    read_wav("golden/mix.wav").0
}

/// The mix with a DC offset, so the track mean of the normalisation matters.
fn offset_mix() -> Vec<f32> {
    mix().iter().map(|v| v + 0.05).collect()
}

fn track_mean(interleaved: &[f32]) -> f64 {
    interleaved.iter().map(|&v| f64::from(v)).sum::<f64>() / interleaved.len() as f64
}

fn run(model: &str, params: &str, slots: &[&str], input: Vec<f32>) -> Vec<Vec<f32>> {
    let spec = spec(
        "test-demucs",
        "demucs",
        fixture(&format!("models/{model}")),
        params,
        slots,
    );
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    separate(sep.as_mut(), input)
}

/// stem_s = g_s·(mix − μ) + μ: what a gain model gives through normalisation.
fn assert_gains(out: &[Vec<f32>], input: &[f32], gains: &[f32]) {
    let mu = track_mean(input) as f32;
    assert_eq!(out.len(), gains.len());
    for (stem, g) in out.iter().zip(gains) {
        let expect: Vec<f32> = input.iter().map(|v| g * (v - mu) + mu).collect();
        let err = max_abs_diff(stem, &expect);
        assert!(err < 2e-5, "gain {g}: error {err}");
    }
}

#[test]
fn time_branch_export_without_and_with_shifts() {
    let input = offset_mix();
    let out = run("demucs_core_time.onnx", "", &["vocals"], input.clone());
    assert_gains(&out, &input, &B);
    // Random shifts move every window; a misaligned shift would show on this signal.
    let out = run(
        "demucs_core_time.onnx",
        "shifts = 2\nseed = 7\n",
        &[],
        input.clone(),
    );
    assert_gains(&out, &input, &B);
}

#[test]
fn whole_exports_with_four_and_six_sources() {
    let input = offset_mix();
    let w4 = spec(
        "w4",
        "demucs",
        fixture("models/demucs_whole_4s.onnx"),
        "",
        &["drums", "bass"],
    );
    let sep = build(&w4).unwrap_or_else(|e| panic!("{e}"));
    let slots: Vec<&str> = sep.output_slots().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(slots, ["drums", "bass", "other", "vocals"]);
    assert_gains(
        &run("demucs_whole_4s.onnx", "", &[], input.clone()),
        &input,
        &B,
    );

    let w6 = spec(
        "w6",
        "demucs",
        fixture("models/demucs_whole_6s.onnx"),
        "",
        &["guitar", "piano"],
    );
    let sep = build(&w6).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sep.output_slots().len(), 6);
    assert_eq!(sep.output_slots()[5].name, "piano");
    let out = run(
        "demucs_whole_6s.onnx",
        "overlap = 0.5\n",
        &[],
        input.clone(),
    );
    assert_gains(&out, &input, &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
}

#[test]
fn spectral_branch_matches_the_reference() {
    let (golden, ch) = read_wav("golden/demucs_core_mixed.wav");
    assert_eq!(ch, 8);
    let frames = golden.len() / ch;
    let input: Vec<f32> = mix()[..frames * 2].to_vec();
    for model in ["demucs_core_mixed.onnx", "demucs_core_4d.onnx"] {
        let out = run(model, "", &[], input.clone());
        for (s, stem) in out.iter().enumerate() {
            let expect: Vec<f32> = (0..frames)
                .flat_map(|i| [golden[i * ch + 2 * s], golden[i * ch + 2 * s + 1]])
                .collect();
            let err = max_abs_diff(stem, &expect);
            assert!(err < 1e-4, "{model} source {s}: error {err}");
        }
    }
}

#[test]
fn a_bag_with_one_hot_weights_picks_each_specialist() {
    // Two copies of the same gain model: any weights give the single-model result, and
    // zero rows are skipped.
    let input = offset_mix();
    let params = "bag = [\"demucs_whole_4s.onnx\"]\nweights = [1, 0, 1, 0, 0, 1, 0, 1]\n";
    let out = run("demucs_whole_4s.onnx", params, &[], input.clone());
    assert_gains(&out, &input, &B);
}

#[test]
fn silence_and_short_tracks() {
    let out = run("demucs_whole_4s.onnx", "", &[], vec![0.0; 2 * 5000]);
    assert!(
        out.iter()
            .all(|s| s.len() == 10_000 && s.iter().all(|v| *v == 0.0))
    );
    let out = run("demucs_whole_4s.onnx", "", &[], Vec::new());
    assert!(out.iter().all(|s| s.is_empty()));
}

#[test]
fn wrong_files_and_parameters_are_explained() {
    let err = |file: &str, params: &str| {
        build(&spec("bad", "demucs", fixture(file), params, &[]))
            .err()
            .unwrap_or_else(|| panic!("{file} with {params:?} should fail"))
    };
    let e = err("models/mdx_gain.onnx", "");
    assert!(
        e.contains("not an HTDemucs export") && e.contains("mdx_gain.onnx"),
        "{e}"
    );
    let e = err("models/demucs_whole_4s.onnx", "sources = [\"a\", \"b\"]\n");
    assert!(
        e.contains("lists 2 names") && e.contains("4 sources"),
        "{e}"
    );
    let e = err("models/demucs_whole_4s.onnx", "overlap = 1.5\n");
    assert!(e.contains("overlap"), "{e}");
    let e = err(
        "models/demucs_whole_4s.onnx",
        "bag = [\"demucs_whole_6s.onnx\"]\n",
    );
    assert!(e.contains("differ"), "{e}");
    let e = build(&spec(
        "bad",
        "demucs",
        fixture("models/demucs_whole_4s.onnx"),
        "",
        &["voice"],
    ))
    .err()
    .expect("unknown slot");
    assert!(
        e.contains("voice") && e.contains("drums, bass, other, vocals"),
        "{e}"
    );
}
