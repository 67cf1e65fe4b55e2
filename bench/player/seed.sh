#!/usr/bin/env bash
# Seeds a data folder with one long band recording (default one hour), separated into
# four stems by the dsp backend, the way web/e2e/global-setup.ts seeds the e2e server.
# Usage: seed.sh DIR [SECONDS]   (reuses DIR when it already holds a processed recording)
set -euo pipefail
dir=${1:?data folder}
seconds=${2:-3600}
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${STEMSET_BIN:-$repo/target/debug/stemset}
if [ -f "$dir/.seeded-$seconds" ]; then echo "seed: reusing $dir"; exit 0; fi
rm -rf "$dir" && mkdir -p "$dir/recordings"
cat >"$dir/plugins.toml" <<'TOML'
[models.dsp-hpss]
backend = "dsp"
architecture = "dsp-hpss"
slots = ["percussive", "harmonic"]

[models.dsp-center]
backend = "dsp"
architecture = "dsp-center"
slots = ["vocals", "accompaniment"]

[models.dsp-bass]
backend = "dsp"
architecture = "dsp-bass"
slots = ["bass", "other"]
TOML
cat >"$dir/config.yaml" <<YAML
strategies:
  default:
    _: dsp-hpss
    percussive: drums
    harmonic:
      _: dsp-center
      vocals: vocals
      accompaniment:
        _: dsp-bass
        bass: bass
        other: other
profiles:
  bench:
    source: ./recordings
    strategy: default
    display_name: Bench Band
output: { format: opus, bitrate: 160 }
storage: { kind: local, path: ./media }
database: { url: "sqlite://./stemset.sqlite" }
auth:
  environment: development
  allowed_emails: []
server:
  web_dir: "$repo/web/build"
plugins: plugins.toml
YAML
cd "$dir"
"$bin" generate-demo recordings/long.wav --seconds "$seconds"
time "$bin" --config config.yaml process bench
touch ".seeded-$seconds"
