"""The command line as a user runs it: real processes, a real database file."""

import json
import os
import signal as os_signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select

from conftest import TODAY, VALID_BSNS, ddas_document, run_cli, signal
from proactief.early_detection.report import validate_ddas_report
from proactief.storage.tables import signals

BIN = Path(sys.executable).parent / "proactief"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env)


@pytest.fixture
def env(tmp_path: Path, db_url: str) -> dict[str, str]:
    """Environment of a user with an empty data folder, on both databases."""
    e = dict(os.environ)
    e["PROACTIEF_DATA_DIR"] = str(tmp_path / "data")
    e["PROACTIEF_DATABASE_URL"] = db_url
    e["COLUMNS"] = "200"
    return e


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PROACTIEF_DATA_DIR"] = str(tmp_path / "data")
    e.pop("PROACTIEF_DATABASE_URL", None)
    e["COLUMNS"] = "200"
    return e


def test_help_works_both_ways(sqlite_env: dict[str, str]) -> None:
    module = run(["--help"], sqlite_env)
    assert module.returncode == 0 and "intake" in module.stdout
    script = subprocess.run([str(BIN), "--help"], capture_output=True, text=True, check=False)
    assert script.returncode == 0 and "demo" in script.stdout


def test_intake_exit_codes_and_rejected_listing(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "goed.json"
    good.write_text(json.dumps(ddas_document([signal(ID="A"), signal(ID="B", bedrag=-4)])))
    first = run(["intake", str(good), "--today", TODAY.isoformat()], env)
    assert first.returncode == 0, first.stderr
    assert "goed.json" in first.stdout and "│ 1 " in first.stdout

    strict = run(["intake", str(good), "--strict", "--today", TODAY.isoformat()], env)
    assert strict.returncode == 1

    listing = run(["intake", "--rejected"], env)
    assert listing.returncode == 0
    assert "leveringen[0].vroegsignalen[1]" in listing.stdout and "negatief" in listing.stdout

    broken = tmp_path / "kapot.json"
    broken.write_text("{nope")
    failed = run(["intake", str(broken)], env)
    assert failed.returncode == 2
    assert "kapot.json" in failed.stderr and "line 1" in failed.stderr


def test_no_bsn_in_any_output(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    """Neither normal output nor errors show a BSN."""
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            ddas_document(
                [signal(ID="A"), signal(ID="B", client={"burgerservicenummer": VALID_BSNS[1]})]
            )
        )
    )
    outputs = []
    for args in (
        ["intake", str(path), "--today", TODAY.isoformat()],
        ["intake", "--rejected"],
        ["cases", "match", "--datum", TODAY.isoformat()],
        ["cases"],
        ["cases", "show", "1"],
    ):
        done = run(args, sqlite_env)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    for bsn in VALID_BSNS[:2]:
        assert all(bsn not in out for out in outputs)


def test_cases_contact_close_and_report(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            ddas_document(
                [
                    signal(ID="A", crisissignaal=True),
                    signal(ID="B", client={"burgerservicenummer": VALID_BSNS[1]}),
                ]
            )
        )
    )
    assert run(["intake", str(path), "--today", TODAY.isoformat()], env).returncode == 0
    matched = run(["cases", "match", "--datum", "2026-05-01"], env)
    assert "2 nieuwe zaken" in matched.stdout
    queue = run(["cases"], env)
    assert "Crisissignaal" in queue.stdout
    assert queue.stdout.index("+1000") < queue.stdout.index("Hoogte")
    # the same queue as the web app: status, filters, paging, search
    assert "Nieuw" in queue.stdout and "Pagina 1 van 1: 2 van 2 open zaken." in queue.stdout
    assert "1 van 1 open zaken" in run(["cases", "--crisis"], env).stdout
    case_a = _case_of(env["PROACTIEF_DATABASE_URL"], "A")
    found = run(["cases", "--zoek", case_a], env)
    assert "1 van 1 open zaken" in found.stdout
    bad = run(["cases", "--limit", "7"], env)
    assert bad.returncode != 0 and "kies 25, 50 of 100" in bad.stderr
    unknown = run(["cases", "--eigenaar", "niemand"], env)
    assert unknown.returncode != 0 and "bestaat niet" in unknown.stderr
    contact = run(
        [
            "cases",
            "contact",
            case_a,
            "--soort",
            "Telefoon",
            "--bereikt",
            "--datum",
            "2026-05-02",
            "--dagdeel",
            "Ochtend",
        ],
        env,
    )
    assert contact.returncode == 0, contact.stderr
    accepted = run(["cases", "accept", case_a, "--datum", "2026-05-02"], env)
    assert accepted.returncode == 0 and "neemt hulp aan" in accepted.stdout, accepted.stderr
    case_b = _case_of(env["PROACTIEF_DATABASE_URL"], "B")
    not_reached = run(["cases", "accept", case_b], env)
    assert not_reached.returncode == 2 and "bereikte" in not_reached.stderr
    closed = run(
        [
            "cases",
            "close",
            case_a,
            "--resultaat",
            "(Budget)advies en/of quick fix",
            "--datum",
            "2026-05-03",
        ],
        env,
    )
    assert closed.returncode == 0, closed.stderr
    again = run(["cases", "contact", case_a, "--soort", "Brief", "--niet-bereikt"], env)
    assert again.returncode == 2 and "afgesloten" in again.stderr
    missing = run(["cases", "show", "99"], env)
    assert missing.returncode == 2 and "bestaat niet" in missing.stderr

    out = tmp_path / "cbs.json"
    report = run(
        [
            "report",
            "ddas",
            "--from",
            "2026-04-01",
            "--to",
            "2026-05-31",
            "--gemeentecode",
            "0344",
            "-o",
            str(out),
        ],
        env,
    )
    assert report.returncode == 0, report.stderr
    document = json.loads(out.read_text())
    assert validate_ddas_report(document) == []
    levering = document["leveringen"][0]
    statuses = {s["ID"]: s["status"] for s in levering["vroegsignalen"]}
    assert statuses == {"A": "Opgepakt", "B": "Nog niet opgepakt"}

    bad = run(
        [
            "report",
            "ddas",
            "--from",
            "2026-04-01",
            "--to",
            "2026-05-31",
            "--gemeentecode",
            "Utrecht",
            "-o",
            str(tmp_path / "no.json"),
        ],
        env,
    )
    assert bad.returncode == 2 and "gemeentecode" in bad.stderr
    assert not (tmp_path / "no.json").exists()


def test_demo_runs_small_and_writes_a_valid_report(sqlite_env: dict[str, str]) -> None:
    done = run(["demo", "--residents", "3000", "--months", "3"], sqlite_env)
    assert done.returncode == 0, done.stderr
    assert "Gemeente Voorbeeld" in done.stdout and "geweigerd" in done.stdout
    reports = list((Path(sqlite_env["PROACTIEF_DATA_DIR"]) / "demo").glob("ddas-*.json"))
    assert len(reports) == 1
    assert validate_ddas_report(json.loads(reports[0].read_text())) == []
    demo_dir = Path(sqlite_env["PROACTIEF_DATA_DIR"]) / "demo"
    assert "Niet-gebruik 2025" in done.stdout
    scan = subprocess.run(
        [
            sys.executable,
            "-m",
            "proactief",
            "rules",
            "scan",
            str(demo_dir / "bevolking.csv"),
            "--receipts",
            str(demo_dir / "ontvangsten.csv"),
            "--jaar",
            "2025",
            "-o",
            str(demo_dir / "opnieuw.csv"),
            "--json",
        ],
        env=sqlite_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert scan.returncode == 0, scan.stderr
    summary = {r["regeling"]: r for r in json.loads(scan.stdout)["summary"]}
    assert summary["zorgtoeslag"]["recht_niet_ontvangen"] > 0
    assert summary["zorgtoeslag"]["ontvangt"] > summary["zorgtoeslag"]["recht_niet_ontvangen"]
    first = pd.read_csv(demo_dir / "opnieuw.csv").iloc[0]
    explained = subprocess.run(
        [
            sys.executable,
            "-m",
            "proactief",
            "rules",
            "explain",
            first["regeling"],
            "--jaar",
            "2025",
            "--population",
            str(demo_dir / "bevolking.csv"),
            "--household",
            first["household_id"],
            "--json",
        ],
        env=sqlite_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)["bedrag_per_jaar"] == pytest.approx(
        first["bedrag_per_jaar"], abs=0.01
    )
    refused = run(["demo", "--residents", "3000", "--months", "3"], sqlite_env)
    assert refused.returncode == 2 and "--reset" in refused.stderr
    again = run(["demo", "--residents", "3000", "--months", "3", "--reset"], sqlite_env)
    assert again.returncode == 0, again.stderr


def _case_of(url: str, signal_id: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        case_id = conn.scalar(select(signals.c.case_id).where(signals.c.signal_id == signal_id))
    engine.dispose()
    return str(case_id)


def _big_file(path: Path, n: int) -> None:
    records = [
        signal(
            ID=f"S{i:07d}",
            client={"burgerservicenummer": VALID_BSNS[i % len(VALID_BSNS)]},
            bedrag=i % 1000,
        )
        for i in range(n)
    ]
    path.write_text(json.dumps(ddas_document(records)))


def _stored(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(signals)) or 0
            distinct = conn.scalar(select(func.count(func.distinct(signals.c.signal_id)))) or 0
    except Exception:  # the table may not exist yet while the process starts
        return 0, 0
    finally:
        engine.dispose()
    return int(total), int(distinct)


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its (re)parent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
def test_killed_import_resumes_to_exactly_once(env: dict[str, str], tmp_path: Path) -> None:
    """Kill -9 in the middle of a large import; the second run completes it, no doubles."""
    n = 60_000
    path = tmp_path / "groot.json"
    _big_file(path, n)
    url = env["PROACTIEF_DATABASE_URL"]
    args = [
        sys.executable,
        "-m",
        "proactief",
        "intake",
        str(path),
        "--batch-size",
        "1000",
        "--today",
        TODAY.isoformat(),
    ]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        stored = _stored(url)[0]
        if stored >= 2000:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed"
    helpers = _children(process.pid)
    if url.startswith("sqlite"):  # PostgreSQL stores in a thread of the same process
        assert helpers, "on SQLite a file this large is read in a second process"
    process.send_signal(os_signal.SIGKILL)
    process.wait(timeout=30)
    # the reading process notices at its next batch that nobody reads it, and stops
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in helpers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in helpers), "a reading process outlived the import"
    partial = _stored(url)[0]
    assert 0 < partial < n, f"expected a partial import, found {partial} of {n}"

    second = run(["intake", str(path), "--today", TODAY.isoformat()], env)
    assert second.returncode == 0, second.stderr
    assert _stored(url) == (n, n)
    accepted, duplicates = n - partial, partial
    assert f"│ {accepted} " in second.stdout and f"│ {duplicates} " in second.stdout


def test_rejected_values_cannot_style_or_steer_the_terminal(
    sqlite_env: dict[str, str], tmp_path: Path
) -> None:
    """rich markup and control characters from a file are shown as text (issue 13, item 9):
    '[/red]' used to crash `intake --rejected`, and an escape sequence reached the terminal."""
    hostile = "[/red]\x1b[2J\rOK"
    path = tmp_path / "vijandig.json"
    path.write_text(json.dumps(ddas_document([signal(ID="X", ontstaansdatum=hostile)])))
    taken = run(["intake", str(path), "--today", TODAY.isoformat()], sqlite_env)
    assert taken.returncode == 0, taken.stderr
    listing = run(["intake", "--rejected"], sqlite_env)
    assert listing.returncode == 0, listing.stderr
    assert "[/red]" in listing.stdout and "\\x1b[2J\\x0dOK" in listing.stdout
    assert "\x1b" not in listing.stdout and "\r" not in listing.stdout
