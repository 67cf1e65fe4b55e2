#!/usr/bin/env python3
"""PyTorch's own Demucs on a WAV file: demucs.apply.apply_model (shifts 0, split, overlap
0.25) around the track normalisation of UVR (spec §2.2), with the random HTDemucs that
`export.py demucs --random SEED` exports. The reference the export test compares the
libtorch backend with, and the baseline of bench/libtorch.sh.

    demucs_reference.py IN.wav --seed SEED [--threads N] [--out STEMS.f32]

`--out` writes the stems as raw little-endian float32, `[source][channel][frame]`.
"""
import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from demucs.apply import apply_model

spec = importlib.util.spec_from_file_location("export", Path(__file__).with_name("export.py"))
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)

parser = argparse.ArgumentParser()
parser.add_argument("wav")
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--threads", type=int, default=0)
parser.add_argument("--out")
args = parser.parse_args()
if args.threads:
    torch.set_num_threads(args.threads)
model = export.random_htdemucs(args.seed)
audio, rate = sf.read(args.wav, dtype="float32", always_2d=True)
mix = torch.from_numpy(audio.T.copy())
ref = mix.mean(0)
mean, std = ref.mean(), ref.std()
start = time.time()
with torch.inference_mode():
    out = apply_model(model, ((mix - mean) / std)[None], shifts=0, split=True,
                      overlap=0.25, progress=False)[0]
out = out * std + mean
print(f"apply_model: {time.time() - start:.1f} s for {audio.shape[0] / rate:.1f} s", file=sys.stderr)
if args.out:
    out.numpy().astype("<f4").tofile(args.out)
