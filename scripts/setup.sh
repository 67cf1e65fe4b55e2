#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks; quick, and changes nothing, when
# everything is there already. scripts/test.sh runs it first (sourced: it also exports the
# settings below and starts a private PostgreSQL when none is reachable); run it on its own
# (`./scripts/setup.sh`) to install without testing.
#
#   Debian packages  nodejs/npm when missing (the test OpenID Connect provider, the web app),
#                    chromium for the browser tests (CHROMIUM_PATH, default /usr/bin/chromium),
#                    python3-venv when `python3 -m venv` cannot work, and the PostgreSQL
#                    server only when none answers on 127.0.0.1:5432 and
#                    STEMSET_TEST_POSTGRES_URL is unset
#   .venv-ml         PyPI's onnxruntime (the onnx backend loads it at run time) and moto
#                    (the S3-compatible server of the storage and remote-worker tests), plus
#                    the part of PyPI's torch that the libtorch backend links (1.2 GB)
#   .venv-torch      a full PyTorch with demucs, for the tests of scripts/export-torchscript
#                    and the onnx backend's Demucs checkpoint tests
#   npm              server/tests/oidc-provider's packages (npm ci, from its lockfile)
#   rehearsal bench  fluidsynth, fluid-soundfont-gm, espeak-ng and sox (Debian) and
#                    .venv-bench (bench/rehearsal/requirements.txt): the generated
#                    rehearsal night of the take detection test (audio/tests/rehearsal_night.rs)
#
# ORT_DYLIB_PATH, LIBTORCH or STEMSET_TORCH_PYTHON, when set, stand for the install they
# name. STEMSET_TEST_LIBTORCH=0 skips the libtorch part of .venv-ml: the libtorch backend is
# then left out of the build and its tests (scripts/test.sh says so). Nothing here downloads outside
# Debian's packages, PyPI and the npm registry.
#
# When sourced, exports ORT_DYLIB_PATH (unless set), LIBTORCH (unless set; not when
# STEMSET_TEST_LIBTORCH=0) and STEMSET_TEST_POSTGRES_URL (unless set).

# Pinned versions: change them here only.
STEMSET_ML_PACKAGES=(onnxruntime==1.31.1 "moto[server]==5.2.5")
# --no-deps: the libraries the Rust side links, not a working `import torch`.
STEMSET_LIBTORCH_PACKAGES=(torch==2.13.0 nvidia-cuda-runtime==13.0.96 nvidia-cuda-cupti==13.0.85)
STEMSET_TORCH_PACKAGES=(torch==2.13.0 demucs==4.1.0 pyyaml==6.0.4 soundfile==0.14.0)

setup_say() { echo "setup: $*" >&2; }
setup_die() {
  echo "setup: $*" >&2
  exit 1
}

setup_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    setup_die "need root to run: $* (no sudo here)"
  fi
}

# True when something accepts TCP connections on host $1, port $2.
setup_port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

setup_apt() {
  local need=()
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
  python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
  command -v fluidsynth >/dev/null || need+=(fluidsynth)
  [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || need+=(fluid-soundfont-gm)
  command -v espeak-ng >/dev/null || need+=(espeak-ng)
  command -v sox >/dev/null || need+=(sox)
  if [ "$SETUP_PG" = private ] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    need+=(postgresql)
  fi
  if [ ${#need[@]} -eq 0 ]; then return; fi
  command -v apt-get >/dev/null ||
    setup_die "missing: ${need[*]}; install them (there is no apt-get here)"
  setup_say "installing Debian packages: ${need[*]}"
  setup_as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive setup_as_root apt-get install -y -qq "${need[@]}" >/dev/null
}

# True when the virtualenv $1 has every requirement that follows, at its pinned version
# (`name==version` or `name[extra]==version`; an extra's own requirements must be there too).
setup_venv_has() {
  local venv="$1"
  shift
  [ -x "$venv/bin/python" ] || return 1
  "$venv/bin/python" - "$@" <<'PY' 2>/dev/null
import sys
from importlib import metadata

try:
    from packaging.requirements import Requirement
except ImportError:  # every virtualenv has pip's copy
    from pip._vendor.packaging.requirements import Requirement

def installed(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None

for arg in sys.argv[1:]:
    req = Requirement(arg)
    pinned = [s.version for s in req.specifier if s.operator == "=="]
    if len(pinned) != 1 or installed(req.name) != pinned[0]:
        sys.exit(1)
    for extra in req.extras:
        for dep in map(Requirement, metadata.requires(req.name) or []):
            if dep.marker and dep.marker.evaluate({"extra": extra}):
                if installed(dep.name) is None:
                    sys.exit(1)
PY
}

# setup_venv DIR [--no-deps] REQUIREMENT...: creates DIR if needed and pip-installs the
# requirements unless they are all there already.
setup_venv() {
  local venv="$1"
  shift
  local args=("$@") reqs=()
  local a
  for a in "${args[@]}"; do
    case "$a" in --*) ;; *) reqs+=("$a") ;; esac
  done
  if setup_venv_has "$venv" "${reqs[@]}"; then
    return
  fi
  if [ ! -x "$venv/bin/python" ]; then
    setup_say "creating $venv"
    python3 -m venv "$venv"
  fi
  setup_say "installing into $venv: ${reqs[*]}"
  "$venv/bin/pip" install -q --disable-pip-version-check "${args[@]}"
  setup_venv_has "$venv" "${reqs[@]}" || setup_die "$venv still lacks some of: ${reqs[*]}"
}

# What the environment already names (ORT_DYLIB_PATH, LIBTORCH, STEMSET_TORCH_PYTHON) is
# not installed again.
setup_python() {
  local ml=() p
  for p in "${STEMSET_ML_PACKAGES[@]}"; do
    case "$p" in onnxruntime==*) [ -n "${ORT_DYLIB_PATH:-}" ] && continue ;; esac
    ml+=("$p")
  done
  setup_venv .venv-ml "${ml[@]}"
  local bench=()
  mapfile -t bench < <(grep -E '^[A-Za-z0-9_.-]+==' bench/rehearsal/requirements.txt)
  setup_venv .venv-bench "${bench[@]}"
  if [ "${STEMSET_TEST_LIBTORCH:-1}" != 0 ] && [ -z "${LIBTORCH:-}" ]; then
    setup_venv .venv-ml --no-deps "${STEMSET_LIBTORCH_PACKAGES[@]}"
  fi
  # Also without the libtorch backend: the onnx backend's checkpoint tests write their
  # Demucs checkpoints with PyPI demucs (pip reuses a torch wheel .venv-ml downloaded).
  if [ -z "${STEMSET_TORCH_PYTHON:-}" ]; then
    setup_venv .venv-torch "${STEMSET_TORCH_PACKAGES[@]}"
  fi
}

setup_npm() {
  local dir=server/tests/oidc-provider
  # npm ci writes node_modules/.package-lock.json; older than the lockfile means stale.
  if [ -d "$dir/node_modules/oidc-provider" ] &&
    [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return
  fi
  setup_say "installing $dir's npm packages"
  (cd "$dir" && npm ci --no-audit --no-fund --silent)
}

# Exports what scripts/test.sh passes on to the tests.
setup_env() {
  if [ -z "${ORT_DYLIB_PATH:-}" ]; then
    local libs=("$PWD"/.venv-ml/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.*)
    [ -f "${libs[0]}" ] || setup_die "ONNX Runtime is not in .venv-ml"
    export ORT_DYLIB_PATH="${libs[0]}"
  fi
  if [ -z "${LIBTORCH:-}" ] && [ "${STEMSET_TEST_LIBTORCH:-1}" != 0 ]; then
    local dir
    for dir in "$PWD"/.venv-ml/lib/python3*/site-packages/torch; do
      if [ -f "$dir/lib/libtorch_cpu.so" ]; then LIBTORCH="$dir"; fi
    done
    if [ -n "${LIBTORCH:-}" ]; then export LIBTORCH; fi
  fi
}

# PostgreSQL: $STEMSET_TEST_POSTGRES_URL, else the server that was on 127.0.0.1:5432 before
# setup ran (with trust auth for postgres), else a private one on port 55432 (trust auth, in
# $TMPDIR; one that Debian's package may have just started on 5432 is not used, as it asks
# for a password), stopped when the sourcing script exits.
setup_postgres() {
  if [ "$SETUP_PG" = given ]; then
    :
  elif [ "$SETUP_PG" = local ]; then
    export STEMSET_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    local port=55432 dir="${TMPDIR:-/tmp}/stemset-test-pg" bin
    local bins=(/usr/lib/postgresql/*/bin)
    bin="$(printf '%s\n' "${bins[@]}" | sort -V | tail -n1)"
    [ -x "$bin/initdb" ] || setup_die "no PostgreSQL server on 127.0.0.1:5432 and none installed"
    if setup_port_open 127.0.0.1 "$port"; then
      setup_say "using the PostgreSQL already on port $port"
    else
      setup_say "starting a private PostgreSQL on port $port ($dir)"
      rm -rf "$dir"
      mkdir -p "$dir"
      local run=(sh -c)
      if [ "$(id -u)" -eq 0 ]; then
        # initdb refuses to run as root.
        chown postgres:postgres "$dir"
        run=(su postgres -s /bin/sh -c)
      fi
      "${run[@]}" "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
      "${run[@]}" "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -w start \
        -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" >/dev/null"
      STEMSET_SETUP_PG_STOP=("${run[@]}" "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null")
      trap '"${STEMSET_SETUP_PG_STOP[@]}" || true' EXIT
    fi
    export STEMSET_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  fi
  setup_say "PostgreSQL for tests: $STEMSET_TEST_POSTGRES_URL"
}

setup_main() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
  # Where the tests' PostgreSQL comes from: given (the URL), local (5432) or private.
  if [ -n "${STEMSET_TEST_POSTGRES_URL:-}" ]; then
    SETUP_PG=given
  elif setup_port_open 127.0.0.1 5432; then
    SETUP_PG=local
  else
    SETUP_PG=private
  fi
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    setup_die "rustfmt and clippy are needed: rustup component add rustfmt clippy"
  fi
  setup_apt
  setup_python
  setup_npm
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  setup_main
  setup_say "everything the tests need is installed"
else
  setup_main
  setup_env
  setup_postgres
fi
