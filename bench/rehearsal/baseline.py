#!/usr/bin/env python3
"""The floor for take detection: a plain loudness threshold.

    baseline.py --wav rehearsal.wav --out found.json [--below-db 10] [--merge 1] [--min-length 30]

RMS in 1 s windows; a window is "music" when it is within `--below-db` dB of the file's
loudness (the 95th percentile of the window levels, i.e. the loud parts, whatever their
share of the file); runs of music windows closer than `--merge` seconds are joined (by
default those split by a single quiet window), and runs shorter than `--min-length`
seconds dropped. Every run is a "take" with no song, BPM or key. Reads the file in
blocks, so memory is flat with its length.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import soundfile as sf


def window_levels(path: str, win_s: float = 1.0) -> tuple[np.ndarray, float]:
    with sf.SoundFile(path) as f:
        win = int(round(win_s * f.samplerate))
        levels = []
        for block in f.blocks(blocksize=win * 60, dtype="float32", always_2d=True):
            k = len(block) // win
            if k:
                e = (block[:k * win] ** 2).mean(axis=1)  # power, both channels
                levels.append(10 * np.log10(e.reshape(k, win).mean(axis=1) + 1e-12))
        return np.concatenate(levels) if levels else np.zeros(0), win / f.samplerate


def detect(levels: np.ndarray, win_s: float, below_db: float, merge_s: float, min_len_s: float):
    if not len(levels):
        return []
    ref = float(np.percentile(levels, 95))
    on = levels > ref - below_db
    runs = []  # [start window, end window) of consecutive music windows
    i = 0
    while i < len(on):
        if on[i]:
            j = i
            while j < len(on) and on[j]:
                j += 1
            runs.append([i, j])
            i = j
        else:
            i += 1
    merged = []
    for r in runs:
        if merged and (r[0] - merged[-1][1]) * win_s <= merge_s:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    return [{"start": round(a * win_s, 3), "end": round(b * win_s, 3), "kind": "take",
             "song": None, "bpm": None, "key": None}
            for a, b in merged if (b - a) * win_s >= min_len_s]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wav", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--below-db", type=float, default=10.0,
                    help="music is within this many dB of the file's loudness")
    ap.add_argument("--merge", type=float, default=1.0, help="join runs this close (s)")
    ap.add_argument("--min-length", type=float, default=30.0, help="shortest take (s)")
    args = ap.parse_args(argv)
    levels, win_s = window_levels(args.wav)
    takes = detect(levels, win_s, args.below_db, args.merge, args.min_length)
    with open(args.out, "w") as f:
        json.dump({"takes": takes}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
