#!/usr/bin/env python3
"""Writes the same random-weight HTDemucs (v4 geometry: 7.8 s windows, 4 sources) as
TorchScript (scripts/export-torchscript/export.py) and as ONNX (PyPI demucs-onnx's
exporter, STFT inside the graph), and checks that the ONNX file computes what the
PyTorch model does. The workload of bench/libtorch.sh.

    .venv-torch/bin/python bench/htdemucs_models.py OUT_DIR [SEED]
Needs: pip install torch==2.13.0 demucs==4.1.0 demucs-onnx==0.3.4 onnx onnxruntime
"""
import copy
import importlib.util
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("export", ROOT / "scripts/export-torchscript/export.py")
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)

from demucs_onnx.export.exporter import _export_one, _verify_onnx_parity  # noqa: E402
from demucs_onnx.export.patch import patch_htdemucs_for_onnx  # noqa: E402

out = Path(sys.argv[1])
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
out.mkdir(parents=True, exist_ok=True)
model = export.random_htdemucs(seed)
params = sum(p.numel() for p in model.parameters())
seg = export.trace_demucs(model, out / "htdemucs_random.pt", half=False, device="cpu")
print(f"htdemucs_random.pt: {params / 1e6:.1f} M parameters, segment {seg}", file=sys.stderr)
patched = patch_htdemucs_for_onnx(copy.deepcopy(model))
_export_one(patched, out / "htdemucs_random.onnx", n_samples=seg, opset=17, verbose=False)
_verify_onnx_parity(model, out / "htdemucs_random.onnx", n_samples=seg, bag_index=None,
                    stem="all", tolerance=1e-3, verbose=True)
