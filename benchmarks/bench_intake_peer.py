"""Intake against its limit, a plain bulk insert of the same rows, run on demand (issue 19).

    .venv/bin/python benchmarks/bench_intake_peer.py [--signals 100000] [--reps 3]

For each database (the embedded SQLite file, and PostgreSQL when it answers at
PROACTIEF_TEST_POSTGRES_URL or 127.0.0.1:5432/test), in the same run, interleaved:

1. ``proactief intake FILE`` on a fresh database: start-up, migrations, streaming JSON,
   validation, elfproef, pseudonymisation, the exactly-once rules, storage;
2. the peer: a fresh process that migrates a fresh database the same way and loads the
   very rows intake stored (read back from a first run) into the same tables in one
   transaction: on PostgreSQL by COPY straight into each table (its fastest plain load),
   on SQLite with one ``executemany`` per table. No parsing, no checks, no exactly-once
   rules: the floor for storing these rows through the same driver.

Each is a whole fresh process (wall time, and peak resident memory from the kernel). The
ratio intake / peer says how far intake is from the limit; issue 19 asks for at least half
the speed (a ratio of 2 or less). Writes docs/benchmarks-intake-peer.md.
"""

import argparse
import os
import pickle
import platform
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_benchmarks import make_file, timed
from sqlalchemy import create_engine, select, text

from proactief.storage.tables import metadata

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get(
    "PROACTIEF_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = ("intake_files", "client_identities", "signals")
"""What an intake of valid signals writes (quarantine stays empty), in insert order."""

PEER = """
import pickle, sys
from sqlalchemy import insert
from proactief.storage.db import create_db_engine, migrate
from proactief.storage.tables import metadata
url, rows_file = sys.argv[1], sys.argv[2]
engine = create_db_engine(url)
migrate(engine)
with open(rows_file, "rb") as f:
    rows = pickle.load(f)
with engine.begin() as conn:
    for name, table_rows in rows:
        if conn.dialect.name == "postgresql" and table_rows:
            # PostgreSQL's fastest plain load: COPY straight into the table
            columns = list(table_rows[0])
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in table_rows:
                    copy.write_row(tuple(row[c] for c in columns))
        else:
            conn.execute(insert(metadata.tables[name]), table_rows)
"""


def _sqlite(work: Path) -> Callable[[str], str]:
    def fresh(tag: str) -> str:
        return f"sqlite:///{work / tag / 'proactief.db'}"

    return fresh


def _postgres() -> tuple[Callable[[str], str], Callable[[], None]] | None:
    try:
        admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # no server here: say so and measure SQLite only
        print(f"PostgreSQL not measured: {type(exc).__name__}", flush=True)
        return None
    made: list[str] = []
    sep = "&" if "?" in PG_URL else "?"

    def fresh(_tag: str) -> str:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with admin.begin() as conn:
            for schema in made:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return fresh, drop


def _stored_rows(url: str, out: Path) -> int:
    """The rows the first intake stored, without their generated ids, for the peer."""
    engine = create_engine(url)
    rows = []
    with engine.connect() as conn:
        for name in TABLES:
            table = metadata.tables[name]
            keys = [c.name for c in table.columns if c.name != "id"]
            result = conn.execute(select(*(table.c[k] for k in keys)))
            rows.append((name, [dict(r._mapping) for r in result]))
    engine.dispose()
    with out.open("wb") as f:
        pickle.dump(rows, f)
    return sum(len(r) for _n, r in rows)


def _measure(
    name: str, fresh: Callable[[str], str], data: Path, work: Path, reps: int, n: int
) -> dict[str, object]:
    env = dict(os.environ, COLUMNS="150")
    proactief = [sys.executable, "-m", "proactief"]
    first = fresh("first")
    env["PROACTIEF_DATABASE_URL"] = first
    env["PROACTIEF_DATA_DIR"] = str(work / f"{name}-first")
    timed([*proactief, "intake", str(data)], env)
    rows_file = work / f"{name}-rows.pickle"
    count = _stored_rows(first, rows_file)
    intake_s: list[float] = []
    intake_mb: list[float] = []
    peer_s: list[float] = []
    peer_mb: list[float] = []
    for rep in range(reps):
        # interleaved: intake, then the peer, then intake again ...
        url = fresh(f"intake{rep}")
        env["PROACTIEF_DATABASE_URL"] = url
        env["PROACTIEF_DATA_DIR"] = str(work / f"{name}-intake{rep}")
        s, mb, _ = timed([*proactief, "intake", str(data)], env)
        intake_s.append(s)
        intake_mb.append(mb)
        url = fresh(f"peer{rep}")
        s, mb, _ = timed([sys.executable, "-c", PEER, url, str(rows_file)], env)
        peer_s.append(s)
        peer_mb.append(mb)
        print(f"{name} rep {rep + 1}: intake {intake_s[-1]:.2f} s, peer {s:.2f} s", flush=True)
    i, p = statistics.median(intake_s), statistics.median(peer_s)
    return {
        "name": name,
        "rows": count,
        "intake_s": i,
        "peer_s": p,
        "intake_mb": max(intake_mb),
        "peer_mb": max(peer_mb),
        "rate": n / i,
        "peer_rate": n / p,
        "ratio": i / p,
        "all_intake": intake_s,
        "all_peer": peer_s,
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks-intake-peer.md")
    options = parser.parse_args(argv)
    results: list[dict[str, object]] = []
    sizes: dict[int, float] = {}
    for n in options.signals:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            data = work / "signalen.json"
            make_file(data, n)
            sizes[n] = data.stat().st_size / 1e6
            results.append(
                {"signals": n, **_measure("SQLite", _sqlite(work), data, work, options.reps, n)}
            )
            pg = _postgres()
            if pg is not None:
                fresh, drop = pg
                try:
                    measured = _measure("PostgreSQL", fresh, data, work, options.reps, n)
                    results.append({"signals": n, **measured})
                finally:
                    drop()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    files = ", ".join(f"{n:,} = {mb:.0f} MB" for n, mb in sizes.items())
    lines = [
        "# Intake against a plain bulk insert",
        "",
        f"Measured {date.today().isoformat()} with `benchmarks/bench_intake_peer.py` on "
        f"{machine}: valid DDAS signals ({files} of JSON), {options.reps} interleaved "
        "repetitions per database and size, medians. "
        "Each figure is a whole fresh process (start-up and migrations included); memory is "
        "its peak resident set. The peer loads the very rows intake stored (read back from a "
        "first intake) into the same tables in one transaction: on PostgreSQL by COPY "
        "straight into each table, on SQLite one `executemany` per table; no parsing, no "
        "checks, no exactly-once rules. Intake itself loads PostgreSQL by COPY too. Issue 19 "
        "asks intake for at least half the peer's speed (a ratio of 2 or less), and for "
        "1,000,000 signals in under 60 s.",
        "",
        "| signals | database | intake | plain bulk insert (peer) | intake / peer | rows stored |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['signals']:,} | {r['name']} | {r['intake_s']:.2f} s = {r['rate']:,.0f} "
            f"signals/s, peak {r['intake_mb']:.0f} MB | {r['peer_s']:.2f} s = "
            f"{r['peer_rate']:,.0f} signals/s, peak {r['peer_mb']:.0f} MB | "
            f"**{r['ratio']:.2f}x** the time | {r['rows']:,} |"
        )
    lines += [
        "",
        "Every repetition (seconds, intake / peer): "
        + "; ".join(
            f"{r['signals']:,} {r['name']}: "
            + ", ".join(
                f"{a:.2f} / {b:.2f}"
                for a, b in zip(r["all_intake"], r["all_peer"], strict=True)  # type: ignore[call-overload]
            )
            for r in results
        ),
        "",
        "What intake does beyond the peer, per record: a first pass over the JSON events that",
        "checks the file's structure before anything is stored (so a broken file stores",
        "nothing) and counts each levering's signals; the signal built by ijson's C code; the",
        "validation of every field with its reason; the elfproef and the keyed hash (HMAC) of",
        "the BSN; the lookup of signal IDs already stored (exactly once); and the audit line.",
        "On SQLite a file of 20,000 records or more is read and checked in a second process",
        "while the intake's own process stores the batch before (the peer uses one process);",
        "on PostgreSQL a second thread stores each batch while the next is read.",
        "",
    ]
    options.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {options.output}")
    return {"sizes": sizes, "results": results}


if __name__ == "__main__":
    main()
