"""Web benchmarks, run on demand (never in the test suite).

    .venv/bin/python benchmarks/bench_web.py [--cases 10000,100000] [--residents 50]
        [--seconds 60] [--requests 30]

1. The work-queue page for a municipality with N open cases on PostgreSQL (10,000 and
   100,000 by default; a third of them with a letter sent, some reached, with open call
   tasks, owners and follow-ups): each of seven views (the default order, sorted on the
   next action, a worker's 'vandaag te doen', a search on a case number, partner and
   crisis filters, the last page, status 'bereikt') asked R times by a logged-in contact
   worker; p50 and p95 per view and over all (target: p95 < 300 ms). The peer measured in
   the same run is the queue query of before issue 15 (`work_queue`, first 50 cases in
   priority order, no status, next action or sort), so the ratio is what the team's
   queue costs over it.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvicorn
from sqlalchemy import create_engine, insert, select, text, update

from proactief.accounts.resident_codes import create_code
from proactief.accounts.users import Rol, add_user
from proactief.domain import Kanaal
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals, work_queue
from proactief.early_detection.queue import refresh_queue_fields, stale_queue_fields
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.storage.db import create_db_engine, migrate
from proactief.storage.tables import cases as cases_table
from proactief.storage.tables import contact_attempts, outreach_steps
from proactief.trust.consent import current_state, events_of
from proactief.web import create_app

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "benchmark-wachtwoord-2026"
TARGET_P95_MS = 300.0


def populate(engine: Any, cases: int, residents: int) -> list[str]:
    """N signals of N persons (all open cases after one matching run), a team of four
    with owners, letters, reached residents, open call tasks and follow-ups, and one code
    per benchmark resident."""
    today = date.today()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        early_repo.insert_identities(
            conn,
            [
                {
                    "person_pseudonym": f"P{i:07d}",
                    "bsn": "111222333",
                    "geslacht": None,
                    "geboortedatum": None,
                    "postcode": f"{1000 + i % 900}AB",
                    "huisnummer": str(1 + i % 200),
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
        team = [
            add_user(
                conn=conn, gebruikersnaam=f"w{n}", wachtwoord=PASSWORD, rol=Rol.CONTACTMEDEWERKER
            ).id
            for n in range(3)
        ]
        owners = [u for u in (*team, None) for _ in range(1)]
        ids = list(conn.scalars(select(cases_table.c.id).order_by(cases_table.c.id)))
        bench_id = conn.scalar(
            select(text("id")).select_from(text("users")).where(text("gebruikersnaam = 'bench'"))
        )
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            steps, attempts = [], []
            for case_id in chunk:
                k = case_id % 12
                owner = bench_id if k == 0 else owners[case_id % len(owners)]
                conn.execute(
                    update(cases_table)
                    .where(cases_table.c.id == case_id)
                    .values(
                        eigenaar_id=owner,
                        volgende_stap_datum=today + timedelta(days=case_id % 9 - 2)
                        if k < 4
                        else None,
                        vervolg_datum=today + timedelta(days=case_id % 5) if k == 5 else None,
                        vervolg="Terugbellen" if k == 5 else None,
                    )
                )
                if k < 6:
                    steps.append(
                        {
                            "case_id": case_id,
                            "stap": 0,
                            "kanaal": "telefoon" if k == 3 else "brief",
                            "tijdstip": now - timedelta(days=case_id % 7),
                            "status": "taak_open" if k == 3 else "afgeleverd",
                            "detail": "",
                            "toon": "neutraal",
                        }
                    )
                if k in (4, 5):
                    attempts.append(
                        {
                            "case_id": case_id,
                            "soort": "Telefoon",
                            "datum": today,
                            "dagdeel": None,
                            "bereikt": True,
                            "door": "bench",
                        }
                    )
            conn.execute(insert(outreach_steps), steps)
            conn.execute(insert(contact_attempts), attempts)
            # the bulk inserts above bypass the repositories: derive the queue fields as
            # every write through them does
            refresh_queue_fields(conn, chunk)
        codes = [create_code(conn=conn, person_pseudonym=f"P{i:07d}") for i in range(residents)]
        open_cases = early_repo.count_open_cases(conn)
        assert stale_queue_fields(conn) == []
    # what autovacuum does on a live database after a bulk load: statistics and the
    # visibility map (index-only scans), so the plans are those of production
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"{open_cases} open cases", flush=True)
    return codes


VIEWS = {
    "default order": "/werkvoorraad",
    "sorted on next action": "/werkvoorraad?sorteer=actie&richting=op",
    "vandaag te doen": "/werkvoorraad?eigenaar=mij&actie=vandaag&sorteer=actie",
    "search on a case number": "/werkvoorraad?zoek=4242",
    "partner + crisis": "/werkvoorraad?partner=Huur&crisis=ja",
    "last page": "/werkvoorraad?pagina=100000",
    "status bereikt": "/werkvoorraad?status=bereikt",
}


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


def queue_latency(base: str, requests: int) -> dict[str, list[float]]:
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
        token = csrf(client.get("/login").text)
        client.post(
            "/login", data={"gebruikersnaam": "bench", "wachtwoord": PASSWORD, "csrf_token": token}
        )
        times: dict[str, list[float]] = {}
        for name, path in VIEWS.items():
            assert client.get(path).status_code == 200, path  # warm
            times[name] = []
            for _ in range(requests):
                start = time.perf_counter()
                response = client.get(path)
                times[name].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
    return times


def residents_race(base: str, codes: list[str], seconds: float) -> dict[str, Any]:
    accepted: dict[str, list[str]] = {}
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def resident(code: str) -> None:
        rng = random.Random(code)
        # each resident from an address of their own (through the trusted proxy), as in
        # life: the code limit counts per client address
        address = f"10.0.{codes.index(code) // 250}.{codes.index(code) % 250 + 1}"
        with httpx.Client(
            base_url=base,
            follow_redirects=False,
            timeout=30,
            headers={"X-Forwarded-For": address},
        ) as client:
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


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def measure(size: int, args: Any) -> dict[str, Any]:
    """One fresh schema with ``size`` open cases: the queue views, the peer, and (for the
    first size only) the residents' race."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = create_db_engine(
            f"{PG_URL}?options=-csearch_path%3D{schema}", pool_size=20, max_overflow=60
        )
        migrate(engine)
        started = time.perf_counter()
        codes = populate(engine, size, args.residents)
        print(f"populated in {time.perf_counter() - started:.0f} s", flush=True)
        server, base = serve(
            create_app(
                engine=engine,
                secret_key=b"w" * 32,
                secure_cookies=False,
                trusted_proxies=("127.0.0.1",),
            )
        )
        peer = []
        for _ in range(20):
            start = time.perf_counter()
            with engine.begin() as conn:
                work_queue(conn=conn, actor="bench", limit=50)
            peer.append((time.perf_counter() - start) * 1000)
        views = queue_latency(base, args.requests)
        everything = [t for ts in views.values() for t in ts]
        result: dict[str, Any] = {
            "size": size,
            "views": {k: (statistics.median(v), p95(v)) for k, v in views.items()},
            "p50": statistics.median(everything),
            "p95": p95(everything),
            "peer": statistics.median(peer),
        }
        print(
            f"{size:,} cases: queue p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms; "
            f"old query alone p50 {result['peer']:.0f} ms",
            flush=True,
        )
        if args.residents and not args.skip_race:
            result["race"] = race_of(engine, base, codes, args)
        server.should_exit = True
        return result
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def race_of(engine: Any, base: str, codes: list[str], args: Any) -> dict[str, Any]:
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
    print(
        f"residents: {total} accepted changes, {len(race['errors'])} refused, "
        f"{lost} residents with a lost update",
        flush=True,
    )
    return {"total": total, "errors": len(race["errors"]), "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="10000,100000")
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--skip-race", action="store_true")
    args = parser.parse_args()
    sizes = [int(n) for n in args.cases.split(",")]
    results = []
    for n, size in enumerate(sizes):
        args_for = argparse.Namespace(**{**vars(args), "skip_race": args.skip_race or n > 0})
        results.append(measure(size, args_for))
    write_doc(args, results)


def write_doc(args: Any, results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        rows.append(
            f"| work-queue page, {r['size']:,} open cases, 7 views × {args.requests} requests "
            f"| p50 **{r['p50']:.0f} ms**, p95 **{r['p95']:.0f} ms** | p95 < "
            f"{TARGET_P95_MS:.0f} ms | {r['p95'] / TARGET_P95_MS:.2f}× the limit; p50 "
            f"{r['p50'] / r['peer']:.2f}× the old queue query alone (p50 {r['peer']:.0f} ms "
            "in the same run) |"
        )
    race = next((r["race"] for r in results if "race" in r), None)
    if race:
        rows.append(
            f"| {args.residents} residents changing channels for {args.seconds:.0f} s through "
            f"`/api/v1` | {race['total']:,} changes accepted, {race['errors']} refused | no "
            f"lost update | **{race['lost']}** residents with a lost update |"
        )
    views = []
    for r in results:
        for name, (p50, p95_) in r["views"].items():
            views.append(f"| {r['size']:,} | {name} | {p50:.0f} ms | {p95_:.0f} ms |")
    table = "\n".join(rows)
    per_view = "\n".join(views)
    text_ = f"""# Web benchmarks

Run with `.venv/bin/python benchmarks/bench_web.py` on {date.today()} ({platform.machine()},
{platform.python_implementation()} {platform.python_version()}, PostgreSQL 127.0.0.1, uvicorn
in the same process, one client). Figures from that run.

| measure | result | target | ratio |
|---|---|---|---|
{table}

Each page is the whole work queue as a contact worker gets it: 50 cases, sorted and filtered
in the database, with each case's status and next action (derived in SQL and kept on the
case by every write; the benchmark checks that none is stale after populating), the flags
for do-not-contact and waiting replies, the worker list, and the page's audit entry (one
audited read under vroegsignalering per page). The peer is the queue query of
before issue 15 (first 50 cases in priority
order, without status, next action or sorting), timed on its own in the same run.

Per view (p50, p95):

| open cases | view | p50 | p95 |
|---|---|---|---|
{per_view}

Preferences are events (append-only), so concurrent changes cannot overwrite each other;
the benchmark checks that every accepted change is an event and that each resident's final
state is their last accepted choice.
"""
    (ROOT / "docs" / "benchmarks-web.md").write_text(text_, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
