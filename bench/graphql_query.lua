-- wrk script: POST /graphql with the recordings-with-stems query as an API-token caller.
--   STEMSET_BENCH_TOKEN  bearer token (default: the one bench/seed_library.py registers)
--   QUERY_FILE           GraphQL document (default: bench/recordings_with_stems.graphql,
--                        relative to where wrk runs)
-- Usage: wrk -t2 -c16 -d20s --latency -s bench/graphql_query.lua http://127.0.0.1:8080/graphql

local token = os.getenv("STEMSET_BENCH_TOKEN")
  or "sst_bench_token_0123456789abcdefghijklmnopqrstuvwxyzABCD"
local path = os.getenv("QUERY_FILE") or "bench/recordings_with_stems.graphql"

local f = io.open(path, "r")
if not f then
  error("cannot read the GraphQL query " .. path .. " (run wrk from the repository root or set QUERY_FILE)")
end
local query = f:read("*a")
f:close()

local function json_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n'):gsub('\r', '\\r'):gsub('\t', '\\t')
  return '"' .. s .. '"'
end

wrk.method = "POST"
wrk.path = "/graphql"
wrk.body = '{"query":' .. json_string(query) .. ',"operationName":"RecordingsWithStems"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

-- One machine-readable line after wrk's own report (latencies in ms).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
