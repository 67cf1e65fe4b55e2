#!/usr/bin/env python3
"""Demucs itself on a WAV file, from checkpoint files: demucs.states.load_model, then
demucs.apply.apply_model (shifts 0, split on, overlap 0.25) around the track
normalisation of UVR (spec §2.2). More than one checkpoint makes a BagOfModels with
`--weights` (JSON, one row per model). The reference of the checkpoint parity tests and
the baseline of bench/htdemucs.sh.

    reference.py IN.wav A.th [B.th ...] [--weights '[[...], [...]]'] [--threads N]
        [--out STEMS.f32]

`--out` writes the stems as raw little-endian float32, `[source][channel][frame]`.
"""
import argparse
import json
import sys
import time

import soundfile as sf
import torch
from demucs.apply import BagOfModels, apply_model
from demucs.states import load_model

parser = argparse.ArgumentParser()
parser.add_argument("wav")
parser.add_argument("checkpoints", nargs="+")
parser.add_argument("--weights")
parser.add_argument("--threads", type=int, default=0)
parser.add_argument("--out")
args = parser.parse_args()
if args.threads:
    torch.set_num_threads(args.threads)
models = [load_model(p).eval() for p in args.checkpoints]
if len(models) > 1 or args.weights:
    model = BagOfModels(models, json.loads(args.weights) if args.weights else None)
else:
    model = models[0]
audio, rate = sf.read(args.wav, dtype="float32", always_2d=True)
mix = torch.from_numpy(audio.T.copy())
ref = mix.mean(0)
mean, std = ref.mean(), ref.std()
start = time.time()
with torch.inference_mode():
    out = apply_model(model, ((mix - mean) / std)[None], shifts=0, split=True,
                      overlap=0.25, progress=False)[0]
out = out * std + mean
print(f"apply_model: {time.time() - start:.1f} s for {audio.shape[0] / rate:.1f} s",
      file=sys.stderr)
if args.out:
    out.numpy().astype("<f4").tofile(args.out)
