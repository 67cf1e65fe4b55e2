#!/usr/bin/env bash
# Every benchmark of the project in one run, with one table at the end (Markdown: the
# README's benchmark tables come from it). Each part is one of the scripts beside this
# one; a part whose tools are missing (ONNX Runtime, PyTorch, wrk, PostgreSQL) is listed
# as skipped with the reason, and its script's own output is kept for a look.
#   bench/run.sh            # the full set (about an hour on 2 cores)
#   bench/run.sh --quick    # short lengths and loads, about 2 minutes after the builds
#   bench/run.sh --keep DIR # keep every part's output in DIR
# Parts: process (dsp: 1, 10, 60 min), folder (ten files, onnx), onnx (MDX vs Python),
# demucs (libtorch and onnx vs PyTorch), htdemucs (Demucs' own checkpoints on the onnx
# backend vs PyTorch demucs), graphql (SQLite and PostgreSQL), uploads.
# ONLY="process graphql" runs some of them.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --keep) keep="$2"; shift ;;
    *) echo "unknown option $1 (use --quick, --keep DIR)" >&2; exit 2 ;;
  esac
  shift
done
out="${keep:-$(mktemp -d -t stemset-bench-run.XXXXXX)}"
mkdir -p "$out"
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT
parts="${ONLY:-process folder onnx demucs htdemucs graphql uploads}"

echo "building the release binary..." >&2
cargo build --release -p stemset >/dev/null
# A copy: the demucs part builds target/release/stemset again with libtorch linked, which
# the other parts must not measure (libtorch alone is about 110 MB of resident memory).
cp target/release/stemset "$out/stemset"
export STEMSET_BIN="$out/stemset"
[ -n "${ORT_DYLIB_PATH:-}" ] || {
  lib=$(ls .venv-ml/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.* 2>/dev/null | head -n1 || true)
  [ -n "$lib" ] && export ORT_DYLIB_PATH="$PWD/$lib"
}

# run NAME REASON-IF-SKIPPED COMMAND...: the part's output goes to $out/NAME.txt.
run() {
  local name="$1" skip="$2"; shift 2
  case " $parts " in *" $name "*) ;; *) return 0 ;; esac
  if [ -n "$skip" ]; then
    echo "skipped: $skip" > "$out/$name.txt"
    echo "$name: skipped ($skip)" >&2
    return 0
  fi
  echo "$name: $*" >&2
  local started=$SECONDS
  local status=0
  "$@" > "$out/$name.txt" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    echo "FAILED (exit status $status)" >> "$out/$name.txt"
    echo "$name: failed, see its output:" >&2
    tail -n 5 "$out/$name.txt" >&2
  fi
  echo "$name: $((SECONDS - started)) s" >&2
}

no_ort=""; [ -n "${ORT_DYLIB_PATH:-}" ] || no_ort="no ONNX Runtime (ORT_DYLIB_PATH or .venv-ml)"
no_torch=""
torch_python="${PYTHON:-.venv-torch/bin/python}"
if [ ! -x "$torch_python" ]; then
  no_torch="no .venv-torch (PyTorch + demucs)"
elif ! "$torch_python" -c 'import demucs, demucs_onnx' 2>/dev/null; then
  no_torch="$torch_python lacks demucs or demucs-onnx (see bench/libtorch.sh)"
fi
no_demucs=""
if [ ! -x "$torch_python" ] || ! "$torch_python" -c 'import demucs' 2>/dev/null; then
  no_demucs="no .venv-torch with demucs (scripts/setup.sh)"
elif [ -n "$no_ort" ]; then
  no_demucs="$no_ort"
fi
no_wrk=""; command -v wrk >/dev/null || no_wrk="no wrk (apt-get install wrk)"

if [ "$quick" = 1 ]; then
  run process "" bench/process.sh 1
  run folder "$no_ort" env FILES=3 SECONDS_EACH=5 bench/folder.sh
  run onnx "$no_ort" bench/onnx.sh 10
  run demucs "$no_torch" bench/libtorch.sh 10
  run htdemucs "$no_demucs" env LONG=0 BAG=0 bench/htdemucs.sh 10
  run graphql "$no_wrk" env DURATION=5s WARMUP=1s RECORDINGS=500 bench/server.sh
  run uploads "" env SIZE_MIB=64 CONCURRENT=4 EACH_MIB=16 bench/uploads.sh
else
  run process "" bench/process.sh 1 10 60
  run folder "$no_ort" bench/folder.sh
  run onnx "$no_ort" bench/onnx.sh 60
  run demucs "$no_torch" bench/libtorch.sh 60
  run htdemucs "$no_demucs" bench/htdemucs.sh 60 600
  run graphql "$no_wrk" bench/server.sh
  run uploads "" bench/uploads.sh
fi

python3 bench/summarize.py "$out" "$([ "$quick" = 1 ] && echo quick || echo full)"
