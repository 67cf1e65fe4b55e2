#!/usr/bin/env bash
# Benchmark of the whole `stemset process` path (decode → dsp 4-stem tree → Opus encode +
# analysis → storage → SQLite) on generated 48 kHz / 24-bit stereo recordings.
# Reports wall time, realtime factor, peak RSS and peak scratch disk per length. Scratch
# is the run's `processing.temp_dir`, sampled every 50 ms with du; its ratio is peak
# scratch over the source file's size.
#   bench/process.sh            # 1 and 10 minutes
#   bench/process.sh 1 10 60    # minutes to measure
#   STEMSET_BIN=/path/to/another/stemset bench/process.sh 10    # compare another build
#   FORMAT=flac bench/process.sh 10
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=("$@"); [ ${#minutes[@]} -gt 0 ] || minutes=(1 10)
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
. bench/common.sh
bench_binary
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp plugins.toml "$work/"
sed -e "s#format: opus #format: ${FORMAT:-opus} #" config.yaml > "$work/config.yaml"
printf 'processing:\n  temp_dir: ./scratch\n' >> "$work/config.yaml"

printf '%-8s %-10s %-10s %-10s %-11s %-11s %-7s %s\n' \
  minutes wall_s realtime peak_MB source_MB scratch_MB ratio format
for m in "${minutes[@]}"; do
  rm -rf "$work/data" "$work/demo" "$work/scratch"
  mkdir -p "$work/scratch"
  "$bin" -c "$work/config.yaml" generate-demo "$work/demo/recordings/bench.wav" --seconds $((m * 60)) >/dev/null
  source_bytes=$(stat -c %s "$work/demo/recordings/bench.wav")
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" -c "$work/config.yaml" process demo >/dev/null &
  pid=$!
  peak=0
  while kill -0 "$pid" 2>/dev/null; do
    now=$(du -sb "$work/scratch" 2>/dev/null | cut -f1) || now=0
    [ "${now:-0}" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  wait "$pid"
  read -r wall kb < "$work/time"
  awk -v m="$m" -v w="$wall" -v kb="$kb" -v src="$source_bytes" -v p="$peak" -v f="${FORMAT:-opus}" \
    'BEGIN { printf "%-8s %-10.1f %-10.1f %-10.0f %-11.0f %-11.1f %-7.3f %s\n", m, w, (m*60)/w, kb/1024, src/1e6, p/1e6, p/src, f }'
done
