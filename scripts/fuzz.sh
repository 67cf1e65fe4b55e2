#!/usr/bin/env bash
# Fuzzes the audio decoder and sniffer, config loading and the GraphQL request limits
# (the targets in fuzz/fuzz_targets/), each for SECONDS (default 600), one after another,
# niced. Installs cargo-fuzz when missing. The stable toolchain runs it with
# RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly flags), without a sanitizer: the code
# forbids unsafe, so panics, memory blow-ups (the targets cap the heap at 2 GiB, and
# -rss_limit_mb) and timeouts are what it finds.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh --minimize [TARGET...]
#
# FUZZ_NO_BUILD=1 uses the targets as last built (the build takes minutes whenever core
# or server changed).
# New inputs go to fuzz/corpus-work/TARGET (not committed), starting from the committed
# fuzz/corpus/TARGET; crashes to fuzz/artifacts/TARGET. `scripts/fuzz.sh --minimize`
# then adds to the committed corpus the work corpus's inputs that cover the most new
# code per byte (fuzz/minimize.py; it stays a few dozen files, under 200 KB). The
# replay tests (core/tests/fuzz_corpus.rs, server/tests/fuzz_corpus.rs) run the
# committed corpus in every `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

export RUSTC_BOOTSTRAP=1
export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
  nice -n 19 cargo install cargo-fuzz --locked
fi

minimize=false
seconds=600
if [ "${1:-}" = "--minimize" ]; then
  minimize=true
  shift
elif [ $# -gt 0 ]; then
  seconds="$1"
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(audio_decode config graphql_request)

# Per target: the largest input tried.
max_len() {
  case "$1" in
    config) echo 8192 ;;
    *) echo 16384 ;;
  esac
}
dict() {
  [ -f "fuzz/dict/$1.dict" ] && echo "-dict=fuzz/dict/$1.dict"
  true
}
build=(--sanitizer none --debug-assertions)

if [ "${FUZZ_NO_BUILD:-}" != 1 ]; then
  nice -n 19 cargo fuzz build "${build[@]}"
fi
# The binaries are run directly: `cargo fuzz run` would build again first.
bin="fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"

status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus-work/$t" "fuzz/artifacts/$t"
  if $minimize; then
    # The committed inputs, plus the work corpus's that cover the most new code per
    # byte (at most 60 files, 190 KiB).
    python3 fuzz/minimize.py "$bin/$t" "$t"
    continue
  fi
  log="fuzz/artifacts/$t/fuzz.log"
  echo "== $t: ${seconds} s"
  set +e
  nice -n 19 "$bin/$t" "fuzz/corpus-work/$t" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")" \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" $(dict "$t") >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "$log" || true
  if [ $rc -ne 0 ]; then
    echo "$t: FAILED (exit $rc); the input is in fuzz/artifacts/$t/, the log in $log:" >&2
    grep -E -A 12 '^(==[0-9]+== ERROR|panic \(reported|SUMMARY)' "$log" | head -n 40 >&2 || tail -n 40 "$log" >&2
    status=1
  fi
  rm -rf /dev/shm/stemset-fuzz-* 2>/dev/null || true
done
exit $status
