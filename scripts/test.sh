#!/usr/bin/env bash
# Runs every check: formatting, clippy (warnings are errors) and all tests, on SQLite and on
# PostgreSQL, then the web app's checks and browser tests (scripts/test-web.sh).
#
# First, scripts/setup.sh installs what is missing (Debian packages, the .venv-ml and
# .venv-torch virtualenvs, npm packages; quick when all is there) and sets up:
#   ORT_DYLIB_PATH             ONNX Runtime for the onnx backend (default: .venv-ml's)
#   LIBTORCH                   libtorch for the libtorch backend (default: .venv-ml's torch;
#                              STEMSET_TEST_LIBTORCH=0 leaves the backend and its tests out)
#   STEMSET_TEST_POSTGRES_URL  the PostgreSQL of the tests (default: 127.0.0.1:5432, else a
#                              private server started for this run)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
. scripts/setup.sh

if [ -n "${LIBTORCH:-}" ]; then
  scope=(--workspace --features stemset/libtorch,stemset/test-support)
else
  echo "libtorch not found: building and testing without the libtorch backend" >&2
  scope=(--workspace --exclude stemset-backend-libtorch)
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
