#!/usr/bin/env python3
"""Score found takes against a generated rehearsal's truth.

    score.py --truth truth.json --found found.json [--json] [--tolerance 3]

`found.json` is `{"takes": [{"start": s, "end": s, "kind": "take"|"false_start",
"song": label|null, "bpm": x|null, "key": "A minor"|null}, ...]}` (a bare list of takes is
accepted too). A found take matches a true take when both its boundaries are within the
tolerance (3 s); matching is one-to-one and maximal.

Reported: take precision/recall/F1 (both kinds together, and per kind, where the found
kind must agree), boundary errors, same-song pairwise precision/recall over the matched
takes, BPM within 2 % (and octave errors, x2 or x1/2) and key correct (or its relative
major/minor) on the matched takes. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys

PITCH = {"c": 0, "b#": 0, "c#": 1, "db": 1, "d": 2, "d#": 3, "eb": 3, "e": 4, "fb": 4, "e#": 5,
         "f": 5, "f#": 6, "gb": 6, "g": 7, "g#": 8, "ab": 8, "a": 9, "a#": 10, "bb": 10,
         "b": 11, "cb": 11}


def parse_key(s):
    """'A minor', 'Am', 'a min', 'F# major', 'Gb', 'C:maj' -> (pitch class, mode) or None."""
    if not s or not isinstance(s, str):
        return None
    m = re.fullmatch(r"\s*([A-Ga-g])\s*([#b♯♭]?)\s*[:\s]*(major|minor|maj|min|m|M)?\s*", s)
    if not m:
        return None
    note = (m.group(1) + m.group(2).replace("♯", "#").replace("♭", "b")).lower()
    mode = m.group(3) or "major"
    minor = mode in ("minor", "min", "m")
    return PITCH[note], "minor" if minor else "major"


def relative(key):
    pc, mode = key
    return ((pc + 9) % 12, "minor") if mode == "major" else ((pc + 3) % 12, "major")


def match(true, found, tol):
    """Maximal one-to-one matching of found to true takes (both boundaries within tol).

    Kuhn's augmenting paths; candidates are tried closest first, so among maximal
    matchings the greedy-closest one is preferred."""
    cands = []
    for i, t in enumerate(true):
        c = []
        for j, f in enumerate(found):
            ds, de = abs(f["start"] - t["start"]), abs(f["end"] - t["end"])
            if ds <= tol and de <= tol:
                c.append((ds + de, j))
        cands.append([j for _, j in sorted(c)])
    owner = {}  # found index -> true index

    def augment(i, seen):
        for j in cands[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(true)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def prf(n_match, n_true, n_found):
    p = n_match / n_found if n_found else None
    r = n_match / n_true if n_true else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {"true": n_true, "found": n_found, "matched": n_match, "precision": p, "recall": r, "f1": f}


def tempo_scores(pairs):
    n = len(pairs)
    ok = octave = missing = 0
    for t, f in pairs:
        b = f.get("bpm")
        if not isinstance(b, (int, float)) or b <= 0:
            missing += 1
            continue
        ratio = b / t["bpm"]
        if abs(ratio - 1) <= 0.02:
            ok += 1
        elif any(abs(ratio / k - 1) <= 0.02 for k in (2.0, 0.5)):
            octave += 1
    return {"n": n, "within_2pct": ok / n if n else None, "octave_errors": octave / n if n else None,
            "missing": missing}


def key_scores(pairs):
    n = len(pairs)
    exact = rel = missing = 0
    for t, f in pairs:
        tk, fk = parse_key(t["key"]), parse_key(f.get("key"))
        if fk is None:
            missing += 1
        elif fk == tk:
            exact += 1
        elif fk == relative(tk):
            rel += 1
    return {"n": n, "correct": exact / n if n else None,
            "correct_or_relative": (exact + rel) / n if n else None, "missing": missing}


def score(truth, found, tol=3.0):
    true = sorted(truth["takes"], key=lambda t: t["start"])
    found = sorted(found["takes"] if isinstance(found, dict) else found, key=lambda t: t["start"])
    pairs = match(true, found, tol)
    out = {"tolerance_s": tol, "takes": {"all": prf(len(pairs), len(true), len(found))}}
    for kind in ("take", "false_start"):
        tk = [t for t in true if t["kind"] == kind]
        fk = [f for f in found if f.get("kind", "take") == kind]
        out["takes"][kind] = prf(len(match(tk, fk, tol)), len(tk), len(fk))
    mp = [(true[i], found[j]) for i, j in pairs]
    ds = [abs(f["start"] - t["start"]) for t, f in mp]
    de = [abs(f["end"] - t["end"]) for t, f in mp]
    out["boundaries"] = {
        "start_mean_abs_s": statistics.fmean(ds) if ds else None,
        "end_mean_abs_s": statistics.fmean(de) if de else None,
        "start_median_abs_s": statistics.median(ds) if ds else None,
        "end_median_abs_s": statistics.median(de) if de else None,
        "kind_agreement": (sum(t["kind"] == f.get("kind", "take") for t, f in mp) / len(mp)
                           if mp else None),
    }
    # same song, over all pairs of matched takes
    same_true = same_found = same_both = 0
    for a in range(len(mp)):
        for b in range(a + 1, len(mp)):
            (ta, fa), (tb, fb) = mp[a], mp[b]
            st = ta["song"] == tb["song"]
            sfnd = fa.get("song") is not None and fa.get("song") == fb.get("song")
            same_true += st
            same_found += sfnd
            same_both += st and sfnd
    out["same_song"] = {"pairs": len(mp) * (len(mp) - 1) // 2, "true_same": same_true,
                        "found_same": same_found,
                        "precision": same_both / same_found if same_found else None,
                        "recall": same_both / same_true if same_true else None}
    only_takes = [(t, f) for t, f in mp if t["kind"] == "take"]
    out["bpm"] = {"all": tempo_scores(mp), "take": tempo_scores(only_takes)}
    out["key"] = {"all": key_scores(mp), "take": key_scores(only_takes)}
    return out


def fmt(x, pct=False):
    if x is None:
        return "n/a"
    return f"{100 * x:5.1f} %" if pct else f"{x:.2f}"


def table(s):
    lines = [f"takes (both boundaries within {s['tolerance_s']:g} s)",
             f"  {'kind':<12} {'true':>5} {'found':>6} {'match':>6} {'precision':>10} {'recall':>8} {'F1':>6}"]
    for kind in ("all", "take", "false_start"):
        t = s["takes"][kind]
        lines.append(f"  {kind:<12} {t['true']:>5} {t['found']:>6} {t['matched']:>6} "
                     f"{fmt(t['precision']):>10} {fmt(t['recall']):>8} {fmt(t['f1']):>6}")
    b = s["boundaries"]
    lines.append(f"  matched: start error mean {fmt(b['start_mean_abs_s'])} s (median "
                 f"{fmt(b['start_median_abs_s'])}), end error mean {fmt(b['end_mean_abs_s'])} s "
                 f"(median {fmt(b['end_median_abs_s'])}), kind agrees {fmt(b['kind_agreement'], True)}")
    g = s["same_song"]
    lines.append(f"same song ({g['pairs']} pairs of matched takes, {g['true_same']} truly the same, "
                 f"{g['found_same']} found the same): precision {fmt(g['precision'])}, "
                 f"recall {fmt(g['recall'])}")
    for subset in ("all", "take"):
        t, k = s["bpm"][subset], s["key"][subset]
        lines.append(f"matched {'takes and false starts' if subset == 'all' else 'takes only':<22} "
                     f"n={t['n']:<3} BPM within 2 %: {fmt(t['within_2pct'], True)} (octave errors "
                     f"{fmt(t['octave_errors'], True)}, none given {t['missing']}); key correct: "
                     f"{fmt(k['correct'], True)}, or relative: {fmt(k['correct_or_relative'], True)}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--found", required=True)
    ap.add_argument("--tolerance", type=float, default=3.0, help="seconds, both boundaries")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = ap.parse_args(argv)
    with open(args.truth) as f:
        truth = json.load(f)
    with open(args.found) as f:
        found = json.load(f)
    s = score(truth, found, args.tolerance)
    print(json.dumps(s, indent=1) if args.json else table(s))


if __name__ == "__main__":
    sys.exit(main())
