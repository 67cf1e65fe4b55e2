#!/usr/bin/env bash
# Generate a rehearsal with exact truth, run the loudness-threshold baseline on it and
# score it: the floor a take detector must beat.
#   bench/rehearsal/run.sh                       # 20 minutes, seed 1
#   MINUTES=120 SEED=2 bench/rehearsal/run.sh    # a full night
#   KEEP=/tmp/night bench/rehearsal/run.sh       # keep rehearsal.wav and truth.json there
#   JOBS=2 bench/rehearsal/run.sh                # render two segments at a time
# Needs: apt-get install -y fluidsynth fluid-soundfont-gm espeak-ng sox; python3 (>= 3.11)
# with venv. Creates .venv-bench at the repo root on first use (pinned requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/rehearsal
minutes="${MINUTES:-20}"
seed="${SEED:-1}"

for tool in fluidsynth espeak-ng sox; do
  command -v "$tool" >/dev/null || {
    echo "needs $tool: apt-get install -y fluidsynth fluid-soundfont-gm espeak-ng sox" >&2; exit 1; }
done
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || {
  echo "needs the GM sound font: apt-get install -y fluid-soundfont-gm" >&2; exit 1; }

py=.venv-bench/bin/python
[ -x "$py" ] || python3 -m venv .venv-bench
"$py" -c 'import mido, numpy, soundfile' 2>/dev/null \
  || .venv-bench/bin/pip install -q --disable-pip-version-check -r "$here/requirements.txt"

if [ -n "${KEEP:-}" ]; then
  work="$KEEP"; mkdir -p "$work"
else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
fi

echo "== generating $minutes minutes, seed $seed into $work"
gen=("$py" "$here/generate.py" --out "$work" --minutes "$minutes" --seed "$seed" --jobs "${JOBS:-1}")
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "${gen[@]}"
  read -r wall kb < "$work/time.txt"
  echo "generation: ${wall} s wall, peak RSS $((kb / 1024)) MB"
else
  "${gen[@]}"
fi

echo "== loudness-threshold baseline"
"$py" "$here/baseline.py" --wav "$work/rehearsal.wav" --out "$work/found.json"
"$py" "$here/score.py" --truth "$work/truth.json" --found "$work/found.json"
