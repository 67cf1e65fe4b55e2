#!/usr/bin/env bash
# Demucs' own checkpoints on the onnx backend against PyTorch demucs, side by side on
# the same random-weight checkpoint with the published htdemucs geometry (written by
# PyPI demucs, float16 state: scripts/demucs-checkpoint/write_checkpoint.py) and the
# same clip, threads = cores:
#   stemset   `stemset process` (decode → the ONNX graph written from the .th → Opus
#             stems + analysis → storage → SQLite); the graph is written by a first,
#             untimed run, whose time is reported as `convert`
#   pytorch   demucs.apply.apply_model (shifts 0, overlap 0.25) + soundfile WAV writes
#             (scripts/demucs-checkpoint/reference.py)
# Then, for memory against length, stemset on a second, longer clip, and the bag of four
# (htdemucs_ft's layout: four checkpoints, one-hot weights) against the single model.
#   bench/htdemucs.sh              # 60 s clip, 600 s for the memory check
#   bench/htdemucs.sh 20 60        # shorter
# Needs .venv-torch (scripts/setup.sh), ONNX Runtime (ORT_DYLIB_PATH or .venv-ml) and
# /usr/bin/time. BAG=0 skips the bag, LONG=0 the long clip; STEMSET_BIN measures another
# build; DEVICE=cuda and TORCH_DEVICE=cuda run both on the GPU (bench/gpu.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
clip="${1:-60}"
long="${2:-600}"
py="${STEMSET_TORCH_PYTHON:-$PWD/.venv-torch/bin/python}"
[ -x "$py" ] || { echo "needs $py (scripts/setup.sh installs torch and demucs)"; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
. bench/common.sh
bench_binary
threads="${THREADS:-$(nproc)}"
device="${DEVICE:-cpu}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/models" "$work/recordings" "$work/pt"
for seed in 0 1 2 3; do
  "$py" scripts/demucs-checkpoint/write_checkpoint.py "$work/models/m$seed.th" --seed "$seed" >/dev/null
done

cat > "$work/plugins.toml" <<TOML
[backends.onnx]
threads = $threads
device = "$device"

[models.ht]
backend = "onnx"
architecture = "demucs"
file = "models/m0.th"
slots = ["drums", "bass", "other", "vocals"]

[models.ht-bag]
backend = "onnx"
architecture = "demucs"
file = "models/m0.th"
slots = ["drums", "bass", "other", "vocals"]
params = { bag = ["m1.th", "m2.th", "m3.th"], weights = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }
TOML
config() {
  cat > "$work/config.yaml" <<YAML
strategies:
  bench:
    _: $1
    drums: drums
    bass: bass
    other: other
    vocals: vocals
profiles:
  bench:
    source: ./recordings
    strategy: bench
output:
  format: opus
storage:
  kind: local
  path: ./media
database:
  url: sqlite://./stemset.sqlite
plugins: plugins.toml
YAML
}
# Runs `stemset process` on a fresh library; prints "wall_s peak_MB".
process() {
  rm -rf "$work/media" "$work/stemset.sqlite"
  NO_COLOR=1 /usr/bin/time -f '%e %M' -o "$work/time" \
    "$bin" -c "$work/config.yaml" process bench >/dev/null 2>"$work/log" \
    || { cat "$work/log"; exit 1; }
  awk '{ printf "%.1f %.0f", $1, $2 / 1024 }' "$work/time"
}
clip_wav() {
  rm -f "$work/recordings/"*
  "$bin" -c "$work/config.yaml" generate-demo "$work/recordings/clip.wav" --seconds "$1" >/dev/null
}

config ht
clip_wav "$clip"
start=$(date +%s.%N)
process >/dev/null
convert=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
read -r s_wall s_mb <<<"$(process)"
/usr/bin/time -f '%e %M' -o "$work/ptime" "$py" scripts/demucs-checkpoint/reference.py \
  "$work/recordings/clip.wav" "$work/models/m0.th" --threads "$threads" --wav-dir "$work/pt" \
  --device "${TORCH_DEVICE:-cpu}" 2>/dev/null
read -r p_wall p_kb < "$work/ptime"
p_mb=$((p_kb / 1024))

printf '%-28s %-9s %-9s %s\n' run wall_s peak_MB note
printf '%-28s %-9.1f %-9s %s\n' "convert .th -> onnx" "$convert" - "first run, includes one ${clip} s process"
printf '%-28s %-9s %-9s %s\n' "stemset ${clip} s ($device)" "$s_wall" "$s_mb" "stemset process, whole path"
printf '%-28s %-9s %-9s %s\n' "pytorch ${clip} s (${TORCH_DEVICE:-cpu})" "$p_wall" "$p_mb" "apply_model + soundfile"
awk -v a="$p_wall" -v b="$s_wall" -v c="$p_mb" -v d="$s_mb" \
  'BEGIN { printf "%-28s %-9.2f %-9.2f %s\n", "ratio pytorch / stemset", a / b, c / d, "speed-up, memory (>1: stemset lower)" }'

if [ "${LONG:-1}" = 1 ]; then
  clip_wav "$long"
  read -r l_wall l_mb <<<"$(process)"
  printf '%-28s %-9s %-9s %s\n' "stemset ${long} s ($device)" "$l_wall" "$l_mb" \
    "$(awk -v a="$l_mb" -v b="$s_mb" 'BEGIN { printf "peak RSS %.2f x the %s s run", a / b, "'"$clip"'" }')"
fi
if [ "${BAG:-1}" = 1 ]; then
  clip_wav "$clip"
  config ht-bag
  process >/dev/null  # writes the other three graphs
  read -r b_wall b_mb <<<"$(process)"
  printf '%-28s %-9s %-9s %s\n' "stemset bag of 4, ${clip} s" "$b_wall" "$b_mb" \
    "$(awk -v a="$b_wall" -v b="$s_wall" 'BEGIN { printf "%.2f x the single model", a / b }')"
fi
