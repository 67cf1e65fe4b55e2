#!/usr/bin/env python3
"""Fits the music-likeness model of take detection (audio/src/takes/seconds.rs).

For each night NIGHT (a folder made by generate.py, holding truth.json), run the
detector with its per-second features dumped first:

    TAKES_DUMP=NIGHT/features.csv target/debug/examples/takes NIGHT/rehearsal.wav > NIGHT/found.json

then fit on some nights and report on all of them:

    .venv-bench/bin/python bench/rehearsal/fit_takes.py --train N1 N2 N4 N5 --report N3 [--write]

The model is two logistic regressions over standardised inputs and their pairwise
products (a second is music when it lies inside a true take): stage one over the
per-second features, stage two over the same features plus stage one's score and how
music-like the CONTEXT_SECONDS before and after are (`context`). `--write` replaces
`MODEL` and `CONTEXT_MODEL` in audio/src/takes/seconds.rs with the fitted constants; keep one night out of
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


CONTEXT_SECONDS = 15  # seconds.rs CONTEXT_SECONDS


def context(p):
    """Stage two's extra inputs (seconds.rs `context`): the stage-one score, and of the
    3 s mean score's maxima over the CONTEXT_SECONDS before and after, the lower and
    the higher (a breakdown has the band on both sides, noodling after a take on one)."""
    n = len(p)
    s = np.array([p[max(0, k - 1):k + 2].mean() for k in range(n)])
    left = np.array([s[max(0, k - CONTEXT_SECONDS):k].max() if k > 0 else 0.0 for k in range(n)])
    right = np.array([s[k + 1:k + 1 + CONTEXT_SECONDS].max() if k + 1 < n else 0.0
                      for k in range(n)])
    return np.stack([p, np.minimum(left, right), np.maximum(left, right)], 1)


def fit(x, y, l2, iterations):
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = expand(np.clip((x - mean) / scale, -6, 6))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.05 * (z.T @ (p - y) / len(y) + l2 * w)
        b -= 0.5 * np.mean(p - y)
    return mean, scale, w, b


def predict(model, x):
    mean, scale, w, b = model
    return 1 / (1 + np.exp(-(expand(np.clip((x - mean) / scale, -6, 6)) @ w + b)))


def rust(name, ty, model):
    mean, scale, w, b = model
    fmt = lambda v: ", ".join(f"{float(a):.5g}" for a in v)  # noqa: E731
    return (f"pub const {name}: Model<{ty}> = Model {{\n    mean: [{fmt(mean)}],\n"
            f"    scale: [{fmt(scale)}],\n    weight: [{fmt(w)}],\n    bias: {b:.4f},\n}};")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", nargs="+", type=Path, required=True)
    ap.add_argument("--report", nargs="*", type=Path, default=[])
    ap.add_argument("--l2", type=float, default=3e-3)
    ap.add_argument("--iterations", type=int, default=6000)
    ap.add_argument("--write", action="store_true", help="update seconds.rs")
    args = ap.parse_args()

    nights = {p: load(p) for p in [*args.train, *args.report]}
    y = np.concatenate([nights[p][2] for p in args.train])
    # Stage one: the per-second features alone.
    m1 = fit(np.vstack([nights[p][1] for p in args.train]), y, args.l2, args.iterations)
    # Stage two: the same features and the stage-one scores around the second.
    x2 = {p: np.hstack([v[1], context(predict(m1, v[1]))]) for p, v in nights.items()}
    m2 = fit(np.vstack([x2[p] for p in args.train]), y, args.l2, args.iterations)

    for night, (_, xs, ys, what) in nights.items():
        role = "train" if night in args.train else "held out"
        for stage, p in (("one", predict(m1, xs)), ("two", predict(m2, x2[night]))):
            print(f"{night} ({role}), stage {stage}: per-second accuracy {np.mean((p > 0.5) == ys):.3f}")
            by = defaultdict(list)
            for pi, wi in zip(p, what):
                by[wi].append(pi > 0.5)
            print("   share called music:", {k: round(float(np.mean(v)), 2) for k, v in sorted(by.items())})

    if args.write:
        text = SECONDS_RS.read_text()
        for name, ty, model in (("MODEL", "N_FEATURES, N_EXPANDED", m1),
                                ("CONTEXT_MODEL", "N_CONTEXT, N_CONTEXT_EXPANDED", m2)):
            text, n = re.subn(rf"pub const {name}: Model.*?\n\}};", rust(name, ty, model), text,
                              flags=re.S)
            if n != 1:
                raise SystemExit(f"no {name} constant found in {SECONDS_RS}")
        SECONDS_RS.write_text(text)
        print(f"wrote {SECONDS_RS} (run cargo fmt)")


if __name__ == "__main__":
    main()
