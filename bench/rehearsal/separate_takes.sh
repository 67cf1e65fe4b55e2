#!/usr/bin/env bash
# What take detection costs and what `processing.separate: takes` saves, on one generated
# rehearsal night, with the dsp default strategy, side by side in one run:
#   A  takes.enabled: false           (the pipeline without take analysis)
#   B  takes on, separate: all        (B/A - 1 = the analysis' share of a run)
#   C  takes on, separate: takes      (C/B = what separating only the music costs)
# and scores the takes B and C stored (metadata.json) against the night's truth.
#   bench/rehearsal/separate_takes.sh                  # 20 minutes, seed 1 (generated)
#   NIGHT=/tmp/night1 bench/rehearsal/separate_takes.sh  # a night generate.py wrote
#   RUNS=3 STEMSET_BIN=target/release/stemset bench/rehearsal/separate_takes.sh
# Needs /usr/bin/time (package `time`) and, to generate, what run.sh needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
bin="${STEMSET_BIN:-$root/target/release/stemset}"
runs="${RUNS:-1}"
[ -x "$bin" ] || { echo "no $bin: cargo build --release -p stemset" >&2; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
night="${NIGHT:-}"
if [ -z "$night" ]; then
  night="$work/night"
  .venv-bench/bin/python bench/rehearsal/generate.py --out "$night" --minutes "${MINUTES:-20}" --seed "${SEED:-1}" --jobs 2
fi

run_case() { # NAME YAML-EXTRA
  local name="$1" extra="$2" dir="$work/$1"
  mkdir -p "$dir/in"
  ln -s "$night/rehearsal.wav" "$dir/in/rehearsal.wav"
  cp plugins.toml "$dir/"
  cat > "$dir/config.yaml" <<YAML
$(sed -n '/^strategies:/,/^# Profiles/p' config.yaml | sed '$d')
profiles:
  bench:
    source: ./in
    strategy: default
output:
  format: flac
storage:
  kind: local
  path: ./media
database:
  url: sqlite://./db.sqlite
$extra
YAML
  local best=""
  for _ in $(seq "$runs"); do
    rm -rf "$dir/media" "$dir/db.sqlite"*
    /usr/bin/time -f '%e %M' -o "$dir/time.txt" "$bin" --config "$dir/config.yaml" process bench > "$dir/out.txt" 2>&1
    read -r wall kb < "$dir/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best="$wall"; rss="$kb"; fi
  done
  echo "$name $best $rss"
  grep -E "separated the takes only|takes \(recording" "$dir/out.txt" | sed 's/^ */    /' >&2 || true
}

echo "== $(basename "$night"): $(python3 -c "import json;d=json.load(open('$night/truth.json'));print(round(d['duration']/60,1),'min')")" >&2
{
  run_case A "takes:
  enabled: false"
  run_case B ""
  run_case C "processing:
  separate: takes
  gap_stem: other"
} > "$work/results.txt"
python3 - "$work/results.txt" <<'PY'
import sys
r = {l.split()[0]: (float(l.split()[1]), int(l.split()[2])) for l in open(sys.argv[1])}
(a, ra), (b, rb), (c, rc) = r["A"], r["B"], r["C"]
print(f"{'case':40} {'wall s':>8} {'peak RSS MB':>12}")
for k, label in [("A", "no take analysis"), ("B", "takes on, separate: all"), ("C", "takes on, separate: takes")]:
    print(f"{label:40} {r[k][0]:8.1f} {r[k][1] / 1024:12.0f}")
print(f"take analysis: {100 * (b / a - 1):+.1f} % of the run (B/A = {b / a:.3f})")
print(f"separate: takes: C/B = {c / b:.3f} of the wall time")
PY
# The takes the whole pipeline stored (the mix analysis, then the stems' evidence),
# scored against the truth, for B and C.
for case in B C; do
  meta="$(find "$work/$case/media" -name metadata.json | head -1)"
  [ -n "$meta" ] || { echo "$case: no metadata.json" >&2; continue; }
  echo "== takes of case $case (metadata.json)"
  python3 bench/rehearsal/score.py --truth "$night/truth.json" --found "$meta" \
    | grep -E "^  all|same song|matched takes"
done
