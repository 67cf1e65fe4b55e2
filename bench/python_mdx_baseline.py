"""The Python baseline for bench/onnx.sh: a plain ONNX Runtime + NumPy MDX-Net loop (the
reference of scripts/onnx-fixtures/reference.py, as python-audio-separator does it: whole
track in memory, overlap 0.25 by default), on the same clip and model as the Rust run.

usage: python bench/python_mdx_baseline.py MODEL.onnx SECONDS [overlap] [threads]
The clip is generated noise (the network has random weights; only the cost matters).
"""
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts" / "onnx-fixtures"))
import reference as ref  # noqa: E402

model_path, seconds = sys.argv[1], float(sys.argv[2])
overlap = sys.argv[3] if len(sys.argv) > 3 else "0.25"
overlap = "default" if overlap == "default" else float(overlap)
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 0

opts = ort.SessionOptions()
opts.intra_op_num_threads = threads
session = ort.InferenceSession(model_path, opts, providers=["CPUExecutionProvider"])
shape = session.get_inputs()[0].shape
dim_f, dim_t = int(shape[2]), int(shape[3])
rng = np.random.default_rng(0)
mix = (0.1 * rng.standard_normal((2, int(44100 * seconds)))).astype(np.float32)

start = time.time()
raw = ref.mdx_demix(mix, lambda x: session.run(None, {"input": x})[0], 6144, 1024, dim_t, dim_f, overlap)
primary = 1.022 * raw
secondary = mix - primary
for stem in (primary, secondary):
    ref.write_wav_f32("/dev/null", stem.astype(np.float32))
print(f"python baseline: {time.time() - start:.1f} s, overlap {overlap}")
