"""An Amsterdam-sized demo, on demand (never in the test suite).

    .venv/bin/python benchmarks/bench_demo_city.py [--inwoners 900000] [--requests 30]
        [--skip-sqlite] [--skip-postgres]

1. `proactief demo --inwoners N` on the embedded default (a new SQLite file), in a fresh
   process: wall time and peak memory of that process (targets: under 5 minutes and
   4 GB).
2. The same demo on PostgreSQL (a new schema in the database `test` at 127.0.0.1), timed
   the same way; then the web app on that database, served by uvicorn in this process,
   asked by one logged-in team lead: six views of the work queue, the case pages of R
   different cases, and the dashboard, each R times; p50 and p95 per page and over all
   (target: p95 under 300 ms). The dashboard keeps its figures 5 minutes, as `proactief
   serve` does: its first request, which counts, is timed and shown apart.
Writes docs/benchmarks-demo-city.md and returns the figures (run_benchmarks.py uses them).
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
from bench_web import csrf, serve
from run_benchmarks import timed
from sqlalchemy import create_engine, select, text

from proactief.accounts.users import Rol, add_user
from proactief.storage.db import create_db_engine
from proactief.storage.tables import cases
from proactief.web import create_app

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "benchmark-wachtwoord-2026"
TARGET_S = 300.0
TARGET_MB = 4096.0
TARGET_P95_MS = 300.0
QUEUE_VIEWS = {
    "werkvoorraad (default)": "/werkvoorraad",
    "werkvoorraad, sorted on next action": "/werkvoorraad?sorteer=actie",
    "werkvoorraad, status bereikt": "/werkvoorraad?status=bereikt",
    "werkvoorraad, partner + crisis": "/werkvoorraad?partner=Huur&crisis=ja",
    "werkvoorraad, last page": "/werkvoorraad?pagina=100000",
}


def p95(values: list[float]) -> float:
    """The 95th percentile (statistics' exclusive method); one value is its own."""
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def run_demo(inwoners: int, env: dict[str, str]) -> dict[str, float]:
    proactief = [sys.executable, "-m", "proactief"]
    seconds, peak_mb, _out = timed([*proactief, "demo", "--inwoners", str(inwoners)], env)
    print(f"demo of {inwoners:,}: {seconds:.1f} s, peak {peak_mb:,.0f} MB", flush=True)
    return {"seconds": seconds, "peak_mb": peak_mb}


def web_latency(url: str, requests: int) -> dict[str, list[float]]:
    engine = create_db_engine(url, pool_size=5, max_overflow=5)
    with engine.begin() as conn:
        add_user(conn=conn, gebruikersnaam="bench-lead", wachtwoord=PASSWORD, rol=Rol.TEAMLEIDER)
        every = list(conn.scalars(select(cases.c.id).order_by(cases.c.id)))
    chosen = random.Random(2026).sample(every, min(requests, len(every)))
    # the dashboard's figures kept 5 minutes, as `proactief serve` keeps them
    app = create_app(engine=engine, secret_key=b"c" * 32, secure_cookies=False, dashboard_minuten=5)
    server, base = serve(app)
    pages = {
        **QUEUE_VIEWS,
        "werkvoorraad, search on a case number": f"/werkvoorraad?zoek={chosen[0]}",
    }
    times: dict[str, list[float]] = {}
    try:
        with httpx.Client(base_url=base, follow_redirects=False, timeout=120) as client:
            token = csrf(client.get("/login").text)
            login = client.post(
                "/login",
                data={"gebruikersnaam": "bench-lead", "wachtwoord": PASSWORD, "csrf_token": token},
            )
            assert login.status_code == 303, login.status_code

            def ask(name: str, path: str) -> None:
                start = time.perf_counter()
                response = client.get(path)
                times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)

            # the first dashboard counts every case (then kept 5 minutes): timed apart
            ask("dashboard, counted (the first request)", "/dashboard")
            for path in (*pages.values(), f"/zaken/{chosen[0]}"):
                assert client.get(path).status_code == 200, path  # warm
            for name, path in pages.items():
                for _ in range(requests):
                    ask(name, path)
            for case_id in chosen:
                ask("case page", f"/zaken/{case_id}")
            for _ in range(requests):
                ask("dashboard, kept figures", "/dashboard")
    finally:
        server.should_exit = True
        engine.dispose()
    return times


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inwoners", type=int, default=900_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"inwoners": args.inwoners}
    env = dict(os.environ)
    env.pop("PROACTIEF_DATABASE_URL", None)
    env["COLUMNS"] = "150"
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sqlite:
            env["PROACTIEF_DATA_DIR"] = str(Path(tmp) / "sqlite")
            result["sqlite"] = run_demo(args.inwoners, env)
        if not args.skip_postgres:
            schema = f"bench_city_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
            try:
                env["PROACTIEF_DATA_DIR"] = str(Path(tmp) / "postgres")
                env["PROACTIEF_DATABASE_URL"] = url
                result["postgres"] = run_demo(args.inwoners, env)
                views = web_latency(url, args.requests)
                everything = [t for k, ts in views.items() for t in ts if "counted" not in k]
                result["web"] = {
                    "views": {k: (statistics.median(v), p95(v), len(v)) for k, v in views.items()},
                    "p50": statistics.median(everything),
                    "p95": p95(everything),
                }
                print(
                    f"web: p50 {result['web']['p50']:.0f} ms, p95 {result['web']['p95']:.0f} ms",
                    flush=True,
                )
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    write_doc(result)
    return result


def write_doc(r: dict[str, Any]) -> None:
    n = r["inwoners"]
    rows = []
    for db in ("sqlite", "postgres"):
        if db in r:
            d = r[db]
            rows.append(
                f"| `proactief demo --inwoners {n:,}` on "
                f"{'SQLite (the default)' if db == 'sqlite' else 'PostgreSQL'} | "
                f"**{d['seconds']:.0f} s**, peak **{d['peak_mb']:,.0f} MB** | < "
                f"{TARGET_S:.0f} s, < {TARGET_MB:,.0f} MB | {d['seconds'] / TARGET_S:.2f}x the "
                f"time, {d['peak_mb'] / TARGET_MB:.2f}x the memory |"
            )
    if "web" in r:
        w = r["web"]
        rows.append(
            f"| web pages on that PostgreSQL database, all requests | p50 **{w['p50']:.0f} ms**,"
            f" p95 **{w['p95']:.0f} ms** | p95 < {TARGET_P95_MS:.0f} ms | "
            f"{w['p95'] / TARGET_P95_MS:.2f}x the limit |"
        )
    per_page = "\n".join(
        f"| {name} | {count} | {p50:.0f} ms | {p95_:.0f} ms |"
        for name, (p50, p95_, count) in r.get("web", {}).get("views", {}).items()
    )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    body = f"""# Benchmark: an Amsterdam-sized demo

Run with `.venv/bin/python benchmarks/bench_demo_city.py --inwoners {n}` on {date.today()}
({machine}). Figures from that run. Each demo is the real command in a fresh process
(start-up and migrations included) on an empty database; memory is the peak resident set of
that process.

| what | result | target | ratio to target |
|---|---|---|---|
{chr(10).join(rows)}

The web pages are served by uvicorn in the benchmark's process from the PostgreSQL database
the demo just filled, and asked one after another by one logged-in team lead (who may see
the work queue, case pages and the dashboard). Every page makes its audited read, as in use.
The dashboard's figures are counted by its first request and then kept 5 minutes (as
`proactief serve` does; the page says when they were counted): that first request is
its own row and is left out of the p50 and p95 over all pages.

| page | requests | p50 | p95 |
|---|---|---|---|
{per_page}
"""
    (ROOT / "docs" / "benchmarks-demo-city.md").write_text(body, encoding="utf-8")
    print("wrote docs/benchmarks-demo-city.md", flush=True)


if __name__ == "__main__":
    main()
