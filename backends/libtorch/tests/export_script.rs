//! scripts/export-torchscript/export.py as a user runs it, with random weights instead of
//! a downloaded checkpoint: a real HTDemucs (v4 geometry) exported to TorchScript must
//! give, through this backend, what PyTorch's own demucs.apply_model gives on the same
//! recording; a waveform model built by a user factory must give what its eager PyTorch
//! forward gives. Needs a Python with torch, demucs and pyyaml (STEMSET_TORCH_PYTHON, else
//! .venv-torch/bin/python; see scripts/export-torchscript/export.py); .ci/run installs it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    let path = std::env::var_os("STEMSET_TORCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-torch/bin/python"));
    assert!(
        path.is_file(),
        "the export tests need a Python with PyTorch at {} (or STEMSET_TORCH_PYTHON): \
         python3 -m venv .venv-torch && .venv-torch/bin/pip install torch==2.13.0 demucs==4.1.0 \
         pyyaml soundfile",
        path.display()
    );
    path
}

/// Runs a script of scripts/export-torchscript in `dir`; returns its stdout.
fn run(dir: &Path, script: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(python())
        .arg(root().join("scripts/export-torchscript").join(script))
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run python: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// The value of `key = "..."` in the printed plugins.toml entry.
fn entry_value(entry: &str, key: &str) -> String {
    let line = entry
        .lines()
        .find(|l| l.starts_with(&format!("{key} =")))
        .unwrap_or_else(|| panic!("no {key} in the entry:\n{entry}"));
    line.split_once('=')
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
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

fn read_f32(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .expect("reference output")
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Interleaved stereo stems from planar `[stem][channel][frame]`.
fn interleave(planar: &[f32], stems: usize, frames: usize) -> Vec<Vec<f32>> {
    (0..stems)
        .map(|s| {
            (0..frames)
                .flat_map(|i| (0..2).map(move |c| (c, i)))
                .map(|(c, i)| planar[(s * 2 + c) * frames + i])
                .collect()
        })
        .collect()
}

fn relative_error(a: &[f32], b: &[f32]) -> f32 {
    let peak = b.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
    max_abs_diff(a, b) / peak
}

#[test]
fn an_exported_htdemucs_separates_like_pytorch_demucs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let entry = run(
        d,
        "export.py",
        &["demucs", "--random", "3", "--name", "ht", "--out", "models"],
    )
    .unwrap_or_else(|e| panic!("export failed: {e}"));
    assert_eq!(entry_value(&entry, "architecture"), "\"demucs\"");
    assert_eq!(
        entry_value(&entry, "slots"),
        "[\"drums\", \"bass\", \"other\", \"vocals\"]"
    );
    let file = d.join("models/ht.pt");
    assert!(file.is_file(), "{entry}");

    // 10 s: three 7.8 s windows, the last one short and centred.
    let frames = 441_000;
    let input = signal(frames);
    write_wav(&d.join("mix.wav"), &input);
    run(
        d,
        "demucs_reference.py",
        &[
            "mix.wav",
            "--seed",
            "3",
            "--threads",
            "2",
            "--out",
            "ref.f32",
        ],
    )
    .unwrap_or_else(|e| panic!("reference failed: {e}"));
    let expect = interleave(&read_f32(&d.join("ref.f32")), 4, frames);

    let spec = spec(
        "libtorch",
        "demucs",
        &file,
        "",
        &["drums", "bass", "other", "vocals"],
    );
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let out = separate(sep.as_mut(), &input);
    for (s, (a, b)) in out.iter().zip(&expect).enumerate() {
        let err = relative_error(a, b);
        assert!(
            err < 1e-4,
            "source {s}: libtorch vs PyTorch demucs, relative error {err}"
        );
    }
}

const FACTORY: &str = r#"
import torch

class Tiny(torch.nn.Module):
    """A spectral mask per stem: STFT, multiply, iSTFT (no `length`, like the Roformers)."""

    def __init__(self, n_fft, hop, stems):
        super().__init__()
        self.n_fft, self.hop, self.stems = n_fft, hop, stems
        self.mask = torch.nn.Parameter(torch.rand(stems, n_fft // 2 + 1, 1))
        self.register_buffer("window", torch.hann_window(n_fft))

    def forward(self, mix):
        b, c, t = mix.shape
        spec = torch.stft(mix.reshape(b * c, t), self.n_fft, self.hop, window=self.window,
                          return_complex=True)
        outs = [torch.istft(spec * self.mask[s], self.n_fft, self.hop, window=self.window)
                .reshape(b, c, -1) for s in range(self.stems)]
        out = torch.stack(outs, 1)
        return out[:, 0] if self.stems == 1 else out

def build(config):
    m, t = config["model"], config["training"]
    stems = 1 if t.get("target_instrument") else len(t["instruments"])
    return Tiny(m["stft_n_fft"], m["stft_hop_length"], stems)
"#;

const YAML: &str = "audio:\n  sample_rate: 44100\nmodel:\n  stft_n_fft: 512\n  stft_hop_length: 128\n  \
freqs_per_bands: !!python/tuple [129, 128]\ntraining:\n  instruments: [Vocals, Instrumental]\n  \
target_instrument: Vocals\ninference:\n  dim_t: 65\n  num_overlap: 2\n";

#[test]
fn an_exported_waveform_model_matches_its_eager_forward() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("tiny_factory.py"), FACTORY).expect("factory");
    std::fs::write(d.join("tiny.yaml"), YAML).expect("yaml");
    let entry = run(
        d,
        "export.py",
        &[
            "waveform",
            "--random",
            "5",
            "--config",
            "tiny.yaml",
            "--factory",
            "tiny_factory:build",
            "--name",
            "tiny",
            "--out",
            "models",
        ],
    )
    .unwrap_or_else(|e| panic!("export failed: {e}"));
    assert_eq!(
        entry_value(&entry, "slots"),
        "[\"vocals\", \"instrumental\"]"
    );
    let file = d.join("models/tiny.pt");
    assert!(
        d.join("models/tiny.yaml").is_file(),
        "the YAML travels with the model"
    );

    // One window of C = 128 · 64 samples: the Hamming weights divide out, so the stem is
    // the network's output for exactly this input.
    let chunk = 8192;
    let input = signal(chunk);
    let planar: Vec<f32> = (0..2)
        .flat_map(|c| input.iter().skip(c).step_by(2).copied())
        .collect();
    let bytes: Vec<u8> = planar.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(d.join("window.f32"), bytes).expect("window");
    let eager = Command::new(python())
        .current_dir(d)
        .args([
            "-c",
            &format!(
                "import numpy as np, torch, yaml, tiny_factory\n\
             torch.manual_seed(5)\n\
             cfg = yaml.load(open('tiny.yaml'), Loader=yaml.UnsafeLoader)\n\
             m = tiny_factory.build(cfg).eval()\n\
             x = torch.from_numpy(np.fromfile('window.f32', '<f4').reshape(1, 2, {chunk}))\n\
             m(x).detach().numpy().astype('<f4').tofile('eager.f32')"
            ),
        ])
        .output()
        .expect("python");
    assert!(
        eager.status.success(),
        "{}",
        String::from_utf8_lossy(&eager.stderr)
    );
    let expect = interleave(&read_f32(&d.join("eager.f32")), 1, chunk);

    let spec = spec(
        "libtorch",
        "waveform",
        &file,
        "",
        &["vocals", "instrumental"],
    );
    let mut sep = build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let out = separate(sep.as_mut(), &input);
    let err = relative_error(&out[0], &expect[0]);
    assert!(
        err < 1e-5,
        "libtorch vs eager PyTorch: relative error {err}"
    );
    let residual: Vec<f32> = input.iter().zip(&out[0]).map(|(m, v)| m - v).collect();
    assert!(max_abs_diff(&out[1], &residual) < 1e-6);
}

#[test]
fn the_script_says_what_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = run(dir.path(), "export.py", &["demucs", "--out", "models"]).expect_err("no model");
    assert!(e.contains("--model") && e.contains("--random"), "{e}");
    let e = run(
        dir.path(),
        "export.py",
        &["waveform", "--out", "m", "--half"],
    )
    .expect_err("half on cpu");
    assert!(e.contains("--half needs --device cuda"), "{e}");
}
