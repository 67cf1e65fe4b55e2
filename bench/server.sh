#!/usr/bin/env bash
# Loopback benchmark of the server's main read query (recordings with their stems, first
# page of 50, newest first) on SQLite and PostgreSQL: 500 recordings × 5 stems seeded by
# bench/seed_library.py, load from wrk with an API token. Prints requests/s and latency.
#
#   cargo build --release -p stemset && bench/server.sh
#   DURATION=60s CONNECTIONS=64 bench/server.sh
#   DATABASES=sqlite bench/server.sh
#
# Environment:
#   STEMSET_BIN                 server binary (default target/release/stemset)
#   STEMSET_BENCH_POSTGRES_URL  a PostgreSQL server to create a scratch database in
#                               (default postgres://postgres@127.0.0.1:5432/postgres)
#   DATABASES                   which to run, "sqlite postgres" by default
#   DURATION, CONNECTIONS, THREADS, WARMUP   wrk settings (20s, 16, 2, 3s)
#   RECORDINGS                  library size (500)
#   PERF_OUT                    a folder: perf records the server during the measured run
#                               and its top functions (self time) are printed, per database
#   PERF_ARGS                   perf record's sampling options (-F 1999 -g; call graphs of
#                               Rust code need  --call-graph dwarf)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

bin="${STEMSET_BIN:-target/release/stemset}"
if [ ! -x "$bin" ]; then
  echo "no server binary at $bin: build it with  cargo build --release -p stemset" >&2
  echo "(or point STEMSET_BIN at one)" >&2
  exit 1
fi
bin="$(realpath "$bin")"
pg_admin_url="${STEMSET_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
databases="${DATABASES:-sqlite postgres}"
duration="${DURATION:-20s}"
connections="${CONNECTIONS:-16}"
threads="${THREADS:-2}"
warmup="${WARMUP:-3s}"
recordings="${RECORDINGS:-500}"
token="sst_bench_token_0123456789abcdefghijklmnopqrstuvwxyzABCD"
query_file="$repo/bench/recordings_with_stems.graphql"
page=50; [ "$recordings" -lt "$page" ] && page="$recordings"

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool on PATH" >&2; exit 1; }
done
case " $databases " in *" postgres "*)
  command -v psql >/dev/null || { echo "needs psql for PostgreSQL (or DATABASES=sqlite)" >&2; exit 1; } ;;
esac

work="$(mktemp -d -t stemset-bench.XXXXXX)"
server_pid=""
pg_db=""
results="$work/results"
: > "$results"

# kill -0 succeeds on an exited child that is not yet reaped (a zombie): look at its state.
alive() {
  local st
  st="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ "$st" != Z* ]]
}

stop_server() {
  if [ -n "$server_pid" ] && alive "$server_pid"; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do alive "$server_pid" || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

drop_pg_db() {
  if [ -n "$pg_db" ]; then
    psql -X -q -d "$pg_admin_url" -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" \
      >/dev/null 2>&1 || echo "warning: could not drop database $pg_db" >&2
    pg_db=""
  fi
}

cleanup() {
  [ -n "$wrk_pid" ] && kill -TERM "$wrk_pid" 2>/dev/null
  stop_server
  drop_pg_db
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wrk in the background and `wait`: a Ctrl-C then runs the INT trap at once (bash defers
# traps until a foreground child ends, and wrk ends normally on SIGINT, so they would be
# skipped).
wrk_pid=""
run_wrk() { # $1 duration, $2 output file; uses wrk_args and base of run_one
  (cd "$repo" && exec wrk "${wrk_args[@]}" -d"$1" "$base/graphql") > "$2" &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=""
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The URL of database $2 on the server of URL $1 (same user, host, options).
pg_url_with_db() {
  python3 - "$1" "$2" <<'EOF'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))
EOF
}

write_config() { # $1 file, $2 database url, $3 port, $4 dir
  mkdir -p "$4/source" "$4/media"
  cat > "$1" <<EOF
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
    source: $4/source
    strategy: default
    display_name: Bench Band
    owners: [bench@example.com]
output:
  format: opus
  bitrate: 160
storage:
  kind: local
  path: $4/media
database:
  url: $2
auth:
  environment: development
server:
  listen: 127.0.0.1:$3
plugins: $repo/plugins.toml
EOF
}

# Checks one response: 50 recordings of 5 stems each, the expected total, no errors.
verify() { # $1 url
  local body="$work/body.json" out="$work/response.json"
  python3 -c 'import json, sys; print(json.dumps({"query": open(sys.argv[1]).read(), "operationName": "RecordingsWithStems"}))' \
    "$query_file" > "$body"
  local code
  code="$(curl -sS -o "$out" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" --data-binary @"$body" "$1/graphql")"
  python3 - "$out" "$code" "$page" "$recordings" <<'EOF'
import json, sys
path, code, page, total = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
text = open(path).read()
def fail(why):
    sys.exit(f"BAD RESPONSE ({why}), HTTP {code}:\n{text[:2000]}")
if code != "200":
    fail("status is not 200")
r = json.loads(text)
if "errors" in r:
    fail("it has errors")
rec = r["data"]["recordings"]
nodes = rec["nodes"]
if len(nodes) != page:
    fail(f"{len(nodes)} recordings instead of {page}")
bad = [n["id"] for n in nodes if len(n["stems"]["nodes"]) != 5]
if bad:
    fail(f"{len(bad)} recordings without exactly 5 stems")
if rec["paginationInfo"]["total"] != total:
    fail(f"total {rec['paginationInfo']['total']} instead of {total}")
stamps = [n["createdAt"] for n in nodes]
if stamps != sorted(stamps, reverse=True):
    fail("recordings are not newest first")
names = [s["name"] for s in nodes[0]["stems"]["nodes"]]
if names != ["vocals", "drums", "bass", "other", "click"]:
    fail(f"stems not in sort order: {names}")
print(f"  response ok: {len(nodes)} recordings x 5 stems ({names}), total {total}, "
      f"{len(text)} bytes")
EOF
}

run_one() { # $1 = sqlite | postgres
  local kind="$1" dir="$work/$1" port url cfg base log
  mkdir -p "$dir"
  port="$(free_port)"
  cfg="$dir/config.yaml"
  log="$dir/server.log"
  echo "== $kind"
  if [ "$kind" = sqlite ]; then
    url="sqlite://$dir/stemset.sqlite"
  else
    pg_db="stemset_bench_$$"
    psql -X -q -v ON_ERROR_STOP=1 -d "$pg_admin_url" -c "CREATE DATABASE \"$pg_db\"" >/dev/null
    url="$(pg_url_with_db "$pg_admin_url" "$pg_db")"
  fi
  write_config "$cfg" "$url" "$port" "$dir"
  base="http://127.0.0.1:$port"

  if [ "$kind" = postgres ]; then
    "$bin" -c "$cfg" migrate > "$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; exit 1; }
  fi
  "$bin" -c "$cfg" serve > "$log" 2>&1 &
  server_pid=$!
  local ok=""
  for _ in $(seq 1 300); do
    if ! alive "$server_pid"; then
      echo "the server exited:" >&2; cat "$log" >&2; exit 1
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" = 200 ]; then
      ok=1; break
    fi
    sleep 0.1
  done
  [ -n "$ok" ] || { echo "no healthy server on $base after 30 s:" >&2; cat "$log" >&2; exit 1; }

  # Seeded after startup: the server has created the `bench` profile from the config.
  local seed_args=(--recordings "$recordings")
  if [ "$kind" = sqlite ]; then seed_args+=(--sqlite "$dir/stemset.sqlite")
  else seed_args+=(--postgres "$url"); fi
  echo "  python3 bench/seed_library.py ${seed_args[*]}"
  python3 "$repo/bench/seed_library.py" "${seed_args[@]}" | sed 's/^/  /'

  verify "$base"

  local wrk_args=(-t"$threads" -c"$connections" --latency -s "$repo/bench/graphql_query.lua")
  echo "  wrk ${wrk_args[*]} -d$duration $base/graphql   (after a $warmup warm-up)"
  run_wrk "$warmup" /dev/null
  local perf_pid=""
  if [ -n "${PERF_OUT:-}" ]; then
    mkdir -p "$PERF_OUT"
    # shellcheck disable=SC2086
    perf record -q ${PERF_ARGS:--F 1999 -g} -p "$server_pid" -o "$PERF_OUT/perf-$kind.data" \
      -- sleep "${duration%s}" 2>"$PERF_OUT/perf-$kind.log" &
    perf_pid=$!
  fi
  run_wrk "$duration" "$dir/wrk.txt"
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$PERF_OUT/perf-$kind.data" --no-children --sort symbol --percent-limit 0.7 \
      --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | sed 's/ *$//' | head -n 30 \
      > "$PERF_OUT/top-$kind.txt" || true
    echo "  perf, top functions by self time ($PERF_OUT/perf-$kind.data):"
    sed 's/^/  /' "$PERF_OUT/top-$kind.txt"
  fi
  sed 's/^/  /' "$dir/wrk.txt"
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/healthz" || true)" != 200 ]; then
    echo "the server is no longer healthy after the run; log tail:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  local line
  line="$(grep '^BENCH_RESULT' "$dir/wrk.txt")" || { echo "no result from wrk" >&2; exit 1; }
  echo "$kind $line" >> "$results"
  if grep -q 'non2xx=[1-9]' <<<"$line"; then
    echo "  warning: some responses were not 2xx; server log tail:" >&2
    tail -n 20 "$log" >&2
  fi

  stop_server
  [ "$kind" = postgres ] && drop_pg_db
  return 0
}

echo "server: $bin"
echo "load:   wrk -t$threads -c$connections -d$duration, $recordings recordings x 5 stems, page of $page"
for kind in $databases; do
  case "$kind" in sqlite|postgres) run_one "$kind" ;; *) echo "unknown database $kind" >&2; exit 1 ;; esac
done

echo
python3 - "$results" <<'EOF'
import sys
rows = []
for line in open(sys.argv[1]):
    kind, _, *kv = line.split()
    d = dict(x.split("=", 1) for x in kv)
    rows.append((kind, d))
print(f"{'database':<10} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
for kind, d in rows:
    errors = int(d["non2xx"]) + int(d["socket_errors"])
    print(f"{kind:<10} {float(d['rps']):>11.1f} {float(d['p50_ms']):>8.2f} "
          f"{float(d['p99_ms']):>8.2f} {int(d['requests']):>9} {errors:>7}")
EOF
