#!/usr/bin/env bash
# Runs every check: formatting, clippy (warnings are errors) and all tests, on SQLite
# and on the PostgreSQL of $STEMSET_TEST_POSTGRES_URL (default: 127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
if command -v cargo-nextest >/dev/null; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
