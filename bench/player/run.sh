#!/usr/bin/env bash
# Player figures on localhost: seeds a one-hour (or SECONDS_LONG), four-stem recording
# (bench/player/seed.sh; minutes of dsp separation the first time, reused after), serves
# it with `stemset serve --bypass-auth` and runs bench.mjs in Debian's Chromium.
# Needs target/debug/stemset (or STEMSET_BIN), web/build (npm run build) and web/node_modules.
# Env: SECONDS_LONG (3600; 1200 for the issue's 20-minute recording), DATA (default
#      /tmp/bench-player-data, or /tmp/bench-player-data-$SECONDS_LONG when not 3600),
#      RUNS (5), CPU_SECONDS (20), CPU_RUNS (RUNS; 0 skips CPU), CHROMIUM_PATH (/usr/bin/chromium).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${STEMSET_BIN:-$repo/target/debug/stemset}
seconds=${SECONDS_LONG:-3600}
if [ "$seconds" = 3600 ]; then data=${DATA:-/tmp/bench-player-data}; else data=${DATA:-/tmp/bench-player-data-$seconds}; fi
[ -f "$repo/web/build/index.html" ] || { echo "web/build is missing: cd web && npm run build" >&2; exit 1; }
STEMSET_BIN=$bin "$here/seed.sh" "$data" "$seconds"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$data" && exec "$bin" --config config.yaml serve --listen "127.0.0.1:$port" --bypass-auth) >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
node "$here/bench.mjs" "http://127.0.0.1:$port" "${RUNS:-5}"
