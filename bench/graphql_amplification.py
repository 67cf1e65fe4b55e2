#!/usr/bin/env python3
"""GraphQL memory amplification: the attack of issue 14 against a real `stemset serve`.

Starts the server on a fresh SQLite library of 11 recordings (5 stems each, seeded by
seed_library.py), then fires 4 requests at once, each a batch of 8 operations of 400
aliases of `recordings { nodes { id title stems { nodes { id name lufs } } } }` (about
233 KB). Before the request limits that took the server from ~60 MB to 1.5 GB (one
request) and 4.4 GB (four at once). Then, for comparison, 4 requests at once of the
largest batch the default limits accept (4 operations of 6 such aliases). Prints each
answer's status, size and first error, and the server's peak RSS (VmHWM in
/proc/PID/status); fails unless the peak stays under --max-rss-mb (300).

    cargo build -p stemset && bench/graphql_amplification.py
    bench/graphql_amplification.py --bin target/release/stemset

Standard library only; Linux (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKEN = "sst_bench_token_0123456789abcdefghijklmnopqrstuvwxyzABCD"
ALIAS = "a{i}: recordings {{ nodes {{ id title stems {{ nodes {{ id name lufs }} }} }} }} "


# --lift-limits: the request limits set out of the way, to see what they prevent (what the
# server did before it had them; the default page size stays, and exceeds 11 recordings).
LIFTED = """  max_body_kib: 1024
  max_batch_operations: 100
  max_query_aliases: 100000
  max_query_fields: 10000000
  max_query_complexity: 1000000000000
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


def operation(aliases: int) -> dict:
    return {"query": "{ " + "".join(ALIAS.format(i=i) for i in range(aliases)) + "}"}


def post(url: str, body: bytes, out: list, slot: int) -> None:
    req = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:
            out[slot] = (resp.status, resp.read())
    except urllib.error.HTTPError as e:
        out[slot] = (e.code, e.read())
    except Exception as e:  # noqa: BLE001 - reported, not raised
        out[slot] = (0, str(e).encode())


def first_error(answer: bytes) -> str:
    try:
        value = json.loads(answer)
    except ValueError:
        return answer[:120].decode(errors="replace")
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and item.get("errors"):
            return item["errors"][0].get("message", "")
    return "-"


def fire(url: str, body: bytes, concurrent: int) -> list:
    out: list = [None] * concurrent
    threads = [threading.Thread(target=post, args=(url, body, out, i)) for i in range(concurrent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help="server binary (default target/release/stemset, else target/debug/stemset)")
    ap.add_argument("--recordings", type=int, default=11)
    ap.add_argument("--concurrent", type=int, default=4)
    ap.add_argument("--operations", type=int, default=8)
    ap.add_argument("--aliases", type=int, default=400)
    ap.add_argument("--max-rss-mb", type=float, default=300.0)
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the largest accepted batch (3)")
    ap.add_argument("--lift-limits", action="store_true",
                    help="configure the server without request limits (for a before/after comparison)")
    args = ap.parse_args()

    binary = Path(args.bin) if args.bin else next(
        (p for p in (REPO / "target/release/stemset", REPO / "target/debug/stemset") if p.exists()),
        None,
    )
    if binary is None or not binary.exists():
        sys.exit("no server binary: cargo build -p stemset (or pass --bin)")

    with tempfile.TemporaryDirectory(prefix="stemset-amplification.") as tmp:
        work = Path(tmp)
        (work / "source").mkdir()
        port = free_port()
        db = work / "stemset.sqlite"
        config = work / "config.yaml"
        config.write_text(f"""strategies:
  default:
    _: dsp-hpss
    percussive: drums
    harmonic: other
profiles:
  bench:
    source: {work}/source
    strategy: default
    owners: [bench@example.com]
storage:
  kind: local
  path: {work}/media
database:
  url: sqlite://{db}
auth:
  environment: development
server:
  listen: 127.0.0.1:{port}
{LIFTED if args.lift_limits else ""}jobs:
  workers: 0
plugins: {REPO}/plugins.toml
""")
        log = open(work / "server.log", "wb")
        server = subprocess.Popen(
            [str(binary), "-c", str(config), "serve"], stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                if server.poll() is not None:
                    sys.exit("the server exited:\n" + (work / "server.log").read_text())
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                        if r.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError):
                    pass
                time.sleep(0.1)
            else:
                sys.exit("no healthy server after 60 s")
            subprocess.run(
                [sys.executable, str(REPO / "bench/seed_library.py"), "--sqlite", str(db),
                 "--recordings", str(args.recordings)],
                check=True, stdout=subprocess.DEVNULL,
            )
            url = base + "/graphql"
            check = fire(url, json.dumps(operation(1)).encode(), 1)[0]
            nodes = json.loads(check[1])["data"]["a0"]["nodes"]
            # The first page: server.default_page_size (50) at most.
            if check[0] != 200 or len(nodes) != min(args.recordings, 50):
                sys.exit(f"the library does not answer as seeded: {check[0]} {check[1][:300]!r}")
            limits = "request limits LIFTED" if args.lift_limits else "default request limits"
            print(f"server: {binary} (pid {server.pid}), {args.recordings} recordings x 5 stems, SQLite, {limits}")
            print(f"RSS at rest: {status_kib(server.pid, 'VmRSS') / 1024:.1f} MB")

            runs = [
                (f"attack: batch of {args.operations} x {args.aliases} aliases",
                 [operation(args.aliases)] * args.operations),
            ] + [
                (f"largest accepted ({n + 1}/{args.repeat}): batch of 4 x 6 aliases", [operation(6)] * 4)
                for n in range(args.repeat)
            ]
            for label, batch in runs:
                body = json.dumps(batch).encode()
                started = time.monotonic()
                answers = fire(url, body, args.concurrent)
                took = time.monotonic() - started
                print(f"\n{label}: {len(body) / 1000:.0f} KB request, {args.concurrent} at once, {took:.2f} s")
                for i, (code, answer) in enumerate(answers):
                    print(f"  #{i}: HTTP {code}, {len(answer)} bytes, first error: {first_error(answer)}")
                print(f"  peak RSS so far (VmHWM): {status_kib(server.pid, 'VmHWM') / 1024:.1f} MB")

            peak = status_kib(server.pid, "VmHWM") / 1024
            print(f"\npeak RSS (VmHWM): {peak:.1f} MB (limit {args.max_rss_mb:.0f} MB)")
            if server.poll() is not None:
                print("the server died", file=sys.stderr)
                return 1
            return 0 if peak < args.max_rss_mb else 1
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            log.close()


if __name__ == "__main__":
    sys.exit(main())
