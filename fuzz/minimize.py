#!/usr/bin/env python3
"""Picks a small committed corpus for one fuzz target: every named input of
fuzz/corpus/TARGET (the seeds; files named by their SHA-1 are earlier picks) plus,
greedily, the inputs (of the work corpus and the earlier picks) that cover the most code
edges not yet covered per byte, within a budget of files and bytes. (libFuzzer's own
-merge keeps every input that adds any feature: after a 10-minute run, thousands.)

    fuzz/minimize.py BINARY TARGET [MAX_FILES] [MAX_BYTES]

BINARY is the built fuzz target. It runs it once with -merge=1 -set_cover_merge=1 to get
every input's features, then rewrites fuzz/corpus/TARGET. Prints the edges covered by
all the inputs and by the chosen files."""
import hashlib
import os
import subprocess
import sys
import tempfile

binary, target = sys.argv[1], sys.argv[2]
max_files = int(sys.argv[3]) if len(sys.argv) > 3 else 60
max_bytes = int(sys.argv[4]) if len(sys.argv) > 4 else 190 * 1024

here = os.path.dirname(os.path.abspath(__file__))
committed = os.path.join(here, "corpus", target)
work = os.path.join(here, "corpus-work", target)
max_len = {"config": 8192}.get(target, 16384)

with tempfile.TemporaryDirectory() as tmp:
    control = os.path.join(tmp, "control.txt")
    out = os.path.join(tmp, "out")
    os.mkdir(out)
    dirs = [d for d in (committed, work) if os.path.isdir(d)]
    subprocess.run(
        ["nice", "-n", "19", binary, "-merge=1", "-set_cover_merge=1",
         f"-merge_control_file={control}", "-rss_limit_mb=2048", "-timeout=30",
         f"-max_len={max_len}", out, *dirs],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(control) as f:
        lines = f.read().split("\n")

n = int(lines[0])
names = lines[2:2 + n]
edges, sizes = {}, {}
for line in lines[2 + n:]:
    parts = line.split()
    if not parts:
        continue
    if parts[0] == "STARTED":
        sizes[int(parts[1])] = int(parts[2])
    elif parts[0] == "FT":
        # Features of 8-bit counters are edge * 8 + a hit-count bucket.
        edges[int(parts[1])] = {int(x) // 8 for x in parts[2:]}

def is_seed(name):
    """A hand-made input (named), as opposed to one an earlier minimization picked."""
    base = os.path.basename(name)
    picked = len(base) == 40 and all(c in "0123456789abcdef" for c in base)
    return os.path.dirname(name) == committed and not picked


seeds = [i for i in edges if is_seed(names[i])]
covered = set()
chosen = []
for i in seeds:
    chosen.append(i)
    covered |= edges[i]
total_bytes = sum(sizes[i] for i in chosen)
everything = set().union(*edges.values())
left = {i for i in edges if i not in chosen}
while left and len(chosen) < max_files:
    best, score = None, 0.0
    for i in left:
        new = len(edges[i] - covered)
        if new == 0 or total_bytes + sizes[i] > max_bytes:
            continue
        s = new / (sizes[i] + 256)
        if s > score:
            best, score = i, s
    if best is None:
        break
    chosen.append(best)
    covered |= edges[best]
    total_bytes += sizes[best]
    left.discard(best)

files = {}
for i in chosen:
    with open(names[i], "rb") as f:
        data = f.read()
    if is_seed(names[i]):
        files[os.path.basename(names[i])] = data
    else:
        files.setdefault(hashlib.sha1(data).hexdigest(), data)
for name in os.listdir(committed):
    os.remove(os.path.join(committed, name))
for name, data in files.items():
    with open(os.path.join(committed, name), "wb") as f:
        f.write(data)
print(f"{target}: {len(edges)} inputs cover {len(everything)} edges; "
      f"kept {len(files)} files, {sum(map(len, files.values()))} bytes, "
      f"covering {len(covered)} edges ({100 * len(covered) / max(1, len(everything)):.1f}%)")
