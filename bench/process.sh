#!/usr/bin/env bash
# Benchmark of the whole `stemset process` path (decode → dsp 4-stem tree → Opus encode +
# analysis → storage → SQLite) on generated 48 kHz / 24-bit stereo recordings.
# Reports wall time, realtime factor and peak RSS per length.
#   bench/process.sh            # 1 and 10 minutes
#   bench/process.sh 1 10 60    # minutes to measure
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=("$@"); [ ${#minutes[@]} -gt 0 ] || minutes=(1 10)
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
cargo build --release -p stemset >/dev/null
bin="$PWD/target/release/stemset"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp plugins.toml "$work/"
sed -e "s#format: opus #format: ${FORMAT:-opus} #" config.yaml > "$work/config.yaml"
printf '%-8s %-10s %-10s %-10s %s\n' minutes wall_s realtime peak_MB format
for m in "${minutes[@]}"; do
  rm -rf "$work/data" "$work/demo"
  "$bin" -c "$work/config.yaml" generate-demo "$work/demo/recordings/bench.wav" --seconds $((m * 60)) >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" -c "$work/config.yaml" process demo >/dev/null
  read -r wall kb < "$work/time"
  awk -v m="$m" -v w="$wall" -v kb="$kb" -v f="${FORMAT:-opus}" \
    'BEGIN { printf "%-8s %-10.1f %-10.1f %-10.0f %s\n", m, w, (m*60)/w, kb/1024, f }'
done
