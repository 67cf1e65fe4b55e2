#!/usr/bin/env bash
# Runs every check: formatting, clippy (warnings are errors) and all tests, on SQLite
# and on the PostgreSQL of $STEMSET_TEST_POSTGRES_URL (default: 127.0.0.1:5432), then the
# web app's checks and browser tests (scripts/test-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# ONNX Runtime for the onnx backend tests: $ORT_DYLIB_PATH, else the project's .venv-ml
# (`python3 -m venv .venv-ml && .venv-ml/bin/pip install onnxruntime==1.31.1 "moto[server]==5.2.5"`;
# moto is the S3-compatible server of the storage and remote-worker tests).
if [ -z "${ORT_DYLIB_PATH:-}" ]; then
  ORT_DYLIB_PATH="$(ls "$PWD"/.venv-ml/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.* 2>/dev/null | head -n1 || true)"
  if [ -z "$ORT_DYLIB_PATH" ]; then
    echo "ONNX Runtime not found: python3 -m venv .venv-ml && .venv-ml/bin/pip install onnxruntime==1.31.1" >&2
    exit 1
  fi
  export ORT_DYLIB_PATH
fi
# libtorch for the libtorch backend (an optional feature of the `stemset` binary):
# $LIBTORCH, else the `torch` package in .venv-ml (`.venv-ml/bin/pip install --no-deps
# torch==2.13.0 nvidia-cuda-runtime==13.0.96 nvidia-cuda-cupti==13.0.85`). Without it
# the backend is left out of the build and its tests do not run (said below).
if [ -z "${LIBTORCH:-}" ]; then
  for dir in "$PWD"/.venv-ml/lib/python3*/site-packages/torch; do
    if [ -f "$dir/lib/libtorch_cpu.so" ]; then LIBTORCH="$dir"; fi
  done
fi
if [ -n "${LIBTORCH:-}" ]; then
  export LIBTORCH
  scope=(--workspace --features stemset/libtorch)
else
  echo "libtorch not found: building and testing without the libtorch backend" >&2
  scope=(--workspace --exclude stemset-backend-libtorch)
fi
# The real OpenID Connect provider the sign-in tests run against (npm, pinned by its lockfile).
if [ ! -d server/tests/oidc-provider/node_modules/oidc-provider ]; then
  (cd server/tests/oidc-provider && npm ci --no-audit --no-fund --silent)
fi
cargo fmt --all -- --check
cargo clippy "${scope[@]}" --all-targets -- -D warnings
if command -v cargo-nextest >/dev/null; then
  cargo nextest run "${scope[@]}" --no-fail-fast
else
  cargo test "${scope[@]}" --no-fail-fast
fi
# The web app: svelte-check, build, Vitest, and Playwright in Chromium against the
# real `stemset serve` (the binary the cli tests above built).
[ -x target/debug/stemset ] || cargo build "${scope[@]}" --bin stemset
STEMSET_BIN="$PWD/target/debug/stemset" ./scripts/test-web.sh
