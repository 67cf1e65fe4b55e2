#!/usr/bin/env bash
# Benchmark of the onnx backend on ../shared/models/mdx_inst_hq3_random.onnx (an MDX-Net
# with the geometry and cost of UVR-MDX-NET-Inst_HQ_3, random weights): the whole
# `stemset process` path (decode → MDX-Net → Opus encode + analysis → storage → SQLite)
# on generated recordings, then the plain Python ONNX Runtime + NumPy loop on the same clip.
# Reports wall time, realtime factor, peak RSS and where the Rust run spent its time.
#   bench/onnx.sh              # 60 s
#   bench/onnx.sh 60 180       # seconds to measure
# Needs ONNX Runtime (ORT_DYLIB_PATH or .venv-ml, see the README) and /usr/bin/time;
# PYTHON_BASELINE=0 skips the Python run; STEMSET_BIN measures another build.
set -euo pipefail
cd "$(dirname "$0")/.."
lengths=("$@"); [ ${#lengths[@]} -gt 0 ] || lengths=(60)
model="${STEMSET_BENCH_MODEL:-$PWD/../shared/models/mdx_inst_hq3_random.onnx}"
[ -f "$model" ] || { echo "benchmark model not found: $model"; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
. bench/common.sh
bench_binary
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
write_mdx_config "$work" "$model"

printf '%-8s %-10s %-10s %-10s %s\n' seconds wall_s realtime peak_MB breakdown
for s in "${lengths[@]}"; do
  rm -rf "$work/recordings" "$work/media" "$work/stemset.sqlite"
  "$bin" -c "$work/config.yaml" generate-demo "$work/recordings/bench.wav" --seconds "$s" >/dev/null
  NO_COLOR=1 RUST_LOG=stemset_backend_onnx=info /usr/bin/time -f '%e %M' -o "$work/time" \
    "$bin" -c "$work/config.yaml" process bench >/dev/null 2>"$work/log"
  read -r wall kb < "$work/time"
  breakdown=$(grep -o 'chunks=.*' "$work/log" | sed 's/ "MDX.*//' | tail -n1 || true)
  awk -v s="$s" -v w="$wall" -v kb="$kb" -v b="$breakdown" \
    'BEGIN { printf "%-8s %-10.1f %-10.2f %-10.0f %s\n", s, w, s/w, kb/1024, b }'
done

if [ "${PYTHON_BASELINE:-1}" = 1 ]; then
  py="${PYTHON:-.venv-ml/bin/python}"
  s="${lengths[0]}"
  /usr/bin/time -f '%e %M' -o "$work/ptime" "$py" bench/python_mdx_baseline.py "$model" "$s" 0.25 >/dev/null
  read -r wall kb < "$work/ptime"
  awk -v s="$s" -v w="$wall" -v kb="$kb" \
    'BEGIN { printf "python   %-10.1f %-10.2f %-10.0f plain onnxruntime + NumPy loop, overlap 0.25 (audio-separator default)\n", w, s/w, kb/1024 }'
fi
