#!/usr/bin/env python3
"""Seeds a Stemset database with a benchmark library.

The database must already carry the schema (`stemset migrate`, or a first `stemset serve`
on SQLite). Creates, in one transaction:

  * the profile `bench` (looked up by name; created when the server has not made it yet),
  * the user `bench@example.com`, owner of that profile (a `user_profiles` row),
  * 500 audio files and 500 recordings with 5 stems each (vocals, drums, bass, other,
    click), with plausible durations, loudness and storage keys
    (`bench/<recording-id>/<stem>.opus`, as `stemset process` writes them),
  * an API token for the bench user: `Authorization: Bearer <BENCH_TOKEN>`.

Only the standard library is used; PostgreSQL goes through the `psql` client.

    bench/seed_library.py --sqlite /tmp/stemset.sqlite
    bench/seed_library.py --postgres postgres://postgres@127.0.0.1:5432/stemset_bench

Storage differs by database (this is what sea-orm/sqlx write, so the server can read it):
SQLite keeps UUIDs as 16-byte BLOBs (the columns are declared `uuid_text`, but sqlx binds
`Uuid` as a blob) and timestamps as RFC 3339 text (`2026-01-02T03:04:05.123456+00:00`);
PostgreSQL has native `uuid` and `timestamptz` columns.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

# The token the benchmark sends; the database only keeps its SHA-256.
BENCH_TOKEN = "sst_bench_token_0123456789abcdefghijklmnopqrstuvwxyzABCD"
STEMS = ["vocals", "drums", "bass", "other", "click"]

TITLE_WORDS = [
    "Blue", "Motel", "Riff", "Jam", "Ballad", "Groove", "Night", "Drive", "Echo", "Storm",
    "Slow", "Fast", "Take", "Bridge", "Chorus", "Outro", "Intro", "Shuffle", "Fever", "Rain",
]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def uuid7(when: datetime, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 (time-ordered, as the server's `Uuid::now_v7()`) for instant `when`."""
    ms = int(when.timestamp() * 1000)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= rng.getrandbits(12) << 64
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rng.getrandbits(62)
    return uuid.UUID(int=value)


def ts(when: datetime) -> str:
    """RFC 3339 with microseconds and `+00:00`, the text sqlx writes for DateTime<Utc>."""
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def build_library(profile_id: uuid.UUID, count: int, seed: int):
    """Rows of audio_files, recordings and stems, as lists of column→value dicts."""
    rng = random.Random(seed)
    newest = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    audio_files, recordings, stems = [], [], []
    for i in range(count):
        # One rehearsal recording every ~17 hours going back from `newest`; distinct
        # created_at values make "newest first" a total order.
        created = newest - timedelta(hours=17 * i, seconds=rng.randint(0, 3600))
        duration = round(rng.uniform(60.0, 600.0), 3)
        rec_id = uuid7(created, rng)
        audio_id = uuid7(created, rng)
        title = f"{created:%Y-%m-%d} {rng.choice(TITLE_WORDS)} {rng.choice(TITLE_WORDS)} #{i + 1}"
        name = f"{title}.wav"
        bits = rng.choice([16, 24, 24, 24])
        sample_rate = rng.choice([44100, 48000, 48000])
        audio_files.append({
            "id": audio_id,
            "profile_id": profile_id,
            "file_hash": hashlib.sha256(f"bench-audio-{seed}-{i}".encode()).hexdigest(),
            "original_name": name,
            "source_path": f"bench/recordings/{name}",
            "size_bytes": int(duration * sample_rate * 2 * bits / 8),
            "duration_seconds": duration,
            "sample_rate": sample_rate,
            "channels": 2,
            "bits_per_sample": bits,
            "codec": f"pcm_s{bits}le",
            "created_at": created,
            "updated_at": created,
        })
        prefix = f"bench/{rec_id}"
        recordings.append({
            "id": rec_id,
            "profile_id": profile_id,
            "audio_file_id": audio_id,
            "title": title,
            "strategy": "default",
            "storage_prefix": prefix,
            "duration_seconds": duration,
            "created_at": created,
            "updated_at": created,
        })
        for order, stem in enumerate(STEMS):
            silent = stem == "click" and rng.random() < 0.1  # a few takes without click
            lufs = None if silent else round(rng.uniform(-32.0, -12.0), 2)
            true_peak = None if silent else round(rng.uniform(-9.0, 0.5), 2)
            sample_peak = None if silent else round(min(true_peak, rng.uniform(-9.0, 0.0)), 2)
            stems.append({
                "id": uuid7(created, rng),
                "recording_id": rec_id,
                "name": stem,
                "sort_order": order,
                "storage_key": f"{prefix}/{stem}.opus",
                "waveform_key": f"{prefix}/{stem}.peaks",
                "format": "opus",
                "sample_rate": 48000,
                "channels": 2,
                "bits_per_sample": None,
                "bitrate_kbps": 160,
                "size_bytes": int(duration * 160_000 / 8 * rng.uniform(0.85, 1.05)),
                "duration_seconds": duration,
                "lufs": lufs,
                "true_peak_dbtp": true_peak,
                "sample_peak_dbfs": sample_peak,
                "gain_db": round(rng.choice([0.0, 0.0, 0.0, -3.0, 1.5, -6.0]), 1),
                "created_at": created,
                "updated_at": created,
            })
    return audio_files, recordings, stems


# ---------------------------------------------------------------------------- SQLite


def sqlite_value(v):
    if isinstance(v, uuid.UUID):
        return v.bytes  # sqlx stores Uuid as a 16-byte BLOB in SQLite
    if isinstance(v, datetime):
        return ts(v)
    if isinstance(v, bool):
        return int(v)
    return v


def sqlite_insert(cur, table: str, rows: list[dict]):
    if not rows:
        return
    cols = list(rows[0])
    sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
    cur.executemany(sql, [[sqlite_value(r[c]) for c in cols] for r in rows])


def seed_sqlite(path: str, args) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        cur = con.cursor()
        cur.execute("BEGIN IMMEDIATE")
        now = datetime.now(timezone.utc)
        rng = random.Random(args.seed + 1)

        row = cur.execute("SELECT id FROM profiles WHERE name = ?", (args.profile,)).fetchone()
        if row:
            profile_id = uuid.UUID(bytes=row[0])
        else:
            profile_id = uuid7(now, rng)
            sqlite_insert(cur, "profiles", [{
                "id": profile_id, "name": args.profile, "display_name": "Bench Band",
                "strategy": "default", "remote": False, "created_at": now, "updated_at": now,
            }])

        existing = cur.execute(
            "SELECT COUNT(*) FROM recordings WHERE profile_id = ?", (profile_id.bytes,)
        ).fetchone()[0]
        if existing:
            if not args.replace:
                sys.exit(f"profile {args.profile!r} already has {existing} recordings "
                         "(pass --replace to delete them first)")
            ids = "SELECT id FROM recordings WHERE profile_id = ?"
            cur.execute(f"DELETE FROM stems WHERE recording_id IN ({ids})", (profile_id.bytes,))
            cur.execute("DELETE FROM recordings WHERE profile_id = ?", (profile_id.bytes,))
            cur.execute("DELETE FROM audio_files WHERE profile_id = ?", (profile_id.bytes,))

        row = cur.execute("SELECT id FROM users WHERE email = ?", (args.email,)).fetchone()
        if row:
            user_id = uuid.UUID(bytes=row[0])
        else:
            user_id = uuid7(now, rng)
            sqlite_insert(cur, "users", [{
                "id": user_id, "email": args.email, "name": "Bench", "created_at": now,
                "updated_at": now, "last_login_at": None,
            }])
        cur.execute(
            "INSERT INTO user_profiles (user_id, profile_id, role, created_at) "
            "VALUES (?, ?, 'owner', ?) "
            "ON CONFLICT (user_id, profile_id) DO UPDATE SET role = 'owner'",
            (user_id.bytes, profile_id.bytes, ts(now)),
        )
        cur.execute(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at, "
            "revoked_at) VALUES (?, ?, 'bench', ?, ?, NULL, NULL) "
            "ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, revoked_at = NULL",
            (uuid7(now, rng).bytes, user_id.bytes, token_hash(args.token), ts(now)),
        )

        audio_files, recordings, stems = build_library(profile_id, args.recordings, args.seed)
        sqlite_insert(cur, "audio_files", audio_files)
        sqlite_insert(cur, "recordings", recordings)
        sqlite_insert(cur, "stems", stems)
        cur.execute("COMMIT")
        cur.execute("ANALYZE")
    finally:
        con.close()


# ------------------------------------------------------------------------ PostgreSQL


def pg_literal(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, uuid.UUID):
        return f"'{v}'::uuid"
    if isinstance(v, datetime):
        return f"'{ts(v)}'::timestamptz"
    return "'" + str(v).replace("'", "''") + "'"


def pg_insert(table: str, rows: list[dict], chunk: int = 500) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    out = []
    for start in range(0, len(rows), chunk):
        values = ",\n".join(
            "(" + ", ".join(pg_literal(r[c]) for c in cols) + ")"
            for r in rows[start:start + chunk]
        )
        out.append(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES\n{values};\n')
    return "".join(out)


def psql(url: str, sql: str, *, tuples: bool = False) -> str:
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]
    if tuples:
        cmd += ["-At"]
    done = subprocess.run(cmd, input=sql, text=True, capture_output=True)
    if done.returncode != 0:
        sys.exit(f"psql failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def seed_postgres(url: str, args) -> None:
    now = datetime.now(timezone.utc)
    rng = random.Random(args.seed + 1)
    p, e = pg_literal(args.profile), pg_literal(args.email)
    # Profile and user first (kept if they exist), so their ids are known below.
    ids = psql(url, f"""
        INSERT INTO profiles (id, name, display_name, strategy, remote, created_at, updated_at)
        VALUES ({pg_literal(uuid7(now, rng))}, {p}, 'Bench Band', 'default', FALSE,
                {pg_literal(now)}, {pg_literal(now)})
        ON CONFLICT (name) DO NOTHING;
        INSERT INTO users (id, email, name, created_at, updated_at, last_login_at)
        VALUES ({pg_literal(uuid7(now, rng))}, {e}, 'Bench', {pg_literal(now)},
                {pg_literal(now)}, NULL)
        ON CONFLICT (email) DO NOTHING;
        SELECT (SELECT id FROM profiles WHERE name = {p}),
               (SELECT id FROM users WHERE email = {e}),
               (SELECT COUNT(*) FROM recordings r JOIN profiles pr ON pr.id = r.profile_id
                 WHERE pr.name = {p});
    """, tuples=True).strip().splitlines()[-1]
    profile_s, user_s, existing = ids.split("|")
    profile_id, user_id = uuid.UUID(profile_s), uuid.UUID(user_s)
    if int(existing) and not args.replace:
        sys.exit(f"profile {args.profile!r} already has {existing} recordings "
                 "(pass --replace to delete them first)")

    audio_files, recordings, stems = build_library(profile_id, args.recordings, args.seed)
    pid, uid = pg_literal(profile_id), pg_literal(user_id)
    sql = [
        "BEGIN;\n",
        f"DELETE FROM stems WHERE recording_id IN "
        f"(SELECT id FROM recordings WHERE profile_id = {pid});\n",
        f"DELETE FROM recordings WHERE profile_id = {pid};\n",
        f"DELETE FROM audio_files WHERE profile_id = {pid};\n",
        f"INSERT INTO user_profiles (user_id, profile_id, role, created_at) "
        f"VALUES ({uid}, {pid}, 'owner', {pg_literal(now)}) "
        f"ON CONFLICT (user_id, profile_id) DO UPDATE SET role = 'owner';\n",
        f"INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at, "
        f"revoked_at) VALUES ({pg_literal(uuid7(now, rng))}, {uid}, 'bench', "
        f"{pg_literal(token_hash(args.token))}, {pg_literal(now)}, NULL, NULL) "
        f"ON CONFLICT (token_hash) DO UPDATE SET user_id = EXCLUDED.user_id, "
        f"revoked_at = NULL;\n",
        pg_insert("audio_files", audio_files),
        pg_insert("recordings", recordings),
        pg_insert("stems", stems),
        "COMMIT;\n",
        "ANALYZE;\n",
    ]
    psql(url, "".join(sql))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    db = ap.add_mutually_exclusive_group(required=True)
    db.add_argument("--sqlite", metavar="PATH", help="SQLite database file")
    db.add_argument("--postgres", metavar="URL", help="PostgreSQL URL (used with psql)")
    ap.add_argument("--profile", default="bench", help="profile name (default: bench)")
    ap.add_argument("--email", default="bench@example.com", help="owner's email")
    ap.add_argument("--recordings", type=int, default=500, help="recordings (default: 500)")
    ap.add_argument("--token", default=BENCH_TOKEN, help="API token to register (sst_...)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    ap.add_argument("--replace", action="store_true",
                    help="delete the profile's existing recordings first")
    args = ap.parse_args()
    if not args.token.startswith("sst_"):
        ap.error("API tokens start with sst_")
    args.email = args.email.strip().lower()  # the server stores emails lowercased

    if args.sqlite:
        seed_sqlite(args.sqlite, args)
    else:
        seed_postgres(args.postgres, args)
    print(f"seeded profile {args.profile!r}: {args.recordings} recordings × {len(STEMS)} stems, "
          f"owner {args.email}, token {args.token[:8]}…")


if __name__ == "__main__":
    main()
