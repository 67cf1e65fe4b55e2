#!/usr/bin/env python3
"""Fits the music-likeness model of take detection (audio/src/takes/seconds.rs).

For each night NIGHT (a folder made by generate.py, holding truth.json), run the
detector with its per-second features dumped first:

    TAKES_DUMP=NIGHT/features.csv target/debug/examples/takes NIGHT/rehearsal.wav > NIGHT/found.json

then fit on some nights and report on all of them:

    .venv-bench/bin/python bench/rehearsal/fit_takes.py --train N1 N2 N4 N5 --report N3 [--write]

The model is a logistic regression over the standardised features and their pairwise
products (a second is music when it lies inside a true take). `--write` replaces
`MODEL` in audio/src/takes/seconds.rs with the fitted constants; keep one night out of
`--train` to judge the result on material it has not seen.
"""

import argparse
import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

SECONDS_RS = Path(__file__).resolve().parents[2] / "audio/src/takes/seconds.rs"


def load(night: Path):
    rows = list(csv.DictReader(open(night / "features.csv")))
    names = [k for k in rows[0] if k not in ("second", "score")]
    x = np.array([[float(r[k]) for k in names] for r in rows])
    truth = json.load(open(night / "truth.json"))
    n = len(rows)
    y = np.zeros(n)
    what = ["?"] * n
    for t in truth["takes"]:
        for k in range(int(t["start"]), min(n, int(t["end"]))):
            y[k] = 1
            what[k] = "take" if t["kind"] == "take" else "false_start"
        for sec in t.get("sections", []):
            if sec["name"] == "breakdown" or (sec["name"] == "intro" and t.get("quiet_intro")):
                label = "breakdown" if sec["name"] == "breakdown" else "quiet_intro"
                for k in range(int(sec["start"]), min(n, int(sec["end"]))):
                    what[k] = label
    for g in truth["gaps"]:
        for k in range(int(g["start"] + 0.5), min(n, int(g["end"]))):
            if y[k] == 0:
                what[k] = g["what"]
    return names, x, y, what


def expand(z):
    cols = [z[:, i] for i in range(z.shape[1])]
    for i in range(z.shape[1]):
        for j in range(i, z.shape[1]):
            cols.append(z[:, i] * z[:, j])
    return np.stack(cols, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", nargs="+", type=Path, required=True)
    ap.add_argument("--report", nargs="*", type=Path, default=[])
    ap.add_argument("--l2", type=float, default=3e-3)
    ap.add_argument("--iterations", type=int, default=6000)
    ap.add_argument("--write", action="store_true", help="update seconds.rs")
    args = ap.parse_args()

    nights = {p: load(p) for p in [*args.train, *args.report]}
    x = np.vstack([nights[p][1] for p in args.train])
    y = np.concatenate([nights[p][2] for p in args.train])
    mean, scale = x.mean(0), x.std(0) + 1e-9
    standard = lambda a: np.clip((a - mean) / scale, -6, 6)  # noqa: E731
    z = expand(standard(x))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(args.iterations):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.05 * (z.T @ (p - y) / len(y) + args.l2 * w)
        b -= 0.5 * np.mean(p - y)

    for night, (_, xs, ys, what) in nights.items():
        p = 1 / (1 + np.exp(-(expand(standard(xs)) @ w + b)))
        role = "train" if night in args.train else "held out"
        print(f"{night} ({role}): per-second accuracy {np.mean((p > 0.5) == ys):.3f}")
        by = defaultdict(list)
        for pi, wi in zip(p, what):
            by[wi].append(pi > 0.5)
        print("   share called music:", {k: round(float(np.mean(v)), 2) for k, v in sorted(by.items())})

    if args.write:
        fmt = lambda v: ", ".join(f"{float(a):.5g}" for a in v)  # noqa: E731
        text = SECONDS_RS.read_text()
        model = (
            f"pub const MODEL: Model = Model {{\n    mean: [{fmt(mean)}],\n    scale: [{fmt(scale)}],\n"
            f"    weight: [{fmt(w)}],\n    bias: {b:.4f},\n}};"
        )
        text, n = re.subn(r"pub const MODEL: Model = Model \{.*?\n\};", model, text, flags=re.S)
        if n != 1:
            raise SystemExit(f"no MODEL constant found in {SECONDS_RS}")
        SECONDS_RS.write_text(text)
        print(f"wrote {SECONDS_RS} (run cargo fmt)")


if __name__ == "__main__":
    main()
