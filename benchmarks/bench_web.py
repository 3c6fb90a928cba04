"""Web benchmarks, run on demand (never in the test suite).

    .venv/bin/python benchmarks/bench_web.py [--cases 10000] [--residents 50] [--seconds 60]

1. The work-queue page for a municipality with N open cases on PostgreSQL: 100 requests
   by a logged-in contact worker, p50 and p95 (target: p95 < 300 ms). The peer measured
   in the same run is the query behind the page (`work_queue`, first 200 cases) on its
   own, so the ratio is what the web layer adds.
2. R residents changing their channel choices concurrently for S seconds through the
   API: every accepted change must be in the registry, and each resident's final state
   must be their last accepted choice (no lost update).
Writes docs/benchmarks-web.md. Needs PostgreSQL at 127.0.0.1:5432 (database test).
"""

import argparse
import platform
import random
import re
import socket
import statistics
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvicorn
from sqlalchemy import create_engine, text

from proactief.accounts.resident_codes import create_code
from proactief.accounts.users import Rol, add_user
from proactief.domain import Kanaal
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals, work_queue
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.storage.db import create_db_engine, migrate
from proactief.trust.consent import current_state, events_of
from proactief.web import create_app
from proactief.web.routes.cases import QUEUE_PAGE_SIZE

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "benchmark-wachtwoord-2026"
TARGET_P95_MS = 300.0


def populate(engine: Any, cases: int, residents: int) -> list[str]:
    """N signals of N persons (all open cases after one matching run), a contact worker,
    and one code per benchmark resident."""
    today = date.today()
    with engine.begin() as conn:
        early_repo.insert_identities(
            conn,
            [
                {
                    "person_pseudonym": f"P{i:07d}",
                    "bsn": "111222333",
                    "geslacht": None,
                    "geboortedatum": None,
                    "postcode": None,
                    "huisnummer": None,
                    "huisnummertoevoeging": None,
                }
                for i in range(cases)
            ],
        )
        early_repo.insert_signals(
            conn,
            [
                {
                    "signal_id": f"W-{i}",
                    "signaalpartner": ("Zorg", "Energie", "Huur")[i % 3],
                    "person_pseudonym": f"P{i:07d}",
                    "bedrag": 100 + i % 900,
                    "ontstaansdatum": today - timedelta(days=60),
                    "signaaldatum": today - timedelta(days=1 + i % 20),
                    "crisissignaal": i % 40 == 0,
                    "warme_overdracht": False,
                    "source_sha256": "bench",
                }
                for i in range(cases)
            ],
        )
        match_signals(conn=conn, matchingsdatum=today, config=load_work_queue_config())
        add_user(conn=conn, gebruikersnaam="bench", wachtwoord=PASSWORD, rol=Rol.CONTACTMEDEWERKER)
        codes = [create_code(conn=conn, person_pseudonym=f"P{i:07d}") for i in range(residents)]
        open_cases = early_repo.count_open_cases(conn)
    print(f"{open_cases} open cases", flush=True)
    return codes


def csrf(html: str, meta: bool = False) -> str:
    pattern = (
        r'name="csrf-token" content="([^"]+)"' if meta else r'name="csrf_token" value="([^"]+)"'
    )
    found = re.search(pattern, html)
    assert found
    return found.group(1)


def serve(app: Any) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://localhost:{port}"


def queue_latency(base: str, requests: int) -> list[float]:
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        token = csrf(client.get("/login").text)
        client.post(
            "/login", data={"gebruikersnaam": "bench", "wachtwoord": PASSWORD, "csrf_token": token}
        )
        assert client.get("/werkvoorraad").status_code == 200
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get("/werkvoorraad")
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    return times


def residents_race(base: str, codes: list[str], seconds: float) -> dict[str, Any]:
    accepted: dict[str, list[str]] = {}
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def resident(code: str) -> None:
        rng = random.Random(code)
        with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
            token = csrf(client.get("/inwoner").text)
            assert (
                client.post("/inwoner", data={"code": code, "csrf_token": token}).status_code == 303
            )
            api_token = csrf(client.get("/inwoner/mijn").text, meta=True)
            me = client.get("/api/v1/voorkeuren")
            person_choices: list[str] = []
            while time.monotonic() < deadline:
                choice = rng.sample([k.value for k in Kanaal], rng.randint(1, 3))
                response = client.put(
                    "/api/v1/voorkeuren/kanalen",
                    json={"kanalen": choice},
                    headers={"X-CSRF-Token": api_token},
                )
                if response.status_code == 200:
                    person_choices.append(",".join(choice))
                else:
                    errors.append(str(response.status_code))
            accepted[code] = person_choices
            assert me.status_code == 200

    threads = [threading.Thread(target=resident, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"accepted": accepted, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = create_db_engine(
            f"{PG_URL}?options=-csearch_path%3D{schema}", pool_size=20, max_overflow=60
        )
        migrate(engine)
        codes = populate(engine, args.cases, args.residents)
        server, base = serve(create_app(engine=engine, secret_key=b"w" * 32, secure_cookies=False))
        peer = []
        for _ in range(20):
            start = time.perf_counter()
            with engine.begin() as conn:
                work_queue(conn=conn, actor="bench", limit=QUEUE_PAGE_SIZE)
            peer.append((time.perf_counter() - start) * 1000)
        times = queue_latency(base, args.requests)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[18]
        peer_p50 = statistics.median(peer)
        print(
            f"work queue page: p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
            f"query alone p50 {peer_p50:.0f} ms",
            flush=True,
        )
        race = residents_race(base, codes, args.seconds)
        total = sum(len(v) for v in race["accepted"].values())
        lost = 0
        with engine.connect() as conn:
            for i, code in enumerate(codes):
                person = f"P{i:07d}"
                choices = race["accepted"][code]
                events = [
                    e
                    for e in events_of(conn=conn, person_pseudonym=person)
                    if e.soort.value == "kanalen"
                ]
                final = ",".join(
                    k.value for k in current_state(conn=conn, person_pseudonym=person).kanalen
                )
                if len(events) != len(choices) or (choices and final != choices[-1]):
                    lost += 1
        server.should_exit = True
        print(
            f"residents: {total} accepted changes, {len(race['errors'])} refused, "
            f"{lost} residents with a lost update",
            flush=True,
        )
        write_doc(args, p50, p95, peer_p50, total, race["errors"], lost)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def write_doc(
    args: Any, p50: float, p95: float, peer: float, total: int, errors: list[str], lost: int
) -> None:
    row1 = (
        f"| work-queue page, {args.cases:,} open cases, {args.requests} requests "
        f"| p50 **{p50:.0f} ms**, p95 **{p95:.0f} ms** | p95 < {TARGET_P95_MS:.0f} ms "
        f"| {p95 / TARGET_P95_MS:.2f}× the limit; {p50 / peer:.2f}× the query alone "
        f"(the query behind the page, first 200 cases: p50 {peer:.0f} ms in the same run) |"
    )
    row2 = (
        f"| {args.residents} residents changing channels for {args.seconds:.0f} s through "
        f"`/api/v1` | {total:,} changes accepted, {len(errors)} refused | no lost update "
        f"| **{lost}** residents with a lost update |"
    )
    text_ = f"""# Web benchmarks

Run with `.venv/bin/python benchmarks/bench_web.py` on {date.today()} ({platform.machine()},
{platform.python_implementation()} {platform.python_version()}, PostgreSQL 127.0.0.1, uvicorn
in the same process, one client). Figures from that run.

| measure | result | target | ratio |
|---|---|---|---|
{row1}
{row2}

The page shows the first 200 cases of the queue; the rest is counted. Preferences are
events (append-only), so concurrent changes cannot overwrite each other; the benchmark
checks that every accepted change is an event and that each resident's final state is
their last accepted choice.
"""
    (ROOT / "docs" / "benchmarks-web.md").write_text(text_, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
