#!/usr/bin/env bash
# The web app's checks: install (npm ci), svelte-check, build, Vitest, then Playwright in
# Debian's Chromium against the real `stemset serve` (with a seeded database, generated
# recordings and a real OpenID provider for sign-in).
#
#   STEMSET_BIN    the stemset binary (default: target/debug/stemset)
#   CHROMIUM_PATH  the browser (default: /usr/bin/chromium; installed with apt if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

export STEMSET_BIN="${STEMSET_BIN:-$root/target/debug/stemset}"
case "$STEMSET_BIN" in /*) ;; *) STEMSET_BIN="$root/$STEMSET_BIN" ;; esac
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "test-web: installing Debian's chromium" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

# The real OpenID Connect provider the sign-in tests run against.
if [ ! -d server/tests/oidc-provider/node_modules/oidc-provider ]; then
  (cd server/tests/oidc-provider && npm ci --no-audit --no-fund --silent)
fi

cd web
# Never download Playwright's own browsers.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund
npm run check
npm run build
npm test
if [ ! -x "$STEMSET_BIN" ]; then
  echo "test-web: $STEMSET_BIN not found (cargo build -p stemset, or set STEMSET_BIN)" >&2
  exit 1
fi
npx playwright test
