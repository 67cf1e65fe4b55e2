#!/usr/bin/env python3
"""Demucs itself on a WAV file, from checkpoint files: demucs.states.load_model, then
demucs.apply.apply_model (shifts 0, split on, overlap 0.25) around the track
normalisation of UVR (spec §2.2). More than one checkpoint makes a BagOfModels with
`--weights` (JSON, one row per model). The reference of the checkpoint parity tests and
the baseline of bench/htdemucs.sh.

    reference.py IN.wav A.th [B.th ...] [--weights '[[...], [...]]'] [--threads N]
        [--out STEMS.f32] [--wav-dir DIR]

`--out` writes the stems as raw little-endian float32, `[source][channel][frame]`;
`--wav-dir` writes one WAV per source with soundfile (what a user's script would do).
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
parser.add_argument("--wav-dir")
parser.add_argument("--device", default="cpu", help="cpu or cuda")
args = parser.parse_args()
if args.threads:
    torch.set_num_threads(args.threads)
models = [load_model(p).eval().to(args.device) for p in args.checkpoints]
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
                      overlap=0.25, progress=False, device=args.device)[0].cpu()
out = out * std + mean
print(f"apply_model: {time.time() - start:.1f} s for {audio.shape[0] / rate:.1f} s",
      file=sys.stderr)
if args.out:
    out.numpy().astype("<f4").tofile(args.out)
if args.wav_dir:
    for name, stem in zip(model.sources, out.numpy()):
        sf.write(f"{args.wav_dir}/{name}.wav", stem.T, rate, subtype="PCM_24")
