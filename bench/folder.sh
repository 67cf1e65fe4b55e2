#!/usr/bin/env bash
# A folder of recordings through `stemset process` with the MDX-Net benchmark model
# (../shared/models/mdx_inst_hq3_random.onnx): the folder's wall time against the sum of
# ONNX Runtime's inference time over its files (the onnx backend logs it per file). The
# closer the ratio is to 1, the less of the run is spent outside the model: hashing,
# decoding, model loading, encoding, analysis, storage and the database.
#   bench/folder.sh                  # ten files of 180 s
#   FILES=10 SECONDS_EACH=20 bench/folder.sh
#   STEMSET_BIN=/path/to/another/stemset bench/folder.sh   # compare another build
# Needs ONNX Runtime (ORT_DYLIB_PATH or .venv-ml, see the README) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
files="${FILES:-10}"
seconds="${SECONDS_EACH:-180}"
model="${STEMSET_BENCH_MODEL:-$PWD/../shared/models/mdx_inst_hq3_random.onnx}"
[ -f "$model" ] || { echo "benchmark model not found: $model"; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
. bench/common.sh
bench_binary
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
write_mdx_config "$work" "$model"

# Each file a little longer than the one before: ten different contents, not duplicates.
for i in $(seq 1 "$files"); do
  "$bin" -c "$work/config.yaml" generate-demo "$work/recordings/take-$i.wav" \
    --seconds "$(awk -v s="$seconds" -v i="$i" 'BEGIN { print s + i / 10 }')" >/dev/null
done
NO_COLOR=1 RUST_LOG=stemset_backend_onnx=info /usr/bin/time -f '%e %M' -o "$work/time" \
  "$bin" -c "$work/config.yaml" process bench >/dev/null 2>"$work/log"
read -r wall kb < "$work/time"
inference=$(grep -o 'inference_s=[0-9.]*' "$work/log" | cut -d= -f2 | awk '{ s += $1 } END { printf "%.1f", s }')
runs=$(grep -c 'inference_s=' "$work/log" || true)
[ "$runs" = "$files" ] || { echo "expected $files model runs in the log, found $runs"; tail "$work/log"; exit 1; }
printf '%-6s %-9s %-8s %-13s %-7s %-12s %s\n' files seconds wall_s inference_s ratio outside_s peak_MB
awk -v f="$files" -v s="$seconds" -v w="$wall" -v i="$inference" -v kb="$kb" \
  'BEGIN { printf "%-6s %-9s %-8.1f %-13.1f %-7.3f %-12.2f %.0f\n", f, s, w, i, w / i, (w - i) / f, kb / 1024 }'
