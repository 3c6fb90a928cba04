"""Feedback to creditors: THAT a signal was (not) picked up or that help was accepted,
never why; each status once; kept to what config allows; the CSV and the CLI; on SQLite
and PostgreSQL."""

import csv
import dataclasses
import io
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from conftest import add_queue_case, run_cli
from proactief.domain import Contactpoging, Contactsoort, Eindresultaat
from proactief.early_detection.contacts import accept_help, close_case, register_contact
from proactief.early_detection.feedback import (
    CSV_FIELDS,
    FeedbackStatus,
    as_csv,
    pending_feedback,
    send_feedback,
)
from proactief.early_detection.work_queue import ConfigError, load_work_queue_config
from proactief.storage.tables import case_log, feedback, signals
from proactief.trust import repository as trust_repo

TODAY = date.today()
NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite may run across midnight; the services read date.today() when they run, so
    each test's TODAY and NOW are taken when the test runs, not when it was imported."""
    monkeypatch.setattr(sys.modules[__name__], "TODAY", date.today())
    monkeypatch.setattr(sys.modules[__name__], "NOW", datetime.now(UTC))


def setup_cases(conn: object) -> tuple[int, int, int]:
    """Three Zorg cases: reached and help accepted, not picked up, untouched; and a Huur
    case that is picked up."""
    helped = add_queue_case(conn, 1, partner="Zorg", days_ago=20)
    dropped = add_queue_case(conn, 2, partner="Zorg", days_ago=20)
    new = add_queue_case(conn, 3, partner="Zorg")
    other = add_queue_case(conn, 4, partner="Huur", days_ago=20)
    for case_id in (helped, other):
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(Contactsoort.TELEFOON, TODAY - timedelta(days=5), None, True),
        )
    accept_help(conn=conn, case_id=helped, datum=TODAY - timedelta(days=5))
    close_case(
        conn=conn,
        case_id=dropped,
        eindresultaat=Eindresultaat.NIET_OPGEPAKT_ONTERECHT_SIGNAAL,
        datum=TODAY - timedelta(days=1),
    )
    return helped, dropped, new


def test_only_that_it_happened_goes_back_once(engine: Engine) -> None:
    config = load_work_queue_config()
    with engine.begin() as conn:
        helped, dropped, _new = setup_cases(conn)
        waiting = pending_feedback(conn, config=config, actor="t", partner="Zorg")
        got = {
            (line.signaal_id, line.status, line.datum, line.incasso_pauze_tot) for line in waiting
        }
        accepted = TODAY - timedelta(days=5)
        assert got == {
            ("S1", FeedbackStatus.OPGEPAKT, accepted, None),
            (
                "S1",
                FeedbackStatus.HULP_AANGENOMEN,
                accepted,
                accepted + timedelta(days=config.collection_pause_days or 0),
            ),
            ("S2", FeedbackStatus.NIET_OPGEPAKT, TODAY - timedelta(days=1), None),
        }
        sent = send_feedback(conn, config=config, partner="Zorg", door="medewerker:anna", via="web")
        text = as_csv(sent)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert tuple(rows[0]) == CSV_FIELDS and len(rows) == 3
        # never why: no end result, no reason, no other partner's signal
        assert "onterecht" not in text.lower() and "Niet opgepakt" not in text
        assert "S4" not in text
        # the same again: nothing new
        assert send_feedback(conn, config=config, partner="Zorg", door="t", via="web") == []
        assert conn.execute(select(feedback.c.door).distinct()).scalars().all() == [
            "medewerker:anna"
        ]
        logged = conn.execute(
            select(case_log.c.case_id, case_log.c.tekst).where(case_log.c.soort == "terugkoppeling")
        ).all()
        assert {c for c, _t in logged} == {helped, dropped}
        assert all("Zorg" in t for _c, t in logged)
        # the other partner's own signal is still waiting for it
        assert [
            line.signaal_id
            for line in pending_feedback(conn, config=config, actor="t", partner="Huur")
        ] == ["S4"]


def test_the_configuration_keeps_it_to_what_the_convenant_allows(
    engine: Engine, tmp_path: Path
) -> None:
    shipped = load_work_queue_config()
    less = dataclasses.replace(shipped, feedback=frozenset({"hulp_aangenomen"}))
    with engine.begin() as conn:
        setup_cases(conn)
        statuses = {line.status for line in pending_feedback(conn, config=less, actor="t")}
    assert statuses == {FeedbackStatus.HULP_AANGENOMEN}
    # a key for a reason cannot be added
    source = Path("src/proactief/config/work_queue.yaml").read_text(encoding="utf-8")
    wider = tmp_path / "work_queue.yaml"
    wider.write_text(
        source.replace("  hulp_aangenomen: true\n", "  hulp_aangenomen: true\n  reden: true\n"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="reden"):
        load_work_queue_config(wider)


def test_retention_deletes_what_was_sent_with_the_signal(engine: Engine) -> None:
    config = load_work_queue_config()
    with engine.begin() as conn:
        helped, dropped, _new = setup_cases(conn)
        send_feedback(conn, config=config, partner="Zorg", door="t", via="bestand", now=NOW)
        counts = trust_repo.delete_cases(conn, [helped, dropped])
        assert counts["terugkoppelingen"] == 3
        assert conn.execute(select(feedback)).all() == []
        assert conn.execute(select(signals.c.signal_id).order_by(signals.c.id)).scalars().all() == [
            "S3",
            "S4",
        ]


def test_the_cli_writes_the_file_once(tmp_path: Path) -> None:
    env = {"PROACTIEF_DATA_DIR": str(tmp_path)}
    from proactief.storage.db import create_db_engine, migrate

    # the CLI makes the database and its key; the cases go straight into its tables
    assert run_cli(["users", "list"], **env).returncode == 0
    engine = create_db_engine(f"sqlite:///{tmp_path / 'proactief.db'}")
    migrate(engine)
    with engine.begin() as conn:
        setup_cases(conn)
    engine.dispose()
    out = tmp_path / "zorg.csv"
    done = run_cli(["cases", "feedback", "--partner", "Zorg", "-o", str(out)], **env)
    assert done.returncode == 0, done.stderr
    assert "3 regels voor Zorg" in done.stdout
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 3
    again = run_cli(["cases", "feedback", "--partner", "Zorg", "-o", str(out)], **env)
    assert again.returncode != 0 and "bestaat al" in again.stdout + again.stderr
    second = tmp_path / "zorg-2.csv"
    assert (
        run_cli(["cases", "feedback", "--partner", "Zorg", "-o", str(second)], **env).returncode
        == 0
    )
    assert second.read_text(encoding="utf-8").strip() == ",".join(CSV_FIELDS)


def test_two_exports_at_once_never_send_a_line_twice(engine: Engine) -> None:
    import threading

    config = load_work_queue_config()
    with engine.begin() as conn:
        setup_cases(conn)
    got: list[list[str]] = []
    barrier = threading.Barrier(4)

    def export() -> None:
        barrier.wait()
        with engine.begin() as conn:
            lines = send_feedback(conn, config=config, partner="Zorg", door="t", via="api")
        got.append([f"{x.signaal_id}:{x.status.value}" for x in lines])

    threads = [threading.Thread(target=export) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = [line for lines in got for line in lines]
    assert sorted(sent) == ["S1:hulp_aangenomen", "S1:opgepakt", "S2:niet_opgepakt"]
