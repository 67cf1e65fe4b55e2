#!/usr/bin/env python3
"""Write the golden data for the ONNX backend tests into
backends/onnx/tests/fixtures/golden/ and self-check the reference.

Run make_models.py first (this script runs the .onnx files it wrote through onnxruntime).
Usage (from the repository root):
    .venv-ml/bin/python scripts/onnx-fixtures/make_models.py
    .venv-ml/bin/python scripts/onnx-fixtures/make_golden.py
"""
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_models as mm  # noqa: E402
import reference as ref  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "backends" / "onnx" / "tests" / "fixtures" / "models"
GOLDEN = ROOT / "backends" / "onnx" / "tests" / "fixtures" / "golden"

SR = 44100
N_MIX = 100_000
MIX_SEED = 1234
N_DEMUCS = 60_000

N, H, F, T = mm.MDX_N_FFT, mm.MDX_HOP, mm.MDX_DIM_F, mm.MDX_DIM_T
SEG = mm.DEMUCS_SEG


def make_mix():
    t = np.arange(N_MIX) / SR
    rng = np.random.default_rng(MIX_SEED)
    left = (0.3 * np.sin(2 * np.pi * 440 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 1.3 * t))
            + 0.2 * np.sin(2 * np.pi * 1234.5 * t + 0.3) + 0.05 * rng.standard_normal(N_MIX))
    right = (0.25 * np.sin(2 * np.pi * 330 * t + 1.0)
             + 0.15 * np.sin(2 * np.pi * 2500 * t) * (0.5 + 0.5 * np.cos(2 * np.pi * 0.7 * t))
             + 0.05 * rng.standard_normal(N_MIX))
    return np.stack([left, right]).astype(np.float32)


def session(name):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(str(MODELS / name), opts, providers=["CPUExecutionProvider"])


def mdx_model(name):
    s = session(name)
    return lambda x: s.run(None, {"input": x})[0]


def core_model(name):
    s = session(name)
    names = [i.name for i in s.get_inputs()]           # bind by position: (input, x)
    return lambda wav, spec: s.run(None, {names[0]: wav, names[1]: spec})


def whole_model(name):
    s = session(name)
    name0 = s.get_inputs()[0].name
    return lambda wav: s.run(None, {name0: wav})[0]


def write_golden(name, planar):
    path = GOLDEN / name
    ref.write_wav_f32(path, planar, SR)
    back, sr = ref.read_wav_f32(path)
    assert sr == SR and back.shape == planar.shape
    assert np.array_equal(back, np.asarray(planar, np.float32))
    print(f"wrote {path.relative_to(ROOT)}: {planar.shape[0]} ch x {planar.shape[1]} frames, "
          f"peak {np.abs(planar).max():.4f}")


def check(label, err, tol):
    print(f"  check {label}: max error {err:.3e} (tol {tol:.0e})")
    assert err <= tol, label


def schedules():
    cases = [
        # spec §1.7 worked examples (Inst_HQ_3: N 6144, seg 256)
        (441_000, 6144, 256, "default"), (441_000, 6144, 256, 0.25),
        # spec §5.1 example and the MDX test geometry
        (100_000, 2048, 32, "default"), (100_000, 2048, 32, 0.25), (100_000, 2048, 32, 0.5),
        (100_000, 2048, 32, 0.75), (100_000, 2048, 32, 0),
        # shorter than one chunk / a single sample / exact multiples of gen (29696)
        (1000, 2048, 32, "default"), (1000, 2048, 32, 0.25), (1000, 2048, 32, 0.99), (1, 2048, 32, "default"),
        (29_696, 2048, 32, "default"), (89_088, 2048, 32, "default"), (89_088, 2048, 32, 0.25),
        # Voc_FT geometry (N 7680 != 2 dim_f), kuielab bass (N 16384)
        (441_000, 7680, 256, "default"), (441_000, 16384, 256, 0.5),
    ]
    out = [ref.mdx_schedule(n, nf, H, seg, ov) for n, nf, seg, ov in cases]

    a, b = out[0], out[1]
    assert (a["trim"], a["C"], a["gen"], a["pad"], a["M"]) == (3072, 261_120, 254_976, 72_024, 516_096)
    assert a["step"] == 254_976 and a["chunks"] == [[0, 261_120], [254_976, 261_120], [509_952, 6144]]
    assert b["step"] == 195_840 and b["chunks"] == [[0, 261_120], [195_840, 261_120], [391_680, 124_416]]
    c = out[2]
    assert (c["trim"], c["C"], c["gen"], c["pad"], c["M"], c["step"]) == (1024, 31_744, 29_696, 19_808, 120_832, 29_696)
    assert len(c["chunks"]) == 5 and c["chunks"][-1] == [118_784, 2048]
    for s in out:   # structural invariants
        assert s["pad"] >= s["trim"] + 1 and s["M"] == s["C"] + s["gen"] * (s["n"] // s["gen"])
        assert s["chunks"][-1][0] + s["chunks"][-1][1] == s["M"]
    ref.dump_json_lines(GOLDEN / "mdx_schedule.json", out)
    print(f"wrote {(GOLDEN / 'mdx_schedule.json').relative_to(ROOT)}: {len(out)} cases")


def main():
    GOLDEN.mkdir(parents=True, exist_ok=True)
    print("self-checks and goldens")

    # (c) §1.4 STFT/iSTFT roundtrip, all bins kept, float64.
    rng = np.random.default_rng(99)
    C = H * (T - 1)
    x = rng.standard_normal((2, C))
    X = ref.mdx_stft(x, N, H, N // 2 + 1)
    assert X.shape == (2, N // 2 + 1, T)
    check("(c) MDX STFT/iSTFT roundtrip (float64)", np.abs(ref.mdx_istft(X, N, H) - x).max(), 1e-9)

    # The shared input: write, then read back so the references see the float32 values.
    write_golden("mix.wav", make_mix())
    mix, sr = ref.read_wav_f32(GOLDEN / "mix.wav")
    assert sr == SR and mix.shape == (2, N_MIX)
    mix = mix.astype(np.float64)

    schedules()

    # MDX goldens: raw demix output (before compensate).
    gain, probe, bias = mdx_model("mdx_gain.onnx"), mdx_model("mdx_probe.onnx"), mdx_model("mdx_bias.onnx")
    runs = {
        "mdx_gain_default.wav": (gain, "default", False),
        "mdx_probe_default.wav": (probe, "default", False),
        "mdx_probe_o25.wav": (probe, 0.25, False),
        "mdx_bias_plain.wav": (bias, "default", False),
        "mdx_bias_denoise.wav": (bias, "default", True),
    }
    res = {}
    for name, (model, overlap, denoise) in runs.items():
        res[name] = ref.mdx_demix(mix, model, N, H, T, F, overlap, denoise)
        # The denoise run equals mdx_gain_default (checked below), so it is not stored.
        if name != "mdx_bias_denoise.wav":
            write_golden(name, res[name].astype(np.float32))
    check("(b) mdx_bias denoise == mdx_gain default",
          np.abs(res["mdx_bias_denoise.wav"] - res["mdx_gain_default.wav"]).max(), 1e-6)
    print(f"  info: mdx_bias plain vs gain: {np.abs(res['mdx_bias_plain.wav'] - res['mdx_gain_default.wav']).max():.3e}; "
          f"probe default vs o25: {np.abs(res['mdx_probe_default.wav'] - res['mdx_probe_o25.wav']).max():.3e}")

    # HTDemucs.
    mu, sigma = ref.track_normalise(mix)
    core_time = core_model("demucs_core_time.onnx")
    st = ref.demucs_apply(mix, lambda w: ref.ht_core_call(w, core_time), SEG)
    expect = np.stack([b * (mix - mu) + mu for b in mm.CORE_B])
    check("(a) demucs_core_time: stem_s == b_s (mix - mu) + mu", np.abs(st - expect).max(), 1e-6)
    for fname, g in (("demucs_whole_4s.onnx", mm.WHOLE_4S_G), ("demucs_whole_6s.onnx", mm.WHOLE_6S_G)):
        whole = whole_model(fname)
        sw = ref.demucs_apply(mix, lambda w: ref.ht_whole_call(w, whole), SEG)
        expect = np.stack([gs * (mix - mu) + mu for gs in g])
        check(f"{fname}: stem_s == g_s (mix - mu) + mu", np.abs(sw - expect).max(), 1e-6)

    head = mix[:, :N_DEMUCS]
    core_mixed, core_4d = core_model("demucs_core_mixed.onnx"), core_model("demucs_core_4d.onnx")
    sm = ref.demucs_apply(head, lambda w: ref.ht_core_call(w, core_mixed), SEG)
    s4 = ref.demucs_apply(head, lambda w: ref.ht_core_call(w, core_4d), SEG)
    check("demucs_core_4d == demucs_core_mixed", np.abs(sm - s4).max(), 0.0)
    write_golden("demucs_core_mixed.wav", ref.stems_to_planar(sm).astype(np.float32))
    mu_h, _ = ref.track_normalise(head)
    # Interior of the first window (away from the zeroed boundary frames, §2.5): the spectral
    # branch is ~identity, so stem_s ~ (a_s + b_s)(mix - mu) + mu there. Not exact: the
    # dropped Nyquist bin removes the white-noise part of the mix at fs/2 (~1e-3 here;
    # ~5e-6 for pure sines).
    inner = slice(4096, 14000)
    approx = np.stack([(a + b) * (head[:, inner] - mu_h) + mu_h for a, b in zip(mm.CORE_MIXED_A, mm.CORE_B)])
    print(f"  info: demucs_core_mixed interior vs (a+b)(mix-mu)+mu: {np.abs(sm[..., inner] - approx).max():.3e}")


if __name__ == "__main__":
    main()
