#!/usr/bin/env python3
"""Build the tiny synthetic ONNX models used by the ONNX backend tests.

Writes into backends/onnx/tests/fixtures/models/ (relative to the repository root).
Only the ops Mul, Add, Unsqueeze and (for one file) Reshape are used, so any ONNX
Runtime >= 1.10 can run them. Layouts follow docs/model-formats.md §1.1 (MDX-Net) and
§2.6 (HTDemucs exports A "sevagh core" and B "demucs-onnx whole").

Do not hard-code the MD5 of these files in tests: the bytes depend on the onnx version.

Usage (from the repository root):
    .venv-ml/bin/python scripts/onnx-fixtures/make_models.py
"""
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto
from onnx import helper as oh
from onnx import numpy_helper as nh

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "backends" / "onnx" / "tests" / "fixtures" / "models"

# ---- MDX-Net test geometry (shared with make_golden.py / reference.py) -------------------
MDX_N_FFT = 2048
MDX_HOP = 1024
MDX_DIM_F = 1024
MDX_DIM_T = 32

# ---- HTDemucs test geometry ----------------------------------------------------------------
DEMUCS_SEG = 22050                      # real models: 343980
DEMUCS_LE = -(-DEMUCS_SEG // 1024)      # ceil(SEG / 1024) = 22 spectral frames
DEMUCS_BINS = 2048                      # N/2 (Nyquist dropped)

CORE_TIME_A = (0.0, 0.0, 0.0, 0.0)
CORE_MIXED_A = (1.0, 0.5, 0.25, 2.0)
CORE_B = (0.1, 0.2, 0.3, 0.4)
WHOLE_4S_G = (0.1, 0.2, 0.3, 0.4)
WHOLE_6S_G = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)

BIAS_SEED = 7

# ---- Positional probes, shared with the libtorch backend's traced models -------------------
# r_s[j] = g_s * (1 + j / L): a gain that depends on the position inside the window
# (stemset_backend_libtorch::synthetic::positional_gain), so that the two backends' chunking
# can be compared sample for sample.
PROBE_4S_G = (0.1, 0.2, 0.3, 0.4)
WAVEFORM_C = 8192                       # waveform-contract window (MDX23C/Roformer C)
WAVEFORM_2S_G = (0.5, 1.5)
WAVEFORM_1S_G = (0.75,)


def mdx_gain_mask():
    """mask[f] = 0.25 + 0.5 f/(F-1), shape [1, 1, F, 1]."""
    f = np.arange(MDX_DIM_F, dtype=np.float64)
    return (0.25 + 0.5 * f / (MDX_DIM_F - 1)).reshape(1, 1, MDX_DIM_F, 1).astype(np.float32)


def mdx_bias():
    """bias [1, 4, F, T] = 0.1 * standard normal, numpy default_rng(7)."""
    rng = np.random.default_rng(BIAS_SEED)
    return (0.1 * rng.standard_normal((1, 4, MDX_DIM_F, MDX_DIM_T))).astype(np.float32)


def mdx_probe_mask():
    """Position probe mask[f, t] = (1 + t/T)(0.5 + 0.5 f/(F-1)), shape [1, 1, F, T]."""
    f = np.arange(MDX_DIM_F, dtype=np.float64)[:, None]
    t = np.arange(MDX_DIM_T, dtype=np.float64)[None, :]
    m = (1.0 + t / MDX_DIM_T) * (0.5 + 0.5 * f / (MDX_DIM_F - 1))
    return m.reshape(1, 1, MDX_DIM_F, MDX_DIM_T).astype(np.float32)


def vi(name, shape):
    return oh.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def save(nodes, graph_name, inputs, outputs, inits, path, opset):
    model = oh.make_model(
        oh.make_graph(nodes, graph_name, inputs, outputs, inits),
        opset_imports=[oh.make_opsetid("", opset)],
        producer_name="stemset-synthetic-test",
    )
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def make_mdx(path, mask, bias=None):
    """input [batch_size, 4, F, T] -> output = input * mask (+ bias). Opset 13."""
    shape = ["batch_size", 4, MDX_DIM_F, MDX_DIM_T]
    inits = [nh.from_array(mask, "mask")]
    if bias is None:
        nodes = [oh.make_node("Mul", ["input", "mask"], ["output"])]
    else:
        inits.append(nh.from_array(bias, "bias"))
        nodes = [oh.make_node("Mul", ["input", "mask"], ["masked"]),
                 oh.make_node("Add", ["masked", "bias"], ["output"])]
    save(nodes, "mdx_synth", [vi("input", shape)], [vi("output", shape)], inits, path, 13)


def make_demucs_core(path, a, b, flatten_spec=False):
    """sevagh-style core: inputs (input [1,2,SEG], x [1,4,2048,le]),
    outputs (output [1,S,4,2048,le] or [1,S*4,2048,le], add_67 [1,S,2,SEG]). Opset 17.
    output = Unsqueeze(x, 1) * a ; add_67 = Unsqueeze(input, 1) * b."""
    S = len(a)
    assert len(b) == S
    seg, le = DEMUCS_SEG, DEMUCS_LE
    inits = [nh.from_array(np.asarray(a, np.float32).reshape(1, S, 1, 1, 1), "ga"),
             nh.from_array(np.asarray(b, np.float32).reshape(1, S, 1, 1), "gb"),
             nh.from_array(np.array([1], np.int64), "ax1")]
    spec_name = "spec5" if flatten_spec else "output"
    nodes = [oh.make_node("Unsqueeze", ["x", "ax1"], ["xu"]),
             oh.make_node("Mul", ["xu", "ga"], [spec_name]),
             oh.make_node("Unsqueeze", ["input", "ax1"], ["mu"]),
             oh.make_node("Mul", ["mu", "gb"], ["add_67"])]
    if flatten_spec:
        inits.append(nh.from_array(np.array([1, S * 4, DEMUCS_BINS, le], np.int64), "shape4"))
        nodes.append(oh.make_node("Reshape", ["spec5", "shape4"], ["output"]))
        spec_shape = [1, S * 4, DEMUCS_BINS, le]
    else:
        spec_shape = [1, S, 4, DEMUCS_BINS, le]
    save(nodes, "htdemucs_core_synth",
         [vi("input", [1, 2, seg]), vi("x", [1, 4, DEMUCS_BINS, le])],
         [vi("output", spec_shape), vi("add_67", [1, S, 2, seg])],
         inits, path, 17)


def make_demucs_whole(path, g):
    """demucs-onnx style: mix [1,2,SEG] -> stems [1,S,2,SEG] = Unsqueeze(mix,1) * g. Opset 17."""
    S = len(g)
    inits = [nh.from_array(np.asarray(g, np.float32).reshape(1, S, 1, 1), "g"),
             nh.from_array(np.array([1], np.int64), "ax1")]
    nodes = [oh.make_node("Unsqueeze", ["mix", "ax1"], ["mu"]),
             oh.make_node("Mul", ["mu", "g"], ["stems"])]
    save(nodes, "htdemucs_whole_synth", [vi("mix", [1, 2, DEMUCS_SEG])],
         [vi("stems", [1, S, 2, DEMUCS_SEG])], inits, path, 17)


def positional(g, length):
    j = np.arange(length, dtype=np.float32)
    return np.stack([np.float32(gs) * (np.float32(1) + j / np.float32(length)) for gs in g])


def make_demucs_probe(path, g):
    """demucs-onnx style with a positional gain: stems = Unsqueeze(mix,1) * r, r [1,S,1,SEG]."""
    S = len(g)
    inits = [nh.from_array(positional(g, DEMUCS_SEG).reshape(1, S, 1, DEMUCS_SEG), "r"),
             nh.from_array(np.array([1], np.int64), "ax1")]
    nodes = [oh.make_node("Unsqueeze", ["mix", "ax1"], ["mu"]),
             oh.make_node("Mul", ["mu", "r"], ["stems"])]
    save(nodes, "htdemucs_whole_probe", [vi("mix", [1, 2, DEMUCS_SEG])],
         [vi("stems", [1, S, 2, DEMUCS_SEG])], inits, path, 17)


def make_waveform_probe(path, g):
    """Waveform contract (spec §3.7.1) with a positional gain and a dynamic batch:
    mix [batch,2,C] -> stems [batch,S,2,C] = Unsqueeze(mix,1) * r, or for one gain
    [batch,2,C] = mix * r (a single-target model)."""
    S = len(g)
    r = positional(g, WAVEFORM_C)
    if S == 1:
        inits = [nh.from_array(r.reshape(1, 1, WAVEFORM_C), "r")]
        nodes = [oh.make_node("Mul", ["mix", "r"], ["stems"])]
        out = vi("stems", ["batch", 2, WAVEFORM_C])
    else:
        inits = [nh.from_array(r.reshape(1, S, 1, WAVEFORM_C), "r"),
                 nh.from_array(np.array([1], np.int64), "ax1")]
        nodes = [oh.make_node("Unsqueeze", ["mix", "ax1"], ["mu"]),
                 oh.make_node("Mul", ["mu", "r"], ["stems"])]
        out = vi("stems", ["batch", S, 2, WAVEFORM_C])
    save(nodes, "waveform_probe", [vi("mix", ["batch", 2, WAVEFORM_C])], [out], inits, path, 17)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    make_mdx(OUT / "mdx_gain.onnx", mdx_gain_mask())
    make_mdx(OUT / "mdx_bias.onnx", mdx_gain_mask(), mdx_bias())
    make_mdx(OUT / "mdx_probe.onnx", mdx_probe_mask())
    make_demucs_core(OUT / "demucs_core_time.onnx", CORE_TIME_A, CORE_B)
    make_demucs_core(OUT / "demucs_core_mixed.onnx", CORE_MIXED_A, CORE_B)
    make_demucs_core(OUT / "demucs_core_4d.onnx", CORE_MIXED_A, CORE_B, flatten_spec=True)
    make_demucs_whole(OUT / "demucs_whole_4s.onnx", WHOLE_4S_G)
    make_demucs_whole(OUT / "demucs_whole_6s.onnx", WHOLE_6S_G)
    make_demucs_probe(OUT / "demucs_whole_probe.onnx", PROBE_4S_G)
    make_waveform_probe(OUT / "waveform_probe_2s.onnx", WAVEFORM_2S_G)
    make_waveform_probe(OUT / "waveform_probe_1s.onnx", WAVEFORM_1S_G)


if __name__ == "__main__":
    main()
