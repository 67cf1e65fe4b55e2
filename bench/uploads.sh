#!/usr/bin/env bash
# Upload throughput and the server's memory while it streams uploads into storage:
# one large WAV, then CONCURRENT uploads at once, against `stemset serve` on loopback
# (local storage, SQLite, no job workers so only the upload path is measured).
# Prints MB/s and the server's peak RSS (VmHWM) — flat when bodies stream.
#
#   cargo build --release -p stemset && bench/uploads.sh
#   SIZE_MIB=1024 CONCURRENT=20 EACH_MIB=50 bench/uploads.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${STEMSET_BIN:-target/release/stemset}"
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release -p stemset (or set STEMSET_BIN)" >&2; exit 1; }
bin="$(realpath "$bin")"
size_mib="${SIZE_MIB:-512}"
concurrent="${CONCURRENT:-20}"
each_mib="${EACH_MIB:-25}"

work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cp plugins.toml "$work/"
cat > "$work/config.yaml" <<YAML
strategies:
  default: { _: dsp-center, vocals: vocals, accompaniment: instrumental }
profiles:
  bench: { source: ./recordings, strategy: default }
storage: { kind: local, path: ./media }
database: { url: "sqlite://./bench.sqlite" }
jobs: { workers: 0, max_upload_mib: $((size_mib * 2)) }
plugins: plugins.toml
YAML

# A WAV header followed by random PCM (the server checks the header, not the content).
wav() { python3 - "$1" "$2" <<'PY'
import os, struct, sys
path, mib = sys.argv[1], int(sys.argv[2])
n = mib * 1024 * 1024
with open(path, "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + n) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 2, 48000, 48000 * 4, 4, 16))
    f.write(b"data" + struct.pack("<I", n))
    chunk = os.urandom(1 << 20)
    for i in range(mib):
        f.write(chunk[i % 7:] + chunk[: i % 7])
PY
}
wav "$work/big.wav" "$size_mib"
for i in $(seq 1 "$concurrent"); do wav "$work/part$i.wav" "$each_mib"; done

(cd "$work" && exec "$bin" --config config.yaml serve --listen 127.0.0.1:0 --bypass-auth >"$work/out" 2>"$work/log") &
pid=$!
for _ in $(seq 100); do grep -q "serving on" "$work/out" 2>/dev/null && break; sleep 0.1; done
addr="$(sed -n 's/.*http:\/\///p' "$work/out" | head -n1)"
rss() { awk '/VmRSS|VmHWM/ {printf "%s %.0f MB  ", $1, $2/1024}' "/proc/$pid/status"; }
echo "server $addr; idle: $(rss)"

start=$(date +%s.%N)
curl -sf -o /dev/null -F "file=@$work/big.wav" "http://$addr/api/uploads?profile=bench"
t=$(echo "$(date +%s.%N) - $start" | bc)
echo "1 × ${size_mib} MiB: $(printf %.2f "$t") s, $(echo "$size_mib * 1.048576 / $t" | bc -l | xargs printf %.0f) MB/s; $(rss)"

start=$(date +%s.%N)
curls=()
for i in $(seq 1 "$concurrent"); do
  curl -sf -o /dev/null -F "file=@$work/part$i.wav" "http://$addr/api/uploads?profile=bench" &
  curls+=($!)
done
for c in "${curls[@]}"; do wait "$c"; done
t=$(echo "$(date +%s.%N) - $start" | bc)
total=$((concurrent * each_mib))
echo "$concurrent × ${each_mib} MiB at once: $(printf %.2f "$t") s, $(echo "$total * 1.048576 / $t" | bc -l | xargs printf %.0f) MB/s; $(rss)"
stored=$(find "$work/media/inputs" -type f -not -path '*/.incoming/*' | wc -l)
echo "stored originals: $stored (expected $((concurrent + 1)))"
