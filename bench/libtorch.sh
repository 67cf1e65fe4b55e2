#!/usr/bin/env bash
# Benchmark of the libtorch backend against the onnx backend on the same network: a
# random-weight HTDemucs with v4's geometry (bench/htdemucs_models.py writes it as
# TorchScript and as ONNX), through the whole `stemset process` path (decode → HTDemucs
# with apply_model chunking → FLAC encode + analysis → storage → SQLite), then PyTorch's
# own demucs.apply_model on the same clip and weights. Reports wall time, realtime
# factor and peak RSS.
#   bench/libtorch.sh            # 60 s
#   bench/libtorch.sh 60 180     # seconds to measure
# Needs libtorch (LIBTORCH or .venv-ml, see the README), ONNX Runtime, /usr/bin/time and
# a Python with torch, demucs and demucs-onnx (PYTHON, default .venv-torch/bin/python:
# `python3 -m venv .venv-torch && .venv-torch/bin/pip install torch==2.13.0 demucs==4.1.0
# demucs-onnx==0.3.4 onnx onnxruntime soundfile`). THREADS (default: all cores) applies
# to all three; PYTHON_BASELINE=0 skips PyTorch's run; PROFILE=dev uses the dev build.
set -euo pipefail
cd "$(dirname "$0")/.."
lengths=("$@"); [ ${#lengths[@]} -gt 0 ] || lengths=(60)
python="${PYTHON:-$PWD/.venv-torch/bin/python}"
threads="${THREADS:-$(nproc)}"
[ -x "$python" ] || { echo "needs a Python with torch + demucs + demucs-onnx: PYTHON=... (see the header)"; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
if [ -z "${LIBTORCH:-}" ]; then
  for dir in "$PWD"/.venv-ml/lib/python3*/site-packages/torch; do
    if [ -f "$dir/lib/libtorch_cpu.so" ]; then export LIBTORCH="$dir"; fi
  done
fi
[ -n "${LIBTORCH:-}" ] || { echo "libtorch not found: set LIBTORCH (see the README)"; exit 1; }
if [ -z "${ORT_DYLIB_PATH:-}" ]; then
  ORT_DYLIB_PATH="$(ls "$PWD"/.venv-ml/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.* | head -n1)"
  export ORT_DYLIB_PATH
fi
# PROFILE=dev measures the test build (inference runs in libtorch / ONNX Runtime either way).
if [ "${PROFILE:-release}" = dev ]; then
  cargo build -p stemset --features libtorch >/dev/null; bin="$PWD/target/debug/stemset"
else
  cargo build --release -p stemset --features libtorch >/dev/null; bin="$PWD/target/release/stemset"
fi
models="${STEMSET_BENCH_MODELS:-$PWD/target/bench-htdemucs}"
if [ ! -f "$models/htdemucs_random.onnx" ]; then
  "$python" bench/htdemucs_models.py "$models" 0
fi
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

cat > "$work/plugins.toml" <<TOML
[backends.onnx]
threads = $threads
[backends.libtorch]
threads = $threads

[models.htdemucs-onnx]
backend = "onnx"
architecture = "demucs"
file = "$models/htdemucs_random.onnx"
slots = ["drums", "bass", "other", "vocals"]

[models.htdemucs-libtorch]
backend = "libtorch"
architecture = "demucs"
file = "$models/htdemucs_random.pt"
slots = ["drums", "bass", "other", "vocals"]
TOML
for backend in onnx libtorch; do
  cat > "$work/$backend.yaml" <<YAML
strategies:
  bench:
    _: htdemucs-$backend
    drums: drums
    bass: bass
    other: other
    vocals: vocals
profiles:
  bench:
    source: ./recordings
    strategy: bench
output:
  format: flac
storage:
  kind: local
  path: ./media-$backend
database:
  url: sqlite://./$backend.sqlite
plugins: plugins.toml
YAML
done

printf '%-8s %-9s %-10s %-10s %s\n' seconds runner wall_s realtime peak_MB
for s in "${lengths[@]}"; do
  rm -rf "$work/recordings" "$work"/media-* "$work"/*.sqlite
  "$bin" -c "$work/onnx.yaml" generate-demo "$work/recordings/bench.wav" --seconds "$s" >/dev/null
  for backend in onnx libtorch; do
    NO_COLOR=1 /usr/bin/time -f '%e %M' -o "$work/time" \
      "$bin" -c "$work/$backend.yaml" process bench >/dev/null 2>"$work/log" \
      || { cat "$work/log"; exit 1; }
    read -r wall kb < "$work/time"
    awk -v s="$s" -v b="$backend" -v w="$wall" -v kb="$kb" \
      'BEGIN { printf "%-8s %-9s %-10.1f %-10.2f %.0f\n", s, b, w, s / w, kb / 1024 }'
  done
  if [ "${PYTHON_BASELINE:-1}" != 0 ]; then
    /usr/bin/time -f '%e %M' -o "$work/time" \
      "$python" scripts/export-torchscript/demucs_reference.py "$work/recordings/bench.wav" --seed 0 --threads "$threads" 2>"$work/log" \
      || { cat "$work/log"; exit 1; }
    read -r wall kb < "$work/time"
    awk -v s="$s" -v w="$wall" -v kb="$kb" \
      'BEGIN { printf "%-8s %-9s %-10.1f %-10.2f %.0f\n", s, "pytorch", w, s / w, kb / 1024 }'
  fi
done
