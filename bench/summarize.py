#!/usr/bin/env python3
"""Reads the outputs bench/run.sh collected (one file per part) and prints one Markdown
report: a table per part, with the ratios against the tool a user would pick instead.
Standard library only.

    python3 bench/summarize.py DIR [quick|full]
"""

import pathlib
import re
import sys


def rows(text, header):
    """The whitespace-separated rows under the line that starts with `header`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.split()[:1] == [header]:
            names = line.split()
            out = []
            for row in lines[i + 1:]:
                cells = row.split(None, len(names) - 1)
                if len(cells) < 2 or not re.match(r"^[\d.]+$|^python$", cells[0]):
                    break
                out.append(dict(zip(names, cells)))
            return out
    return []


def table(head, body):
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in body:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print()


def status(text):
    """Why a part has no figures: skipped, failed, or its output unreadable."""
    first = text.strip().splitlines()[:1]
    if first and first[0].startswith("skipped:"):
        return first[0]
    if "FAILED" in text:
        tail = [l for l in text.strip().splitlines() if l.strip()][-3:]
        return "failed: " + " / ".join(tail)
    return None


def part(out, name, title):
    path = out / f"{name}.txt"
    if not path.exists():
        return None
    text = path.read_text(errors="replace")
    print(f"### {title}\n")
    why = status(text)
    if why:
        print(f"{why}\n")
        return None
    return text


def process(text):
    body = rows(text, "minutes")
    table(
        ["recording", "wall time", "realtime factor", "peak RSS", "peak scratch", "scratch / source"],
        [
            [f"{r['minutes']} min", f"{r['wall_s']} s", f"{r['realtime']}×", f"{r['peak_MB']} MB",
             f"{r['scratch_MB']} MB", r["ratio"]]
            for r in body
        ],
    )


def folder(text):
    body = rows(text, "files")
    table(
        ["files", "each", "wall time", "inference (sum)", "wall / inference", "outside the model per file", "peak RSS"],
        [
            [r["files"], f"{r['seconds']} s", f"{r['wall_s']} s", f"{r['inference_s']} s", r["ratio"],
             f"{r['outside_s']} s", f"{r['peak_MB']} MB"]
            for r in body
        ],
    )


def onnx(text):
    body = rows(text, "seconds")
    py = next((r for r in body if r["seconds"] == "python"), None)
    out = []
    for r in body:
        if r is py:
            continue
        out.append([f"Stemset, {r['seconds']} s", f"{r['wall_s']} s", f"{r['realtime']}×", f"{r['peak_MB']} MB",
                    ratio(py, r)])
    if py:
        out.append(["Python ONNX Runtime + NumPy", f"{py['wall_s']} s", f"{py['realtime']}×", f"{py['peak_MB']} MB", "1"])
    table(["run", "wall time", "realtime factor", "peak RSS", "speed vs Python"], out)


def ratio(baseline, r, key="wall_s"):
    if not baseline:
        return "–"
    try:
        return f"{float(baseline[key]) / float(r[key]):.2f}×"
    except (KeyError, ValueError, ZeroDivisionError):
        return "–"


def demucs(text):
    body = rows(text, "seconds")
    torch = next((r for r in body if r.get("runner") == "pytorch"), None)
    table(
        ["run", "wall time", "realtime factor", "peak RSS", "speed vs PyTorch"],
        [
            [f"{r['runner']}, {r['seconds']} s", f"{r['wall_s']} s", f"{r['realtime']}×", f"{r['peak_MB']} MB",
             ratio(torch, r)]
            for r in body
        ],
    )


def htdemucs(text):
    """bench/htdemucs.sh prints `run  wall_s  peak_MB  note` rows; runs have spaces."""
    body = []
    for line in text.splitlines():
        m = re.match(r"^(.+?)\s{2,}([\d.]+|-)\s+([\d.]+|-)\s+(.*)$", line)
        if m and not line.startswith("run "):
            body.append([m.group(1).strip(), m.group(2), m.group(3), m.group(4)])
    table(["run", "wall s (ratio)", "peak MB (ratio)", "note"], body)


def graphql(text):
    lines = text.splitlines()
    body = []
    for i, line in enumerate(lines):
        if line.startswith("database "):
            for row in lines[i + 1:]:
                c = row.split()
                if len(c) == 6:
                    body.append(c)
    table(["database", "requests/s", "p50", "p99", "requests", "errors"],
          [[c[0], c[1], f"{c[2]} ms", f"{c[3]} ms", c[4], c[5]] for c in body])


def uploads(text):
    body = []
    for line in text.splitlines():
        m = re.match(r"^(.+?): ([\d.]+) s, (\d+) MB/s; (.*)$", line)
        if m:
            hwm = re.search(r"VmHWM: (\d+) MB", m.group(4))
            body.append([m.group(1), f"{m.group(2)} s", f"{m.group(3)} MB/s", f"{hwm.group(1)} MB" if hwm else "–"])
    table(["upload", "time", "throughput", "server peak RSS"], body)


def main():
    out = pathlib.Path(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "full"
    print(f"## Benchmarks ({mode} run)\n")
    for name, title, show in [
        ("process", "`stemset process`, default dsp 4-stem tree, Opus", process),
        ("folder", "A folder of files through the MDX-Net model (onnx)", folder),
        ("onnx", "MDX-Net (onnx) against Python ONNX Runtime + NumPy", onnx),
        ("demucs", "HTDemucs (libtorch, onnx) against PyTorch `demucs.apply_model`", demucs),
        ("htdemucs", "Demucs' own checkpoint (onnx backend) against PyTorch demucs, same clip and checkpoint", htdemucs),
        ("graphql", "GraphQL: 50 recordings with their stems, 16 connections", graphql),
        ("uploads", "Uploads", uploads),
    ]:
        text = part(out, name, title)
        if text is not None:
            show(text)


if __name__ == "__main__":
    main()
