# Sourced by the benchmark scripts (from the repository root): what several share.

# Sets $bin: STEMSET_BIN when given (bench/run.sh, or another build to compare), else the
# release build, built now.
bench_binary() {
  bin="${STEMSET_BIN:-}"
  if [ -z "$bin" ]; then
    cargo build --release -p stemset >/dev/null
    bin="$PWD/target/release/stemset"
  fi
}

# Writes plugins.toml and config.yaml into $1 for a profile `bench` (recordings in
# $1/recordings, Opus stems, local storage, SQLite) separated by the MDX-Net model file
# $2 (the geometry of UVR-MDX-NET Inst HQ 3); THREADS sets the intra-op threads, BATCH
# the batch size.
write_mdx_config() {
  cat > "$1/plugins.toml" <<TOML
[backends.onnx]
threads = ${THREADS:-0}

[models.mdx-bench]
backend = "onnx"
architecture = "mdx"
file = "$2"
slots = ["instrumental", "vocals"]
params = { n_fft = 6144, compensate = 1.022, primary_stem = "Instrumental", batch_size = ${BATCH:-1} }
TOML
  cat > "$1/config.yaml" <<YAML
strategies:
  bench:
    _: mdx-bench
    instrumental: instrumental
    vocals: vocals
profiles:
  bench:
    source: ./recordings
    strategy: bench
output:
  format: opus
storage:
  kind: local
  path: ./media
database:
  url: sqlite://./stemset.sqlite
plugins: plugins.toml
YAML
}
